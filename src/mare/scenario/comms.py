"""Who calls whom: call edges following the hierarchy, with rates and time windows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mare.scenario.params import DAY, END, START, Params
from mare.scenario.people import add_phones, make_person
from mare.scenario.places import PLACE_INDEX
from mare.scenario.world import Membership, World

#: Calls a day on an edge, by the pair of roles (before the scale's call_rate).
RATES: dict[str, float] = {
    "leader-organiser": 0.4,
    "leader-hawaladar": 0.15,
    "leader-document_forger": 0.03,
    "leader-facilitator": 0.004,
    "organiser-facilitator": 0.8,
    "organiser-organiser": 0.15,
    "organiser-hawaladar": 0.2,
    "organiser-document_forger": 0.05,
    "organiser-corrupt_official": 0.1,
    "leader-corrupt_official": 0.05,
    "facilitator-facilitator": 0.2,
    "leader-leader": 0.1,
    "organiser-migrant": 1.0,
    "recruiter-migrant": 0.8,
    "migrant-relative": 0.2,
    "member-contact": 0.3,
    "crew-crew": 12.0,
}
_TOP = ("leader", "organiser", "hawaladar", "document_forger", "corrupt_official")


def tier(role: str) -> str:
    """The hierarchy tier of a role: leader, organiser, a provider, or facilitator."""
    return role if role in _TOP else "facilitator"


@dataclass(slots=True)
class Edges:
    """Call edges as parallel lists (turned into arrays for generation)."""

    a: list[str]
    b: list[str]
    rate: list[float]
    t0: list[int]
    t1: list[int]
    place_a: list[int]
    place_b: list[int]
    kind: list[str]

    def add(
        self, a: str, b: str, kind: str, t0: int, t1: int, pa: str, pb: str, rate: float | None = None
    ) -> None:
        """Add an edge when its window is not empty."""
        if t1 <= t0 or a == b:
            return
        self.a.append(a)
        self.b.append(b)
        self.rate.append(RATES[kind] if rate is None else rate)
        self.t0.append(t0)
        self.t1.append(t1)
        self.place_a.append(PLACE_INDEX[pa])
        self.place_b.append(PLACE_INDEX[pb])
        self.kind.append(kind)


def _overlap(x: Membership, y: Membership) -> tuple[int, int]:
    return max(x.start, y.start), min(x.end, y.end)


def build_edges(world: World, rng: np.random.Generator, params: Params) -> Edges:
    """All call edges of the world (personal contacts are created here)."""
    e = Edges([], [], [], [], [], [], [], [])
    for net_id in sorted(world.networks):
        net = world.networks[net_id]
        mem = net.members
        by_person = {m.person: m for m in mem}
        for m in mem:
            boss = by_person.get(m.boss)
            if boss is not None and m.role not in ("hawaladar", "document_forger"):
                t0, t1 = _overlap(m, boss)
                kind = f"{tier(boss.role)}-{tier(m.role)}"
                e.add(
                    boss.person,
                    m.person,
                    kind if kind in RATES else "organiser-facilitator",
                    t0,
                    t1,
                    boss.place,
                    m.place,
                )
            if tier(m.role) == "facilitator" and rng.random() < 0.1:
                lead = by_person.get(net.leader)
                if lead is not None:
                    t0, t1 = _overlap(m, lead)
                    e.add(m.person, lead.person, "leader-facilitator", t0, t1, m.place, lead.place)
        orgs = [m for m in mem if m.role == "organiser"]
        facs = [m for m in mem if tier(m.role) == "facilitator"]
        for group, kind in ((orgs, "organiser-organiser"), (facs, "facilitator-facilitator")):
            for m in group:
                peers = [p for p in group if p.person != m.person and p.boss == m.boss]
                for _ in range(min(2, len(peers))):
                    p = peers[int(rng.integers(len(peers)))]
                    t0, t1 = _overlap(m, p)
                    e.add(m.person, p.person, kind, t0, t1, m.place, p.place)
        lead_place = world.persons[net.leader].place
        for role, pids in (("hawaladar", net.hawaladars), ("document_forger", net.forgers)):
            for pid in pids:
                pl = world.persons[pid].place
                e.add(net.leader, pid, f"leader-{role}", net.start, net.end, lead_place, pl)
                for o in orgs[:3]:
                    e.add(o.person, pid, f"organiser-{role}", o.start, o.end, o.place, pl)
    for (a, b), _n in sorted(world.cooperation.items()):
        na, nb = world.networks[a], world.networks[b]
        e.add(
            na.leader,
            nb.leader,
            "leader-leader",
            max(na.start, nb.start),
            min(na.end, nb.end),
            world.persons[na.leader].place,
            world.persons[nb.leader].place,
        )
    _journey_edges(world, e)
    _contacts(world, rng, params, e)
    return e


def _journey_edges(world: World, e: Edges) -> None:
    for mid in sorted(world.journeys):
        j = world.journeys[mid]
        seen: set[str] = set()
        for k, tid in enumerate(j.trips):
            t = world.trips[tid]
            if k == 0:
                net = world.networks.get(t.network)
                recs = [m for m in net.members if m.role == "recruiter"] if net else []
                if recs:
                    r = recs[int(mid[1:]) % len(recs)]
                    e.add(r.person, mid, "recruiter-migrant", t.depart - 20 * DAY, t.depart, r.place, t.src)
                if j.relative:
                    rel = world.persons[j.relative]
                    e.add(mid, rel.id, "migrant-relative", t.depart - 20 * DAY, END, t.src, rel.place)
            if t.organiser and t.organiser not in seen:
                seen.add(t.organiser)
                org = world.persons[t.organiser]
                e.add(
                    t.organiser,
                    mid,
                    "organiser-migrant",
                    t.depart - 5 * DAY,
                    t.depart + DAY,
                    org.place,
                    t.src,
                )
            if len(t.crew) >= 2 and k < 10_000:
                e.add(t.crew[0], t.crew[1], "crew-crew", t.depart - 2 * 3600, t.arrive, t.src, t.src)


def _contacts(world: World, rng: np.random.Generator, params: Params, e: Edges) -> None:
    """Personal contacts of members (family, friends, legitimate business)."""
    members = sorted({m.person for m in world.memberships})
    for pid in members:
        p = world.persons[pid]
        for _ in range(int(rng.poisson(params.scale.contacts_per_member))):
            nat = p.nationality if rng.random() < 0.6 else p.residence
            c = make_person(world, rng, "contact", nat, p.residence, p.place, (18, 70), female_share=0.4)
            add_phones(world, rng, c, [p.residence], START, END, None)
            e.add(pid, c.id, "member-contact", START, END, p.place, p.place)
