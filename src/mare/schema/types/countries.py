"""Countries: ISO 3166-1 alpha-2 from codes, names and demonyms in six languages.

`normalise_country` accepts, in this order:

* ISO 3166-1 alpha-2 (``SY``), alpha-3 (``SYR``) and numeric (``760``, ``4``) codes, Kosovo's
  user-assigned ``XK`` / ``XKX`` (and ``RKS`` from Kosovo passports), the EU's ``UK``/``EL``,
  ISO 3166-2 subdivision codes (``GB-SCT`` -> GB, flag ``subdivision``);
* ICAO Doc 9303 (MRZ) codes: ``D`` (Germany), the British nationality classes ``GBD GBN GBO GBP
  GBS`` (GB, flag ``british_class``); the non-country codes give ``value=None`` with a flag and
  ``extra["icao"]``: ``XXA`` (``stateless``), ``XXB``/``XXC`` (``refugee``), ``XXX``
  (``unspecified``), ``UTO`` (``specimen``: Utopia, on sample documents), ``UNO UNA EUE`` and the
  ``X..`` organisation codes (``organisation``), ``UNK`` (``unspecified``: "unknown" in many
  systems, the UNMIK travel document in ICAO's list; candidate XK);
* historic ISO 3166-3 codes: those with a single successor map to it (``ZAR`` -> CD, ``BUR`` ->
  MM, flag ``historic``); the others (``YUG``, ``SUN``, ``CSK``...) give ``value=None``;
* names and demonyms (masculine, feminine, plural) in English, French, German, Italian, Spanish
  and Arabic from ``data/country_names.csv`` (columns alpha2, language, kind, text). Matching
  ignores case, accents, spaces and punctuation, a leading article (the, la, el, die...), the
  Arabic article ال, tashkeel and tatweel, and folds alef/hamza, ta marbuta, alef maqsura and
  Persian yeh/keheh variants. Words such as "citizen", "national", "nationalité", "جنسية" are
  dropped when the whole text does not match. Words for stateless people ("stateless",
  "apatride", "عديم الجنسية", "bidoon"...) give ``value=None`` with flag ``stateless``; bidoon
  adds ``extra["related_alpha2"] = "KW"``.

When one text names several countries in the data (``Congolese``: CD and CG; ``Dominican``: DO
and DM) the more likely one (CD, DO; else the first row of the CSV) wins and the result carries
flag ``ambiguous`` and ``extra["candidates"]``. Texts that list countries ("Syria / Turkey")
give ``value=None`` with the candidates; a text whose parts all name one country gives it with
flag ``multi_part``. As a last resort rigour's territory
names (which include some places) are tried, with flag ``fallback``.

Lower-case two- or three-letter input that matches a code ("no", "can") is accepted with flag
``lowercase_code``: such words are codes only in structured fields.

``extra`` always has ``alpha3``, ``name`` (ISO English short name), ``matched`` (``alpha2``,
``alpha3``, ``numeric``, ``icao``, ``name``, ``demonym``; None when nothing matched) and
``language`` (the language of the matched name or demonym: ``ctx.language`` when the text is
valid in it, else the first language listed; None for codes).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pycountry

from mare.schema.types.result import EMPTY_CONTEXT, NormaliseContext, Normalised, failed

__all__ = ["country_name", "normalise_country"]

_MAX_LEN = 200

# ---------------------------------------------------------------------------------------------
# Match keys


_FOLD = str.maketrans(
    {
        "ة": "ه",  # ta marbuta
        "ۀ": "ه",
        "ى": "ي",  # alef maqsura
        "ی": "ي",  # Persian yeh
        "ې": "ي",
        "ک": "ك",  # keheh
        "ٱ": "ا",  # alef wasla
        "ـ": None,  # tatweel
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ł": "l",
        "ı": "i",
        "þ": "th",
        "ð": "d",
        "’": "'",
    }
)
_WORD_SPLIT = re.compile(r"[\W_]+")
_ARTICLES = frozenset({"the", "la", "le", "l", "les", "el", "los", "las", "il", "lo", "gli"} | {
    "die", "der", "das"
})  # fmt: skip
_SURROGATES = re.compile("[\ud800-\udfff]")


def _match_key(text: str) -> str:
    """The comparison key of a country name: letters and digits only, folded."""
    text = _SURROGATES.sub("", text)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = [w for w in _WORD_SPLIT.split(stripped.casefold().translate(_FOLD)) if w]
    while len(words) > 1 and words[0] in _ARTICLES:
        words.pop(0)
    return "".join(w[2:] if w.startswith("ال") and len(w) > 3 else w for w in words)


# ---------------------------------------------------------------------------------------------
# Reference data


@dataclass(frozen=True, slots=True)
class _Country:
    alpha2: str
    alpha3: str
    name: str


@dataclass(frozen=True, slots=True)
class _Entry:
    alpha2: str
    kind: str  # "name" or "demonym"
    languages: tuple[str, ...]
    candidates: tuple[str, ...]  # more than one when the text names several countries


def _build_countries() -> dict[str, _Country]:
    out = {c.alpha_2: _Country(c.alpha_2, c.alpha_3, c.name) for c in pycountry.countries}
    out["XK"] = _Country("XK", "XKX", "Kosovo")
    return out


_COUNTRIES: dict[str, _Country] = _build_countries()
_ALPHA3: dict[str, str] = {c.alpha3: c.alpha2 for c in _COUNTRIES.values()}
_ALPHA3["RKS"] = "XK"
_NUMERIC: dict[str, str] = {c.numeric: c.alpha_2 for c in pycountry.countries}
_ALPHA2_ALIASES: dict[str, str] = {"UK": "GB", "EL": "GR"}

# ICAO Doc 9303 codes that are not ISO alpha-3: code -> (alpha2 or None, flag, description)
_ICAO: dict[str, tuple[str | None, str | None, str]] = {
    "D": ("DE", None, "Germany"),
    "GBD": ("GB", "british_class", "British Overseas Territories Citizen"),
    "GBN": ("GB", "british_class", "British National (Overseas)"),
    "GBO": ("GB", "british_class", "British Overseas Citizen"),
    "GBP": ("GB", "british_class", "British Protected Person"),
    "GBS": ("GB", "british_class", "British Subject"),
    "XXA": (None, "stateless", "stateless person (1954 Convention)"),
    "XXB": (None, "refugee", "refugee (1951 Convention)"),
    "XXC": (None, "refugee", "refugee (other than the 1951 Convention)"),
    "XXX": (None, "unspecified", "unspecified nationality"),
    "UTO": (None, "specimen", "Utopia, the ICAO specimen state used on sample documents"),
    "UNK": (None, "unspecified", "'unknown', or ICAO's UNMIK (Kosovo) travel document"),
    "UNO": (None, "organisation", "United Nations Organization"),
    "UNA": (None, "organisation", "a specialized agency of the United Nations"),
    "EUE": (None, "organisation", "European Union"),
    "XBA": (None, "organisation", "African Development Bank"),
    "XIM": (None, "organisation", "African Export-Import Bank"),
    "XCC": (None, "organisation", "Caribbean Community"),
    "XCE": (None, "organisation", "Council of Europe"),
    "XCO": (None, "organisation", "Common Market for Eastern and Southern Africa"),
    "XEC": (None, "organisation", "Economic Community of West African States"),
    "XPO": (None, "organisation", "Interpol"),
    "XOM": (None, "organisation", "Sovereign Military Order of Malta"),
    "XES": (None, "organisation", "Organisation of Eastern Caribbean States"),
    "XMP": (None, "organisation", "Parliamentary Assembly of the Mediterranean"),
    "XDC": (None, "organisation", "Southern African Development Community"),
}

# ISO 3166-3 codes with one clear successor
_HISTORIC_SUCCESSORS = {"BUR": "MM", "BU": "MM", "ZAR": "CD", "ZR": "CD", "TMP": "TL", "TP": "TL"}
_HISTORIC_SUCCESSORS |= {"DHY": "BJ", "DY": "BJ", "HVO": "BF", "HV": "BF", "RHO": "ZW", "RH": "ZW"}


def _build_historic() -> dict[str, str]:
    out: dict[str, str] = {}
    for h in pycountry.historic_countries:
        for attr in ("alpha_3", "alpha_2"):
            code = getattr(h, attr, None)
            if code and code not in _COUNTRIES and code not in _ALPHA3:
                out[code] = h.name
    return out


_HISTORIC: dict[str, str] = _build_historic()

_STATELESS_WORDS = (
    "stateless", "stateless person", "apatride", "staatenlos", "staatenlose", "staatenloser",
    "apolide", "apatrida", "apátrida", "عديم الجنسية", "بدون جنسية", "bidoon", "bidun", "bedoon",
    "بدون",
)  # fmt: skip
_STATELESS_KEYS = frozenset(_match_key(w) for w in _STATELESS_WORDS)
_BIDOON_KEYS = frozenset(_match_key(w) for w in ("bidoon", "bidun", "bedoon", "بدون"))

_FILLER_WORDS = (
    "national", "nationals", "citizen", "citizens", "nationality", "citizenship", "of", "from",
    "nationalite", "citoyen", "citoyenne", "ressortissant", "ressortissante", "de", "du", "des",
    "staatsangehorigkeit", "staatsangehoriger", "staatsangehorige", "staatsburger", "aus", "von",
    "cittadino", "cittadina", "cittadinanza", "nazionalita", "di", "del", "della",
    "ciudadano", "ciudadana", "nacionalidad", "جنسيه", "الجنسيه", "مواطن", "من",
)  # fmt: skip
_FILLERS = frozenset(_match_key(w) for w in _FILLER_WORDS)
_PARTS_SPLIT = re.compile(r"\s*(?:[/;|,()\[\]+&]|\s-\s|\s(?:and|et|und|e|y|or|ou|oder|o)\s)\s*")


def _read_rows() -> Iterator[tuple[str, str, str, str]]:
    text = files("mare.schema.types").joinpath("data/country_names.csv").read_text("utf-8")
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    for row in reader:
        if len(row) == 4:
            yield row[0], row[1], row[2], row[3]


# When a text names several countries, the one far more often meant in migration data wins.
_PREFERRED = frozenset({"CD", "DO"})


def _exact_form(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _build_index() -> tuple[dict[str, _Entry], dict[str, tuple[str, ...]]]:
    exact: dict[str, list[str]] = {}
    first: dict[str, str] = {}
    candidates: dict[str, list[str]] = {}
    kinds: dict[tuple[str, str], str] = {}
    langs: dict[tuple[str, str], list[str]] = {}
    for alpha2, language, kind, text in _read_rows():
        if alpha2 not in _COUNTRIES:
            continue
        key = _match_key(text)
        if not key:
            continue
        exact_langs = exact.setdefault(_exact_form(text), [])
        if language not in exact_langs:
            exact_langs.append(language)
        first.setdefault(key, alpha2)
        cands = candidates.setdefault(key, [])
        if alpha2 not in cands:
            cands.append(alpha2)
        pair = (key, alpha2)
        if kinds.get(pair) != "name":
            kinds[pair] = kind
        pair_langs = langs.setdefault(pair, [])
        if language not in pair_langs:
            pair_langs.append(language)
    index: dict[str, _Entry] = {}
    for key, alpha2 in first.items():
        cands = candidates[key]
        chosen = next((c for c in cands if c in _PREFERRED), alpha2) if len(cands) > 1 else alpha2
        pair = (key, chosen)
        index[key] = _Entry(chosen, kinds[pair], tuple(langs[pair]), tuple(cands))
    return index, {text: tuple(langs) for text, langs in exact.items()}


@cache
def _indexes() -> tuple[dict[str, _Entry], dict[str, tuple[str, ...]]]:
    """Match key -> entry, and spelling as written (casefolded) -> its languages.

    The second tells "nigérien" (French) from "Nigerien" (English), which share a key. Built
    on first use so that importing this module stays cheap.
    """
    return _build_index()


# ---------------------------------------------------------------------------------------------
# Lookup

_Result = tuple[str | None, str | None, tuple[str, ...], tuple[tuple[str, Any], ...]]


def _extra(alpha2: str | None, matched: str | None, language: str | None = None,
           **more: Any) -> tuple[tuple[str, Any], ...]:  # fmt: skip
    country = _COUNTRIES.get(alpha2) if alpha2 else None
    items: list[tuple[str, Any]] = [
        ("alpha3", country.alpha3 if country else None),
        ("name", country.name if country else None),
        ("matched", matched),
        ("language", language),
    ]
    items.extend((k, v) for k, v in more.items())
    return tuple(items)


def _ok(alpha2: str, matched: str, flags: tuple[str, ...] = (), language: str | None = None,
        **more: Any) -> _Result:  # fmt: skip
    return alpha2, None, flags, _extra(alpha2, matched, language, **more)


def _none(reason: str, flags: tuple[str, ...] = (), matched: str | None = None,
          **more: Any) -> _Result:  # fmt: skip
    return None, reason, flags, _extra(None, matched, None, **more)


def _lookup_code(text: str) -> _Result | None:
    upper = text.upper()
    lower_flag: tuple[str, ...] = () if text.isupper() else ("lowercase_code",)
    if upper in _ICAO:
        alpha2, flag, label = _ICAO[upper]
        flags = lower_flag + ((flag,) if flag else ())
        if alpha2 is not None:
            return _ok(alpha2, "icao", flags, icao=upper)
        more: dict[str, Any] = {"icao": upper}
        if upper == "UNK":
            more["candidates"] = ("XK",)
        return _none(f"ICAO code {upper} is not a country: {label}", flags, "icao", **more)
    if len(upper) == 2:
        if upper in _COUNTRIES:
            return _ok(upper, "alpha2", lower_flag)
        if upper in _ALPHA2_ALIASES:
            return _ok(_ALPHA2_ALIASES[upper], "alpha2", (*lower_flag, "non_iso_code"))
    if len(upper) == 3 and upper in _ALPHA3:
        return _ok(_ALPHA3[upper], "alpha3", lower_flag)
    if upper in _HISTORIC_SUCCESSORS:
        return _ok(_HISTORIC_SUCCESSORS[upper], "alpha3" if len(upper) == 3 else "alpha2",
                   (*lower_flag, "historic"), historic=upper)  # fmt: skip
    if upper in _HISTORIC:
        return _none(
            f"{upper} is a historic ISO 3166-3 code ({_HISTORIC[upper]}) with no single "
            "successor; use a current ISO 3166 code",
            (*lower_flag, "historic"),
            historic=upper,
        )
    return None


_SUBDIVISION = re.compile(r"([A-Za-z]{2})-[A-Za-z0-9]{1,3}")


def _lookup_key(key: str, language: str | None, text: str) -> _Result | None:
    if key in _STATELESS_KEYS:
        more: dict[str, Any] = {"icao": "XXA"}
        if key in _BIDOON_KEYS:
            more["related_alpha2"] = "KW"
        return _none("stateless: no country of nationality", ("stateless",), **more)
    index, exact = _indexes()
    entry = index.get(key)
    if entry is None:
        return None
    spelled = [lang for lang in exact.get(_exact_form(text), ()) if lang in entry.languages]
    if language in entry.languages and (not spelled or language in spelled):
        lang = language
    else:
        lang = spelled[0] if spelled else entry.languages[0]
    if len(entry.candidates) > 1:
        return _ok(entry.alpha2, entry.kind, ("ambiguous",), lang, candidates=entry.candidates)
    return _ok(entry.alpha2, entry.kind, (), lang)


def _lookup_text(text: str, language: str | None) -> _Result | None:
    """Codes, then names and demonyms, then the same without filler words."""
    if len(text) <= 3 and text.isascii() and text.isalpha():
        found = _lookup_code(text)
        if found is not None:
            return found
    if text.isdigit() and len(text) <= 3:
        alpha2 = _NUMERIC.get(text.zfill(3))
        if alpha2 is not None:
            return _ok(alpha2, "numeric")
        return _none(f"unknown ISO 3166 numeric code {text!r}")
    if _SUBDIVISION.fullmatch(text):
        found = _lookup_code(text[:2])
        if found is not None and found[0] is not None:
            return found[0], None, (*found[2], "subdivision"), found[3]
    key = _match_key(text)
    if not key:
        return None
    found = _lookup_key(key, language, text)
    if found is not None:
        return found
    words = [w for w in _WORD_SPLIT.split(text) if w]
    kept = [w for w in words if _match_key(w) not in _FILLERS]
    if kept and len(kept) < len(words):
        return _lookup_key(_match_key(" ".join(kept)), language, " ".join(kept))
    return None


TERRITORY_NAMES_FILE = "territory_names.tsv.gz"


def _rigour_version() -> str:
    from importlib.metadata import version

    return version("rigour")


def rigour_territory_names() -> dict[str, str]:
    """rigour's own table of normalised territory names -> territory code (slow: ~2 s of ICU)."""
    from rigour.territories.lookup import _get_territory_names

    return {name: territory.code for name, territory in _get_territory_names().items()}


def write_territory_names(path: Path) -> int:
    """Write rigour's name table for its installed version (``data/territory_names.tsv.gz``).

    Regenerate after upgrading rigour: ``uv run python -c "from pathlib import Path; from
    mare.schema.types.countries import write_territory_names as w;
    w(Path('src/mare/schema/types/data/territory_names.tsv.gz'))"``.
    """
    names = rigour_territory_names()
    lines = [f"# rigour {_rigour_version()}"]
    for name, code in names.items():
        if "\t" in name or "\n" in name or "\t" in code or "\n" in code:
            raise ValueError(f"cannot store the territory name {name!r} in a TSV")
        lines.append(f"{name}\t{code}")
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), 9, mtime=0))
    return len(names)


@cache
def _territory_names() -> dict[str, str] | None:
    """rigour's territory name table, precomputed for the installed rigour (None: another version).

    Building it costs rigour ~2 s of ICU transliteration per process; read from the file it
    takes ~15 ms. The file is used only when written from the very rigour version installed
    (tests/schema/types/test_countries.py checks it equals rigour's table).
    """
    try:
        data = files("mare.schema.types").joinpath("data", TERRITORY_NAMES_FILE).read_bytes()
        head, _, body = gzip.decompress(data).decode("utf-8").partition("\n")
        if head != f"# rigour {_rigour_version()}":
            return None
        return dict(line.rsplit("\t", 1) for line in body.split("\n") if line)
    except (OSError, ValueError, ImportError):
        return None


def _lookup_territory(text: str) -> Any:
    """rigour's `lookup_territory(text)`, with its name table read from our precomputed file."""
    table = _territory_names()
    if table is None:
        from rigour.territories import lookup_territory

        return lookup_territory(text)
    from rigour.territories import get_territory, lookup_by_identifier
    from rigour.territories.util import normalize_territory_name

    territory = lookup_by_identifier(text)
    if territory is not None:
        return territory
    code = table.get(normalize_territory_name(text))
    return get_territory(code) if code is not None else None


def _fallback(text: str) -> _Result | None:
    try:
        territory = _lookup_territory(text)
    except Exception:  # rigour is a best-effort extra; never let it break normalisation
        return None
    flags: tuple[str, ...] = ("fallback",)
    while territory is not None and len(territory.code) != 2:
        territory = territory.parent
        flags = ("fallback", "subdivision")
    if territory is None or territory.code.upper() not in _COUNTRIES:
        return None
    return _ok(territory.code.upper(), "name", flags)


@lru_cache(maxsize=65536)
def _resolve(text: str, language: str | None) -> _Result:
    found = _lookup_text(text, language)
    if found is not None:
        return found
    parts = [p for p in _PARTS_SPLIT.split(text) if p and p.strip()]
    if len(parts) > 1:
        results = [_lookup_text(p.strip(), language) for p in parts]
        codes = list(dict.fromkeys(r[0] for r in results if r is not None and r[0] is not None))
        if len(codes) == 1:
            best = next(r for r in results if r is not None and r[0] is not None)
            return best[0], None, (*best[2], "multi_part"), best[3]
        if len(codes) > 1:
            return _none(
                f"{text!r} names several countries ({', '.join(codes)}); give one ISO 3166 code",
                ("multiple",),
                candidates=tuple(codes),
            )
    found = _fallback(text)
    if found is not None:
        return found
    return _none(f"unknown country {text!r}: use an ISO 3166 code (e.g. SY or SYR)")


def normalise_country(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise a country code, name or demonym to ISO 3166-1 alpha-2."""
    if not isinstance(text, str):
        return failed(str(text), "not a string")
    stripped = " ".join(_SURROGATES.sub("", text).split())
    if not stripped:
        value, reason, flags, extra = _none("empty")
    elif len(stripped) > _MAX_LEN:
        value, reason, flags, extra = _none(f"too long for a country ({len(stripped)} characters)")
    else:
        try:
            value, reason, flags, extra = _resolve(stripped, ctx.language)
        except Exception as exc:  # a normaliser never raises
            value, reason, flags, extra = _none(f"could not normalise country: {type(exc).__name__}")
    return Normalised(original=text, value=value, reason=reason, flags=flags, extra=dict(extra))


def country_name(alpha2: str) -> str | None:
    """The ISO English short name of an alpha-2 code (XK included), or None."""
    country = _COUNTRIES.get(alpha2.upper())
    return country.name if country else None


def _index_view() -> Mapping[str, _Entry]:
    """The name/demonym index (for tests and diagnostics)."""
    return _indexes()[0]
