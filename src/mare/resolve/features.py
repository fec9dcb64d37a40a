"""Person features for cross-checking: one flat row per person, built from normalised values.

The same builder serves the hub (values read from `record_values`) and `mare link` (values
normalised from a CSV), so both compare persons identically. A row holds:

* names: the Latin form for display, the order-free key of every name, the phonetic key of every
  name, the keys of the aliases apart (a kunya such as Abu Omar is shared by many: it is not a
  name), and the primary name's parts (token, phonetic key, Wikidata
  name symbols from rigour) for the cross-script similarity;
* birth date as written precision allows (year, month, day, precision) and the day/month
  alternative of an ambiguous date; placeholder dates (01-01) count as year only;
* nationality, gender, birth place (ASCII, casefolded);
* phones, document numbers and every identifier (``kind:value``) of the person and of the
  phones, accounts, documents, bank accounts and vehicles linked to them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mare.resolve.symbols import CROSS_SCRIPT_CLASSES, CROSS_SCRIPTS, SymbolSource, cross_script_symbols

NAME_FIELDS = ("name", "given_name", "family_name", "alias")
FEATURE_FIELDS = (
    *NAME_FIELDS,
    "birth_date",
    "nationality",
    "gender",
    "birth_place",
    "role",
    "residence_country",
)
COLUMNS = (
    "record_uid", "contribution", "agency", "name_latin", "name_key", "name_keys", "phon_keys",
    "name_parts", "birth_date", "birth_year", "birth_month", "birth_day", "birth_precision",
    "birth_alt", "nationality", "gender", "birth_place", "phones", "documents", "identifiers",
    "role", "residence", "associates", "name_sound", "name_years", "name_frequency", "alias_keys",
)  # fmt: skip


@dataclass(slots=True)
class Value:
    """One normalised value as the feature builder needs it."""

    field: str
    normalised: str
    flags: Sequence[str] = ()
    extra: dict[str, Any] | None = None


@dataclass(slots=True)
class PersonInput:
    """A person's normalised values and the identifiers linked to them."""

    record_uid: str
    contribution: str = ""
    agency: str = ""
    values: list[Value] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (kind, value)
    associates: list[str] = field(default_factory=list)  # record uids of persons linked to this one


@dataclass(slots=True)
class _Name:
    latin: str
    tokens: list[str]
    phonetic: list[str]
    cross: list[bool] = field(default_factory=list)  # per token: written in Arabic script


def fold_text(text: str) -> str:
    """ASCII, casefolded, single-spaced form of free text (for birth places)."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    cleaned = "".join(c if c.isalnum() else " " for c in ascii_text)
    return " ".join(cleaned.split())


def _name(value: Value) -> _Name | None:
    extra = value.extra or {}
    tokens = [str(t) for t in extra.get("tokens") or []]
    if not tokens:
        return None
    phonetic = [str(p) for p in extra.get("phonetic") or []]
    if len(phonetic) != len(tokens):
        phonetic = [""] * len(tokens)
    cross = [extra.get("script") in CROSS_SCRIPTS] * len(tokens)
    return _Name(str(extra.get("latin") or value.normalised), tokens, phonetic, cross)


def _combine(given: _Name | None, family: _Name | None) -> _Name | None:
    parts = [n for n in (given, family) if n is not None]
    if not parts:
        return None
    pairs = sorted(
        zip(
            [t for n in parts for t in n.tokens],
            [p for n in parts for p in n.phonetic],
            [c for n in parts for c in n.cross],
            strict=True,
        )
    )
    return _Name(
        " ".join(n.latin for n in parts), [t for t, _, _ in pairs], [p for _, p, _ in pairs],
        [c for _, _, c in pairs],
    )  # fmt: skip


def _names(values: list[Value]) -> tuple[_Name | None, list[_Name], list[_Name]]:
    """The primary name, the person's names (primary first) and their aliases.

    A record with nothing but an alias has the alias as its primary and only name."""
    by_field: dict[str, list[_Name]] = {}
    for v in values:
        if v.field in NAME_FIELDS:
            parsed = _name(v)
            if parsed:
                by_field.setdefault(v.field, []).append(parsed)
    given, family = by_field.get("given_name", []), by_field.get("family_name", [])
    combined = _combine(given[0] if given else None, family[0] if family else None)
    full = by_field.get("name", [])
    aliases = by_field.get("alias", [])
    names = full + ([combined] if combined else []) or aliases[:1]
    return (names[0] if names else None), names, aliases


def _birth(values: list[Value]) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(
        ("birth_date", "birth_year", "birth_month", "birth_day", "birth_precision", "birth_alt")
    )
    for v in values:
        if v.field != "birth_date":
            continue
        extra = v.extra or {}
        year = extra.get("year")
        if not isinstance(year, int):
            continue
        month, day = extra.get("month"), extra.get("day")
        if "placeholder" in v.flags:  # 01-01 and the like: only the year is information
            month = day = None
        precision = "day" if day else ("month" if month else "year")
        date = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
        alt = extra.get("alternative")
        if not alt and day and month and day <= 12 and day != month:
            alt = f"{year:04d}-{day:02d}-{month:02d}"
        out.update(
            birth_date=date,
            birth_year=year,
            birth_month=month,
            birth_day=day,
            birth_precision=precision,
            birth_alt=alt if precision == "day" else None,
        )
        break
    return out


def _order_free_keys(names: list[_Name]) -> list[str]:
    return sorted({" ".join(sorted(n.tokens)) for n in names})


def _sound_keys(names: list[_Name]) -> list[str]:
    return sorted({" ".join(sorted(p for p in n.phonetic if p)) for n in names} - {""})


def _first(values: list[Value], name: str) -> str | None:
    return next((v.normalised for v in values if v.field == name), None)


def _name_fields(
    values: list[Value], symbols: SymbolSource, memo: dict[tuple[Any, ...], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The columns that depend on the person's names alone (`memo`: as `name_parts`')."""
    primary, names, aliases = _names(values)
    return {
        "name_latin": primary.latin if primary else None,
        "name_key": " ".join(primary.tokens) if primary else None,
        "name_keys": _order_free_keys(names),
        "phon_keys": _sound_keys(names),
        "name_parts": name_parts(primary, symbols, memo=memo) if primary else None,
        "name_sound": (
            " ".join(sorted(p or t for t, p in zip(primary.tokens, primary.phonetic, strict=True)))
            if primary
            else None
        ),
        "alias_keys": sorted(set(_order_free_keys(aliases)) | set(_sound_keys(aliases))),
    }


def _names_memo_key(values: list[Value]) -> tuple[Any, ...]:
    """Everything of the name values that `_name_fields` reads."""
    out = []
    for v in values:
        if v.field in NAME_FIELDS:
            extra = v.extra or {}
            out.append(
                (
                    v.field,
                    v.normalised,
                    extra.get("latin"),
                    extra.get("script"),
                    tuple(extra.get("tokens") or ()),
                    tuple(extra.get("phonetic") or ()),
                )
            )
    return tuple(out)


def build_row(
    person: PersonInput, symbols: SymbolSource, memo: dict[tuple[Any, ...], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The feature row of one person (a dict with every column of `COLUMNS`).

    `memo`: name columns already built for the same name values (persons with the same written
    name share them: the rows go straight to Arrow, nobody changes them), and name parts per
    token (`name_parts`)."""
    values = person.values
    row: dict[str, Any] = {
        "record_uid": person.record_uid,
        "contribution": person.contribution,
        "agency": person.agency,
    }
    if memo is None:
        names = _name_fields(values, symbols)
    else:
        key = _names_memo_key(values)
        names = memo.get(key) or memo.setdefault(key, _name_fields(values, symbols, memo))
    row.update(names)
    row.update(_birth(values))
    row["nationality"] = sorted({v.normalised for v in values if v.field == "nationality"})
    row["gender"] = _first(values, "gender")
    place = _first(values, "birth_place")
    row["birth_place"] = fold_text(place) or None if place else None
    idents = sorted(set(person.identifiers))
    row["phones"] = sorted({v for k, v in idents if k == "phone"})
    row["documents"] = sorted({v for k, v in idents if k == "document"})
    row["identifiers"] = [f"{k}:{v}" for k, v in idents]
    row["role"] = _first(values, "role")
    row["residence"] = sorted({v.normalised for v in values if v.field == "residence_country"})
    row["associates"] = []  # filled by `add_associates` once every row is built
    row["name_years"] = row["name_frequency"] = None  # over the whole table: `namesakes.fill_name_stats`
    return {column: row[column] for column in COLUMNS}


def name_parts(
    name: _Name,
    symbols: SymbolSource,
    classes: tuple[str, str] = CROSS_SCRIPT_CLASSES,
    memo: dict[tuple[Any, ...], dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """A name's parts for the similarity: token, phonetic key, symbols (Wikidata equivalents and,
    for a token written in Arabic script, its cross-script key).

    `memo`: parts already built for the same token (shared by the names that contain it: the
    rows go straight to Arrow, nobody changes them)."""
    cross = name.cross if len(name.cross) == len(name.tokens) else [False] * len(name.tokens)
    out = []
    for t, p, c in zip(name.tokens, name.phonetic, cross, strict=True):
        key = ("part", t, p, c, classes)
        part = memo.get(key) if memo is not None else None
        if part is None:
            part = {
                "t": t,
                "p": p,
                "s": list(symbols.get(t)) + (cross_script_symbols(p, classes) if c else []),
            }
            if memo is not None:
                memo[key] = part
        out.append(part)
    return out


def value_parts(
    value: Value, symbols: SymbolSource, classes: tuple[str, str] = CROSS_SCRIPT_CLASSES
) -> list[dict[str, Any]]:
    """The parts of one normalised name value (empty when it has no tokens)."""
    name = _name(value)
    return name_parts(name, symbols, classes) if name else []


def build_rows(people: Iterable[PersonInput], symbols: SymbolSource) -> list[dict[str, Any]]:
    """Feature rows for many persons (symbols looked up in one batch)."""
    people = list(people)
    tokens = {
        t
        for p in people
        for v in p.values
        if v.field in NAME_FIELDS
        for t in ((v.extra or {}).get("tokens") or [])
    }
    symbols.prefetch(tokens)
    rows = [build_row(p, symbols) for p in people]
    add_associates(rows, people)
    return rows


def add_associates(rows: list[dict[str, Any]], people: Sequence[PersonInput]) -> None:
    """Each row's `associates`: the phonetic name keys of the persons linked to it (associates,
    family) — two records whose companions share a name are more likely the same person."""
    phon = {r["record_uid"]: r["phon_keys"] for r in rows}
    for row, person in zip(rows, people, strict=True):
        row["associates"] = sorted({k for uid in person.associates for k in phon.get(uid, ())})


def part_sounds(parts: Sequence[dict[str, Any]] | None) -> list[str]:
    """The distinct sounds of a name's parts (each part's phonetic key, else its token), sorted."""
    return sorted({p["p"] or p["t"] for p in parts or []})


def blocking_keys(row: dict[str, Any]) -> set[str]:
    """Keys that put this person in the same candidate block as likely matches."""
    keys = {f"n:{k}" for k in row["name_keys"] if k}
    keys |= {f"p:{k}" for k in row["phon_keys"] if k}
    keys |= {f"n:{k}" for k in row["alias_keys"] if k}  # meets a record that gives only the alias as name
    keys |= {f"i:{i}" for i in row["identifiers"]}
    parts = row["name_parts"] or []
    phon = [s for s in part_sounds(parts) if len(s) >= 2]
    year = row["birth_year"]
    if year:
        keys |= {f"y:{year}:{p}" for p in phon}
    keys |= {f"pp:{a}:{b}" for i, a in enumerate(phon) for b in phon[i + 1 :]}
    if row["birth_precision"] == "day":
        keys.add(f"d:{row['birth_date']}")
        if row["birth_alt"]:
            keys.add(f"d:{row['birth_alt']}")
    return keys
