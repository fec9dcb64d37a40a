"""What each agency sees: cases on networks in its country, incident reports, notices."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mare.scenario.agencies import Agency
from mare.scenario.comms import tier
from mare.scenario.params import DAY, END, START, Params
from mare.scenario.places import PLACES
from mare.scenario.world import World

Tap = tuple[int, str, int, int]  # (case index, phone id, t0, t1)


@dataclass(slots=True)
class Case:
    """An agency's investigation of the part of one network in its country."""

    index: int
    agency: Agency
    ref: str
    network: str
    t0: int
    t1: int
    suspects: list[tuple[str, str, float]] = field(default_factory=list)  # person, role, detail
    taps: list[Tap] = field(default_factory=list)


def plan_cases(
    world: World, rng: np.random.Generator, params: Params, agencies: tuple[Agency, ...]
) -> list[Case]:
    """Open cases where networks operate in an agency's country; choose suspects and taps."""
    countries: dict[str, set[str]] = {}
    for net_id, net in world.networks.items():
        countries[net_id] = {PLACES[m.place].country for m in net.members}
    cases: list[Case] = []
    for ag in agencies:
        if not ag.country:
            continue
        for net_id in sorted(world.networks):
            net = world.networks[net_id]
            if ag.country not in countries[net_id] or rng.random() >= params.scale.case_p:
                continue
            span = int(rng.uniform(90, 300)) * DAY
            lo = max(net.start, START)
            hi = max(lo + DAY, min(net.end, END) - span // 2)
            t0 = int(rng.uniform(lo, hi))
            case = Case(
                len(cases),
                ag,
                f"{ag.id.split('-')[-1]}-{len(cases) + 1:05d}",
                net_id,
                t0,
                min(END, t0 + span),
            )
            _suspects(world, rng, case)
            cases.append(case)
    return cases


def _suspects(world: World, rng: np.random.Generator, case: Case) -> None:
    net = world.networks[case.network]
    seen: set[str] = set()
    for m in net.members:
        if m.person in seen or m.end <= case.t0 or m.start >= case.t1:
            continue
        here = PLACES[m.place].country == case.agency.country
        if m.role == "leader":
            p, detail = (0.6, 1.0) if here else (0.25, 0.3)
        elif here:
            p, detail = (0.75, 0.9)
        else:
            continue
        if rng.random() >= p:
            continue
        seen.add(m.person)
        role = (
            m.role if rng.random() < 0.7 else ("facilitator" if tier(m.role) == "facilitator" else "unknown")
        )
        case.suspects.append((m.person, role, detail))
        if case.agency.cdr and here and rng.random() < 0.5:
            for ph_id in world.persons[m.person].phones:
                ph = world.phones[ph_id]
                t0, t1 = max(ph.start, case.t0), min(ph.end, case.t1)
                if t1 > t0 and rng.random() < 0.8:
                    case.taps.append((case.index, ph_id, t0, t1))
    for pid in net.hawaladars + net.forgers:
        prov = world.persons[pid]
        if prov.residence == case.agency.country and pid not in seen and rng.random() < 0.5:
            seen.add(pid)
            case.suspects.append((pid, prov.role, 0.9))


@dataclass(slots=True)
class Index:
    """Lookups by network and by country, built once."""

    trips: dict[str, list[str]]
    payments: dict[str, list[str]]
    events_by_trip: dict[str, list[str]]
    adverts: dict[str, list[str]]
    events_by_country: dict[str, list[str]]


def build_index(world: World) -> Index:
    """Index trips, payments, events and adverts."""
    idx = Index({}, {}, {}, {}, {})
    for tid, t in world.trips.items():
        if t.network:
            idx.trips.setdefault(t.network, []).append(tid)
    for pid, p in world.payments.items():
        idx.payments.setdefault(p.network, []).append(pid)
    for eid, ev in world.events.items():
        idx.events_by_trip.setdefault(ev.trip, []).append(eid)
        idx.events_by_country.setdefault(ev.country, []).append(eid)
    for aid, ad in world.adverts.items():
        idx.adverts.setdefault(ad.network, []).append(aid)
    return idx


def case_trips(world: World, idx: Index, case: Case) -> list[str]:
    """Trips of the case's network in its window touching the agency's country."""
    c = case.agency.country
    return [
        tid
        for tid in idx.trips.get(case.network, [])
        if case.t0 <= world.trips[tid].depart < case.t1
        and c in (PLACES[world.trips[tid].src].country, PLACES[world.trips[tid].dst].country)
    ]


def case_payments(world: World, idx: Index, case: Case) -> list[str]:
    """Payments of the case's network in its window from or to the agency's country."""
    c = case.agency.country
    return [
        pid
        for pid in idx.payments.get(case.network, [])
        if case.t0 <= world.payments[pid].at < case.t1
        and c in (world.payments[pid].src_country, world.payments[pid].dst_country)
    ]


def incident_groups(
    world: World, rng: np.random.Generator, agencies: tuple[Agency, ...], idx: Index
) -> list[tuple[Agency, int, list[str]]]:
    """Events reported by border and coast guard agencies, grouped by agency and week."""
    out: list[tuple[Agency, int, list[str]]] = []
    for ag in agencies:
        if not ag.country:
            continue
        weeks: dict[int, list[str]] = {}
        for eid in idx.events_by_country.get(ag.country, []):
            if rng.random() < 0.35:
                weeks.setdefault(world.events[eid].at // (7 * DAY), []).append(eid)
        for week in sorted(weeks):
            out.append((ag, week, weeks[week]))
    return out


def notices(world: World, rng: np.random.Generator) -> list[list[str]]:
    """Persons circulated through INTERPOL, in batches."""
    chosen = sorted(
        {m.person for m in world.memberships if rng.random() < (0.1 if m.role == "leader" else 0.03)}
    )
    return [chosen[i : i + 40] for i in range(0, len(chosen), 40)]


def sent_time(rng: np.random.Generator, t: int) -> int:
    """When a contribution about something ending at t is sent."""
    return min(END + 30 * DAY, t + int(rng.uniform(2, 30) * DAY))
