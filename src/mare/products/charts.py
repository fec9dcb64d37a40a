"""Charts for reports, drawn offline with matplotlib (Agg) and embedded as data: URIs.

Nothing is fetched: bar and line charts are SVG (text drawn as paths, so no font is needed where the
report is opened); the network chart (networkx Kamada-Kawai layout, or a seeded spring layout for large
or disconnected networks; nodes coloured by assessed role, labels placed without overlap) and the map
(points and lines over the Natural Earth country outlines of the world-atlas package that
`mare.analyse.geo.atlas` loads) are PNG. A chart that cannot be drawn raises `ChartError` with why.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure as MplFigure

#: Colours by assessed role (network chart) and a neutral palette for series.
ROLE_COLOURS = {
    "leader": "#b2182b",
    "organiser": "#ef8a62",
    "facilitator": "#4393c3",
    "member": "#92c5de",
    "peripheral": "#d9d9d9",
}
PALETTE = ("#2166ac", "#b2182b", "#1b7837", "#762a83", "#e08214", "#4d4d4d")
plt.rcParams.update({"svg.fonttype": "path", "font.size": 9, "font.family": "DejaVu Sans"})


class ChartError(ValueError):
    """A chart that cannot be drawn, with why."""


def _uri(fig: MplFigure, fmt: str) -> str:
    buffer = io.BytesIO()
    fig.savefig(
        buffer, format=fmt, bbox_inches="tight", dpi=150, metadata={"Date": None} if fmt == "svg" else {}
    )
    plt.close(fig)
    mime = "image/svg+xml" if fmt == "svg" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


def bar_chart(values: Mapping[str, float], title: str, xlabel: str = "", top: int = 15) -> str:
    """Horizontal bars of the `top` largest values, largest on top (SVG data URI)."""
    items = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    if not items:
        raise ChartError(f"{title}: nothing to chart")
    labels = [str(k) for k, _ in reversed(items)]
    fig, ax = plt.subplots(figsize=(6.2, 0.3 * len(items) + 0.9))
    ax.barh(labels, [v for _, v in reversed(items)], color=PALETTE[0])
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    return _uri(fig, "svg")


def line_chart(series: Mapping[str, Mapping[str, float]], title: str, ylabel: str = "") -> str:
    """One line per series over shared period labels (sorted), up to six series (SVG data URI)."""
    periods = sorted({p for points in series.values() for p in points})
    if not periods:
        raise ChartError(f"{title}: nothing to chart")
    fig, ax = plt.subplots(figsize=(6.2, 2.8))
    for colour, (name, points) in zip(PALETTE, list(series.items())[: len(PALETTE)], strict=False):
        ax.plot(periods, [points.get(p, 0) for p in periods], marker="o", ms=3, color=colour, label=name)
    ax.set_title(title, loc="left")
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    if len(periods) > 8:
        step = max(1, len(periods) // 8)
        ax.set_xticks(range(0, len(periods), step), [periods[i] for i in range(0, len(periods), step)])
    ax.tick_params(axis="x", labelrotation=30)
    if len(series) > 1:
        ax.legend(fontsize=7, frameon=False)
    return _uri(fig, "svg")


def network_chart(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    roles: Mapping[str, str],
    labels: Mapping[str, str],
    title: str,
    seed: int = 1,
) -> str:
    """The network: spring layout (seeded), nodes coloured by assessed role, leaders and organisers
    named, their labels placed around their nodes so that they do not overlap (PNG data URI)."""
    import networkx as nx

    if not nodes:
        raise ChartError(f"{title}: the network has no one in it")
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((a, b) for a, b in edges if a in graph and b in graph and a != b)
    # Kamada-Kawai spreads a dense core and its periphery evenly (spring layouts pack the core into a
    # blot with the periphery far out); seeded spring layout for large or disconnected networks.
    if len(nodes) <= 300 and nx.is_connected(graph):
        pos = nx.kamada_kawai_layout(graph)
    else:
        pos = nx.spring_layout(graph, seed=seed, k=1.5 / max(1, len(nodes)) ** 0.5)
    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color="#bbbbbb", width=0.6)
    for role, colour in ROLE_COLOURS.items():
        chosen = [n for n in nodes if roles.get(n, "member") == role]
        if chosen:
            size = 160 if role == "leader" else 90 if role == "organiser" else 35
            nx.draw_networkx_nodes(
                graph, pos, nodelist=chosen, node_color=colour, node_size=size, ax=ax, label=role
            )
    order = sorted(
        (n for n in nodes if roles.get(n) in ("leader", "organiser")),
        key=lambda n: (roles.get(n) != "leader", str(labels.get(n, n))),
    )
    ax.set_title(title, loc="left")
    place_labels(fig, ax, [(pos[n], str(labels.get(n, n))) for n in order])
    ax.legend(fontsize=7, frameon=False, loc="lower left", markerscale=0.7)
    ax.set_axis_off()
    return _uri(fig, "png")


#: Where a label may go around its point (offsets in points), tried in this order.
LABEL_OFFSETS = ((0, 7), (0, -8), (9, 0), (-9, 0), (8, 7), (-8, 7), (8, -8), (-8, -8), (0, 15), (0, -16),
                 (16, 0), (-16, 0), (14, 13), (-14, 13), (14, -14), (-14, -14))  # fmt: skip


def place_labels(fig: MplFigure, ax: Any, points: Sequence[tuple[Any, str]], size: float = 6) -> None:
    """Label points without overlap where possible: each label (most important first) takes the first
    offset around its point whose box overlaps no label placed before, else the one overlapping least."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    placed: list[Any] = []
    style = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8}
    for xy, text in points:
        best: tuple[float, Any] | None = None
        for dx, dy in LABEL_OFFSETS:
            label = ax.annotate(text, xy=xy, xytext=(dx, dy), textcoords="offset points", fontsize=size,
                                ha="center", va="center", bbox=style)  # fmt: skip
            box = label.get_window_extent(renderer)
            overlap = sum(
                max(0.0, min(box.x1, o.x1) - max(box.x0, o.x0))
                * max(0.0, min(box.y1, o.y1) - max(box.y0, o.y0))
                for o in placed
            )
            if best is None or overlap < best[0]:
                if best is not None:
                    best[1].remove()
                best = (overlap, label)
            else:
                label.remove()
            if overlap == 0:
                break
        if best is not None:
            placed.append(best[1].get_window_extent(renderer))


def map_figure(
    points: Sequence[tuple[float, float, str]],
    lines: Sequence[tuple[float, float, float, float]],
    title: str,
) -> str:
    """Points (lat, lon, label) and lines (lat1, lon1, lat2, lon2) over the country outlines of the
    area they cover (PNG data URI). Raises `ChartError` when the outlines are not installed."""
    from mare.analyse.geo.atlas import AtlasMissing, load_countries

    lats = [p[0] for p in points] + [c for line in lines for c in (line[0], line[2])]
    lons = [p[1] for p in points] + [c for line in lines for c in (line[1], line[3])]
    if not lats:
        raise ChartError(f"{title}: no located point to map")
    try:
        countries = load_countries()
    except AtlasMissing as exc:
        raise ChartError(f"{title}: {exc}") from None
    import shapely
    from shapely.geometry import box

    pad = max(2.0, 0.1 * max(max(lats) - min(lats), max(lons) - min(lons)))
    south, north = max(-89.0, min(lats) - pad), min(89.0, max(lats) + pad)
    west, east = max(-180.0, min(lons) - pad), min(180.0, max(lons) + pad)
    frame = box(west, south, east, north)
    tolerance = max(east - west, north - south) / 600
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for shape in countries:
        if not shape.geometry.intersects(frame):
            continue
        try:
            part = shapely.clip_by_rect(shape.geometry, west, south, east, north).simplify(tolerance)
        except shapely.errors.GEOSException:  # an invalid outline: leave that country out
            continue
        for polygon in getattr(part, "geoms", [part]):
            exterior: Any = getattr(polygon, "exterior", None)
            if exterior is not None:
                xs, ys = exterior.xy
                ax.fill(xs, ys, facecolor="#f0f0f0", edgecolor="#9e9e9e", linewidth=0.4)
    for lat1, lon1, lat2, lon2 in lines:
        ax.plot([lon1, lon2], [lat1, lat2], color=PALETTE[0], linewidth=0.7, alpha=0.6)
    if points:
        ax.scatter([p[1] for p in points], [p[0] for p in points], s=14, color=PALETTE[1], zorder=3)
        for lat, lon, label in points[:12]:
            if label:
                ax.annotate(label, (lon, lat), fontsize=6, xytext=(3, 3), textcoords="offset points")
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.set_title(title, loc="left")
    ax.set_xticks([])
    ax.set_yticks([])
    return _uri(fig, "png")
