"""Erasure reaches cross-check data: features, keys, name tokens, identifiers, pairs, judgements, entities,
hits."""

from __future__ import annotations

import pyarrow as pa

from mare.store.db import Store
from mare.store.erasure import register_erasure_hook

_BY_RECORD = (
    ("person_features", "record_uid"),
    ("person_keys", "record_uid"),
    ("person_name_tokens", "record_uid"),
    ("identifier_index", "record_uid"),
    ("entities", "record_uid"),
)
_BY_PAIR = ("candidate_pairs", "judgements", "hits")


def erase_derived(store: Store, uids: list[str]) -> int:
    """Delete every cross-check row that mentions an erased record (and the hits' notifications)."""
    con = store.con
    con.register("_erased", pa.table({"uid": pa.array(uids, pa.string())}))
    removed = 0
    try:
        hits = [r[0] for r in con.execute(
            "SELECT id FROM hits WHERE left_uid IN (SELECT uid FROM _erased) "
            "OR right_uid IN (SELECT uid FROM _erased)").fetchall()]
        if hits:
            con.execute("DELETE FROM notifications WHERE kind = 'hit' AND ref IN (SELECT unnest(?))", [hits])
        for table, column in _BY_RECORD:
            removed += len(con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT uid FROM _erased) "
                                       "RETURNING 1").fetchall())
        for table in _BY_PAIR:
            removed += len(con.execute(f"DELETE FROM {table} WHERE left_uid IN (SELECT uid FROM _erased) "
                                       "OR right_uid IN (SELECT uid FROM _erased) RETURNING 1").fetchall())
    finally:
        con.unregister("_erased")
    return removed


def register() -> None:
    """Register the hook (idempotent)."""
    register_erasure_hook("resolve", erase_derived)
