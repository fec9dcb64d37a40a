"""Removal simulations: whom to arrest first, and what is left of the network after each arrest.

*Sequential* removal recomputes the scores after every removal (one arrest at a time, each
decided on the network as it now stands); *block* removal takes the top `block` nodes at once,
then recomputes (raids). Strategies rank nodes by betweenness, degree, Katz, collective influence
or PageRank, or follow a chosen list. Each step records the largest connected component (as a
share of the initial one) and the global efficiency (mean inverse distance between all pairs).

Ties in scores are broken by network order: the node met first wins, so runs are reproducible.
`tie_break` lets a published protocol be replayed with its own rule (see `published.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, shortest_path

from mare.analyse.network.engines import AUTO_NETWORKIT_NODES, Engine, EngineName, get_engine
from mare.analyse.network.graph import Network

Mode = Literal["sequential", "block"]
STRATEGIES = ("betweenness", "degree", "katz", "collective_influence", "pagerank")
Scorer = Callable[[Network], np.ndarray]
TieBreak = Callable[[Network], np.ndarray]  # higher value wins among equal scores
EFFICIENCY_NODES = 3_000


def adjacency(net: Network, distances: bool = False) -> csr_matrix:
    """Symmetric sparse adjacency (strengths, or distances 1/strength)."""
    w = net.strengths()
    vals = 1.0 / w if distances else w
    rows = np.concatenate([net.src, net.dst])
    cols = np.concatenate([net.dst, net.src])
    return csr_matrix((np.concatenate([vals, vals]), (rows, cols)), shape=(net.n, net.n))


def component_sizes(net: Network) -> np.ndarray:
    """Sizes of the connected components (direction ignored)."""
    if net.n == 0:
        return np.zeros(0, dtype=np.int64)
    _, labels = connected_components(adjacency(net), directed=False)
    return np.bincount(labels)


def lcc_size(net: Network) -> int:
    """Number of nodes in the largest connected component."""
    sizes = component_sizes(net)
    return int(sizes.max()) if len(sizes) else 0


def fragmentation(net: Network) -> float:
    """Borgatti's fragmentation: share of node pairs that cannot reach each other (0 = connected)."""
    n = net.n
    if n < 2:
        return 1.0 if n == 1 else 0.0
    sizes = component_sizes(net).astype(float)
    return float(1.0 - np.sum(sizes * (sizes - 1)) / (n * (n - 1)))


def global_efficiency(net: Network, weighted: bool = False) -> float:
    """Mean of 1/distance over all ordered pairs (hops, or 1/strength distances when weighted)."""
    n = net.n
    if n < 2 or net.m == 0:
        return 0.0
    dist = shortest_path(adjacency(net, distances=True), directed=False, unweighted=not weighted)
    with np.errstate(divide="ignore"):
        inv = 1.0 / dist
    inv[~np.isfinite(inv)] = 0.0
    np.fill_diagonal(inv, 0.0)
    return float(inv.sum() / (n * (n - 1)))


def collective_influence(net: Network, radius: int = 2) -> np.ndarray:
    """Collective influence (Morone & Makse 2015): (k_i - 1) · Σ (k_j - 1) over the ball's frontier."""
    deg = net.degree().astype(float)
    if radius <= 1:
        a = adjacency(net)
        a.data[:] = 1.0
        return (deg - 1) * (a @ (deg - 1))
    g = nx.Graph(net.to_networkx())
    out = np.zeros(net.n)
    for i in range(net.n):
        lengths = nx.single_source_shortest_path_length(g, i, cutoff=radius)
        frontier = [j for j, d in lengths.items() if d == radius]
        out[i] = (deg[i] - 1) * float(np.sum(deg[frontier] - 1)) if frontier else 0.0
    return out


def katz(net: Network, alpha: float | None = None, beta: float = 1.0) -> np.ndarray:
    """Katz centrality on strengths, alpha 0.85/λmax unless given (unit length, as networkx)."""
    if net.m == 0:
        return np.full(net.n, 1.0 / np.sqrt(max(net.n, 1)))
    a = adjacency(net).toarray() if net.n <= AUTO_NETWORKIT_NODES else None
    if a is not None:
        lam = float(np.max(np.abs(np.linalg.eigvalsh(a))))
        al = alpha if alpha is not None else 0.85 / lam
        x = np.linalg.solve(np.eye(net.n) - al * a, np.full(net.n, beta))
    else:
        sp = adjacency(net)
        from scipy.sparse.linalg import eigsh

        lam = float(abs(eigsh(sp, k=1, which="LM", return_eigenvectors=False)[0]))
        al = alpha if alpha is not None else 0.85 / lam
        x = np.full(net.n, beta)
        for _ in range(1000):
            nxt = beta + al * (sp @ x)
            if np.max(np.abs(nxt - x)) < 1e-10:
                x = nxt
                break
            x = nxt
    norm = np.sign(x.sum()) * np.linalg.norm(x)
    return x / norm


def scorer_for(strategy: str, engine: Engine | EngineName = "auto") -> Scorer:
    """The scoring function of a named strategy (on the network as it stands)."""

    def score(net: Network) -> np.ndarray:
        eng = get_engine(engine, net.n) if isinstance(engine, str) else engine
        if strategy == "betweenness":
            return eng.betweenness(net).scores
        if strategy == "degree":
            return net.weighted_degree() if net.weighted else net.degree().astype(float)
        if strategy == "katz":
            return katz(net)
        if strategy == "collective_influence":
            return collective_influence(net)
        if strategy == "pagerank":
            return eng.pagerank(net)
        raise ValueError(f"unknown strategy {strategy!r}: use one of {', '.join(STRATEGIES)} or a list")

    return score


def first_wins(net: Network) -> np.ndarray:
    """Default tie-break: earlier in network order wins."""
    return -np.arange(net.n, dtype=float)


def top_nodes(net: Network, scores: np.ndarray, k: int, tie_break: TieBreak = first_wins) -> list[str]:
    """The k highest-scoring node ids, ties broken by `tie_break`."""
    order = np.lexsort((-tie_break(net), -np.asarray(scores, dtype=float)))
    return [net.ids[int(i)] for i in order[:k]]


@dataclass(slots=True)
class RemovalCurve:
    """What is left after each step: removed counts, LCC share, efficiency."""

    strategy: str
    mode: str
    block: int
    removed: list[str] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)  # nodes removed so far
    lcc: list[int] = field(default_factory=list)
    lcc_fraction: list[float] = field(default_factory=list)  # LCC / initial LCC
    efficiency: list[float] = field(default_factory=list)
    fragmentation: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {k: getattr(self, k) for k in self.__slots__}


def removal_curve(
    net: Network,
    strategy: str | Sequence[str] = "betweenness",
    mode: Mode = "sequential",
    block: int = 5,
    max_removed: int | None = None,
    min_left: int = 0,
    efficiency: bool | None = None,
    engine: Engine | EngineName = "auto",
    scorer: Scorer | None = None,
    tie_break: TieBreak = first_wins,
) -> RemovalCurve:
    """Simulate removals; a list strategy removes those ids in that order (in blocks if asked)."""
    listed = None if isinstance(strategy, str) else [s for s in strategy if s in net.index()]
    name = strategy if isinstance(strategy, str) else "list"
    score = scorer or (scorer_for(name, engine) if listed is None else None)
    want_eff = efficiency if efficiency is not None else net.n <= EFFICIENCY_NODES
    limit = max_removed if max_removed is not None else net.n - min_left
    if listed is not None:
        limit = min(limit, len(listed))
    curve = RemovalCurve(name, mode, block if mode == "block" else 1)
    lcc0 = max(lcc_size(net), 1)
    current = net

    def record() -> None:
        curve.steps.append(len(curve.removed))
        size = lcc_size(current)
        curve.lcc.append(size)
        curve.lcc_fraction.append(size / lcc0)
        curve.fragmentation.append(fragmentation(current))
        if want_eff:
            curve.efficiency.append(global_efficiency(current))

    record()
    while len(curve.removed) < limit and current.n > min_left:
        take = min(block if mode == "block" else 1, limit - len(curve.removed), current.n - min_left)
        if listed is not None:
            chosen = listed[len(curve.removed) : len(curve.removed) + take]
        else:
            assert score is not None
            chosen = top_nodes(current, score(current), take, tie_break)
        curve.removed.extend(chosen)
        current = current.without(chosen)
        record()
    return curve


def removal_order(net: Network, strategy: str, k: int, engine: Engine | EngineName = "auto") -> list[str]:
    """The first k nodes a sequential removal by `strategy` would take."""
    return removal_curve(net, strategy, "sequential", max_removed=k, efficiency=False, engine=engine).removed
