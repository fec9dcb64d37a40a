"""The memory-lean dedupe path gives what the plain one gives: columnar features, integer pairs."""

from __future__ import annotations

import duckdb
import pytest

from mare.resolve import blocking
from mare.resolve.blocking import create_candidates, key_table, pairs_within, table_rows
from mare.resolve.dedupe import dedupe
from mare.resolve.features import PersonInput, build_rows
from mare.resolve.settings import default_settings
from mare.resolve.sqlscore import score_sql, scoring_sql
from mare.resolve.symbols import SymbolSource
from mare.resolve.table import feature_table, to_arrow
from resolve.resolve_helpers import random_people


def _people(n: int) -> list[PersonInput]:
    return random_people(n, seed=7)


def test_feature_table_is_the_table_of_the_rows() -> None:
    people = _people(230)
    want = to_arrow(build_rows(people, SymbolSource(enabled=False)))
    got = feature_table(people, SymbolSource(enabled=False), chunk=40)
    assert got.schema == want.schema
    assert got.to_pylist() == want.to_pylist()
    assert any(r["associates"] for r in got.to_pylist())
    assert feature_table([], SymbolSource(enabled=False)).num_rows == 0


def test_key_table_from_the_arrow_table_equals_the_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocking, "_CHUNK", 17)
    rows = build_rows(_people(120), SymbolSource(enabled=False))
    want = key_table(rows)
    got = key_table(table_rows(to_arrow(rows)))
    assert sorted(zip(*got.to_pydict().values(), strict=True)) == sorted(
        zip(*want.to_pydict().values(), strict=True)
    )


@pytest.mark.parametrize("partition_pairs", [10**9, 500])
def test_integer_candidates_in_partitions_equal_the_pairs_sharing_a_key(
    monkeypatch: pytest.MonkeyPatch, partition_pairs: int
) -> None:
    monkeypatch.setattr(blocking, "PARTITION_PAIRS", partition_pairs)
    rows = build_rows(_people(300), SymbolSource(enabled=False))
    con = duckdb.connect()
    con.register("keys_in", key_table(rows))
    con.execute("CREATE TABLE keys AS SELECT * FROM keys_in")
    want = pairs_within(con, "keys", max_block=40)
    con.execute(
        "CREATE TABLE ids AS SELECT CAST(row_number() OVER (ORDER BY record_uid) AS INTEGER) AS id, "
        "record_uid FROM (SELECT DISTINCT record_uid FROM keys)"
    )
    con.execute("CREATE TABLE id_keys AS SELECT key, id FROM keys JOIN ids USING (record_uid)")
    n = create_candidates(con, "id_keys", "pairs", max_block=40)
    got = con.execute(
        "SELECT a.record_uid, b.record_uid FROM pairs p JOIN ids a ON a.id = p.left_id "
        "JOIN ids b ON b.id = p.right_id"
    ).fetchall()
    assert n == len(got) == want.num_rows > 500
    assert sorted(got) == sorted(
        zip(want.column("left_uid").to_pylist(), want.column("right_uid").to_pylist(), strict=True)
    )


def test_the_block_cap_scales_with_the_data() -> None:
    """Blocks are taken smallest first while they bring at most `per_person` pairs per person: the
    candidates grow at most linearly, and they are the pairs of a fixed cap at the size found."""
    rows = build_rows(_people(300), SymbolSource(enabled=False))
    con = duckdb.connect()
    con.register("keys_in", key_table(rows))
    con.execute("CREATE TABLE keys AS SELECT * FROM keys_in")
    con.execute(
        "CREATE TABLE ids AS SELECT CAST(row_number() OVER (ORDER BY record_uid) AS INTEGER) AS id, "
        "record_uid FROM (SELECT DISTINCT record_uid FROM keys)"
    )
    con.execute("CREATE TABLE id_keys AS SELECT key, id FROM keys JOIN ids USING (record_uid)")
    persons = con.execute("SELECT count(*) FROM ids").fetchall()[0][0]
    largest = con.execute(
        "SELECT max(c) FROM (SELECT count(*) AS c FROM id_keys GROUP BY key HAVING count(*) <= 40)"
    ).fetchall()[0][0]
    unbound = blocking.block_cap(con, "id_keys", max_block=40, per_person=1e9)
    assert unbound == largest > 2
    cap = blocking.block_cap(con, "id_keys", max_block=40, per_person=1.0)
    assert 2 <= cap < unbound
    n = create_candidates(con, "id_keys", "pairs", max_block=40, per_person=1.0)
    assert n <= persons * 1.0
    want = pairs_within(con, "keys", max_block=cap)
    assert n == want.num_rows
    bigger = pairs_within(con, "keys", max_block=cap + 1)
    block_pairs = con.execute(
        f"SELECT sum(c * (c - 1) // 2) FROM (SELECT count(*) AS c FROM id_keys GROUP BY key "
        f"HAVING count(*) BETWEEN 2 AND {cap + 1})"
    ).fetchall()[0][0]
    assert bigger.num_rows > n and block_pairs > persons  # the next size would not have fitted


def test_dedupe_of_the_table_equals_dedupe_of_the_rows() -> None:
    people = _people(600)
    rows = build_rows(people, SymbolSource(enabled=False))
    by_rows = dedupe(rows)
    by_table = dedupe(feature_table(people, SymbolSource(enabled=False)))
    assert by_rows.trained and by_table.trained
    assert by_rows.candidates == by_table.candidates > 0
    assert sorted(by_rows.pairs) == sorted(by_table.pairs)
    assert by_rows.clusters == by_table.clusters
    assert len(set(by_rows.clusters.values())) < len(rows)


@pytest.mark.parametrize("keep", [0.05, 0.5, 0.95])
def test_scoring_with_keep_prunes_only_pairs_below_it(keep: float) -> None:
    settings = default_settings()
    settings["probability_two_random_records_match"] = 0.002
    rows = build_rows(_people(300), SymbolSource(enabled=False))
    con = duckdb.connect()
    con.register("keys_in", key_table(rows))
    con.execute("CREATE TABLE keys AS SELECT * FROM keys_in")
    pairs = pairs_within(con, "keys")
    con.register("features_in", to_arrow(rows))
    con.execute("CREATE TABLE features AS SELECT * FROM features_in")
    columns = [r[0] for r in con.execute("DESCRIBE features").fetchall()]
    assert "FROM j0 WHERE" in scoring_sql(settings, "pairs", "features", columns, keep)
    assert "FROM j0 WHERE" not in scoring_sql(settings, "pairs", "features", columns)
    everything = score_sql(con, settings, pairs, "features", explain=True)
    want = [r for r in everything.to_pylist() if r["match_probability"] >= keep]
    got = score_sql(con, settings, pairs, "features", keep, explain=True)
    assert got.column_names == everything.column_names
    order = [("record_uid_l", "ascending"), ("record_uid_r", "ascending")]
    want.sort(key=lambda r: (r["record_uid_l"], r["record_uid_r"]))
    assert got.sort_by(order).to_pylist() == want
    assert 0 < len(want) < everything.num_rows
