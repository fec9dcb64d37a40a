"""Benchmark: cells (Leiden), PageRank, components and sampled betweenness, ours vs plain networkx.

Synthetic graphs with planted cells: `--ties-per-node` distinct undirected ties per node (default
10, so 1 M nodes carry 10 M ties and the mean degree is 20), 90% of a node's ties inside its cell
of 50, 10% anywhere; 10k, 100k and 1M nodes. Our figures use Mare's engine layer (NetworKit
underneath for components, PageRank and Leiden; numpy shortest-path sampling for betweenness, with
its stated error bound on every node at once). networkx runs in the same process on the sizes
where it finishes in reasonable time and memory. Prints a Markdown table.

    uv run python benchmarks/networks.py [--sizes 10000,100000,1000000] [--nx-max 100000]
        [--nx-betweenness-max 100000] [--error 0.01] [--nx-sources 100] [--ties-per-node 10]
        [--exact-max 10000]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np

from mare.analyse.network.engines import DELTA, NetworkitEngine, pivots_error
from mare.analyse.network.graph import Network, from_arrays


def planted(n: int, per_node: int = 10, cell: int = 50, seed: int = 1) -> Network:
    """Random graph with planted cells and exactly n·per_node distinct ties (mean degree 2·per_node)."""
    rng = np.random.default_rng(seed)
    target = n * per_node
    draws = int(target * 1.3)  # duplicates inside cells are dropped; draw more, keep `target`
    src = rng.integers(0, n, draws)
    inside = rng.random(draws) < 0.9
    base = (src // cell) * cell
    dst = np.where(inside, base + rng.integers(0, cell, draws), rng.integers(0, n, draws))
    dst = np.minimum(dst, n - 1)
    keep = src != dst
    a, b = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
    pairs = np.unique(a.astype(np.int64) * n + b)
    if len(pairs) > target:
        pairs = np.sort(pairs[rng.permutation(len(pairs))[:target]])
    return from_arrays(n, pairs // n, pairs % n)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken and the result."""
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def run(
    sizes: list[int],
    nx_max: int,
    nx_btw_max: int,
    error: float,
    nx_sources: int,
    per_node: int,
    exact_max: int = 10_000,
) -> list[dict[str, Any]]:
    """Time each operation per size; networkx only up to the given sizes."""
    eng = NetworkitEngine()
    rows = []
    for n in sizes:
        t_build, net = timed(lambda n=n: planted(n, per_node))
        row: dict[str, Any] = {"nodes": n, "ties": net.m, "build_s": t_build}
        row["components_s"], _ = timed(lambda net=net: eng.components(net))
        row["pagerank_s"], _ = timed(lambda net=net: eng.pagerank(net))
        row["leiden_s"], cells = timed(lambda net=net: eng.cells(net, seed=1))
        row["cells"] = int(cells.max()) + 1
        row["betweenness_s"], est = timed(lambda net=net: eng.betweenness(net, error=error, seed=1))
        row["three_s"] = row["pagerank_s"] + row["leiden_s"] + row["betweenness_s"]
        row["betweenness_method"] = est.method
        row["betweenness_error"] = est.error
        row["betweenness_top"] = float(est.scores.max())
        row["load"] = os.getloadavg()[0]
        if n <= exact_max:  # check the stated bound against exact betweenness
            row["exact_s"], exact = timed(lambda net=net: eng.betweenness(net))
            row["actual_error"] = float(np.max(np.abs(est.scores - exact.scores)))
            row["exact_top"] = float(exact.scores.max())
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
                row["nx_betweenness_error"] = pivots_error(k, DELTA, n)
            del g
        row["max_rss_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        rows.append(row)
        print(_line(row), flush=True)
        print(f"<!-- {n}: {row} -->", flush=True)
    return rows


def _nx_graph(net: Network) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(net.n))
    g.add_edges_from(zip(net.src.tolist(), net.dst.tolist(), strict=True))
    return g


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.2f}"
    return "—" if v is None else f"{v:,}" if isinstance(v, int) else str(v)


def _line(row: dict[str, Any]) -> str:
    btw = f"{row['betweenness_s']:.2f} (±{row['betweenness_error']:.4f})"
    nx_btw = None
    if "nx_betweenness_s" in row:
        nx_btw = (
            f"{row['nx_betweenness_s']:.2f} ({row['nx_betweenness_sources']} sources, "
            f"±{row['nx_betweenness_error']:.2f})"
        )
    cells = (_fmt(row.get(k)) for k in ("nodes", "ties", "components_s", "pagerank_s", "leiden_s"))
    rest = (_fmt(row.get(k)) for k in ("nx_components_s", "nx_pagerank_s", "nx_louvain_s"))
    return "| " + " | ".join([*cells, btw, f"{row['three_s']:.1f}", *rest, _fmt(nx_btw)]) + " |"


def main() -> None:
    """Parse options, run, print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--nx-max", type=int, default=100_000)
    parser.add_argument("--nx-betweenness-max", type=int, default=100_000)
    parser.add_argument("--error", type=float, default=0.01)
    parser.add_argument("--nx-sources", type=int, default=100)
    parser.add_argument("--ties-per-node", type=int, default=10)
    parser.add_argument("--exact-max", type=int, default=10_000, help="exact betweenness up to this size")
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}, "
        f"betweenness error ±{args.error} on all nodes at once (probability {1 - DELTA:.1f})"
    )
    print(
        "| nodes | ties | components s | PageRank s | Leiden s | betweenness s (stated ±) | three s | "
        "nx components s | nx PageRank s | nx Louvain s | nx betweenness s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = run(
        sizes,
        args.nx_max,
        args.nx_betweenness_max,
        args.error,
        args.nx_sources,
        args.ties_per_node,
        args.exact_max,
    )
    for row in rows:
        nx_note = "not run"
        if "nx_betweenness_s" in row:
            nx_note = f"{row['nx_betweenness_sources']} sources, ±{row['nx_betweenness_error']:.3f} per node"
        print(
            f"{row['nodes']:,}: {row['cells']} cells; build {row['build_s']:.1f} s; "
            f"load {row['load']:.2f}; peak memory {row['max_rss_gib']:.2f} GiB; "
            f"betweenness {row['betweenness_method']}, ±{row['betweenness_error']:.4f} "
            f"(highest score {row['betweenness_top']:.5f}); networkx betweenness {nx_note}"
        )
        if "exact_s" in row:
            print(
                f"{row['nodes']:,}: exact betweenness (NetworKit) {row['exact_s']:.1f} s, highest "
                f"{row['exact_top']:.5f}; largest actual error of the estimate {row['actual_error']:.5f}"
            )


if __name__ == "__main__":
    main()
