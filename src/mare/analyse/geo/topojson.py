"""A small TopoJSON decoder: quantised, delta-encoded arcs into shapely geometries.

Written here rather than depending on a converter because the format is tiny (arcs, an
optional quantisation transform, arc indexes with one's complement for reversed arcs) and the
only other Python readers pull in large stacks (geopandas/fiona) for one file.
Specification: https://github.com/topojson/topojson-specification
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class TopoFeature:
    """One decoded geometry of a TopoJSON object, with its id and properties."""

    id: str | None
    properties: dict[str, Any]
    geometry: BaseGeometry


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """Absolute lon/lat coordinates of every arc (undoing delta encoding and quantisation)."""
    transform = topology.get("transform")
    arcs: list[np.ndarray] = []
    for arc in topology["arcs"]:
        points = np.asarray(arc, dtype=np.float64).reshape(-1, 2)
        if transform is not None:
            points = np.cumsum(points, axis=0)
            points = points * np.asarray(transform["scale"]) + np.asarray(transform["translate"])
        arcs.append(points)
    return arcs


def _ring(indexes: Sequence[int], arcs: list[np.ndarray]) -> np.ndarray:
    """Stitch the arcs of one ring; a negative index ~i means arc i reversed."""
    parts: list[np.ndarray] = []
    for position, index in enumerate(indexes):
        points = arcs[~index][::-1] if index < 0 else arcs[index]
        parts.append(points if position == 0 else points[1:])
    ring = np.concatenate(parts) if parts else np.empty((0, 2))
    if len(ring) and not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])
    return ring


def _polygon(rings: Sequence[Sequence[int]], arcs: list[np.ndarray]) -> shapely.Polygon | None:
    """A polygon from its rings (first is the shell); None when the shell is degenerate.

    No validity repair: quantisation leaves ~140 of Natural Earth's 4,250 parts with pinched
    rings, and GEOS point-in-polygon (ray crossing) is right on them everywhere but at the pinch,
    while `make_valid` costs seconds and misreads rings that wrap the antimeridian (Russia).
    """
    coords = [_ring(ring, arcs) for ring in rings]
    coords = [ring for ring in coords if len(ring) >= 4]
    if not coords:
        return None
    return shapely.Polygon(coords[0], coords[1:])


def _geometry(obj: dict[str, Any], arcs: list[np.ndarray]) -> BaseGeometry | None:
    """Decode one TopoJSON geometry object (polygons and points; lines are not needed here)."""
    kind = obj.get("type")
    if kind in ("Polygon", "MultiPolygon"):
        groups = [obj["arcs"]] if kind == "Polygon" else obj["arcs"]
        polygons = [p for p in (_polygon(rings, arcs) for rings in groups) if p is not None]
        if not polygons:
            return None
        return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)
    if kind == "Point":
        return shapely.Point(obj["coordinates"])
    return None


def features(topology: dict[str, Any], object_name: str) -> Iterator[TopoFeature]:
    """Decoded features of one named object (a GeometryCollection) of a topology."""
    if topology.get("type") != "Topology" or object_name not in topology.get("objects", {}):
        raise ValueError(f"not a TopoJSON topology with an object named {object_name!r}")
    arcs = decode_arcs(topology)
    collection = topology["objects"][object_name]
    members = collection["geometries"] if collection.get("type") == "GeometryCollection" else [collection]
    for member in members:
        geometry = _geometry(member, arcs)
        if geometry is None or geometry.is_empty:
            continue
        raw_id = member.get("id")
        yield TopoFeature(
            id=None if raw_id is None else str(raw_id),
            properties=dict(member.get("properties") or {}),
            geometry=geometry,
        )
