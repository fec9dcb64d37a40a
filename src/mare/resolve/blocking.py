"""Candidate pairs from blocking keys: persons that share a name, sound, date or identifier key.

Keys (see `features.blocking_keys`) go into a two-column table (key, record_uid). A pair is a
candidate when the two persons share any key whose block is small enough: a key held by more
than `max_block` persons (a very common name in one birth year) says too little to be worth
comparing everyone in it, and other keys still bring true matches together.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb
import pyarrow as pa

from mare.resolve.features import blocking_keys

MAX_BLOCK = 400


def key_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """(key, record_uid) for every blocking key of every feature row."""
    keys: list[str] = []
    uids: list[str] = []
    for row in rows:
        for key in blocking_keys(row):
            keys.append(key)
            uids.append(row["record_uid"])
    return pa.table({"key": pa.array(keys, pa.string()), "record_uid": pa.array(uids, pa.string())})


def pairs_within_sql(keys: str, max_block: int = MAX_BLOCK) -> str:
    """SQL for the distinct pairs (left_uid < right_uid) sharing a key of the table named `keys`."""
    return (
        f"WITH sizes AS (SELECT key FROM {keys} GROUP BY key "
        f"HAVING count(*) BETWEEN 2 AND {int(max_block)}), "
        f"k AS (SELECT key, record_uid FROM {keys} SEMI JOIN sizes USING (key)) "
        "SELECT DISTINCT a.record_uid AS left_uid, b.record_uid AS right_uid FROM k a JOIN k b "
        "ON a.key = b.key AND a.record_uid < b.record_uid"
    )


def pairs_within(con: duckdb.DuckDBPyConnection, keys: str, max_block: int = MAX_BLOCK) -> pa.Table:
    """Distinct pairs (left_uid < right_uid) sharing a key of the table named `keys`."""
    return con.sql(pairs_within_sql(keys, max_block)).to_arrow_table()


def pairs_between(con: duckdb.DuckDBPyConnection, new_keys: str, held_keys: str,
                  max_block: int = MAX_BLOCK) -> pa.Table:
    """Distinct pairs of a new person and a held one sharing a key (blocks counted over both)."""
    return con.sql(
        f"WITH wanted AS (SELECT DISTINCT key FROM {new_keys}), "
        f"held AS MATERIALIZED (SELECT h.key, h.record_uid FROM {held_keys} h SEMI JOIN wanted USING (key)), "
        f"sizes AS (SELECT key, count(*) AS n FROM (SELECT key FROM held UNION ALL "
        f"SELECT key FROM {new_keys}) GROUP BY key HAVING count(*) <= {int(max_block)}) "
        f"SELECT DISTINCT least(n.record_uid, h.record_uid) AS left_uid, "
        "greatest(n.record_uid, h.record_uid) AS right_uid "
        f"FROM {new_keys} n JOIN sizes s ON s.key = n.key JOIN held h ON h.key = n.key "
        "WHERE n.record_uid <> h.record_uid"
    ).to_arrow_table()
