"""Networks and cells: connected components, each split into cells by Leiden (or Louvain).

A *network* is a connected component (people linked by any chain of ties); a *cell* is a densely
tied group inside it. Cells come from modularity optimisation with a fixed seed, so the same
input gives the same cells. NetworKit runs Leiden (connected, well-separated communities);
networkx has only Louvain, which can in rare cases return a cell that is internally disconnected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mare.analyse.network.engines import Engine, EngineName, get_engine
from mare.analyse.network.graph import Network


@dataclass(slots=True)
class Cells:
    """Component and cell of each node, with the members of each cell."""

    ids: list[str]
    component: np.ndarray
    cell: np.ndarray
    modularity: float
    method: str

    def members(self) -> list[list[str]]:
        """Ids per cell, largest cell first."""
        groups: list[list[str]] = [[] for _ in range(int(self.cell.max()) + 1)] if len(self.cell) else []
        for node, c in zip(self.ids, self.cell.tolist(), strict=True):
            groups[c].append(node)
        return groups

    def networks(self) -> list[list[str]]:
        """Ids per connected component, largest first."""
        groups: list[list[str]] = (
            [[] for _ in range(int(self.component.max()) + 1)] if len(self.component) else []
        )
        for node, c in zip(self.ids, self.component.tolist(), strict=True):
            groups[c].append(node)
        return groups


def modularity(net: Network, labels: np.ndarray, resolution: float = 1.0) -> float:
    """Newman modularity of a partition, with tie strengths (direction ignored)."""
    if net.m == 0:
        return 0.0
    w = net.strengths()
    total = w.sum()
    inside = labels[net.src] == labels[net.dst]
    strength = np.bincount(net.src, weights=w, minlength=net.n) + np.bincount(
        net.dst, weights=w, minlength=net.n
    )
    per_cell = np.bincount(labels, weights=strength)
    return float(w[inside].sum() / total - resolution * np.sum((per_cell / (2 * total)) ** 2))


def find_cells(
    net: Network, engine: Engine | EngineName = "auto", seed: int = 1, resolution: float = 1.0
) -> Cells:
    """Components, then cells by community detection (a cell never spans two components)."""
    eng = get_engine(engine, net.n) if isinstance(engine, str) else engine
    component = eng.components(net)
    cell = eng.cells(net, seed=seed, resolution=resolution)
    method = "Leiden (NetworKit ParallelLeiden)" if eng.name == "networkit" else "Louvain (networkx)"
    return Cells(
        ids=list(net.ids),
        component=component,
        cell=cell,
        modularity=modularity(net, cell, resolution),
        method=f"{method}, seed {seed}, resolution {resolution}",
    )
