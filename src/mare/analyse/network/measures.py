"""Node measures in one table: degree, strength, betweenness, closeness, PageRank, eigenvector, k-core.

Betweenness is exact up to `EXACT_BETWEENNESS_NODES` nodes and sampled beyond, with the sampling
error stated next to the scores. Closeness is skipped beyond `CLOSENESS_NODES` (all-pairs
shortest paths) unless asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mare.analyse.network.engines import Engine, EngineName, Estimate, get_engine
from mare.analyse.network.graph import Network

EXACT_BETWEENNESS_NODES = 5_000
CLOSENESS_NODES = 20_000
DEFAULT_ERROR = 0.01


@dataclass(slots=True)
class Measures:
    """One array per measure, aligned with `ids`; `notes` says how each was computed."""

    ids: list[str]
    degree: np.ndarray
    weighted_degree: np.ndarray
    betweenness: np.ndarray
    closeness: np.ndarray | None
    pagerank: np.ndarray
    eigenvector: np.ndarray
    core: np.ndarray
    component: np.ndarray
    engine: str
    notes: dict[str, str] = field(default_factory=dict)
    betweenness_error: float = 0.0

    def row(self, i: int) -> dict[str, Any]:
        """All measures of node `i` as plain numbers."""
        return {
            "id": self.ids[i],
            "degree": int(self.degree[i]),
            "weighted_degree": float(self.weighted_degree[i]),
            "betweenness": float(self.betweenness[i]),
            "closeness": None if self.closeness is None else float(self.closeness[i]),
            "pagerank": float(self.pagerank[i]),
            "eigenvector": float(self.eigenvector[i]),
            "core": int(self.core[i]),
            "component": int(self.component[i]),
        }

    def ranks(self, values: np.ndarray) -> np.ndarray:
        """Rank (1 = highest) of each node on one measure; ties share the best rank."""
        order = np.argsort(-values, kind="stable")
        ranks = np.empty(len(values), dtype=np.int64)
        prev, prev_rank = None, 0
        for pos, i in enumerate(order):
            if prev is None or not np.isclose(values[i], prev, rtol=1e-9, atol=1e-12):
                prev_rank = pos + 1
            ranks[i] = prev_rank
            prev = values[i]
        return ranks


def node_measures(
    net: Network,
    engine: Engine | EngineName = "auto",
    betweenness_error: float | None = None,
    closeness: bool | None = None,
    seed: int = 1,
) -> Measures:
    """Compute every node measure with one engine; state how betweenness was obtained."""
    eng = get_engine(engine, net.n) if isinstance(engine, str) else engine
    error = betweenness_error
    if error is None and net.n > EXACT_BETWEENNESS_NODES:
        error = DEFAULT_ERROR
    between: Estimate = eng.betweenness(net, error=error, seed=seed)
    want_closeness = closeness if closeness is not None else net.n <= CLOSENESS_NODES
    notes = {
        "degree": "number of distinct contacts",
        "weighted_degree": "sum of tie strengths (calls, shared assets, payments as weighted)",
        "betweenness": between.method
        + (
            ""
            if between.exact
            else f"; each score within ±{between.error:.3g} with probability {between.confidence:.0%}"
        )
        + ("; paths use distance = 1/strength" if net.weighted else ""),
        "closeness": "Wasserman–Faust closeness" + ("; distance = 1/strength" if net.weighted else "")
        if want_closeness
        else f"skipped above {CLOSENESS_NODES} nodes (all-pairs shortest paths)",
        "pagerank": "PageRank, damping 0.85, tie strength as transition weight",
        "eigenvector": "leading eigenvector of the strength matrix, unit length",
        "core": "k-core number (the largest k with the node in a k-core)",
    }
    return Measures(
        ids=list(net.ids),
        degree=net.degree(),
        weighted_degree=net.weighted_degree() if net.weighted else net.degree().astype(float),
        betweenness=between.scores,
        closeness=eng.closeness(net) if want_closeness else None,
        pagerank=eng.pagerank(net),
        eigenvector=eng.eigenvector(net),
        core=eng.core_number(net),
        component=eng.components(net),
        engine=eng.name,
        notes=notes,
        betweenness_error=between.error,
    )


def freeman_centralisation(values: np.ndarray, max_sum: float) -> float:
    """Freeman centralisation: sum of (max - value) over its maximum possible for n nodes."""
    if len(values) < 3 or max_sum <= 0:
        return 0.0
    return float(np.sum(values.max() - values) / max_sum)


def degree_centralisation(net: Network) -> float:
    """Degree centralisation (1 for a star, 0 when all have the same degree)."""
    n = net.n
    return freeman_centralisation(net.degree().astype(float), (n - 1) * (n - 2))


def betweenness_centralisation(normalised_betweenness: np.ndarray) -> float:
    """Betweenness centralisation from normalised scores (star = 1)."""
    n = len(normalised_betweenness)
    return freeman_centralisation(normalised_betweenness, n - 1)


def density(net: Network) -> float:
    """Share of possible ties present."""
    n = net.n
    if n < 2:
        return 0.0
    pairs = n * (n - 1) if net.directed else n * (n - 1) / 2
    return net.m / pairs
