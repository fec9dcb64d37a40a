"""Resilience: who could take over when key people are removed.

Two views, both structural and both assessments, not predictions:
- *risers*: people whose betweenness rises most once the removed are gone (traffic re-routes
  through them);
- *stand-ins*: for each removed person, the remaining people whose contacts overlap theirs most
  (Jaccard of neighbourhoods, near structural equivalence): they already know the same people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mare.analyse.network.engines import Engine, EngineName, get_engine
from mare.analyse.network.graph import Network


@dataclass(slots=True)
class Resilience:
    """Risers and stand-ins after a removal."""

    removed: list[str]
    risers: list[dict[str, Any]] = field(default_factory=list)
    stand_ins: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"removed": self.removed, "risers": self.risers, "stand_ins": self.stand_ins}


def _neighbours(net: Network) -> list[set[int]]:
    out: list[set[int]] = [set() for _ in range(net.n)]
    for a, b in zip(net.src.tolist(), net.dst.tolist(), strict=True):
        out[a].add(b)
        out[b].add(a)
    return out


def resilience(
    net: Network,
    removed: Iterable[str],
    top: int = 5,
    engine: Engine | EngineName = "auto",
) -> Resilience:
    """Who gains betweenness, and who shares the removed people's contacts."""
    gone = [r for r in removed if r in net.index()]
    eng = get_engine(engine, net.n) if isinstance(engine, str) else engine
    before = eng.betweenness(net).scores
    after_net = net.without(gone)
    after = eng.betweenness(after_net).scores
    index = net.index()
    rises = []
    for j, node in enumerate(after_net.ids):
        b0 = float(before[index[node]])
        rises.append((float(after[j]) - b0, node, b0, float(after[j])))
    rises.sort(key=lambda t: (-t[0], index[t[1]]))
    result = Resilience(gone)
    result.risers = [
        {
            "id": node,
            "betweenness_before": round(b0, 6),
            "betweenness_after": round(b1, 6),
            "rise": round(rise, 6),
        }
        for rise, node, b0, b1 in rises[:top]
        if rise > 0
    ]
    nbrs = _neighbours(net)
    gone_idx = {index[g] for g in gone}
    for g in gone:
        i = index[g]
        mine = nbrs[i] - gone_idx
        pool = set().union(*(nbrs[j] for j in mine), mine) - gone_idx - {i} if mine else set()
        scored = []
        for c in pool:
            theirs = nbrs[c] - gone_idx - {i}
            mine_c = mine - {c}
            union = mine_c | theirs
            if not union:
                continue
            shared = mine_c & theirs
            jac = len(shared) / len(union)
            if shared:
                scored.append((jac, len(shared), c))
        scored.sort(key=lambda t: (-t[0], -t[1], t[2]))
        result.stand_ins[g] = [
            {"id": net.ids[c], "jaccard": round(j, 4), "shared_contacts": s, "tied_to_removed": c in nbrs[i]}
            for j, s, c in scored[:top]
        ]
    return result


def betweenness_shift(net: Network, removed: Iterable[str], engine: EngineName = "auto") -> np.ndarray:
    """Betweenness after removal minus before, aligned with the remaining nodes."""
    eng = get_engine(engine, net.n)
    gone = list(removed)
    after_net = net.without(gone)
    before = eng.betweenness(net).scores
    idx = net.index()
    return eng.betweenness(after_net).scores - np.array([before[idx[i]] for i in after_net.ids])
