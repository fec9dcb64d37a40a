"""Geocode free-text place names from contributions, in several languages, with a confidence.

The text is cut into phrases (commas, brackets, "off the coast of", "near", ...); each phrase and
its word n-grams are looked up exactly in the folded gazetteer, then fuzzily (difflib ratio on
names sharing the first or last two letters) when nothing matches exactly. Country names in the
text act as a hint. Confidence (0-1) = match quality x specificity x country agreement x coverage:

* quality: 1.0 primary name, 0.95 alias, 0.85 x similarity for a fuzzy match (similarity >= 0.8);
* specificity: among namesakes more than 30 km apart, the answer's share of their weight (a
  curated route place or port outweighs a city, then population), so "Tripoli" alone is unsure
  and "Tripoli, Lebanon" is not; namesakes at one spot (a port and its town) do not compete;
* country: x1 when it agrees with a country named in the text, x0.5 when it contradicts it;
* coverage: 0.6 + 0.4 x (share of the text's place words the matched phrase explains).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pycountry

from mare.analyse.geo.gazetteer import KIND_RANK, Gazetteer, Place, fold, gazetteer
from mare.analyse.geo.geodesy import haversine_km

FUZZY_MIN_SIMILARITY = 0.8
SAME_PLACE_KM = 30.0
_SPLIT = re.compile(
    r"[,;()\[\]/]|\b(?:en route to|on the way to|off the coast of|off coast of|off the coast|coast of|near|"
    r"close to|outskirts of|between|and|from|to|km|miles|off|of|in|at|the|north|south|east|west|"
    r"northern|southern|eastern|western|unspecified location|see coordinates for exact location|"
    r"près de|pres de|au large de|cerca de|frente a|costa de|vicino a|al largo di|bei|nahe|vor|"
    r"قرب|بالقرب من|قبالة|σε|κοντά)\b",
    re.IGNORECASE,
)
#: Country names in other languages that pycountry does not list.
_COUNTRY_WORDS = {
    "libia": "LY",
    "libye": "LY",
    "libyen": "LY",
    "ليبيا": "LY",
    "italia": "IT",
    "italie": "IT",
    "italien": "IT",
    "turkiye": "TR",
    "turquie": "TR",
    "turkei": "TR",
    "turkey": "TR",
    "grece": "GR",
    "griechenland": "GR",
    "grecia": "GR",
    "ελλαδα": "GR",
    "espana": "ES",
    "espagne": "ES",
    "spanien": "ES",
    "maroc": "MA",
    "marruecos": "MA",
    "marokko": "MA",
    "المغرب": "MA",
    "tunisie": "TN",
    "tunez": "TN",
    "tunesien": "TN",
    "تونس": "TN",
    "algerie": "DZ",
    "argelia": "DZ",
    "algerien": "DZ",
    "egypte": "EG",
    "مصر": "EG",
    "chypre": "CY",
    "κυπρος": "CY",
    "malte": "MT",
    "uk": "GB",
    "england": "GB",
    "britain": "GB",
    "angleterre": "GB",
    "usa": "US",
    "bosnia": "BA",
    "macedonia": "MK",
    "kosovo": "XK",
    "russia": "RU",
    "canaries": "ES",
    "canary islands": "ES",
    "islas canarias": "ES",
    "crete": "GR",
    "sicily": "IT",
    "sicilia": "IT",
    "sardinia": "IT",
    "sardegna": "IT",
    "calabria": "IT",
    "lebanon": "LB",
    "syria": "SY",
}


@dataclass(frozen=True)
class GeocodeMatch:
    """A candidate place for a text, with its confidence and why."""

    place: Place
    confidence: float
    matched: str  # the phrase of the text that matched
    reason: str


def _country_names() -> dict[str, str]:
    """Folded country names (ISO names, common and official names, extra languages) -> alpha-2."""
    names = dict(_COUNTRY_WORDS)
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.setdefault(fold(value), str(country.alpha_2))
    return {fold(k): v for k, v in names.items()}


_COUNTRIES = _country_names()


def _phrases(text: str) -> list[list[str]]:
    """Word lists of the text's phrases, split on punctuation and route/locative words."""
    parts = _SPLIT.split(text)
    return [words for part in parts if part and (words := fold(part).split())]


def _ngrams(words: list[str], longest: int = 4) -> list[str]:
    """Contiguous word n-grams, longest first."""
    out: list[str] = []
    for n in range(min(longest, len(words)), 0, -1):
        out.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return out


def _weight(place: Place) -> float:
    """Prior weight among namesakes: curated places and ports first, then population."""
    return KIND_RANK.get(place.kind, 1) * 1e7 + max(place.population, 1)


def geocode(
    text: str, country: str | None = None, limit: int = 5, index: Gazetteer | None = None
) -> list[GeocodeMatch]:
    """Best places for a free-text location, most confident first (empty when nothing fits)."""
    index = index or gazetteer()
    phrases = _phrases(text)
    hints = {country.upper()} if country else set()
    place_words = 0
    candidates: list[tuple[str, float, list[tuple[Place, bool]], str]] = []
    for words in phrases:
        grams = _ngrams(words)
        for gram in grams:
            if gram in _COUNTRIES:
                hints.add(_COUNTRIES[gram])
        for gram in grams:
            found = index.lookup(gram)
            if found:
                candidates.append((gram, 1.0, found, "exact"))
        place_words += len(words)
    if not candidates:
        candidates = _fuzzy(phrases, index)
    best: dict[str, GeocodeMatch] = {}
    for gram, similarity, found, how in candidates:
        coverage = min(1.0, len(gram.split()) / max(place_words - _country_word_count(phrases), 1))
        for place, primary in found:
            quality = (1.0 if primary else 0.95) if how == "exact" else 0.85 * similarity
            share = _weight(place) / (_weight(place) + _rivals(place, found))
            agree = 1.0 if not hints or place.country in hints else 0.5
            if hints and place.country in hints:
                share = max(share, 0.9)
            confidence = round(quality * share * agree * (0.6 + 0.4 * coverage), 3)
            reason = (
                f"{how} match of '{gram}' on {'name' if primary else 'alias'} of {place.kind} {place.name} "
                f"({place.country}); {len(found)} namesake(s)"
                + (
                    f"; country hint {'/'.join(sorted(hints))} {'agrees' if agree == 1.0 else 'disagrees'}"
                    if hints
                    else ""
                )
            )
            if place.id not in best or best[place.id].confidence < confidence:
                best[place.id] = GeocodeMatch(place, confidence, gram, reason)
    return sorted(best.values(), key=lambda m: (-m.confidence, -_weight(m.place)))[:limit]


def _rivals(place: Place, found: list[tuple[Place, bool]]) -> float:
    """Weight of namesakes more than SAME_PLACE_KM away (a port and its town are one answer)."""
    return sum(
        _weight(other)
        for other, _ in found
        if float(haversine_km(place.lat, place.lon, other.lat, other.lon)) > SAME_PLACE_KM
    )


def _country_word_count(phrases: list[list[str]]) -> int:
    """How many words of the text are country names (not place words to explain)."""
    return sum(len(gram.split()) for words in phrases for gram in _ngrams(words, 3) if gram in _COUNTRIES)


def _fuzzy(
    phrases: list[list[str]], index: Gazetteer
) -> list[tuple[str, float, list[tuple[Place, bool]], str]]:
    """Closest indexed names for each n-gram of 4+ letters (difflib ratio >= FUZZY_MIN_SIMILARITY)."""
    out = []
    for words in phrases:
        for gram in _ngrams(words, 3):
            if len(gram) < 4 or gram in _COUNTRIES:
                continue
            matcher = difflib.SequenceMatcher(b=gram, autojunk=False)
            scored = []
            for name in index.near_names(gram):
                if abs(len(name) - len(gram)) > max(2, len(gram) // 4):
                    continue
                matcher.set_seq1(name)
                if (
                    matcher.real_quick_ratio() >= FUZZY_MIN_SIMILARITY
                    and matcher.quick_ratio() >= FUZZY_MIN_SIMILARITY
                ):
                    ratio = matcher.ratio()
                    if ratio >= FUZZY_MIN_SIMILARITY:
                        scored.append((ratio, name))
            for ratio, name in sorted(scored, reverse=True)[:3]:
                out.append((gram, ratio, index.lookup(name), "fuzzy"))
    return out
