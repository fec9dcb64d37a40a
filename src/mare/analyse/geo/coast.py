"""Distance to the coastline, from Natural Earth 10 m land (world-atlas land-10m.json)."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from mare.analyse.geo.atlas import find_atlas
from mare.analyse.geo.geodesy import haversine_km
from mare.analyse.geo.topojson import features

_SEGMENT = 256  # vertices per coastline piece: small pieces keep the tree's boxes tight


class Coastline:
    """Coastline pieces (land outlines) in an STR-tree, for distance-to-coast queries."""

    def __init__(self, land: shapely.Geometry) -> None:
        """Cut every ring of the land polygons into short pieces."""
        pieces: list[shapely.LineString] = []
        for polygon in shapely.get_parts(land):
            for ring in [polygon.exterior, *polygon.interiors]:
                coords = np.asarray(ring.coords)
                for start in range(0, len(coords) - 1, _SEGMENT):
                    chunk = coords[start : start + _SEGMENT + 1]
                    if len(chunk) >= 2:
                        pieces.append(shapely.LineString(chunk))
        self._pieces = np.asarray(pieces, dtype=object)

    def distance_km(self, lat: ArrayLike, lon: ArrayLike, max_km: float) -> NDArray[np.float64]:
        """Great-circle km from each point to the nearest coastline, inf beyond `max_km`."""
        lat_a, lon_a = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
        out = np.full(len(lat_a), np.inf)
        valid = np.flatnonzero(np.isfinite(lat_a) & np.isfinite(lon_a))
        if not len(valid):
            return out
        widest = min(80.0, float(np.abs(lat_a[valid]).max()))
        reach = max_km / 111.0 / max(float(np.cos(np.radians(widest))), 0.1)
        points = shapely.points(lon_a[valid], lat_a[valid])
        piece_idx, point_idx = shapely.STRtree(points).query(
            self._pieces, predicate="dwithin", distance=reach
        )
        if not len(point_idx):
            return out
        ends = shapely.get_coordinates(
            shapely.get_point(shapely.shortest_line(points[point_idx], self._pieces[piece_idx]), 1)
        )
        km = haversine_km(lat_a[valid][point_idx], lon_a[valid][point_idx], ends[:, 1], ends[:, 0])
        best = np.full(len(valid), np.inf)
        np.minimum.at(best, point_idx, km)
        out[valid] = np.where(best <= max_km, best, np.inf)
        return out


@lru_cache(maxsize=1)
def coastline() -> Coastline:
    """The shared coastline index (land-10m.json beside the countries file; built once)."""
    path = find_atlas().with_name("land-10m.json")
    with path.open(encoding="utf-8") as handle:
        topology = json.load(handle)
    land = [feature.geometry for feature in features(topology, "land")]
    return Coastline(shapely.GeometryCollection(land) if len(land) != 1 else land[0])
