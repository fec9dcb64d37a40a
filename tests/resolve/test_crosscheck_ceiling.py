"""The cross-check benchmark's ceilings (benchmarks/crosscheck_ceiling.py) on the tiny scenario."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from builders import ingested_tiny_world, load_benchmark
from mare.resolve import crosscheck_all
from mare.resolve.metrics import accuracy


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_benchmark("crosscheck_ceiling")


def test_co_links_count_other_persons_both_contributions_name(bench: ModuleType) -> None:
    contribution = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "b3": "B"}
    entity = {"a1": "x", "b1": "x", "a2": "y", "b2": "y", "a3": "z", "b3": "w"}
    # a3–b3: x and y are named in both contributions; a1–b1's own person x does not count
    assert bench.co_links(["a3", "a1", "a1"], ["b3", "b1", "a2"], contribution, entity) == [2, 1, -1]


def test_ceilings_on_tiny_scenario(bench: ModuleType, tmp_path: Path) -> None:
    world, store = ingested_tiny_world(tmp_path, 3)
    with store:
        crosscheck_all(store)
        truth = load_benchmark("crosscheck").scenario_truth(store, world)
        entities = dict(store.con.execute("SELECT record_uid, entity_id FROM entities").fetchall())
        ours = accuracy(entities, truth)
        pairs, features, model = bench.candidate_frame(store, truth)
        stored = store.con.execute("SELECT count(*) FROM candidate_pairs").fetchall()[0][0]
    assert len(pairs) >= stored  # every candidate pair, also those too weak to be stored
    assert pairs.truth.sum() > 0 and {"level:name", "weight:name", "colinks"} <= set(pairs.columns)
    rows = bench.ceilings(pairs, features, truth, model)
    labels = [
        "truth on candidate pairs",
        "Mare, m from the truth",
        "levels, linear (CV)",
        "boosted, +context (CV)",
    ]
    assert [r.label for r in rows] == labels
    oracle = rows[0].accuracy
    assert oracle.precision == 1.0 and oracle.recall >= ours.recall
    for row in rows:
        assert 0.0 <= row.accuracy.f1 <= 1.0 and row.threshold in bench.THRESHOLDS
