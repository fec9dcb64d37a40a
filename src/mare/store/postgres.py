"""PostgreSQL as the server store: a connection offering the part of DuckDB's Python API that Mare uses.

`open_store("postgresql://…")` (or `MARE_STORE=postgresql://…`) returns a `Store` whose `con` is a
`PostgresConnection`: `execute(sql, params)` with DuckDB SQL and `?` placeholders, `fetchone`,
`fetchall`, `fetchnumpy`, `executemany`, `register`/`unregister` of Arrow tables, `sql(...)
.to_arrow_table()`, `cursor()`, `BEGIN`/`COMMIT`/`ROLLBACK`. So the same migrations and the same
hub code run on both engines; nothing above the store knows which one it talks to.

How DuckDB SQL becomes PostgreSQL SQL (`translate`, cached per statement text):

- sqlglot parses the statement as DuckDB and writes it as PostgreSQL (types, `list()`,
  `list_contains`, `->>'$.key'`, `now()::TIMESTAMP`, `&&` for `list_has_any`, …);
- each `?` becomes `$n`, numbered in order, so a placeholder that sqlglot's rewrite repeats (as
  `list_contains` does) still takes one value;
- explicit overrides, each for one construct sqlglot leaves as DuckDB: `INSERT OR IGNORE` becomes
  `ON CONFLICT DO NOTHING`; `TRY_CAST(… AS VARCHAR[])` of JSON and `TRY_CAST(… AS DATE)` become the
  helper functions below (PostgreSQL has no TRY_CAST); `STRUCT` columns are stored as `jsonb`;
  DuckDB's settings (`SET memory_limit`, `preserve_insertion_order`, …) and `CHECKPOINT` are no-ops;
- a few DuckDB functions with no PostgreSQL twin of the same name are created once in the database
  as small SQL functions (`COMPAT_FUNCTIONS`: `regexp_full_match`, `json_type`, `length` of an
  array or a jsonb list, `split`, `suffix`, `array_sort`, `strip_accents`, `mare_list_contains`,
  `mare_text_array`, `mare_try_date`), and DuckDB's string similarities as PL/pgSQL
  (`jaro_similarity`, `jaro_winkler_similarity`, `damerau_levenshtein`: the same values);
- RE2's Unicode classes in a regular expression (`\\p{L}`, `\\p{N}`, `\\p{M}`) become their code
  point ranges, `struct_pack(…)` a `jsonb` object (a list of them comes back as a list of dicts).

Values: JSON columns come back as their text (as DuckDB returns them), NUMERIC as int or float;
the session's time zone is UTC, so `now()::TIMESTAMP` is UTC as in DuckDB. Registering an Arrow
table creates a temporary table of the session (DuckDB registers a view over the same memory).

Errors: a wrong URL, refused credentials, a missing database or a server that does not answer
raise `StoreUnavailable` with what to fix, install or start (the CLI prints it; no traceback).

Row-level security (the second wall, docs/security.md) is set up by `mare.store.postgres_rls`; the
connection carries the viewer and sets it in every transaction (`set_config(…, true)`, i.e.
`SET LOCAL`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import os
import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pyarrow as pa

from mare.store.db import StoreUnavailable
from mare.store.postgres_local import LocalEngine, is_read

_log = logging.getLogger(__name__)

__all__ = ["PostgresConnection", "StoreUnavailable", "open_postgres", "parse_url", "translate"]

SCHEMES = ("postgresql", "postgres")


def is_postgres_url(text: str | os.PathLike[str] | None) -> bool:
    """True when TEXT names a PostgreSQL store (`postgresql://…` or `postgres://…`)."""
    return isinstance(text, str) and text.split("://", 1)[0].lower() in SCHEMES and "://" in text


@dataclass(frozen=True, slots=True)
class Target:
    """Where a PostgreSQL store is: parsed from its URL."""

    user: str
    password: str | None
    host: str | None
    port: int
    database: str
    unix_sock: str | None
    app_roles: tuple[str, ...] = ()
    timeout: float = 30.0  # seconds a statement may run (`?timeout=`); 0: no limit

    def describe(self) -> str:
        """The target without its password, for messages."""
        where = f"socket {self.unix_sock}" if self.unix_sock else f"{self.host}:{self.port}"
        return f"database {self.database!r} as role {self.user!r} at {where}"


_ROLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def parse_url(url: str) -> Target:
    """Parse `postgresql://user:password@host:port/database?host=/socket/dir&app_role=…`.

    A `host` query parameter (or a host that is a path) names the folder of the server's Unix
    socket, as libpq reads it. The password may instead come from $PGPASSWORD. `app_role` (owner
    URLs only; may repeat) names the roles the application connects as: the owner grants them the
    tables and the row-level security policies apply to them. `timeout` (seconds, default 30; 0:
    none) is how long one statement may run: PostgreSQL cancels it then (`statement_timeout`) and
    Mare says which statement timed out.
    """
    example = "postgresql://USER:PASSWORD@HOST:5432/DATABASE (or ?host=/run/postgresql for a socket)"
    try:
        parts = urlsplit(url)
        port = parts.port or 5432
    except ValueError as err:
        raise StoreUnavailable(f"the store URL is malformed ({err}): expected {example}") from None
    if parts.scheme.lower() not in SCHEMES:
        raise StoreUnavailable(f"the store URL must start with postgresql://: expected {example}")
    query = parse_qs(parts.query)
    unknown = sorted(set(query) - {"host", "port", "app_role", "user", "password", "timeout"})
    if unknown:
        raise StoreUnavailable(
            f"the store URL has unknown parameter(s) {', '.join(unknown)}: "
            "only host, port, user, password, app_role and timeout are read"
        )
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise StoreUnavailable(f"the store URL names no database: expected {example}")
    user = unquote(parts.username or "") or query.get("user", [""])[0] or os.environ.get("PGUSER", "")
    if not user:
        raise StoreUnavailable(f"the store URL names no role (user): expected {example}")
    password = parts.password
    password = unquote(password) if password is not None else None
    password = password or query.get("password", [None])[0] or os.environ.get("PGPASSWORD")
    host = query.get("host", [None])[0] or (unquote(parts.hostname) if parts.hostname else None)
    if "port" in query:
        try:
            port = int(query["port"][0])
        except ValueError:
            raise StoreUnavailable(f"the store URL's port {query['port'][0]!r} is not a number") from None
    unix_sock = None
    if host is None or host.startswith("/"):
        folder = host or "/var/run/postgresql"
        unix_sock = f"{folder.rstrip('/')}/.s.PGSQL.{port}"
        host = None
    roles = tuple(query.get("app_role", []))
    timeout = 30.0
    if "timeout" in query:
        try:
            timeout = float(query["timeout"][0])
        except ValueError:
            timeout = -1.0
        if not (timeout >= 0 and math.isfinite(timeout)):
            raise StoreUnavailable(
                f"the store URL's timeout {query['timeout'][0]!r} is not a number of seconds (0: no limit)"
            )
    for role in (user, *roles):
        if not _ROLE.match(role):
            raise StoreUnavailable(f"role name {role!r} in the store URL: use letters, digits and _")
    return Target(user, password, host, port, database, unix_sock, roles, timeout)


def _connect(target: Target) -> Any:
    import pg8000.native
    from pg8000.exceptions import DatabaseError, InterfaceError

    kwargs: dict[str, Any] = {
        "user": target.user,
        "password": target.password,
        "database": target.database,
        "application_name": "mare",
        # the socket waits longer than a statement may run: PostgreSQL's cancel is what is seen
        "timeout": target.timeout + 30 if target.timeout else None,
    }
    if target.unix_sock:
        kwargs["unix_sock"] = target.unix_sock
    else:
        kwargs["host"], kwargs["port"] = target.host, target.port
    try:
        try:
            con = pg8000.native.Connection(**kwargs)
        except InterfaceError as err:
            if "network error" not in str(err):
                raise
            # the server may close the socket before pg8000 reads its refusal: ask once more
            con = pg8000.native.Connection(**kwargs)
    except DatabaseError as err:
        info = err.args[0] if err.args and isinstance(err.args[0], dict) else {}
        code, message = info.get("C", ""), info.get("M", str(err))
        if code in ("28P01", "28000"):
            raise StoreUnavailable(
                f"PostgreSQL refused the credentials for {target.describe()} ({message}): "
                "check the user and password in MARE_STORE (or $PGPASSWORD)"
            ) from None
        if code == "3D000":
            raise StoreUnavailable(
                f"PostgreSQL has no {target.describe()} ({message}): create it, "
                f"e.g. `createdb -O OWNER {target.database}`"
            ) from None
        raise StoreUnavailable(f"PostgreSQL refused {target.describe()}: {message}") from None
    except (InterfaceError, OSError) as err:
        if target.user and "password" in str(err).lower():
            raise StoreUnavailable(
                f"PostgreSQL asks a password for {target.describe()}: put it in MARE_STORE or $PGPASSWORD"
            ) from None
        if "network error" in str(err):
            raise StoreUnavailable(
                f"PostgreSQL closed the connection while {target.describe()} signed in: check the user "
                f"and password in MARE_STORE (or $PGPASSWORD), that the database exists (`createdb -O OWNER "
                f"{target.database}`), and the server's log (pg_hba.conf)"
            ) from None
        raise StoreUnavailable(
            f"PostgreSQL does not answer for {target.describe()} ({err}): start the server "
            "(`pg_ctlcluster 15 main start` or `systemctl start postgresql`), or install it "
            "(`apt-get install postgresql`, or `make postgresql`)"
        ) from None
    con.run("SET TIME ZONE 'UTC'")
    con.run("SET client_min_messages = WARNING")
    con.run(f"SET statement_timeout = {round(target.timeout * 1000)}")
    # no JIT: the row-level security policies' subplans make the planner's costs of even a small read
    # large, so PostgreSQL compiled and optimised them with LLVM (seconds per statement, 27 s for a
    # search on the tiny world under load) where running them takes milliseconds
    con.run("SET jit = off")
    for oid in (114, 3802):  # json, jsonb: their text, as DuckDB returns JSON columns
        con.register_in_adapter(oid, str)
    con.register_in_adapter(1700, _numeric)
    for oid in (1009, 1015):  # text[], varchar[]
        con.register_in_adapter(oid, _text_array)
    return con


def _text_array(text: str) -> list[str | None]:
    """A text[] as PostgreSQL writes it, read: a one-dimensional array of plain elements by a split
    (pg8000 reads it a character at a time in Python: 1.5 s for the network build's 23 k lists of
    crime areas); anything quoted, escaped or nested by pg8000's own parser."""
    if '"' in text or "\\" in text or not text.startswith("{") or text.startswith("{{"):
        from pg8000.converters import string_array_in

        return string_array_in(text)
    inner = text[1:-1]
    if not inner:
        return []
    return [None if item == "NULL" else item for item in inner.split(",")]


def _numeric(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() and "." not in text else float(value)


# ---------------------------------------------------------------------------------------------
# DuckDB SQL to PostgreSQL SQL

#: DuckDB's string similarities as PL/pgSQL, the same values: over the UTF-8 bytes of the texts (as
#: DuckDB computes them), Jaro with the integer half of the transpositions and 0 for an empty text,
#: Winkler's prefix bonus (0.1 a byte, at most 4) only above 0.7, the unrestricted Damerau-Levenshtein
#: distance (tests/postgres/test_similarity.py compares them with DuckDB's on sample texts).
STRING_SIMILARITY = (
    """CREATE OR REPLACE FUNCTION jaro_similarity(a text, b text) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  x bytea := convert_to(a, 'UTF8');
  y bytea := convert_to(b, 'UTF8');
  n int := length(x);
  m int := length(y);
  bound int;
  used_x boolean[];
  used_y boolean[];
  common int := 0;
  half int := 0;
  c int;
  j int;
BEGIN
  IF n = 0 OR m = 0 THEN
    RETURN 0;
  END IF;
  bound := greatest(greatest(n, m) / 2 - 1, 0);
  used_x := array_fill(false, ARRAY[n]);
  used_y := array_fill(false, ARRAY[m]);
  FOR i IN 0 .. n - 1 LOOP
    c := get_byte(x, i);
    FOR k IN greatest(0, i - bound) .. least(m - 1, i + bound) LOOP
      IF NOT used_y[k + 1] AND get_byte(y, k) = c THEN
        used_y[k + 1] := true;
        used_x[i + 1] := true;
        common := common + 1;
        EXIT;
      END IF;
    END LOOP;
  END LOOP;
  IF common = 0 THEN
    RETURN 0;
  END IF;
  j := 0;
  FOR i IN 0 .. n - 1 LOOP
    IF used_x[i + 1] THEN
      WHILE NOT used_y[j + 1] LOOP
        j := j + 1;
      END LOOP;
      IF get_byte(x, i) <> get_byte(y, j) THEN
        half := half + 1;
      END IF;
      j := j + 1;
    END IF;
  END LOOP;
  half := half / 2;
  RETURN (common::float8 / n::float8 + common::float8 / m::float8
          + (common - half)::float8 / common::float8) / 3::float8;
END $$""",
    """CREATE OR REPLACE FUNCTION jaro_winkler_similarity(a text, b text) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  sim float8 := jaro_similarity(a, b);
  x bytea;
  y bytea;
  most int;
  prefix int := 0;
  f float8;
  g float8;
  p float8;
  e float8;
  s float8;
  t float8;
  fh float8;
  gh float8;
BEGIN
  IF sim <= 0.7::float8 THEN
    RETURN sim;
  END IF;
  x := convert_to(a, 'UTF8');
  y := convert_to(b, 'UTF8');
  most := least(length(x), length(y), 4);
  WHILE prefix < most AND get_byte(x, prefix) = get_byte(y, prefix) LOOP
    prefix := prefix + 1;
  END LOOP;
  -- sim + prefix * 0.1 * (1 - sim) with the multiply-add fused, rounded once, as DuckDB's build
  -- computes it: the product's rounding error (Dekker) and the sum's (Knuth) added back
  f := prefix::float8 * 0.1::float8;
  g := 1::float8 - sim;
  p := f * g;
  t := 134217729::float8 * f;
  fh := t - (t - f);
  t := 134217729::float8 * g;
  gh := t - (t - g);
  e := ((fh * gh - p) + fh * (g - gh) + (f - fh) * gh) + (f - fh) * (g - gh);
  s := p + sim;
  t := s - p;
  RETURN s + (((p - (s - t)) + (sim - t)) + e);
END $$""",
    """CREATE OR REPLACE FUNCTION damerau_levenshtein(a text, b text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  x bytea := convert_to(a, 'UTF8');
  y bytea := convert_to(b, 'UTF8');
  n int := length(x);
  m int := length(y);
  w int := m + 2;
  d int[];
  last int[] := array_fill(0, ARRAY[256]);
  db int;
  k int;
  l int;
  cost int;
  c int;
BEGIN
  IF n = 0 OR m = 0 THEN
    RETURN n + m;
  END IF;
  -- d[i][j] for i in -1..n, j in -1..m at (i + 1) * w + (j + 1) + 1
  d := array_fill(0, ARRAY[(n + 2) * w]);
  d[1] := n + m;
  FOR i IN 0 .. n LOOP
    d[(i + 1) * w + 1] := n + m;
    d[(i + 1) * w + 2] := i;
  END LOOP;
  FOR j IN 0 .. m LOOP
    d[j + 2] := n + m;
    d[w + j + 2] := j;
  END LOOP;
  FOR i IN 1 .. n LOOP
    db := 0;
    c := get_byte(x, i - 1);
    FOR j IN 1 .. m LOOP
      k := last[get_byte(y, j - 1) + 1];
      l := db;
      IF c = get_byte(y, j - 1) THEN
        cost := 0;
        db := j;
      ELSE
        cost := 1;
      END IF;
      d[(i + 1) * w + j + 2] := least(
        d[i * w + j + 1] + cost,
        d[(i + 1) * w + j + 1] + 1,
        d[i * w + j + 2] + 1,
        d[k * w + l + 1] + (i - k - 1) + 1 + (j - l - 1));
    END LOOP;
    last[c + 1] := i;
  END LOOP;
  RETURN d[(n + 1) * w + m + 2];
END $$""",
)

#: DuckDB functions without a PostgreSQL twin of that name, created in the store's schema.
COMPAT_FUNCTIONS = (
    "CREATE OR REPLACE FUNCTION round(double precision, integer) RETURNS double precision LANGUAGE sql "
    "IMMUTABLE PARALLEL SAFE AS $$ SELECT round($1::numeric, $2)::double precision $$",
    "CREATE OR REPLACE FUNCTION regexp_full_match(text, text) RETURNS boolean "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 ~ ('^(?:' || $2 || ')$') $$",
    "CREATE OR REPLACE FUNCTION json_type(json) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "AS $$ SELECT upper(json_typeof($1)) $$",
    "CREATE OR REPLACE FUNCTION json_type(jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "AS $$ SELECT upper(jsonb_typeof($1)) $$",
    "CREATE OR REPLACE FUNCTION length(anyarray) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "AS $$ SELECT coalesce(cardinality($1), 0) $$",
    "CREATE OR REPLACE FUNCTION split(text, text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "AS $$ SELECT string_to_array($1, $2) $$",
    # TRY_CAST(json AS VARCHAR[]): the array's elements as text; NULL unless a JSON array
    # STRICT: NULL for NULL as before, without the call. Not inlinable (a subquery), it was called
    # for every row the policy checks, restrictions or none: ×3 a records scan under the policy
    "CREATE OR REPLACE FUNCTION mare_text_array(json) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT "
    "PARALLEL SAFE AS $$ SELECT CASE WHEN json_typeof($1) = 'array' THEN "
    "ARRAY(SELECT CASE WHEN json_typeof(e) = 'string' THEN e #>> '{}' ELSE e::text END "
    "FROM json_array_elements($1) e) END $$",
    "CREATE OR REPLACE FUNCTION mare_text_array(anyelement) RETURNS text[] LANGUAGE sql IMMUTABLE "
    "STRICT PARALLEL SAFE AS $$ SELECT mare_text_array(to_json($1)) $$",
    # list_contains(list, x): NULL for a NULL x, as in DuckDB (x's type from the list's)
    "CREATE OR REPLACE FUNCTION mare_list_contains(anyarray, anyelement) RETURNS boolean LANGUAGE sql "
    "IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN $2 IS NULL THEN NULL "
    "ELSE coalesce($2 = ANY($1), false) END $$",
    # TRY_CAST(text AS DATE): NULL for what is not a date. PARALLEL UNSAFE: its EXCEPTION block is a
    # subtransaction, which no parallel plan may start ("cannot start subtransactions during a
    # parallel operation" once the tables' statistics made the policy's scans parallel)
    "CREATE OR REPLACE FUNCTION mare_try_date(text) RETURNS date LANGUAGE plpgsql IMMUTABLE "
    "STRICT PARALLEL UNSAFE AS $$ BEGIN RETURN $1::date; EXCEPTION WHEN others THEN RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION suffix(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "AS $$ SELECT right($1, length($2)) = $2 $$",
    # list_sort(list): ascending, NULLs last, text by its bytes as DuckDB sorts it
    "CREATE OR REPLACE FUNCTION array_sort(text[]) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT "
    "PARALLEL SAFE AS $$ SELECT coalesce(array_agg(x ORDER BY x COLLATE \"C\" NULLS LAST), '{}') "
    "FROM unnest($1) x $$",
    "CREATE OR REPLACE FUNCTION array_sort(anyarray) RETURNS anyarray LANGUAGE sql IMMUTABLE STRICT "
    "PARALLEL SAFE AS $$ SELECT coalesce(array_agg(x ORDER BY x NULLS LAST), $1[1:0]) FROM unnest($1) x $$",
    # len(struct_list): STRUCT lists are jsonb here
    "CREATE OR REPLACE FUNCTION length(jsonb) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "AS $$ SELECT CASE WHEN jsonb_typeof($1) = 'array' THEN jsonb_array_length($1) END $$",
    *STRING_SIMILARITY,
)


def strip_accents_function() -> str:
    """DuckDB's `strip_accents`: the text decomposed, its marks (Unicode category M) removed,
    composed again."""
    return (
        "CREATE OR REPLACE FUNCTION strip_accents(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT "
        "PARALLEL SAFE AS $$ SELECT normalize(regexp_replace(normalize($1, NFD), "
        f"'[{unicode_ranges('M')}]+', '', 'g'), NFC) $$"
    )


#: Indexes only PostgreSQL needs (the ends of links and hits are indexed on both backends: migration 19).
PG_INDEXES = (
    # the network's monthly call counts, one contribution's calls at a time
    "CREATE INDEX IF NOT EXISTS calls_contribution_pg ON calls (contribution)",
    # the replaced contributions, which every policy reads once per statement
    # (`mare_superseded_contributions`): a scan of the few, not of every contribution (a record read on
    # the medium hub 27.5 -> 20 ms)
    "CREATE INDEX IF NOT EXISTS contributions_superseded_pg ON contributions (uid) "
    "WHERE superseded_by IS NOT NULL",
)

_NOOP = re.compile(
    r"^\s*(SET\s+(preserve_insertion_order|memory_limit|temp_directory|threads|enable_progress_bar)\b"
    r"|CHECKPOINT\b|FORCE\s+CHECKPOINT\b)",
    re.I,
)
_TX = re.compile(r"^\s*(BEGIN|START|COMMIT|END|ROLLBACK|ABORT)\b(\s+TRANSACTION|\s+WORK)?\s*;?\s*$", re.I)


def _number_placeholders(sql: str) -> str:
    """Each `?` outside quotes and comments as `$n`, numbered in the order written."""
    out: list[str] = []
    n, i, size = 0, 0, len(sql)
    while i < size:
        ch = sql[i]
        if ch in "'\"":
            end = i + 1
            while end < size:
                if sql[end] == ch:
                    if end + 1 < size and sql[end + 1] == ch:
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = size if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif ch == "?":
            n += 1
            out.append(f"${n}")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Statement:
    """One PostgreSQL statement translated from DuckDB SQL."""

    sql: str
    params: int  # how many `?` of the original it uses ($1..$params)
    control: str | None = None  # BEGIN, COMMIT, ROLLBACK: handled by the connection
    before: str | None = None  # run first, without parameters (the DROP of CREATE OR REPLACE TABLE)
    inline: bool = False  # parameters written into the SQL as literals (CREATE TABLE … AS takes none)


@functools.lru_cache(maxsize=8192)
def translate(sql: str) -> tuple[Statement, ...]:
    """DuckDB SQL (one or more statements, `?` placeholders) as PostgreSQL statements."""
    import sqlglot
    from sqlglot import exp

    if _NOOP.match(sql):
        return ()
    tx = _TX.match(sql)
    if tx:
        word = tx.group(1).upper()
        control = {"START": "BEGIN", "END": "COMMIT", "ABORT": "ROLLBACK"}.get(word, word)
        return (Statement(control, 0, control),)
    sql = _number_placeholders(sql)  # in the order they are written: $1, $2, …
    try:
        trees = [t for t in sqlglot.parse(sql, read="duckdb") if t is not None]
    except sqlglot.errors.ParseError as err:
        raise ValueError(f"cannot translate this DuckDB SQL to PostgreSQL ({err}): {sql[:200]}") from None
    out = []
    for tree in trees:
        counter = [0, 0]

        def fix(node: exp.Expression, counter: list[int] = counter) -> exp.Expression:
            if isinstance(node, exp.Placeholder) and str(node.this or "").isdigit():
                counter[0] = max(counter[0], int(node.this))
                param = exp.Parameter(this=exp.Literal.number(int(node.this)))
                if isinstance(node.parent, exp.Is):  # `$n IS NULL` alone tells no type
                    return exp.Cast(this=param, to=exp.DataType.build("text"))
                return param
            if (
                isinstance(node, exp.FromJson)
                and isinstance(node.expression, exp.Literal)
                and node.expression.this.replace(" ", "") == '["VARCHAR"]'
            ):  # from_json(json, '["VARCHAR"]'): the array's elements as text
                return exp.Anonymous(this="mare_text_array", expressions=[node.this.transform(fix)])
            if (
                isinstance(node, exp.Dot)
                and isinstance(node.this, exp.Explode)
                and isinstance(node.expression, exp.Identifier)
            ):  # unnest(struct_list).field: the STRUCT list is jsonb here
                elements = exp.Anonymous(
                    this="jsonb_array_elements", expressions=[node.this.this.transform(fix)]
                )
                return exp.JSONExtractScalar(
                    this=elements, expression=exp.Literal.string(node.expression.name)
                )
            if isinstance(node, exp.JarowinklerSimilarity):  # STRING_SIMILARITY's function
                args = [node.this.transform(fix), node.expression.transform(fix)]
                return exp.Anonymous(this="jaro_winkler_similarity", expressions=args)
            if isinstance(node, exp.Struct):  # struct_pack(k := v, …) / {'k': v}: a jsonb object
                pairs: list[exp.Expression] = []
                for item in node.expressions:
                    if isinstance(item, exp.PropertyEQ):
                        key, value = item.this.name, item.expression
                    elif isinstance(item, exp.Alias):
                        key, value = item.alias, item.this
                    else:
                        return node
                    pairs += [exp.Literal.string(key), value.transform(fix)]
                return exp.Anonymous(this="jsonb_build_object", expressions=pairs)
            if (
                isinstance(node, exp.Cast)
                and isinstance(node.this, exp.JSONExtract)
                and node.args["to"].is_type(exp.DataType.Type.ARRAY)
            ):  # CAST(json -> '$.k' AS VARCHAR[]): the JSON array's elements as text
                return exp.Anonymous(this="mare_text_array", expressions=[node.this.transform(fix)])
            if (
                isinstance(node, exp.Literal)
                and node.is_string
                and ("\\p{" in node.this or "[:" in node.this)
                and isinstance(node.parent, (exp.RegexpReplace, exp.RegexpLike, exp.RegexpExtract))
            ):  # RE2's classes: Unicode ones PostgreSQL lacks, POSIX ones ASCII-only as in RE2
                return exp.Literal.string(_unicode_classes(node.this))
            if isinstance(node, exp.ArrayContains):  # list_contains(list, x)
                args = [node.this.transform(fix), node.expression.transform(fix)]
                return exp.Anonymous(this="mare_list_contains", expressions=args)
            if isinstance(node, exp.TryCast):
                to = node.args["to"]
                node = exp.TryCast(this=node.this.transform(fix), to=to)
                if to.is_type(exp.DataType.Type.ARRAY):
                    return exp.Anonymous(this="mare_text_array", expressions=[node.this])
                if to.is_type(exp.DataType.Type.DATE):
                    return exp.Anonymous(
                        this="mare_try_date",
                        expressions=[exp.Cast(this=node.this, to=exp.DataType.build("text"))],
                    )
                return exp.Cast(this=node.this, to=to)
            if isinstance(node, exp.DataType) and _has_struct(node):
                return exp.DataType.build("jsonb")
            if isinstance(node, exp.Group) and node.args.get("all") and isinstance(node.parent, exp.Select):
                # GROUP BY ALL: the positions of the selected expressions that aggregate nothing
                keys = [
                    exp.Literal.number(i + 1)
                    for i, e in enumerate(node.parent.expressions)
                    if not e.find(exp.AggFunc)
                ]
                return exp.Group(expressions=keys)
            if (
                isinstance(node, exp.Order)
                and isinstance(node.parent, exp.Select)
                and len(node.expressions) == 1
                and isinstance(node.expressions[0].this, exp.Var)
                and node.expressions[0].this.name.upper() == "ALL"
            ):  # ORDER BY ALL: every selected column, left to right (NULLS LAST, as DuckDB)
                desc = bool(node.expressions[0].args.get("desc"))
                return exp.Order(
                    expressions=[
                        exp.Ordered(this=exp.Literal.number(i + 1), desc=desc, nulls_first=False)
                        for i in range(len(node.parent.expressions))
                    ]
                )
            if isinstance(node, exp.Select) and _semi_or_anti(node):
                # t SEMI/ANTI JOIN u USING (k) / ON c: [NOT] EXISTS (SELECT 1 FROM u WHERE …)
                (join,) = node.args["joins"]
                if join.args.get("using"):
                    left = _sources_of(node)[0].this.alias_or_name
                    right = join.this.alias_or_name
                    cond: Any = exp.and_(
                        *(
                            exp.EQ(
                                this=exp.column(k.name, table=left),
                                expression=exp.column(k.name, table=right),
                            )
                            for k in join.args["using"]
                        )
                    )
                else:
                    cond = join.args["on"]
                test: exp.Expression = exp.Exists(this=exp.select("1").from_(join.this).where(cond))
                if str(join.args.get("kind")).upper() == "ANTI":
                    test = exp.Not(this=test)
                node.set("joins", None)
                node.where(test, copy=False)
                return node
            if isinstance(node, exp.ArgMax):  # arg_max(x, y): x of the row with the greatest y
                ordered = exp.Order(
                    this=node.this.transform(fix),
                    expressions=[
                        exp.Ordered(this=node.expression.transform(fix), desc=True, nulls_first=False)
                    ],
                )
                aggregated = exp.ArrayAgg(this=ordered)
                return exp.Bracket(this=exp.Paren(this=aggregated), expressions=[exp.Literal.number(0)])
            if (
                isinstance(node, exp.Subquery)
                and not node.alias
                and isinstance(node.parent, (exp.From, exp.Join))
            ):  # PostgreSQL (before 16) wants every subquery in FROM named
                counter[1] += 1
                node.set("alias", exp.TableAlias(this=exp.to_identifier(f"_q{counter[1]}")))
            return node

        tree = tree.transform(fix)
        if isinstance(tree, exp.Insert) and str(tree.args.get("alternative") or "").upper() == "IGNORE":
            tree.set("alternative", None)
            tree.set("conflict", exp.OnConflict(duplicate=False, action=exp.var("DO NOTHING")))
        before = None
        if (
            isinstance(tree, exp.Create)
            and tree.args.get("replace")
            and str(tree.args.get("kind")).upper() == "TABLE"
        ):
            # PostgreSQL has no CREATE OR REPLACE TABLE: drop it first
            tree.set("replace", False)
            name = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
            before = f"DROP TABLE IF EXISTS {name.sql(dialect='postgres')}"
        inline = isinstance(tree, exp.Create) and counter[0] > 0
        out.append(Statement(tree.sql(dialect="postgres"), counter[0], before=before, inline=inline))
    if len(out) > 1 and any(s.params for s in out):
        raise ValueError("several statements with ? placeholders in one execute(): split them")
    return tuple(out)


@functools.lru_cache(maxsize=4)
def unicode_ranges(categories: str) -> str:
    """The code points of the Unicode general categories starting with one of CATEGORIES (`LN`:
    letters and numbers), as ranges for a bracket expression of PostgreSQL's regular expressions."""
    import sys
    import unicodedata

    out: list[str] = []
    start: int | None = None
    for cp in (*range(0x40000), *range(0xE0000, min(0xE1000, sys.maxunicode + 1)), -1):
        inside = cp >= 0 and unicodedata.category(chr(cp))[0] in categories
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            end = cp - 1 if cp >= 0 else 0xE0FFF
            out.append(chr(start) if end == start else f"{chr(start)}-{chr(end)}")
            start = None
    return "".join(out)


#: RE2's POSIX classes match ASCII only (PostgreSQL's follow the locale)
_POSIX_CLASSES = {"alnum": "0-9A-Za-z", "alpha": "A-Za-z", "digit": "0-9", "upper": "A-Z", "lower": "a-z"}


def _unicode_classes(pattern: str) -> str:
    """A regular expression with RE2's `\\p{L}`, `\\p{N}` and `\\p{M}` written as the code point ranges
    of those categories (inside a bracket expression, or as one of their own outside), and its POSIX
    classes as their ASCII ranges."""
    for name, ascii in _POSIX_CLASSES.items():
        pattern = pattern.replace(f"[:{name}:]", ascii)
    out, i, inside = [], 0, False
    while i < len(pattern):
        found = re.match(r"\\p\{([LNM])\}", pattern[i:])
        if found:
            ranges = unicode_ranges(found.group(1))
            out.append(ranges if inside else f"[{ranges}]")
            i += found.end()
            continue
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[" and not inside:
            inside = True
            out.append(pattern[i : i + 2] if pattern[i + 1 : i + 2] == "^" else ch)
            i += len(out[-1])
            continue
        if ch == "]" and inside:
            inside = False
        out.append(ch)
        i += 1
    return "".join(out)


def _sources_of(select: Any) -> list[Any]:
    found = select.args.get("from_") or select.args.get("from")
    return [found] if found is not None else []


def _semi_or_anti(select: Any) -> bool:
    """A SELECT FROM one table with one `SEMI`/`ANTI JOIN` (USING or ON) and nothing else joined."""
    from sqlglot import exp

    joins = select.args.get("joins") or []
    if len(joins) != 1 or str(joins[0].args.get("kind") or "").upper() not in ("SEMI", "ANTI"):
        return False
    sources = _sources_of(select)
    join = joins[0]
    return (
        len(sources) == 1
        and isinstance(sources[0].this, exp.Table)
        and isinstance(join.this, exp.Table)
        and bool(join.args.get("using") or join.args.get("on"))
        and not join.args.get("side")
        and sources[0].this.alias_or_name != join.this.alias_or_name  # `t.k = t.k`: ambiguous
    )


def _has_struct(node: Any) -> bool:
    from sqlglot import exp

    if node.is_type(exp.DataType.Type.STRUCT):
        return True
    return bool(
        node.is_type(exp.DataType.Type.ARRAY) and node.expressions and _has_struct(node.expressions[0])
    )


# ---------------------------------------------------------------------------------------------
# Parameters

_OID_UNKNOWN, _OID_BOOL, _OID_INT8, _OID_FLOAT8 = 0, 16, 20, 701
_OID_TIMESTAMP, _OID_TIMESTAMPTZ, _OID_DATE, _OID_TIME = 1114, 1184, 1082, 1083
_OID_TEXT_ARRAY, _OID_INT8_ARRAY, _OID_FLOAT8_ARRAY = 1009, 1016, 1022


def _param(value: Any) -> tuple[Any, int]:
    """A Python value (numpy scalars included) and the type PostgreSQL is told it has."""
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict, str, bytes)):
        value = value.item()  # numpy scalar
    if value is None or isinstance(value, str):
        return value, _OID_UNKNOWN  # the server infers it from where it stands
    if isinstance(value, bool):
        return value, _OID_BOOL
    if isinstance(value, int):
        return value, _OID_INT8
    if isinstance(value, float):
        return value, _OID_FLOAT8
    if isinstance(value, datetime):
        return value, _OID_TIMESTAMPTZ if value.tzinfo else _OID_TIMESTAMP
    if isinstance(value, date):
        return value, _OID_DATE
    if isinstance(value, time):
        return value, _OID_TIME
    if isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list, tuple)) for v in value):
        return json.dumps(value, default=str), _OID_UNKNOWN  # a STRUCT list: jsonb here
    if isinstance(value, (list, tuple)):
        items = [v.item() if hasattr(v, "item") else v for v in value]
        kinds = {type(v) for v in items if v is not None}
        if kinds <= {int}:
            return items, _OID_INT8_ARRAY if kinds else _OID_TEXT_ARRAY
        if kinds <= {int, float}:
            return items, _OID_FLOAT8_ARRAY
        return [None if v is None else str(v) for v in items], _OID_TEXT_ARRAY
    if isinstance(value, dict):
        return json.dumps(value), _OID_UNKNOWN
    return value, _OID_UNKNOWN


_IN_LIST = re.compile(r"(\bNOT\s+)?\bIN\s*\(\s*(\$\d+(?:\s*,\s*\$\d+)*)\s*\)", re.I)
_PLACEHOLDER_OR_PACK = re.compile(r"\$(\d+)\b|\x00(\d+)\x00")


@functools.lru_cache(maxsize=4096)
def _packing(sql: str, texts: frozenset[int]) -> tuple[str, tuple[int | tuple[int, ...], ...]] | None:
    """SQL with each `x [NOT] IN ($i, $j, …)` whose values are all texts written `x = ANY($k)`
    (`x <> ALL($k)`), and where each new placeholder takes its value from: an old placeholder's
    number, or the numbers whose values make the array; None when there is no such list.

    One statement text, and so one prepared statement and (in time) one plan, for any number of
    uids: an entity page's reads name a different number of records each time, and planning the
    row-level security policies anew for every length was most of the page (18–24 ms a plan)."""
    counts: dict[int, int] = {}
    for found in re.findall(r"\$(\d+)\b", sql):
        counts[int(found)] = counts.get(int(found), 0) + 1
    packs: list[tuple[int, ...]] = []

    def pack(match: re.Match[str]) -> str:
        numbers = tuple(int(n) for n in re.findall(r"\d+", match.group(2)))
        if len(numbers) < 2 or any(n not in texts or counts.get(n) != 1 for n in numbers):
            return match.group(0)
        packs.append(numbers)
        token = f"\x00{len(packs) - 1}\x00"
        return f"<> ALL({token})" if match.group(1) else f"= ANY({token})"

    packed = _IN_LIST.sub(pack, sql)
    if not packs:
        return None
    sources: list[int | tuple[int, ...]] = []
    renumbered: dict[int, int] = {}

    def number(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            old = int(match.group(1))
            if old not in renumbered:
                sources.append(old)
                renumbered[old] = len(sources)
            return f"${renumbered[old]}"
        sources.append(packs[int(match.group(2))])
        return f"${len(sources)}"

    return _PLACEHOLDER_OR_PACK.sub(number, packed), tuple(sources)


def _array_text(items: Sequence[str]) -> str:
    """Texts as an array literal, sent untyped: the server reads it as an array of the compared
    column's type, as it read each text of the list before."""
    quoted = ('"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"' for t in items)
    return "{" + ",".join(quoted) + "}"


def pack_in_lists(sql: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """`_packing` applied: the statement and its values (unchanged where nothing packs)."""
    upper = sql.upper()
    if len(values) < 2 or (" IN " not in upper and "IN(" not in upper):
        return sql, list(values)
    texts = frozenset(i + 1 for i, v in enumerate(values) if isinstance(v, str))
    plan = _packing(sql, texts) if texts else None
    if plan is None:
        return sql, list(values)
    packed, sources = plan
    return packed, [
        values[s - 1] if isinstance(s, int) else _array_text([values[n - 1] for n in s]) for s in sources
    ]


def _literal(value: Any) -> str:
    """A value as a PostgreSQL literal (for the statements that take no parameters)."""
    value, oid = _param(value)
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value) if math.isfinite(value) else f"'{value}'::float8"
    if isinstance(value, list):
        array = {_OID_INT8_ARRAY: "bigint[]", _OID_FLOAT8_ARRAY: "float8[]"}.get(oid, "text[]")
        return "ARRAY[" + ", ".join(_literal(v) for v in value) + f"]::{array}"
    text = "'" + str(value).replace("'", "''") + "'"
    kinds = {
        _OID_TIMESTAMP: "timestamp",
        _OID_TIMESTAMPTZ: "timestamptz",
        _OID_DATE: "date",
        _OID_TIME: "time",
    }
    return f"{text}::{kinds[oid]}" if oid in kinds else text


def _inline(sql: str, values: Sequence[Any]) -> str:
    """SQL with each `$n` (outside quotes) replaced by its value as a literal."""
    literals = [_literal(v) for v in values]
    return re.sub(
        r"'(?:[^']|'')*'|\$(\d+)",
        lambda m: literals[int(m.group(1)) - 1] if m.group(1) else m.group(0),
        sql,
    )


# ---------------------------------------------------------------------------------------------
# Arrow tables in and out

_ARROW_TO_PG = (
    (pa.types.is_string, "text"),
    (pa.types.is_large_string, "text"),
    (pa.types.is_boolean, "boolean"),
    (pa.types.is_int8, "smallint"),
    (pa.types.is_int16, "smallint"),
    (pa.types.is_int32, "integer"),
    (pa.types.is_uint8, "smallint"),
    (pa.types.is_uint16, "integer"),
    (pa.types.is_uint32, "bigint"),
    (pa.types.is_int64, "bigint"),
    (pa.types.is_uint64, "numeric"),
    (pa.types.is_float32, "real"),
    (pa.types.is_float64, "double precision"),
    (pa.types.is_timestamp, "timestamp"),
    (pa.types.is_date, "date"),
    (pa.types.is_null, "text"),
)


def _pg_type(kind: pa.DataType) -> str:
    if pa.types.is_dictionary(kind):  # dictionary-encoded: a column of its values' type
        return _pg_type(kind.value_type)
    for test, name in _ARROW_TO_PG:
        if test(kind):
            if name == "timestamp" and getattr(kind, "tz", None):
                return "timestamptz"
            return name
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        inner = kind.value_type
        if pa.types.is_struct(inner) or pa.types.is_list(inner):
            return "jsonb"
        return _pg_type(inner) + "[]"
    return "jsonb"  # structs, maps: as JSON


def _text(value: Any, kind: str) -> str | None:
    """One value in PostgreSQL's text input form for a column of type KIND."""
    if value is None:
        return None
    if kind == "jsonb":
        return json.dumps(value, default=str)
    if kind.endswith("[]"):
        inner = kind[:-2]
        return "{" + ",".join(_array_item(_text(v, inner)) for v in value) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _array_item(text: str | None) -> str:
    if text is None:
        return "NULL"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ARROW_FROM_OID = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    700: pa.float32(),
    701: pa.float64(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
    1009: pa.list_(pa.string()),
    1016: pa.list_(pa.int64()),
    1007: pa.list_(pa.int32()),
}


# ---------------------------------------------------------------------------------------------
# The connection


#: Statements prepared once per session and kept (with their plans); the least used closed beyond.
_PREPARED_MAX = 512
_PREPARABLE = re.compile(r"^\s*\(?\s*(SELECT|WITH|INSERT|UPDATE|DELETE|VALUES)\b", re.I)
_UTILITY = re.compile(
    r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START|END|ABORT|CREATE|DROP|ALTER|SET|RESET|GRANT"
    r"|REVOKE|TRUNCATE|VACUUM|ANALYZE|LOCK|DISCARD)\b",
    re.I,
)
#: CREATE TEMP TABLE … AS: a table filled at once, analysed at once.
_FILLS_TEMP = re.compile(
    r"^\s*CREATE\s[^(]*?\bTABLE\b.*?\bAS\s*\(?\s*(SELECT|WITH|VALUES|TABLE)\b", re.I | re.S
)
#: A registered Arrow table of at least this many rows is analysed once filled (see _send).
ANALYZE_REGISTERED = 1_000
#: A bulk write of at least this many rows into a store table may analyse it (analyze_after_load).
ANALYZE_LOADED = 1_000
_CREATES_TEMP = re.compile(
    r"^\s*CREATE\s+(?:GLOBAL\s+|LOCAL\s+)?TEMP(?:ORARY)?\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?:pg_temp\.)?(\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_$]*)",
    re.I,
)


class PostgresConnection:
    """A PostgreSQL connection that speaks DuckDB's Python API, as far as Mare uses it."""

    def __init__(self, target: Target, con: Any | None = None) -> None:
        self.target = target
        self._con = con if con is not None else _connect(target)
        self._rows: list[tuple[Any, ...]] = []
        self._pos = 0
        self._columns: list[dict[str, Any]] = []
        self._in_tx = False
        self._registered: set[str] = set()
        self._temps: set[str] = set()  # temporary tables this session created with SQL
        self._prepared: OrderedDict[tuple[str, tuple[int, ...]], tuple[bytes, Any, Any]] = OrderedDict()
        self._arrows: dict[str, pa.Table] = {}  # registered tables, for the local engine
        self._local = LocalEngine()
        self.viewer: dict[str, str] | None = None
        self._session_viewer: dict[str, str] | None = None

    # -- the viewer (row-level security) ------------------------------------------------------
    def set_viewer(self, settings: dict[str, str] | None) -> None:
        """The viewer the following statements run as (`mare.*` settings); None: none (no rows).

        Set for the session (one round trip, when it changes) and again with `SET LOCAL` at the start
        of every transaction, so a transaction never runs with another viewer's settings even where
        a pooler hands the connection on between transactions."""
        self.viewer = dict(settings) if settings else None
        if self._in_tx:
            self._apply_viewer(local=True)
        else:
            self._sync_session()

    def _sync_session(self) -> None:
        if self._session_viewer != self.viewer:
            self._apply_viewer(local=False)
            self._session_viewer = dict(self.viewer) if self.viewer else None

    def _apply_viewer(self, local: bool = True) -> None:
        settings = self.viewer or (
            {name: "" for name in self._session_viewer} if self._session_viewer else {}
        )
        if not settings:
            return
        names = list(settings)
        flag = "true" if local else "false"
        sql = "SELECT " + ", ".join(f"set_config('{n}', ${i + 1}, {flag})" for i, n in enumerate(names))
        self._run(sql, [settings[n] for n in names])

    # -- executing ------------------------------------------------------------------------------
    def _send(self, sql: str, values: list[Any], oids: tuple[int, ...]) -> Any:
        """Run one PostgreSQL statement in as few round trips as it allows.

        A read or a write of the store's tables is prepared once per session (named: after five runs
        PostgreSQL may keep its plan, and planning the row-level security policies is most of a point
        read) and then runs in one round trip; a statement without parameters that is not one (BEGIN,
        SAVEPOINT, DDL) goes as a simple query, one round trip; anything else as pg8000's unnamed
        statement (three)."""
        from pg8000.converters import make_params

        con = self._con
        if _PREPARABLE.match(sql) and not self._names_temp(sql):
            key = (sql, oids)
            entry = self._prepared.get(key)
            if entry is None:
                entry = con.prepare_statement(sql, list(oids))
                self._prepared[key] = entry
                if len(self._prepared) > _PREPARED_MAX:
                    self._close_prepared(self._prepared.popitem(last=False)[1][0])
            else:
                self._prepared.move_to_end(key)
            name, columns, input_funcs = entry
            try:
                return con.execute_named(name, make_params(con.py_types, values), columns, input_funcs, sql)
            except Exception:
                # e.g. "cached plan must not change result type": prepared again next time
                self._prepared.pop(key, None)
                raise
        if not values and _UTILITY.match(sql):
            created = _CREATES_TEMP.match(sql)
            if created:
                self._temps.add(created.group(1).strip('"').lower())
            context = con.execute_simple(sql)
            if created and _FILLS_TEMP.match(sql):
                # No autovacuum for temporary tables: without statistics the planner guesses (a
                # filter on `visibility` estimated at 0.5 % of the rows), and the network build's
                # join of record_values became 23 k index lookups, each checking a policy (5 s)
                con.execute_simple(f"ANALYZE pg_temp.{created.group(1)}")
            return context
        return con.execute_unnamed(sql, vals=values, oids=list(oids))

    def _names_temp(self, sql: str) -> bool:
        """Whether SQL names a temporary table of this session (not prepared: it may come back with
        other columns)."""
        names = self._temps | {n.lower() for n in self._registered}
        if not names:
            return False
        words = set(re.findall(r"[a-z_][a-z0-9_$]*", sql.lower()))
        return not names.isdisjoint(words)

    def _close_prepared(self, name: bytes) -> None:
        with contextlib.suppress(Exception):
            self._con.close_prepared_statement(name)

    def _run(self, sql: str, values: Sequence[Any] = ()) -> Any:
        from pg8000.exceptions import DatabaseError, InterfaceError

        converted = [_param(v) for v in values]
        try:
            return self._send(sql, [v for v, _ in converted], tuple(o for _, o in converted))
        except DatabaseError as err:
            info = err.args[0] if err.args and isinstance(err.args[0], dict) else {}
            if info.get("C") == "57014" and "statement timeout" in info.get("M", ""):
                raise StatementTimeout(self.target.timeout, sql) from None
            raise PostgresError(info.get("M", str(err)), info.get("C", ""), sql) from None
        except (InterfaceError, OSError) as err:
            if isinstance(err, TimeoutError) or "timed out" in str(err):
                raise StatementTimeout(self.target.timeout, sql, socket=True) from None
            raise StoreUnavailable(
                f"lost the connection to PostgreSQL ({self.target.describe()}): {err}; "
                "start the server again and repeat the command (nothing half-written was kept)"
            ) from None

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> PostgresConnection:
        """Run DuckDB SQL; results are read with fetchone/fetchall/fetchnumpy.

        A read PostgreSQL refuses as untranslated runs in the session's local DuckDB instead, on
        what the session may read (`postgres_local`)."""
        values = list(parameters or [])
        if self._local.claims(sql):
            return self._execute_local(sql, values)
        probe = is_read(sql) and sql not in _ON_SERVER
        if not probe:
            return self._execute(sql, values)
        if self._in_tx:
            self._run("SAVEPOINT mare_local")
        try:
            self._execute(sql, values)
        except (PostgresError, ValueError) as err:
            if isinstance(err, PostgresError) and err.code not in _UNTRANSLATED:
                raise
            if self._in_tx:
                self._run("ROLLBACK TO SAVEPOINT mare_local")
            self._local.routed.add(sql)
            _log.debug("runs locally (%s): %s", getattr(err, "code", "untranslated"), sql)
            return self._execute_local(sql, values)
        if self._in_tx:
            self._run("RELEASE SAVEPOINT mare_local")
        if len(_ON_SERVER) > 8192:
            _ON_SERVER.clear()
        _ON_SERVER.add(sql)
        return self

    def _execute_local(self, sql: str, values: list[Any]) -> PostgresConnection:
        def read(table: str, columns: list[str] | None) -> pa.Table:
            listed = ", ".join(_ident(c) for c in columns) if columns is not None else "*"
            context = self._run(f"SELECT {listed} FROM {_ident(table)}")
            self._columns = list(context.columns or [])
            return self._arrow([tuple(r) for r in (context.rows or [])])

        columns, rows = self._local.run(sql, values, read, self._arrows)
        self._columns = [{"name": c, "type_oid": 0} for c in columns]
        self._rows, self._pos = rows, 0
        return self

    def _execute(self, sql: str, values: list[Any]) -> PostgresConnection:
        statements = translate(sql)
        if len(statements) == 1 and statements[0].params != len(values):
            raise ValueError(
                f"{len(values)} parameter(s) given for {statements[0].params} placeholder(s): {sql[:200]}"
            )
        self._rows, self._pos, self._columns = [], 0, []
        for statement in statements:
            if statement.control:
                self._control(statement.control)
                continue
            args = values[: statement.params]
            if statement.inline:
                statement = Statement(_inline(statement.sql, args), 0, before=statement.before)
                args = []
            if statement.before:
                self._run(statement.before)
            text, packed = pack_in_lists(statement.sql, args)
            if text is statement.sql:
                context = self._run(text, packed)
            else:
                # PostgreSQL plans `= ANY($n)` for each array it is given, as it cannot tell a
                # generic plan (an array of unknown length) no dearer: planning the policies again
                # every time; this statement's plan is kept instead (a lookup per element)
                self._run("SET plan_cache_mode = force_generic_plan")
                try:
                    context = self._run(text, packed)
                finally:
                    if not self._in_tx or not self._aborted():
                        self._run("RESET plan_cache_mode")
            self._columns = list(context.columns or [])
            self._rows = [tuple(r) for r in (context.rows or [])]
        self._local.ran_on_server(sql)
        return self

    def _aborted(self) -> bool:
        """Whether the session's transaction failed (it takes nothing but ROLLBACK now)."""
        return bool(getattr(self._con, "_transaction_status", None) == b"E")

    def _control(self, word: str) -> None:
        if word == "BEGIN":
            self._run("BEGIN")
            self._in_tx = True
            try:
                self._apply_viewer()
            except BaseException:
                self._rollback_quietly()
                raise
        elif word == "COMMIT":
            try:
                self._run("COMMIT")
            finally:
                self._in_tx = False
            self._sync_session()  # a viewer set inside the transaction holds after it too
        else:
            self._rollback_quietly()
            self._sync_session()

    def _rollback_quietly(self) -> None:
        self._in_tx = False
        with contextlib.suppress(PostgresError):
            self._run("ROLLBACK")

    def execute_native(self, sql: str, parameters: Sequence[Any] = ()) -> PostgresConnection:
        """Run PostgreSQL SQL as it is (`$n` placeholders), for the store's own setup."""
        context = self._run(sql, parameters)
        self._columns = list(context.columns or [])
        self._rows, self._pos = [tuple(r) for r in (context.rows or [])], 0
        return self

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> PostgresConnection:
        """Run the statement once per parameter row (in the caller's transaction, if any)."""
        for row in parameters:
            self.execute(sql, row)
        return self

    @property
    def description(self) -> list[tuple[Any, ...]] | None:
        """Column names of the last result, DB-API style."""
        if not self._columns:
            return None
        return [(c["name"], c.get("type_oid"), None, None, None, None, None) for c in self._columns]

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._pos >= len(self._rows):
            return None
        row = self._rows[self._pos]
        self._pos += 1
        return row

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._rows[self._pos :]
        self._pos = len(self._rows)
        return rows

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        rows = self._rows[self._pos : self._pos + size]
        self._pos += len(rows)
        return rows

    def fetchnumpy(self) -> dict[str, Any]:
        import numpy as np

        rows = self.fetchall()
        table = self._arrow(rows)
        return {
            name: np.asarray(table.column(name).to_numpy(zero_copy_only=False)) for name in table.column_names
        }

    def fetch_arrow_table(self) -> pa.Table:
        return self._arrow(self.fetchall())

    arrow = fetch_arrow_table

    def _arrow(self, rows: list[tuple[Any, ...]]) -> pa.Table:
        names = [c["name"] for c in self._columns]
        arrays = []
        for i, column in enumerate(self._columns):
            values = [r[i] for r in rows]
            kind = _ARROW_FROM_OID.get(column.get("type_oid", 0))
            try:
                arrays.append(pa.array(values, type=kind) if kind else pa.array(values))
            except (pa.ArrowException, TypeError, ValueError):
                arrays.append(pa.array([None if v is None else str(v) for v in values], pa.string()))
        return pa.Table.from_arrays(arrays, names=names)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> _Relation:
        """A relation over a query (run at once), as DuckDB's `con.sql(…)` is used in Mare."""
        return _Relation(self, query, params)

    def complete(self) -> None:
        """DuckDB finishes half-read results here; PostgreSQL results are read whole."""

    # -- Arrow tables as temporary tables --------------------------------------------------------
    def register(self, name: str, table: Any) -> PostgresConnection:
        """Make an Arrow table (or anything pa.table() takes) queryable under NAME in this session."""
        if not isinstance(table, pa.Table):
            table = pa.table(table) if not hasattr(table, "to_arrow_table") else table.to_arrow_table()
        ident = _ident(name)
        kinds = [_pg_type(f.type) for f in table.schema]
        columns = ", ".join(f"{_ident(f.name)} {k}" for f, k in zip(table.schema, kinds, strict=True))
        self._run(f"DROP TABLE IF EXISTS pg_temp.{ident}")
        self._run(f"CREATE TEMP TABLE {ident} ({columns})")
        self._registered.add(name)
        self._arrows[name] = table
        if table.num_rows == 0 or not kinds:
            return self
        select = ", ".join(f"u.c{i}::{k}" for i, k in enumerate(kinds))
        arrays = ", ".join(f"${i + 1}::text[]" for i in range(len(kinds)))
        aliases = ", ".join(f"c{i}" for i in range(len(kinds)))
        sql = f"INSERT INTO {ident} SELECT {select} FROM unnest({arrays}) AS u({aliases})"
        step = 20_000
        for start in range(0, table.num_rows, step):
            chunk = table.slice(start, step)
            cols = [[_text(v, k) for v in chunk.column(i).to_pylist()] for i, k in enumerate(kinds)]
            self._con.execute_unnamed(sql, vals=cols, oids=[_OID_TEXT_ARRAY] * len(cols))
        if table.num_rows >= ANALYZE_REGISTERED:
            self._con.execute_simple(f"ANALYZE pg_temp.{ident}")
        return self

    def unregister(self, name: str) -> PostgresConnection:
        self._arrows.pop(name, None)
        if name in self._registered:
            self._registered.discard(name)
            try:
                self._run(f"DROP TABLE IF EXISTS pg_temp.{_ident(name)}")
            except PostgresError:
                if not self._in_tx:
                    raise
        return self

    def analyze_after_load(self, table: str, rows: int) -> bool:
        """Refresh the planner's statistics of store table TABLE after a bulk write of ROWS rows, where
        that many rows could change its plans (at least `ANALYZE_LOADED` rows, and a tenth of the
        table as last analysed, or a table never analysed); whether it did.

        Autovacuum analyses a table a minute or so after its writes commit; reads in between were
        planned with no statistics or stale ones (a hashed policy subplan over every record where an
        index lookup was due). In the caller's transaction: its own rows count, and the statistics
        are seen by other sessions when it commits. The tables' owner analyses them itself; the
        application role (not their owner) through `mare_analyze`, created by `mare store secure`."""
        if rows < ANALYZE_LOADED:
            return False
        context = self._run(
            "SELECT pg_has_role(c.relowner, 'USAGE'), to_regproc('mare_analyze') IS NOT NULL, c.reltuples "
            "FROM pg_class c WHERE c.oid = to_regclass($1)",
            [_ident(table)],
        )
        found = context.rows or []
        if not found:
            return False
        owner, helper, tuples = found[0]
        if tuples is not None and tuples >= 0 and rows < 0.1 * float(tuples):
            return False
        if owner:
            self._run(f"ANALYZE {_ident(table)}")
        elif helper:
            self._run("SELECT mare_analyze($1)", [table])
        else:
            return False
        return True

    # -- sessions -------------------------------------------------------------------------------
    def cursor(self) -> PostgresConnection:
        """Another session on the same store (DuckDB's cursor() is another connection too)."""
        other = PostgresConnection(self.target)
        other.set_viewer(self.viewer)
        return other

    def close(self) -> None:
        self._local.close()
        with contextlib.suppress(Exception):  # already closed, or the server went away
            self._con.close()

    def __enter__(self) -> PostgresConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Relation:
    def __init__(self, con: PostgresConnection, query: str, params: Sequence[Any] | None = None) -> None:
        con.execute(query, params)
        self._rows = con.fetchall()
        self._table = con._arrow(self._rows)

    def to_arrow_table(self) -> pa.Table:
        return self._table

    arrow = to_arrow_table
    fetch_arrow_table = to_arrow_table

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._rows)

    @property
    def columns(self) -> list[str]:
        return list(self._table.column_names)


#: SQLSTATE classes of a statement PostgreSQL cannot run as translated (syntax, unknown function or
#: type, a type mismatch): DuckDB SQL that `translate` does not cover yet.
_UNTRANSLATED = ("42601", "42883", "42804", "42846", "42P18", "42725", "0A000")
#: Read statements PostgreSQL ran as translated (no savepoint needed to try them again).
_ON_SERVER: set[str] = set()


class PostgresError(StoreUnavailable):
    """A statement PostgreSQL refused: its message, SQLSTATE code and the statement.

    A `StoreUnavailable`, so the CLI prints it as one line; statements of DuckDB SQL that the
    translation does not cover yet say so (docs/server_store.md lists what runs on PostgreSQL)."""

    def __init__(self, message: str, code: str, sql: str) -> None:
        hint = (
            "; this part of Mare does not run on PostgreSQL yet (docs/server_store.md): use a DuckDB store"
            if code in _UNTRANSLATED
            else ""
        )
        super().__init__(
            f"PostgreSQL refused a statement: {message} [{code}]{hint}; the statement: {sql[:200]}"
        )
        self.message, self.code, self.sql = message, code, sql


class StatementTimeout(StoreUnavailable):
    """A statement that ran past the store URL's `timeout`: which one, and how to allow longer."""

    def __init__(self, seconds: float, sql: str, socket: bool = False) -> None:
        how = "PostgreSQL did not answer within" if socket else "PostgreSQL cancelled it after"
        super().__init__(
            f"a statement timed out: {how} {seconds:g} s (the store URL's timeout); the server may be "
            f"busy: repeat the command, or allow longer with ?timeout=SECONDS in MARE_STORE (0: no "
            f"limit); the statement: {sql[:200]}"
        )
        self.seconds, self.sql = seconds, sql


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------------------------------------
# Opening a PostgreSQL store


def open_postgres(url: str, *, create: bool = True, read_only: bool = False) -> PostgresConnection:
    """Connect, and (as a role that may create tables in `public`) migrate and secure the store.

    The owner role runs the migrations and creates `COMPAT_FUNCTIONS`. The row-level security
    policies, and the grants to the URL's `app_role`s that come with them, are installed by the
    hub layer (`mare.hub.server_store.secure_store`, `mare store secure`), as the store knows no
    policy: until then the application role can read nothing.
    The application role (NOSUPERUSER NOBYPASSRLS, no CREATE) only opens a store already at
    this Mare's version.
    """
    from mare.store.migrations import MIGRATIONS, migrate

    target = parse_url(url)
    con = PostgresConnection(target)
    try:
        have = con.execute(
            "SELECT CASE WHEN to_regclass('public.schema_migrations') IS NULL THEN -1 ELSE 0 END"
        ).fetchone()
        exists = bool(have and have[0] == 0)
        version = 0
        if exists:
            row = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
            version = int(row[0]) if row else 0
        latest = MIGRATIONS[-1].version
        if version > latest:
            raise StoreUnavailable(
                f"the store in {target.describe()} is at schema version {version}, newer than this Mare "
                f"({latest}): upgrade Mare"
            )
        if not create and version == 0:
            raise StoreUnavailable(
                f"no Mare store in {target.describe()}: run `mare init` with the owner role's URL first"
            )
        may_setup = bool(con.execute("SELECT has_schema_privilege('public', 'CREATE')").fetchone()[0])  # type: ignore[index]
        if version < latest and not may_setup:
            raise StoreUnavailable(
                f"the store in {target.describe()} is at schema version {version} and this Mare needs "
                f"{latest}; role {target.user!r} may not migrate it: run `mare init` once with the "
                "owner role's URL (MARE_STORE=postgresql://OWNER:…@…/DB?app_role=APP)"
            )
        if may_setup and not read_only:
            for function in (*COMPAT_FUNCTIONS, strip_accents_function()):
                con.execute_native(function)
            migrate(con)  # type: ignore[arg-type]
            for index in PG_INDEXES:
                con.execute_native(index)
        if not read_only:
            from mare.store.db import os_account

            con.execute(
                "INSERT INTO store_operator SELECT ?, ?, now()::TIMESTAMP "
                "WHERE NOT EXISTS (SELECT 1 FROM store_operator)",
                [*os_account()],
            )
    except BaseException:
        con.close()
        raise
    return con
