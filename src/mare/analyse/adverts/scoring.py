"""Precision and recall of advert extraction per field against labelled posts, and a naive baseline.

A labelled post (one JSON object per line) gives its text, platform and the values a reader would
take from it: phones (E.164), handles (platform:name), urls, prices ("3500 USD", "3000 ?" for an
unknown currency), places (names), services (crossing, documents, transport) and route
("Origin>Destination", "?" for an end not said). Values are compared as sets per post:
phones and handles exactly, URLs after the hub's URL normaliser, prices by amount and currency,
places and routes by folded name or a gazetteer name of the same place, services by category.

The naive baseline is what a plain regular-expression pass finds: runs of 7 or more digits (with
+, spaces, dots, dashes) as phones, '00' read as '+'; @names on the post's platform; http(s) URLs;
a number next to $, € or £; every word or pair of words a gazetteer or the lexicon's English
country names list as a place, and a route from the first to the last; English service words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mare.analyse.adverts.extract import Extraction, extract
from mare.analyse.adverts.lexicon import load_lexicon
from mare.analyse.geo.gazetteer import Gazetteer, fold
from mare.schema.types.simple import normalise_url

FIELDS = ("phones", "handles", "urls", "prices", "places", "services", "route")
_NAIVE_SERVICES = {
    "crossing": ("trip", "crossing", "boat", "journey"),
    "documents": ("passport", "visa", "documents"),
    "transport": ("car", "taxi", "bus", "truck", "lorry", "flight"),
}
_NAIVE_PHONE = re.compile(r"\+?\d[\d .\-]{5,}\d")
_NAIVE_PRICE = re.compile(r"([$€£])\s?(\d[\d,.]*)|(\d[\d,.]*)\s?([$€£])")
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}


@dataclass
class Score:
    """True positives, false positives and false negatives of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Share of what was found that was labelled (1.0 when nothing was found)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of what was labelled that was found (1.0 when nothing was labelled)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (without the errors)."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
        }


def load_labelled(path: Path) -> list[dict[str, Any]]:
    """The labelled posts of a JSON-lines file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _place_names(name: str, gaz: Gazetteer | None) -> set[str]:
    """The folded names one place goes by: the name, and the primary names of the places it names."""
    key = fold(name)
    names = {key}
    lex = load_lexicon()
    if key in lex.countries:
        code = lex.countries[key][0]
        names |= {k for k, (c, _) in lex.countries.items() if c == code}
    if gaz is not None:
        for place, _ in gaz.lookup(key):
            names.add(fold(place.name))
    return names


def _same_place(label: str, found: str, gaz: Gazetteer | None) -> bool:
    if label == "?" or found == "?":
        return label == found
    return bool(_place_names(label, gaz) & _place_names(found, gaz))


def _price_key(value: str) -> tuple[float, str]:
    amount, _, currency = value.partition(" ")
    return round(float(amount), 2), currency or "?"


def _match(
    field_name: str, labels: list[str], found: list[str], gaz: Gazetteer | None
) -> tuple[int, int, int]:
    """(tp, fp, fn) of one post's values of one field."""
    if field_name in ("places", "route"):

        def same(a: str, b: str) -> bool:
            if field_name == "route":
                la, _, lb = a.partition(">")
                fa, _, fb = b.partition(">")
                return _same_place(la, fa, gaz) and _same_place(lb, fb, gaz)
            return _same_place(a, b, gaz)

        left = list(dict.fromkeys(found))
        tp = 0
        for label in dict.fromkeys(labels):
            hit = next((f for f in left if same(label, f)), None)
            if hit is not None:
                left.remove(hit)
                tp += 1
        return tp, len(left), len(set(labels)) - tp
    if field_name == "urls":
        norm: Callable[[str], Any] = lambda v: normalise_url(v).value or v  # noqa: E731
    elif field_name == "prices":
        norm = _price_key
    elif field_name == "handles":
        norm = str.lower
    else:
        norm = str
    want, got = {norm(v) for v in labels}, {norm(v) for v in found}
    return len(want & got), len(got - want), len(want - got)


def score(
    posts: Iterable[dict[str, Any]],
    read: Callable[[dict[str, Any]], dict[str, list[str]]],
    gaz: Gazetteer | None = None,
) -> dict[str, Score]:
    """Per field, the score of `read` (post -> field -> values) on the labelled posts."""
    scores = {f: Score() for f in FIELDS}
    for post in posts:
        found = read(post)
        for f in FIELDS:
            labels = post.get(f) or []
            if f == "route":
                labels = [labels] if labels else []
            tp, fp, fn = _match(f, list(labels), list(found.get(f, [])), gaz)
            s = scores[f]
            s.tp, s.fp, s.fn = s.tp + tp, s.fp + fp, s.fn + fn
            if fp or fn:
                s.errors.append({"id": post["id"], "labelled": labels, "found": found.get(f, [])})
    return scores


def ours(gaz: Gazetteer | None) -> Callable[[dict[str, Any]], dict[str, list[str]]]:
    """The extractor as a reader of labelled posts."""

    def read(post: dict[str, Any]) -> dict[str, list[str]]:
        ex: Extraction = extract(post["text"], post.get("platform"), gaz=gaz)
        return {f: ex.values(f) for f in FIELDS}

    return read


def naive(gaz: Gazetteer | None) -> Callable[[dict[str, Any]], dict[str, list[str]]]:
    """The plain regular-expression baseline as a reader of labelled posts."""
    english = {k: name for k, (_, name) in load_lexicon().countries.items() if k.isascii()}

    def read(post: dict[str, Any]) -> dict[str, list[str]]:
        text = post["text"]
        phones = []
        for m in _NAIVE_PHONE.finditer(text):
            digits = re.sub(r"[ .\-]", "", m.group())
            if len(digits.lstrip("+")) >= 7:
                phones.append("+" + digits[2:] if digits.startswith("00") else digits)
        handles = [f"{post.get('platform') or 'unknown'}:{h}".lower() for h in re.findall(r"@(\w+)", text)]
        urls = re.findall(r"https?://\S+", text)
        prices = []
        for m in _NAIVE_PRICE.finditer(text):
            symbol, number = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            try:
                prices.append(f"{float(number.replace(',', '')):g} {_SYMBOLS[symbol]}")
            except ValueError:
                continue
        words = re.findall(r"\w+", text)
        places: list[str] = []
        for n in (2, 1):
            for i in range(len(words) - n + 1):
                key = fold(" ".join(words[i : i + n]))
                if key in english:
                    places.append(english[key])
                elif gaz is not None and len(key) > 2 and gaz.lookup(key):
                    places.append(gaz.lookup(key)[0][0].name)
        places = list(dict.fromkeys(places))
        low = text.lower()
        services = [c for c, ws in _NAIVE_SERVICES.items() if any(re.search(rf"\b{w}\b", low) for w in ws)]
        route = [f"{places[0]}>{places[-1]}"] if len(places) >= 2 else []
        return {
            "phones": phones,
            "handles": handles,
            "urls": urls,
            "prices": prices,
            "places": places,
            "services": services,
            "route": route,
        }

    return read
