"""The full cross-check and the call aggregation on Spark (local mode) equal DuckDB's on the same data.

One test body per engine where the test is about what a cross-check writes (Splink's pattern: the
`engine` fixture is parametrised by backend); the equality tests run both engines on copies of one
store with the same model parameters. Spark is started once per session (`conftest.spark`)."""

from __future__ import annotations

import json
import shutil
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from mare.resolve import crosscheck_all, crosscheck_contribution
from mare.resolve.dedupe import dedupe
from mare.resolve.features import build_rows
from mare.resolve.model import load_model
from mare.resolve.spark.calls import aggregate_calls, aggregate_duckdb, aggregate_spark, export_calls
from mare.resolve.spark.dedupe import dedupe_spark
from mare.resolve.symbols import SymbolSource
from mare.store.db import Store, open_store
from resolve.resolve_helpers import random_people

pytestmark = pytest.mark.spark


def _deduper(engine: str, spark: Any) -> Any:
    return dedupe if engine == "duckdb" else partial(dedupe_spark, spark=spark)


@pytest.fixture(params=["duckdb", "spark"])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _written(store: Store) -> tuple[dict[tuple[str, str], Any], dict[str, str], set[str]]:
    """What a full cross-check wrote: pairs (weight, probability, decision, explanation), each
    record's entity, the hits' ids."""
    pairs = {
        (left, right): (weight, probability, decision, json.loads(explanation))
        for left, right, weight, probability, decision, explanation in store.con.execute(
            "SELECT left_uid, right_uid, match_weight, match_probability, decision, "
            "CAST(explanation AS VARCHAR) FROM candidate_pairs"
        ).fetchall()
    }
    entities = dict(store.con.execute("SELECT record_uid, entity_id FROM entities").fetchall())
    hits = {r[0] for r in store.con.execute("SELECT id FROM hits").fetchall()}
    return pairs, entities, hits


def test_full_crosscheck_writes_pairs_entities_hits(tiny_store: Store, engine: str, spark: Any) -> None:
    result = crosscheck_all(tiny_store, train=False, deduper=_deduper(engine, spark))
    pairs, entities, hits = _written(tiny_store)
    assert result.candidates > len(pairs) > 0
    assert result.links == sum(1 for p in pairs.values() if p[2] == "link") > 0
    assert len(entities) == result.persons and len(set(entities.values())) < result.persons
    assert hits and result.person_hits + result.identifier_hits == len(hits)
    version, model = load_model(tiny_store)  # kept in DuckDB's dialect: the incremental check scores with it
    assert version == result.model_version
    conditions = [lv["sql_condition"] for c in model["comparisons"] for lv in c["comparison_levels"]]
    assert "list_has_any(name_keys_l, name_keys_r)" in conditions
    contribution = tiny_store.con.execute(
        "SELECT contribution FROM person_features ORDER BY record_uid LIMIT 1"
    ).fetchall()[0][0]
    assert crosscheck_contribution(tiny_store, contribution).persons > 0


def test_spark_writes_what_duckdb_writes(tiny_world: tuple[Path, Path], tmp_path: Path, spark: Any) -> None:
    written = {}
    for engine in ("duckdb", "spark"):
        home = tmp_path / engine
        shutil.copytree(tiny_world[1], home)
        with open_store(home) as store:
            crosscheck_all(store, train=False, deduper=_deduper(engine, spark))
            written[engine] = _written(store)
    (duck_pairs, duck_entities, duck_hits), (spark_pairs, spark_entities, spark_hits) = (
        written["duckdb"],
        written["spark"],
    )
    assert spark_pairs.keys() == duck_pairs.keys()
    for key, (weight, probability, decision, explanation) in duck_pairs.items():
        s_weight, s_probability, s_decision, s_explanation = spark_pairs[key]
        assert s_weight == pytest.approx(weight, abs=2e-3), key
        assert s_probability == pytest.approx(probability, abs=2e-6), key
        assert s_decision == decision, key
        levels = [(f["feature"], f["level"]) for f in explanation["features"]]
        assert [(f["feature"], f["level"]) for f in s_explanation["features"]] == levels, key
    assert spark_entities == duck_entities
    assert spark_hits == duck_hits


def test_a_trained_model_scores_the_same_on_both(spark: Any) -> None:
    """Learnt parameters (and levels never observed in training) carried to Spark and back."""
    rows = build_rows(random_people(700, seed=5), SymbolSource(enabled=False))
    trained = dedupe(rows, train=True)
    assert trained.trained
    on_duckdb = dedupe(rows, trained.model, train=False)
    on_spark = dedupe_spark(rows, trained.model, train=False, spark=spark)
    assert on_spark.candidates == on_duckdb.candidates
    duck = {(p[0], p[1]): p for p in on_duckdb.pairs}
    theirs = {(p[0], p[1]): p for p in on_spark.pairs}
    assert theirs.keys() == duck.keys()
    for key, pair in duck.items():
        assert theirs[key][2] == pytest.approx(pair[2], abs=2e-3)
        assert theirs[key][3] == pytest.approx(pair[3], abs=2e-6)
    assert on_spark.clusters == on_duckdb.clusters
    assert on_spark.model["comparisons"] == on_duckdb.model["comparisons"]


def _assert_same_parameters(got: dict[str, Any], want: dict[str, Any], before: dict[str, Any]) -> None:
    """Prior and every level's m and u equal within 1e-9 (a level never observed: the same text);
    the sessions did move m away from the defaults."""
    assert got["probability_two_random_records_match"] == pytest.approx(
        want["probability_two_random_records_match"], rel=1e-9, abs=1e-12
    )
    moved = 0
    for default, mine, theirs in zip(
        before["comparisons"], got["comparisons"], want["comparisons"], strict=True
    ):
        assert mine["output_column_name"] == theirs["output_column_name"]
        for d, a, b in zip(
            default["comparison_levels"], mine["comparison_levels"], theirs["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability"):
                if isinstance(b.get(key), str) or b.get(key) is None:
                    assert a.get(key) == b.get(key), (mine["output_column_name"], key)
                else:
                    assert a[key] == pytest.approx(b[key], rel=1e-9, abs=1e-12), (
                        mine["output_column_name"],
                        key,
                    )
            moved += a.get("m_probability") != d.get("m_probability")
    assert moved >= 10


def test_training_on_spark_learns_what_duckdb_learns(spark: Any) -> None:
    """Prior, u (the same random pairs) and m (the same EM sessions) from one training on each engine."""
    from mare.resolve.settings import default_settings

    rows = build_rows(random_people(700, seed=5), SymbolSource(enabled=False))
    on_duckdb = dedupe(rows, train=True)
    on_spark = dedupe_spark(rows, train=True, spark=spark)
    assert on_duckdb.trained and on_spark.trained
    _assert_same_parameters(on_spark.model, on_duckdb.model, default_settings())
    assert on_spark.clusters == on_duckdb.clusters


def test_sampled_em_sessions_take_the_same_pairs(spark: Any, tmp_path: Path) -> None:
    """Over `max_pairs`, both engines sample the blocked pairs by DuckDB's id hash: the same m."""
    from mare.resolve import em
    from mare.resolve.engine import _EM_RULES, MatchEngine
    from mare.resolve.settings import default_settings
    from mare.resolve.spark.engine import SparkMatchEngine
    from mare.resolve.table import to_arrow

    settings = default_settings()
    table = to_arrow(build_rows(random_people(2000, seed=23, contributions=6), SymbolSource(enabled=False)))
    duck = MatchEngine(settings, table)
    assert em.sample_threshold(duck.con, "person_input", _EM_RULES[0], 2000.0) is not None  # sampled
    import pyarrow.parquet as pq

    pq.write_table(duck.con.sql("SELECT * FROM person_input").to_arrow_table(), tmp_path / "p.parquet")
    theirs = SparkMatchEngine(spark, settings, spark.read.parquet(str(tmp_path / "p.parquet")))
    models = []
    for engine in (duck, theirs):
        engine.estimate_u()
        for rule in _EM_RULES:
            assert engine.expectation_maximisation(rule, 2000.0)
        models.append(engine.model())
    duck.close()
    _assert_same_parameters(models[1], models[0], settings)
    assert not theirs.expectation_maximisation("l.role = r.role AND l.role = 'nobody'")


def test_call_counts_equal_on_both_and_written_back(tiny_store: Store, tmp_path: Path, spark: Any) -> None:
    folder = tmp_path / "calls"
    calls = export_calls(tiny_store, folder)
    assert calls > 0 and len(list(folder.glob("day=*"))) > 1  # partitioned by date
    for period in ("day", "week"):
        on_duckdb = aggregate_duckdb(folder, period)
        on_spark = aggregate_spark(folder, period, spark)
        assert on_spark.equals(on_duckdb), period
        assert sum(on_duckdb.column("calls").to_pylist()) == calls
    written = aggregate_calls(tiny_store, tmp_path / "again", "week", engine="spark")
    assert written == on_duckdb.num_rows
    stored = tiny_store.con.execute(
        "SELECT count(*), sum(calls) FROM call_counts WHERE period = 'week'"
    ).fetchall()[0]
    assert stored == (written, calls)
    assert (
        tiny_store.con.execute(  # the network view's monthly counts agree with the weekly ones
            "SELECT count(*) FROM calls"
        ).fetchall()[0][0]
        == calls
    )


def test_calls_aggregate_command_on_spark_writes_what_duckdb_writes(
    tiny_world: tuple[Path, Path], tmp_path: Path, spark: Any
) -> None:
    """`mare calls aggregate --engine spark` (the session already started) writes the same
    `call_counts` as `--engine duckdb`; the busiest pairs then read them (fresh)."""
    from typer.testing import CliRunner

    from mare.cli import app

    runner = CliRunner()
    written: dict[str, list[tuple[Any, ...]]] = {}
    for engine in ("duckdb", "spark"):
        home = tmp_path / engine
        shutil.copytree(tiny_world[1], home)
        args = ["calls", "aggregate", "--home", str(home), "--period", "month", "--engine", engine, "--json"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["engine"] == engine
        with open_store(home) as store:
            written[engine] = store.con.execute(
                "SELECT contribution, caller, callee, period, start, calls, seconds FROM call_counts "
                "ORDER BY ALL"
            ).fetchall()
        result = runner.invoke(app, ["calls", "busiest", "--home", str(home), "--period", "month", "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["source"] == "call_counts"
    assert written["spark"] and written["spark"] == written["duckdb"]
