"""Assemble contributions: case files, incident reports and notices, as records and links."""

from __future__ import annotations

import numpy as np

from mare.scenario.agencies import Agency
from mare.scenario.cdr import CaseCalls
from mare.scenario.noise import Noise
from mare.scenario.people import iso_date, iso_datetime, pick
from mare.scenario.records import Builder, Contribution
from mare.scenario.slices import Case, Index, case_payments, case_trips, sent_time
from mare.scenario.world import World

_VICTIM = (("witness", 0.5), ("victim", 0.3), ("potential_victim", 0.2))


def new_contribution(ag: Agency, n: int, ref: str, sent: int, rng: np.random.Generator) -> Contribution:
    """Agency AG's contribution number N of the year it is sent in, on case REF, in one of its formats."""
    year = iso_date(sent)[:4]
    c = Contribution(agency=ag, id=f"{ag.id}-{year}-{n:06d}", case_ref=ref, sent_at=sent)
    c.fmt = pick(rng, ag.formats)
    c.crime_areas.add("migrant_smuggling")
    return c


def case_contribution(
    world: World,
    rng: np.random.Generator,
    noise: Noise,
    idx: Index,
    case: Case,
    n: int,
    calls: CaseCalls | None,
    phone_ids: list[str],
) -> Contribution:
    """The contribution an agency sends about one case."""
    c = new_contribution(case.agency, n, case.ref, sent_time(rng, case.t1), rng)
    b = Builder(world, rng, noise, c)
    case_id = b.case()
    locals_: dict[str, str] = {}
    for pid, role, detail in case.suspects:
        p = world.persons[pid]
        local = b.person(pid, "suspect" if detail > 0.5 else "contact", role, detail)
        locals_[pid] = local
        b.link("member_of", local, case_id)
        c.crime_areas.update(p.crime_areas)
        for ph_id in p.phones:
            ph = world.phones[ph_id]
            if ph.end > case.t0 and ph.start < case.t1 and rng.random() < 0.8:
                b.link("uses_phone", local, b.phone(ph_id), since=iso_date(max(ph.start, case.t0)))
        if rng.random() < 0.3:
            b.link("located_at", local, b.location(p.place))
    _associates(world, rng, b, case, locals_)
    for tid in case_trips(world, idx, case)[:25]:
        if rng.random() < 0.6:
            _trip(world, rng, b, idx, tid, locals_)
    for pay_id in case_payments(world, idx, case)[:20]:
        if rng.random() < 0.5:
            _payment(world, rng, b, pay_id, locals_)
    net = world.networks[case.network]
    for biz in net.businesses:
        t = world.things[biz]
        if t.fields.get("country") == case.agency.country and t.owner in locals_:
            biz_local = b.thing(biz)
            b.link("member_of", biz_local, case_id)
            b.link("member_of", locals_[t.owner], biz_local)
            c.crime_areas.add("money_laundering")
    if case.agency.id in ("DE-BKA", "UK-NCA", "NL-KMAR", "FR-OCRIEST", "SE-NOA"):
        for ad_id in idx.adverts.get(case.network, [])[:3]:
            if rng.random() < 0.5:
                ad = world.adverts[ad_id]
                ad_local = b.advert(ad_id)
                b.link("advertises", ad_local, b.phone(ad.phone))
                b.link("advertises", ad_local, b.thing(ad.account))
                b.link("part_of", ad_local, case_id)
    if calls is not None:
        _calls(world, rng, b, calls, phone_ids)
    return c


def _associates(
    world: World, rng: np.random.Generator, b: Builder, case: Case, locals_: dict[str, str]
) -> None:
    net = world.networks[case.network]
    by_person = {m.person: m for m in net.members}
    for pid, local in locals_.items():
        m = by_person.get(pid)
        if m is not None and m.boss in locals_ and rng.random() < 0.7:
            b.link("associate_of", local, locals_[m.boss], assessment=True)


def _trip(
    world: World, rng: np.random.Generator, b: Builder, idx: Index, tid: str, locals_: dict[str, str]
) -> None:
    t = world.trips[tid]
    leg = b.leg(tid)
    for pid in t.crew:
        if pid in locals_:
            kind = "drives_vehicle" if t.conveyor.startswith("V") else "operates_vessel"
            if t.conveyor:
                b.link(kind, locals_[pid], b.thing(t.conveyor))
    if t.conveyor:
        b.link("leg_used", leg, b.thing(t.conveyor))
    for doc in t.documents[:2]:
        b.link("leg_used", leg, b.thing(doc))
    for mid in t.migrants:
        if rng.random() < 0.08:
            m_local = b.person(mid, pick(rng, _VICTIM), "", 0.8)
            b.link("travelled_on", m_local, leg)
    for eid in idx.events_by_trip.get(tid, []):
        e_local = b.event(eid)
        b.link("part_of", e_local, b.c.by_true[f"C:{b.c.case_ref}"])
        if t.conveyor:
            b.link("involved_in", b.thing(t.conveyor), e_local)


def _party(world: World, rng: np.random.Generator, b: Builder, eid: str, locals_: dict[str, str]) -> str:
    if eid.startswith("O"):
        return b.thing(eid)
    if eid in locals_:
        return locals_[eid]
    p = world.persons[eid]
    cat = "victim" if p.kind == "migrant" else "suspect" if p.kind == "member" else "contact"
    local = b.person(eid, cat, "", 0.6)
    locals_[eid] = local
    return local


def _payment(
    world: World, rng: np.random.Generator, b: Builder, pay_id: str, locals_: dict[str, str]
) -> None:
    p = world.payments[pay_id]
    pay = b.payment(pay_id)
    payer, payee = _party(world, rng, b, p.payer, locals_), _party(world, rng, b, p.payee, locals_)
    if p.payer_account:
        acc = b.thing(p.payer_account)
        b.link("holds_financial_account", payer, acc)
        b.link("paid", acc, pay)
    else:
        b.link("paid", payer, pay)
    if p.payee_account:
        acc = b.thing(p.payee_account)
        b.link("holds_financial_account", payee, acc)
        b.link("received", acc, pay)
    else:
        b.link("received", payee, pay)


def _calls(
    world: World, rng: np.random.Generator, b: Builder, calls: CaseCalls, phone_ids: list[str]
) -> None:
    """Phone-to-phone contact counts from the intercepted calls; a few calls as records."""
    pairs = sorted(calls.pairs.items(), key=lambda kv: (-kv[1][0], kv[0]))[:30]
    for k, ((a, bb), (count, first, last, dur)) in enumerate(pairs):
        pa, pb = phone_ids[a], phone_ids[bb]
        b.link(
            "communicated_with",
            b.phone(pa),
            b.phone(pb),
            count=count,
            first_at=iso_datetime(first),
            last_at=iso_datetime(last),
        )
        if k < 3:
            key = f"K:{pa}|{pb}|{first}"
            comm = b.communication(key, pa, pb, first, dur)
            b.link("part_of", comm, b.c.by_true[f"C:{b.c.case_ref}"])


def incident_contribution(
    world: World, rng: np.random.Generator, noise: Noise, ag: Agency, week: int, events: list[str], n: int
) -> Contribution:
    """A border or coast guard report of the week's incidents."""
    last = max(world.events[e].at for e in events)
    c = new_contribution(ag, n, f"{ag.id}-W{week}", sent_time(rng, last), rng)
    b = Builder(world, rng, noise, c)
    case_id = b.case()
    for eid in sorted(events):
        ev = world.events[eid]
        e_local = b.event(eid)
        b.link("part_of", e_local, case_id)
        t = world.trips.get(ev.trip)
        if t is None:
            continue
        leg = b.leg(t.id)
        b.link("part_of", leg, case_id)
        if t.conveyor:
            b.link("involved_in", b.thing(t.conveyor), e_local)
            b.link("leg_used", leg, b.thing(t.conveyor))
        for pid in t.crew[:2]:
            if ev.type in ("landing", "arrest", "interception") and rng.random() < 0.6:
                role = "boat_crew" if t.conveyor.startswith("S") else "driver"
                local = b.person(pid, "suspect", role, 0.9)
                b.link("involved_in", local, e_local)
        for mid in ev.persons:
            if world.persons[mid].kind == "migrant" and rng.random() < 0.1:
                local = b.person(mid, pick(rng, _VICTIM), "", 0.9)
                b.link("travelled_on", local, leg)
    return c


def notice_contribution(
    world: World, rng: np.random.Generator, noise: Noise, ag: Agency, batch: list[str], n: int, sent: int
) -> Contribution:
    """A batch of persons circulated through INTERPOL."""
    c = new_contribution(ag, n, f"IP-DIFF-{n:05d}", sent, rng)
    b = Builder(world, rng, noise, c)
    for pid in batch:
        p = world.persons[pid]
        local = b.person(pid, "convicted" if rng.random() < 0.2 else "suspect", p.role, 1.0)
        c.crime_areas.update(p.crime_areas)
        if p.phones and rng.random() < 0.5:
            b.link("uses_phone", local, b.phone(p.phones[-1]))
    return c
