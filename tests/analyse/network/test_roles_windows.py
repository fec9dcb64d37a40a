"""Role assessments with reasons, their evaluation, and time windows."""

from __future__ import annotations

import networkx as nx

from mare.analyse.network.cells import find_cells
from mare.analyse.network.graph import Tie, build_network, from_networkx
from mare.analyse.network.measures import node_measures
from mare.analyse.network.roles import evaluate_roles, infer_roles, rank_agreement
from mare.analyse.network.windows import period_of, split_by_period, track


def two_cells() -> nx.Graph:
    g = nx.Graph()
    g.add_edges_from(("boss", f"a{i}") for i in range(6))
    g.add_edges_from(("boss", f"b{i}") for i in range(3))
    g.add_edges_from((f"a{i}", f"a{i + 1}") for i in range(5))
    g.add_edges_from([("b0", "b1"), ("b1", "b2"), ("b2", "bridge"), ("bridge", "far1"), ("far1", "far2")])
    return g


def test_leader_organiser_facilitator_with_reasons() -> None:
    net = from_networkx(two_cells(), weight=None)
    m = node_measures(net, "networkx")
    cells = find_cells(net, "networkx", seed=1)
    before = infer_roles(net, m, cells)
    member = next(k for k, r in sorted(before.items()) if r.role == "member")
    net.attrs[member] = {"evidence": {"payments": 2}}
    roles = infer_roles(net, m, cells)
    assert roles["boss"].role == "leader" and "highest command score" in roles["boss"].reasons[0]
    assert roles[member].role == "facilitator" and roles[member].kind == "money"
    assert "money" in roles[member].reasons[0]
    assert roles["far2"].role == "peripheral"
    assert any(r.role == "organiser" for r in roles.values())
    assert "not established fact" in roles["boss"].as_dict()["status"]
    score = evaluate_roles({k: v.role for k, v in roles.items()}, {"boss": "leader", "a0": "leader"})
    assert score["compared"] == 2 and score["accuracy"] == 0.5


def test_rank_agreement() -> None:
    agree = rank_agreement({"a": 3.0, "b": 2.0, "c": 1.0}, {"a": 1, "b": 2, "c": 3})
    assert agree["spearman"] == 1.0


def test_windows_show_who_rises() -> None:
    ties = [Tie("x", f"p{i}", at="2026-01-05") for i in range(5)] + [Tie("y", "p0", at="2026-01-07")]
    ties += [Tie("y", f"p{i}", at="2026-02-05") for i in range(5)] + [Tie("x", "p0", at="2026-02-09")]
    ties += [Tie("x", "y")]  # no time: left out of windows
    windows = split_by_period(ties, "month")
    assert [label for label, _ in windows] == ["2026-01", "2026-02"]
    result = track(windows, top=1, engine="networkx")
    assert result.top == [["x"], ["y"]]
    moves = {(m["id"], m["direction"]) for m in result.movers}
    assert ("y", "rises") in moves and ("x", "falls") in moves
    assert period_of("2026-05-03", "quarter") == "2026-Q2" and period_of("2026-05-03", "year") == "2026"
    assert build_network(ties).n == 7
