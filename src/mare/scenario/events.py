"""Events that trips give rise to: landings, rescues, interceptions, arrests, deaths, seizures."""

from __future__ import annotations

import numpy as np

from mare.scenario.places import PLACES
from mare.scenario.routes import MODE
from mare.scenario.world import Event, Trip, World, nid


def _at_sea(trip: Trip, f: float) -> tuple[float, float]:
    a, b = PLACES[trip.src], PLACES[trip.dst]
    if trip.src == trip.dst:  # returned: the trip turned back half-way to its aim
        return round(a.lat + 0.05, 4), round(a.lon - 0.08, 4)
    return round(a.lat + (b.lat - a.lat) * f, 4), round(a.lon + (b.lon - a.lon) * f, 4)


def _event(
    world: World,
    etype: str,
    at: int,
    place: str,
    lat: float,
    lon: float,
    country: str,
    trip: Trip,
    persons: list[str],
    description: str,
) -> Event:
    ev = Event(
        id=nid("E", len(world.events)),
        type=etype,
        at=at,
        place=place,
        lat=lat,
        lon=lon,
        country=country,
        persons_count=len(trip.migrants),
        trip=trip.id,
        persons=persons,
        description=description,
    )
    if trip.conveyor:
        ev.things.append(trip.conveyor)
    if trip.tow:
        ev.things.append(trip.tow)
    world.events[ev.id] = ev
    return ev


def trip_events(world: World, rng: np.random.Generator, trip: Trip, dead: list[str]) -> None:
    """Add the events a trip produced."""
    mode = MODE[trip.conveyance]
    src, dst = PLACES[trip.src], PLACES[trip.dst]
    people = trip.crew + trip.migrants
    if trip.outcome == "dead":
        lat, lon = _at_sea(trip, float(rng.uniform(0.2, 0.7)))
        ev = _event(
            world,
            "death",
            trip.depart + (trip.arrive - trip.depart) // 2,
            f"at sea off {src.city}",
            lat,
            lon,
            src.country,
            trip,
            people,
            f"{trip.conveyance.replace('_', ' ')} capsized",
        )
        missing = int(len(dead) * float(rng.uniform(0.2, 0.6)))
        ev.dead, ev.missing = len(dead) - missing, missing
        ev.persons_count = len(trip.migrants) + len(dead)
        _landing(world, trip, people)
        return
    if mode == "sea" and trip.facilitated:
        if trip.outcome == "returned":
            lat, lon = _at_sea(trip, 0.2)
            _event(
                world,
                "interception",
                trip.arrive,
                f"off {src.city}",
                lat,
                lon,
                src.country,
                trip,
                people,
                "boat stopped and returned to the coast",
            )
            return
        if trip.route == "CMED" and rng.random() < 0.5:
            lat, lon = _at_sea(trip, float(rng.uniform(0.4, 0.8)))
            _event(
                world,
                "rescue",
                trip.arrive - 6 * 3600,
                "Central Mediterranean",
                lat,
                lon,
                dst.country,
                trip,
                people,
                "search and rescue",
            )
        _landing(world, trip, people)
    elif trip.outcome == "arrested":
        _event(
            world,
            "arrest",
            trip.arrive,
            dst.name,
            dst.lat,
            dst.lon,
            dst.country,
            trip,
            people,
            f"{trip.conveyance} stopped, driver arrested",
        )
    elif mode == "air" and rng.random() < 0.15:
        ev = _event(
            world,
            "seizure",
            trip.arrive,
            dst.name,
            dst.lat,
            dst.lon,
            dst.country,
            trip,
            trip.migrants[:1],
            "impostor passport detected at the border check",
        )
        ev.things = trip.documents[:1]
    elif mode == "foot" and trip.facilitated and rng.random() < 0.08:
        _event(
            world,
            "interception",
            trip.arrive,
            dst.name,
            dst.lat,
            dst.lon,
            dst.country,
            trip,
            people,
            "group intercepted at the green border",
        )


def _landing(world: World, trip: Trip, people: list[str]) -> None:
    dst = PLACES[trip.dst]
    _event(
        world,
        "landing",
        trip.arrive,
        dst.name,
        dst.lat,
        dst.lon,
        dst.country,
        trip,
        people,
        f"{trip.conveyance.replace('_', ' ')} landed",
    )
