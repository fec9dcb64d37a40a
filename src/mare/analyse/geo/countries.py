"""Point-in-country on Natural Earth 10 m polygons, with a flagged nearest-coast fallback."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from mare.analyse.geo.atlas import CountryShape, load_countries
from mare.analyse.geo.geodesy import haversine_km
from mare.analyse.geo.tables import read_table

#: Default reach of the nearest-coast fallback. Natural Earth 10 m drops islets under a few
#: hundred metres and generalises coasts by up to ~1 km; 5 km catches those without claiming
#: open sea for a country (territorial waters are 22 km, but a boat 20 km out is "at sea").
COAST_FALLBACK_KM = 5.0


@dataclass(frozen=True)
class CountryHit:
    """Which country a point falls in, and how that was decided."""

    alpha2: str
    name: str
    method: str  # "polygon" | "nearest-coast" | "none"
    distance_km: float = 0.0

    @property
    def found(self) -> bool:
        """True when a country was assigned."""
        return self.method != "none"


NO_COUNTRY = CountryHit("", "", "none", float("nan"))
#: `locate` owner codes at or below this mark an islet from data/islands.csv (ISLAND_BASE - row)
ISLAND_BASE = -2


class CountryIndex:
    """Country polygons split into parts in an STR-tree, for fast point-in-country queries."""

    def __init__(self, shapes: tuple[CountryShape, ...]) -> None:
        """Index every polygon part of every shape."""
        self.shapes = shapes
        parts: list[shapely.Geometry] = []
        owners: list[int] = []
        for position, shape in enumerate(shapes):
            for part in shapely.get_parts(shape.geometry):
                if isinstance(part, shapely.Polygon):
                    parts.append(part)
                    owners.append(position)
        self._parts = np.asarray(parts, dtype=object)
        self._owners = np.asarray(owners, dtype=np.int64)
        self._tree = shapely.STRtree(self._parts)
        islands = read_table("islands")
        self._island_rows = [
            (float(row["lat"]), float(row["lon"]), float(row["radius_km"]), row["alpha2"]) for row in islands
        ]
        self._island_names = [r["name"] for r in islands]

    def describe(self, owner: int, distance: float) -> CountryHit:
        """The CountryHit for one `locate` result."""
        if owner <= ISLAND_BASE:
            number = ISLAND_BASE - owner
            return CountryHit(self._island_rows[number][3], self._island_names[number], "island-table", 0.0)
        if owner < 0:
            return NO_COUNTRY
        shape = self.shapes[owner]
        method = "polygon" if distance == 0.0 else "nearest-coast"
        return CountryHit(shape.alpha2, shape.name, method, float(distance))

    def locate(
        self, lat: ArrayLike, lon: ArrayLike, coast_km: float = COAST_FALLBACK_KM
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Index into `shapes` (-1 none, <= ISLAND_BASE an islet) and km to it (0 inside) per point."""
        lat_a, lon_a = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
        points = shapely.points(lon_a, lat_a)
        owner = np.full(len(points), -1, dtype=np.int64)
        distance = np.full(len(points), np.nan)
        valid = np.isfinite(lat_a) & np.isfinite(lon_a)
        # the polygons are the query side: shapely prepares each query geometry once, so this
        # is ~50x faster than testing each point against big unprepared coastlines
        part_idx, point_idx = shapely.STRtree(points[valid]).query(self._parts, predicate="intersects")
        valid_positions = np.flatnonzero(valid)
        owner[valid_positions[point_idx]] = self._owners[part_idx]
        distance[valid_positions[point_idx]] = 0.0
        self._islands(lat_a, lon_a, valid & (owner == -1), owner, distance)
        if coast_km > 0:
            self._fallback(lat_a, lon_a, valid & (owner == -1), coast_km, owner, distance)
        return owner, distance

    def _islands(
        self,
        lat: NDArray[np.float64],
        lon: NDArray[np.float64],
        missing: NDArray[np.bool_],
        owner: NDArray[np.int64],
        distance: NDArray[np.float64],
    ) -> None:
        """Points on islets that Natural Earth 10 m leaves out (data/islands.csv), flagged -2-k."""
        positions = np.flatnonzero(missing)
        for number, (i_lat, i_lon, radius, _) in enumerate(self._island_rows):
            if not len(positions):
                return
            km = haversine_km(lat[positions], lon[positions], i_lat, i_lon)
            inside = km <= radius
            owner[positions[inside]] = ISLAND_BASE - number
            distance[positions[inside]] = 0.0
            positions = positions[~inside]

    def _fallback(
        self,
        lat: NDArray[np.float64],
        lon: NDArray[np.float64],
        missing: NDArray[np.bool_],
        coast_km: float,
        owner: NDArray[np.int64],
        distance: NDArray[np.float64],
    ) -> None:
        """Assign points outside every polygon to the nearest part within `coast_km`."""
        positions = np.flatnonzero(missing)
        if not len(positions):
            return
        # degrees of latitude are ~111 km; longitude degrees are shorter, so this over-reaches
        # and the exact great-circle check below decides.
        widest = min(80.0, float(np.nanmax(np.abs(lat[positions]))))
        reach = coast_km / 111.0 / max(float(np.cos(np.radians(widest))), 0.1)
        candidates = shapely.points(lon[positions], lat[positions])
        tree = shapely.STRtree(candidates)
        part_idx, point_idx = tree.query(self._parts, predicate="dwithin", distance=reach)
        if not len(point_idx):
            return
        near = shapely.shortest_line(candidates[point_idx], self._parts[part_idx])
        ends = shapely.get_coordinates(shapely.get_point(near, 1))
        km = haversine_km(lat[positions][point_idx], lon[positions][point_idx], ends[:, 1], ends[:, 0])
        order = np.lexsort((km, point_idx))  # nearest part first for each point
        point_idx, part_idx, km = point_idx[order], part_idx[order], km[order]
        first = np.r_[True, point_idx[1:] != point_idx[:-1]]
        keep = first & (km <= coast_km)
        owner[positions[point_idx[keep]]] = self._owners[part_idx[keep]]
        distance[positions[point_idx[keep]]] = km[keep]

    def hit(self, lat: float, lon: float, coast_km: float = COAST_FALLBACK_KM) -> CountryHit:
        """The country a single point falls in (see `countries_of` for arrays)."""
        owner, distance = self.locate([lat], [lon], coast_km)
        return self.describe(int(owner[0]), float(distance[0]))

    def alpha2(self, lat: ArrayLike, lon: ArrayLike, coast_km: float = COAST_FALLBACK_KM) -> NDArray[np.str_]:
        """ISO alpha-2 per point (\"\" at sea or in unassigned areas)."""
        owner, _ = self.locate(lat, lon, coast_km)
        names = [shape.alpha2 for shape in self.shapes] + [""] + [row[3] for row in self._island_rows]
        codes = np.asarray(names, dtype="<U2")
        offset = np.where(owner == -1, 0, 1 + ISLAND_BASE - owner)
        lookup = np.where(owner >= 0, owner, len(self.shapes) + offset)
        return codes[lookup]


@lru_cache(maxsize=1)
def country_index() -> CountryIndex:
    """The shared index over the installed Natural Earth countries (built once per process)."""
    return CountryIndex(load_countries())


def country_at(lat: float, lon: float, coast_km: float = COAST_FALLBACK_KM) -> CountryHit:
    """Country of one point: polygon first, then the nearest coast within `coast_km` (flagged)."""
    return country_index().hit(lat, lon, coast_km)


def countries_of(lat: ArrayLike, lon: ArrayLike, coast_km: float = COAST_FALLBACK_KM) -> NDArray[np.str_]:
    """ISO alpha-2 for many points at once (\"\" where none)."""
    return country_index().alpha2(lat, lon, coast_km)
