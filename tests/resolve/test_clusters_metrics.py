"""Clustering with judgements, checked against networkx; accuracy measures."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from mare.resolve.clusters import cluster
from mare.resolve.metrics import accuracy

_edges = st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15), st.floats(0.5, 1.0)), max_size=40)


@given(_edges)
@settings(max_examples=60, deadline=None)
def test_without_judgements_clusters_are_connected_components(edges: list[tuple[int, int, float]]) -> None:
    nodes = [str(i) for i in range(16)]
    links = [(str(a), str(b), p) for a, b, p in edges if a != b]
    got = cluster(nodes, links)
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((a, b) for a, b, _ in links)
    for component in nx.connected_components(graph):
        assert len({got[n] for n in component}) == 1
    assert len(set(got.values())) == nx.number_connected_components(graph)


@given(_edges, st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=5))
@settings(max_examples=60, deadline=None)
def test_not_same_judgements_always_split(
    edges: list[tuple[int, int, float]], apart: list[tuple[int, int]]
) -> None:
    links = [(str(a), str(b), p) for a, b, p in edges if a != b]
    not_same = [(str(a), str(b)) for a, b in apart if a != b]
    got = cluster([str(i) for i in range(16)], links, not_same=not_same)
    for a, b in not_same:
        assert got[a] != got[b]


def test_same_judgement_merges_and_beats_weaker_links() -> None:
    got = cluster(["a", "b", "c"], [("b", "c", 0.99)], same=[("a", "b")], not_same=[("a", "c")])
    assert got["a"] == got["b"] != got["c"]


def test_accuracy_pairwise_and_bcubed() -> None:
    truth = {"1": "x", "2": "x", "3": "y", "4": "y"}
    perfect = accuracy({"1": "a", "2": "a", "3": "b", "4": "b"}, truth)
    assert perfect.f1 == 1.0 and perfect.bcubed_f1 == 1.0
    lumped = accuracy({"1": "a", "2": "a", "3": "a", "4": "a"}, truth)
    assert lumped.recall == 1.0 and lumped.precision == 2 / 6
    split = accuracy({"1": "a", "2": "b", "3": "c", "4": "d"}, truth)
    assert split.recall == 0.0 and split.precision == 1.0 and split.bcubed_precision == 1.0


def test_undated_record_never_chains_namesakes_with_other_birth_dates() -> None:
    dates = {"a": ["1980-01-01"], "b": ["1975-05-05"], "c": ["1980-01-02"]}
    links = [("x", "a", 0.99), ("x", "b", 0.97), ("a", "c", 0.96)]
    got = cluster(["a", "b", "c", "x"], links, dates=dates)
    assert got["x"] == got["a"] == got["c"]  # a and c: dated on both sides, scored on their dates
    assert got["b"] != got["a"]  # x's weaker link would join two people born years apart
    # an analyst's 'same' always joins
    judged = cluster(["a", "b", "x"], links[:2], same=[("a", "b")], dates=dates)
    assert judged["a"] == judged["b"]
