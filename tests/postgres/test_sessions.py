"""A PostgreSQL session's statements (`store/postgres.py`): prepared once and run again on the kept
plan, except those naming a temporary table of the session (its columns may change); no JIT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from mare.store.db import Store
from mare.store.postgres import PostgresError

pytestmark = pytest.mark.postgres


def _app_store(tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    """A fresh, secured store in its own database, opened as the application role."""
    from pgcluster import secured_app_store

    store: Store = secured_app_store(request.getfixturevalue("pg_cluster"), tmp_path / "home")
    return store


@pytest.fixture
def pg(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    with _app_store(tmp_path, request) as store:
        yield store.con


def test_a_statement_is_prepared_once_and_run_again(pg: Any) -> None:
    before = len(pg._prepared)
    for n in (1, 2, 3):
        assert pg.execute("SELECT CAST(? AS INTEGER) + 1 AS n", [n]).fetchall() == [(n + 1,)]
    assert len(pg._prepared) == before + 1
    assert pg.execute("SELECT current_setting('jit')").fetchone() == ("off",)


def test_temporary_tables_that_change_their_columns_are_read_again(pg: Any) -> None:
    pg.register("_mine", pa.table({"a": [1, 2]}))
    assert pg.execute("SELECT a FROM _mine ORDER BY a").fetchall() == [(1,), (2,)]
    pg.register("_mine", pa.table({"a": ["x"]}))  # the same name, another type
    assert pg.execute("SELECT a FROM _mine ORDER BY a").fetchall() == [("x",)]
    pg.execute("CREATE OR REPLACE TEMP TABLE _made AS SELECT 1 AS a")
    assert pg.execute("SELECT * FROM _made").fetchall() == [(1,)]
    pg.execute("CREATE OR REPLACE TEMP TABLE _made AS SELECT 'b' AS a, 2 AS b")
    assert pg.execute("SELECT * FROM _made").fetchall() == [("b", 2)]


def test_a_prepared_statement_that_failed_in_a_transaction_runs_after_it(pg: Any) -> None:
    sql = "SELECT 10 / CAST(? AS INTEGER)"
    assert pg.execute(sql, [5]).fetchone() == (2,)
    pg.execute("BEGIN TRANSACTION")
    with pytest.raises(PostgresError, match="division by zero"):
        pg.execute(sql, [0])
    pg.execute("ROLLBACK")
    assert pg.execute(sql, [2]).fetchone() == (5,)


def test_lists_of_texts_go_as_one_array_and_read_the_same(pg: Any) -> None:
    """`x IN (?, ?, …)` of texts is one statement, prepared once, for any length; the same rows
    (NOT IN too), the session's plan mode put back after it, in and out of a transaction."""
    from mare.store.postgres import pack_in_lists

    sql, values = pack_in_lists("SELECT 1 FROM t WHERE a IN ($1, $2) AND b = $3 AND c NOT IN ($4, $5)",
                                ["x", 'y"\\z', "b", "c", "d"])  # fmt: skip
    assert sql == "SELECT 1 FROM t WHERE a = ANY($1) AND b = $2 AND c <> ALL($3)"
    assert values == ['{"x","y\\"\\\\z"}', "b", '{"c","d"}']
    assert pack_in_lists("SELECT 1 WHERE a IN ($1)", ["x"])[0] == "SELECT 1 WHERE a IN ($1)"  # one: as is
    words = "(SELECT * FROM (VALUES ('a'), ('b,c'), ('d\"e'), ('f')) AS v(w))"
    before = len(pg._prepared)
    for some in (["a", "b,c"], ["a", "b,c", 'd"e', "zz"]):
        marks = ", ".join("?" for _ in some)
        got = pg.execute(f"SELECT w FROM {words} AS q WHERE w IN ({marks}) ORDER BY w", some).fetchall()
        assert got == sorted((w,) for w in some if w != "zz")
    assert len(pg._prepared) == before + 1  # one statement for both lengths
    got = pg.execute(f"SELECT w FROM {words} AS q WHERE w NOT IN (?, ?) ORDER BY w", ["a", "f"]).fetchall()
    assert got == [("b,c",), ('d"e',)]
    assert pg.execute("SELECT current_setting('plan_cache_mode')").fetchone() == ("auto",)
    pg.execute("BEGIN TRANSACTION")
    assert pg.execute("SELECT count(*) FROM records WHERE uid IN (?, ?)", ["r1", "r2"]).fetchone() == (0,)
    pg.execute("COMMIT")
    assert pg.execute("SELECT current_setting('plan_cache_mode')").fetchone() == ("auto",)


def test_text_arrays_read_as_pg8000_reads_them() -> None:
    from pg8000.converters import string_array_in

    from mare.store.postgres import _text_array

    for text in ("{}", "{a}", "{a,NULL,b}", '{"a b",c}', '{"NULL",x}', '{"a\\\\b"}', "{{a,b},{c,d}}", '{""}',
                 '{"{x}",y}'):  # fmt: skip
        assert _text_array(text) == string_array_in(text), text


def test_temporary_tables_filled_at_once_are_analysed(pg: Any) -> None:
    pg.execute("CREATE OR REPLACE TEMP TABLE _filled AS SELECT g AS n FROM generate_series(1, 2000) g")
    pg.register("_big", pa.table({"n": list(range(1500))}))
    pg.register("_small", pa.table({"n": [1, 2]}))
    analysed = dict(
        pg.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN ('_filled', '_big', '_small')"
        ).fetchall()
    )
    assert analysed == {"_filled": 2000, "_big": 1500, "_small": -1}


def test_the_application_role_analyses_a_loaded_table_through_the_helper(pg: Any) -> None:
    """Not the tables' owner, it may not ANALYZE them; `mare_analyze` does it (the store's tables
    only: another name does nothing), and a load small against the table analyses nothing."""
    tuples = "SELECT reltuples FROM pg_class WHERE relname = 'records'"
    assert pg.execute(tuples).fetchone() == (-1,)  # never analysed
    assert pg.analyze_after_load("records", 10) is False  # under ANALYZE_LOADED rows
    assert pg.execute(tuples).fetchone() == (-1,)
    pg.execute("BEGIN TRANSACTION")
    assert pg.analyze_after_load("records", 5000) is True
    pg.execute("COMMIT")
    assert pg.execute(tuples).fetchone() == (0,)  # analysed: empty
    pg.execute("SELECT mare_analyze('pg_class')")  # not a store table: nothing
    pg.execute("SELECT mare_analyze('no such table')")


def test_a_parallel_plan_may_read_dates_that_are_not_dates(pg: Any) -> None:
    """TRY_CAST(… AS DATE) becomes `mare_try_date`, whose EXCEPTION block is a subtransaction: marked
    parallel safe, a parallel plan over it failed ("cannot start subtransactions during a parallel
    operation"; the medium store's policy scans once their statistics made them parallel)."""
    pg.execute(
        "CREATE OR REPLACE TEMP TABLE _days AS SELECT CAST(g AS VARCHAR) AS d FROM generate_series(1, 50) g"
    )
    pg.execute("BEGIN TRANSACTION")
    pg.execute("SET LOCAL force_parallel_mode = on")
    pg.execute("SET LOCAL parallel_setup_cost = 0")
    got = pg.execute(
        "SELECT count(*) FROM (SELECT TRY_CAST(d AS DATE) AS day FROM _days "
        "UNION ALL SELECT TRY_CAST('2026-12-07' AS DATE)) AS q WHERE day IS NOT NULL"
    ).fetchone()
    pg.execute("COMMIT")
    assert got == (1,)


def test_a_dictionary_encoded_column_is_registered_as_its_values(pg: Any) -> None:
    """AIS ingest names its contribution once per batch as a dictionary of one value: registered as
    JSON, it was stored quoted ('"C…"') and the positions belonged to no contribution."""
    words = pa.DictionaryArray.from_arrays(pa.array([0, 0, 1], pa.int8()), pa.array(["Cabc", 'q"x']))
    pg.register("_dict", pa.table({"w": words, "n": [1, 2, 3]}))
    assert pg.execute("SELECT w, n FROM _dict ORDER BY n").fetchall() == [
        ("Cabc", 1),
        ("Cabc", 2),
        ('q"x', 3),
    ]
