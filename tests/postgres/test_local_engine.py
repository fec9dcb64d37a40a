"""The local DuckDB beside a PostgreSQL session (`store/postgres_local.py`), without a server: which
statements may run there, which it claims, and that it runs them on the tables the session reads."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from mare.store.postgres_local import LocalEngine, is_read


def test_only_reads_may_run_locally() -> None:
    assert is_read("SELECT 1") and is_read("WITH a AS (SELECT 1) SELECT * FROM a")
    assert is_read("CREATE OR REPLACE TEMP TABLE _x AS SELECT uid FROM records")
    for write in (
        "INSERT INTO records VALUES (1)",
        "WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a",
        "UPDATE candidate_pairs SET decision = 'link'",
        "DELETE FROM entities",
        "CREATE TABLE t (a INT)",
        "SELECT 1; DELETE FROM t",
    ):
        assert not is_read(write), write


def test_a_local_read_runs_on_what_the_session_reads_and_keeps_its_temporary_tables() -> None:
    reads: list[str] = []
    when = datetime(2026, 12, 1)
    held = pa.table(
        {
            "id": ["DE-BKA", "IT-SCO"],
            "country": ["DE", "IT"],
            "registered": [True, True],
            "created_at": [when] * 2,
        }
    )

    def read(table: str) -> pa.Table:
        reads.append(table)
        return held if table == "agencies" else pa.table({})

    local = LocalEngine()
    try:
        assert local.claims("CREATE OR REPLACE TEMP MACRO twice(x) AS x * 2")
        local.run("CREATE OR REPLACE TEMP MACRO twice(x) AS x * 2", [], read, {})
        sql = (
            "CREATE TEMP TABLE _mine AS SELECT id, twice(1) AS n FROM agencies WHERE country = ? GROUP BY ALL"
        )
        local.run(sql, ["DE"], read, {})
        assert reads == ["agencies"]  # the store table it names, read from the session
        assert local.claims("SELECT * FROM _mine") and not local.claims("SELECT * FROM agencies")
        registered = {"_pairs": pa.table({"id": ["DE-BKA", "FR-OCRIEST"]})}
        columns, rows = local.run(
            "SELECT m.id, m.n FROM _mine m SEMI JOIN _pairs p USING (id)", [], read, registered
        )
        assert columns == ["id", "n"] and rows == [("DE-BKA", 2)]
        assert local.claims("DROP TABLE IF EXISTS _mine")
        local.run("DROP TABLE IF EXISTS _mine", [], read, {})
        assert not local.claims("SELECT * FROM _mine")
    finally:
        local.close()
