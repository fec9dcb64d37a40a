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
    """Scores with how they were obtained: exact, or sampled with an additive error bound.

    `uniform` says how to read the bound: True, every node's score is within `error` at once with
    probability `confidence`; False, each node's score taken alone is (a per-node bound).
    """

    scores: np.ndarray
    exact: bool
    method: str
    error: float = 0.0  # additive error bound on the normalised score (0 when exact)
    confidence: float = 1.0  # probability that the bound holds (see `uniform`)
    uniform: bool = True


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


def pivots_for(error: float, delta: float = DELTA, n: int = 0) -> int:
    """Random sources so that a node's normalised betweenness is within `error` w.p. 1-delta.

    Brandes–Pich with k sources estimates networkx's normalised score as the mean of k terms
    n·δ_s(v) / ((n-1)(n-2)), each in [0, R] with R = n/(n-1) since a source's dependency
    δ_s(v) ≤ n-2. Hoeffding (which holds for sampling without replacement too) gives
    k = R²·ln(2/delta) / (2 error²). A per-node bound: it says nothing about all nodes at once.
    """
    spread = n / (n - 1) if n > 2 else 1.0
    return math.ceil(spread * spread * math.log(2 / delta) / (2 * error * error))


def pivots_error(k: int, delta: float = DELTA, n: int = 0) -> float:
    """The per-node Hoeffding error of Brandes–Pich betweenness with k random sources."""
    spread = n / (n - 1) if n > 2 else 1.0
    return spread * math.sqrt(math.log(2 / delta) / (2 * k))


#: Paths drawn before the first look at the bound; later looks double it.
FIRST_PATHS = 1_000


class PathSampler:
    """Uniformly random shortest paths between uniformly random ordered pairs (unweighted ties).

    The sampler of KADABRA (Borassi & Natale 2016) in numpy: grow a BFS ball from the source (out-
    ties) and one from the target (in-ties), always the side with fewer ties to scan, level by
    level until they touch. Every shortest path crosses one tie (x, y) between the two last levels,
    and σ(x)·σ(y) of them cross it (σ = shortest paths from that side's end). Pick a crossing tie in
    proportion, then walk back to both ends choosing each predecessor in proportion to its σ: every
    shortest path between the pair is equally likely. No diameter is needed (NetworKit's KADABRA
    computes the exact diameter first: on a 100 k-node / 1 M-tie graph even the ±10% range
    estimate took 528 s).

    After r pairs, a node's hit count is Binomial(r, p): p is the mean over ordered pairs of the
    share of their shortest paths through the node, and networkx's normalised betweenness is
    p·n/(n-2).
    """

    def __init__(self, net: Network, seed: int = 1) -> None:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components

        n = self.n = net.n
        keep = net.src != net.dst
        src, dst = net.src[keep], net.dst[keep]
        if not net.directed:
            src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
        out = csr_matrix((np.ones(len(src), dtype=np.bool_), (src, dst)), shape=(n, n))
        out.sum_duplicates()  # parallel ties are one tie for paths
        inn = out.T.tocsr() if net.directed else out
        inn.sum_duplicates()
        # side 0 grows from the source along out-ties, side 1 from the target along in-ties
        self.ptr = (out.indptr.astype(np.int64, copy=False), inn.indptr.astype(np.int64, copy=False))
        self.idx = (out.indices.astype(np.int32, copy=False), inn.indices.astype(np.int32, copy=False))
        self.deg = (np.diff(self.ptr[0]), np.diff(self.ptr[1]))
        self.component = connected_components(out, directed=net.directed, connection="weak")[1]
        self.rng = np.random.default_rng(seed)
        self.hits = np.zeros(n, dtype=np.int64)
        self.samples = 0
        self._mark = np.zeros(n, dtype=np.int64)  # 2·pair number + side: visited in this pair
        self._level = np.zeros(n, dtype=np.int64)
        self._sigma = np.zeros(n, dtype=np.float64)
        self._slot = np.zeros(n, dtype=np.int64)

    def sample(self, count: int) -> None:
        """Draw `count` more pairs and add their paths' inner nodes to `hits`."""
        rng, n = self.rng, self.n
        first = rng.integers(0, n, count)
        second = rng.integers(0, n - 1, count)
        second += second >= first
        inner: list[np.ndarray] = []
        for s, t in zip(first.tolist(), second.tolist(), strict=True):
            self.samples += 1
            if self.component[s] == self.component[t]:
                path = self._path(s, t, 2 * self.samples)
                if path is not None and len(path):
                    inner.append(path)
        if inner:
            self.hits += np.bincount(np.concatenate(inner), minlength=n)

    def _path(self, s: int, t: int, base: int) -> np.ndarray | None:
        """Inner nodes of one uniformly chosen shortest s→t path; None when t is unreachable."""
        mark, level, sigma, slot = self._mark, self._level, self._sigma, self._slot
        mark[s], mark[t] = base, base + 1
        level[s] = level[t] = 0
        sigma[s] = sigma[t] = 1.0
        front = [np.array([s]), np.array([t])]
        load = [int(self.deg[0][s]), int(self.deg[1][t])]
        depth = [0, 0]
        while True:
            side = 0 if load[0] <= load[1] else 1
            ptr, idx, f = self.ptr[side], self.idx[side], front[side]
            starts = ptr[f]
            lens = ptr[f + 1] - starts
            total = int(lens.sum())
            if total == 0:
                return None
            if len(f) == 1:
                nbr = idx[starts[0] : starts[0] + total]
                frm = np.full(total, f[0])
            else:
                nbr = idx[np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)]
                frm = np.repeat(f, lens)
            mk = mark[nbr]
            seen = mk >= base
            cross = seen & ((mk & 1) != side)
            if cross.any():
                a, b = frm[cross], nbr[cross]
                x, y = (a, b) if side == 0 else (b, a)
                pick = _choose(self.rng, sigma[x] * sigma[y])
                return np.array(self._walk(int(x[pick]), 0, base) + self._walk(int(y[pick]), 1, base))
            new = ~seen
            if not new.any():
                return None
            cand = nbr[new]
            order = np.arange(len(cand))
            slot[cand] = order
            nodes = cand[slot[cand] == order]  # one representative per node
            slot[nodes] = np.arange(len(nodes))
            sigma[nodes] = np.bincount(slot[cand], weights=sigma[frm[new]], minlength=len(nodes))
            depth[side] += 1
            mark[nodes] = base + side
            level[nodes] = depth[side]
            front[side] = nodes
            load[side] = int(self.deg[side][nodes].sum())

    def _walk(self, node: int, side: int, base: int) -> list[int]:
        """Back from `node` to its side's end, predecessors chosen in proportion to σ."""
        mark, level, sigma = self._mark, self._level, self._sigma
        ptr, idx = self.ptr[1 - side], self.idx[1 - side]  # predecessors lie against the growth
        out: list[int] = []
        while level[node] > 0:
            out.append(node)
            nbr = idx[ptr[node] : ptr[node + 1]]
            preds = nbr[(mark[nbr] == base + side) & (level[nbr] == level[node] - 1)]
            node = int(preds[0]) if len(preds) == 1 else int(preds[_choose(self.rng, sigma[preds])])
        return out


def _choose(rng: np.random.Generator, weights: np.ndarray) -> int:
    """An index drawn in proportion to `weights` (all positive)."""
    cum = np.cumsum(weights)
    return min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")), len(cum) - 1)


def binomial_radius(hits: np.ndarray, r: int, delta: float) -> float:
    """Largest distance from any node's hit share to its Clopper–Pearson limits at level 1-delta.

    Each node's hits are Binomial(r, p); the exact (Clopper–Pearson) two-sided interval misses p
    with probability at most `delta`. Computed once per distinct count.
    """
    from scipy.special import betaincinv

    k = np.unique(hits).astype(np.float64)
    share = k / r
    lo = np.where(k > 0, betaincinv(np.maximum(k, 1), r - k + 1, delta / 2), 0.0)
    hi = np.where(k < r, 1 - betaincinv(np.maximum(r - k, 1), k + 1, delta / 2), 1.0)
    return float(max(np.max(share - lo), np.max(hi - share)))


def path_sample_plan(error: float, n: int, delta: float = DELTA, first: int = FIRST_PATHS) -> list[int]:
    """Sample sizes at which to look at the bound, fixed before sampling (doubling from `first`).

    The last size is enough whatever the data: Hoeffding with a union over n nodes and all looks
    (Clopper–Pearson intervals are never wider than Hoeffding's).
    """
    looks = 1
    while True:
        cap = math.ceil(math.log(2 * n * looks / delta) / (2 * error * error))
        plan = [first << i for i in range(looks) if first << i < cap] + [cap]
        if len(plan) <= looks:
            return plan
        looks = len(plan)


def sampled_betweenness(net: Network, error: float, seed: int = 1, delta: float = DELTA) -> Estimate:
    """Normalised betweenness of an unweighted network, every node within `error` at once.

    Samples shortest paths (`PathSampler`) until the Clopper–Pearson intervals of all n nodes, at
    confidence 1 - delta/(n·looks) each, are within `error` of the estimates (looks fixed in advance
    by `path_sample_plan`): by the union bound every score is within the stated error at once, with
    probability at least 1 - delta. The stated error is the widest interval reached (≤ `error`).
    """
    scale = net.n / (net.n - 2)  # p → networkx's normalisation
    plan = path_sample_plan(error / scale, net.n, delta)
    each = delta / (net.n * len(plan))
    sampler = PathSampler(net, seed)
    radius = 1.0
    for size in plan:
        sampler.sample(size - sampler.samples)
        radius = binomial_radius(sampler.hits, sampler.samples, each)
        if radius * scale <= error:
            break
    r = sampler.samples
    return Estimate(
        sampler.hits / r * scale,
        False,
        f"shortest-path sampling (bidirectional BFS, as KADABRA), {r} paths; "
        "Clopper–Pearson bound on all nodes at once",
        error=radius * scale,
        confidence=1 - delta,
        uniform=True,
    )


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
        """Normalised betweenness on distances 1/strength; pivot-sampled when `error` is set.

        Sampled: Brandes–Pich with k random sources, k from `pivots_for` (a per-node bound).
        """
        g = net.to_networkx()
        dist = DISTANCE if net.weighted else None
        k = pivots_for(error, n=net.n) if error else net.n
        if k >= net.n:
            bc = nx.betweenness_centrality(g, weight=dist, normalized=True)
            return Estimate(_vector(bc, net.n), True, "Brandes, exact")
        bc = nx.betweenness_centrality(g, k=k, seed=seed, weight=dist, normalized=True)
        return Estimate(
            _vector(bc, net.n),
            False,
            f"Brandes–Pich, {k} random sources (Hoeffding bound per node)",
            error=pivots_error(k, n=net.n),
            confidence=1 - DELTA,
            uniform=False,
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
        """Exact normalised betweenness, or sampled with a bound on every node's error at once.

        Unweighted: shortest-path sampling with Clopper–Pearson bounds (`sampled_betweenness`).
        Weighted: Riondato–Kornaropoulos (NetworKit, Dijkstra per sampled pair). Both bound the
        error of all nodes at once with probability 1 - DELTA. NetworKit's KADABRA is not used:
        it computes the exact diameter first, which takes longer than the sampling on large
        random-like graphs (> 500 s on 100 k nodes / 1 M ties).
        """
        nk = self.nk
        if error and net.n > 3 and not net.weighted:
            return sampled_betweenness(net, error, seed=seed)
        g = self.graph(net, "distance")
        if not error or net.n <= 3:
            algo = nk.centrality.Betweenness(g, normalized=True)
            algo.run()
            return Estimate(np.asarray(algo.scores()), True, "Brandes, exact (NetworKit)")
        # Riondato–Kornaropoulos estimates the share of ordered pairs (s, t) whose shortest paths
        # pass a node, over n(n-1) pairs; networkx normalises by (n-1)(n-2).
        scale = net.n / (net.n - 2)
        nk.engineering.setSeed(seed, True)
        approx = nk.centrality.ApproxBetweenness(g, epsilon=error / scale, delta=DELTA)
        approx.run()
        method = f"Riondato–Kornaropoulos, {approx.numberOfSamples()} sampled paths"
        scores = np.asarray(approx.scores())
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
