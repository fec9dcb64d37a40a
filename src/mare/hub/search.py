"""Search what the hub holds: names across scripts and spellings, identifiers in any format, places.

`search(ctx, query)` reads the query as every kind it can be (a phone, an e-mail, an IBAN, an IMO or
MMSI number, a document number, a plate, a handle, a person's name, a place), normalises it with the
normalisers ingest uses, and looks it up in the cross-check's derived tables: `identifier_index` for
identifiers, `person_keys` and `person_features` for persons' names (the cross-check's name keys,
phonetic keys and part sounds, and its name comparison's level conditions), `record_values` for
other records' names, place texts and identifiers that failed their checks, and `place_geocodes`
for the gazetteer's place names.

The read policy runs in the database: every candidate is joined to `records` and given
`ctx.visibility_sql`; rows the viewer may not know of ('none') never leave it; rows withheld
('hit') come back as hit/no-hit only (uid, kind, owner, the reason and whom to ask), never with a
label, a score or a matched value. Each record returned is decided again by `ctx.decide` (its
reason, caveats and audit entry), the whole read is counted with `ctx.note_bulk`, and the search
itself is one `consultation` entry holding the query (the audit trail is the oversight record of
who searched for what, LED art. 25).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb

from mare.access.policy import DataMeta, Decision
from mare.hub.context import HubContext, superseded_sql
from mare.ingest.normalise_records import agency_region
from mare.resolve.features import NAME_FIELDS, fold_text
from mare.resolve.settings import default_settings
from mare.resolve.sqlscore import create_macros
from mare.schema.types.identifiers import (
    normalise_document_number,
    normalise_email,
    normalise_handle,
    normalise_iban,
    normalise_imo,
    normalise_mmsi,
    normalise_plate,
)
from mare.schema.types.names import normalise_person_name
from mare.schema.types.phones import normalise_phone
from mare.schema.types.result import NormaliseContext
from mare.schema.types.simple import ascii_digits
from mare.store.db import Store

QueryKind = Literal["name", "place", "phone", "email", "handle", "iban", "imo", "mmsi", "document", "plate"]
QUERY_KINDS: tuple[QueryKind, ...] = (
    "name", "place", "phone", "email", "handle", "iban", "imo", "mmsi", "document", "plate",
)  # fmt: skip
MIN_QUERY, MAX_QUERY, MAX_LIMIT = 2, 200, 500
#: Characters of markup or code: never part of a name, number or place, so refused with a message.
_CODE = re.compile(r"[<>;`{}\\]|--|/\*|\*/")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PHONEISH = re.compile(r"(?:tel|phone|mob)?\s*[:.]?\s*\+?[\d\s().\-/]{6,30}", re.I)
_COMPACT_SEP = re.compile(r"[\s\-./]+")
#: identifier_index kinds a document-number query looks in (document numbers and the like).
_DOCUMENT_KINDS = ("document", "imei", "imsi", "vin", "call_sign", "registration_number", "account_number")
#: (value_type, field) of names on records that are not persons (holders, display names, organisations).
_OTHER_NAMES = (
    "rv.value_type IN ('name', 'org_name') AND rv.field IN ('name', 'display_name', 'holder_name', "
    "'institution') AND (rv.value_type = 'org_name' OR rv.field <> 'name')"
)
#: Fields holding place texts (and vessel names: free text named like places).
_PLACE_FIELDS = "('name', 'city', 'address', 'place', 'from_place', 'to_place', 'birth_place')"
_FOLD_SQL = "trim(regexp_replace(strip_accents(lower({})), '[^\\p{{L}}\\p{{N}}]+', ' ', 'g'))"
#: Query kinds whose stored values may have failed their checks (a bad IBAN checksum), by value type.
_UNCHECKED: dict[str, str] = {
    "phone": "phone", "iban": "iban", "imo": "imo", "mmsi": "mmsi", "document": "document_number",
    "plate": "plate",
}  # fmt: skip
_KIND_WORDS = {
    "phone": "phone", "email": "e-mail", "handle": "handle", "iban": "IBAN", "imo": "IMO number",
    "mmsi": "MMSI", "document": "document number", "plate": "plate", "name": "name", "place": "place",
    "document_number": "document number",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Probe:
    """One reading of the query: its kind, the normalised values to look up, and how."""

    kind: QueryKind
    values: tuple[str, ...]
    how: str = "identical"  # identical, national (a phone without country code), unchecked, name, place
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SearchHit:
    """One record found, as the viewer may see it."""

    rank: int
    uid: str
    kind: str
    owner: str
    decision: Decision
    score: float | None = None
    label: str | None = None
    why: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form: content (label, score, why) only when the decision is full."""
        data: dict[str, Any] = {
            "rank": self.rank,
            "uid": self.uid,
            "kind": self.kind,
            "owner": self.owner,
            "visibility": self.decision.visibility,
            "rule": self.decision.rule,
            "reason": self.decision.reason,
            "caveats": list(self.decision.caveats),
        }
        if self.decision.full:
            data.update(score=self.score, label=self.label)
        data["why"] = self.why
        return data


@dataclass(slots=True)
class SearchResult:
    """Ranked records, the kinds the query was read as, and how many matches were withheld by which rule."""

    mode: Literal["exact", "fuzzy"]
    read_as: list[str]
    hits: list[SearchHit]
    matched: int = 0
    shown_full: int = 0
    withheld: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (the query itself is not repeated: the caller has it)."""
        return {
            "mode": self.mode,
            "read_as": self.read_as,
            "matched": self.matched,
            "shown_full": self.shown_full,
            "withheld": self.withheld,
            "results": [h.as_dict() for h in self.hits],
        }


# --- reading the query ---------------------------------------------------------------------------


def check_query(query: str) -> str:
    """The query trimmed, or ValueError saying what is wrong with it."""
    text = unicodedata.normalize("NFC", query or "").strip()
    if not text:
        raise ValueError(
            "empty query: give a name, phone, e-mail, IBAN, IMO/MMSI, document number, plate, "
            "@handle or place"
        )
    if len(text) > MAX_QUERY:
        raise ValueError(f"query too long ({len(text)} characters; at most {MAX_QUERY})")
    if len(text) < MIN_QUERY:
        raise ValueError(f"query too short (at least {MIN_QUERY} characters)")
    if _CONTROL.search(text) or _CODE.search(text):
        raise ValueError(
            "the query holds markup or code characters (< > ; ` { } \\ -- /*): "
            "search for a name, number or place as written"
        )
    return " ".join(text.split())


def check_kinds(kinds: Sequence[str] | None) -> tuple[QueryKind, ...]:
    """The query kinds asked for (all when None), or ValueError naming the unknown ones."""
    if not kinds:
        return QUERY_KINDS
    unknown = [k for k in kinds if k not in QUERY_KINDS]
    if unknown:
        raise ValueError(f"unknown kind {', '.join(map(repr, unknown))}; use one of {', '.join(QUERY_KINDS)}")
    return tuple(k for k in QUERY_KINDS if k in kinds)


def _region(ctx: HubContext) -> str | None:
    """Where the viewer's national numbers are dialled: their agency's country, as ingest reads it."""
    row = ctx.store.con.execute("SELECT country FROM agencies WHERE id = ?", [ctx.viewer.agency]).fetchone()
    return str(row[0]).upper() if row and row[0] else agency_region(ctx.viewer.agency)


def _name_probe(ctx: HubContext, text: str) -> Probe | None:
    result = normalise_person_name(text)
    extra = dict(result.extra or {})
    tokens = [str(t) for t in extra.get("tokens") or []]
    if result.value is None or not tokens:
        return None
    phonetic = [str(p) for p in extra.get("phonetic") or []]
    phonetic = phonetic if len(phonetic) == len(tokens) else [""] * len(tokens)
    # the Wikidata name symbols the cross-check cached (rigour itself is never loaded for a query)
    symbols = {
        t: list(s)
        for t, s in ctx.store.con.execute(
            f"SELECT token, symbols FROM name_symbols WHERE token IN ({_marks(tokens)})", tokens
        ).fetchall()
    }
    key = " ".join(sorted(tokens))
    sound = " ".join(sorted(p for p in phonetic if p))
    parts = [{"t": t, "p": p, "s": symbols.get(t, [])} for t, p in zip(tokens, phonetic, strict=True)]
    return Probe(
        "name",
        (result.value,),
        "name",
        {
            "key": key,
            "sound": sound,
            "parts": parts,
            # part sounds that find candidates (one letter, as Ali's 'l', would bring in half the hub)
            "sounds": sorted(
                s for s in {p or t for t, p in zip(tokens, phonetic, strict=True)} if len(s) >= 2
            ),
            "latin": str(extra.get("latin") or result.value),
        },
    )


def read_query(ctx: HubContext, text: str, kinds: Sequence[QueryKind], fuzzy: bool) -> list[Probe]:
    """Every reading of the query among `kinds`, normalised as ingest normalises values."""
    probes: list[Probe] = []
    compact = _COMPACT_SEP.sub("", ascii_digits(text)).upper()
    digits = re.sub(r"\D", "", ascii_digits(text))
    wanted = set(kinds)
    identifier = False
    international = "+" in text or digits.startswith("00")  # a phone number, not a document or a plate
    if "email" in wanted and "@" in text[1:]:
        email = normalise_email(text)
        if email.value:
            probes.append(Probe("email", (email.value,)))
            identifier = True
    marked = text.startswith("@") or re.match(r"^[a-z]+\s*:(?!\s*\+?\d)", text, re.I) or "/" in text
    if "handle" in wanted and not identifier and (marked or re.fullmatch(r"[\w.]*[_.][\w.]*", text)):
        handle = normalise_handle(text)
        if handle.value:
            probes.append(Probe("handle", (handle.value,)))
            identifier = bool(marked)  # a bare user_name may still be a name or a place
    if "iban" in wanted and re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", compact.removeprefix("IBAN")):
        iban = normalise_iban(text)
        if iban.value:
            probes.append(Probe("iban", (iban.value,)))
            identifier = True
    if "imo" in wanted and (compact.startswith("IMO") or (digits == compact and len(digits) == 7)):
        imo = normalise_imo(text)
        if imo.value:
            probes.append(Probe("imo", (imo.value,)))
    if "mmsi" in wanted and digits == compact and len(digits) == 9:
        mmsi = normalise_mmsi(text)
        if mmsi.value:
            probes.append(Probe("mmsi", (mmsi.value,)))
    if "phone" in wanted and _PHONEISH.fullmatch(text) and len(digits) >= 6:
        phone = normalise_phone(text, NormaliseContext(default_region=_region(ctx)))
        if phone.value:
            probes.append(Probe("phone", (phone.value,)))
        national = digits.lstrip("0")
        if not international and len(national) >= 6 and (fuzzy or not phone.value):
            probes.append(Probe("phone", (national,), "national"))
    if (
        compact.isalnum()
        and compact.isascii()
        and any(c.isdigit() for c in compact)
        and not identifier
        and not international
    ):
        if "document" in wanted and 3 <= len(compact) <= 30:
            doc = normalise_document_number(text)
            if doc.value:
                probes.append(Probe("document", (str((doc.extra or {}).get("key") or doc.value),)))
        if "plate" in wanted and 2 <= len(compact) <= 12 and any(c.isalpha() for c in compact):
            plate = normalise_plate(text)
            if plate.value:
                written = (plate.extra or {}).get("as_written")
                probes.append(
                    Probe("plate", tuple(dict.fromkeys([plate.value, *([written] if written else [])])))
                )
    # identifiers stored as written because they failed their checks
    alnum = re.sub(r"[^0-9A-Z]", "", compact)
    types = [value_type for kind, value_type in _UNCHECKED.items() if kind in wanted]
    if len(alnum) >= 5 and any(c.isdigit() for c in alnum) and types:
        probes.append(Probe("document", (alnum,), "unchecked", {"types": types}))
    letters = any(c.isalpha() for c in text) and not identifier and not text.startswith("@")
    if letters and "name" in wanted and not digits:
        name = _name_probe(ctx, text)
        if name:
            probes.append(name)
    if letters and "place" in wanted and re.search(r"(?<!\w)[^\W\d_]{3,}(?!\w)", text):
        latin = str((normalise_person_name(text).extra or {}).get("latin") or text)
        folded = tuple(dict.fromkeys(f for f in (fold_text(text), fold_text(latin)) if f))
        probes.append(Probe("place", folded, "place"))
    return probes


# --- the SQL of each reading: (record_uid, basis, level, score, value) -------------------------------


def _identifier_sql(probe: Probe, fuzzy: bool) -> tuple[str, list[Any]]:
    kinds = _DOCUMENT_KINDS if probe.kind == "document" else (probe.kind,)
    marks = ", ".join("?" for _ in kinds)
    if probe.how == "national":
        return (
            "SELECT record_uid, 'phone' AS basis, 'national' AS level, 0.9 AS score, value "
            "FROM identifier_index WHERE kind = 'phone' AND value LIKE ?",
            ["%" + probe.values[0]],
        )
    values = ", ".join("?" for _ in probe.values)
    parts = [
        f"SELECT record_uid, ? AS basis, 'identical' AS level, 1.0 AS score, value FROM identifier_index "
        f"WHERE value IN ({values}) AND kind IN ({marks})"
    ]
    params: list[Any] = [probe.kind, *probe.values, *kinds]
    if probe.kind == "plate":  # "SK-3466-AH": a Slovak 3466AH, or SK3466AH as written; both are kept
        parts.append(
            "SELECT record_uid, 'plate', 'identical', 1.0, normalised FROM record_values "
            f"WHERE value_type = 'plate' AND extra->>'$.as_written' IN ({values})"
        )
        params += probe.values
    if probe.kind == "handle" and probe.values[0].startswith("unknown:"):
        parts.append(
            "SELECT record_uid, 'handle', 'identical', 1.0, value FROM identifier_index "
            "WHERE kind = 'handle' AND value LIKE ?"
        )
        params.append("%:" + probe.values[0].removeprefix("unknown:"))
    elif probe.kind == "handle" and fuzzy and ":" in probe.values[0]:
        parts.append(
            "SELECT record_uid, 'handle', 'other platform', 0.85, value FROM identifier_index "
            "WHERE kind = 'handle' AND value LIKE ? AND value <> ?"
        )
        params += ["%:" + probe.values[0].split(":", 1)[1], probe.values[0]]
    if fuzzy and probe.kind in ("document", "plate") and len(probe.values[0]) >= 5:
        value = probe.values[0]
        half = (len(value) - 1) // 2  # one edit leaves the first or the last `half` characters as they were
        parts.append(
            f"SELECT record_uid, ?, 'one character apart', 0.8, value FROM (WITH c AS MATERIALIZED ("
            f"SELECT record_uid, value FROM identifier_index WHERE kind IN ({marks}) AND length(value) "
            f"BETWEEN ? AND ? AND (left(value, {half}) = ? OR right(value, {half}) = ?) AND value NOT IN "
            f"({values})) SELECT * FROM c WHERE damerau_levenshtein(value, ?) <= 1)"
        )
        params += [probe.kind, *kinds, len(value) - 1, len(value) + 1, value[:half], value[-half:]]
        params += [*probe.values, value]
    return " UNION ALL ".join(parts), params


def _name_levels(fuzzy: bool) -> list[tuple[str, str]]:
    """The cross-check's name comparison levels as (SQL condition, label), the similarity as `sim`."""
    comparison = next(c for c in default_settings()["comparisons"] if c["output_column_name"] == "name")
    levels = [
        (
            lv["sql_condition"].replace("mare_name_sim(name_parts_l, name_parts_r)", "sim"),
            lv["label_for_charts"],
        )
        for lv in comparison["comparison_levels"]
        if not lv.get("is_null_level") and lv["sql_condition"].strip().upper() != "ELSE"
    ]
    return levels if fuzzy else levels[:1]


#: The lowest score of each name level (a level found by a shared key can have a lower similarity).
_FLOORS = (1.0, 0.97, 0.93, 0.85, 0.65)


def _person_name_sql(probe: Probe, fuzzy: bool, sliced: bool = False) -> tuple[str, list[Any]]:
    """Persons by name: candidates by the cross-check's blocking keys (the order-free name key; fuzzy,
    also the phonetic key and any part sound shared), then the cross-check's name levels on each
    (`sliced`: the slice's features, each name already folded, `refresh_slice`)."""
    extra = probe.extra
    keys = [f"n:{extra['key']}"] + ([f"p:{extra['sound']}"] if fuzzy and extra["sound"] else [])
    levels = _name_levels(fuzzy)
    number = " ".join(f"WHEN {cond} THEN {i}" for i, (cond, _) in enumerate(levels, start=1))
    alias = "list_contains(alias_keys_l, ?)" + (" OR list_contains(alias_keys_l, ?)" if fuzzy else "")
    # candidates: the keys in `person_keys`; fuzzy, also any part sound shared (the sounds that
    # `person_name_tokens` indexes, read from `name_sound` in the same scan: faster than the index here)
    # the keys from the store's own table even on the slice: its index finds them (the slice's copy is
    # scanned whole); a key newer than the slice finds no features there, as before
    keyed = "main.person_keys" if sliced else "person_keys"
    candidates = f"f.record_uid IN (SELECT record_uid FROM {keyed} WHERE key IN ({_marks(keys)}))"
    candidate_params: list[Any] = list(keys)
    if fuzzy and extra["sounds"]:
        candidates += " OR regexp_matches(f.name_sound, ?)"
        candidate_params.append("(^| )(" + "|".join(re.escape(x) for x in extra["sounds"]) + ")( |$)")
    # the similarity once per candidate (materialised: the level conditions refer to it many times); score:
    # the name as spelt 1.0, the same words in another order 0.99, then the similarity (at least its
    # level's floor), an alias 0.9
    # the name as spelt: folded here, or once per filling of the slice (a third of this reading's cost)
    folded = "name_fold" if sliced else _FOLD_SQL.format("name_latin")
    sql = (
        f"WITH c AS MATERIALIZED (SELECT f.record_uid, f.name_latin, {'f.name_fold, ' if sliced else ''}"
        "f.name_keys AS name_keys_l, "
        "f.phon_keys AS phon_keys_l, f.alias_keys AS alias_keys_l, ?::VARCHAR[] AS name_keys_r, "
        "?::VARCHAR[] AS phon_keys_r, CASE WHEN len(f.name_parts) > 0 THEN mare_name_sim(f.name_parts, "
        "?::STRUCT(t VARCHAR, p VARCHAR, s VARCHAR[])[]) ELSE 0 END AS sim "
        f"FROM person_features f WHERE {candidates}), "
        f"n AS (SELECT *, CASE {number} END AS n, {alias} AS alias FROM c), "
        "l AS (SELECT *, (?::VARCHAR[])[n] AS level, (?::DOUBLE[])[n] AS floor FROM n) "
        "SELECT record_uid, 'name' AS basis, coalesce(level, 'alias') AS level, "
        f"CASE WHEN level IS NULL THEN 0.9 WHEN {folded} = ? THEN 1.0 "
        "WHEN floor = 1.0 THEN 0.99 ELSE least(greatest(sim, floor), 0.98) END AS score, name_latin AS value "
        "FROM l WHERE level IS NOT NULL OR alias"
    )
    sounds = [extra["sound"]] if extra["sound"] else []
    alias_params = [extra["key"], *([extra["sound"]] if fuzzy else [])]
    return sql, [
        [extra["key"]],
        sounds,
        extra["parts"],
        *candidate_params,
        *alias_params,
        [label for _, label in levels],
        list(_FLOORS[: len(levels)]),
        fold_text(extra["latin"]),
    ]


def _marks(values: Sequence[Any]) -> str:
    """`?, ?, …` for the values (a literal IN list lets DuckDB use the index)."""
    return ", ".join("?" for _ in values)


#: Other records' names with their order-free key and phonetic key (the JSON of a few kinds' name values).
_OTHER_NAME_ROWS = (
    "SELECT rv.record_uid, rv.field, rv.original, rv.extra->>'$.key' AS key, "
    "array_to_string(list_sort(CAST(rv.extra->'$.phonetic' AS VARCHAR[])), ' ') AS sound "
    f"FROM record_values rv WHERE {_OTHER_NAMES}"
)
#: Each distinct place text (and vessel name) with its folded form.
_PLACE_TEXT_ROWS = (
    f"SELECT normalised, {_FOLD_SQL.format('normalised')} AS f FROM (SELECT DISTINCT normalised "
    f"FROM record_values WHERE value_type = 'text' AND field IN {_PLACE_FIELDS} AND normalised IS NOT NULL)"
)
#: Each distinct gazetteer place name with its folded form.
_GAZETTEER_ROWS = (
    f"SELECT place_name, {_FOLD_SQL.format('place_name')} AS f FROM (SELECT DISTINCT place_name "
    "FROM place_geocodes WHERE place_name IS NOT NULL)"
)


def _rows(name: str, sql: str, sliced: bool) -> str:
    """A derived row set: the slice's table (`refresh_slice`), else its query on the store."""
    return f"{SLICE_DB}.{name}" if sliced else f"({sql})"


def _other_name_sql(probe: Probe, fuzzy: bool, sliced: bool = False) -> tuple[str, list[Any]]:
    """Names on other records (holders, display names, organisations): the same order-free key; fuzzy,
    also the same phonetic key (the name values of a few kinds, selected before their JSON is read)."""
    extra = probe.extra
    sound = extra["sound"] if fuzzy and extra["sound"] else None
    sql = (
        f"WITH n AS MATERIALIZED (SELECT * FROM {_rows('other_names', _OTHER_NAME_ROWS, sliced)}) "
        "SELECT record_uid, 'name:' || field AS basis, CASE WHEN key = ? THEN 'same name' ELSE 'sound' END "
        "AS level, CASE WHEN key = ? THEN 1.0 ELSE 0.93 END AS score, original AS value FROM n "
        "WHERE key = ? OR sound = ?"
    )
    return sql, [extra["key"], extra["key"], extra["key"], sound]


def _place_sql(probe: Probe, fuzzy: bool, sliced: bool = False) -> tuple[str, list[Any]]:
    """Place texts (and vessel names) folded as the query is: the same text; fuzzy, also a text holding the
    query's words, a spelling within Jaro-Winkler 0.9, or a text the gazetteer located at a place so named.
    Each distinct text is folded once (materialised: no filter is pushed below the DISTINCT)."""
    texts = list(probe.values)
    fields = _PLACE_FIELDS  # literal: DuckDB filters the scan with it
    level = f"CASE WHEN f IN ({_marks(texts)}) THEN 'same' "
    params: list[Any] = [*texts]
    if fuzzy:
        level += " ".join("WHEN (' ' || f || ' ') LIKE ? THEN 'contains'" for _ in texts)
        level += f" WHEN greatest({', '.join('jaro_winkler_similarity(f, ?)' for _ in texts)}) >= 0.9 "
        level += "THEN 'similar' "
        params += [f"% {t} %" for t in texts] + texts
    level += "END"
    jw = f"greatest({', '.join('jaro_winkler_similarity(f, ?)' for _ in texts)}, 0)"
    sql = (
        f"WITH e AS MATERIALIZED (SELECT * FROM {_rows('place_texts', _PLACE_TEXT_ROWS, sliced)}), "
        f"m AS MATERIALIZED (SELECT normalised, {level} AS level, {jw} AS jw FROM e) "
        "SELECT rv.record_uid, 'place:' || rv.field AS basis, m.level, CASE m.level WHEN 'same' THEN 1.0 "
        "WHEN 'contains' THEN 0.85 ELSE 0.75 + 0.2 * m.jw END AS score, rv.original AS value "
        "FROM m JOIN record_values rv ON rv.normalised = m.normalised AND rv.value_type = 'text' "
        f"AND rv.field IN {fields} WHERE m.level IS NOT NULL"
    )
    params = [*params, *texts]
    if fuzzy:  # the gazetteer's name for a place text ("Mytilene port" is at Mytilene)
        sql += (
            " UNION ALL SELECT g.record_uid, 'place:' || g.field, 'gazetteer', 0.8, g.text "
            "FROM place_geocodes g WHERE g.place_name IN (SELECT place_name FROM "
            f"{_rows('gazetteer', _GAZETTEER_ROWS, sliced)} WHERE f IN ({_marks(texts)}))"
        )
        params += texts
    return sql, params


def _unchecked_sql(probe: Probe) -> tuple[str, list[Any]]:
    """Identifiers stored as given because they failed their checks, written with the same letters and
    digits as the query (an IBAN with a bad checksum is still the IBAN someone wrote down)."""
    types = probe.extra["types"]
    sql = (
        "WITH u AS MATERIALIZED (SELECT record_uid, value_type, original FROM record_values "
        f"WHERE reason IS NOT NULL AND value_type IN ({_marks(types)}) AND normalised IS NULL) "
        "SELECT record_uid, 'unchecked:' || value_type AS basis, 'as written' AS level, 0.95 AS score, "
        "original AS value FROM u WHERE upper(regexp_replace(original, '[^[:alnum:]]', '', 'g')) = ?"
    )
    return sql, [*types, probe.values[0]]


def _probe_sql(probe: Probe, fuzzy: bool, sliced: bool = False) -> list[tuple[str, list[Any]]]:
    """The SQL of one reading (`sliced`: its derived rows from the slice's tables, `refresh_slice`)."""
    if probe.how == "unchecked":
        return [_unchecked_sql(probe)]
    if probe.kind == "name":
        return [_person_name_sql(probe, fuzzy, sliced), _other_name_sql(probe, fuzzy, sliced)]
    if probe.kind == "place":
        return [_place_sql(probe, fuzzy, sliced)]
    return [_identifier_sql(probe, fuzzy)]


# --- the search ----------------------------------------------------------------------------------


def search(
    ctx: HubContext,
    query: str,
    *,
    fuzzy: bool = True,
    kinds: Sequence[str] | None = None,
    limit: int = 20,
) -> SearchResult:
    """Records matching the query, best first, each with why it matched, as the read policy allows.

    Raises ValueError for an empty, too short or too long query, markup or code in it, an unknown
    kind, a query that cannot be read as the kinds asked for, or a limit out of range."""
    text = check_query(query)
    wanted = check_kinds(kinds)
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    probes = read_query(ctx, text, wanted, fuzzy)
    if not probes:
        asked = " or ".join(_KIND_WORDS[k] for k in wanted) if kinds else "anything searchable"
        raise ValueError(
            f"the query cannot be read as {asked}: give a name, phone (+CC…), e-mail, IBAN, "
            "IMO/MMSI, document number, plate, @handle or place"
        )
    mode: Literal["exact", "fuzzy"] = "fuzzy" if fuzzy else "exact"
    rows, counts = _run(ctx, probes, fuzzy, limit)
    kinds_read: list[str] = sorted({p.kind for p in probes if p.how != "unchecked"}, key=QUERY_KINDS.index)
    result = SearchResult(mode, kinds_read or ["identifier as written"], [])
    full_uids = [r["uid"] for r in rows if r["visibility"] == "full"]
    values = _values(ctx, full_uids)
    for row in rows:
        meta = DataMeta(
            row["agency"],
            row["handling_code"],
            json.loads(row["restrictions"]) if row["restrictions"] else None,
            bool(row["minor"]),
            row["kind"],
            bool(row["superseded"]),
        )
        decision = ctx.decide("record", row["uid"], meta)
        if decision.visibility == "none":  # the SQL and Python policies agree (tested); never show it
            continue
        hit = SearchHit(len(result.hits) + 1, row["uid"], row["kind"], row["agency"], decision)
        if decision.full and row["visibility"] == "full":
            hit.score, hit.label = round(float(row["score"]), 3), row["label"]
            hit.why = _whys(row, values.get(row["uid"], []), probes)
        else:
            hit.why = [
                f"a {row['kind']} record held by {row['agency']} matches; restricted: {decision.reason}. "
                f"Ask the owner: mare consent request {row['uid']}"
            ]
        result.hits.append(hit)
    result.matched = sum(n for (vis, _), n in counts.items() if vis != "none")
    result.shown_full = sum(1 for h in result.hits if h.decision.full)
    withheld: dict[str, int] = {}
    for (vis, rule), n in counts.items():
        if vis != "full":
            withheld[rule] = withheld.get(rule, 0) + n
    result.withheld = dict(sorted(withheld.items()))
    full_matched = sum(n for (vis, _), n in counts.items() if vis == "full")
    ctx.note_bulk("record", full_matched, result.withheld)
    _audit(ctx, text, result, probes, limit, kinds)
    return result


# --- the search's slice of the store, kept in memory by the web server ---------------------------------

#: The in-memory database (attached to the store's) holding the slice.
SLICE_DB = "mare_search"
#: The rows of `record_values` the readings scan (other records' names, place texts, plates, values that
#: failed their checks); the other tables whole. Every reading's condition selects within these.
_SLICE_VALUES = (
    f"({_OTHER_NAMES.replace('rv.', '')}) OR (value_type = 'text' AND field IN {_PLACE_FIELDS}) "
    "OR value_type = 'plate' OR (reason IS NOT NULL AND normalised IS NULL)"
)
_SLICE_TABLES = {
    "record_values": f"SELECT * FROM main.record_values WHERE {_SLICE_VALUES}",
    # each name as spelt, folded once per filling (the name reading compares it with the query's)
    "person_features": f"SELECT *, {_FOLD_SQL.format('name_latin')} AS name_fold FROM main.person_features",
    "person_keys": "SELECT * FROM main.person_keys",
    "place_geocodes": "SELECT * FROM main.place_geocodes",
    # derived once per filling, not per search: names' keys read from JSON, place texts folded
    "other_names": _OTHER_NAME_ROWS.replace("FROM record_values", "FROM main.record_values"),
    "place_texts": _PLACE_TEXT_ROWS.replace("FROM record_values", "FROM main.record_values"),
    "gazetteer": _GAZETTEER_ROWS.replace("FROM place_geocodes", "FROM main.place_geocodes"),
}
_SLICED_TABLE = re.compile(r"\b(FROM|JOIN) (record_values|person_features|person_keys|place_geocodes)\b")
#: Stores (resolved home) whose slice is attached and filled (`refresh_slice`).
_SLICED: set[str] = set()


def refresh_slice(store: Store) -> None:
    """Fill (again) the search's slice of the store: the rows its name and place readings scan, in an
    in-memory database beside the store (a 470,000-value table scanned three times per search on the
    medium scenario; the slice is a tenth of it, and in memory). For a process that holds the store
    open for writing and calls this after its writes (the web server): the slice is then behind the
    store by the writes since, which only delays finding what they added. What a search shows is
    decided on the store's own records as they are (policy, erasure): the slice only proposes
    candidates, so no change that withholds is undone by it. DuckDB only (elsewhere: nothing)."""
    if store.backend != "duckdb":
        return
    con = store.con
    con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {SLICE_DB}")
    con.execute("BEGIN TRANSACTION")
    try:
        for name, sql in _SLICE_TABLES.items():
            con.execute(f"CREATE OR REPLACE TABLE {SLICE_DB}.{name} AS {sql}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    _SLICED.add(str(store.home.resolve()))


def drop_slice(store: Store) -> None:
    """Forget the store's slice (searches read the store's tables again)."""
    home = str(store.home.resolve())
    if home in _SLICED:
        _SLICED.discard(home)
        with suppress(duckdb.Error):
            store.con.execute(f"DETACH {SLICE_DB}")


def _sliced(sql: str) -> str:
    """A reading's SQL on the slice's tables."""
    return _SLICED_TABLE.sub(rf"\1 {SLICE_DB}.\2", sql)


def _run(
    ctx: HubContext, probes: list[Probe], fuzzy: bool, limit: int
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], int]]:
    """One query: candidates, the policy on each, the top rows not 'none', and the counts by rule (the
    candidates from the slice where the store has one, `refresh_slice`)."""
    sliced = str(ctx.store.home.resolve()) in _SLICED and ctx.store.backend == "duckdb"
    try:
        return _query(ctx, probes, fuzzy, limit, sliced)
    except duckdb.CatalogException as exc:
        if not sliced or SLICE_DB not in str(exc):
            raise
        return _query(ctx, probes, fuzzy, limit, False)  # another connection to the store: no slice


def _query(
    ctx: HubContext, probes: list[Probe], fuzzy: bool, limit: int, sliced: bool
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], int]]:
    con = ctx.store.con
    parts, params = [], []
    for probe in probes:
        for sql, part_params in _probe_sql(probe, fuzzy, sliced):
            sql = _sliced(sql) if sliced else sql
            parts.append(
                f"SELECT record_uid, basis, level, CAST(score AS DOUBLE) AS score, value FROM ({sql})"
            )
            params += part_params
    vis, vis_params = ctx.visibility_sql("r")
    rule, rule_params = ctx.rule_sql("r")
    # every match is decided (the counts by rule say what was withheld), but the reasons are listed for
    # the rows shown in full only: a common name matches thousands of records, of which `limit` are shown
    sql = (
        f"WITH m AS MATERIALIZED ({' UNION ALL '.join(parts)}), "
        "b AS (SELECT record_uid, max(score) AS score FROM m GROUP BY record_uid), "
        "v AS MATERIALIZED (SELECT b.*, r.kind, r.agency, r.handling_code, r.restrictions, r.minor, "
        f"{superseded_sql('r.contribution')} AS superseded, "
        f"r.label, {vis} AS visibility, {rule} AS rule FROM b JOIN records r ON r.uid = b.record_uid), "
        "t AS MATERIALIZED (SELECT * FROM v WHERE visibility <> 'none' "
        "ORDER BY score DESC, record_uid LIMIT ?), "
        "w AS (SELECT record_uid, list(struct_pack(basis := basis, level := level, score := score, "
        "value := value) ORDER BY score DESC, basis, value) AS why FROM m "
        "WHERE record_uid IN (SELECT record_uid FROM t WHERE visibility = 'full') GROUP BY record_uid) "
        "SELECT 'row' AS part, t.record_uid, kind, agency, handling_code, CAST(restrictions AS VARCHAR), "
        "minor, superseded, visibility, rule, CASE WHEN visibility = 'full' THEN score END, "
        "CASE WHEN visibility = 'full' THEN label END, CASE WHEN visibility = 'full' THEN w.why END, 0 AS n "
        "FROM t LEFT JOIN w ON w.record_uid = t.record_uid "
        "UNION ALL SELECT 'count', NULL, NULL, NULL, NULL, NULL, NULL, NULL, visibility, rule, NULL, NULL, "
        "NULL, "
        "count(*) FROM v GROUP BY visibility, rule"
    )
    try:
        found = con.execute(sql, [*params, *vis_params, *rule_params, limit]).fetchall()
    except duckdb.CatalogException:  # the cross-check's name similarity, once per connection
        create_macros(con)
        found = con.execute(sql, [*params, *vis_params, *rule_params, limit]).fetchall()
    rows, counts = [], {}
    keys = (
        "uid",
        "kind",
        "agency",
        "handling_code",
        "restrictions",
        "minor",
        "superseded",
        "visibility",
        "rule",
        "score",
        "label",
        "why",
    )
    for part, *values, n in found:
        if part == "count":
            counts[(values[7], values[8])] = int(n)
        else:
            rows.append(dict(zip(keys, values, strict=True)))
    # the database took the best `limit` by score; shown: full rows by score, then the withheld ones by uid
    # (their score never leaves the database)
    rows.sort(key=lambda r: (r["visibility"] != "full", -(r["score"] or 0.0), r["uid"]))
    return rows, counts


def _values(ctx: HubContext, uids: list[str]) -> dict[str, list[tuple[str, str, str | None, str | None]]]:
    """(field, original, normalised, key) of every value of records the viewer sees in full."""
    out: dict[str, list[tuple[str, str, str | None, str | None]]] = {}
    if not uids:
        return out
    for uid, fld, original, normalised, key in ctx.store.con.execute(
        "SELECT record_uid, field, original, normalised, extra->>'$.key' FROM record_values "
        f"WHERE record_uid IN ({_marks(uids)}) ORDER BY record_uid, field, position",
        uids,
    ).fetchall():
        out.setdefault(uid, []).append((fld, original, normalised, key))
    return out


def _as_given(value: str, original: str | None) -> str:
    return f" (as given: {original})" if original and original != value else ""


#: Reasons given per record, at most (its best matches first).
MAX_WHY = 4


def _whys(
    row: dict[str, Any], values: list[tuple[str, str, str | None, str | None]], probes: list[Probe]
) -> list[str]:
    """Why a record shown in full matched: its best match per matched value, in words."""
    seen: set[tuple[str, str]] = set()
    out: list[str] = []
    for match in row["why"] or []:
        key = (str(match["basis"]).split(":")[0], str(match["value"]))
        if key not in seen:
            seen.add(key)
            out.append(_why(match, row["kind"], values, probes))
    return out[:MAX_WHY]


def _why(
    match: dict[str, Any],
    kind: str,
    values: list[tuple[str, str, str | None, str | None]],
    probes: list[Probe],
) -> str:
    """Why one record matched, in words, citing its own values (it is shown in full)."""
    basis, level, value = str(match["basis"]), str(match["level"]), str(match["value"] or "")
    original = next((o for f, o, n, k in values if value in (n, k) and not f.endswith("country")), None)
    if basis.startswith("place:"):
        where = basis.split(":", 1)[1].replace("_", " ")
        if kind == "vessel":
            return f"vessel name {value!r}" + ("" if level == "same" else " (spelt alike)")
        return {
            "same": f"{where}: the same place name, {value!r}",
            "contains": f"{where}: {value!r} contains the place searched",
            "similar": f"{where}: {value!r} is spelt like the place searched",
            "gazetteer": f"{where}: {value!r}, which the gazetteer places at the place searched",
        }.get(level, f"{where}: {value!r}")
    if basis.startswith("unchecked:"):
        word = _KIND_WORDS.get(basis.split(":", 1)[1], basis)
        return (
            f"{word} {value!r}, stored as written (it failed its checks), has the letters and digits searched"
        )
    if basis.startswith("name:"):
        where = basis.split(":", 1)[1].replace("_", " ")
        return (
            f"{where}: "
            + ("the same name" if level == "same name" else "a name that sounds the same")
            + f", {value!r}"
        )
    if basis == "name":
        return _name_why(level, value, values, next(p for p in probes if p.kind == "name"))
    word = _KIND_WORDS.get(basis, basis)
    if level == "national":
        given = _as_given(value, original)
        return f"{word} {value}{given}: the national number searched (no country code given)"
    if level == "other platform":
        return f"{word} {value}: the same user name on another platform"
    if level == "one character apart":
        return f"{word} {value}{_as_given(value, original)}: one character from the one searched"
    return f"{word} {value}{_as_given(value, original)}"


def _name_why(
    level: str, latin: str, values: list[tuple[str, str, str | None, str | None]], probe: Probe
) -> str:
    names = [(f, o, n, k) for f, o, n, k in values if f in NAME_FIELDS]
    if level == "alias":
        alias = next((o for f, o, n, k in names if f == "alias"), latin)
        return f"alias: {alias}"
    same = next((o for f, o, n, k in names if n == probe.values[0]), None)
    if same is not None:
        return f"exact name: {same}"
    keyed = next((o for f, o, n, k in names if k == probe.extra["key"]), None)
    full = [o for f, o, n, k in names if f == "name"]
    parts = [o for f, o, n, k in names if f == "given_name"] + [
        o for f, o, n, k in names if f == "family_name"
    ]
    shown = keyed or (full[0] if full else " ".join(parts) or latin)
    written = f"{shown} ({latin})" if latin and fold_text(latin) != fold_text(shown) else shown
    if keyed is not None or level.startswith("same name"):
        return f"name: same words in another order: {written}"
    if level.startswith("names sound the same") and probe.extra["sound"]:
        return f"{level}, phonetic key {probe.extra['sound']!r}: {written}"
    return f"{level}: {written}"


def _audit(
    ctx: HubContext,
    text: str,
    result: SearchResult,
    probes: list[Probe],
    limit: int,
    kinds: Sequence[str] | None,
) -> None:
    """The search's own consultation entry: the query (details only: the trail serves oversight)."""
    full = [h.uid for h in result.hits if h.decision.full]
    hit = [h.uid for h in result.hits if not h.decision.full]
    outcome = (
        "empty"
        if not result.matched and not result.withheld
        else "full"
        if not result.withheld
        else "partial"
        if result.shown_full
        else "denied"
    )
    # written with the request's consultation entry: one append, one commit per search
    ctx.log_later(
        "consultation",
        outcome,
        resource="search",
        details={
            "query": text,
            "mode": result.mode,
            "read_as": result.read_as,
            "kinds": list(kinds or []),
            "limit": limit,
            "matched": result.matched,
            "full": full,
            "hit": hit,
            "withheld": result.withheld,
            "probes": [p.kind + (f":{p.how}" if p.how not in ("identical", p.kind) else "") for p in probes],
        },
    )
