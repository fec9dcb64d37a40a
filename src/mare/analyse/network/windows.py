"""Time windows: the same measures per period, and who rises or falls between periods.

Ties carry the time they were seen; `split_by_period` groups them by month, quarter or year (or
any key function), and `track` takes labelled networks (from periods, or given, such as CAVIAR's
eleven wiretap phases) and reports each person's rank per window on the combined key-player
score and on betweenness, and the biggest rises and falls between consecutive windows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mare.analyse.network.engines import EngineName
from mare.analyse.network.graph import Network, Tie, build_network
from mare.analyse.network.keyplayers import key_players
from mare.analyse.network.measures import node_measures

Period = Literal["month", "quarter", "year"]


def period_of(at: str, period: Period) -> str:
    """The period label of an ISO date or datetime ('2026-05-03' -> '2026-05', '2026-Q2', '2026')."""
    year, month = at[:4], int(at[5:7]) if len(at) >= 7 else 1
    if period == "year":
        return year
    if period == "quarter":
        return f"{year}-Q{(month - 1) // 3 + 1}"
    return f"{year}-{month:02d}"


def split_by_period(
    ties: Iterable[Tie],
    period: Period | Callable[[str], str] = "month",
    weights: dict[str, float] | None = None,
    directed: bool = False,
) -> list[tuple[str, Network]]:
    """One network per period (ties without a time are left out), in time order."""
    key = period if callable(period) else (lambda at: period_of(at, period))
    groups: dict[str, list[Tie]] = {}
    for tie in ties:
        if tie.at:
            groups.setdefault(key(tie.at), []).append(tie)
    return [(label, build_network(groups[label], weights, directed, name=label)) for label in sorted(groups)]


@dataclass(slots=True)
class WindowTrack:
    """Ranks per window and the movers between windows."""

    labels: list[str]
    sizes: list[dict[str, int]] = field(default_factory=list)
    ranks: dict[str, list[int | None]] = field(default_factory=dict)  # combined key-player rank
    betweenness: dict[str, list[float | None]] = field(default_factory=dict)
    top: list[list[str]] = field(default_factory=list)
    movers: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {k: getattr(self, k) for k in self.__slots__}


def track(
    windows: Sequence[tuple[str, Network]],
    top: int = 5,
    engine: EngineName = "auto",
    movers: int = 5,
) -> WindowTrack:
    """Measures per window; rises and falls in combined rank between consecutive windows."""
    result = WindowTrack([label for label, _ in windows])
    for w, (_, net) in enumerate(windows):
        m = node_measures(net, engine)
        players = key_players(m, top=None)
        result.sizes.append({"nodes": net.n, "ties": net.m})
        result.top.append([p.id for p in players[:top]])
        for p in players:
            result.ranks.setdefault(p.id, [None] * len(windows))[w] = p.rank
        for i, node in enumerate(net.ids):
            result.betweenness.setdefault(node, [None] * len(windows))[w] = round(float(m.betweenness[i]), 6)
    for w in range(1, len(windows)):
        changes = []
        for node, ranks in result.ranks.items():
            before, after = ranks[w - 1], ranks[w]
            if before is not None and after is not None and before != after:
                changes.append((before - after, node, before, after))
        changes.sort(key=lambda t: (-abs(t[0]), t[1]))
        for delta, node, before, after in changes[:movers]:
            result.movers.append(
                {
                    "from": result.labels[w - 1],
                    "to": result.labels[w],
                    "id": node,
                    "rank_before": before,
                    "rank_after": after,
                    "direction": "rises" if delta > 0 else "falls",
                }
            )
    return result
