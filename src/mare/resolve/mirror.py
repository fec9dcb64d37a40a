"""The cross-check on a PostgreSQL store: computed in DuckDB on the store's tables, written back.

The cross-check's SQL is DuckDB's (lambdas over `STRUCT` lists, Splink's macros): on a PostgreSQL
store it runs, unchanged, on an in-memory DuckDB store (`mirror`) holding the tables it reads,
copied from PostgreSQL as the store's own processing; what it changed in the tables it writes
(`WRITTEN`) is then written back — the rows of each changed key deleted and inserted again — in
one PostgreSQL transaction with the caller's `before_commit` (its audit entry and jobs), as the
Spark engine hands its results back to the same writer. An advisory lock serialises cross-checks
of one store (DuckDB: one process holds the file).

`on_mirror(store, run, before_commit)` runs `run(mirror_store, before_commit=…)` this way; on a
DuckDB store it is never called (`crosscheck`, `learning` and `review` call it for PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import duckdb

from mare.store.db import Store, as_processing
from mare.store.settle import settled

T = TypeVar("T")

#: The tables the cross-check writes, each with the key whose rows are replaced together.
WRITTEN: dict[str, tuple[str, ...]] = {
    "person_features": ("record_uid",),
    "person_keys": ("record_uid",),
    "person_name_tokens": ("record_uid",),
    "identifier_index": ("record_uid",),
    "place_geocodes": ("record_uid",),
    "entities": ("record_uid",),
    "candidate_pairs": ("left_uid", "right_uid"),
    "hits": ("id",),
    "notifications": ("id",),
    "resolve_model": ("version",),
    "resolve_learned": ("version",),
    "name_symbols": ("token",),
    "judgements": ("id",),
}
#: The other tables it reads.
READ = ("agencies", "contributions", "records", "record_values", "links", "consent_requests")
#: The advisory lock that serialises cross-checks of one PostgreSQL store.
LOCK = 0x4D415245  # "MARE"


def _mirror(store: Store) -> Store:
    """An in-memory DuckDB store with the tables the cross-check reads and writes, copied."""
    from mare.store.migrations import migrate
    from mare.store.postgres_copy import read_table, write_table

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    migrate(con)
    mirror = Store(home=store.home, con=con, archive=store.archive)
    present = {str(r[0]) for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    for table in (*READ, *WRITTEN):
        if table not in present:
            continue
        data = read_table(store, table)
        if data.num_rows:
            write_table(mirror, table, data)
        if table in WRITTEN:
            con.execute(f'CREATE TEMP TABLE "_before_{table}" AS SELECT * FROM "{table}"')
    return mirror


def _write_back(mirror: Store, store: Store) -> dict[str, int]:
    """Each changed key's rows, deleted from the store and inserted again as the mirror holds them."""
    from mare.store.postgres_copy import write_table

    changed: dict[str, int] = {}
    con = mirror.con
    for table, key in WRITTEN.items():
        cols = ", ".join(f'"{k}"' for k in key)
        keys = (
            settled(con)
            .sql(
                f'SELECT DISTINCT {cols} FROM ((SELECT * FROM "{table}" EXCEPT ALL SELECT * FROM '
                f'"_before_{table}") UNION ALL (SELECT * FROM "_before_{table}" EXCEPT ALL '
                f'SELECT * FROM "{table}"))'
            )
            .to_arrow_table()
        )
        if not keys.num_rows:
            continue
        changed[table] = keys.num_rows
        settled(con).register("_changed", keys)
        rows = (
            settled(con)
            .sql(f'SELECT t.* FROM "{table}" t SEMI JOIN _changed USING ({cols})')
            .to_arrow_table()
        )
        con.unregister("_changed")
        settled(store.con).register("_mare_changed", keys)
        try:
            where = " AND ".join(f't."{k}" = c."{k}"' for k in key)
            store.con.execute_native(  # type: ignore[attr-defined]
                f'DELETE FROM "{table}" t USING _mare_changed c WHERE {where}'
            )
        finally:
            store.con.unregister("_mare_changed")
        if rows.num_rows:
            write_table(store, table, rows)
    return changed


def on_mirror(store: Store, run: Callable[..., T], before_commit: Callable[[T], None] | None = None) -> T:
    """`run(mirror, before_commit=…)` on a DuckDB copy of what it needs, its changes written back to
    the PostgreSQL store in one transaction, then `before_commit(result)` in that transaction."""
    results: list[Any] = []
    con = store.con
    owns = not getattr(con, "_in_tx", False)  # else: part of the caller's transaction
    with as_processing(store):
        if owns:
            con.execute("BEGIN TRANSACTION")
        mirror: Store | None = None
        try:
            con.execute_native(f"SELECT pg_advisory_xact_lock({LOCK})")  # type: ignore[attr-defined]
            mirror = _mirror(store)
            result = run(mirror, before_commit=results.append)
            _write_back(mirror, store)
            if before_commit is not None:
                before_commit(result)
            if owns:
                con.execute("COMMIT")
        except BaseException:
            if owns:
                con.execute("ROLLBACK")
            raise
        finally:
            if mirror is not None:
                mirror.con.close()
    return result
