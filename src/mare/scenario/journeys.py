"""Migrants' journeys: grouped into trips (legs) stage by stage along the itineraries."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mare.scenario import fleet
from mare.scenario.events import trip_events
from mare.scenario.networks import DESTINATIONS
from mare.scenario.params import DAY, END, START, Params
from mare.scenario.people import add_phones, make_person, pick
from mare.scenario.places import PLACES
from mare.scenario.routes import CAPACITY, MODE, SEGMENTS, Itinerary, Transition, stages_of
from mare.scenario.world import Journey, Network, Person, Trip, World, nid

SEA_ROUTES = ("EMED", "CMED", "WMED", "WAF", "BSEA", "CHAN")
_OWN_BOAT = ("rubber_dinghy", "wooden_boat", "fishing_boat")
State = tuple[float, str, str]  # (ready time, migrant id, place)


def seasonal_starts(rng: np.random.Generator, n: int, sea: bool) -> np.ndarray:
    """Journey start times with a summer peak for sea routes (rejection sampling)."""
    amp = 0.6 if sea else 0.2
    out: list[np.ndarray] = []
    have = 0
    while have < n:
        t = rng.uniform(START, END - 45 * DAY, 2 * (n - have) + 8)
        month = (t - START) / (30.44 * DAY) + 3.0  # START is 1 March
        w = 1 + amp * np.cos(2 * np.pi * (month - 8.0) / 12.0)
        keep = t[rng.random(t.size) < w / (1 + amp)]
        out.append(keep)
        have += keep.size
    return np.sort(np.concatenate(out)[:n])


def simulate(world: World, rng: np.random.Generator, params: Params, itins: Sequence[Itinerary]) -> None:
    """Create migrants for every itinerary and move them along it."""
    total_w = sum(it.weight for it in itins)
    by_seg: dict[str, list[Network]] = {}
    for net in world.networks.values():
        by_seg.setdefault(net.segment, []).append(net)
    for it in itins:
        n = max(3, round(params.scale.migrants * it.weight / total_w))
        starts = seasonal_starts(rng, n, it.route in SEA_ROUTES)
        stages, _ = stages_of(it)
        states: list[State] = []
        for t in starts:
            m = _migrant(world, rng, params, it, stages[0], int(t))
            states.append((float(t), m.id, m.place))
        _run(world, rng, params, it, states, by_seg)


def _migrant(
    world: World, rng: np.random.Generator, params: Params, it: Itinerary, first: tuple[str, ...], t: int
) -> Person:
    nat = pick(rng, it.nationalities)
    minor = rng.random() < params.world.minor_share
    age = (12.0, 17.9) if minor else (18.0, 45.0)
    place = first[int(rng.integers(len(first)))]
    p = make_person(
        world, rng, "migrant", nat, nat, place, age, "migrant", female_share=params.world.female_share
    )
    transit = PLACES[place].country
    switch = (15, 60) if rng.random() < 0.5 else None
    add_phones(world, rng, p, [nat, transit], t - 30 * DAY, END, switch)
    journey = Journey(migrant=p.id, itinerary=it.id, route=it.route)
    if rng.random() < 0.7:
        home = DESTINATIONS[int(rng.integers(len(DESTINATIONS)))] if rng.random() < 0.6 else nat
        rel = make_person(world, rng, "relative", nat, home, _any_place(rng, home), (25, 60))
        add_phones(world, rng, rel, [home], START, END, None)
        journey.relative = rel.id
        world.relations.append(
            (p.id, rel.id, ("sibling", "parent", "cousin", "spouse")[int(rng.integers(4))])
        )
    world.journeys[p.id] = journey
    return p


def _any_place(rng: np.random.Generator, country: str) -> str:
    ids = [pid for pid, pl in PLACES.items() if pl.country == country] or ["DE_BER"]
    return ids[int(rng.integers(len(ids)))]


def _run(
    world: World,
    rng: np.random.Generator,
    params: Params,
    it: Itinerary,
    states: list[State],
    by_seg: dict[str, list[Network]],
) -> None:
    _, moves = stages_of(it)
    nets: dict[str, str] = {}  # migrant -> network of the current segment
    prev_seg = ""
    stage_i = 0
    for sid, move in moves:
        stage_i = stage_i + 1 if sid == prev_seg else 0
        if sid != prev_seg and move.facilitated:
            for ready, mid, _ in states:
                old = nets.get(mid, "")
                new = _choose_network(rng, by_seg.get(sid, []), ready)
                nets[mid] = new
                if old and new and old != new:
                    key = (old, new)
                    world.cooperation[key] = world.cooperation.get(key, 0) + 1
        elif sid != prev_seg:
            for _, mid, _ in states:
                nets[mid] = ""
        prev_seg = sid
        states = _move(world, rng, params, sid, stage_i, move, states, nets)
        states = [s for s in states if s[0] < END - DAY]
        if not states:
            break


def _choose_network(rng: np.random.Generator, nets: Sequence[Network], t: float) -> str:
    live = [n for n in nets if n.start <= t < n.end]
    if not live:
        live = list(nets)
    if not live:
        return ""
    sizes = np.array([len(n.members) for n in live], dtype=float) ** 1.3  # big ones grow
    i = int(np.searchsorted(np.cumsum(sizes) / sizes.sum(), rng.random(), side="right"))
    return live[min(i, len(live) - 1)].id


def _move(
    world: World,
    rng: np.random.Generator,
    params: Params,
    sid: str,
    stage_i: int,
    move: Transition,
    states: list[State],
    nets: dict[str, str],
) -> list[State]:
    """Group the migrants waiting at each place into trips; return where they are next."""
    out: list[State] = []
    pending = sorted(states)
    attempts: dict[str, int] = {}
    while pending:
        groups: dict[tuple[str, str], list[State]] = {}
        for s in pending:
            groups.setdefault((nets.get(s[1], ""), s[2]), []).append(s)
        pending = []
        for key in sorted(groups):
            items = groups[key]
            i = 0
            while i < len(items):
                conv = pick(rng, move.options)
                lo, hi = CAPACITY[conv]
                cap = int(rng.integers(lo, hi + 1))
                j = i + 1
                while j < len(items) and j - i < cap and items[j][0] - items[i][0] < 3 * DAY:
                    j += 1
                group = items[i:j]
                i = j
                last_try = any(attempts.get(s[1], 0) >= 2 for s in group)
                trip = _trip(world, rng, params, sid, stage_i, move, conv, key[0], key[1], group, last_try)
                retry = trip.outcome == "returned"
                for _, mid, _ in group:
                    if mid not in trip.migrants:
                        continue  # died at sea
                    world.journeys[mid].trips.append(trip.id)
                    if retry:
                        attempts[mid] = attempts.get(mid, 0) + 1
                        pending.append((trip.arrive + float(rng.uniform(2, 10)) * DAY, mid, trip.src))
                    else:
                        out.append((trip.arrive + _stay(rng, trip.dst), mid, trip.dst))
        pending.sort()
    return sorted(out)


def _stay(rng: np.random.Generator, place: str) -> float:
    if PLACES[place].place_type in ("safe_house", "coach_station") and rng.random() < 0.1:
        return float(rng.uniform(14, 56)) * DAY  # working off the debt or saving for the next leg
    return float(rng.exponential(1.5)) * DAY + 3600.0


def _trip(
    world: World,
    rng: np.random.Generator,
    params: Params,
    sid: str,
    stage_i: int,
    move: Transition,
    conv: str,
    net_id: str,
    src: str,
    group: list[State],
    last_try: bool,
) -> Trip:
    seg = SEGMENTS[sid]
    depart = int(max(s[0] for s in group) + float(rng.uniform(0, 12)) * 3600)
    mode = MODE[conv]
    if mode == "sea":
        day = depart - depart % DAY
        depart = day + DAY + int(rng.uniform(-2, 4) * 3600)  # at night
    assert src in seg.stages[stage_i], (sid, stage_i, src)
    options = move.links.get(src) or seg.stages[stage_i + 1]
    net = world.networks.get(net_id)
    dst = options[int(rng.integers(len(options)))]
    if net is not None and net.line[stage_i + 1] in options:
        dst = net.line[stage_i + 1]
    hours = float(rng.uniform(*move.hours))
    trip = Trip(
        id=nid("J", len(world.trips)),
        segment=sid,
        route=seg.route,
        src=src,
        dst=dst,
        depart=depart,
        arrive=depart + int(hours * 3600),
        conveyance=conv,
        facilitated=move.facilitated and net is not None,
        network=net_id,
        migrants=[s[1] for s in group],
    )
    world.trips[trip.id] = trip
    if net is not None and move.facilitated:
        _staff(world, rng, params, trip, net)
    _outcome(world, rng, params, trip, last_try)
    return trip


def _staff(world: World, rng: np.random.Generator, params: Params, trip: Trip, net: Network) -> None:
    live = [m for m in net.members if m.start <= trip.depart < m.end]
    orgs = (
        [m for m in live if m.role == "organiser" and m.place == trip.src]
        or [m for m in live if m.role == "organiser"]
        or [m for m in net.members if m.role == "organiser"]
    )
    org = orgs[int(rng.integers(len(orgs)))]
    trip.organiser = org.person
    team = [m for m in live if m.boss == org.person]
    mode = MODE[trip.conveyance]
    want = {
        "land": ("driver",),
        "foot": ("guide",),
        "air": ("document_provider",),
        "sea": ("skipper", "boat_crew"),
    }[mode]
    crew = [m.person for m in team if m.role in want]
    if mode == "land" and trip.conveyance in ("car", "van", "lorry"):
        driver = crew[int(rng.integers(len(crew)))] if crew else org.person
        trip.crew.append(driver)
        scouts = [m.person for m in team if m.role == "scout"]
        if scouts and rng.random() < 0.4:
            trip.crew.append(scouts[int(rng.integers(len(scouts)))])
        trip.conveyor = _vehicle_for(world, rng, params, net, driver, trip.conveyance)
    elif mode == "foot" and crew:
        trip.crew.append(crew[int(rng.integers(len(crew)))])
    elif mode == "air":
        trip.crew.append(crew[0] if crew else org.person)
        trip.documents = _rented_documents(world, rng, params, net, trip)
    elif mode == "sea":
        _sea_staff(world, rng, trip, net, crew)


def _sea_staff(world: World, rng: np.random.Generator, trip: Trip, net: Network, crew: list[str]) -> None:
    conv = trip.conveyance
    if conv in ("rubber_dinghy", "yacht") and trip.route in ("EMED", "CHAN", "WMED"):
        trip.crew.append(trip.migrants[0])  # a migrant is shown how to steer
    elif crew:
        trip.crew.extend(crew[: 1 + int(rng.integers(min(3, len(crew))))])
    if conv == "yacht" or conv == "mother_ship":
        own = [v for v in net.vessels if world.things[v].fields["vessel_type"] == conv]
        if not own:
            owner = trip.organiser
            own = [fleet.vessel(world, rng, conv, net.id, owner, True).id]
            net.vessels.append(own[0])
        if conv == "mother_ship":
            trip.tow = own[0]
            boat = fleet.vessel(world, rng, "fishing_boat", net.id, trip.organiser, False)
            trip.conveyor = boat.id
        else:
            trip.conveyor = own[0]
    elif conv in _OWN_BOAT:
        with_ids = conv == "fishing_boat" and rng.random() < 0.4
        trip.conveyor = fleet.vessel(world, rng, conv, net.id, trip.organiser, with_ids).id


def _vehicle_for(
    world: World, rng: np.random.Generator, params: Params, net: Network, driver: str, vtype: str
) -> str:
    own = [
        v
        for v in net.vehicles
        if world.things[v].owner == driver and world.things[v].fields["vehicle_type"] == vtype
    ]
    if own and rng.random() < 0.85:
        return own[int(rng.integers(len(own)))]
    v = fleet.vehicle(world, rng, params, vtype, world.persons[driver], net.id)
    net.vehicles.append(v.id)
    return v.id


def _rented_documents(
    world: World, rng: np.random.Generator, params: Params, net: Network, trip: Trip
) -> list[str]:
    """Genuine documents of look-alikes, rented per trip, returned and reused."""
    docs: list[str] = []
    pool = net.documents
    for _ in trip.migrants:
        usable = [d for d in pool if _uses(world, d) > 0]
        if usable:
            doc = world.things[usable[0]]
        else:
            country = ("SE", "DE", "NL", "FR", "BE", "GB")[int(rng.integers(6))]
            holder = make_person(
                world, rng, "contact", country, country, _any_place(rng, country), (20, 45), "document_lender"
            )
            doc = fleet.document(world, rng, holder, "impostor", net.id, trip.depart - 400 * DAY)
            doc.fields["uses"] = int(rng.integers(*params.world.air_doc_reuse))
            pool.append(doc.id)
        doc.fields["uses"] = _uses(world, doc.id) - 1
        docs.append(doc.id)
    return docs


def _uses(world: World, doc: str) -> int:
    value = world.things[doc].fields.get("uses", 0)
    return value if isinstance(value, int) else 0


def _outcome(world: World, rng: np.random.Generator, params: Params, trip: Trip, last_try: bool) -> None:
    mode = MODE[trip.conveyance]
    roll = rng.random()
    if mode == "sea" and trip.facilitated:
        if roll < params.world.death_share:
            k = max(1, int(len(trip.migrants) * float(rng.uniform(0.1, 0.4))))
            trip.outcome = "dead"
            dead = trip.migrants[-k:]
            trip.migrants = trip.migrants[:-k]
            trip_events(world, rng, trip, dead)
            return
        if not last_try and roll < params.world.death_share + params.world.sea_intercept:
            trip.outcome = "returned"
            trip.dst = trip.src
            trip.arrive = trip.depart + int(rng.uniform(1, 5) * 3600)
    elif mode == "land" and trip.facilitated and roll < params.world.land_arrest:
        trip.outcome = "arrested"
        net = world.networks[trip.network]
        for m in net.members:
            if m.person in trip.crew[:1] and m.start <= trip.arrive < m.end:
                m.end = trip.arrive
    trip_events(world, rng, trip, [])
