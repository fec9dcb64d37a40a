"""The person feature table as Arrow, with an explicit schema (empty lists keep their types)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from mare.resolve.features import COLUMNS, NAME_FIELDS, PersonInput, build_row
from mare.resolve.symbols import SymbolSource

_TEXT_LIST = pa.list_(pa.string())
_PART = pa.struct([("t", pa.string()), ("p", pa.string()), ("s", _TEXT_LIST)])
SCHEMA = pa.schema([
    ("record_uid", pa.string()), ("contribution", pa.string()), ("agency", pa.string()),
    ("name_latin", pa.string()), ("name_key", pa.string()), ("name_keys", _TEXT_LIST),
    ("phon_keys", _TEXT_LIST), ("name_parts", pa.list_(_PART)), ("birth_date", pa.string()),
    ("birth_year", pa.int32()), ("birth_month", pa.int32()), ("birth_day", pa.int32()),
    ("birth_precision", pa.string()), ("birth_alt", pa.string()), ("nationality", _TEXT_LIST),
    ("gender", pa.string()), ("birth_place", pa.string()), ("phones", _TEXT_LIST),
    ("documents", _TEXT_LIST), ("identifiers", _TEXT_LIST), ("role", pa.string()),
    ("residence", _TEXT_LIST), ("associates", _TEXT_LIST), ("name_sound", pa.string()),
    ("name_years", pa.int32()), ("name_frequency", pa.float64()), ("alias_keys", _TEXT_LIST),
])  # fmt: skip
assert tuple(SCHEMA.names) == COLUMNS
#: Persons turned into Python feature rows at a time by `feature_table`.
CHUNK = 50_000


def to_arrow(rows: Sequence[dict[str, Any]]) -> pa.Table:
    """Feature rows as an Arrow table."""
    return pa.table(
        {name: pa.array([r[name] for r in rows], SCHEMA.field(name).type) for name in SCHEMA.names},
        schema=SCHEMA,
    )


def feature_table(people: Sequence[PersonInput], symbols: SymbolSource, chunk: int = CHUNK) -> pa.Table:
    """`to_arrow(build_rows(people, symbols))`, built a chunk of persons at a time: the same table
    without a million Python feature dicts (several GiB) alive at once."""
    tokens = {
        t
        for p in people
        for v in p.values
        if v.field in NAME_FIELDS
        for t in ((v.extra or {}).get("tokens") or [])
    }
    symbols.prefetch(tokens)
    del tokens
    wanted = {uid for p in people for uid in p.associates}
    phon: dict[str, list[str]] = {}  # phonetic keys of the persons someone is linked to
    batches = []
    memo: dict[tuple[Any, ...], dict[str, Any]] = {}  # name columns per distinct written name
    for start in range(0, len(people), chunk):
        rows = [build_row(p, symbols, memo) for p in people[start : start + chunk]]
        phon.update((r["record_uid"], r["phon_keys"]) for r in rows if r["record_uid"] in wanted)
        batches.append(to_arrow(rows))
    table = pa.concat_tables(batches) if batches else to_arrow([])
    if wanted:  # as `features.add_associates`, once every row is built
        associates = [sorted({k for uid in p.associates for k in phon.get(uid, ())}) for p in people]
        index = SCHEMA.get_field_index("associates")
        table = table.set_column(index, SCHEMA.field(index), pa.array(associates, _TEXT_LIST))
    return table
