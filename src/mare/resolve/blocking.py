"""Candidate pairs from blocking keys: persons that share a name, sound, date or identifier key.

Keys (see `features.blocking_keys`) go into a two-column table (key, record_uid). A pair is a
candidate when the two persons share any key whose block is small enough: a key held by more
than `max_block` persons (a very common name in one birth year) says too little to be worth
comparing everyone in it, and other keys still bring true matches together.

The cap also scales with the data (`create_candidates`): some keys' blocks grow with the number
of persons whatever their names (a full birth date, a given name's sound in one birth year), so
with a fixed cap the candidates grow about as N squared. The blocks are taken smallest first
while their pairs fit `PAIRS_PER_PERSON` per person; the largest that fit set the cap.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from mare.resolve.features import blocking_keys
from mare.store.settle import settled

MAX_BLOCK = 400
#: Pairs per person that the blocks may bring (before pairs found by several keys are counted
#: once): the candidates grow at most linearly with the persons. At the sizes measured so far
#: (scenario small and medium, `mare link` up to 50 000 persons) the blocks bring fewer, so it
#: binds only on larger sets (115 candidates per person at a million persons with the fixed cap).
PAIRS_PER_PERSON = float(os.environ.get("MARE_PAIRS_PER_PERSON", "32"))


_KEY_SCHEMA = pa.schema([("key", pa.string()), ("record_uid", pa.string())])
#: Feature rows whose keys are collected in Python lists before they go to Arrow.
_CHUNK = 50_000
#: Pairs (before DISTINCT) per partition of `create_candidates`: bounds DuckDB's hash table.
PARTITION_PAIRS = 16_000_000


def key_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """(key, record_uid) for every blocking key of every feature row."""
    batches = []
    keys: list[str] = []
    uids: list[str] = []
    for i, row in enumerate(rows, start=1):
        for key in blocking_keys(row):
            keys.append(key)
            uids.append(row["record_uid"])
        if i % _CHUNK == 0:  # Python strings of ten million keys would take GiBs: Arrow a chunk at a time
            batches.append(
                pa.record_batch(
                    [pa.array(keys, pa.string()), pa.array(uids, pa.string())], schema=_KEY_SCHEMA
                )
            )
            keys, uids = [], []
    batches.append(
        pa.record_batch([pa.array(keys, pa.string()), pa.array(uids, pa.string())], schema=_KEY_SCHEMA)
    )
    return pa.Table.from_batches(batches, schema=_KEY_SCHEMA)


def keys_sql(features: str) -> str:
    """SQL for the distinct (key, record_uid) of every person of the feature table named `features`:
    `features.blocking_keys` as one set-based query (the same keys; `key_table` builds them row by
    row in Python, seconds per ten thousand persons)."""
    nonempty = "list_filter({0}, lambda k: k IS NOT NULL AND k <> '')"
    phon = (
        "list_sort(list_distinct(list_filter(list_transform(coalesce(name_parts, []), "
        "lambda x: CASE WHEN x.p IS NULL OR x.p = '' THEN x.t ELSE x.p END), lambda s: length(s) >= 2)))"
    )
    pairs = (
        "flatten(list_transform(range(1, len(phon) + 1), lambda i: list_transform("
        "list_slice(phon, i + 1, len(phon)), lambda b: 'pp:' || phon[i] || ':' || b)))"
    )
    keys = " || ".join(
        [
            f"list_transform({nonempty.format('name_keys')}, lambda k: 'n:' || k)",
            f"list_transform({nonempty.format('phon_keys')}, lambda k: 'p:' || k)",
            f"list_transform({nonempty.format('alias_keys')}, lambda k: 'n:' || k)",
            "list_transform(list_filter(identifiers, lambda k: k IS NOT NULL), lambda k: 'i:' || k)",
            "CASE WHEN birth_year IS NOT NULL AND birth_year <> 0 THEN "
            "list_transform(phon, lambda p: 'y:' || birth_year || ':' || p) ELSE [] END",
            pairs,
            "CASE WHEN birth_precision = 'day' THEN list_filter(['d:' || birth_date, "
            "CASE WHEN birth_alt IS NOT NULL AND birth_alt <> '' THEN 'd:' || birth_alt END], "
            "lambda k: k IS NOT NULL) ELSE [] END",
        ]
    )
    return (
        f"SELECT DISTINCT key, record_uid FROM (SELECT record_uid, unnest({keys}) AS key FROM "
        f"(SELECT *, {phon} AS phon FROM {features}))"
    )


def table_rows(table: pa.Table, columns: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
    """The rows of an Arrow feature table as dicts (every column, or only `columns`), a slice at a
    time: `key_table(table_rows(table))` without a Python dict per person alive at once."""
    for batch in table.select(list(columns or table.column_names)).to_batches(max_chunksize=_CHUNK):
        yield from batch.to_pylist()


def block_cap_sql(
    keys: str, id_column: str = "id", max_block: int = MAX_BLOCK, per_person: float = PAIRS_PER_PERSON
) -> str:
    """SQL for `block_cap`'s largest kept block size (NULL when no block fits), on DuckDB or Spark."""
    return (
        f"WITH sizes AS (SELECT count(*) AS n FROM {keys} GROUP BY key "
        f"HAVING count(*) BETWEEN 2 AND {int(max_block)}), "
        "fits AS (SELECT n, sum(n * (n - 1) // 2) OVER (ORDER BY n) AS pairs FROM sizes) "
        f"SELECT max(n) FROM fits WHERE pairs <= "
        f"(SELECT count(DISTINCT {id_column}) FROM {keys}) * {float(per_person)!r}"
    )


def block_cap(
    con: duckdb.DuckDBPyConnection,
    keys: str,
    max_block: int = MAX_BLOCK,
    per_person: float = PAIRS_PER_PERSON,
) -> int:
    """The largest block size kept for the table named `keys` (key, id): at most `max_block`, and
    the blocks of that size or smaller bring at most `per_person` pairs per person (never below 2:
    a key shared by two persons alone is always compared)."""
    row = con.execute(block_cap_sql(keys, "id", max_block, per_person)).fetchall()
    return max(2, int(row[0][0] or 2))


def create_candidates(
    con: duckdb.DuckDBPyConnection,
    keys: str,
    out: str,
    max_block: int = MAX_BLOCK,
    per_person: float = PAIRS_PER_PERSON,
) -> int:
    """Create table `out` (left_id, right_id): the distinct pairs (left_id < right_id) sharing a
    key of the table named `keys` (key, id INTEGER) — `pairs_within_sql` over integer ids, with
    the cap of `block_cap`. Built in partitions of the left id, so that DISTINCT's hash table holds
    a slice of the pairs, not all of them (a hundred million at a million persons). Returns the
    number of pairs."""
    cap = block_cap(con, keys, max_block, per_person)
    con.execute(
        f"CREATE TEMP TABLE _mare_blocked AS SELECT key, id FROM {keys} SEMI JOIN ("
        f"SELECT key FROM {keys} GROUP BY key HAVING count(*) BETWEEN 2 AND {cap}"
        ") USING (key)"
    )
    bound = con.execute(
        "SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM "
        "(SELECT count(*) AS n FROM _mare_blocked GROUP BY key)"
    ).fetchall()[0][0]
    parts = max(1, math.ceil(int(bound) / PARTITION_PAIRS))
    con.execute(f"CREATE TABLE {out} (left_id INTEGER, right_id INTEGER)")
    for part in range(parts):
        con.execute(
            f"INSERT INTO {out} SELECT DISTINCT a.id, b.id FROM _mare_blocked a JOIN _mare_blocked b "
            f"ON a.key = b.key AND a.id < b.id WHERE a.id % {parts} = {part}"
        )
    con.execute("DROP TABLE _mare_blocked")
    return int(con.execute(f"SELECT count(*) FROM {out}").fetchall()[0][0])


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
    return settled(con).sql(pairs_within_sql(keys, max_block)).to_arrow_table()


def pairs_between(
    con: duckdb.DuckDBPyConnection, new_keys: str, held_keys: str, max_block: int = MAX_BLOCK
) -> pa.Table:
    """Distinct pairs of a new person and a held one sharing a key (blocks counted over both)."""
    return (
        settled(con)
        .sql(
            f"WITH wanted AS (SELECT DISTINCT key FROM {new_keys}), "
            f"held AS MATERIALIZED (SELECT h.key, h.record_uid FROM {held_keys} h "
            f"SEMI JOIN wanted USING (key)), "
            f"sizes AS (SELECT key, count(*) AS n FROM (SELECT key FROM held UNION ALL "
            f"SELECT key FROM {new_keys}) GROUP BY key HAVING count(*) <= {int(max_block)}) "
            f"SELECT DISTINCT least(n.record_uid, h.record_uid) AS left_uid, "
            "greatest(n.record_uid, h.record_uid) AS right_uid "
            f"FROM {new_keys} n JOIN sizes s ON s.key = n.key JOIN held h ON h.key = n.key "
            "WHERE n.record_uid <> h.record_uid"
        )
        .to_arrow_table()
    )
