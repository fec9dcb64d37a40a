"""Fee levels: the general one from the sources, and levels per route derived from the hub's own data.

The sources give one level for every route (seeds/004 and DOMAIN.md: EUR 3,000-6,000 per person, USD
3,200-6,500). Fees differ by route and are often paid per leg, so a level per route is derived, each
with its source stated, from:

- **fees recorded** in the hub's payments (purpose a fee: case files, fee books, hawala ledgers): the
  10th-90th percentile of the fees received in a country, when at least `MIN_OBSERVED` are;
- **advertised prices** of routes departing from a country (adverts in the hub, prices in a currency
  with a euro rate): the 10th-90th percentile, when at least `MIN_OBSERVED` adverts give one.

A route is known here by the country its leg departs from, which is where its fee is received: the
organiser, his collector or his hawaladar sits there (a payment's `to_country`). A transfer is matched
against its route's levels where there are any, else against the general level; only transfers
recorded as fees or with no purpose are (a payout or a partner's share at a fee's amount is not a fee).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mare.analyse.money.transactions import Transfer

SEED_REPORT = "seeds/004 (Europol-INTERPOL, Migrant Smuggling Networks, May 2016)"
#: Fees (or advertised prices) needed before a route gets a level of its own.
MIN_OBSERVED = 5


@dataclass(frozen=True, slots=True)
class FeeLevel:
    """A known fee level: a range in euros, what it is the price of, where the figure comes from, and
    the country a route's fee is received in (None: every route)."""

    name: str
    low: float
    high: float
    source: str
    country: str | None = None

    def matches(self, eur: float | None) -> bool:
        """Whether an amount in euros lies within the level."""
        return eur is not None and self.low <= eur <= self.high

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "name": self.name,
            "low": round(self.low, 2),
            "high": round(self.high, 2),
            "country": self.country,
            "source": self.source,
        }


#: The sources give one fee level for all routes: EUR 3,000-6,000 per person (USD 3,200-6,500).
FEE_LEVELS: tuple[FeeLevel, ...] = (
    FeeLevel("journey fee per person", 3_000, 6_000, f"{SEED_REPORT}: 'USD 3,200 – 6,500 (EUR 3,000-6,000)'"),
)


def level_of(t: Transfer, levels: Sequence[FeeLevel]) -> FeeLevel | None:
    """The level a transfer's amount lies in: its route's levels where it has any, else the general.
    A transfer recorded with another purpose (a payout, a share, proceeds, a bribe) is at no level."""
    if t.purpose not in (None, "fee"):
        return None
    route = [lv for lv in levels if lv.country is not None and lv.country == t.to_country]
    for level in route or [lv for lv in levels if lv.country is None]:
        if level.matches(t.eur):
            return level
    return None


def is_fee(t: Transfer, levels: Sequence[FeeLevel]) -> bool:
    """Recorded as a fee, or at its route's fee level."""
    return t.purpose == "fee" or level_of(t, levels) is not None


def _level(name: str, amounts: list[float], source: str, country: str) -> FeeLevel:
    lo, hi = (float(v) for v in np.percentile(amounts, [10, 90]))
    return FeeLevel(name, round(lo, 2), round(max(lo, hi), 2), source, country)


def route_levels(
    transfers: Iterable[Transfer],
    advertised: Iterable[tuple[str, float]] = (),
    min_observed: int = MIN_OBSERVED,
) -> list[FeeLevel]:
    """Levels per route from the fees recorded as received in each country and from the prices
    advertised for routes departing from it ((country, EUR) pairs); each with its source."""
    recorded: dict[str, list[float]] = defaultdict(list)
    for t in transfers:
        if t.purpose == "fee" and t.eur is not None and t.to_country:
            recorded[t.to_country].append(t.eur)
    offered: dict[str, list[float]] = defaultdict(list)
    for country, eur in advertised:
        offered[country].append(eur)
    levels: list[FeeLevel] = []
    for country, amounts in sorted(recorded.items()):
        if len(amounts) >= min_observed:
            source = f"10th-90th percentile of {len(amounts)} fees recorded as received in {country} (hub)"
            levels.append(_level(f"fee received in {country}", amounts, source, country))
    for country, amounts in sorted(offered.items()):
        if len(amounts) >= min_observed:
            source = f"10th-90th percentile of {len(amounts)} prices advertised from {country} (adverts)"
            levels.append(_level(f"advertised price from {country}", amounts, source, country))
    return levels
