"""Route classification of events, incidents, legs and journeys, each with its reason.

A single point (an incident, a landing) is classified by the route zone that holds it
(data/route_zones.csv: sea basins, coasts, border strips, transit countries). A leg (from, to)
is classified first by direction — which country it leaves and which it enters, as Frontex
attributes detections — and, when no direction rule fits, by the zone of its destination, then
of its origin. Every answer carries a one-line reason naming the zone or rule used.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pycountry
import shapely
from numpy.typing import ArrayLike, NDArray

from mare.analyse.geo.countries import country_index
from mare.analyse.geo.geodesy import bearing_deg, haversine_km
from mare.analyse.geo.zones import UNKNOWN, place_facts, route_zones, route_zones_by_name, zone_of

#: Reach for naming the country a sea point lies off ("off the coast of Libya").
OFF_COAST_KM = 60.0


@dataclass(frozen=True)
class RouteAnswer:
    """A route and why."""

    route: str
    reason: str


#: Direction rules: (origin countries, destination countries, route, note). Checked in order;
#: "IC" stands for the Canary Islands (a destination inside ES), told apart by zone.
DIRECTION_RULES: tuple[tuple[frozenset[str], frozenset[str], str, str], ...] = tuple(
    (frozenset(o.split()), frozenset(d.split()), route, note)
    for o, d, route, note in (
        ("MA EH MR SN GM GW GN CV ES", "IC", "Western African", "Atlantic crossing to the Canary Islands"),
        ("MA DZ", "ES GI", "Western Mediterranean", "North Africa to Spain, Ceuta or Melilla"),
        ("LY TN EG DZ TR", "IT MT", "Central Mediterranean", "crossing to Italy or Malta"),
        (
            "LY EG",
            "GR",
            "Eastern Mediterranean",
            "eastern Libya or Egypt to Crete (counted by Frontex as Eastern Med)",
        ),
        (
            "TR LB SY",
            "GR CY BG",
            "Eastern Mediterranean",
            "Türkiye or the Levant to Greece, Cyprus or Bulgaria",
        ),
        ("TR", "RO", "Black Sea", "Türkiye to Romania across the Black Sea"),
        (
            "GR BG MK RS BA ME AL XK",
            "MK RS BA ME AL XK HU HR RO SI AT",
            "Western Balkans",
            "through the Balkans",
        ),
        ("RU", "FI NO", "Nordic/Arctic", "Russia to Finland or Norway"),
        (
            "BY RU UA MD",
            "PL LT LV EE SK HU RO",
            "Eastern land borders",
            "across the EU's eastern land border",
        ),
        ("FR BE NL", "GB", "Channel", "across the Channel to the United Kingdom"),
    )
)


def country_name(alpha2: str) -> str:
    """English short name of an ISO alpha-2 code (the code itself when unknown)."""
    if alpha2 == "IC":
        return "the Canary Islands"
    country = pycountry.countries.get(alpha_2=alpha2) if alpha2 else None
    return str(getattr(country, "common_name", None) or country.name) if country else (alpha2 or "nowhere")


def classify_points(lat: ArrayLike, lon: ArrayLike) -> list[RouteAnswer]:
    """Route and reason for each point, from the zone that holds it."""
    lat_a, lon_a = np.asarray(lat, float), np.asarray(lon, float)
    facts = place_facts(lat_a, lon_a)
    zones = route_zones()
    numbers = zone_of(lat_a, lon_a, facts)
    answers = []
    for i, number in enumerate(numbers.tolist()):
        if not (np.isfinite(lat_a[i]) and np.isfinite(lon_a[i])):
            answers.append(RouteAnswer(UNKNOWN, "no coordinates"))
            continue
        if facts.at_sea[i]:
            place = "at sea"
        else:
            coast = facts.coast_km[i]
            near = f", {coast:.0f} km from the coast" if np.isfinite(coast) else ""
            place = f"in {country_name(str(facts.alpha2[i]))}{near}"
        if number < 0:
            answers.append(RouteAnswer(UNKNOWN, f"{place}, outside every route zone"))
        else:
            zone = zones[number]
            answers.append(RouteAnswer(zone.route, f"{place}, in zone '{zone.name}' ({zone.note})"))
    return answers


def classify_point(lat: float, lon: float) -> RouteAnswer:
    """Route and reason for one point."""
    return classify_points([lat], [lon])[0]


def _end_countries(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> tuple[list[str], list[str]]:
    """Country code per leg end (IC for the Canaries; nearest coast within OFF_COAST_KM at sea), with text."""
    index = country_index()
    owners, distances = index.locate(lat, lon, coast_km=OFF_COAST_KM)
    codes, texts = [], []
    canaries = route_zones_by_name()["Canary Islands"].shape
    in_canaries = shapely.contains_xy(canaries, lon, lat)
    for owner, distance, canary in zip(
        owners.tolist(), distances.tolist(), in_canaries.tolist(), strict=True
    ):
        hit = index.describe(owner, distance)
        if canary and hit.alpha2 == "ES":
            codes.append("IC")
            texts.append("the Canary Islands")
        elif not hit.found:
            codes.append("")
            texts.append("open sea")
        else:
            where = country_name(hit.alpha2)
            codes.append(hit.alpha2)
            texts.append(
                where if hit.method != "nearest-coast" else f"off {where} ({hit.distance_km:.0f} km)"
            )
    return codes, texts


def classify_legs(
    from_lat: ArrayLike, from_lon: ArrayLike, to_lat: ArrayLike, to_lon: ArrayLike
) -> list[RouteAnswer]:
    """Route of each movement A -> B: direction rules, else the destination's, else the origin's zone."""
    f_lat, f_lon = np.atleast_1d(np.asarray(from_lat, float)), np.atleast_1d(np.asarray(from_lon, float))
    t_lat, t_lon = np.atleast_1d(np.asarray(to_lat, float)), np.atleast_1d(np.asarray(to_lon, float))
    origins, origin_texts = _end_countries(f_lat, f_lon)
    targets, target_texts = _end_countries(t_lat, t_lon)
    black_sea = route_zones_by_name()["Black Sea"].shape
    by_black_sea = shapely.contains_xy(black_sea, f_lon, f_lat) & shapely.contains_xy(black_sea, t_lon, t_lat)
    km = haversine_km(f_lat, f_lon, t_lat, t_lon)
    answers: list[RouteAnswer | None] = []
    for i, (origin, target) in enumerate(zip(origins, targets, strict=True)):
        heading = bearing_deg(f_lat[i], f_lon[i], t_lat[i], t_lon[i])
        trip = f"{origin_texts[i]} -> {target_texts[i]}, {km[i]:.0f} km heading {heading:.0f}°"
        answer = None
        if origin and target and origin != target:
            if {origin, target} <= {"TR", "BG", "RO"} and by_black_sea[i]:
                answer = RouteAnswer("Black Sea", f"{trip}: both ends on the Black Sea")
            for origins_set, targets_set, route, note in DIRECTION_RULES:
                if answer is None and origin in origins_set and target in targets_set:
                    answer = RouteAnswer(route, f"{trip}: {note}")
        answers.append(answer if answer is not None else RouteAnswer(UNKNOWN, trip))
    todo = [i for i, answer in enumerate(answers) if answer is not None and answer.route == UNKNOWN]
    if todo:
        at_target = classify_points(t_lat[todo], t_lon[todo])
        at_origin = classify_points(f_lat[todo], f_lon[todo])
        for i, by_target, by_origin in zip(todo, at_target, at_origin, strict=True):
            trip = answers[i].reason  # type: ignore[union-attr]
            if by_target.route != UNKNOWN:
                answers[i] = RouteAnswer(
                    by_target.route, f"{trip}: no direction rule; destination {by_target.reason}"
                )
            elif by_origin.route != UNKNOWN:
                answers[i] = RouteAnswer(
                    by_origin.route, f"{trip}: no direction rule; origin {by_origin.reason}"
                )
            else:
                answers[i] = RouteAnswer(
                    UNKNOWN, f"{trip}: no direction rule and neither end in a route zone"
                )
    return [answer for answer in answers if answer is not None]


def classify_leg(from_lat: float, from_lon: float, to_lat: float, to_lon: float) -> RouteAnswer:
    """Route of one movement from A to B (see `classify_legs`)."""
    return classify_legs([from_lat], [from_lon], [to_lat], [to_lon])[0]


def classify_journey(stops: list[tuple[float, float]]) -> list[RouteAnswer]:
    """Route of each leg of a journey given as its stops in order."""
    if len(stops) < 2:
        return []
    pairs = list(itertools.pairwise(stops))
    return classify_legs(
        [a[0] for a, _ in pairs], [a[1] for a, _ in pairs], [b[0] for _, b in pairs], [b[1] for _, b in pairs]
    )
