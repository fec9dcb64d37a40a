"""Route zones (data/route_zones.csv): which route a place belongs to, by where it lies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from mare.analyse.geo.coast import coastline
from mare.analyse.geo.countries import country_index
from mare.analyse.geo.tables import read_table

UNKNOWN = "other/unknown"
ROUTES = (
    "Western African",
    "Western Mediterranean",
    "Central Mediterranean",
    "Eastern Mediterranean",
    "Western Balkans",
    "Eastern land borders",
    "Nordic/Arctic",
    "Black Sea",
    "Channel",
    UNKNOWN,
)
#: Land this close to the coastline counts as coast: departure beaches, port towns and the
#: camps behind them (Grande-Synthe is 5 km inland, Sfax's suburbs 10-15 km).
COAST_STRIP_KM = 25.0
WHERE = ("sea", "coast", "land", "any")
_BOX = re.compile(r"^BOX\(\s*([-\d.]+)\s+([-\d.]+)\s*,\s*([-\d.]+)\s+([-\d.]+)\s*\)$")


@dataclass(frozen=True)
class Zone:
    """One route zone: a shape, which kind of place in it counts, and its route."""

    name: str
    route: str
    where: str
    countries: frozenset[str]
    priority: int
    shape: shapely.Geometry
    note: str


def parse_shape(text: str) -> shapely.Geometry:
    """A polygon from `BOX(lon_min lat_min, lon_max lat_max)` or WKT."""
    match = _BOX.match(text.strip())
    if match:
        x0, y0, x1, y1 = (float(v) for v in match.groups())
        return shapely.box(x0, y0, x1, y1)
    return shapely.from_wkt(text)


@lru_cache(maxsize=1)
def route_zones() -> tuple[Zone, ...]:
    """All zones, highest priority first (validated: known route, known `where`)."""
    zones = []
    for row in read_table("route_zones"):
        if row["route"] not in ROUTES or row["where"] not in WHERE:
            raise ValueError(f"route_zones.csv: bad route or where in zone {row['zone']!r}")
        zones.append(
            Zone(
                name=row["zone"],
                route=row["route"],
                where=row["where"],
                countries=frozenset(row["countries"].split()),
                priority=int(row["priority"]),
                shape=parse_shape(row["shape"]),
                note=row["note"],
            )
        )
    return tuple(sorted(zones, key=lambda z: -z.priority))


def route_zones_by_name() -> dict[str, Zone]:
    """Zones keyed by their name."""
    return {zone.name: zone for zone in route_zones()}


@dataclass(frozen=True)
class PlaceFacts:
    """What the zone rules need to know about points: country, at sea, distance to coast."""

    alpha2: NDArray[np.str_]
    at_sea: NDArray[np.bool_]
    coast_km: NDArray[np.float64]


def place_facts(lat: ArrayLike, lon: ArrayLike) -> PlaceFacts:
    """Country (polygon or listed islet, no coast fallback), at-sea flag and km to the coastline."""
    lat_a, lon_a = np.asarray(lat, float), np.asarray(lon, float)
    index = country_index()
    owner, _ = index.locate(lat_a, lon_a, coast_km=0.0)
    alpha2 = index.alpha2(lat_a, lon_a, coast_km=0.0)
    at_sea = (owner == -1) & np.isfinite(lat_a) & np.isfinite(lon_a)
    coast_km = coastline().distance_km(lat_a, lon_a, COAST_STRIP_KM)
    coast_km = np.where(at_sea & ~np.isfinite(coast_km), np.inf, coast_km)
    return PlaceFacts(alpha2, at_sea, coast_km)


def zone_of(lat: ArrayLike, lon: ArrayLike, facts: PlaceFacts | None = None) -> NDArray[np.int64]:
    """Index into `route_zones()` per point, -1 where no zone holds it."""
    lat_a, lon_a = np.asarray(lat, float), np.asarray(lon, float)
    facts = facts or place_facts(lat_a, lon_a)
    out = np.full(len(lat_a), -1, dtype=np.int64)
    on_coast = facts.at_sea | (facts.coast_km <= COAST_STRIP_KM)
    for number, zone in enumerate(route_zones()):
        free = out < 0
        if not free.any():
            break
        inside = free & shapely.contains_xy(zone.shape, lon_a, lat_a)
        if zone.where == "sea":
            inside &= facts.at_sea
        elif zone.where == "coast":
            inside &= on_coast
        elif zone.where == "land":
            inside &= ~facts.at_sea
        if zone.countries:
            inside &= np.isin(facts.alpha2, list(zone.countries))
        out[inside] = number
    return out
