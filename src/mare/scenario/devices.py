"""Phones seized from arrested suspects and the extraction reports agencies contribute.

When a case ends inside the period (its action day), the suspects the agency identified well in its
country are arrested and their phones seized; with probability P_EXTRACTION the phone is examined
(Cellebrite-style) and the report reaches the hub: the owner with the number in the handset, and the
contacts saved in it who belong to a smuggling network, each as a contact person (the name as the
agency writes it, few details) with every number the owner had for them and, with probability
P_MESSENGER each, their messenger accounts from the chat list. Who is in the phone book comes from the
world's call edges: the people the owner talked to, with the numbers they used while the two were in
touch, up to the seizure. Smugglers change numbers often; phone books keep the old ones under the
same name, which is how a number an advert gave, long switched off, still leads to a person.

Everything here draws on its own random stream, after the rest of the scenario is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np

from mare.scenario.agencies import Agency
from mare.scenario.comms import Edges
from mare.scenario.contribute import new_contribution
from mare.scenario.noise import Noise
from mare.scenario.params import DAY, END
from mare.scenario.people import iso_date
from mare.scenario.records import Builder, Contribution
from mare.scenario.slices import Case
from mare.scenario.world import World

P_EXTRACTION = 0.5  # an arrested suspect's phone examined and the report sent to the hub
P_MESSENGER = 0.5  # a contact's messenger account in the chat list
ARRESTED_DETAIL = 0.9  # suspects identified in the agency's own country (slices._suspects)


def _phone_book(world: World, edges: Edges) -> dict[str, list[tuple[str, int, int]]]:
    """Per network member, the other members they are in touch with, and when."""
    book: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for a, b, t0, t1 in zip(edges.a, edges.b, edges.t0, edges.t1, strict=True):
        pa, pb = world.persons.get(a), world.persons.get(b)
        if pa is None or pb is None or pa.kind != "member" or pb.kind != "member":
            continue
        book[a].append((b, t0, t1))
        book[b].append((a, t0, t1))
    return book


def _accounts(world: World) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for tid in sorted(world.things):
        t = world.things[tid]
        if t.kind == "account" and t.owner in world.persons:
            out[t.owner].append(tid)
    return out


def extraction_contributions(
    world: World,
    cases: list[Case],
    edges: Edges,
    noise: dict[str, Noise],
    seed: int,
    next_n: Callable[[Agency], int],
) -> list[Contribution]:
    """One extraction report per phone seized and examined, as the arresting agency sends it."""
    rng = np.random.Generator(np.random.PCG64([seed, 17_022]))
    book = _phone_book(world, edges)
    accounts = _accounts(world)
    out: list[Contribution] = []
    for case in cases:
        if case.t1 >= END - DAY or case.agency.id not in noise:
            continue  # still open at the end of the period: no action day yet
        for pid, _role, detail in case.suspects:
            if detail < ARRESTED_DETAIL or rng.random() >= P_EXTRACTION:
                continue
            seized = case.t1
            contacts = [(c, t0, min(t1, seized)) for c, t0, t1 in book.get(pid, []) if t0 < seized]
            if not contacts:
                continue
            ag = case.agency
            sent = min(END + 30 * DAY, seized + int(rng.uniform(10, 90) * DAY))
            c = new_contribution(ag, next_n(ag), case.ref, sent, rng)
            b = Builder(world, rng, noise[ag.id], c)
            case_id = b.case()
            owner = b.person(pid, "suspect", "", 0.9)
            b.link("member_of", owner, case_id)
            for ph_id in world.persons[pid].phones:
                ph = world.phones[ph_id]
                if ph.start <= seized < ph.end:
                    b.link("uses_phone", owner, b.phone(ph_id), since=iso_date(ph.start))
            for contact, t0, t1 in sorted(contacts):
                person = world.persons[contact]
                numbers = [
                    p for p in person.phones if world.phones[p].start < t1 and world.phones[p].end > t0
                ]
                chats = [a for a in accounts.get(contact, []) if rng.random() < P_MESSENGER]
                if not numbers and not chats:
                    continue
                local = b.person(contact, "contact", "", 0.0)
                for ph_id in numbers:
                    b.link("uses_phone", local, b.phone(ph_id))
                for acc in chats:
                    b.link("uses_account", local, b.thing(acc))
            out.append(c)
    return out
