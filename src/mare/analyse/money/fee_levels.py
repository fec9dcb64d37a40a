"""Fee levels: the general one from the sources, and levels per route derived from the hub's own data.

The sources give one level for every route (seeds/004 and DOMAIN.md: EUR 3,000-6,000 per person, USD
3,200-6,500). Fees differ by route and are often paid per leg, so a level per route is derived, each
with its source stated, from:

- **fees recorded** in the hub's payments (purpose a fee: case files, fee books, hawala ledgers): the
  10th-90th percentile of the fees received in a country, when at least `MIN_OBSERVED` are;
- **advertised prices** of routes departing from a country (adverts in the hub, prices in a currency
  with a euro rate): the 10th-90th percentile, when at least `MIN_OBSERVED` adverts give one.

A route is known by its origin and destination where the data says both: a fee whose payer's journey
leg is in the hub (`Transfer.origin`, `Transfer.destination`: the leg departing next after the payment)
and adverts whose route names both ends ('Izmir>Kos'); these give levels for the whole route. Else by
the country its fee is received in (a payment's `to_country`: the organiser, his collector or his
hawaladar sits there) or an advert's origin. A transfer is matched against its whole route's levels
where there are any, else its origin's, else the general level (`basis_of` says which and why); only
transfers recorded as fees or with no purpose are (a payout or a partner's share at a fee's amount is
not a fee). Researchers may state their own levels per route (`read_fee_levels`).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mare.analyse.money.transactions import TransactionsFileError, Transfer, _read_text

SEED_REPORT = "seeds/004 (Europol-INTERPOL, Migrant Smuggling Networks, May 2016)"
#: Fees (or advertised prices) needed before a route gets a level of its own.
MIN_OBSERVED = 5


@dataclass(frozen=True, slots=True)
class FeeLevel:
    """A known fee level: a range in euros, what it is the price of, where the figure comes from, and
    country a route's fee is received in or departs from (None: every route) and, for a whole route, the
    country or place it leads to."""

    name: str
    low: float
    high: float
    source: str
    country: str | None = None
    destination: str | None = None

    @property
    def route(self) -> str:
        """'TR>GR', 'TR' or 'every route'."""
        if self.country is None:
            return "every route"
        return f"{self.country}>{self.destination}" if self.destination else self.country

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
            "destination": self.destination,
            "source": self.source,
        }


#: The sources give one fee level for all routes: EUR 3,000-6,000 per person (USD 3,200-6,500).
FEE_LEVELS: tuple[FeeLevel, ...] = (
    FeeLevel("journey fee per person", 3_000, 6_000, f"{SEED_REPORT}: 'USD 3,200 – 6,500 (EUR 3,000-6,000)'"),
)


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


def basis_of(t: Transfer, levels: Sequence[FeeLevel]) -> tuple[list[FeeLevel], str]:
    """The levels a transfer is matched against and which: its whole route's (origin and destination
    known, levels for them), else its origin's (the country its fee is received in, else the route's
    origin), else the general; the text says which and, on a fallback, what was missing."""
    origin = t.origin or t.to_country
    if t.origin and t.destination:
        whole = [lv for lv in levels if _same(lv.country, t.origin) and _same(lv.destination, t.destination)]
        if whole:
            return whole, "whole route"
    country = t.to_country or t.origin
    by_origin = [lv for lv in levels if lv.destination is None and _same(lv.country, country)]
    route = f"{t.origin}>{t.destination}" if t.origin and t.destination else None
    if by_origin:
        return by_origin, f"no level for route {route}; origin's" if route else "origin only"
    general = [lv for lv in levels if lv.country is None]
    if route:
        return general, f"no level for route {route} or {country}; general"
    return general, f"no level for {origin}; general" if origin else "no route known; general"


def level_of(t: Transfer, levels: Sequence[FeeLevel]) -> FeeLevel | None:
    """The level a transfer's amount lies in: its whole route's levels where it has any, else its
    origin's, else the general. A transfer recorded with another purpose (a payout, a share, proceeds, a
    bribe) is at no level."""
    if t.purpose not in (None, "fee"):
        return None
    for level in basis_of(t, levels)[0]:
        if level.matches(t.eur):
            return level
    return None


def is_fee(t: Transfer, levels: Sequence[FeeLevel]) -> bool:
    """Recorded as a fee, or at its route's fee level."""
    return t.purpose == "fee" or level_of(t, levels) is not None


def _level(name: str, amounts: list[float], source: str, country: str, to: str | None) -> FeeLevel:
    lo, hi = (float(v) for v in np.percentile(amounts, [10, 90]))
    return FeeLevel(name, round(lo, 2), round(max(lo, hi), 2), source, country, to)


def route_levels(
    transfers: Iterable[Transfer],
    advertised: Iterable[tuple[str, str | None, float]] = (),
    min_observed: int = MIN_OBSERVED,
) -> list[FeeLevel]:
    """Levels per whole route (origin and destination) and per origin from the fees recorded (by the
    payer's leg, and by the country received in) and from the prices advertised ((origin, destination
    or None, EUR)); each with its source. A level needs `min_observed` amounts."""
    recorded: dict[tuple[str, str | None], list[float]] = defaultdict(list)
    for t in transfers:
        if t.purpose != "fee" or t.eur is None:
            continue
        if t.origin and t.destination:
            recorded[(t.origin, t.destination)].append(t.eur)
        if t.to_country or t.origin:
            recorded[(t.to_country or t.origin or "", None)].append(t.eur)
    offered: dict[tuple[str, str | None], list[float]] = defaultdict(list)
    for origin, to, eur in advertised:
        if to:
            offered[(origin, to)].append(eur)
        offered[(origin, None)].append(eur)
    # (amounts, name of a route's level, of an origin's, source of a route's, of an origin's)
    kinds = (
        (recorded, "fee for route {}>{}", "fee received in {}",
         "fees recorded for legs {}>{} (hub)", "fees recorded as received in {} (hub)"),
        (offered, "advertised price {}>{}", "advertised price from {}",
         "prices advertised for {}>{} (adverts)", "prices advertised from {} (adverts)"),
    )  # fmt: skip
    levels: list[FeeLevel] = []
    for by_route, route_name, origin_name, route_source, origin_source in kinds:
        for (country, to), amounts in sorted(by_route.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            if len(amounts) < min_observed:
                continue
            name, source = (route_name, route_source) if to else (origin_name, origin_source)
            source = f"10th-90th percentile of {len(amounts)} " + source.format(country, to)
            levels.append(_level(name.format(country, to), amounts, source, country, to))
    return levels


LEVEL_COLUMNS = ("origin", "destination", "low", "high", "source")


def read_fee_levels(path: Path) -> list[FeeLevel]:
    """A researcher's own fee levels: a CSV `origin,destination,low,high,source` (euros; destination
    empty: every route from the origin; both empty: every route, replacing the sources' general
    level). Origins and destinations are matched, ignoring case, against the transactions' `route`
    (or `origin,destination`) as written. TransactionsFileError naming the file, row, field and fix
    of every row that cannot be used: levels are used all or none."""
    text = _read_text(path)
    delimiter = ";" if text[:4096].count(";") > text[:4096].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in LEVEL_COLUMNS if c not in header]
    if missing:
        raise TransactionsFileError(
            f"{path}: no column {', '.join(missing)}; the first line names the columns "
            f"{','.join(LEVEL_COLUMNS)} (amounts in euros)"
        )
    col = {c: header.index(c) for c in LEVEL_COLUMNS}
    levels: list[FeeLevel] = []
    bad: list[str] = []
    for row_number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        origin, to, source = (cells[col[c]].strip() or None for c in ("origin", "destination", "source"))
        where = f"{path}: row {row_number}"
        before = len(bad)
        amounts: dict[str, float] = {}
        for name in ("low", "high"):
            written = cells[col[name]].strip()
            try:
                value = float(written.replace(",", "")) if written else float("nan")
            except ValueError:
                value = float("nan")
            if not np.isfinite(value) or value < 0:
                bad.append(f"{where}, {name}: {written[:30]!r} is not an amount in euros; write e.g. 3500")
            amounts[name] = value
        usable = all(np.isfinite(v) and v >= 0 for v in amounts.values())
        if usable and amounts["low"] > amounts["high"]:
            bad.append(f"{where}, low: {amounts['low']:g} is above high {amounts['high']:g}; swap them")
        if to and not origin:
            bad.append(f"{where}, origin: a destination ({to[:40]!r}) without an origin; give the origin too")
        if not source:
            bad.append(f"{where}, source: empty; say where the level comes from (a report, a case file)")
        if len(bad) > before:
            continue
        route = "every route" if origin is None else f"{origin}>{to}" if to else f"from {origin}"
        name = f"stated level for {route}"
        levels.append(FeeLevel(name, amounts["low"], amounts["high"], f"{source} ({path.name})", origin, to))
    if bad:
        more = f" (and {len(bad) - 10} more)" if len(bad) > 10 else ""
        raise TransactionsFileError("fee levels not used: " + "; ".join(bad[:10]) + more)
    if not levels:
        raise TransactionsFileError(f"{path}: no levels; add rows {','.join(LEVEL_COLUMNS)}")
    return levels


def with_stated(stated: Sequence[FeeLevel]) -> tuple[FeeLevel, ...]:
    """A researcher's levels, with the sources' general level unless they state one for every route."""
    general = () if any(lv.country is None for lv in stated) else FEE_LEVELS
    return (*general, *stated)
