"""Route classification: points by zone, legs by direction, with reasons; curated tables agree."""

from __future__ import annotations

import pytest
import shapely

from analyse.geo.geo_helpers import needs_atlas
from mare.analyse.geo.atlas import load_countries
from mare.analyse.geo.countries import country_at
from mare.analyse.geo.routes import classify_journey, classify_leg, classify_point, classify_points
from mare.analyse.geo.tables import read_table
from mare.analyse.geo.zones import ROUTES, UNKNOWN, route_zones

pytestmark = needs_atlas

POINTS = [
    ("off Lampedusa", 35.40, 12.70, "Central Mediterranean"),
    ("off Zuwara", 33.10, 12.10, "Central Mediterranean"),
    ("off Sfax", 34.60, 11.00, "Central Mediterranean"),
    ("Ionian, off Calabria", 38.20, 16.80, "Central Mediterranean"),
    ("between Lesvos and Ayvalik", 39.25, 26.55, "Eastern Mediterranean"),
    ("south of Crete", 34.60, 24.50, "Eastern Mediterranean"),
    ("Evros, Greek side", 41.30, 26.40, "Eastern Mediterranean"),
    ("Alboran Sea", 35.90, -3.50, "Western Mediterranean"),
    ("Strait of Gibraltar", 35.95, -5.60, "Western Mediterranean"),
    ("off Oran", 35.90, -0.70, "Western Mediterranean"),
    ("off Dakhla", 23.50, -16.50, "Western African"),
    ("El Hierro", 27.75, -18.00, "Western African"),
    ("Belarus forest near Poland", 53.30, 23.95, "Eastern land borders"),
    ("Podlaskie", 53.10, 23.70, "Eastern land borders"),
    ("Salla", 66.83, 28.67, "Nordic/Arctic"),
    ("Black Sea off Constanta", 44.00, 29.50, "Black Sea"),
    ("Strait of Dover", 51.00, 1.50, "Channel"),
    ("Serbia", 44.80, 20.45, "Western Balkans"),
    ("Roszke", 46.18, 19.99, "Western Balkans"),
    ("Paris", 48.85, 2.35, UNKNOWN),
    ("mid-Atlantic", 40.0, -40.0, UNKNOWN),
]


@pytest.mark.parametrize(("name", "lat", "lon", "route"), POINTS, ids=[p[0] for p in POINTS])
def test_points(name: str, lat: float, lon: float, route: str) -> None:
    answer = classify_point(lat, lon)
    assert answer.route == route, f"{name}: {answer}"
    assert answer.reason


def test_vectorised_points_and_missing_coordinates() -> None:
    answers = classify_points([35.45, float("nan")], [12.7, 1.0])
    assert answers[0].route == "Central Mediterranean" and "Pelagie" in answers[0].reason
    assert answers[1] == answers[1].__class__(UNKNOWN, "no coordinates")


LEGS = [
    ("Zuwara -> Lampedusa", (32.93, 12.08), (35.50, 12.60), "Central Mediterranean"),
    ("Tobruk -> Crete", (32.07, 23.96), (35.01, 25.74), "Eastern Mediterranean"),
    ("Ayvalik -> Lesvos", (39.32, 26.69), (39.11, 26.55), "Eastern Mediterranean"),
    ("Turkish Black Sea -> Constanta", (41.30, 31.00), (44.17, 28.64), "Black Sea"),
    ("Edirne -> Kapitan Andreevo", (41.68, 26.56), (41.72, 26.30), "Eastern Mediterranean"),
    ("Mbour -> Gran Canaria", (14.42, -16.96), (27.76, -15.68), "Western African"),
    ("Nador -> Almeria", (35.17, -2.93), (36.84, -2.46), "Western Mediterranean"),
    ("Grodno -> Bialystok", (53.68, 23.83), (53.13, 23.16), "Eastern land borders"),
    ("Murmansk -> Salla", (68.97, 33.07), (66.83, 28.67), "Nordic/Arctic"),
    ("Calais -> Dover", (50.95, 1.86), (51.13, 1.31), "Channel"),
    ("Subotica -> Szeged", (46.10, 19.67), (46.25, 20.15), "Western Balkans"),
    ("Paris -> Berlin", (48.85, 2.35), (52.52, 13.40), UNKNOWN),
]


@pytest.mark.parametrize(("name", "origin", "target", "route"), LEGS, ids=[leg[0] for leg in LEGS])
def test_legs_by_direction(
    name: str, origin: tuple[float, float], target: tuple[float, float], route: str
) -> None:
    answer = classify_leg(*origin, *target)
    assert answer.route == route, f"{name}: {answer}"
    assert "->" in answer.reason and "km heading" in answer.reason


def test_leg_without_a_direction_rule_falls_back_to_the_destination_zone() -> None:
    answer = classify_leg(35.0, 15.0, 35.5, 12.6)  # open sea -> Lampedusa
    assert answer.route == "Central Mediterranean" and "destination" in answer.reason


def test_journey_is_classified_leg_by_leg() -> None:
    legs = classify_journey([(41.12, 22.51), (42.21, 21.70), (46.17, 19.98)])
    assert [leg.route for leg in legs] == ["Western Balkans", "Western Balkans"]
    assert classify_journey([(1.0, 1.0)]) == []


def test_every_curated_place_lies_in_a_zone_of_its_own_route() -> None:
    wrong = []
    for row in read_table("places"):
        answer = classify_point(float(row["lat"]), float(row["lon"]))
        if answer.route != row["route"]:
            wrong.append(
                f"{row['name']}: table says {row['route']}, zones say {answer.route} ({answer.reason})"
            )
    assert wrong == []


def _km_to_country(alpha2: str, lat: float, lon: float) -> float:
    """Rough km from a point to a country's polygons (degrees x 111, fine for a few km)."""
    shapes = [s.geometry for s in load_countries() if s.alpha2 == alpha2]
    return min(shapely.distance(shapely.Point(lon, lat), g) for g in shapes) * 111.0


def test_curated_places_and_ports_lie_in_their_country() -> None:
    wrong = []
    for table in ("places", "ports"):
        for row in read_table(table):
            lat, lon, stated = float(row["lat"]), float(row["lon"]), row["country"]
            hit = country_at(lat, lon, coast_km=10.0)
            # Natural Earth draws Western Sahara inside Morocco (de facto)
            if hit.alpha2 in {stated} | ({"MA"} if stated == "EH" else set()):
                continue
            if row.get("kind") == "border_crossing" and _km_to_country(stated, lat, lon) < 5:
                continue  # a crossing point sits on the line: either side within 5 km is right
            wrong.append(f"{table}: {row['name']} is in {hit.alpha2 or 'the sea'}, not {stated}")
    assert wrong == []


def test_zone_table_uses_only_known_routes() -> None:
    assert {zone.route for zone in route_zones()} <= set(ROUTES)
    assert set(ROUTES) - {zone.route for zone in route_zones()} == {UNKNOWN}
