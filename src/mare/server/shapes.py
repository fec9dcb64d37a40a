"""The JSON shapes the browser widgets read: network graph, GeoJSON map, timeline, chart.

They are fixed by the contract with the widgets (docs/web.md); pydantic models document them in the
OpenAPI description and check what the server sends.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from mare.analyse.network.graph import Network


class GraphNode(BaseModel):
    """One person: label, cell, assessed role, key-player score (0-1), first and last seen."""

    id: str
    label: str
    cell: str | None
    role: str | None
    score: float
    first_seen: str | None
    last_seen: str | None


class GraphEdge(BaseModel):
    """One tie: strength, the kinds of observation behind it, first and last seen."""

    source: str
    target: str
    weight: float
    kinds: list[str]
    first: str | None
    last: str | None


class Graph(BaseModel):
    """A network for the network widget."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]


class TimelineItem(BaseModel):
    """One dated thing."""

    time: str
    label: str
    kind: str
    ref: str | None


class Timeline(BaseModel):
    """Items for the timeline widget, oldest first."""

    items: list[TimelineItem]


class Series(BaseModel):
    """One named series of a chart."""

    name: str
    values: list[float | int | None]


class Chart(BaseModel):
    """A bar or line chart."""

    type: Literal["bar", "line"]
    title: str
    x: list[str | int | float]
    series: list[Series]


def graph(net: Network, report: dict[str, Any] | None = None) -> dict[str, Any]:
    """The network as nodes and edges; cells, roles and scores from the analysis report, when given."""
    rows = {row["id"]: row for row in (report or {}).get("nodes", [])}
    top = max((float(r.get("pagerank") or 0.0) for r in rows.values()), default=0.0) or 1.0
    seen: dict[str, list[str]] = defaultdict(list)
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    times: dict[tuple[str, str], list[str]] = defaultdict(list)
    index = net.index()
    for tie in net.meta.get("ties", []):
        if tie.source not in index or tie.target not in index:
            continue
        pair = (tie.source, tie.target) if tie.source <= tie.target else (tie.target, tie.source)
        kinds[pair].add(tie.kind)
        if tie.at:
            times[pair].append(tie.at)
            seen[tie.source].append(tie.at)
            seen[tie.target].append(tie.at)
    nodes = []
    for node in net.ids:
        row, attrs = rows.get(node, {}), net.attrs.get(node, {})
        dates = sorted(seen.get(node, []))
        nodes.append(
            {
                "id": node,
                "label": str(attrs.get("label") or node),
                "cell": None if row.get("cell") is None else str(row["cell"]),
                "role": row.get("assessed_role") or attrs.get("role"),
                "score": round(float(row.get("pagerank") or 0.0) / top, 4),
                "first_seen": dates[0] if dates else None,
                "last_seen": dates[-1] if dates else None,
            }
        )
    edges = []
    for s, t, w in zip(net.src.tolist(), net.dst.tolist(), net.weight.tolist(), strict=True):
        a, b = net.ids[s], net.ids[t]
        pair = (a, b) if a <= b else (b, a)
        stamps = sorted(times.get(pair, []))
        edges.append(
            {
                "source": a,
                "target": b,
                "weight": float(w),
                "kinds": sorted(kinds.get(pair, set())),
                "first": stamps[0] if stamps else None,
                "last": stamps[-1] if stamps else None,
            }
        )
    return {"nodes": nodes, "edges": edges}


def timeline(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """An entity's timeline (`hub.entity`: at, what, record, label) as widget items."""
    return {
        "items": [
            {
                "time": str(e["at"]),
                "label": f"{e['what']}: {e['label']}" if e.get("label") else str(e["what"]),
                "kind": str(e["what"]),
                "ref": e.get("record"),
            }
            for e in entries
        ]
    }


def feature(geometry: dict[str, Any], kind: str, label: str, **props: Any) -> dict[str, Any]:
    """One GeoJSON feature with the widget's properties."""
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "kind": kind,
            "label": label,
            "count": props.get("count"),
            "ref": props.get("ref"),
            "time": props.get("time"),
        },
    }


def point(lat: float, lon: float) -> dict[str, Any]:
    """A GeoJSON point (lon, lat order)."""
    return {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}


def line(coordinates: list[tuple[float, float]]) -> dict[str, Any]:
    """A GeoJSON line from (lat, lon) pairs."""
    return {"type": "LineString", "coordinates": [[round(lon, 5), round(lat, 5)] for lat, lon in coordinates]}


def since(times: list[str | None], days: int | None) -> str | None:
    """The first day of the last `days` days of the data (counted back from its newest date), or None."""
    if not days:
        return None
    last = max((t[:10] for t in times if t), default=None)  # the newest day (not a sort of them all)
    if last is None:
        return None
    try:
        newest = date.fromisoformat(last)
    except ValueError:
        return None
    return (newest - timedelta(days=days)).isoformat()


def iso(value: Any) -> str | None:
    """A date or time as ISO text (None stays None)."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date | datetime) else str(value)
