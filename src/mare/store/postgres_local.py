"""DuckDB beside PostgreSQL: the reads PostgreSQL cannot run, run in DuckDB on what the session may read.

Some of Mare's read-only analyses (search, entity pages, the review queue, networks) use DuckDB SQL
that has no PostgreSQL translation: lambdas over `STRUCT` lists, Splink's similarity macros,
`GROUP BY ALL`, `ANTI JOIN`, empty list literals. A `PostgresConnection` runs such a statement in
an in-memory DuckDB connection of its own (`LocalEngine`) instead of refusing it:

1. a read (`SELECT`, `WITH`, `CREATE TEMP TABLE … AS`) goes to PostgreSQL first; refused there as
   untranslated (a savepoint undoes the refusal inside a transaction), it is remembered as local;
2. before a local statement runs, every store table it names is read whole from PostgreSQL **in
   this session** — so under the viewer's row-level security: the local engine holds exactly what
   the session may read — into DuckDB tables of the store's own schema (the same migrations); Arrow
   tables the caller registered go along as they are;
3. the statement runs in DuckDB with its `?` parameters; the application policy written in it
   applies as on a DuckDB store. Temporary tables it creates, and macros (`CREATE MACRO`), live in
   the local engine, and later statements naming them run there too.

Writes to store tables never run locally: they go to PostgreSQL or fail there. The cost is a copy
of each table a local read names, per statement (the store's tables are read whole): right for a
hub's working set, not for tens of millions of rows (docs/server_store.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import duckdb
import pyarrow as pa

#: Statements that may run locally when PostgreSQL refuses them (reads, and temporary tables).
_READ = re.compile(
    r"^\s*(\(?\s*SELECT|WITH|FROM|CREATE\s+(OR\s+REPLACE\s+)?TEMP(ORARY)?\s+TABLE\s+\S+\s+AS)\b", re.I
)
_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|COPY|RETURNING|ALTER|GRANT)\b", re.I)
_MACRO = re.compile(r"^\s*CREATE\s+(OR\s+REPLACE\s+)?(TEMP(ORARY)?\s+)?MACRO\b", re.I)
_CREATES = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TEMP(?:ORARY)?\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                      r"\"?([A-Za-z_][A-Za-z0-9_]*)", re.I)  # fmt: skip
_DROPS = re.compile(r"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?\"?([A-Za-z_][A-Za-z0-9_]*)", re.I)

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
Reader = Callable[[str], pa.Table]


def is_read(sql: str) -> bool:
    """True for a statement that may run locally: a query, or a temporary table made from one, with
    no write anywhere in it (`WITH … INSERT`, `RETURNING`: those stay on PostgreSQL)."""
    return bool(_READ.match(sql)) and not _WRITES.search(sql)


class LocalEngine:
    """One PostgreSQL session's DuckDB: the store's schema, filled per statement from the session."""

    def __init__(self) -> None:
        self._con: duckdb.DuckDBPyConnection | None = None
        self._schema: dict[str, list[str]] = {}
        self.tables: set[str] = set()  # temporary tables created here
        self.routed: set[str] = set()  # statement texts PostgreSQL refused
        self.server_temps: set[str] = set()  # temporary tables of the PostgreSQL session

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, migrated to the store's schema on first use."""
        if self._con is None:
            from mare.store.migrations import migrate

            con = duckdb.connect()
            con.execute("SET preserve_insertion_order = false")
            migrate(con)
            for name, column in con.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
            ).fetchall():
                self._schema.setdefault(str(name), []).append(str(column))
            self._con = con
        return self._con

    def claims(self, sql: str) -> bool:
        """True when SQL must run here: a macro, a statement PostgreSQL refused before, or one naming
        a table that lives here."""
        if _MACRO.match(sql) or sql in self.routed:
            return True
        if not self.tables:
            return False
        dropped = _DROPS.match(sql)
        if dropped:
            return dropped.group(1) in self.tables
        return any(name in self.tables for name in names(sql))

    def ran_on_server(self, sql: str) -> None:
        """Note the temporary table a statement PostgreSQL ran created or dropped."""
        created, dropped = _CREATES.match(sql), _DROPS.match(sql)
        if created:
            self.server_temps.add(created.group(1))
        elif dropped:
            self.server_temps.discard(dropped.group(1))

    def run(
        self, sql: str, params: Sequence[Any], read: Reader, arrows: dict[str, pa.Table]
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run SQL here after loading the tables it names; (column names, rows)."""
        con = self.con
        dropped = _DROPS.match(sql)
        created = _CREATES.match(sql)
        for name in names(sql):
            if name in self.tables or (created and name == created.group(1)):
                continue
            if name in arrows:
                con.register(name, arrows[name])
            elif name in self._schema:
                self._load(name, read(name))
            elif name in self.server_temps:
                con.register("_mare_loading", read(name))
                con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM _mare_loading')
                con.unregister("_mare_loading")
        con.execute(sql, list(params))
        if created:
            self.tables.add(created.group(1))
        elif dropped:
            self.tables.discard(dropped.group(1))
        if con.description is None:
            return [], []
        columns = [str(d[0]) for d in con.description]
        return columns, [tuple(r) for r in con.fetchall()]

    def _load(self, table: str, data: pa.Table) -> None:
        con = self.con
        con.execute(f'DELETE FROM "{table}"')
        if not data.num_rows:
            return
        present = [c for c in self._schema[table] if c in data.column_names]
        columns = ", ".join(f'"{c}"' for c in present)
        con.register("_mare_loading", data)
        try:
            con.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM _mare_loading')
        finally:
            con.unregister("_mare_loading")

    def close(self) -> None:
        """Drop the local engine."""
        if self._con is not None:
            self._con.close()
            self._con = None


def names(sql: str) -> list[str]:
    """The words of a statement that may name a table, in order, once each (a superset: the caller
    keeps those that are tables; DuckDB SQL that sqlglot cannot parse is read the same way)."""
    return list(dict.fromkeys(_WORD.findall(sql)))
