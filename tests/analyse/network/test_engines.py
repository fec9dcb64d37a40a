"""networkx and NetworKit give the same answers (random graphs, as Splink checks components)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from mare.analyse.network.engines import NetworkitEngine, NetworkxEngine, get_engine
from mare.analyse.network.graph import Network, Tie, build_network, from_networkx

NX, NK = NetworkxEngine(), NetworkitEngine(threads=1)


def random_network(seed: int, n: int = 40, m: int = 70, weighted: bool = True) -> Network:
    g = nx.gnm_random_graph(n, m, seed=seed)
    rng = np.random.default_rng(seed)
    for a, b in g.edges:
        g[a][b]["weight"] = float(rng.integers(1, 6))
    return from_networkx(g, weight="weight" if weighted else None)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("weighted", [True, False])
def test_same_answers_on_random_graphs(seed: int, weighted: bool) -> None:
    net = random_network(seed, weighted=weighted)
    assert np.array_equal(NX.components(net), NK.components(net))
    assert np.allclose(NX.betweenness(net).scores, NK.betweenness(net).scores, atol=1e-12)
    assert np.allclose(NX.closeness(net), NK.closeness(net), atol=1e-12)
    assert np.allclose(NX.pagerank(net), NK.pagerank(net), atol=1e-7)
    assert np.array_equal(NX.core_number(net), NK.core_number(net))


@pytest.mark.parametrize("seed", range(4))
def test_eigenvector_agrees_on_connected_graphs(seed: int) -> None:
    g = nx.connected_watts_strogatz_graph(40, 4, 0.3, seed=seed)
    net = from_networkx(g, weight=None)
    assert np.allclose(NX.eigenvector(net), NK.eigenvector(net), atol=1e-6)


def test_strength_becomes_distance_for_paths() -> None:
    # a-b and b-c are strong (10 calls), a-c weak (1 call): the shortest path a..c runs through b.
    net = build_network([Tie("a", "b", weight=10), Tie("b", "c", weight=10), Tie("a", "c", weight=1)])
    for eng in (NX, NK):
        scores = eng.betweenness(net).scores
        assert scores[net.index()["b"]] == pytest.approx(1.0), eng.name
    unweighted = build_network([Tie("a", "b"), Tie("b", "c"), Tie("a", "c")], weighted=False)
    assert NX.betweenness(unweighted).scores.max() == 0.0


def test_sampled_betweenness_states_and_keeps_its_error() -> None:
    g = nx.barabasi_albert_graph(600, 3, seed=2)
    for weight in (None, "weight"):
        for a, b in g.edges:
            g[a][b]["weight"] = 1.0 + (a + b) % 3
        net = from_networkx(g, weight=weight)
        exact = NK.betweenness(net).scores
        est = NK.betweenness(net, error=0.05, seed=3)
        assert not est.exact and est.error == 0.05 and est.confidence == 0.9
        assert np.max(np.abs(est.scores - exact)) <= 0.05
    pivots = NX.betweenness(from_networkx(nx.path_graph(30)), error=0.5)
    assert not pivots.exact and "random sources" in pivots.method


def test_cells_are_reproducible_and_find_planted_groups() -> None:
    g = nx.union(nx.complete_graph(8), nx.complete_graph(range(8, 16)))
    g.add_edge(0, 8)
    net = from_networkx(g, weight=None)
    for eng in (NX, NK):
        first, second = eng.cells(net, seed=7), eng.cells(net, seed=7)
        assert np.array_equal(first, second)
        assert len(set(first[:8])) == 1 and len(set(first[8:])) == 1 and first[0] != first[8]


def test_auto_picks_by_size() -> None:
    assert get_engine("auto", 100).name == "networkx"
    assert get_engine("auto", 10_000).name == "networkit"
    with pytest.raises(ValueError, match="unknown engine"):
        get_engine("igraph", 10)  # type: ignore[arg-type]
