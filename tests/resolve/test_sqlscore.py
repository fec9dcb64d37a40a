"""SQL scoring from the saved model gives what Splink's own predict() gives, pair by pair."""

from __future__ import annotations

import json
import random
from typing import Any

import duckdb
import pytest

from mare.resolve.blocking import key_table, pairs_within
from mare.resolve.engine import MatchEngine, explanations
from mare.resolve.features import build_rows
from mare.resolve.namesakes import fill_name_stats
from mare.resolve.settings import default_settings
from mare.resolve.sqlscore import score_sql
from mare.resolve.symbols import SymbolSource
from mare.resolve.table import to_arrow
from resolve.resolve_helpers import random_people


def _rows(n: int) -> list[dict[str, Any]]:
    return build_rows(random_people(n, seed=11, contributions=7), SymbolSource(enabled=False))


def _perturbed(settings: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(5)
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                level["m_probability"] *= rng.uniform(0.5, 1.5)
                level["u_probability"] *= rng.uniform(0.5, 1.5)
    settings["probability_two_random_records_match"] = 0.003
    return settings


@pytest.mark.parametrize("settings", [default_settings(), _perturbed(default_settings())])
def test_sql_scores_equal_splink_predictions(settings: dict[str, Any]) -> None:
    rows = _rows(220)
    con = duckdb.connect()
    con.register("keys_in", key_table(rows))
    con.execute("CREATE TABLE keys AS SELECT * FROM keys_in")
    pairs = pairs_within(con, "keys")
    assert pairs.num_rows > 300
    engine = MatchEngine(settings, to_arrow(rows))
    splink = engine.score(pairs)
    engine.close()
    con.register("features_in", to_arrow(rows))
    con.execute("CREATE TABLE features AS SELECT * FROM features_in")
    fill_name_stats(con, "features")  # as the engine does on its own copy
    ours = score_sql(con, settings, pairs, "features")
    assert ours.num_rows == splink.num_rows == pairs.num_rows

    def by_pair(table: Any) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r["record_uid_l"], r["record_uid_r"]): r for r in table.to_pylist()}

    want, got = by_pair(splink), by_pair(ours)
    assert want.keys() == got.keys()
    gammas = [c for c in splink.column_names if c.startswith(("gamma_", "mw_"))]
    assert gammas and set(gammas) <= set(ours.column_names)
    for key, row in want.items():
        mine = got[key]
        for column in gammas:
            assert mine[column] == pytest.approx(row[column], abs=1e-9), (key, column)
        assert mine["match_weight"] == pytest.approx(row["match_weight"], abs=1e-9)
        assert mine["match_probability"] == pytest.approx(row["match_probability"], abs=1e-12)
    order = [("record_uid_l", "ascending"), ("record_uid_r", "ascending")]
    expected = explanations(settings, splink.sort_by(order))
    explained = score_sql(con, settings, pairs, "features", explain=True).sort_by(order)
    for want_one, text in zip(expected, explained.column("explanation").to_pylist(), strict=True):
        got_one = json.loads(text)
        assert [(f["feature"], f["level"]) for f in got_one["features"]] == [
            (f["feature"], f["level"]) for f in want_one["features"]
        ]
        for key in ("prior_match_weight", "match_weight", "match_probability"):
            assert got_one[key] == pytest.approx(want_one[key], abs=1.1e-3)
        for g, w in zip(got_one["features"], want_one["features"], strict=True):
            assert g["match_weight"] == pytest.approx(w["match_weight"], abs=1.1e-3)


def test_near_dates_tested_cheaper_give_the_same_truth() -> None:
    from mare.resolve.sqlscore import _evaluated

    condition = "p = 'day' AND damerau_levenshtein(a, b) <= 1"
    cheaper = _evaluated(condition)
    assert "levenshtein(a, b) <= 2 AND damerau_levenshtein(a, b) <= 1" in cheaper
    rng = random.Random(3)
    texts = ["1980-03-12", "1980-03-21", "1980-30-12", "1908-03-12", "1980-03-1", "ä980-03-12", "ö980-03-12"]
    pairs = [(rng.choice(texts), rng.choice(texts)) for _ in range(300)]
    pairs += [(f"19{rng.randint(10, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",) * 2 for _ in range(50)]
    pairs += [(x, x[:i] + x[i + 1] + x[i] + x[i + 2 :]) for x in texts for i in range(len(x) - 2)]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a VARCHAR, b VARCHAR, p VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, 'day')", pairs)
    rows = con.execute(f"SELECT {condition}, {cheaper}, damerau_levenshtein(a, b) FROM t").fetchall()
    assert all(x == y for x, y, _ in rows)
    assert {d for _, _, d in rows} >= {0, 1, 2}  # equal, near and far pairs were all tested
