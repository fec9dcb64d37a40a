"""KPP-Neg, removal curves, efficiency, collective influence and resilience."""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import numpy as np
import pytest

from mare.analyse.network.disruption import (
    collective_influence,
    fragmentation,
    global_efficiency,
    katz,
    removal_curve,
)
from mare.analyse.network.graph import from_networkx
from mare.analyse.network.kpp import kpp_neg
from mare.analyse.network.resilience import resilience


def brute_force(g: nx.Graph, k: int) -> float:
    best = 0.0
    n = g.number_of_nodes() - k
    for combo in combinations(g.nodes, k):
        h = g.copy()
        h.remove_nodes_from(combo)
        sizes = [len(c) for c in nx.connected_components(h)]
        best = max(best, 1 - sum(s * (s - 1) for s in sizes) / (n * (n - 1)))
    return best


@pytest.mark.parametrize("seed", range(3))
def test_kpp_exact_matches_brute_force_and_greedy_is_close(seed: int) -> None:
    g = nx.gnm_random_graph(16, 22, seed=seed)
    net = from_networkx(g, weight=None)
    exact = kpp_neg(net, 2)
    assert exact.method.startswith("exact") and exact.fragmentation == pytest.approx(brute_force(g, 2))
    greedy = kpp_neg(net, 2, max_combinations=0)
    assert greedy.method.startswith("greedy")
    assert greedy.fragmentation >= exact.fragmentation - 0.1


def test_kpp_cuts_a_barbell_at_its_bridge() -> None:
    g = nx.barbell_graph(5, 1)  # two cliques joined through node 5
    assert kpp_neg(from_networkx(g, weight=None), 1).ids == ["5"]


def test_path_metrics() -> None:
    net = from_networkx(nx.path_graph(4), weight=None)
    assert fragmentation(net) == 0.0
    assert global_efficiency(net) == pytest.approx(nx.global_efficiency(nx.path_graph(4)))
    assert fragmentation(net.without(["1"])) == pytest.approx(1 - 2 / 6)


def test_sequential_and_block_removal_curves() -> None:
    g = nx.barbell_graph(5, 0)
    net = from_networkx(g, weight=None)
    seq = removal_curve(net, "betweenness", "sequential", max_removed=3)
    assert seq.steps == [0, 1, 2, 3] and seq.lcc_fraction[0] == 1.0
    assert seq.removed[0] == "4"  # bridge end, earlier in network order than its twin 5
    assert seq.lcc_fraction[1] == 0.5 and len(seq.efficiency) == 4
    block = removal_curve(net, "degree", "block", block=2, max_removed=4)
    assert block.steps == [0, 2, 4] and block.block == 2
    listed = removal_curve(net, ["9", "0", "missing"], "sequential")
    assert listed.removed == ["9", "0"] and listed.strategy == "list"
    with pytest.raises(ValueError, match="unknown strategy"):
        removal_curve(net, "magic")
    for strategy in ("katz", "collective_influence", "pagerank"):
        assert len(removal_curve(net, strategy, max_removed=2).removed) == 2


def test_collective_influence_and_katz() -> None:
    net = from_networkx(nx.star_graph(4), weight=None)
    ci1 = collective_influence(net, radius=1)
    assert ci1[0] == 0.0 and ci1[1] == 0.0  # leaves have k-1 = 0 and the hub's neighbours too
    ci2 = collective_influence(from_networkx(nx.path_graph(5), weight=None), radius=2)
    assert ci2[1] == pytest.approx(1.0) and ci2[2] == 0.0  # frontier of 2 is the two ends (k-1 = 0)
    k = katz(net)
    assert np.argmax(k) == 0 and np.linalg.norm(k) == pytest.approx(1.0)


def test_resilience_names_stand_ins_and_risers() -> None:
    # b and b2 both link a to c's side; removing b leaves b2 as the stand-in who gains betweenness.
    g = nx.Graph([("a", "b"), ("b", "c"), ("a", "b2"), ("b2", "c"), ("c", "d"), ("a", "e")])
    net = from_networkx(g, weight=None)
    view = resilience(net, ["b"], engine="networkx")
    assert view.stand_ins["b"][0]["id"] == "b2" and view.stand_ins["b"][0]["jaccard"] == 1.0
    assert view.risers[0]["id"] == "b2"
