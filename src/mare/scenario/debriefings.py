"""Debriefings of migrants on arrival, as the agencies that hold them contribute them.

The 2016 report drew on 1,500 migrant debriefings: officers (with Frontex's debriefing teams) ask
migrants who have arrived how they travelled, whom they paid, how much and how. Here the agency of the
country a journey ends in, when the hub has one, debriefs the migrant with probability P_DEBRIEF and
contributes what the migrant tells: the migrant (a witness), every leg travelled (from, to, when, how),
and each fee paid for the journey, by the migrant or a relative, to whom and by which method (the
payee as the migrant knows them, an account when the money went through one). A fee paid on the way
thus stands beside the legs its payer travelled, as a case file built on the migrant's statement
would have it.

Drawn on its own random stream after everything else is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np

from mare.scenario.agencies import Agency
from mare.scenario.contribute import _payment, new_contribution
from mare.scenario.money_records import FEE_PURPOSES
from mare.scenario.noise import Noise
from mare.scenario.params import DAY, END
from mare.scenario.people import iso_date
from mare.scenario.places import PLACES
from mare.scenario.records import Builder, Contribution
from mare.scenario.world import Payment, World

P_DEBRIEF = 0.05  # a migrant debriefed on arrival by the agency of the country the journey ends in


def debriefing_contributions(
    world: World,
    agencies: tuple[Agency, ...],
    noise: dict[str, Noise],
    seed: int,
    next_n: Callable[[Agency], int],
) -> list[Contribution]:
    """One contribution per agency and month of the debriefings it held."""
    rng = np.random.Generator(np.random.PCG64([seed, 17_024]))
    by_country: dict[str, Agency] = {}
    for ag in agencies:
        if ag.country and ag.id in noise:
            by_country.setdefault(ag.country, ag)
    fees: dict[str, list[Payment]] = defaultdict(list)
    for p in world.payments.values():
        if p.migrant and p.purpose in FEE_PURPOSES:
            fees[p.migrant].append(p)
    batches: dict[tuple[str, int], list[str]] = defaultdict(list)
    for mid in sorted(world.journeys):
        j = world.journeys[mid]
        if not j.trips:
            continue
        last = world.trips[j.trips[-1]]
        debriefer = by_country.get(PLACES[last.dst].country)
        if debriefer is None or last.arrive >= END or rng.random() >= P_DEBRIEF:
            continue
        batches[(debriefer.id, (last.arrive // DAY) // 30)].append(mid)
    by_id = {a.id: a for a in agencies}
    out: list[Contribution] = []
    for (agency, month), migrants in sorted(batches.items()):
        ag = by_id[agency]
        sent = min(END + 30 * DAY, (month + 1) * 30 * DAY + int(rng.uniform(5, 40) * DAY))
        c = new_contribution(ag, next_n(ag), f"{ag.id}-DEBRIEF-{iso_date(month * 30 * DAY)[:7]}", sent, rng)
        b = Builder(world, rng, noise[ag.id], c)
        case_id = b.case()
        locals_: dict[str, str] = {}
        for mid in migrants:
            migrant = world.persons[mid]
            local = b.person(mid, "witness", "", 0.9)
            locals_[mid] = local
            for tid in world.journeys[mid].trips:
                leg = b.leg(tid)
                b.link("travelled_on", local, leg)
                b.link("part_of", leg, case_id)
            for p in sorted(fees.get(migrant.id, []), key=lambda x: (x.at, x.id)):
                _payment(world, rng, b, p.id, locals_)
                b.link("part_of", c.by_true[p.id], case_id)
        out.append(c)
    return out
