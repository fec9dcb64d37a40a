"""The views: each computes one data dict through the hub layer, served as JSON under `/api/x` and, for
pages, rendered as HTML at `/x` (the same function; see `mare.server.pages`).

Every view opens the request's `HubContext` (`mare.server.access.hub_context`), so each response obeys
the policy and leaves its consultation entry in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import HTTPException, Path, Query, Request

from mare.access.policy import Purpose
from mare.hub import consent, oversight, retention
from mare.hub import watchlists as wl
from mare.hub.entity import EntityError, entity
from mare.hub.maritime import VesselNotFound, hub_vessel, hub_vessels
from mare.hub.networks import NetworkError, analysed_network, hub_found_networks, neighbourhood, summarise
from mare.hub.notifications import inbox
from mare.hub.places import hub_hotspots, hub_map, hub_routes
from mare.hub.repository import Repository
from mare.hub.review import queue
from mare.hub.search import MAX_LIMIT, search
from mare.server import shapes
from mare.server.access import BadInput, hub_context

IdPath = Annotated[str, Path(min_length=1, max_length=300)]
Page = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]
Size = Annotated[int, Query(ge=1, le=200, description="Rows per page.")]


@dataclass(frozen=True, slots=True)
class PageView:
    """A page: its path (JSON at /api + path), template, title, and the view computing its data."""

    path: str
    template: str
    title: str
    view: Callable[..., dict[str, Any]]


PAGES: list[PageView] = []


def page(path: str, template: str, title: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view as a page (HTML at `path`) and its JSON (at `/api` + `path`)."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        PAGES.append(PageView(path, template, title, view))
        return view

    return register


def _what(request: Request) -> str:
    return f"{request.method} {request.url.path}"


def not_found(message: str) -> HTTPException:
    """A 404 with a message saying what to give instead."""
    return HTTPException(status_code=404, detail=message)


# --- search, entities, records -------------------------------------------------------------------


@page("/search", "search.html", "Search")
def search_view(
    request: Request,
    q: Annotated[str, Query(max_length=300, description="A name, phone, document, plate, place…")] = "",
    exact: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> dict[str, Any]:
    """Names, identifiers and places across the hub, ranked (hit/no-hit where withheld)."""
    if not q.strip():
        return {"query": "", "results": [], "matched": 0, "withheld": {}, "read_as": [], "mode": ""}
    with hub_context(request, _what(request)) as ctx:
        try:
            result = search(ctx, q, fuzzy=not exact, limit=limit)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    return {"query": q, **result.as_dict()}


@page("/entities", "entities.html", "People")
def entities_view(request: Request, page: Page = 1, size: Size = 50) -> dict[str, Any]:
    """Person records, a page at a time (labels only where the policy allows)."""
    with hub_context(request, _what(request)) as ctx:
        views = Repository(ctx).records("person", None, size, (page - 1) * size)
    return {"page": page, "size": size, "items": [v.as_dict() for v in views], "more": len(views) == size}


@page("/entities/{entity_id}", "entity.html", "Entity")
def entity_view(request: Request, entity_id: IdPath) -> dict[str, Any]:
    """One entity: its records with provenance and badges, hits, judgements, links, timeline, places."""
    with hub_context(request, _what(request)) as ctx:
        try:
            view = entity(ctx, entity_id)
        except EntityError as exc:
            raise BadInput(str(exc)) from None
    if view is None:
        raise not_found(f"no entity {entity_id!r} you may know of: search for it on /search")
    return view.as_dict()


def entity_graph(
    request: Request, entity_id: IdPath, depth: Annotated[int, Query(ge=1, le=4)] = 1
) -> dict[str, Any]:
    """One person's neighbourhood as a network graph (widget shape)."""
    from mare.analyse.network.report import analyse

    with hub_context(request, _what(request)) as ctx:
        try:
            net = neighbourhood(ctx, entity_id, depth)
        except NetworkError as exc:
            raise not_found(str(exc)) from None
    report = analyse(net) if net.n >= 2 else None
    return shapes.graph(net, report)


def _entity(request: Request, entity_id: str) -> Any:
    """One entity as the viewer may see it, or 404."""
    with hub_context(request, _what(request)) as ctx:
        try:
            view = entity(ctx, entity_id)
        except EntityError as exc:
            raise BadInput(str(exc)) from None
    if view is None:
        raise not_found(f"no entity {entity_id!r} you may know of")
    return view


def entity_timeline(request: Request, entity_id: IdPath) -> dict[str, Any]:
    """One entity's dated values and those of the records linked to it (widget shape)."""
    return shapes.timeline(_entity(request, entity_id).timeline)


def entity_places(request: Request, entity_id: IdPath) -> dict[str, Any]:
    """One entity's own places (those its records and the records linked to it name), as GeoJSON for the
    map widget: one point per place, its count the records that name it."""
    view = _entity(request, entity_id)
    features = [
        shapes.feature(
            shapes.point(p["lat"], p["lon"]),
            "place",
            str(p.get("place") or p.get("text") or "coordinates given"),
            count=len(p["records"]),
            ref=p["records"][0] if p["records"] else None,
        )
        for p in view.places
        if p.get("lat") is not None and p.get("lon") is not None
    ]
    return {"type": "FeatureCollection", "features": features}


@page("/records/{uid}", "record.html", "Record")
def record_view(request: Request, uid: IdPath) -> dict[str, Any]:
    """One record (content only where the policy allows)."""
    with hub_context(request, _what(request)) as ctx:
        view = Repository(ctx).record(uid)
    if view is None:
        raise not_found(f"no record {uid!r}: find records with /search")
    return view.as_dict()


# --- contributions, hits, review -------------------------------------------------------------------


@page("/contributions", "contributions.html", "Contributions")
def contributions_view(request: Request, page: Page = 1, size: Size = 50) -> dict[str, Any]:
    """Your agency's contributions (the hub's staff: everyone's), newest first, as the policy allows."""
    with hub_context(request, _what(request)) as ctx:
        scope, params = ("", []) if ctx.viewer.is_hub else (" WHERE agency = ?", [ctx.viewer.agency])
        uids = [
            row[0]
            for row in ctx.store.con.execute(
                f"SELECT uid FROM contributions{scope} ORDER BY received_at DESC, uid LIMIT ? OFFSET ?",
                [*params, size, (page - 1) * size],
            ).fetchall()
        ]
        repo = Repository(ctx)
        items = [found for uid in uids if (found := repo.contribution(uid)) is not None]
    for item in items:
        item.pop("problems", None)
        item.pop("files", None)
    return {"page": page, "size": size, "items": items, "more": len(uids) == size}


@page("/contributions/{uid}", "contribution.html", "Contribution")
def contribution_view(request: Request, uid: IdPath) -> dict[str, Any]:
    """One contribution: status, counts and (for its owner) the per-row problems."""
    with hub_context(request, _what(request)) as ctx:
        data = Repository(ctx).contribution(uid)
    if data is None:
        raise not_found(f"no contribution {uid!r}: give the hub uid from the upload report")
    return data


@page("/hits", "hits.html", "Hits")
def hits_view(request: Request, unread: bool = False) -> dict[str, Any]:
    """Cross-check hits notified to your agency, each written for you through the policy."""
    with hub_context(request, _what(request)) as ctx:
        items = [n for n in inbox(ctx, unread, limit=500) if n.kind == "hit"]
    return {"items": [_note(n) for n in items]}


def _note(n: Any) -> dict[str, Any]:
    data = asdict(n)
    data["created_at"] = shapes.iso(n.created_at)
    data["read_at"] = shapes.iso(n.read_at)
    return data


@page("/review", "review.html", "Review")
def review_view(request: Request, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict[str, Any]:
    """Candidate pairs you may see in full, each with its explanation as match weights."""
    with hub_context(request, _what(request)) as ctx:
        pending = queue(ctx, limit)
    items = []
    for item in pending.items:
        explanation = item.explanation
        steps = [
            {
                "feature": "prior",
                "level": "chance two records match",
                "weight": float(explanation.get("prior_match_weight", 0.0)),
            }
        ]
        steps += [
            {"feature": f["feature"], "level": f["level"], "weight": float(f["match_weight"])}
            for f in explanation.get("features", [])
        ]
        running = 0.0
        for step in steps:
            weight = float(str(step["weight"]))
            step["start"] = running
            running += weight
            step["end"] = running
        items.append(
            {
                "pair": f"{item.left.uid}|{item.right.uid}",
                "left": item.left.as_dict(),
                "right": item.right.as_dict(),
                "match_probability": item.match_probability,
                "reason": item.reason,
                "waterfall": steps,
                "total": running,
            }
        )
    return {"items": items, "withheld": pending.withheld}


# --- networks ----------------------------------------------------------------------------------------


@page("/networks", "networks.html", "Networks")
def networks_view(request: Request, min_size: Annotated[int, Query(ge=2, le=1000)] = 3) -> dict[str, Any]:
    """The hub's networks you may see, largest first, with their profiles."""
    from mare.analyse.network.profiles import network_profile

    with hub_context(request, _what(request)) as ctx:
        found = hub_found_networks(ctx, min_size)
    items = []
    for nid, part in found:
        summary = summarise(nid, part).as_dict()
        profile = network_profile(part, "auto", 1)
        summary["profile"] = {
            k: v for k, v in profile.items() if isinstance(v, int | float | str) or v is None
        }
        items.append(summary)
    served = found[0][1].meta.get("served") if found else None
    return {"min_size": min_size, "networks": items, "served": served}


def networks_chart(request: Request, min_size: Annotated[int, Query(ge=2, le=1000)] = 3) -> dict[str, Any]:
    """People and ties per network (chart widget)."""
    data = networks_view(request, min_size)
    nets = data["networks"][:30]
    return {
        "type": "bar",
        "title": "People and ties per network",
        "x": [n["id"] for n in nets],
        "series": [
            {"name": "people", "values": [n["people"] for n in nets]},
            {"name": "ties", "values": [n["ties"] for n in nets]},
        ],
    }


def _network(request: Request, network_id: str, min_size: int) -> tuple[Any, dict[str, Any]]:
    with hub_context(request, _what(request)) as ctx:
        try:
            return analysed_network(ctx, network_id, min_size)
        except NetworkError as exc:
            raise not_found(str(exc)) from None


@page("/networks/{network_id}", "network.html", "Network")
def network_view(
    request: Request, network_id: IdPath, min_size: Annotated[int, Query(ge=2, le=1000)] = 3
) -> dict[str, Any]:
    """One network: profile, key players with why, cells, roles as assessments."""
    net, report = _network(request, network_id, min_size)
    labels = {node: a.get("label") for node, a in net.attrs.items()}
    return {
        "id": network_id.strip().upper(),
        "min_size": min_size,
        "summary": summarise(network_id.strip().upper(), net).as_dict(),
        "profile": report["network"],
        "key_players": [{**node, "label": labels.get(node["id"])} for node in report["nodes"][:10]],
        "explanations": report["explanations"],
        "roles": [{**r, "label": labels.get(r.get("id"))} for r in report["roles"]],
        "cells": report["cells"],
        "withheld": net.meta.get("withheld", {}),
        # how current it is: built as of when, and whether contributions may have been added since
        "served": net.meta.get("served"),
    }


def network_graph(
    request: Request, network_id: IdPath, min_size: Annotated[int, Query(ge=2, le=1000)] = 3
) -> dict[str, Any]:
    """One network as a graph (widget shape)."""
    net, report = _network(request, network_id, min_size)
    return shapes.graph(net, report)


def network_chart(
    request: Request, network_id: IdPath, min_size: Annotated[int, Query(ge=2, le=1000)] = 3
) -> dict[str, Any]:
    """Key players' scores in one network (chart widget)."""
    net, report = _network(request, network_id, min_size)
    top = report["nodes"][:15]
    return {
        "type": "bar",
        "title": "Key players: betweenness and PageRank",
        "x": [str(net.attrs.get(n["id"], {}).get("label") or n["id"]) for n in top],
        "series": [
            {"name": "betweenness", "values": [round(n["betweenness"], 4) for n in top]},
            {"name": "pagerank", "values": [round(n["pagerank"], 4) for n in top]},
        ],
    }


# --- places ------------------------------------------------------------------------------------------


@page("/hotspots", "hotspots.html", "Hotspots")
def hotspots_view(
    request: Request,
    resolution: Annotated[int, Query(ge=3, le=9)] = 6,
    step: Annotated[str, Query(pattern="^(month|quarter|year)$")] = "year",
) -> dict[str, Any]:
    """Places of repeated activity and hot cells (Gi*, FDR) with their emerging pattern."""
    with hub_context(request, _what(request)) as ctx:
        return hub_hotspots(ctx, resolution=resolution, step=step)


@page("/routes", "routes.html", "Routes")
def routes_view(
    request: Request, period: Annotated[str, Query(pattern="^(month|quarter|year)$")] = "quarter"
) -> dict[str, Any]:
    """Routes of the journey legs you may see, flows per period and their shifts."""
    with hub_context(request, _what(request)) as ctx:
        return hub_routes(ctx, period)


MAP_LAYERS = ("hotspots", "routes", "events", "vessels")
MAP_TRACKS = 25  # vessel tracks drawn on the map: the first N vessels of interest


def _vessel_features(vessels: list[dict[str, Any]], start: str | None) -> list[dict[str, Any]]:
    """Each vessel's track (a line per segment between AIS gaps) and its behaviour events as points."""
    features: list[dict[str, Any]] = []
    for row in vessels:
        name = row.get("name") or f"MMSI {row['mmsi']}"
        ref = f"/vessels/{row['mmsi']}"
        for segment in row.get("track", []):
            if start and iso_day(segment[-1][2]) < start:
                continue
            if len(segment) >= 2:
                when = iso_day(segment[0][2])
                label = f"{name} (score {row['score']})"
                coords = [(lat, lon) for lat, lon, _ in segment]
                features.append(shapes.feature(shapes.line(coords), "track", label, ref=ref, time=when))
        for ev in row.get("events", []):
            if ev.get("lat") is None or ev.get("lon") is None or (start and (ev["start"] or "")[:10] < start):
                continue
            label = f"{name}: {ev['summary']}"
            features.append(
                shapes.feature(shapes.point(ev["lat"], ev["lon"]), "event", label, ref=ref, time=ev["start"])
            )
    return features


def iso_day(epoch: int) -> str:
    """The UTC day of an epoch second, as ISO text."""
    return datetime.fromtimestamp(epoch, tz=UTC).date().isoformat()


def _hotspot_features(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One map point per hot place. Gi* sums a cell's ring, so the empty cells around a busy one test hot
    too, each named after the same nearest place ("Kos: persistent hot spot (0)" several times): the hot
    cells of one name are one hotspot, drawn at its cell with the most events around it, its count the
    events in that cell and its ring (the hotspots page lists every hot cell)."""
    best: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["hotspot"] != "hot":
            continue
        name = str(row.get("name") or row["cell"])
        rank = (row.get("neighbourhood_count") or 0, row.get("count") or 0, row.get("z") or 0.0)
        held = best.get(name)
        if held is None or rank > (
            held.get("neighbourhood_count") or 0,
            held.get("count") or 0,
            held.get("z") or 0.0,
        ):
            best[name] = row
    features = []
    for name, row in best.items():
        pattern = str(row.get("pattern") or "")
        emerging = any(w in pattern for w in ("new", "intensifying", "emerging"))
        features.append(
            shapes.feature(
                shapes.point(row["lat"], row["lon"]),
                "emerging_hotspot" if emerging else "hotspot",
                f"{name}: {pattern or 'hot spot'}",
                count=row.get("neighbourhood_count") or row.get("count"),
                ref=row["cell"],
            )
        )
    return features


@page("/map", "map.html", "Map")
def map_view(
    request: Request,
    layers: Annotated[
        str, Query(max_length=100, description="Comma-separated: hotspots, routes, events, vessels.")
    ] = ("hotspots,routes,events"),
    days: Annotated[int | None, Query(ge=1, le=3650, description="Only the last N days of the data.")] = None,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of hotspots (and emerging ones), routes (legs) and events."""
    wanted = [layer.strip() for layer in layers.split(",") if layer.strip()]
    unknown = [layer for layer in wanted if layer not in MAP_LAYERS]
    if unknown:
        raise BadInput(f"unknown map layer {unknown[0]!r}: use {', '.join(MAP_LAYERS)}")
    features: list[dict[str, Any]] = []
    with hub_context(request, _what(request)) as ctx:
        drawn = hub_map(ctx, "events" in wanted, "routes" in wanted, "hotspots" in wanted)
    points, found_legs = drawn.events, drawn.legs
    start = shapes.since([p.at for p in points] + [leg.departed_at for leg in found_legs], days)
    if "hotspots" in wanted:
        features += _hotspot_features(drawn.hotspots)
    if "routes" in wanted:
        for leg in found_legs:
            if start and (not leg.departed_at or leg.departed_at[:10] < start):
                continue
            label = f"{leg.from_place or '?'} → {leg.to_place or '?'}"
            features.append(
                shapes.feature(
                    shapes.line([(leg.from_lat, leg.from_lon), (leg.to_lat, leg.to_lon)]),
                    "route",
                    label,
                    ref=leg.uid,
                    time=leg.departed_at,
                )
            )
    if "events" in wanted:
        for p in points:
            if start and (not p.at or p.at[:10] < start):
                continue
            label = " · ".join(x for x in (p.event_type, p.place_name or p.place) if x) or "event"
            features.append(shapes.feature(shapes.point(p.lat, p.lon), "event", label, ref=p.uid, time=p.at))
    if "vessels" in wanted:
        with hub_context(request, _what(request)) as ctx:
            vessels = hub_vessels(ctx, tracks_for=MAP_TRACKS)["vessels"][:MAP_TRACKS]
        features += _vessel_features(vessels, start)
    return {
        "type": "FeatureCollection",
        "features": features,
        "layers": wanted,
        "since": start,
        "served": drawn.served,  # how current: as of when, across additions or not
    }


# --- vessels -----------------------------------------------------------------------------------------


@page("/vessels", "vessels.html", "Vessels of interest")
def vessels_view(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """Vessels of interest from the AIS and vessel records you may see, best first, each with why."""
    with hub_context(request, _what(request)) as ctx:
        picture = hub_vessels(ctx)
    return {
        "positions": picture["positions"],
        "vessels_tracked": picture["vessels_tracked"],
        "contributions": picture["contributions"],
        "withheld_contributions": picture["withheld_contributions"],
        "events": picture["events"],
        "thresholds": picture["thresholds"],
        "vessels": [
            {k: v for k, v in row.items() if k not in ("events", "voyages")}
            | {"event_count": len(row["events"])}
            for row in picture["vessels"][:limit]
        ],
        "listed": len(picture["vessels"]),
    }


@page("/vessels/{mmsi}", "vessel.html", "Vessel")
def vessel_view(request: Request, mmsi: Annotated[int, Path(ge=1, le=999_999_999)]) -> dict[str, Any]:
    """One vessel: why it is listed, its identities over time, its behaviour events, its track."""
    with hub_context(request, _what(request)) as ctx:
        try:
            return hub_vessel(ctx, mmsi)
        except VesselNotFound as exc:
            raise not_found(str(exc)) from None


def vessel_map(request: Request, mmsi: Annotated[int, Path(ge=1, le=999_999_999)]) -> dict[str, Any]:
    """One vessel's track and events as GeoJSON (map widget)."""
    data = vessel_view(request, mmsi)
    row = {"mmsi": mmsi, "name": next((s["name"] for s in data["static"] if s["name"]), None)}
    features = _vessel_features(
        [row | {"score": data["score"], "track": data["track"], "events": data["events"]}], None
    )
    return {"type": "FeatureCollection", "features": features, "layers": ["vessels"], "since": None}


# --- notifications, watchlists, alerts ---------------------------------------------------------------


@page("/notifications", "notifications.html", "Notifications")
def notifications_view(request: Request, unread: bool = False) -> dict[str, Any]:
    """Your agency's notifications, newest first."""
    with hub_context(request, _what(request)) as ctx:
        return {"items": [_note(n) for n in inbox(ctx, unread)]}


@page("/watchlists", "watchlists.html", "Watchlists")
def watchlists_view(request: Request) -> dict[str, Any]:
    """Your agency's watchlists and their entries."""
    with hub_context(request, _what(request)) as ctx:
        try:
            found = wl.watchlists(ctx)
        except wl.WatchlistError as exc:
            raise BadInput(str(exc)) from None
    return {
        "items": [
            {
                **{k: shapes.iso(v) for k, v in asdict(w).items()},
                "entries": [{k: shapes.iso(v) for k, v in asdict(e).items()} for e in entries],
            }
            for w, entries in found
        ],
        "kinds": list(wl.ENTRY_KINDS),
    }


@page("/alerts", "alerts.html", "Alerts")
def alerts_view(request: Request, unacknowledged: bool = False) -> dict[str, Any]:
    """Alerts raised on your agency's watchlists, as you may see them."""
    with hub_context(request, _what(request)) as ctx:
        found = wl.alerts(ctx, unacknowledged)
    return {"items": [a.as_dict() for a in found]}


# --- data protection ----------------------------------------------------------------------------------


@page("/consent", "consent.html", "Consent")
def consent_view(request: Request) -> dict[str, Any]:
    """Consent requests your agency made or must decide on."""
    with hub_context(request, _what(request)) as ctx:
        found = consent.requests_for(ctx)
        agency = ctx.viewer.agency
    return {"agency": agency, "items": [{k: shapes.iso(v) for k, v in asdict(r).items()} for r in found]}


OVERSIGHT: Purpose = "oversight"


@page("/retention", "retention.html", "Retention")
def retention_view(
    request: Request, agency: Annotated[str | None, Query(max_length=40)] = None
) -> dict[str, Any]:
    """Records whose retention review is due (metadata only)."""
    with hub_context(request, _what(request), purpose=OVERSIGHT) as ctx:
        rows = retention.due(ctx, None, agency)
    return {
        "items": [{k: shapes.iso(v) for k, v in asdict(r).items()} for r in rows[:1000]],
        "due": len(rows),
    }


@page("/audit", "audit.html", "Audit trail")
def audit_view(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    action: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    """The latest audit entries, newest first (the data-protection officer's view), and the chain's state."""
    with hub_context(request, _what(request), purpose=OVERSIGHT) as ctx:
        rows = list(oversight.entries(ctx, limit, action))
        checked = oversight.verify(ctx) if ctx.viewer.roles & {"dpo", "supervisor", "admin"} else None
    return {
        "items": [{k: shapes.iso(v) for k, v in row.items()} for row in rows],
        "verified": None
        if checked is None
        else {"ok": checked.ok, "checked": checked.checked, "problem": checked.problem},
    }


@page("/stats", "stats.html", "What the hub holds")
def stats_view(request: Request) -> dict[str, Any]:
    """Counts by kind, agency, handling code and category, of what you may see."""
    with hub_context(request, _what(request)) as ctx:
        return Repository(ctx).stats()


@page("/dashboard", "dashboard.html", "Dashboard")
def dashboard_view(request: Request) -> dict[str, Any]:
    """What arrived, new hits, alerts and notifications; the last 30 days on the map (widget)."""
    with hub_context(request, _what(request)) as ctx:
        notes = inbox(ctx, unread_only=True, limit=50)
        found = wl.alerts(ctx, True, limit=20) if ctx.viewer.roles & {"analyst", "supervisor"} else []
        scope, params = ("", []) if ctx.viewer.is_hub else (" WHERE agency = ?", [ctx.viewer.agency])
        uids = [
            r[0]
            for r in ctx.store.con.execute(
                f"SELECT uid FROM contributions{scope} ORDER BY received_at DESC, uid LIMIT 10", params
            ).fetchall()
        ]
        repo = Repository(ctx)
        arrived = [c for uid in uids if (c := repo.contribution(uid)) is not None]
        user, agency, roles = ctx.viewer.user, ctx.viewer.agency, sorted(ctx.viewer.roles)
    for c in arrived:
        c.pop("problems", None)
        c.pop("files", None)
    return {
        "user": user,
        "agency": agency,
        "roles": roles,
        "arrived": arrived,
        "hits": [_note(n) for n in notes if n.kind == "hit"][:20],
        "notifications": [_note(n) for n in notes if n.kind != "hit"][:20],
        "unread": len(notes),
        "alerts": [a.as_dict() for a in found],
    }


#: JSON-only routes that return data (each also swept by the leak test).
DATA_ROUTES: list[tuple[str, Callable[..., dict[str, Any]]]] = [
    ("/entities/{entity_id}/graph", entity_graph),
    ("/entities/{entity_id}/timeline", entity_timeline),
    ("/entities/{entity_id}/places", entity_places),
    ("/networks/chart", networks_chart),
    ("/networks/{network_id}/graph", network_graph),
    ("/networks/{network_id}/chart", network_chart),
    ("/vessels/{mmsi}/map", vessel_map),
]
