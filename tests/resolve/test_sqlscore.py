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
