"""Two engines behind one interface: networkx (small graphs, reference) and NetworKit (large graphs).

Both take a `Network` and return one number per node index, on the same scale (the networkx
conventions: normalised betweenness, Wasserman–Faust closeness, PageRank summing to 1,
eigenvector of unit length). `tests/analyse/network/test_engines.py` checks they agree on random
graphs. Shortest-path measures use distance = 1 / strength; PageRank, eigenvector, Katz and
Leiden use strength directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Protocol

import networkx as nx
import numpy as np

from mare.analyse.network.graph import DISTANCE, STRENGTH, Network

EngineName = Literal["auto", "networkx", "networkit"]
#: Above this many nodes `auto` picks NetworKit: networkx betweenness is O(nm) in pure Python.
AUTO_NETWORKIT_NODES = 2_000
#: Failure probability of sampled estimates (bounds hold with probability 1 - DELTA).
DELTA = 0.1


@dataclass(frozen=True, slots=True)
class Estimate:
    """Scores with how they were obtained: exact, or sampled with an additive error bound."""

    scores: np.ndarray
    exact: bool
    method: str
    error: float = 0.0  # additive error bound on the normalised score (0 when exact)
    confidence: float = 1.0  # probability that every score is within `error`


class Engine(Protocol):
    """What an engine computes; every method returns one value per node index."""

    name: str

    def components(self, net: Network) -> np.ndarray: ...
    def betweenness(self, net: Network, error: float | None = None, seed: int = 1) -> Estimate: ...
    def closeness(self, net: Network) -> np.ndarray: ...
    def pagerank(self, net: Network, damping: float = 0.85) -> np.ndarray: ...
    def eigenvector(self, net: Network) -> np.ndarray: ...
    def core_number(self, net: Network) -> np.ndarray: ...
    def cells(self, net: Network, seed: int = 1, resolution: float = 1.0) -> np.ndarray: ...


def _labels(groups: list[set[int]] | list[list[int]], n: int) -> np.ndarray:
    """Canonical labels: groups numbered by size (largest first), then by smallest member."""
    ordered = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g[0]))
    out = np.full(n, -1, dtype=np.int64)
    for label, members in enumerate(ordered):
        out[members] = label
    return out


def canonical(labels: np.ndarray) -> np.ndarray:
    """Renumber any labelling canonically (largest group 0; ties by smallest member)."""
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(labels.tolist()):
        groups.setdefault(lab, []).append(i)
    return _labels(list(groups.values()), len(labels))


def pivots_for(error: float, delta: float = 0.1) -> int:
    """Random sources so that a node's normalised betweenness is within `error` w.p. 1-delta.

    Each source adds at most 1/(n-2)·(n-1)/(n-1) ≈ one unit share, so Hoeffding gives
    k = ln(2/delta) / (2 error²).
    """
    return math.ceil(math.log(2 / delta) / (2 * error * error))


class NetworkxEngine:
    """The reference engine: exact, readable, slow on large graphs."""

    name = "networkx"

    def _undirected(self, net: Network) -> nx.Graph:
        g = net.to_networkx()
        return g.to_undirected(as_view=True) if net.directed else g

    def components(self, net: Network) -> np.ndarray:
        """Connected (weakly, when directed) component label per node."""
        g = self._undirected(net)
        return _labels([set(c) for c in nx.connected_components(g)], net.n)

    def betweenness(self, net: Network, error: float | None = None, seed: int = 1) -> Estimate:
        """Normalised betweenness on distances 1/strength; pivot-sampled when `error` is set."""
        g = net.to_networkx()
        dist = DISTANCE if net.weighted else None
        k = pivots_for(error) if error else net.n
        if k >= net.n:
            bc = nx.betweenness_centrality(g, weight=dist, normalized=True)
            return Estimate(_vector(bc, net.n), True, "Brandes, exact")
        bc = nx.betweenness_centrality(g, k=k, seed=seed, weight=dist, normalized=True)
        return Estimate(
            _vector(bc, net.n),
            False,
            f"Brandes–Pich, {k} random sources (Hoeffding bound per node)",
            error=float(error or 0.0),
            confidence=1 - DELTA,
        )

    def closeness(self, net: Network) -> np.ndarray:
        """Closeness on distances 1/strength, Wasserman–Faust scaled for disconnected graphs."""
        g = net.to_networkx()
        return _vector(nx.closeness_centrality(g, distance=DISTANCE if net.weighted else None), net.n)

    def pagerank(self, net: Network, damping: float = 0.85) -> np.ndarray:
        """PageRank with tie strength as transition weight."""
        g = net.to_networkx()
        return _vector(nx.pagerank(g, alpha=damping, weight=STRENGTH, tol=1e-10, max_iter=10_000), net.n)

    def eigenvector(self, net: Network) -> np.ndarray:
        """Eigenvector centrality (unit length) on strengths, direction ignored.

        On a disconnected network the leading eigenvector lives on the component with the largest
        eigenvalue and others score 0; networkx refuses that case, so we solve it with scipy.
        """
        if net.m == 0:
            return np.zeros(net.n)
        from scipy.sparse import csr_matrix
        from scipy.sparse.linalg import eigsh

        w = net.strengths()
        rows, cols = np.concatenate([net.src, net.dst]), np.concatenate([net.dst, net.src])
        a = csr_matrix((np.concatenate([w, w]), (rows, cols)), shape=(net.n, net.n))
        if net.n < 3:
            vals, vecs = np.linalg.eigh(a.toarray())
            vec = vecs[:, int(np.argmax(vals))]
        else:
            _, vecs = eigsh(a, k=1, which="LA", v0=np.ones(net.n), tol=1e-12)
            vec = vecs[:, 0]
        vec = np.abs(vec)
        vec[vec < 1e-12] = 0.0
        return vec / np.linalg.norm(vec)

    def core_number(self, net: Network) -> np.ndarray:
        """k-core number per node (ties counted once, direction ignored)."""
        g = nx.Graph(self._undirected(net))
        return _vector(nx.core_number(g), net.n).astype(np.int64)

    def cells(self, net: Network, seed: int = 1, resolution: float = 1.0) -> np.ndarray:
        """Louvain communities (networkx has no Leiden of its own); deterministic for a seed."""
        g = self._undirected(net)
        if net.m == 0:
            return _labels([[i] for i in range(net.n)], net.n)
        groups = nx.community.louvain_communities(g, weight=STRENGTH, resolution=resolution, seed=seed)
        return _labels([set(c) for c in groups], net.n)


class NetworkitEngine:
    """The large-graph engine (C++, parallel): same answers, orders of magnitude faster."""

    name = "networkit"

    def __init__(self, threads: int | None = None) -> None:
        import networkit as nk

        self.nk = nk
        if threads:
            nk.engineering.setNumberOfThreads(threads)

    def graph(self, net: Network, values: Literal["strength", "distance", "none"] = "strength") -> object:
        """The network as a NetworKit graph with the given edge values."""
        nk = self.nk
        weighted = values != "none" and net.weighted
        g = nk.Graph(net.n, weighted=weighted, directed=net.directed)
        if net.m:
            w = net.strengths() if values == "strength" else 1.0 / net.strengths()
            if weighted:
                g.addEdges((w.astype(np.float64), (net.src, net.dst)))
            else:
                g.addEdges((net.src, net.dst))
        return g

    def components(self, net: Network) -> np.ndarray:
        """Connected (weakly, when directed) component label per node."""
        nk = self.nk
        g = self.graph(net, "none")
        algo = (
            nk.components.WeaklyConnectedComponents(g)
            if net.directed
            else nk.components.ConnectedComponents(g)
        )
        algo.run()
        return canonical(np.asarray(algo.getPartition().getVector(), dtype=np.int64))

    def betweenness(self, net: Network, error: float | None = None, seed: int = 1) -> Estimate:
        """Exact normalised betweenness, or sampled with a bound on every node's additive error.

        Unweighted: KADABRA (adaptive, bidirectional BFS). Weighted: Riondato–Kornaropoulos
        (Dijkstra paths). Both bound the error of all nodes at once with probability 1-delta.
        """
        nk = self.nk
        g = self.graph(net, "distance")
        if not error or net.n <= 3:
            algo = nk.centrality.Betweenness(g, normalized=True)
            algo.run()
            return Estimate(np.asarray(algo.scores()), True, "Brandes, exact (NetworKit)")
        # Riondato–Kornaropoulos estimates the share of ordered pairs (s, t) whose shortest paths
        # pass a node, n(n-1) pairs; KADABRA (undirected only) the share of unordered pairs but
        # over n(n-1)/2, so its scores are double. networkx normalises by (n-1)(n-2).
        scale = net.n / max(net.n - 2, 1)
        nk.engineering.setSeed(seed, True)
        if net.weighted or net.directed:
            approx = nk.centrality.ApproxBetweenness(g, epsilon=error / scale, delta=DELTA)
            approx.run()
            method = f"Riondato–Kornaropoulos, {approx.numberOfSamples()} sampled paths"
            scores = np.asarray(approx.scores())
        else:
            scale /= 2
            kad = nk.centrality.KadabraBetweenness(g, error / scale, DELTA)
            kad.run()
            method = f"KADABRA adaptive sampling, {kad.getNumberOfIterations()} sampled paths"
            scores = np.asarray(kad.scores())
        return Estimate(scores * scale, False, method, error=error, confidence=1 - DELTA)

    def closeness(self, net: Network) -> np.ndarray:
        """Closeness on distances 1/strength, Wasserman–Faust scaled (NetworKit's generalised)."""
        nk = self.nk
        g = self.graph(net, "distance")
        algo = nk.centrality.Closeness(g, False, nk.centrality.ClosenessVariant.GENERALIZED)
        algo.run()
        return np.asarray(algo.scores())

    def pagerank(self, net: Network, damping: float = 0.85) -> np.ndarray:
        """PageRank with tie strength as transition weight (dangling mass spread as networkx does)."""
        nk = self.nk
        g = self.graph(net, "strength")
        algo = nk.centrality.PageRank(
            g, damp=damping, tol=1e-12, distributeSinks=nk.centrality.SinkHandling.DistributeSinks
        )
        algo.run()
        scores = np.asarray(algo.scores())
        total = scores.sum()
        return scores / total if total > 0 else scores

    def eigenvector(self, net: Network) -> np.ndarray:
        """Eigenvector centrality (unit length) on strengths."""
        nk = self.nk
        if net.m == 0:
            return np.zeros(net.n)
        g = self.graph(net, "strength")
        if net.directed:
            g = nk.graphtools.toUndirected(g)
        algo = nk.centrality.EigenvectorCentrality(g, tol=1e-12)
        algo.run()
        scores = np.abs(np.asarray(algo.scores()))
        norm = np.linalg.norm(scores)
        return scores / norm if norm > 0 else scores

    def core_number(self, net: Network) -> np.ndarray:
        """k-core number per node (ties counted once, direction ignored)."""
        nk = self.nk
        g = self.graph(net, "none")
        if net.directed:
            g = nk.graphtools.toUndirected(g)
        g.removeMultiEdges()  # type: ignore[attr-defined]
        algo = nk.centrality.CoreDecomposition(g)
        algo.run()
        return np.asarray(algo.scores(), dtype=np.int64)

    def cells(self, net: Network, seed: int = 1, resolution: float = 1.0) -> np.ndarray:
        """Leiden communities (ParallelLeiden); one thread and a fixed seed make it reproducible."""
        nk = self.nk
        if net.m == 0:
            return _labels([[i] for i in range(net.n)], net.n)
        g = self.graph(net, "strength")
        if net.directed:
            g = nk.graphtools.toUndirected(g)
        nk.engineering.setSeed(seed, False)
        algo = nk.community.ParallelLeiden(g, randomize=True, iterations=3, gamma=resolution)
        algo.run()
        return canonical(np.asarray(algo.getPartition().getVector(), dtype=np.int64))


def _vector(scores: dict[int, float], n: int) -> np.ndarray:
    out = np.zeros(n)
    for i, v in scores.items():
        out[i] = v
    return out


def get_engine(name: EngineName = "auto", n: int = 0) -> Engine:
    """The engine by name; `auto` picks networkx up to AUTO_NETWORKIT_NODES nodes, else NetworKit."""
    if name == "networkx" or (name == "auto" and n <= AUTO_NETWORKIT_NODES):
        return NetworkxEngine()
    if name in ("networkit", "auto"):
        return NetworkitEngine()
    raise ValueError(f"unknown engine {name!r}: use auto, networkx or networkit")
