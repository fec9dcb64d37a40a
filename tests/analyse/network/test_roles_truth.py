"""Role inference scored against scenario ground truth (benchmarks/network_roles.py), tiny scale.

Checks the plumbing, not the quality: every person node maps to a true person, the confusion
matrix covers them all, and collapsing records to entities merges ties and evidence. The figures
for the small scenario are in docs/validation.md.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from builders import ingested_tiny_world, load_benchmark
from mare.analyse.network.graph import Tie, build_network


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_benchmark("network_roles")


def test_collapse_merges_records_into_entities(bench: ModuleType) -> None:
    ties = [Tie("r1", "r2", "calls", 2.0), Tie("r3", "r2", "calls", 1.0), Tie("r1", "r3", "calls", 5.0)]
    attrs = {
        "r1": {"country": None, "evidence": {"payments": 1}},
        "r3": {"country": "DE", "evidence": {"payments": 2, "vehicles": 1}},
    }
    net = build_network(ties, nodes=["r1", "r2", "r3"], attrs=attrs)
    net.meta["ties"] = ties
    out = bench.collapse(net, {"r1": "E1", "r3": "E1", "r2": "E2"})
    assert out.ids == ["E1", "E2"]
    assert out.m == 1 and float(out.weight[0]) == 3.0  # r1–r3 becomes a self-tie and is dropped
    assert out.attrs["E1"]["evidence"] == {"payments": 3, "vehicles": 1}
    assert out.attrs["E1"]["country"] == "DE"


def test_roles_against_tiny_scenario_truth(bench: ModuleType, tmp_path: Path) -> None:
    world, store = ingested_tiny_world(tmp_path, 7)
    with store:
        res = bench.evaluate(store, world, by="record")
    assert res["nodes"] > 20
    assert res["mapped_nodes"] == res["nodes"]  # every person record has a true person
    assert res["mean_purity"] == 1.0
    assert sum(sum(row.values()) for row in res["confusion"].values()) == res["mapped_nodes"]
    for scores in (res["ours"], res["baseline_degree"]):
        for row in scores.values():
            assert 0.0 <= row["precision"] <= 1.0 and 0.0 <= row["recall"] <= 1.0
            assert row["hits"] <= min(row["assessed"], row["true"])
    assert res["true_by_role"].get("leader", 0) >= 1
