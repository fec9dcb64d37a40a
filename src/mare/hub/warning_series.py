"""Time series and structural signals for early warning, built from what one viewer may see in full.

Every number here comes from records the context's viewer may see in full (the read policy compiled
to SQL, as in `hub.places`): run under a recipient agency's view, a warning never carries counts of
records that agency may not see.

- `count_series`: per period, events and journeys per route, journeys and persons moved per route,
  journeys per crossing (from country -> to country), events per place, events per hotspot cell,
  persons per nationality, events per type and journeys per conveyance (modus operandi), and the
  median advert price and payment amount per currency. Each series keeps the records and agencies
  behind it.
- `emerging_hotspots`: H3 cells hot (Gi*, FDR) in the recent window and not before.
- `route_shifts`: a route's share of journeys in the recent window against the window before.
- `crime_links`: the cross-crime links (`hub.polycrime`) the viewer may see.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mare.analyse.trends import Period, Series, period_index, period_label
from mare.hub.context import HubContext
from mare.hub.places import EventPoint, Leg, event_points, legs
from mare.hub.places import _read as read_visible
from mare.hub.polycrime import CrossCrimeLink, polycriminality

#: H3 resolution and ring of the hotspot cells (as `mare hotspots` defaults).
RESOLUTION, RINGS = 6, 1


@dataclass
class Tally:
    """One series under construction: a value per period, and the records and agencies behind it."""

    subject: str
    kind: str  # "count" or "median"
    unit: str
    cells: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    records: set[str] = field(default_factory=set)
    agencies: set[str] = field(default_factory=set)

    def add(self, index: int, value: float, uid: str, agency: str) -> None:
        """One record's value in one period."""
        self.cells[index].append(value)
        self.records.add(uid)
        self.agencies.add(agency)

    def series(self, period: Period, first: int, last: int) -> tuple[Series, int]:
        """The regular series from `first` to `last` (inclusive): counts summed, zero where nothing was
        seen; medians carried forward over periods without a value. Also the periods without one."""
        values = np.zeros(last - first + 1)
        empty = 0
        previous: float | None = None
        for i in range(first, last + 1):
            got = self.cells.get(i)
            if self.kind == "count":
                values[i - first] = sum(got) if got else 0.0
                continue
            if got:
                previous = float(statistics.median(got))
            else:
                empty += 1
            values[i - first] = round(previous) if previous is not None else 0.0
        if self.kind == "median":  # periods before the first value take the first value
            firsts = [i for i in range(first, last + 1) if self.cells.get(i)]
            if firsts:
                start = float(statistics.median(self.cells[firsts[0]]))
                values[: firsts[0] - first] = round(start)
        return Series(self.subject, period, first, values), empty


@dataclass
class Observations:
    """What one viewer's series are built from: tallies by subject, and the data horizon."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    first: int | None = None
    last: int | None = None
    points: list[EventPoint] = field(default_factory=list)
    legs: list[tuple[Leg, str]] = field(default_factory=list)
    agency_of: dict[str, str] = field(default_factory=dict)

    def tally(self, subject: str, kind: str = "count", unit: str = "records") -> Tally:
        """The tally of a subject (made on first use)."""
        if subject not in self.tallies:
            self.tallies[subject] = Tally(subject, kind, unit)
        return self.tallies[subject]

    def seen(self, index: int) -> None:
        """Widen the data horizon to this period."""
        self.first = index if self.first is None else min(self.first, index)
        self.last = index if self.last is None else max(self.last, index)


def period_of(text: str | None, period: Period) -> int | None:
    """The period index of a stored date or datetime, or None when it is not one."""
    if not text:
        return None
    try:
        return period_index(str(text)[:10], period)
    except ValueError:
        return None


def period_start(index: int, period: Period) -> dt.date:
    """The first day of a period (a month's 1st, an ISO week's Monday)."""
    if period == "month":
        return dt.date(index // 12, index % 12 + 1, 1)
    return dt.date.fromordinal(index * 7 + 1)


def _number(text: str | None) -> float | None:
    try:
        number = float(text) if text is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) and number >= 0 else None


def _agencies(ctx: HubContext, uids: list[str]) -> dict[str, str]:
    """The owner agency of each of these (visible) records."""
    if not uids:
        return {}
    rows = ctx.store.con.execute(  # one list parameter: inserting the uids row by row took ~0.8 s
        "SELECT r.uid, r.agency FROM records r JOIN (SELECT unnest(?::VARCHAR[]) AS uid) u ON u.uid = r.uid",
        [uids],
    ).fetchall()
    return {str(uid): str(agency) for uid, agency in rows}


def observe(ctx: HubContext, period: Period, end: int) -> Observations:
    """Every series' values up to period `end` (inclusive) from the records the viewer sees in full."""
    from mare.analyse.geo.hotspots import find_hotspots
    from mare.analyse.geo.routes import classify_legs, classify_points

    obs = Observations()
    points = [p for p in event_points(ctx) if (i := period_of(p.at, period)) is not None and i <= end]
    found = [leg for leg in legs(ctx) if (i := period_of(leg.departed_at, period)) is not None and i <= end]
    events = read_visible(ctx, "event", ("event_type", "occurred_at", "place"))
    leg_values = read_visible(ctx, "journey_leg", ("departed_at", "conveyance", "persons_count"))
    persons = read_visible(ctx, "person", ("nationality",))
    adverts = read_visible(ctx, "advert", ("posted_at", "price", "currency", "route_offered"))
    payments = read_visible(ctx, "payment", ("paid_at", "amount", "currency"))
    uids = [*events.values, *leg_values.values, *persons.values, *adverts.values, *payments.values]
    obs.agency_of = agency = _agencies(ctx, uids)

    def count(subject: str, at: str | None, uid: str, value: float = 1.0, unit: str = "records") -> None:
        index = period_of(at, period)
        if index is None or index > end:
            return
        obs.seen(index)
        obs.tally(subject, unit=unit).add(index, value, uid, agency.get(uid, "?"))

    # events: per route (zone of the point), per place, per type (all visible dated events)
    routes = classify_points([p.lat for p in points], [p.lon for p in points]) if points else []
    for point, answer in zip(points, routes, strict=True):
        count(f"events on route {answer.route}", point.at, point.uid)
        if point.place_name:
            count(f"events at {point.place_name}", point.at, point.uid)
    located = {p.uid for p in points}
    for uid, values in events.values.items():
        at = values.get("occurred_at")
        count("events (all)", at, uid)
        count(f"events of type {values.get('event_type') or 'unknown'}", at, uid)
        if uid not in located and values.get("place"):
            count(f"events at {values['place']}", at, uid)
    # journeys: per route (direction rules), crossing, conveyance; persons moved per route
    ends = [(x.from_lat, x.from_lon, x.to_lat, x.to_lon) for x in found]
    answers = classify_legs(*(list(column) for column in zip(*ends, strict=True))) if found else []
    for leg, answer in zip(found, answers, strict=True):
        obs.legs.append((leg, answer.route))
        count(f"journeys on route {answer.route}", leg.departed_at, leg.uid)
        count(
            f"journeys at crossing {leg.from_country or '?'}->{leg.to_country or '?'}",
            leg.departed_at,
            leg.uid,
        )
        moved = _number(leg_values.values.get(leg.uid, {}).get("persons_count"))
        if moved is not None:
            count(f"persons moved on route {answer.route}", leg.departed_at, leg.uid, moved, "persons")
    for uid, values in leg_values.values.items():
        count("journeys (all)", values.get("departed_at"), uid)
        if values.get("conveyance"):
            count(f"journeys by {values['conveyance']}", values.get("departed_at"), uid)
    # persons by nationality, dated by their earliest visible journey (else not dated)
    for uid, when in _person_dates(ctx, list(persons.values)).items():
        nationality = persons.values[uid].get("nationality")
        if nationality:
            count(f"persons of nationality {nationality}", when, uid, unit="persons")
    # prices and fees: the median per period, per currency
    for values_of, subject, at_field, amount in (
        (adverts, "advert price", "posted_at", "price"),
        (payments, "payment amount", "paid_at", "amount"),
    ):
        for uid, values in values_of.values.items():
            index, number = period_of(values.get(at_field), period), _number(values.get(amount))
            if index is None or index > end or number is None:
                continue
            obs.seen(index)
            currency = (values.get("currency") or "unknown currency").upper()
            obs.tally(f"median {subject} ({currency})", "median", currency).add(
                index, number, uid, agency.get(uid, "?")
            )
            route = values.get("route_offered") or ""  # 'origin>destination' as read at intake (hub.adverts)
            destination = route.rpartition(">")[2].strip() if ">" in route else ""
            if values_of is adverts and destination not in ("", "?"):
                obs.tally(f"median {subject} to {destination} ({currency})", "median", currency).add(
                    index, number, uid, agency.get(uid, "?")
                )
    # hotspots: events per hot cell of the whole visible history
    obs.points = points
    if points:
        import h3

        result = find_hotspots(
            [p.lat for p in points], [p.lon for p in points], RESOLUTION, RINGS, significant_only=True
        )
        hot = {h.cell for h in result.hotspots if h.gi_bin > 0}
        names = cell_names(points)
        for point in points:
            cell = h3.latlng_to_cell(point.lat, point.lon, RESOLUTION)
            if cell in hot:
                count(f"events in hotspot {names.get(cell) or cell} ({cell})", point.at, point.uid)
    return obs


def _person_dates(ctx: HubContext, uids: list[str]) -> dict[str, str]:
    """Each visible person's earliest departure on a visible journey leg (visible `travelled_on` link)."""
    if not uids:
        return {}
    con = ctx.store.con
    lvis, lparams = ctx.visibility_sql("l", minor=False, consent=False)
    rvis, rparams = ctx.visibility_sql("r")
    rows = con.execute(
        "SELECT l.source_uid, min(coalesce(v.normalised, v.original)) FROM links l "
        "JOIN records r ON r.uid = l.target_uid AND r.kind = 'journey_leg' "
        "JOIN record_values v ON v.record_uid = r.uid AND v.field = 'departed_at' "
        f"WHERE l.kind = 'travelled_on' AND {lvis} = 'full' AND {rvis} = 'full' GROUP BY 1",
        [*lparams, *rparams],
    ).fetchall()
    chosen = set(uids)
    return {str(uid): str(at) for uid, at in rows if uid in chosen and at}


def cell_names(points: list[EventPoint]) -> dict[str, str]:
    """Each H3 cell's most frequent geocoded place name (or place text) among its events."""
    import h3

    names: dict[str, Counter[str]] = defaultdict(Counter)
    for point in points:
        name = point.place_name or point.place
        if name:
            names[h3.latlng_to_cell(point.lat, point.lon, RESOLUTION)][name] += 1
    return {cell: sorted(t.items(), key=lambda x: (-x[1], x[0]))[0][0] for cell, t in names.items()}


# --- structural signals -------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """A structural finding before it is stored: what, since when, and the numbers behind it."""

    detector: str
    subject: str
    start: int
    direction: str
    baseline: float
    observed: float
    score: float
    explanation: str
    evidence: dict[str, Any]
    records: tuple[str, ...] = ()


#: Emerging hotspot: a cell needs at least this many recent events, hot (Gi*, FDR 5 %) recently and
#: not hot in the window before.
MIN_RECENT_EVENTS = 3


def emerging_hotspots(obs: Observations, period: Period, recent: int, end: int) -> list[Signal]:
    """Cells hot in the last `recent` periods up to `end` and not hot in the periods before."""
    import h3

    from mare.analyse.geo.hotspots import find_hotspots

    start = end - recent + 1
    timed = [(p, period_of(p.at, period)) for p in obs.points]
    now = [p for p, i in timed if i is not None and start <= i <= end]
    before = [p for p, i in timed if i is not None and i < start]
    if not now or not before:
        return []

    def hot(points: list[EventPoint]) -> dict[str, Any]:
        found = find_hotspots([p.lat for p in points], [p.lon for p in points], RESOLUTION, RINGS)
        return {h.cell: h for h in found.hotspots if h.gi_bin > 0}

    hot_now, hot_before = hot(now), hot(before)
    names = cell_names(now)
    first_before = min(i for _, i in timed if i is not None)
    span_before = start - first_before
    signals = []
    for cell, spot in sorted(hot_now.items(), key=lambda t: -t[1].z):
        if cell in hot_before or spot.count < MIN_RECENT_EVENTS:
            continue
        mine = [
            (p, i) for p, i in timed if i is not None and h3.latlng_to_cell(p.lat, p.lon, RESOLUTION) == cell
        ]
        earlier = sum(1 for _, i in mine if i < start)
        per_period = Counter(period_label(i, period) for _, i in mine if i >= first_before)
        first_recent = min(i for _, i in mine if i >= start)
        agencies = {obs.agency_of.get(p.uid, "?") for p, i in mine if i >= start}
        name = names.get(cell) or cell
        signals.append(
            Signal(
                "emerging_hotspot",
                f"hotspot {name} ({cell})",
                first_recent,
                "up",
                round(earlier / max(span_before, 1), 2),
                round(spot.count / recent, 2),
                round(spot.z, 2),
                f"New hotspot around {name}: {spot.count} events in the last {recent} {period}s "
                f"(Gi* z = {spot.z:.2f}, FDR q = {spot.q:.3g}), hot now and not in the {span_before} "
                f"{period}s before ({earlier} events there then).",
                {
                    "cell": cell,
                    "resolution": RESOLUTION,
                    "rings": RINGS,
                    "recent": f"{period_label(start, period)}..{period_label(end, period)}",
                    "before": f"{period_label(first_before, period)}..{period_label(start - 1, period)}",
                    "events_recent": spot.count,
                    "events_before": earlier,
                    "neighbourhood_recent": spot.neighbourhood_count,
                    "z": round(spot.z, 3),
                    "q": float(f"{spot.q:.3g}"),
                    "counts": dict(sorted(per_period.items())),
                    "records": spot.count,
                    "agencies": len(agencies),
                },
            )
        )
    return signals


#: Route shift: a route's share of journeys must move by at least this much (share points) ...
SHARE_BOUND = 0.10
#: ... with a two-proportion z at least this large, on at least this many recent journeys.
SHARE_Z, MIN_JOURNEYS = 3.0, 20


def route_shifts(obs: Observations, period: Period, recent: int, end: int, before: int) -> list[Signal]:
    """Routes whose share of journeys in the last `recent` periods differs from the `before` periods
    preceding them by at least SHARE_BOUND and a two-proportion z of at least SHARE_Z."""
    start = end - recent + 1
    now: Counter[str] = Counter()
    was: Counter[str] = Counter()
    per_period: dict[str, Counter[str]] = defaultdict(Counter)
    agencies: dict[str, set[str]] = defaultdict(set)
    for leg, route in obs.legs:
        index = period_of(leg.departed_at, period)
        if index is None or index > end or index < start - before:
            continue
        (now if index >= start else was)[route] += 1
        per_period[route][period_label(index, period)] += 1
        if index >= start:
            agencies[route].add(obs.agency_of.get(leg.uid, "?"))
    n1, n0 = sum(now.values()), sum(was.values())
    if n1 < MIN_JOURNEYS or n0 < MIN_JOURNEYS:
        return []
    signals = []
    for route in sorted(set(now) | set(was)):
        s1, s0 = now[route] / n1, was[route] / n0
        pooled = (now[route] + was[route]) / (n1 + n0)
        spread = math.sqrt(max(pooled * (1 - pooled) * (1 / n1 + 1 / n0), 1e-12))
        z = (s1 - s0) / spread
        if abs(s1 - s0) < SHARE_BOUND or abs(z) < SHARE_Z:
            continue
        direction = "up" if s1 > s0 else "down"
        signals.append(
            Signal(
                "route_shift",
                f"share of journeys on route {route}",
                start,
                direction,
                round(100 * s0, 1),
                round(100 * s1, 1),
                round(z, 2),
                f"Route {route} carried {100 * s1:.1f} % of the journeys of the last {recent} {period}s "
                f"({now[route]} of {n1}) against {100 * s0:.1f} % in the {before} {period}s before "
                f"({was[route]} of {n0}): {'+' if s1 > s0 else ''}{100 * (s1 - s0):.1f} points, beyond the "
                f"bound of {100 * SHARE_BOUND:.0f} points (two-proportion z = {z:.2f}, at least {SHARE_Z}).",
                {
                    "recent": f"{period_label(start, period)}..{period_label(end, period)}",
                    "before": f"{period_label(start - before, period)}..{period_label(start - 1, period)}",
                    "journeys_recent": n1,
                    "journeys_before": n0,
                    "route_recent": now[route],
                    "route_before": was[route],
                    "bound_points": 100 * SHARE_BOUND,
                    "z_min": SHARE_Z,
                    "counts": dict(sorted(per_period[route].items())),
                    "records": now[route],
                    "agencies": len(agencies[route]),
                },
            )
        )
    return signals


def link_key(link: CrossCrimeLink) -> str:
    """What makes a cross-crime link the same at the next run."""
    return f"{link.person}|{link.area}|{link.kind}|{link.smuggling_record}|{link.other_record}"


def crime_links(ctx: HubContext) -> list[CrossCrimeLink]:
    """The cross-crime links this viewer may see (both records in full)."""
    return polycriminality(ctx, limit=10_000).links


def link_signal(link: CrossCrimeLink, start: int, previous: str, agencies: int) -> Signal:
    """A new cross-crime link as a signal."""
    who = link.label or link.person
    how = "the same person" if link.kind == "same person" else f"a shared identifier ({link.basis})"
    return Signal(
        "crime_link",
        f"smuggling person {who} linked to {link.area}",
        start,
        "up",
        0.0,
        1.0,
        1.0,
        f"{who}, known in migrant smuggling (record {link.smuggling_record}), is newly linked to "
        f"{link.area} by {how}: record {link.other_record} of {link.other_agency} "
        f"(contribution {link.other_contribution}), not linked at the previous run ({previous}).",
        {**link.as_dict(), "records": 2, "agencies": agencies},
        (link.smuggling_record, link.other_record),
    )
