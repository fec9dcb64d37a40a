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
