"""Against reality: IOM Missing Migrants incidents (../shared/data, never copied here).

Routes from coordinates alone must agree with IOM's own label for the European sea routes, and
the hotspots of those incidents must sit where they concentrate. Full tables: docs/validation.md
(regenerate with `uv run python benchmarks/geo.py validate`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from analyse.geo.geo_helpers import IOM_INCIDENTS, needs_atlas, needs_iom
from mare.analyse.geo.geodesy import haversine_km
from mare.analyse.geo.hotspots import find_hotspots
from mare.analyse.geo.routes import classify_points

pytestmark = [pytest.mark.realdata, needs_iom, needs_atlas]

IOM_ROUTES = {
    "Western African Atlantic Route": "Western African",
    "Western Mediterranean Route": "Western Mediterranean",
    "Central Mediterranean Route": "Central Mediterranean",
    "Eastern Mediterranean Route": "Eastern Mediterranean",
}


def _incidents(path: Path = IOM_INCIDENTS) -> tuple[list[str], np.ndarray, np.ndarray]:
    with path.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["route"] in IOM_ROUTES and r["lat"] and r["lon"]]
    return (
        [r["route"] for r in rows],
        np.array([float(r["lat"]) for r in rows]),
        np.array([float(r["lon"]) for r in rows]),
    )


def test_route_from_coordinates_agrees_with_iom_for_each_european_route() -> None:
    labels, lat, lon = _incidents()
    ours = [answer.route for answer in classify_points(lat, lon)]
    for label, route in IOM_ROUTES.items():
        idx = [i for i, lab in enumerate(labels) if lab == label]
        accuracy = sum(ours[i] == route for i in idx) / len(idx)
        assert accuracy >= 0.94, f"{label}: {accuracy:.1%} of {len(idx)} incidents"


KNOWN_CONCENTRATIONS = {
    "Libyan coast west of Tripoli": (32.85, 12.6),
    "Strait of Gibraltar": (35.95, -5.5),
    "Lesvos strait": (39.2, 26.5),
}


def test_top_hotspots_sit_where_the_incidents_concentrate() -> None:
    _, lat, lon = _incidents()
    result = find_hotspots(lat, lon, resolution=5)
    top_areas: dict[int, tuple[float, float]] = {}
    for spot in result.hot():  # strongest first
        top_areas.setdefault(spot.area, (spot.lat, spot.lon))
        if len(top_areas) == 8:
            break
    for name, (p_lat, p_lon) in KNOWN_CONCENTRATIONS.items():
        nearest = min(float(haversine_km(a, b, p_lat, p_lon)) for a, b in top_areas.values())
        assert nearest < 80, f"no top-8 hot area near {name} (nearest {nearest:.0f} km)"
    hot_near_lampedusa = [h for h in result.hot() if haversine_km(h.lat, h.lon, 35.5, 12.6) < 60]
    assert hot_near_lampedusa
