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

    def read(table: str, columns: list[str] | None) -> pa.Table:
        reads.append(table)
        data = held if table == "agencies" else pa.table({})
        return data.select(columns) if columns is not None and data.num_columns else data

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


def test_only_the_columns_a_statement_names_are_copied_unless_a_star_reads_a_store_table() -> None:
    from mare.store.postgres_local import prunable

    tables = {"records", "record_values", "person_features"}
    assert prunable(
        "WITH c AS (SELECT f.record_uid, f.name_keys FROM person_features f WHERE list_has_any(f.name_keys, "
        "?::VARCHAR[])) SELECT c.*, r.label, count(*) OVER () FROM c JOIN records r ON r.uid = c.record_uid",
        tables,
    )
    assert prunable("SELECT b.* FROM (SELECT uid FROM records) b", tables)
    for whole in (
        "SELECT * FROM records",
        "WITH c AS (SELECT uid FROM records) SELECT * FROM c JOIN records r USING (uid)",
        "SELECT r.* FROM records r",
        "SELECT DISTINCT * FROM records WHERE uid = ?",
        "WITH c AS (SELECT * FROM records) SELECT uid FROM c",
        "SELECT to_json(r) FROM records r",
        "SELECT uid FROM records NATURAL JOIN record_values",
        "SELECT COLUMNS('u.*') FROM records",
        "SELECT * EXCLUDE (label) FROM records",
        "SELECT uid FROM records WHERE (((",  # unparseable
    ):
        assert not prunable(whole, tables), whole


def test_a_local_read_copies_only_its_columns_and_falls_back_to_whole_tables() -> None:
    asked: list[tuple[str, list[str] | None]] = []
    held = pa.table(
        {
            "id": ["DE-BKA", "IT-SCO"],
            "country": ["DE", "IT"],
            "registered": [True, False],
            "created_at": [datetime(2026, 12, 1)] * 2,
        }
    )

    def read(table: str, columns: list[str] | None) -> pa.Table:
        asked.append((table, columns))
        return held.select(columns) if columns is not None else held

    local = LocalEngine()
    try:
        _, rows = local.run("SELECT id FROM agencies WHERE country = ? GROUP BY ALL", ["IT"], read, {})
        assert rows == [("IT-SCO",)] and asked == [("agencies", ["id", "country"])]
        asked.clear()
        columns, rows = local.run("SELECT * FROM agencies WHERE id = ? GROUP BY ALL", ["DE-BKA"], read, {})
        assert asked == [("agencies", None)]  # a star over a store table: the whole table
        assert {"id", "country", "registered", "created_at"} <= set(columns)
        assert rows[0][columns.index("registered")] is True
        asked.clear()
        _, rows = local.run("SELECT count(*) FROM agencies GROUP BY ALL", [], read, {})
        assert rows == [(2,)] and asked == [("agencies", ["id"])]  # its rows only
    finally:
        local.close()
