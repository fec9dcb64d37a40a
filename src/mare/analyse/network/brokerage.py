"""Brokerage: Gould–Fernandez roles across groups (countries, nationalities) and Burt's structural holes.

Gould & Fernandez (1989) count, for each broker b, the two-paths a → b → c with no direct tie
a → c, and name the brokerage by the groups of a, b and c:

- coordinator: a, b, c in one group;
- itinerant (consultant): a and c in one group, b in another;
- gatekeeper: b and c in one group, a outside (b lets outsiders in);
- representative: a and b in one group, c outside (b speaks for their group);
- liaison: a, b, c in three different groups.

In an undirected network a path a - b - c has no direction, so gatekeeper and representative
cannot be told apart; they are counted together as `gatekeeper_representative` and each unordered
pair {a, c} is counted once. Nodes whose group is unknown are left out of the triads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from mare.analyse.network.graph import STRENGTH, Network

ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
UNDIRECTED_ROLES = ("coordinator", "itinerant", "gatekeeper_representative", "liaison")


@dataclass(slots=True)
class Brokerage:
    """Gould–Fernandez counts per node for one grouping attribute."""

    attribute: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def total(self, node: str, cross_group_only: bool = True) -> int:
        """Brokerage count of a node (excluding coordinator when `cross_group_only`)."""
        counts = self.counts.get(node, {})
        return sum(v for k, v in counts.items() if not (cross_group_only and k == "coordinator"))


def _classify(ga: str, gb: str, gc: str, directed: bool) -> str:
    if ga == gb == gc:
        return "coordinator"
    if ga == gc:
        return "itinerant"
    if gb == gc:
        return "gatekeeper" if directed else "gatekeeper_representative"
    if ga == gb:
        return "representative" if directed else "gatekeeper_representative"
    return "liaison"


def gould_fernandez(net: Network, groups: Mapping[str, str | None], attribute: str = "group") -> Brokerage:
    """Count the five brokerage roles per node, by the group each node belongs to."""
    g = net.to_networkx()
    label = [groups.get(node) for node in net.ids]
    roles = ROLES if net.directed else UNDIRECTED_ROLES
    result = Brokerage(attribute)
    for b in range(net.n):
        gb = label[b]
        counts = dict.fromkeys(roles, 0)
        if gb is not None:
            if net.directed:
                preds = [a for a in g.predecessors(b) if label[a] is not None]
                succs = [c for c in g.successors(b) if label[c] is not None]
                for a in preds:
                    for c in succs:
                        if a != c and not g.has_edge(a, c):
                            counts[_classify(str(label[a]), str(gb), str(label[c]), True)] += 1
            else:
                nbrs = [a for a in g.neighbors(b) if label[a] is not None]
                for i, a in enumerate(nbrs):
                    for c in nbrs[i + 1 :]:
                        if not g.has_edge(a, c):
                            counts[_classify(str(label[a]), str(gb), str(label[c]), False)] += 1
        result.counts[net.ids[b]] = counts
    return result


def structural_holes(net: Network, nodes: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Burt's effective size and constraint per node (tie strength as investment in the tie)."""
    g = net.to_networkx()
    if net.directed:
        g = g.to_undirected()
    index = net.index()
    wanted = [index[n] for n in nodes] if nodes is not None else list(range(net.n))
    weight = STRENGTH if net.weighted else None
    size = nx.effective_size(g, nodes=wanted, weight=weight)
    constraint = nx.constraint(g, nodes=wanted, weight=weight)
    return {
        net.ids[i]: {"effective_size": float(size[i]), "constraint": float(constraint[i])} for i in wanted
    }
