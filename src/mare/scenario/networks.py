"""Networks along route segments: leaders, organisers per locality, facilitators, providers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mare.scenario.params import DAY, END, START, Params
from mare.scenario.people import add_phones, make_person, pick
from mare.scenario.places import EU_COUNTRIES, PLACES
from mare.scenario.routes import ITINERARIES, MODE, SEGMENTS, Itinerary
from mare.scenario.world import Membership, Network, Person, World, nid

DESTINATIONS = ("DE", "SE", "AT", "NL", "GB", "FR", "BE")
HAWALA_COUNTRIES = ("TR", "IQ", "DE", "SE", "GB", "LY", "AF", "SD", "GR", "AT", "NL", "IR")
FORGER_COUNTRIES = ("GR", "TR", "ES", "FR", "DE", "IT", "BG")
_CREW_ROLE = {"sea": "boat_crew", "land": "driver", "foot": "guide", "air": "document_provider"}


def active_itineraries(networks: int) -> list[Itinerary]:
    """The itineraries the scale can staff: all when there are enough networks."""
    chosen: list[Itinerary] = []
    segs: set[str] = set()
    for it in sorted(ITINERARIES, key=lambda i: -i.weight):
        new = {s for s in it.segments if _facilitated(s)} - segs
        if chosen and len(segs) + len(new) > networks:
            continue
        chosen.append(it)
        segs |= new
    return sorted(chosen, key=lambda i: ITINERARIES.index(i))


def _facilitated(sid: str) -> bool:
    return any(m.facilitated for m in SEGMENTS[sid].moves)


def segment_nationalities(itins: Sequence[Itinerary]) -> dict[str, list[tuple[str, float]]]:
    """Migrant nationality mix per segment, from the itineraries through it."""
    out: dict[str, dict[str, float]] = {}
    for it in itins:
        for sid in it.segments:
            mix = out.setdefault(sid, {})
            for nat, w in it.nationalities:
                mix[nat] = mix.get(nat, 0.0) + w * it.weight
    return {s: sorted(m.items()) for s, m in out.items()}


def build_networks(
    world: World, rng: np.random.Generator, params: Params, itins: Sequence[Itinerary], size_mean: float
) -> None:
    """Create the networks, their members, service providers and absorptions."""
    nats = segment_nationalities(itins)
    weights: dict[str, float] = {}
    for it in itins:
        for sid in it.segments:
            if _facilitated(sid):
                weights[sid] = weights.get(sid, 0.0) + it.weight
    segs = sorted(weights)
    counts = {s: 1 for s in segs}
    extra = max(0, params.scale.networks - len(segs))
    total = sum(weights.values())
    for s in segs:
        counts[s] += int(extra * weights[s] / total)
    providers = _providers(world, rng, params)
    for sid in segs:
        for _ in range(counts[sid]):
            size = max(4.0, float(rng.lognormal(np.log(size_mean), 0.6)))
            _network(world, rng, params, sid, nats[sid], size, providers)
    _absorptions(world, rng, params)


def _providers(world: World, rng: np.random.Generator, params: Params) -> dict[str, list[str]]:
    """Hawaladars and forgers serving several networks (a source of cooperation)."""
    out: dict[str, list[str]] = {"hawaladar": [], "document_forger": []}
    n = max(2, params.scale.networks // 3)
    for role, countries in (("hawaladar", HAWALA_COUNTRIES), ("document_forger", FORGER_COUNTRIES)):
        for i in range(n):
            country = countries[i % len(countries)]
            nat = (
                country
                if role == "document_forger" or rng.random() < 0.4
                else (("SY", "IQ", "AF", "SD", "ER")[int(rng.integers(5))])
            )
            place = _place_in(rng, country)
            p = make_person(world, rng, "member", nat, country, place, (30, 60), role)
            add_phones(world, rng, p, [country], START, END, None)
            out[role].append(p.id)
    return out


def _place_in(rng: np.random.Generator, country: str) -> str:
    ids = [pid for pid, pl in PLACES.items() if pl.country == country]
    if not ids:
        ids = [pid for pid, pl in PLACES.items() if pl.country == "DE"]
    return ids[int(rng.integers(len(ids)))]


def _network(
    world: World,
    rng: np.random.Generator,
    params: Params,
    sid: str,
    nats: list[tuple[str, float]],
    size: float,
    providers: dict[str, list[str]],
) -> None:
    seg = SEGMENTS[sid]
    start = START if rng.random() < 0.8 else START + int(rng.uniform(0, 0.4) * (END - START))
    net = Network(
        id=nid("N", len(world.networks)), segment=sid, route=seg.route, name="", start=start, end=END
    )
    world.networks[net.id] = net
    # the network's own line: one place per stage (the first stage is wherever migrants are)
    line = [stage[int(rng.integers(len(stage)))] for stage in seg.stages]
    origin = pick(rng, nats)
    lead_country = PLACES[line[0]].country
    if rng.random() < 0.2:
        lead_country = DESTINATIONS[int(rng.integers(len(DESTINATIONS)))]
    leader = _member(
        world,
        rng,
        params,
        net,
        "leader",
        origin if rng.random() < 0.8 else lead_country,
        lead_country,
        _place_in(rng, lead_country),
        "",
        start,
    )
    net.leader = leader.id
    net.name = f"{leader.family.variants[0]} network"
    localities = [line[i] for i, m in enumerate(seg.moves) if m.facilitated]
    n_org = max(len(localities), round(size / 8))
    per_org = max(1, round((size - 1 - n_org) / n_org))
    for k in range(n_org):
        loc = localities[k % len(localities)]
        move = seg.moves[line.index(loc)]
        country = PLACES[loc].country
        nat = origin if rng.random() < 0.7 else country
        org = _member(world, rng, params, net, "organiser", nat, country, loc, leader.id, start)
        for j in range(per_org):
            role = _facilitator_role(rng, move.options, j, k == 0)
            f_nat = _facilitator_nationality(rng, role, origin, country)
            _member(world, rng, params, net, role, f_nat, country, loc, org.id, start)
    for role in ("hawaladar", "document_forger"):
        pool = providers[role]
        for _ in range(1 + int(rng.random() < 0.4)):
            pid = pool[int(rng.integers(len(pool)))]
            (net.hawaladars if role == "hawaladar" else net.forgers).append(pid)
            world.memberships.append(
                Membership(pid, net.id, role, world.persons[pid].place, start, END, leader.id)
            )
    border = [
        p
        for p in line
        if PLACES[p].place_type in ("border_crossing", "departure_beach")
        and PLACES[p].country not in EU_COUNTRIES
    ]
    if border and rng.random() < 0.6:
        loc = border[int(rng.integers(len(border)))]
        country = PLACES[loc].country
        _member(world, rng, params, net, "corrupt_official", country, country, loc, leader.id, start)
    net.line = line


def _facilitator_role(
    rng: np.random.Generator, options: Sequence[tuple[str, float]], j: int, first: bool
) -> str:
    if first and j == 0:
        return "recruiter"
    conv = options[int(rng.integers(len(options)))][0]
    mode = MODE[conv]
    roll = rng.random()
    if roll < 0.15:
        return "scout" if mode == "land" else "logistics"
    if roll < 0.22:
        return "safe_house_keeper"
    if roll < 0.28:
        return "money_courier"
    if roll < 0.34:
        return "recruiter"
    if mode == "sea" and conv in ("fishing_boat", "mother_ship", "wooden_boat") and roll < 0.5:
        return "skipper"
    return _CREW_ROLE[mode]


def _facilitator_nationality(rng: np.random.Generator, role: str, origin: str, country: str) -> str:
    if role == "recruiter":
        return origin
    if country in EU_COUNTRIES:
        return country if rng.random() < 0.6 else origin
    return origin if rng.random() < 0.5 else country


def _member(
    world: World,
    rng: np.random.Generator,
    params: Params,
    net: Network,
    role: str,
    nationality: str,
    residence: str,
    place: str,
    boss: str,
    start: int,
) -> Person:
    age = (35, 60) if role == "leader" else (25, 55) if role == "organiser" else (19, 45)
    p = make_person(world, rng, "member", nationality, residence, place, age, role, female_share=0.08)
    p.network = net.id
    if rng.random() < params.world.polycriminal_share:
        k = 1 + int(rng.random() < 0.3)
        areas = sorted({pick(rng, params.world.poly_areas) for _ in range(k)})
        p.crime_areas = tuple(areas)
    switch = (
        params.world.burner_days
        if role in ("leader", "organiser", "recruiter")
        else ((60, 240) if role in ("driver", "scout", "boat_crew", "skipper", "guide") else None)
    )
    countries = [PLACES[place].country, residence]
    add_phones(world, rng, p, countries, start, END, switch)
    m = Membership(p.id, net.id, role, place, start, END, boss)
    net.members.append(m)
    world.memberships.append(m)
    return p


def _absorptions(world: World, rng: np.random.Generator, params: Params) -> None:
    """Larger networks take over smaller ones on the same segment ("oligopolisation")."""
    by_seg: dict[str, list[Network]] = {}
    for net in world.networks.values():
        by_seg.setdefault(net.segment, []).append(net)
    for sid in sorted(by_seg):
        nets = sorted(by_seg[sid], key=lambda n: (-len(n.members), n.id))
        if len(nets) < 2:
            continue
        big = nets[0]
        for small in nets[1:]:
            if rng.random() >= params.world.absorb_share:
                continue
            t = START + int(rng.uniform(0.3, 0.8) * (END - START)) // DAY * DAY
            t = max(t, small.start + 30 * DAY, big.start + 30 * DAY)
            if t >= END:
                continue
            small.absorbed_by, small.absorbed_at, small.end = big.id, t, t
            for m in list(small.members):
                m.end = t
                role = "organiser" if m.role == "leader" else m.role
                boss = big.leader if role == "organiser" else m.boss
                moved = Membership(m.person, big.id, role, m.place, t, END, boss)
                big.members.append(moved)
                world.memberships.append(moved)
                world.persons[m.person].network = big.id
                world.persons[m.person].role = role
