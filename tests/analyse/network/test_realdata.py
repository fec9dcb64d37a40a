"""Validation on published criminal networks (../shared/data; skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mare.analyse.network import validation

pytestmark = pytest.mark.realdata


def test_montagna_published_curves_reproduced_exactly(criminal: Path) -> None:
    results = validation.montagna(criminal)
    assert len(results) == 8
    for case, per_strategy in results.items():
        for strategy, r in per_strategy.items():
            assert r["matching"] == r["points"] > 0, (case, strategy, r)
            assert r["max_difference"] < 1e-12


def test_caviar_leader_and_reorganisation(criminal: Path) -> None:
    found = validation.caviar(criminal)
    phases = found["phases"]
    assert found["aggregate_top5"][0] == "1" and found["aggregate_assessed_leader"] == ["1"]
    assert [p["assessed_leader"] for p in phases[:9]] == ["1"] * 9
    assert sum(p["rank_n1"] == 1 for p in phases) == 9
    # Under pressure n1 loses brokerage and n12 (cocaine broker) rises.
    assert phases[2]["betweenness_n1"] > 0.95 > 0.6 > phases[9]["betweenness_n1"]
    assert phases[4]["rank_n12"] == 3 and phases[3]["rank_n12"] == 26
    assert phases[10]["assessed_leader"] == "12"


def test_london_ranks_agree(criminal: Path) -> None:
    found = validation.london(criminal)
    assert found["spearman_combined_score"]["spearman"] > 0.75
    assert max(found["recorded_rank_of_top10"]) <= 3


def test_mexico_roles_reported(criminal: Path) -> None:
    found = validation.mexico(criminal)
    assert found["nodes"] == 34
    assert found["recorded_vs_assessed"]["exploiter"].get("leader") == 1
