"""DuckDB beside PostgreSQL: the reads PostgreSQL cannot run, run in DuckDB on what the session may read.

Some of Mare's read-only analyses (search, entity pages, the review queue, networks) use DuckDB SQL
that has no PostgreSQL translation: lambdas over `STRUCT` lists, Splink's similarity macros,
`GROUP BY ALL`, `ANTI JOIN`, empty list literals. A `PostgresConnection` runs such a statement in
an in-memory DuckDB connection of its own (`LocalEngine`) instead of refusing it:

1. a read (`SELECT`, `WITH`, `CREATE TEMP TABLE … AS`) goes to PostgreSQL first; refused there as
   untranslated (a savepoint undoes the refusal inside a transaction), it is remembered as local;
2. before a local statement runs, every store table it names is read from PostgreSQL **in this
   session** — so under the viewer's row-level security: the local engine holds exactly what the
   session may read — into DuckDB tables with the store's own column types (the same migrations);
   Arrow tables the caller registered go along as they are. Only the columns whose names occur in
   the statement are read (`prunable`: not where a `*` reads a store table, a table alias is used
   as a row, or a `NATURAL` join or `COLUMNS(…)` depends on columns not named); a column left out
   that the statement reads after all fails to bind, and the statement runs again on whole copies;
3. the statement runs in DuckDB with its `?` parameters; the application policy written in it
   applies as on a DuckDB store. Temporary tables it creates, and macros (`CREATE MACRO`), live in
   the local engine, and later statements naming them run there too.

Writes to store tables never run locally: they go to PostgreSQL or fail there. The cost is a copy
of each table a local read names, per statement (its rows whole, the columns it names; no cache,
so nothing one viewer read is kept for another): right for a hub's working set, not for tens of
millions of rows (docs/server_store.md).
"""

from __future__ import annotations

import functools
import logging
import re
import time
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

_log = logging.getLogger(__name__)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Reads a store table in the session: (table, the columns to read, None: all) -> its rows.
Reader = Callable[[str, "list[str] | None"], pa.Table]
_STRING = re.compile(r"'(?:[^']|'')*'")
#: Forms whose meaning depends on columns the statement does not name: copy whole tables.
_WHOLE = re.compile(r"\bNATURAL\b|\bCOLUMNS\s*\(|\*\s*(EXCLUDE|REPLACE|RENAME)\b", re.I)


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
        self._types: dict[str, dict[str, str]] = {}  # table -> column -> DuckDB type
        self._macros_read = False  # a local macro reads tables: copy them whole
        self._tables: frozenset[str] = frozenset()  # the store's tables

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, migrated to the store's schema on first use."""
        if self._con is None:
            from mare.store.migrations import migrate

            con = duckdb.connect()
            con.execute("SET preserve_insertion_order = false")
            migrate(con)
            for name, column, kind in con.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
            ).fetchall():
                self._schema.setdefault(str(name), []).append(str(column))
                self._types.setdefault(str(name), {})[str(column)] = str(kind)
            self._tables = frozenset(self._schema)
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
        try:
            return self._run(sql, params, read, arrows, pruned=True)
        except duckdb.BinderException:
            # a column the copies left out after all (never silently: the statement names it)
            return self._run(sql, params, read, arrows, pruned=False)

    def _run(
        self, sql: str, params: Sequence[Any], read: Reader, arrows: dict[str, pa.Table], pruned: bool
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        con = self.con
        dropped = _DROPS.match(sql)
        created = _CREATES.match(sql)
        if _MACRO.match(sql) and re.search(r"\bFROM\b", sql, re.I):
            self._macros_read = True
        words = set(names(sql))
        pruned = pruned and not self._macros_read and prunable(sql, self._tables)
        for name in names(sql):
            if name in self.tables or (created and name == created.group(1)):
                continue
            if name in arrows:
                con.register(name, arrows[name])
            elif name in self._schema:
                started = time.perf_counter()
                wanted = [c for c in self._schema[name] if c in words] if pruned else None
                if wanted == []:  # named for its rows only (`count(*)`, `EXISTS`): one column
                    wanted = self._schema[name][:1]
                data = read(name, wanted)
                self._load(name, data, wanted)
                _log.debug(
                    "copied %s (%s): %d rows in %.3f s",
                    name,
                    ", ".join(wanted) if wanted is not None else "*",
                    data.num_rows,
                    time.perf_counter() - started,
                )
            elif name in self.server_temps:
                con.register("_mare_loading", read(name, None))
                con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM _mare_loading')
                con.unregister("_mare_loading")
        _log.debug("runs here: %s", sql[:300])
        con.execute(sql, list(params))
        if created:
            self.tables.add(created.group(1))
        elif dropped:
            self.tables.discard(dropped.group(1))
        if con.description is None:
            return [], []
        columns = [str(d[0]) for d in con.description]
        return columns, [tuple(r) for r in con.fetchall()]

    def _load(self, table: str, data: pa.Table, wanted: list[str] | None = None) -> None:
        """Replace TABLE by DATA: the columns WANTED (None: all) with the store's types, no others,
        so a statement that reads a column left out fails (and runs again on whole copies)."""
        con = self.con
        kept = self._schema[table] if wanted is None else wanted
        types = self._types[table]
        ddl = ", ".join(f'"{c}" {types[c]}' for c in kept)
        con.execute(f'CREATE OR REPLACE TABLE "{table}" ({ddl})')
        if not data.num_rows:
            return
        present = [c for c in kept if c in data.column_names]
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


def prunable(sql: str, tables: set[str] | frozenset[str]) -> bool:
    """`_prunable`, remembered per statement text (parsing a search statement takes ~0.1 s)."""
    return _prunable(sql, frozenset(tables))


@functools.lru_cache(maxsize=1024)
def _prunable(sql: str, tables: frozenset[str]) -> bool:
    """True when SQL reads no column of a store table that it does not name: no `*` over a store
    table (a `*` over a CTE or subquery names its columns there, `count(*)` reads none), no table
    alias used as a row, no `NATURAL` join or `COLUMNS(…)`. Then the local engine copies only the
    columns whose names occur in SQL. Unparseable: False (whole tables)."""
    import sqlglot
    from sqlglot import exp

    if _WHOLE.search(sql):
        return False
    parts = _STRING.split(sql)
    literals = _STRING.findall(sql)
    text = "".join(
        p.replace("?", "NULL") + (literals[i] if i < len(literals) else "") for i, p in enumerate(parts)
    )
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except Exception:  # any failure to parse: copy whole tables
        return False
    if tree is None:
        return False
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    based: set[str] = set()  # names and aliases of store tables read
    for table in tree.find_all(exp.Table):
        if table.name.lower() in ctes or table.name not in tables:
            continue
        based.update({table.name.lower(), table.alias_or_name.lower()})
    for star in tree.find_all(exp.Star):
        parent = star.parent
        if isinstance(parent, exp.Count):
            continue
        if isinstance(parent, exp.Column):
            if parent.table.lower() in based or not parent.table:
                return False
            continue
        select = star.find_ancestor(exp.Select)
        if select is None:
            return False
        sources = _sources(select)
        if not sources:
            return False
        for source in sources:
            if source is None:
                continue
            if isinstance(source.this, exp.Table) and source.this.name.lower() in based:
                return False
    for column in tree.find_all(exp.Column):
        if column.table or column.name.lower() not in based:
            continue
        select = column.find_ancestor(exp.Select)
        sources = [] if select is None else _sources(select)
        if select is None or any(
            source is not None
            and isinstance(source.this, exp.Table)
            and source.this.name in tables
            and source.this.alias_or_name.lower() == column.name.lower()
            for source in sources
        ):
            return False  # a store table's alias used as a value: its whole row
    return True


def _sources(select: Any) -> list[Any]:
    """The FROM and JOIN clauses of one SELECT (sqlglot names FROM `from_` or `from`)."""
    found = select.args.get("from_") or select.args.get("from")
    return [s for s in (found, *(select.args.get("joins") or [])) if s is not None]


def names(sql: str) -> list[str]:
    """The words of a statement that may name a table, in order, once each (a superset: the caller
    keeps those that are tables; DuckDB SQL that sqlglot cannot parse is read the same way)."""
    return list(dict.fromkeys(_WORD.findall(sql)))
