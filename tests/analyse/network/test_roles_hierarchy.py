"""Leaders and organisers found by the hub's evidence (issue 13): money, recorded roles, links, calls.

Each network here is built so that structure alone picks the wrong person (the most connected is
an organiser or a driver); only the new evidence names the leader.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mare.analyse.network.cells import find_cells
from mare.analyse.network.graph import Network, Tie, build_network
from mare.analyse.network.hierarchy import assess_hierarchy, has_hierarchy_evidence
from mare.analyse.network.measures import node_measures
from mare.analyse.network.roles import RoleAssessment, infer_roles


def hub_like(
    ties: list[Tie], evidence: dict[str, dict[str, int]], country: dict[str, str] | None = None
) -> Network:
    nodes = sorted({t.source for t in ties} | {t.target for t in ties} | set(evidence))
    attrs: dict[str, dict[str, Any]] = {
        n: {"label": n, "country": (country or {}).get(n), "evidence": dict(evidence.get(n, {}))}
        for n in nodes
    }
    net = build_network(ties, nodes=nodes, attrs=attrs, name="hub")
    net.meta["ties"] = ties
    return net


def assess(net: Network) -> dict[str, RoleAssessment]:
    m = node_measures(net, "networkx")
    return infer_roles(net, m, find_cells(net, "networkx", seed=1))


def org_cell(org: str, prefix: str, k: int = 6) -> list[Tie]:
    """An organiser calling k drivers, who also call one another: the busiest person is the organiser."""
    ties = [Tie(org, f"{prefix}{i}", "calls", 5.0) for i in range(k)]
    ties += [Tie(f"{prefix}{i}", f"{prefix}{i + 1}", "calls", 2.0) for i in range(k - 1)]
    return ties


def two_organisers_and_a_quiet_boss() -> list[Tie]:
    ties = org_cell("orgA", "a") + org_cell("orgB", "b")
    ties += [Tie("orgA", "orgB", "calls", 3.0)]
    # the boss: a few calls, named as associate by both organisers, paid proceeds by both
    ties += [Tie("orgA", "boss", "calls", 1.0), Tie("boss", "orgB", "calls", 1.0)]
    ties += [Tie("orgA", "boss", "associations", 1.0, ref="associate_of")]
    ties += [Tie("orgB", "boss", "associations", 1.0, ref="associate_of")]
    ties += [Tie("orgA", "boss", "payments", 1.0), Tie("orgB", "boss", "payments", 1.0)]
    return ties


def test_quiet_boss_found_by_money_and_links_not_by_degree() -> None:
    evidence = {
        "boss": {"received_proceeds": 2, "named_associate": 2},
        "orgA": {"paid_proceeds": 1, "received_fee": 3},
        "orgB": {"paid_proceeds": 1, "received_payout": 2},
    }
    net = hub_like(two_organisers_and_a_quiet_boss(), evidence, {"orgA": "TR", "orgB": "GR", "boss": "TR"})
    degree = dict(zip(net.ids, net.degree().tolist(), strict=True))
    assert max(degree, key=lambda k: degree[k]) != "boss"  # a degree rule would miss the boss
    roles = assess(net)
    assert roles["boss"].role == "leader"
    assert [k for k, r in roles.items() if r.role == "leader"] == ["boss"]
    reasons = " ".join(roles["boss"].reasons)
    assert "proceeds passed up" in reasons and "named as associate by 2 upper-tier people" in reasons
    assert roles["orgA"].role == roles["orgB"].role == "organiser"
    assert any("answers to an assessed leader (boss)" in r for r in roles["orgA"].reasons)
    assert all(roles[f"a{i}"].role in ("member", "peripheral", "facilitator") for i in range(6))
    assert "not established fact" in roles["boss"].as_dict()["status"]


def test_named_by_organisers_in_several_countries_without_money() -> None:
    """No payment: the boss is named as associate by two organisers (who collect fees and post
    adverts) and is in call contact with them in two countries."""
    evidence = {"orgA": {"received_fee": 2, "adverts": 1}, "orgB": {"received_payout": 1}}
    ties = [t for t in two_organisers_and_a_quiet_boss() if t.kind != "payments"]
    net = hub_like(ties, evidence, {"orgA": "TR", "orgB": "GR", "boss": "DE"})
    standing = assess_hierarchy(net)
    assert standing["boss"].leader == 3 and standing["boss"].role == "leader"
    assert any("2 countries (GR, TR)" in r for r in standing["boss"].leader_reasons)
    assert assess(net)["boss"].role == "leader"


def test_recorded_role_and_victims() -> None:
    """An agency's recorded role counts; a victim who paid a fee is not upper tier or a facilitator."""
    ties = [*org_cell("org", "d"), Tie("mig", "org", "payments", 1.0), Tie("mig", "org", "calls", 4.0)]
    ties += [Tie("chief", "org", "calls", 1.0), Tie("d0", "drv", "calls", 1.0)]
    evidence = {
        "chief": {"recorded_leader": 2, "recorded_organiser": 1, "as_suspect": 1},
        "org": {"received_fee": 1, "named_associate": 1},
        "mig": {"as_victim": 1, "paid_fee": 1, "accounts": 1},
        "drv": {"recorded_driver": 1, "received_fee": 1},
    }
    roles = assess(hub_like(ties, evidence))
    assert roles["chief"].role == "leader" and "recorded as leader" in roles["chief"].reasons[0]
    assert roles["org"].role == "organiser"
    assert roles["mig"].role in ("member", "peripheral")
    assert any("victim or witness" in r for r in roles["mig"].reasons)
    assert roles["drv"].role == "facilitator" and roles["drv"].kind == "transport"


def test_two_networks_in_one_component_each_keep_their_leader() -> None:
    """A shared hawaladar joins two networks; each leader is assessed on their own evidence."""
    left = two_organisers_and_a_quiet_boss()
    other = {"boss": "chief", "orgA": "proA", "orgB": "proB", **{f"a{i}": f"x{i}" for i in range(6)}}
    other.update({f"b{i}": f"y{i}" for i in range(6)})
    right = [Tie(other[t.source], other[t.target], t.kind, t.weight, ref=t.ref) for t in left]
    hawala = [Tie("hw", x, "calls", 2.0) for x in ("orgA", "orgB", "proA", "proB")]
    evidence = {
        "boss": {"received_proceeds": 1},
        "chief": {"received_proceeds": 1},
        **{k: {"paid_proceeds": 1} for k in ("orgA", "orgB", "proA", "proB")},
        "hw": {"recorded_hawaladar": 1, "paid_payout": 2},
    }
    net = hub_like(left + right + hawala, evidence)
    m = node_measures(net, "networkx")
    assert len(np.unique(m.component)) == 1
    roles = infer_roles(net, m, find_cells(net, "networkx", seed=1))
    assert sorted(k for k, r in roles.items() if r.role == "leader") == ["boss", "chief"]
    assert roles["hw"].role == "facilitator" and roles["hw"].kind == "money"


def test_structure_alone_keeps_the_structural_rules() -> None:
    """Without hub evidence (CAVIAR, Montagna, any file) the per-network structural rules apply."""
    ties = [*org_cell("hub", "a"), Tie("hub", "b0"), Tie("b0", "b1")]
    net = hub_like(ties, {"a0": {"payments": 2, "vehicles": 1}})
    assert not has_hierarchy_evidence(net)
    roles = assess(net)
    assert roles["hub"].role == "leader" and "highest command score" in roles["hub"].reasons[0]
