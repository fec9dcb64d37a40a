"""The feature table of `mare link`'s CSV built column by column: each distinct cell once.

A person row of the CSV has a fixed set of cells, and each feature column depends on a few of
them only: the name columns on the name, given-name and family-name cells, the birth columns on
the birth-date cell, nationality on its cell, identifiers on the phone and document cells. So
each distinct cell (or triple of name cells) is normalised and turned into its feature columns
once, as an Arrow array over the distinct values, and the table is those arrays taken by each
row's index: no Python feature row per person. The table equals
`table.feature_table(read_persons(path))` (tests/resolve/test_flatcolumns.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa

from mare.resolve.features import COLUMNS, NAME_FIELDS, Value, _birth, _name_fields, fold_text
from mare.resolve.symbols import SymbolSource
from mare.resolve.table import SCHEMA

#: The CSV's columns each group of feature columns reads, in the order `flatfile._person` adds them.
NAME_CELLS = ("name", "given_name", "family_name")
_NAME_COLUMNS = ("name_latin", "name_key", "name_keys", "phon_keys", "name_parts", "name_sound", "alias_keys")
_BIRTH_COLUMNS = ("birth_date", "birth_year", "birth_month", "birth_day", "birth_precision", "birth_alt")

ValueOf = Callable[[str, str, str], Value | None]  # (column, kind, text) -> the cell's value
Normalised = Callable[[str, str], Any]  # (kind, text) -> the normaliser's result


def _cells(records: Sequence[dict[str, str]], column: str) -> list[str]:
    return [(rec.get(column) or "").strip() for rec in records]


def _indexed(keys: Sequence[Any]) -> tuple[list[Any], pa.Array]:
    """The distinct keys in first-seen order and each row's index into them."""
    position: dict[Any, int] = {}
    index = [position.setdefault(k, len(position)) for k in keys]
    return list(position), pa.array(index, pa.int32())


def _taken(values: list[Any], name: str, index: pa.Array) -> pa.Array:
    return pa.array(values, SCHEMA.field(name).type).take(index)


def _pieces(text: str, multi: bool) -> list[str]:
    return [t.strip() for t in (text.split(";") if multi else [text]) if t.strip()]


def _identifiers(phone: str, document: str, normalised: Normalised) -> list[tuple[str, str]]:
    out = []
    for text in _pieces(phone, True):
        n = normalised("phone", text)
        if n.value:
            out.append(("phone", n.value))
    for text in _pieces(document, True):
        n = normalised("document_number", text)
        if n.value:
            out.append(("document", str((n.extra or {}).get("key") or n.value)))
    return out


def link_feature_table(
    records: Sequence[dict[str, str]],
    ids: Sequence[str],
    symbols: SymbolSource,
    value_of: ValueOf,
    normalised: Normalised,
) -> pa.Table:
    """The feature table of the CSV's rows (`ids`: their record ids), as `feature_table` builds it
    from `flatfile.read_persons`' persons; `value_of` and `normalised` are flatfile's memoised
    normalisers."""
    n = len(records)
    columns: dict[str, pa.Array] = {"record_uid": pa.array(list(ids), pa.string())}
    sources = _cells(records, "source")
    distinct, index = _indexed(sources)
    source = _taken(distinct, "contribution", index)
    columns["contribution"] = columns["agency"] = source

    # names: per distinct (name, given name, family name) cells
    distinct, index = _indexed(list(zip(*(_cells(records, c) for c in NAME_CELLS), strict=True)))
    values = [
        [
            v
            for c, text in zip(NAME_CELLS, cells, strict=True)
            if text
            for v in [value_of(c, "name", text)]
            if v
        ]
        for cells in distinct
    ]
    symbols.prefetch(
        {
            str(t)
            for vs in values
            for v in vs
            if v.field in NAME_FIELDS
            for t in (v.extra or {}).get("tokens") or []
        }
    )
    memo: dict[tuple[Any, ...], dict[str, Any]] = {}
    names = [_name_fields(vs, symbols, memo) for vs in values]
    for name in _NAME_COLUMNS:
        columns[name] = _taken([row[name] for row in names], name, index)

    # birth: per distinct birth-date cell
    distinct, index = _indexed(_cells(records, "birth_date"))
    births = [
        _birth([v] if text and (v := value_of("birth_date", "date", text)) else []) for text in distinct
    ]
    for name in _BIRTH_COLUMNS:
        columns[name] = _taken([row[name] for row in births], name, index)

    distinct, index = _indexed(_cells(records, "nationality"))
    nationality = [
        sorted(
            {v.normalised for text in _pieces(cell, True) if (v := value_of("nationality", "country", text))}
        )
        for cell in distinct
    ]
    columns["nationality"] = _taken(nationality, "nationality", index)
    distinct, index = _indexed(_cells(records, "gender"))
    gender = [
        (v.normalised if text and (v := value_of("gender", "gender", text)) else None) for text in distinct
    ]
    columns["gender"] = _taken(gender, "gender", index)
    distinct, index = _indexed(_cells(records, "birth_place"))
    places = []
    for text in distinct:
        v = value_of("birth_place", "text", text) if text else None
        places.append((fold_text(v.normalised) or None) if v is not None and v.normalised else None)
    columns["birth_place"] = _taken(places, "birth_place", index)

    distinct, index = _indexed(
        list(zip(_cells(records, "phone"), _cells(records, "document_number"), strict=True))
    )
    idents = [sorted(set(_identifiers(phone, document, normalised))) for phone, document in distinct]
    columns["phones"] = _taken([sorted({v for k, v in i if k == "phone"}) for i in idents], "phones", index)
    columns["documents"] = _taken(
        [sorted({v for k, v in i if k == "document"}) for i in idents], "documents", index
    )
    columns["identifiers"] = _taken([[f"{k}:{v}" for k, v in i] for i in idents], "identifiers", index)

    for name in ("role", "name_years", "name_frequency"):
        columns[name] = pa.nulls(n, SCHEMA.field(name).type)
    for name in ("residence", "associates"):
        columns[name] = pa.array([[]], SCHEMA.field(name).type).take(pa.array([0] * n, pa.int32()))
    return pa.table([columns[c] for c in COLUMNS], schema=SCHEMA)
