"""The money-flow graph: transfers aggregated by pair of parties, by corridor (country -> country) and by
month. Amounts are summed in euros where a rate is known (`currency.EUR_RATES`); a transfer in a
currency without a rate counts in the number of transfers, not in the sums."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mare.analyse.money.transactions import Transfer


@dataclass
class Flow:
    """Transfers from one party (or country) to another: how many, how much, when."""

    source: str
    target: str
    count: int = 0
    eur: float = 0.0
    first: int | None = None
    last: int | None = None
    methods: dict[str, int] = field(default_factory=dict)

    def add(self, t: Transfer) -> None:
        """Count one transfer in."""
        self.count += 1
        self.eur += t.eur or 0.0
        if t.time is not None:
            self.first = t.time if self.first is None else min(self.first, t.time)
            self.last = t.time if self.last is None else max(self.last, t.time)
        if t.method:
            self.methods[t.method] = self.methods.get(t.method, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (times as ISO dates)."""
        return {
            "source": self.source,
            "target": self.target,
            "count": self.count,
            "eur": round(self.eur, 2),
            "first": iso_day(self.first),
            "last": iso_day(self.last),
            "methods": dict(sorted(self.methods.items())),
        }


def iso_day(t: int | None) -> str | None:
    """A UTC time as YYYY-MM-DD (None stays None)."""
    return None if t is None else dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d")


def month_of(t: int) -> str:
    """A UTC time as YYYY-MM."""
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m")


@dataclass
class Flows:
    """Party-to-party flows, corridors and the monthly series (overall and per corridor)."""

    pairs: list[Flow]
    corridors: list[Flow]
    months: dict[str, tuple[int, float]]
    corridor_months: dict[tuple[str, str], dict[str, tuple[int, float]]]
    transfers: int = 0
    eur: float = 0.0
    not_converted: dict[str, int] = field(default_factory=dict)

    def as_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-able form; `top` limits the party pairs listed (corridors are all listed)."""
        return {
            "transfers": self.transfers,
            "eur": round(self.eur, 2),
            "not_converted": self.not_converted,
            "pairs": [f.as_dict() for f in self.pairs[:top]],
            "corridors": [
                {
                    **f.as_dict(),
                    "months": {
                        m: {"count": n, "eur": round(e, 2)}
                        for m, (n, e) in sorted(self.corridor_months.get((f.source, f.target), {}).items())
                    },
                }
                for f in self.corridors
            ],
            "months": {m: {"count": n, "eur": round(e, 2)} for m, (n, e) in sorted(self.months.items())},
        }


def flows(transfers: Iterable[Transfer]) -> Flows:
    """Aggregate transfers by pair, corridor and month (largest flows first)."""
    pairs: dict[tuple[str, str], Flow] = {}
    corridors: dict[tuple[str, str], Flow] = {}
    months: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    corridor_months: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0.0])
    )
    total, eur = 0, 0.0
    not_converted: dict[str, int] = {}
    for t in transfers:
        total += 1
        eur += t.eur or 0.0
        if t.eur is None:
            not_converted[t.currency] = not_converted.get(t.currency, 0) + 1
        key = (t.source, t.target)
        flow = pairs.get(key)
        if flow is None:
            flow = pairs[key] = Flow(*key)
        flow.add(t)
        corridor = (t.from_country or "?", t.to_country or "?")
        if t.from_country or t.to_country:
            c = corridors.get(corridor)
            if c is None:
                c = corridors[corridor] = Flow(*corridor)
            c.add(t)
        if t.time is not None:
            m = month_of(t.time)
            months[m][0] += 1
            months[m][1] += t.eur or 0.0
            if t.from_country or t.to_country:
                cm = corridor_months[corridor][m]
                cm[0] += 1
                cm[1] += t.eur or 0.0
    order = sorted(pairs.values(), key=lambda f: (-f.eur, -f.count, f.source, f.target))
    return Flows(
        pairs=order,
        corridors=sorted(corridors.values(), key=lambda f: (-f.eur, -f.count, f.source, f.target)),
        months={m: (int(v[0]), float(v[1])) for m, v in months.items()},
        corridor_months={
            k: {m: (int(v[0]), float(v[1])) for m, v in ms.items()} for k, ms in corridor_months.items()
        },
        transfers=total,
        eur=eur,
        not_converted=not_converted,
    )
