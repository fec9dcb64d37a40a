"""Building networks, node measures, key players, cells, profiles and brokerage."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest

from mare.analyse.network.brokerage import gould_fernandez, structural_holes
from mare.analyse.network.cells import find_cells
from mare.analyse.network.graph import Tie, build_network, from_networkx
from mare.analyse.network.keyplayers import key_players
from mare.analyse.network.measures import degree_centralisation, density, node_measures
from mare.analyse.network.profiles import compare, export_table, network_profile, split_components


def test_ties_merge_and_kinds_weigh() -> None:
    ties = [
        Tie("a", "b", "calls", 3),
        Tie("b", "a", "calls", 2),
        Tie("a", "c", "payments", 1),
        Tie("a", "a", "calls", 9),
        Tie("c", "d", "co_participation", 1),
    ]
    net = build_network(ties, weights={"calls": 2.0, "co_participation": 0})
    assert net.ids == ["a", "b", "c"]
    strengths = {(net.ids[s], net.ids[d]): w for s, d, w in zip(net.src, net.dst, net.weight, strict=True)}
    assert strengths == {("a", "b"): 10.0, ("a", "c"): 1.0}
    g = net.to_networkx()
    assert g[0][1]["distance"] == pytest.approx(0.1)
    assert net.without(["a"]).m == 0


def test_star_centre_is_first_key_player_with_reasons() -> None:
    net = from_networkx(nx.star_graph(6), weight=None)
    m = node_measures(net, "networkx")
    players = key_players(m, top=3)
    assert players[0].id == "0" and players[0].rank == 1
    assert any(r.startswith("betweenness 1 ") for r in players[0].reasons)
    assert degree_centralisation(net) == pytest.approx(1.0)
    assert density(net) == pytest.approx(6 / 21)
    assert m.notes["betweenness"].startswith("Brandes, exact")


def test_cells_never_span_components() -> None:
    g = nx.disjoint_union(nx.complete_graph(5), nx.cycle_graph(6))
    cells = find_cells(from_networkx(g, weight=None), "networkx", seed=3)
    for members in cells.members():
        assert len({cells.component[int(i)] for i in members}) == 1
    assert len(cells.networks()) == 2 and cells.modularity > 0.3


def test_profiles_table_and_export(tmp_path: Path) -> None:
    g = nx.disjoint_union(nx.complete_graph(5), nx.path_graph(4))
    net = from_networkx(g, weight=None, name="demo")
    for node in net.ids:
        net.attrs[node] = {"nationality": "SY" if int(node) < 5 else "TR"}
    parts = split_components(net)
    assert [p.n for p in parts] == [5, 4]
    rows = compare(parts, "networkx")
    assert rows[0]["nationality"] == {"SY": 5} and rows[0]["density"] == 1.0
    assert network_profile(net, "networkx")["components"] == 2
    out = export_table(rows, tmp_path / "t.csv")
    lines = list(csv.reader(out.open()))
    assert lines[0][0] == "name" and lines[1][lines[0].index("nationality")] == "SY:5"
    assert json.loads(export_table(rows, tmp_path / "t.json").read_text())[1]["nodes"] == 4


def test_gould_fernandez_directed_roles() -> None:
    groups = {"a": "X", "b": "X", "c": "Y", "d": "Y", "e": "Z", "f": "X"}
    ties = [Tie("a", "b"), Tie("b", "f"), Tie("c", "b"), Tie("b", "d"), Tie("a", "c"), Tie("c", "d")]
    ties += [Tie("d", "e"), Tie("e", "f")]
    net = build_network(ties, directed=True)
    gf = gould_fernandez(net, groups, "country")
    # b: a->b->f X X X coordinator; a->b->d X X Y representative; c->b->f Y X X gatekeeper;
    # c->b->d is closed by the direct tie c->d and does not count.
    assert gf.counts["b"] == {
        "coordinator": 1,
        "itinerant": 0,
        "gatekeeper": 1,
        "representative": 1,
        "liaison": 0,
    }
    assert gf.counts["c"]["gatekeeper"] == 1  # a->c->d: X Y Y (a->c->b is closed by a->b)
    assert gf.counts["d"]["liaison"] == 1 and gf.counts["d"]["representative"] == 1
    assert gf.counts["e"]["liaison"] == 1 and gf.total("e") == 1
    groups_itinerant = {"x": "A", "y": "B", "z": "A"}
    itinerant = gould_fernandez(
        build_network([Tie("x", "y"), Tie("y", "z")], directed=True), groups_itinerant
    )
    assert itinerant.counts["y"]["itinerant"] == 1
    undirected = gould_fernandez(build_network(ties), groups)
    assert "gatekeeper_representative" in undirected.counts["c"]


def test_structural_holes_broker_has_low_constraint() -> None:
    g = nx.Graph([(0, 1), (0, 2), (0, 3), (1, 4), (4, 5), (5, 1)])
    holes = structural_holes(from_networkx(g, weight=None))
    assert holes["0"]["effective_size"] == pytest.approx(3.0)
    assert holes["0"]["constraint"] < holes["4"]["constraint"]


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("seed", range(8))
def test_structural_holes_equal_networkx_per_node_definitions(seed: int, weighted: bool) -> None:
    """The sparse-matrix form gives networkx's per-node effective size and constraint (isolated: NaN)."""
    import math
    import random

    from mare.analyse.network.graph import STRENGTH

    rnd = random.Random(seed)
    g = nx.gnp_random_graph(rnd.randint(3, 40), 0.05 + rnd.random() * 0.5, seed=seed)
    for a, b in g.edges:
        g[a][b]["weight"] = rnd.uniform(0.1, 5.0)
    net = from_networkx(g, weight="weight" if weighted else None)
    ours = structural_holes(net)
    h = net.to_networkx()
    weight = STRENGTH if weighted else None
    size = nx.effective_size(h, nodes=list(h), weight=weight)
    constraint = nx.constraint(h, nodes=list(h), weight=weight)
    for i, node in enumerate(net.ids):
        for mine, theirs in (
            (ours[node]["effective_size"], size[i]),
            (ours[node]["constraint"], constraint[i]),
        ):
            assert (math.isnan(mine) and math.isnan(theirs)) or mine == pytest.approx(theirs, abs=1e-9)


def _same_network(a: object, b: object) -> None:
    import numpy as np

    from mare.analyse.network.graph import Network

    assert isinstance(a, Network) and isinstance(b, Network)
    assert a.ids == b.ids and list(a.attrs.items()) == list(b.attrs.items())
    for column in ("src", "dst", "weight"):
        assert np.array_equal(getattr(a, column), getattr(b, column)), column
        assert getattr(a, column).dtype == getattr(b, column).dtype, column
    assert (a.directed, a.weighted, a.name, a.meta) == (b.directed, b.weighted, b.name, b.meta)


@pytest.mark.parametrize("directed", [False, True])
def test_parts_are_the_induced_networks_of_each_group(directed: bool) -> None:
    """`Network.parts` gives, for every group of a labelling, exactly `induced` on its nodes (ids, ties in
    their order, strengths, attributes in their order): random networks, nodes in no group, empty groups
    of ties, a network with no ties."""
    import random

    import numpy as np

    rng = random.Random(3)
    for _ in range(20):
        people = [f"p{i}" for i in range(rng.randint(1, 60))]
        ties = [
            Tie(rng.choice(people), rng.choice(people), rng.choice(["call", "money"]), rng.random())
            for _ in range(rng.randint(0, 150))
        ]
        net = build_network(ties, directed=directed, attrs={p: {"n": i} for i, p in enumerate(people[::-2])})
        net.meta["span"] = "2026"
        groups = rng.randint(1, 6)
        labels = np.array([rng.randint(-1, groups - 1) for _ in range(net.n)], dtype=np.int64)
        parts = net.parts(labels)
        assert len(parts) == (int(labels.max()) + 1 if labels.size else 0)
        for group, part in enumerate(parts):
            _same_network(part, net.induced(labels == group))


def test_split_components_leaves_out_the_small_ones() -> None:
    ties = [Tie("a", "b"), Tie("b", "c"), Tie("c", "d"), Tie("e", "f"), Tie("f", "g"), Tie("h", "i")]
    parts = split_components(build_network([*ties, Tie("j", "j")]), min_size=3)
    assert [sorted(p.ids) for p in parts] == [["a", "b", "c", "d"], ["e", "f", "g"]]
    assert [p.name for p in parts] == ["network#1", "network#2"]
