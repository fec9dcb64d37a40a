"""Benchmark: cells (Leiden), PageRank, components and sampled betweenness, ours vs plain networkx.

Synthetic graphs with mean degree ~9 (a random graph with planted cells: 90% of a node's ties
inside its cell of ~50, 10% anywhere), 10k, 100k and 1M nodes. Our figures use Mare's engine layer
(NetworKit underneath, `auto`); networkx runs in the same process on the sizes where it finishes
in reasonable time. Prints a Markdown table.

    uv run python benchmarks/networks.py [--sizes 10000,100000,1000000] [--nx-max 100000] [--error 0.01]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np

from mare.analyse.network.engines import DELTA, NetworkitEngine
from mare.analyse.network.graph import Network, from_arrays


def planted(n: int, per_node: int = 10, cell: int = 50, seed: int = 1) -> Network:
    """Random graph with planted cells, about `per_node` ties per node (duplicates dropped)."""
    rng = np.random.default_rng(seed)
    m = n * per_node // 2
    src = rng.integers(0, n, m)
    inside = rng.random(m) < 0.9
    base = (src // cell) * cell
    dst = np.where(inside, base + rng.integers(0, cell, m), rng.integers(0, n, m))
    dst = np.minimum(dst, n - 1)
    keep = src != dst
    a, b = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
    pairs = np.unique(a.astype(np.int64) * n + b)
    return from_arrays(n, pairs // n, pairs % n)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken and the result."""
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def run(
    sizes: list[int], nx_max: int, nx_btw_max: int, error: float, nx_sources: int
) -> list[dict[str, Any]]:
    """Time each operation per size; networkx only up to the given sizes."""
    eng = NetworkitEngine()
    rows = []
    for n in sizes:
        t_build, net = timed(lambda n=n: planted(n))
        row: dict[str, Any] = {"nodes": n, "ties": net.m, "build_s": t_build}
        row["components_s"], _ = timed(lambda net=net: eng.components(net))
        row["pagerank_s"], _ = timed(lambda net=net: eng.pagerank(net))
        row["leiden_s"], cells = timed(lambda net=net: eng.cells(net, seed=1))
        row["cells"] = int(cells.max()) + 1
        row["betweenness_s"], est = timed(lambda net=net: eng.betweenness(net, error=error, seed=1))
        row["betweenness_method"] = est.method
        if n <= nx_max:
            t_nx, g = timed(lambda net=net: _nx_graph(net))
            row["nx_build_s"] = t_nx
            row["nx_components_s"], _ = timed(lambda g=g: list(nx.connected_components(g)))
            row["nx_pagerank_s"], _ = timed(lambda g=g: nx.pagerank(g))
            row["nx_louvain_s"], _ = timed(lambda g=g: nx.community.louvain_communities(g, seed=1))
        if n <= nx_btw_max:
            k = min(nx_sources, n)
            row["nx_betweenness_s"], _ = timed(lambda g=g, k=k: nx.betweenness_centrality(g, k=k, seed=1))
            row["nx_betweenness_sources"] = k
            row["nx_betweenness_error"] = error_for(k)
        rows.append(row)
        print(_line(row), flush=True)
        print(f"<!-- {n}: build {t_build:.1f}s {row} -->", flush=True)
    return rows


def error_for(sources: int) -> float:
    """Hoeffding per-node error of pivot-sampled betweenness with this many sources."""
    return math.sqrt(math.log(2 / DELTA) / (2 * sources))


def _nx_graph(net: Network) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(net.n))
    g.add_edges_from(zip(net.src.tolist(), net.dst.tolist(), strict=True))
    return g


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v)


def _line(row: dict[str, Any]) -> str:
    keys = ("nodes", "ties", "components_s", "pagerank_s", "leiden_s", "betweenness_s",
            "nx_components_s", "nx_pagerank_s", "nx_louvain_s", "nx_betweenness_s")
    return "| " + " | ".join(_fmt(row.get(k)) for k in keys) + " |"


def main() -> None:
    """Parse options, run, print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--nx-max", type=int, default=100_000)
    parser.add_argument("--nx-betweenness-max", type=int, default=10_000)
    parser.add_argument("--error", type=float, default=0.01)
    parser.add_argument("--nx-sources", type=int, default=100)
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"betweenness error ±{args.error} (probability 0.9)")
    print("| nodes | ties | components s | PageRank s | Leiden s | betweenness s | "
          "nx components s | nx PageRank s | nx Louvain s | nx betweenness s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = run(sizes, args.nx_max, args.nx_betweenness_max, args.error, args.nx_sources)
    for row in rows:
        print(f"{row['nodes']}: {row['cells']} cells; betweenness {row['betweenness_method']}; "
              f"networkx {row.get('nx_betweenness_sources', '—')} sources "
              f"(±{row.get('nx_betweenness_error', float('nan')):.3f})")


if __name__ == "__main__":
    main()
