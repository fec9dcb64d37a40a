"""The advert lexicon (lexicon.yaml) loaded once and folded for matching."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from mare.analyse.geo.gazetteer import fold

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")
#: One-letter Arabic-script prefixes (and, by, to, so) and the article, tried off a word that is
#: not found as written: "لألمانيا" (to Germany), "بالدولار" (in dollars).
ARABIC_PREFIXES = ("وال", "بال", "لل", "ال", "و", "ب", "ل", "ف")
#: Arabic and Persian spellings of the same letters (yeh, kaf, alef maksura) read as one.
_UNIFY = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})


def unify(key: str) -> str:
    """A folded word with Arabic and Persian yeh and kaf read as one (ليبيا = لیبیا)."""
    return key.translate(_UNIFY)


def _folded(words: list[Any]) -> frozenset[str]:
    return frozenset(unify(f) for w in words if (f := fold(str(w))))


@dataclass(frozen=True)
class Lexicon:
    """The lexicon's word lists, folded."""

    currency_words: dict[str, str]  # folded word -> ISO code
    currency_symbols: dict[str, str]  # symbol as written -> ISO code
    ambiguous_currencies: frozenset[str]
    multipliers: dict[str, int]
    price_words: frozenset[str]
    services: dict[str, dict[str, frozenset[str]]]  # category -> language -> words
    to_before: frozenset[str]
    to_after: frozenset[str]
    from_before: frozenset[str]
    from_after: frozenset[str]
    via_before: frozenset[str]
    via_after: frozenset[str]
    then_before: frozenset[str]
    suffixes: tuple[str, ...]
    from_suffixes: frozenset[str]
    contact_words: frozenset[str]
    countries: dict[str, tuple[str, str]]  # folded name -> (ISO code, English name)
    place_stopwords: frozenset[str]

    def service_words(self) -> dict[str, frozenset[str]]:
        """Every service category's words, all languages together."""
        return {cat: frozenset().union(*langs.values()) for cat, langs in self.services.items()}


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The lexicon at `path` (the package's lexicon.yaml by default)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    words: dict[str, str] = {}
    symbols: dict[str, str] = {}
    for code, spec in data["currencies"].items():
        for symbol in spec.get("symbols") or []:
            symbols[str(symbol)] = str(code)
        for word in spec.get("words") or []:
            words.setdefault(unify(fold(str(word))), str(code))
    multipliers = {unify(fold(str(w))): int(factor) for factor, ws in data["multipliers"].items() for w in ws}
    cues = data["route_cues"]
    countries: dict[str, tuple[str, str]] = {}
    for code, names in data["countries"].items():
        for name in names:
            countries.setdefault(unify(fold(str(name))), (str(code), str(names[0])))
    services = {
        cat: {lang: _folded(ws) for lang, ws in langs.items()} for cat, langs in data["services"].items()
    }
    plain_words = (
        set(words)
        | _folded(data["ambiguous_currencies"])
        | _folded(data["price_words"])
        | _folded(data["contact_words"])
        | {w for langs in services.values() for ws in langs.values() for w in ws}
    )
    return Lexicon(
        currency_words=words,
        currency_symbols=symbols,
        ambiguous_currencies=_folded(data["ambiguous_currencies"]),
        multipliers=multipliers,
        price_words=_folded(data["price_words"]),
        services=services,
        to_before=_folded(cues["to_before"]),
        to_after=_folded(cues["to_after"]),
        from_before=_folded(cues["from_before"]),
        from_after=_folded(cues["from_after"]),
        via_before=_folded(cues["via_before"]),
        via_after=_folded(cues["via_after"]),
        then_before=_folded(cues["then_before"]),
        suffixes=tuple(unify(fold(str(x))) for x in data["suffixes"]),
        from_suffixes=_folded(data["from_suffixes"]),
        contact_words=_folded(data["contact_words"]),
        countries=countries,
        place_stopwords=_folded(data["place_stopwords"]) | frozenset(plain_words),
    )
