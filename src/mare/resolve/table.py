"""The person feature table as Arrow, with an explicit schema (empty lists keep their types)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from mare.resolve.features import COLUMNS

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
    ("residence", _TEXT_LIST), ("associates", _TEXT_LIST),
])  # fmt: skip
assert tuple(SCHEMA.names) == COLUMNS


def to_arrow(rows: Sequence[dict[str, Any]]) -> pa.Table:
    """Feature rows as an Arrow table."""
    return pa.table({name: pa.array([r[name] for r in rows], SCHEMA.field(name).type)
                     for name in SCHEMA.names}, schema=SCHEMA)
