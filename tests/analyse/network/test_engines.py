"""networkx and NetworKit give the same answers (random graphs, as Splink checks components)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from mare.analyse.network.engines import (
    DELTA,
    NetworkitEngine,
    NetworkxEngine,
    PathSampler,
    binomial_radius,
    get_engine,
    path_sample_plan,
    pivots_error,
    pivots_for,
    sampled_betweenness,
)
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
        assert not est.exact and 0 < est.error <= 0.05 and est.confidence == 0.9 and est.uniform
        assert np.max(np.abs(est.scores - exact)) <= est.error
    assert "shortest-path sampling" in NK.betweenness(from_networkx(g, weight=None), error=0.05).method
    pivots = NX.betweenness(from_networkx(nx.path_graph(30)), error=0.5)
    assert not pivots.exact and "random sources" in pivots.method and not pivots.uniform
    assert pivots.error == pytest.approx(pivots_error(pivots_for(0.5, n=30), n=30)) and pivots.error <= 0.5


@pytest.mark.parametrize("directed", [False, True])
def test_path_sampling_stays_within_its_stated_bound(directed: bool) -> None:
    # a few thousand nodes, unweighted, with a separate small piece (pairs across it have no path)
    g = nx.gnm_random_graph(2500, 9000, seed=4, directed=directed)
    g.add_edges_from((2500 + i, 2501 + i) for i in range(40))
    net = from_networkx(g, weight=None)
    exact = NK.betweenness(net).scores
    for error in (0.05, 0.02):
        est = sampled_betweenness(net, error, seed=1)
        assert 0 < est.error <= error and est.uniform and est.confidence == 1 - DELTA
        assert np.max(np.abs(est.scores - exact)) <= est.error
        assert np.array_equal(est.scores, sampled_betweenness(net, error, seed=1).scores)


def test_path_sampler_draws_shortest_paths_uniformly() -> None:
    # two routes of different multiplicity: a-(b|c|d)-e, and a long detour that is never shortest
    g = nx.Graph([("a", x) for x in "bcd"] + [(x, "e") for x in "bcd"] + [("a", "f"), ("f", "g"), ("g", "e")])
    net = from_networkx(g, weight=None)
    sampler = PathSampler(net, seed=2)
    sampler.sample(20_000)
    share = sampler.hits / sampler.samples * net.n / (net.n - 2)
    exact = NX.betweenness(net).scores
    radius = binomial_radius(sampler.hits, sampler.samples, 1e-6) * net.n / (net.n - 2)
    assert np.max(np.abs(share - exact)) <= radius < 0.025


def test_path_sample_plan_and_binomial_radius() -> None:
    plan = path_sample_plan(0.01, 1_000_000)
    assert plan == sorted(plan) and plan[0] == 1000 and len(set(plan)) == len(plan)
    # the last size meets the error whatever the data (Hoeffding over n nodes and every look)
    each = DELTA / (1_000_000 * len(plan))
    assert math.sqrt(math.log(2 / each) / (2 * plan[-1])) <= 0.01
    assert binomial_radius(np.zeros(5, dtype=np.int64), plan[-1], each) <= 0.01
    # no hits in r draws: the exact upper limit is 1 - (delta/2)^(1/r)
    assert binomial_radius(np.zeros(3, dtype=np.int64), 1000, 0.1) == pytest.approx(1 - 0.05 ** (1 / 1000))
    assert binomial_radius(np.array([0, 500, 1000]), 1000, 0.1) < math.sqrt(math.log(2 / 0.1) / 2000)


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
