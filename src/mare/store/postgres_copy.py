"""Moving a store between engines: every table of a DuckDB store into PostgreSQL, or back.

`copy_tables(source, target)` copies each table the target's migrations created (the same schema
version on both sides is required) in one transaction of the target, so an interrupted copy leaves
the target empty; it refuses a target that already holds data. `table_counts` gives the rows per
table, which the caller compares on both sides (`mare store copy` also verifies the audit chain).
The copy runs as the hub's own processing: on a PostgreSQL source the caller sets the system
viewer (row-level security would otherwise hide rows), and a PostgreSQL target is written as its
owner role (the tables' owner is not subject to the policies).

Rows go through Arrow: a whole table at a time (the PostgreSQL side reads results whole), so a
table must fit in memory; JSON stays its text, `STRUCT` lists become `jsonb` in PostgreSQL and
are cast back on the way to DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mare.store.db import Store

#: Not copied: the target has its own migration record; the store's operator is replaced.
SKIPPED = ("schema_migrations",)
REPLACED = ("store_operator",)


class CopyRefused(RuntimeError):
    """The copy cannot start (a target holding data, another schema version); says why."""


def store_tables(store: Store) -> list[str]:
    """The store's base tables, in name order."""
    if store.url is not None:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        rows = store.con.execute_native(sql).fetchall()  # type: ignore[attr-defined]
    else:
        rows = store.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
    return [str(r[0]) for r in rows if str(r[0]) not in SKIPPED and not str(r[0]).startswith("_")]


def table_counts(store: Store, tables: list[str] | None = None) -> dict[str, int]:
    """Rows per table."""
    counts = {}
    for table in tables or store_tables(store):
        row = store.con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def schema_version(store: Store) -> int:
    row = store.con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def _columns(store: Store, table: str) -> list[tuple[str, str]]:
    """(name, type) of each column, in order."""
    if store.url is not None:
        rows = store.con.execute_native(  # type: ignore[attr-defined]
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            [f'"{table}"'],
        ).fetchall()
    else:
        rows = store.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' "
            "AND table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
    return [(str(n), str(t)) for n, t in rows]


def read_table(store: Store, table: str) -> Any:
    """A whole table as Arrow (on PostgreSQL: the rows the session may read)."""
    return _read(store, table)


def write_table(target: Store, table: str, data: Any) -> None:
    """Append Arrow rows to a table of TARGET, cast to its columns' types (in the caller's transaction);
    on PostgreSQL a load large against the table refreshes its statistics (the cross-check's
    write-back: the reads right after it are planned on them)."""
    _write(target, table, data)
    if target.url is not None:
        target.con.analyze_after_load(table, data.num_rows)  # type: ignore[attr-defined]


def _read(store: Store, table: str) -> Any:
    from mare.store.settle import settled

    return settled(store.con).sql(f'SELECT * FROM "{table}"').to_arrow_table()


def copy_tables(
    source: Store, target: Store, on_table: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Copy every table of SOURCE into the empty TARGET in one transaction; rows copied per table."""
    ours, theirs = schema_version(source), schema_version(target)
    if ours != theirs:
        raise CopyRefused(
            f"the source store is at schema version {ours} and the target at {theirs}: "
            "open both with the same Mare (the target is migrated when it is opened)"
        )
    tables = store_tables(source)
    missing = sorted(set(tables) - set(store_tables(target)))
    if missing:
        raise CopyRefused(f"the target lacks table(s) {', '.join(missing)}")
    held = {t: n for t, n in table_counts(target, tables).items() if n and t not in REPLACED}
    if held:
        sample = ", ".join(f"{t} ({n})" for t, n in sorted(held.items())[:4])
        raise CopyRefused(f"the target already holds data: {sample}; copy into an empty store")
    copied: dict[str, int] = {}
    con = target.con
    con.execute("BEGIN TRANSACTION")
    try:
        for table in tables:
            data = _read(source, table)
            if table in REPLACED:
                con.execute(f'DELETE FROM "{table}"')
            if data.num_rows:
                _write(target, table, data)
                if target.url is not None:  # a filled table with no statistics: analysed now
                    target.con.analyze_after_load(table, data.num_rows)  # type: ignore[attr-defined]
            copied[table] = data.num_rows
            if on_table is not None:
                on_table(table, data.num_rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return copied


def _write(target: Store, table: str, data: Any) -> None:
    from mare.store.settle import settled

    wanted = _columns(target, table)
    present = set(data.column_names)
    name = f"_copy_{table}"
    settled(target.con).register(name, data)
    try:
        if target.url is not None:
            cols = [(c, t) for c, t in wanted if c in present]
            names = ", ".join(f'"{c}"' for c, _ in cols)
            select = ", ".join(f'CAST("{c}" AS {t})' for c, t in cols)
            target.con.execute_native(  # type: ignore[attr-defined]
                f'INSERT INTO "{table}" ({names}) SELECT {select} FROM "{name}"'
            )
        else:
            names = ", ".join(f'"{c}"' for c, _ in wanted if c in present)
            target.con.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{name}"')
    finally:
        target.con.unregister(name)
