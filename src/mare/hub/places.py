"""Hotspots and routes from what the hub holds, read through the access policy.

Events and journey legs are filtered in the database by the read policy compiled to SQL
(`HubContext.visibility_sql`): only records the viewer may see in full are read, with their given
coordinates or, failing those, the geocoded place (`place_geocodes`). How many were withheld (by
rule) goes to the request's consultation entry; what they hold never reaches Python.

- `hub_hotspots`: places of repeated activity (events and leg departures at one place, at least
  three), and H3 + Getis-Ord Gi* (FDR) on the visible events with emerging patterns over time, each
  cell named after the most frequent geocoded place of its events, else the nearest geocoded place.
- `hub_routes`: the route of each visible leg (direction rules, else zones) and the flows per route
  and per crossing (from country -> to country) per period, with the shifts between periods.
- `hub_map`: the map's events, legs and hotspot rows, each kind read once.

The located events and legs and the hotspots are kept per viewer policy and state of the data they
are read from (`hub.kept`, `_STAMPS`): the map, hotspot and warning pages ask for the same ones on
every request. A kept read notes the same counts in the request's consultation entry as a fresh one.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from mare.hub.context import HubContext
from mare.hub.kept import (
    Kept,
    Key,
    Served,
    base_of,
    epoch_now,
    last_build,
    mark_built,
    one_build,
    policy_base,
    policy_key,
    rebuild_behind,
    stamp_sql,
    with_stamp,
)
from mare.hub.visible import read_visible

EVENT_FIELDS = ("event_type", "occurred_at", "place", "country", "lat", "lon")
LEG_FIELDS = (
    "from_place",
    "to_place",
    "from_country",
    "to_country",
    "from_lat",
    "from_lon",
    "to_lat",
    "to_lon",
    "departed_at",
    "arrived_at",
)
UNDATED = "undated"
#: A place of repeated activity needs at least this many events and departures (default).
MIN_ACTIVITY = 3

_KINDS = "('event', 'journey_leg')"
#: What the located events and legs are read from, one stamp per table (the rows and every column
#: `read_visible`, the geocodes or the read policy read): records and values of events and legs only,
#: so an ingest of people, calls or AIS positions leaves the kept map in place.
_STAMPS = {
    "records": "SELECT count(*) || ':' || coalesce(sum(hash(uid, kind, label, category, agency, "
    f"handling_code, restrictions, minor)), 0) FROM records WHERE kind IN {_KINDS}",
    "record_values": "SELECT count(*) || ':' || coalesce(sum(hash(record_uid, field, position, original, "
    "normalised)), 0) FROM record_values "
    f"WHERE record_uid IN (SELECT uid FROM records WHERE kind IN {_KINDS})",
    "place_geocodes": "SELECT count(*) || ':' || coalesce(sum(hash(record_uid, field, lat, lon, country, "
    "place_name)), 0) FROM place_geocodes",
    "consent_requests": "SELECT count(*) || ':' || coalesce(sum(hash(id, record_uid, requester_agency, "
    "status)), 0) FROM consent_requests",
    # the read policy sets replaced versions aside: a new version that brings no event still changes the key
    "superseded": "SELECT count(*) || ':' || coalesce(sum(hash(uid)), 0) FROM contributions "
    "WHERE superseded_by IS NOT NULL",
}
_STAMP_SQL = stamp_sql(_STAMPS)
PLACES_CACHE_SIZE = 8


@dataclass(frozen=True)
class Geocode:
    """A geocoded place text of a visible record."""

    lat: float
    lon: float
    country: str | None
    name: str | None


@dataclass(frozen=True)
class EventPoint:
    """A visible event with coordinates: given (lat/lon) or geocoded from its place."""

    uid: str
    lat: float
    lon: float
    at: str | None
    event_type: str | None
    place: str | None  # the place text as given
    place_name: str | None  # the gazetteer name it was geocoded to, if any
    coordinates: str  # "given" | "geocoded"


@dataclass(frozen=True)
class Leg:
    """A visible journey leg with both ends located (given or geocoded)."""

    uid: str
    from_lat: float
    from_lon: float
    to_lat: float
    to_lon: float
    departed_at: str | None
    from_place: str | None
    to_place: str | None
    from_country: str | None
    to_country: str | None
    coordinates: str  # "given", "geocoded" or "mixed"


@dataclass
class _Read:
    """Visible records of one kind: their first values, geocodes, and counts withheld by rule."""

    values: dict[str, dict[str, str]]
    geocodes: dict[str, dict[str, Geocode]]
    withheld: dict[str, int]


def _read(ctx: HubContext, kind: str, fields: tuple[str, ...]) -> _Read:
    """First values of `fields` and geocodes of the records of `kind` the viewer may see in full
    (`hub.visible.read_visible`)."""
    found = read_visible(ctx, [kind], fields)
    values = {uid: {f: v[0] for f, v in seen.values.items() if v} for uid, seen in found.records.items()}
    geocodes: dict[str, dict[str, Geocode]] = defaultdict(dict)
    for uid, fld, lat, lon, country, name in ctx.store.con.execute(
        "SELECT record_uid, field, lat, lon, country, place_name FROM place_geocodes "
        "WHERE record_uid IN (SELECT unnest(?::VARCHAR[])) AND lat IS NOT NULL AND lon IS NOT NULL "
        "ORDER BY record_uid, field",
        [list(values)],
    ).fetchall():
        geocodes[uid][fld] = Geocode(float(lat), float(lon), country, name)
    return _Read(values, dict(geocodes), found.withheld)


def _number(text: str | None) -> float | None:
    """A finite float from a stored value, else None."""
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _located(
    values: dict[str, str], geocoded: dict[str, Geocode], lat: str, lon: str, place: str
) -> tuple[float, float, str] | None:
    """(lat, lon, "given"|"geocoded") of one end, or None when neither is known."""
    y, x = _number(values.get(lat)), _number(values.get(lon))
    if y is not None and x is not None:
        return y, x, "given"
    found = geocoded.get(place)
    return (found.lat, found.lon, "geocoded") if found else None


@dataclass(frozen=True)
class _Located:
    """One kind's located records, how many visible ones were not located, and what the read noted."""

    items: tuple[Any, ...]
    unlocated: int
    shown: int
    withheld: dict[str, int] = field(default_factory=dict)


_LOCATED: Kept[_Located] = Kept(2 * PLACES_CACHE_SIZE)
_HOTSPOTS: Kept[dict[str, Any]] = Kept(4 * PLACES_CACHE_SIZE)


#: The map's name among the builds served across additions (`kept.last_build`).
_NAME = "map"
#: The kinds the map's layers are read from.
_MAP_KINDS = ("event", "journey_leg")
#: The map's hotspots: `hub_hotspots`'s defaults (resolution, rings, alpha, step, all cells, min activity).
MAP_HOTSPOTS = (6, 1, 0.05, "year", False, MIN_ACTIVITY)


def _key(ctx: HubContext) -> Key | None:
    """What decides the viewer's located events and legs (`kept.policy_key` over `_STAMPS`)."""
    return policy_key(ctx, _STAMP_SQL, ("r",))


def _served(ctx: HubContext) -> Served:
    """The map's key: where the store is served across additions (the web server), the last key read for
    this viewer's policy while it may be (`kept.last_build`: the stamps not read) and its events and legs
    are still kept; else the key of the data as it is now."""
    base = policy_base(ctx, ("r",))
    if base is None:
        return Served(None, None)
    last = last_build(_NAME, base)
    if last is not None and last.key is not None:
        key = last.key
        if all(_LOCATED.get((*key, kind)) is not None for kind in _MAP_KINDS):
            if last.due:
                rebuild_behind(_NAME, last, ctx, partial(_rebuild, base))
            return last
    epoch = epoch_now()
    key = with_stamp(ctx, base, _STAMP_SQL)
    mark_built(_NAME, key, epoch)
    return Served(key, datetime.now(UTC))


def _rebuild(base: Key, behind: HubContext) -> None:
    """The map's events, legs and hotspots for the data as it is now, built behind the requests
    (`kept.rebuild_behind`, which gives `behind`) before they become the last build."""
    epoch = epoch_now()
    key = with_stamp(behind, base, _STAMP_SQL)
    points, found = _event_points(behind, key), _legs(behind, key)
    _hotspots(behind, key, points, found, MAP_HOTSPOTS)
    if all(_LOCATED.get((*key, kind)) is not None for kind in _MAP_KINDS):
        mark_built(_NAME, key, epoch)


def _kept(
    ctx: HubContext,
    key: Key | None,
    kind: str,
    fields: tuple[str, ...],
    locate: Callable[[_Read], list[Any]],
    across: bool = False,
) -> tuple[list[Any], int, dict[str, int]]:
    """`locate` on the viewer's visible records of `kind`, kept; a kept one notes what its read noted.
    `across` (a key served across additions): only what is kept under it is taken; what is not is read
    now and kept under no key (read now, it may hold what was added since: kept under the older key, it
    would come back if an erasure brought the stamps back to that key's)."""

    def build() -> _Located:
        read = _read(ctx, kind, fields)
        items = locate(read)
        return _Located(tuple(items), len(read.values) - len(items), len(read.values), dict(read.withheld))

    wanted = None if key is None else (*key, kind)
    if across and wanted is not None:
        kept = _LOCATED.get(wanted)
        found, built = (kept, False) if kept is not None else (build(), True)
    elif wanted is not None and key is not None:
        with one_build(wanted):
            kept = _LOCATED.get(wanted)
            found, built = (kept, False) if kept is not None else (build(), True)
            # kept only if the stamps are still the key's: an upload committed while it was read is in
            # it, and erasing that upload later would bring the stamps back to the key's
            if built and with_stamp(ctx, base_of(key), _STAMP_SQL) == key:
                _LOCATED.put(wanted, found)
    else:
        found, built = build(), True
    if not built:
        ctx.note_bulk("record", found.shown, found.withheld)
    return list(found.items), found.unlocated, dict(found.withheld)


def _event_points(
    ctx: HubContext, key: Key | None, across: bool = False
) -> tuple[list[EventPoint], int, dict[str, int]]:
    """Located visible events, how many visible events had no location, and the withheld counts."""
    return _kept(ctx, key, "event", EVENT_FIELDS, _locate_events, across)


def _locate_events(read: _Read) -> list[EventPoint]:
    points: list[EventPoint] = []
    for uid, values in read.values.items():
        geocoded = read.geocodes.get(uid, {})
        where = _located(values, geocoded, "lat", "lon", "place")
        if where is None:
            continue
        name = geocoded["place"].name if "place" in geocoded else None
        points.append(
            EventPoint(
                uid,
                where[0],
                where[1],
                values.get("occurred_at"),
                values.get("event_type"),
                values.get("place"),
                name,
                where[2],
            )
        )
    return points


def event_points(ctx: HubContext) -> list[EventPoint]:
    """Events the viewer may see in full, with coordinates (given, else geocoded), time and type."""
    return _event_points(ctx, _key(ctx))[0]


def _legs(ctx: HubContext, key: Key | None, across: bool = False) -> tuple[list[Leg], int, dict[str, int]]:
    """Located visible legs, how many visible legs lacked an end, and the withheld counts."""
    return _kept(ctx, key, "journey_leg", LEG_FIELDS, _locate_legs, across)


def _locate_legs(read: _Read) -> list[Leg]:
    out: list[Leg] = []
    for uid, values in read.values.items():
        geocoded = read.geocodes.get(uid, {})
        start = _located(values, geocoded, "from_lat", "from_lon", "from_place")
        end = _located(values, geocoded, "to_lat", "to_lon", "to_place")
        if start is None or end is None:
            continue
        from_country = values.get("from_country") or (
            geocoded["from_place"].country if "from_place" in geocoded else None
        )
        to_country = values.get("to_country") or (
            geocoded["to_place"].country if "to_place" in geocoded else None
        )
        out.append(
            Leg(
                uid,
                start[0],
                start[1],
                end[0],
                end[1],
                values.get("departed_at"),
                values.get("from_place"),
                values.get("to_place"),
                from_country,
                to_country,
                start[2] if start[2] == end[2] else "mixed",
            )
        )
    return out


def legs(ctx: HubContext) -> list[Leg]:
    """Journey legs the viewer may see in full with both ends located (given, else geocoded)."""
    return _legs(ctx, _key(ctx))[0]


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from mare.analyse.geo.geodesy import haversine_km

    return float(haversine_km(lat1, lon1, lat2, lon2))


def _name_cells(
    cells: list[tuple[str, float, float]], points: list[EventPoint], resolution: int
) -> dict[str, tuple[str | None, str]]:
    """Cell -> (name, how it was named): the most frequent geocoded place of its events, else the
    nearest geocoded place of any visible event."""
    import h3

    in_cell: dict[str, Counter[str]] = defaultdict(Counter)
    known: dict[str, tuple[float, float]] = {}
    for point in points:
        if point.place_name:
            in_cell[h3.latlng_to_cell(point.lat, point.lon, resolution)][point.place_name] += 1
            known.setdefault(point.place_name, (point.lat, point.lon))
    named: dict[str, tuple[str | None, str]] = {}
    for cell, lat, lon in cells:
        tally = in_cell.get(cell)
        if tally:
            name, n = sorted(tally.items(), key=lambda t: (-t[1], t[0]))[0]
            named[cell] = (name, f"most frequent geocoded place of the cell's events ({n})")
        elif known:
            name, km = min(((p, _km(lat, lon, *at)) for p, at in known.items()), key=lambda t: (t[1], t[0]))
            named[cell] = (name, f"nearest geocoded place ({km:.0f} km)")
        else:
            named[cell] = (None, "no geocoded place")
    return named


def hub_hotspots(
    ctx: HubContext,
    resolution: int = 6,
    rings: int = 1,
    alpha: float = 0.05,
    step: str = "year",
    all_cells: bool = False,
    min_activity: int = MIN_ACTIVITY,
) -> dict[str, Any]:
    """Hotspots of what the viewer may see: `places` of repeated activity (events and leg departures,
    `activity_places`), and Gi* per H3 cell (FDR) on the events with the emerging pattern over
    `step`s, each cell named; `rows` are `hotspot_rows` plus `name` and `name_source`, strongest first.
    Kept per viewer policy, state of the data and options (`hub.kept`)."""
    key = _key(ctx)
    options = (resolution, rings, alpha, step, all_cells, min_activity)
    return _hotspots(ctx, key, _event_points(ctx, key), _legs(ctx, key), options)


def _hotspots(
    ctx: HubContext,
    key: Key | None,
    events: tuple[list[EventPoint], int, dict[str, int]],
    departures: tuple[list[Leg], int, dict[str, int]],
    options: tuple[int, int, float, str, bool, int],
    across: bool = False,
) -> dict[str, Any]:
    """`_hotspots_of` the read events and departures, kept; the caller gets its own copy. `across` (a
    key served across additions): only what is kept under it is taken, the rest computed and not kept
    (its events may have been read now: `_kept`)."""
    if key is None:
        return _hotspots_of(events, departures, *options)
    kept_key = (*key, "hotspots", *options)
    with one_build(kept_key):
        found = _HOTSPOTS.get(kept_key)
        if found is None:
            found = _hotspots_of(events, departures, *options)
            # kept only where the events and legs it was computed from are kept under the same key
            if not across and all(_LOCATED.get((*key, kind)) is not None for kind in _MAP_KINDS):
                _HOTSPOTS.put(kept_key, found)
    return copy.deepcopy(found)


def _hotspots_of(
    events: tuple[list[EventPoint], int, dict[str, int]],
    read_legs: tuple[list[Leg], int, dict[str, int]],
    resolution: int,
    rings: int,
    alpha: float,
    step: str,
    all_cells: bool,
    min_activity: int,
) -> dict[str, Any]:
    from mare.analyse.geo.emerging import find_emerging_hotspots
    from mare.analyse.geo.export import hotspot_rows
    from mare.analyse.geo.hotspots import find_hotspots

    points, unlocated, withheld = events
    departures, _, legs_withheld = read_legs
    summary: dict[str, Any] = {
        "places": activity_places(points, departures, min_activity),
        "departures": len(departures),
        "legs_withheld": legs_withheld,
        "events": len(points),
        "without_location": unlocated,
        "withheld": withheld,
        "resolution": resolution,
        "rings": rings,
        "alpha": alpha,
        "step": step,
        "cells_tested": 0,
        "hot": 0,
        "cold": 0,
        "rows": [],
    }
    if not points:
        return summary
    lats = [p.lat for p in points]
    lons = [p.lon for p in points]
    result = find_hotspots(
        lats,
        lons,
        resolution,
        rings,
        alpha,
        [p.event_type or "" for p in points],
        None,
        None,
        significant_only=not all_cells,
    )
    times = [(p.at or "")[:10] for p in points]  # days: no time-zone warnings from numpy
    patterns = None
    if any(times):
        trends = find_emerging_hotspots(lats, lons, times, step, resolution, rings, alpha=alpha)
        patterns = {trend.cell: trend for trend in trends}
    chosen = sorted(result.hotspots, key=lambda h: -h.z)
    rows = hotspot_rows(chosen, patterns)
    names = _name_cells([(h.cell, h.lat, h.lon) for h in chosen], points, resolution)
    for row in rows:
        row["name"], row["name_source"] = names[row["cell"]]
    summary.update(
        cells_tested=result.cells_tested,
        hot=sum(1 for h in result.hotspots if h.gi_bin > 0),
        cold=sum(1 for h in result.hotspots if h.gi_bin < 0),
        rows=rows,
    )
    return summary


def activity_places(
    events: list[EventPoint], departures: list[Leg], min_count: int = MIN_ACTIVITY
) -> list[dict[str, Any]]:
    """Places where activity recurs: events and leg departures grouped by place (coordinates to about
    a kilometre), at least `min_count` of them, most active first, each with its name (the most
    frequent geocoded name or place text), counts by kind, and first and last dates."""
    groups: dict[tuple[float, float], dict[str, Any]] = {}

    def add(lat: float, lon: float, name: str | None, kind: str, at: str | None) -> None:
        group = groups.setdefault(
            (round(lat, 2), round(lon, 2)), {"names": Counter(), "kinds": Counter(), "dates": []}
        )
        if name:
            group["names"][name] += 1
        group["kinds"][kind] += 1
        if at:
            group["dates"].append(at[:10])

    for e in events:
        add(e.lat, e.lon, e.place_name or e.place, e.event_type or "event", e.at)
    for leg in departures:
        add(leg.from_lat, leg.from_lon, leg.from_place, "departure", leg.departed_at)
    out = []
    for (lat, lon), group in groups.items():
        count = sum(group["kinds"].values())
        if count < min_count:
            continue
        names = sorted(group["names"].items(), key=lambda t: (-t[1], t[0]))
        dates = sorted(group["dates"])
        out.append(
            {
                "name": names[0][0] if names else None,
                "lat": lat,
                "lon": lon,
                "count": count,
                "kinds": dict(group["kinds"].most_common()),
                "first_seen": dates[0] if dates else None,
                "last_seen": dates[-1] if dates else None,
            }
        )
    return sorted(out, key=lambda p: (-p["count"], p["name"] or "", p["lat"], p["lon"]))


def _flows(
    by_period: dict[str, Counter[str]], order: list[str], name: str = "route"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per period: counts and shares; between consecutive periods: count and share deltas."""
    tables: list[tuple[str, dict[str, tuple[int, float]]]] = []
    for label in order:
        tally = by_period.get(label, Counter())
        total = sum(tally.values())
        ranked = sorted(tally.items(), key=lambda t: (-t[1], t[0]))
        tables.append((label, {key: (n, round(n / total, 4)) for key, n in ranked}))
    periods = [
        {
            "period": label,
            "legs": sum(n for n, _ in flows.values()),
            "flows": {key: {"count": n, "share": share} for key, (n, share) in flows.items()},
        }
        for label, flows in tables
    ]
    shifts: list[dict[str, Any]] = []
    for (before, was), (after, now) in itertools.pairwise(tables):
        for key in sorted(set(was) | set(now)):
            (n0, s0), (n1, s1) = was.get(key, (0, 0.0)), now.get(key, (0, 0.0))
            if (n0, s0) != (n1, s1):
                shifts.append(
                    {
                        "from": before,
                        "to": after,
                        name: key,
                        "count_from": n0,
                        "count_to": n1,
                        "count_delta": n1 - n0,
                        "share_delta": round(s1 - s0, 4),
                    }
                )
    return periods, shifts


def hub_routes(ctx: HubContext, period: str = "quarter") -> dict[str, Any]:
    """Route of each visible leg (with reason), flows per route and per crossing per period, and the
    shifts between consecutive periods (legs without a departure date count under 'undated')."""
    from mare.analyse.geo.emerging import time_steps
    from mare.analyse.geo.routes import classify_legs

    found, unlocated, withheld = _legs(ctx, _key(ctx))
    out: dict[str, Any] = {
        "period": period,
        "legs": len(found),
        "without_location": unlocated,
        "withheld": withheld,
        "routes": [],
        "route_shifts": [],
        "crossings": [],
        "crossing_shifts": [],
        "rows": [],
    }
    if not found:
        return out
    answers = classify_legs(
        [leg.from_lat for leg in found],
        [leg.from_lon for leg in found],
        [leg.to_lat for leg in found],
        [leg.to_lon for leg in found],
    )
    index, labels = time_steps([(leg.departed_at or "")[:10] for leg in found], period)
    routes: dict[str, Counter[str]] = defaultdict(Counter)
    crossings: dict[str, Counter[str]] = defaultdict(Counter)
    rows = []
    for leg, answer, step in zip(found, answers, index.tolist(), strict=True):
        label = labels[step] if step >= 0 else UNDATED
        crossing = f"{leg.from_country or '?'}->{leg.to_country or '?'}"
        routes[label][answer.route] += 1
        crossings[label][crossing] += 1
        rows.append(
            {
                **asdict(leg),
                "period": label,
                "crossing": crossing,
                "route": answer.route,
                "route_reason": answer.reason,
            }
        )
    order = labels + ([UNDATED] if UNDATED in routes else [])
    out["routes"], shifts = _flows(routes, labels)
    out["route_shifts"] = shifts
    out["crossings"], out["crossing_shifts"] = _flows(crossings, labels, "crossing")
    if UNDATED in routes:
        out["routes"] += _flows(routes, [UNDATED])[0]
        out["crossings"] += _flows(crossings, [UNDATED])[0]
    out["periods"] = order
    out["rows"] = rows
    return out


@dataclass(frozen=True)
class MapData:
    """What the map draws: located events (asked for with events or hotspots), legs (with routes) and
    the hotspot rows of `hub_hotspots` with its defaults (with hotspots)."""

    events: list[EventPoint]
    legs: list[Leg]
    hotspots: list[dict[str, Any]]
    served: dict[str, Any] = field(default_factory=dict, compare=False)  # how current (`kept.Served`)


def hub_map(ctx: HubContext, events: bool = True, routes: bool = True, hotspots: bool = True) -> MapData:
    """The map's layers as the viewer may see them: each kind read once (kept, like the hotspots)."""
    served = _served(ctx)
    key, across = served.key, served.across_additions
    points = _event_points(ctx, key, across) if events or hotspots else ([], 0, {})
    found = _legs(ctx, key, across) if routes or hotspots else ([], 0, {})
    rows: list[dict[str, Any]] = []
    if hotspots:
        rows = _hotspots(ctx, key, points, found, MAP_HOTSPOTS, across)["rows"]
    return MapData(points[0], found[0] if routes else [], rows, served.as_dict())
