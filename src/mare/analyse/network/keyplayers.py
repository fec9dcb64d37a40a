"""Key players: one ranking that combines the measures, each rank explained by the measures behind it.

The combined score is the mean percentile over the measures (degree, weighted degree,
betweenness, closeness, PageRank, eigenvector, k-core): a person high on many counts ranks above a
person extreme on one. Percentiles rather than raw values keep measures on different scales from
drowning each other. The reasons list, for each key player, the measures where they stand out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mare.analyse.network.measures import Measures

MEASURES = ("degree", "weighted_degree", "betweenness", "closeness", "pagerank", "eigenvector", "core")
WHAT = {
    "degree": "direct contacts",
    "weighted_degree": "tie strength in total",
    "betweenness": "share of shortest paths between others that pass through them",
    "closeness": "how near they are to everyone else",
    "pagerank": "importance by being tied to important people",
    "eigenvector": "ties into the best-connected core",
    "core": "k-core (depth in the densest part of the network)",
}


@dataclass(slots=True)
class KeyPlayer:
    """One ranked person with the measures and the reasons for the rank."""

    id: str
    rank: int
    score: float
    measures: dict[str, Any]
    ranks: dict[str, int]
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "id": self.id,
            "rank": self.rank,
            "score": round(self.score, 4),
            "measures": self.measures,
            "ranks": self.ranks,
            "reasons": self.reasons,
        }


def percentile(values: np.ndarray) -> np.ndarray:
    """Share of other nodes each node is strictly above (ties get the same value), in [0, 1]."""
    n = len(values)
    if n < 2:
        return np.ones(n)
    sorted_vals = np.sort(values)
    below = np.searchsorted(sorted_vals, values, side="left")
    return below / (n - 1)


def _arrays(m: Measures) -> dict[str, np.ndarray]:
    out = {
        "degree": m.degree.astype(float),
        "weighted_degree": m.weighted_degree.astype(float),
        "betweenness": m.betweenness,
        "pagerank": m.pagerank,
        "eigenvector": m.eigenvector,
        "core": m.core.astype(float),
    }
    if m.closeness is not None:
        out["closeness"] = m.closeness
    # Round away floating noise so equal scores tie exactly.
    return {k: np.round(v, 12) for k, v in out.items()}


def combined_score(m: Measures) -> np.ndarray:
    """Mean percentile over the available measures."""
    arrays = _arrays(m)
    return np.mean([percentile(v) for v in arrays.values()], axis=0)


def key_players(m: Measures, top: int | None = 10) -> list[KeyPlayer]:
    """The people ranked by combined score (ties broken by betweenness, then network order)."""
    arrays = _arrays(m)
    score = np.mean([percentile(v) for v in arrays.values()], axis=0)
    order = np.lexsort((np.arange(len(score)), -arrays["betweenness"], -np.round(score, 9)))
    ranks = {k: m.ranks(v) for k, v in arrays.items()}
    n = len(m.ids)
    players = []
    for pos, i in enumerate(order[: top if top is not None else n]):
        row = m.row(int(i))
        node_ranks = {k: int(r[i]) for k, r in ranks.items()}
        reasons = []
        for key in MEASURES:
            if key not in node_ranks:
                continue
            r = node_ranks[key]
            if r <= max(3, int(0.05 * n)):
                value = row[key]
                shown = f"{value:.3g}" if isinstance(value, float) else str(value)
                reasons.append(f"{key} {shown} (rank {r} of {n}): {WHAT[key]}")
        if not reasons:
            best = min(node_ranks, key=lambda k: node_ranks[k])
            reasons.append(f"best on {best} (rank {node_ranks[best]} of {n}); high on several measures")
        if m.betweenness_error and "betweenness" in node_ranks:
            reasons.append(f"betweenness sampled: ±{m.betweenness_error:.3g}")
        players.append(KeyPlayer(m.ids[int(i)], pos + 1, float(score[i]), row, node_ranks, reasons))
    return players
