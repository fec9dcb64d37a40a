"""What an advert's text offers: phones, handles and URLs, prices, places and the route, services.

Each finding keeps the words of the text that triggered it (`trigger`) and where they stand
(`start`, `end`: character offsets in the text as given). Words come from `lexicon.yaml` (per
language; see that file), places from the geo gazetteer (`mare.analyse.geo.gazetteer`: curated route
places, seaports, GeoNames cities with their names in many scripts) and the lexicon's country names.

- **Phones**: `phonenumbers`' matcher over the text with Arabic-Indic and Persian digits read as
  digits and the international prefix 00 read as +; numbers without a country code are tried in the
  regions of the text's language (and the caller's `region`), and kept only when valid there and
  written after a contact word or with their trunk 0.
- **Handles and URLs**: @names (on the post's platform, or the messenger named just before), profile
  URLs (t.me, instagram.com, …) and "telegram: name"; every handle is normalised as the hub's
  `handle` values are (`platform:name`), so it matches them.
- **Prices**: a number with a currency symbol or word before or after it (and a multiplier word:
  k, bin, ألف, هزار, …), or after a price word (price, prix, fiyat, السعر, قیمت, …) with no
  currency; `dinar` and the like keep their amount with the currency unknown.
- **Places and route**: countries (lexicon) and gazetteer places (towns only from 50,000 people
  and, in Latin script, capitalised); each place's role (origin, destination, via) comes from the
  cue word before it (to, from, via, إلى, من, عبر, به, از, …) or the Turkish or Pashto suffix or
  postposition after it; the route runs from the origin (else the first place) to the destination
  (else the last place), when two places or one with a cue are found.
- **Services**: crossing, documents, transport, each with the words that marked it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import Leniency

from mare.analyse.adverts.lexicon import ARABIC_PREFIXES, Lexicon, load_lexicon, unify
from mare.analyse.geo.gazetteer import KIND_RANK, Gazetteer, Place, fold
from mare.schema.types.identifiers import normalise_handle
from mare.schema.types.simple import normalise_url

#: Phone regions tried for numbers written without a country code, by the text's language.
LANGUAGE_REGIONS: dict[str, tuple[str, ...]] = {
    "ar": ("TR", "IQ", "SY", "LY"),
    "fa": ("TR", "IR"),
    "ps": ("AF", "PK", "TR", "IR"),
    "ku": ("TR", "IQ"),
    "tr": ("TR",),
    "fr": ("FR",),
    "en": ("GB",),
}
#: Regions along the routes, tried too for a number written without a country code (each valid
#: reading is kept as an alternative, for matching against the hub's numbers).
ROUTE_REGIONS = ("TR", "GR", "IT", "LY", "TN", "MA", "EG", "IQ", "SY", "IR", "AF", "PK", "RS", "BA",
                 "HR", "HU", "AT", "DE", "FR", "GB", "ES", "BG", "MK", "AL", "LB", "MT")  # fmt: skip
#: The international prefix 00 (read as +), not a group of zeros inside a number ("720 0018").
_IDD = re.compile(r"(?<![\d+])(?<!\d[\s.\-])00(?=[1-9])")
_LONG_DIGITS = re.compile(r"(?<![+\d])\d{8,}")
#: A gazetteer town smaller than this is not taken for a place in advert text (too many villages
#: share a name with a common word); curated route places and ports always are.
MIN_TOWN_POPULATION = 50_000
MAX_AMOUNT = 1e10

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
_WORD = re.compile(r"[^\W\d_]+|\d+|[$€£₺﷼؋]", re.UNICODE)
_NUMBER = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:([.,\u00a0\u202f ])\d{3})(?:\2\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?)(?![\d])"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'،]+|(?<![\w@./])(?:t\.me|telegram\.me|wa\.me|fb\.com|facebook\.com|"
    r"instagram\.com|tiktok\.com|snapchat\.com|bit\.ly)/[^\s<>\"'،]+",
    re.I,
)
_AT = re.compile(r"(?<![\w.@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{2,30})[A-Za-z0-9_])(?![\w@])")
_NAMED = re.compile(
    r"(?<![\w])(telegram|telegramm|tg|instagram|insta|ig|snapchat|snap|tiktok|facebook|fb|signal)"
    r"\s*[:：]\s*@?([A-Za-z0-9_](?:[A-Za-z0-9_.]{2,30})[A-Za-z0-9_])(?![\w@])",
    re.I,
)
_PLATFORM_WORDS = {
    "telegram": "telegram", "telegramm": "telegram", "tg": "telegram", "تلگرام": "telegram",
    "تلغرام": "telegram", "تليجرام": "telegram", "تيليجرام": "telegram", "instagram": "instagram",
    "insta": "instagram", "ig": "instagram", "انستغرام": "instagram", "اینستاگرام": "instagram",
    "snapchat": "snapchat", "snap": "snapchat", "tiktok": "tiktok", "تيك": "tiktok",
    "facebook": "facebook", "fb": "facebook", "فيسبوك": "facebook", "signal": "signal",
}  # fmt: skip
_RANGE = re.compile(r"\s*[-–]\s*\d[\d.,]*")
_TRAILING = ".,;:!?)]}»\"'،؛"
_TO_ARABIC = str.maketrans({"ی": "ي", "ک": "ك"})
_PASHTO = set("ټډړښږځڅۍېګڼ")
_KURDISH = set("ڕڵۆێەڤ")
_PERSIAN = set("پچژگکی")
_ARABIC_ONLY = set("ةيكى")
_LATIN_FR = re.compile(
    r"\b(le|la|les|des|du|pour|vers|avec|et|une?|prix|départ|voyage|à|sur|par|est)\b", re.I
)
_LATIN_TR = re.compile(
    r"[ğşıİĞŞ]|\b(ve|için|icin|ile|bir|fiyat|fiyatı|yolculuk|hemen|garantili|arayın|ara|kişi|kisi)\b"
)
_LATIN_KU = re.compile(r"[êîû]|\b(û|bo|ji|bi|rêwîtî|ber|ku|yê|ya|heye)\b")


@dataclass(frozen=True, slots=True)
class Found:
    """One thing found in the text: its kind, value, the words that triggered it and where."""

    kind: str  # phone | handle | url | price | place | service
    value: str
    trigger: str
    start: int
    end: int
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return asdict(self)


@dataclass(slots=True)
class Route:
    """The route offered: origin, places on the way, destination (names), with its trigger."""

    origin: str | None
    destination: str | None
    via: list[str]
    trigger: str

    @property
    def value(self) -> str:
        """'Origin>Destination', '?' for an end not known."""
        return f"{self.origin or '?'}>{self.destination or '?'}"


@dataclass(slots=True)
class Extraction:
    """Everything found in one text."""

    language: str | None
    phones: list[Found] = field(default_factory=list)
    handles: list[Found] = field(default_factory=list)
    urls: list[Found] = field(default_factory=list)
    prices: list[Found] = field(default_factory=list)
    places: list[Found] = field(default_factory=list)
    services: list[Found] = field(default_factory=list)
    route: Route | None = None

    def values(self, kind: str) -> list[str]:
        """The distinct values of one kind of finding ('route' gives the route's value), in order."""
        if kind == "route":
            return [self.route.value] if self.route else []
        return list(dict.fromkeys(f.value for f in getattr(self, kind)))

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        out: dict[str, Any] = {"language": self.language}
        for kind in ("phones", "handles", "urls", "prices", "places", "services"):
            out[kind] = [f.as_dict() for f in getattr(self, kind)]
        out["route"] = None if self.route is None else {**asdict(self.route), "value": self.route.value}
        return out


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    text: str
    key: str  # folded


def detect_language(text: str) -> str | None:
    """ar, fa, ps, ku, tr, fr or en from the script and its letters, None for a text without letters."""
    arabic = sum(1 for c in text if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f")
    latin = sum(1 for c in text if (c.isalpha() and c.isascii()) or "\u00c0" <= c <= "\u024f")
    if not arabic and not latin:
        return None
    if arabic >= latin:
        letters = set(text)
        if letters & _KURDISH:
            return "ku"
        if letters & _PASHTO or ("ي" in letters and letters & {"ی", "ک"}):  # Pashto writes both yehs
            return "ps"
        if letters & _PERSIAN and not letters & _ARABIC_ONLY:
            return "fa"
        return "ar"
    scores = {
        "tr": len(_LATIN_TR.findall(text)),
        "fr": len(_LATIN_FR.findall(text)),
        "ku": len(_LATIN_KU.findall(text)),
    }
    if re.search(r"[ğıİĞŞ]", text):
        return "tr"
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 2 else "en"


def _tokens(text: str) -> list[_Token]:
    return [
        _Token(m.start(), m.end(), m.group(), unify(fold(m.group()) or m.group()))
        for m in _WORD.finditer(text)
    ]


def _variants(key: str, suffixes: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """The word as written, then without an Arabic-script prefix or suffix: (key, prefix, suffix)."""
    out = [(key, "", "")]
    if key and "\u0600" <= key[0] <= "\u06ff":
        out += [
            (key[len(p) :], p, "") for p in ARABIC_PREFIXES if key.startswith(p) and len(key) - len(p) >= 2
        ]
        out += [(key[: -len(x)], "", x) for x in suffixes if key.endswith(x) and len(key) - len(x) >= 3]
    return out


def _arabic_letters(key: str) -> str:
    """Persian yeh and kaf written as Arabic ones (the gazetteer holds both spellings, as written)."""
    return key.translate(_TO_ARABIC)


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in spans)


# --------------------------------------------------------------------------- phones


def _phones(
    digits: str, tokens: list[_Token], lex: Lexicon, regions: list[str], skip: list[tuple[int, int]]
) -> list[Found]:
    """Phone numbers (E.164) in the text; `digits` is the text with ASCII digits, same length."""
    scan = _IDD.sub(" +", digits)
    found: list[Found] = []
    taken: list[tuple[int, int]] = list(skip)
    for match in phonenumbers.PhoneNumberMatcher(scan, "ZZ", leniency=Leniency.VALID):
        if _overlaps(match.start, match.end, taken):
            continue
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        found.append(Found("phone", e164, digits[match.start : match.end].strip(), match.start, match.end))
        taken.append((match.start, match.end))
    contact_ends = [t.end for t in tokens if t.key in lex.contact_words]
    if not _LONG_DIGITS.search(re.sub(r"[\s().-]", "", scan)):
        return sorted(found, key=lambda f: f.start)
    spans: list[tuple[int, int, str, str, str]] = []  # (start, end, region, e164, raw)
    for region in dict.fromkeys([*regions, *ROUTE_REGIONS]):
        for match in phonenumbers.PhoneNumberMatcher(scan, region, leniency=Leniency.VALID):
            raw = match.raw_string.strip()
            if _overlaps(match.start, match.end, taken) or raw.startswith("+"):
                continue
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            spans.append((match.start, match.end, region, e164, raw))
    # the regions' matchers may cut one number a little differently: overlapping spans are one number
    local: dict[tuple[int, int], list[tuple[str, str, str]]] = {}  # span -> (region, e164, raw)
    for start, end, region, e164, raw in sorted(spans, key=lambda x: (x[0], -x[1])):
        last = next(reversed(local), None)
        if last is not None and start < last[1]:
            local[last].append((region, e164, raw))
        else:
            local[(start, end)] = [(region, e164, raw)]
    order = {r: i for i, r in enumerate(dict.fromkeys([*regions, *ROUTE_REGIONS]))}
    for (start, end), found_readings in sorted(local.items()):
        readings = sorted(found_readings, key=lambda r: order[r[0]])
        raw = readings[0][2]
        after_contact = any(0 <= start - e <= 24 for e in contact_ends)
        if not (after_contact or raw.startswith(("0", "(0"))) or len(re.sub(r"\D", "", raw)) < 8:
            continue
        if _overlaps(start, end, taken):
            continue
        first = next((r for r in readings if r[0] in regions), None)
        if first is None and len({e for _, e, _ in readings}) > 1:
            first = readings[0]  # not a number of the text's regions: the first route region that fits
        chosen = first or readings[0]
        others = list(dict.fromkeys(e for _, e, _ in readings if e != chosen[1]))
        detail: dict[str, Any] = {"region": chosen[0], "written_without_country_code": True}
        if others:
            detail["alternatives"] = others
        found.append(Found("phone", chosen[1], raw, start, end, detail))
        taken.append((start, end))
    return sorted(found, key=lambda f: f.start)


# --------------------------------------------------------------------------- handles and URLs


def _urls_and_handles(text: str, platform: str | None) -> tuple[list[Found], list[Found]]:
    """URLs, and the handles named in the text (profile URLs, 'telegram: name', @names)."""
    urls: list[Found] = []
    handles: list[Found] = []
    url_spans: list[tuple[int, int]] = []
    for m in _URL.finditer(text):
        raw = m.group().rstrip(_TRAILING)
        start, end = m.start(), m.start() + len(raw)
        url_spans.append((start, end))
        norm = normalise_url(raw)
        urls.append(Found("url", norm.value or raw, raw, start, end))
        handle = normalise_handle(raw)
        if handle.value and not handle.value.startswith("unknown:"):
            if handle.value.startswith("whatsapp:+"):
                continue  # a wa.me/NUMBER link: a phone (read by `extract`)
            handles.append(Found("handle", handle.value, raw, start, end))
    for m in _NAMED.finditer(text):
        if _overlaps(m.start(), m.end(), url_spans):
            continue
        service = _PLATFORM_WORDS.get(m.group(1).lower(), m.group(1).lower())
        value = normalise_handle(f"{service}:{m.group(2)}").value
        if value:
            handles.append(Found("handle", value, m.group(), m.start(), m.end()))
            url_spans.append((m.start(), m.end()))
    for m in _AT.finditer(text):
        if _overlaps(m.start(), m.end(), url_spans):
            continue
        before = fold(text[max(0, m.start() - 24) : m.start()]).split()
        named = next((_PLATFORM_WORDS[w] for w in reversed(before) if w in _PLATFORM_WORDS), None)
        service = named or platform or "unknown"
        value = normalise_handle(f"{service}:{m.group(1)}").value
        if value:
            handles.append(Found("handle", value, m.group(), m.start(), m.end()))
    handles.sort(key=lambda f: f.start)
    return urls, handles


# --------------------------------------------------------------------------- prices


def parse_amount(number: str) -> float | None:
    """A written number as a float: '3.500' and '3,500' are thousands, '3.5' and '3,5' decimals."""
    s = number.replace("\u00a0", " ").replace("\u202f", " ")
    grouped = re.fullmatch(r"(\d{1,3})((?:[., ]\d{3})+)(?:[.,](\d{1,2}))?", s)
    if grouped:
        seps = set(re.findall(r"[., ]", grouped.group(2)))
        if len(seps) == 1:
            whole = int(grouped.group(1) + re.sub(r"\D", "", grouped.group(2)))
            return whole + (int(grouped.group(3)) / 10 ** len(grouped.group(3)) if grouped.group(3) else 0)
    if re.fullmatch(r"\d+", s):
        return float(s)
    if re.fullmatch(r"\d+[.,]\d+", s):
        return float(s.replace(",", "."))
    return None


def _currency_at(tokens: list[_Token], i: int, lex: Lexicon) -> tuple[str | None, int] | None:
    """The currency word or symbol at token i (with a following word: 'turkish lira'): (code, tokens)."""
    if i < 0 or i >= len(tokens):
        return None
    tok = tokens[i]
    if tok.text in lex.currency_symbols:
        return lex.currency_symbols[tok.text], 1
    if i + 1 < len(tokens):
        pair = f"{tok.key} {tokens[i + 1].key}"
        if pair in lex.currency_words:
            return lex.currency_words[pair], 2
        if pair in lex.ambiguous_currencies:
            return None, 2
    for key, *_ in _variants(tok.key):
        if key in lex.currency_words:
            return lex.currency_words[key], 1
        if key in lex.ambiguous_currencies:
            return None, 1
    return None


def _prices(digits: str, tokens: list[_Token], lex: Lexicon, skip: list[tuple[int, int]]) -> list[Found]:
    found: list[Found] = []
    index_at = {t.start: k for k, t in enumerate(tokens)}
    for m in _NUMBER.finditer(digits):
        start, end = m.span(1)
        if _overlaps(start, end, skip):
            continue
        amount = parse_amount(m.group(1))
        if amount is None or amount <= 0:
            continue
        if digits[end : end + 2].strip().startswith("%"):
            continue
        # the tokens after the number: [multiplier] [currency]
        k = next((index_at[p] for p in range(end, len(digits) + 1) if p in index_at), len(tokens))
        last = end
        factor = 1
        near = k < len(tokens) and tokens[k].start - end <= 1
        if near and tokens[k].key in lex.multipliers and (tokens[k].key != "m" or tokens[k].start == end):
            factor = lex.multipliers[tokens[k].key]
            last = tokens[k].end
            k += 1
        currency: tuple[str | None, int] | None = None
        word_start = word_end = None
        if k < len(tokens) and tokens[k].start - last <= 2:
            currency = _currency_at(tokens, k, lex)
            if currency:
                word_start, word_end = tokens[k].start, tokens[k + currency[1] - 1].end
        if currency is None:  # a currency before: "$3500", "USD 4000", "€ 3.500"
            j = next((index_at[p] for p in range(start, -1, -1) if p in index_at and p < start), None)
            j = j if j is not None else -1
            if j >= 0 and start - tokens[j].end <= 2:
                for back in (1, 0):  # a two-word currency ending here, else one word
                    got = _currency_at(tokens, j - back, lex)
                    if got and got[1] == back + 1:
                        currency = got
                        word_start, word_end = tokens[j - back].start, tokens[j].end
                        break
        if currency is None:  # the low end of a range: "4000-5000 $" takes the currency of its high end
            ahead = _RANGE.match(digits, end)
            if ahead:
                k2 = index_at.get(ahead.end())
                after_high = next(
                    (index_at[p] for p in range(ahead.end(), len(digits) + 1) if p in index_at), None
                )
                if k2 is None and after_high is not None and tokens[after_high].start - ahead.end() <= 2:
                    got = _currency_at(tokens, after_high, lex)
                    if got:
                        currency = got
                        word_start, word_end = start, tokens[after_high].end
        if currency is None:
            before = [t for t in tokens if t.end <= start][-3:]
            words = [t for t in before if any(v in lex.price_words for v, *_ in _variants(t.key))]
            if not words:
                continue
            word_start, word_end = words[-1].start, words[-1].end
        value = amount * factor
        if value > MAX_AMOUNT:
            continue
        code = currency[0] if currency else None
        span_start, span_end = min(start, word_start or start), max(last, word_end or last)
        trigger = digits[span_start:span_end]
        text_value = f"{value:g} {code or '?'}" if value < 1e6 else f"{int(value)} {code or '?'}"
        found.append(
            Found(
                "price",
                text_value,
                trigger,
                span_start,
                span_end,
                {"amount": value, "currency": code, "currency_known": code is not None},
            )
        )
    return found


# --------------------------------------------------------------------------- places and route


def _best(entries: list[tuple[Place, bool]]) -> Place:
    return max(entries, key=lambda e: (KIND_RANK.get(e[0].kind, 0), e[1], e[0].population))[0]


def _acceptable(place: Place, written: str, key: str, lex: Lexicon) -> bool:
    if key in lex.place_stopwords or len(key) < 3:
        return False
    if place.kind == "city" and place.population < MIN_TOWN_POPULATION:
        return False
    first = written[:1]
    return not (first.isascii() or "\u00c0" <= first <= "\u024f") or first.isupper()


def _places(tokens: list[_Token], lex: Lexicon, gaz: Gazetteer | None) -> list[tuple[Found, int, int, str]]:
    """Places with the token range they span and the cue their spelling carries ('to': an Arabic ل
    prefix, 'from': a Kurdish -ەوە suffix, else '')."""
    out: list[tuple[Found, int, int, str]] = []
    i = 0
    while i < len(tokens):
        hit = None
        for n in (3, 2, 1):
            if i + n > len(tokens) or any(t.text.isdigit() for t in tokens[i : i + n]):
                continue
            words = tokens[i : i + n]
            key = " ".join(t.key for t in words)
            written = " ".join(t.text for t in words)
            span = (words[0].start, words[-1].end)
            for variant, prefix, suffix in _variants(key, lex.suffixes) if n == 1 else [(key, "", "")]:
                if variant in lex.place_stopwords:
                    continue
                cue = (
                    "to" if prefix.endswith("ل") else "from" if suffix in lex.from_suffixes and suffix else ""
                )
                bare = written[len(prefix) :]
                if variant in lex.countries:
                    code, name = lex.countries[variant]
                    if bare[:1].isascii() and bare[:1].isalpha() and not bare[:1].isupper():
                        continue
                    hit = (
                        Found("place", name, written, *span, {"country": code, "kind": "country"}),
                        i,
                        i + n,
                        cue,
                    )
                    break
                entries = []
                if gaz is not None:
                    entries = gaz.lookup(variant) or gaz.lookup(_arabic_letters(variant))
                if entries:
                    place = _best(entries)
                    if _acceptable(place, bare, variant, lex):
                        detail = {"country": place.country, "kind": place.kind, "id": place.id}
                        hit = (Found("place", place.name, written, *span, detail), i, i + n, cue)
                        break
            if hit:
                break
        if hit:
            out.append(hit)
            i = hit[2]
        else:
            i += 1
    return out


def _route(tokens: list[_Token], places: list[tuple[Found, int, int, str]], lex: Lexicon) -> Route | None:
    if not places:
        return None
    roles: list[str | None] = []
    cues: list[str] = []
    for found, first, last, spelt in places:
        role, cue = None, ""
        before = [t.key for t in tokens[max(0, first - 2) : first]]
        joined = " ".join(before)
        after = tokens[last].key if last < len(tokens) and tokens[last].start - found.end <= 2 else ""
        after2 = tokens[last + 1].key if after and last + 1 < len(tokens) else ""
        if spelt:
            role, cue = spelt, spelt
        elif (before and before[-1] in lex.via_before) or joined in lex.via_before:
            role, cue = "via", before[-1]
        elif (before and before[-1] in lex.then_before) or (before and before[-1] in lex.to_before):
            role, cue = "to", before[-1]
        elif before and before[-1] in lex.from_before:
            role, cue = "from", before[-1]
        elif after and (after in lex.via_after or f"{after} {after2}" in lex.via_after):
            role, cue = "via", after
        elif after and after in lex.from_after:
            role, cue = "from", after
        elif after and after in lex.to_after:
            role, cue = "to", after
        roles.append(role)
        cues.append(cue)
    names = [p[0].value for p in places]
    origin = next((n for n, r in zip(names, roles, strict=True) if r == "from"), None)
    destination = next((n for n, r in reversed(list(zip(names, roles, strict=True))) if r == "to"), None)
    via = [n for n, r in zip(names, roles, strict=True) if r == "via"]
    free = [n for n, r in zip(names, roles, strict=True) if r is None and n not in (origin, destination)]
    if destination is None and origin is not None and free:
        destination = free[-1]
    elif (
        origin is None
        and destination is not None
        and free
        and names.index(free[0]) < names.index(destination)
    ):
        origin = free[0]
    elif origin is None and destination is None:
        distinct = list(dict.fromkeys(n for n in names if n not in via))
        if len(distinct) < 2:
            return None
        origin, destination = distinct[0], distinct[-1]
    if origin == destination:
        origin = None
    trigger = " ".join(f"{c} {p[0].trigger}".strip() for p, c in zip(places, cues, strict=True))
    return Route(origin, destination, via, trigger)


# --------------------------------------------------------------------------- services


def _services(tokens: list[_Token], lex: Lexicon) -> list[Found]:
    out: list[Found] = []
    keys = [t.key for t in tokens]
    for category, words in lex.service_words().items():
        hits: list[_Token] = []
        for i, tok in enumerate(tokens):
            pair = f"{keys[i]} {keys[i + 1]}" if i + 1 < len(keys) else ""
            if pair in words:
                hits.append(tok)
                continue
            if any(v in words for v, *_ in _variants(tok.key)):
                hits.append(tok)
        if hits:
            trigger = ", ".join(dict.fromkeys(t.text for t in hits))
            out.append(Found("service", category, trigger, hits[0].start, hits[-1].end))
    return out


@lru_cache(maxsize=1)
def advert_gazetteer() -> Gazetteer:
    """The geo gazetteer's curated places and ports, and its towns of MIN_TOWN_POPULATION or more
    (the only towns `extract` takes; a quarter of the whole, so it is built in a few seconds)."""
    from mare.analyse.geo import gazetteer as geo

    towns = [entry for entry in geo._cities() if entry[0].population >= MIN_TOWN_POPULATION]
    return Gazetteer(geo._curated() + geo._ports() + towns)


def extract(
    text: str,
    platform: str | None = None,
    region: str | None = None,
    gaz: Gazetteer | None = None,
    lexicon: Lexicon | None = None,
) -> Extraction:
    """Everything one advert's text offers. `platform` is the platform the post was on (for bare
    @names), `region` a phone region to try besides the language's; `gaz` the gazetteer (None: only
    the lexicon's countries are found as places)."""
    lex = lexicon or load_lexicon()
    language = detect_language(text)
    digits = text.translate(_DIGITS)
    tokens = _tokens(digits)
    regions = list(
        dict.fromkeys([*([region.upper()] if region else []), *LANGUAGE_REGIONS.get(language or "", ())])
    )
    result = Extraction(language)
    result.urls, result.handles = _urls_and_handles(text, platform)
    linked = [(f.start, f.end) for f in (*result.urls, *result.handles)]
    words = [t for t in tokens if not _overlaps(t.start, t.end, linked)]
    placed = _places(words, lex, gaz)
    named = [str(p[0].detail.get("country")) for p in placed if p[0].detail.get("country")]
    regions = list(dict.fromkeys([*regions, *named]))
    phones = _phones(digits, tokens, lex, regions, linked)
    for f in result.urls:  # wa.me/NUMBER links
        handle = normalise_handle(f.trigger).value or ""
        if handle.startswith("whatsapp:+") and handle[9:] not in {p.value for p in phones}:
            phones.append(Found("phone", handle[9:], f.trigger, f.start, f.end, {"from": "url"}))
    result.phones = sorted(phones, key=lambda f: f.start)
    skip = [*linked, *((f.start, f.end) for f in result.phones)]
    result.prices = _prices(digits, tokens, lex, skip)
    kept = [p for p in placed if not _overlaps(p[0].start, p[0].end, skip)]
    result.places = [p[0] for p in kept]
    result.route = _route([t for t in words if not _overlaps(t.start, t.end, skip)], kept, lex)
    result.services = _services(tokens, lex)
    return result


@lru_cache(maxsize=1)
def route_gazetteer() -> Gazetteer:
    """The geo gazetteer's curated places and ports only: the departure points of the routes, built in
    a fraction of a second (for placing a route stored with an advert, not for reading texts)."""
    from mare.analyse.geo import gazetteer as geo

    return Gazetteer(geo._curated() + geo._ports())


def place_country(name: str, gaz: Gazetteer | None = None) -> str | None:
    """The country of a place name as `extract` reads one (a country's name in the lexicon, or a
    gazetteer place), or None: e.g. the origin of a route stored with an advert."""
    found = extract(name, gaz=gaz)
    return next((str(p.detail["country"]) for p in found.places if p.detail.get("country")), None)
