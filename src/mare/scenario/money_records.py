"""Money records as agencies contribute them, with their own ground truth.

Besides the payments in case files (`contribute._payment`), agencies send three kinds of money
records, each as a CSV bundle (one row per payment, the payer and payee as persons or accounts):

- **hawala ledgers**: when a hawaladar lives in an agency's country, that agency may search the
  premises and seize the ledger: every hawala payment the hawaladar took and every payout made in
  the year before, with the customers as written in it (names, little else);
- **money-transfer and bank records**: the financial intelligence unit passes each quarter's reports
  of money-transfer, bank and crypto payments sent from or to the country (payer and payee accounts
  with their holders);
- **fee books**: the list of migrants who paid, kept by an organiser, recruiter or money courier and
  seized when a case is open on them (the fees received in the case's window).

Everything here draws on its own random stream, after the rest of the scenario is written, so the
other contributions stay as they were. The layering chains (`scenario/laundering.py`: deposits into
front businesses moved on through other companies) are added to the world's payments first, so the
quarterly reports carry their bank transfers. `truth/money.csv` lists every hawaladar and fee collector
(the payees of migrants' fees), with their networks and the fees they received.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from mare.scenario.agencies import Agency
from mare.scenario.contribute import _payment
from mare.scenario.laundering import build_layering
from mare.scenario.noise import Noise
from mare.scenario.params import DAY, END, START
from mare.scenario.people import iso_date
from mare.scenario.records import Builder, Contribution
from mare.scenario.slices import Case
from mare.scenario.world import Payment, World

FEE_PURPOSES = ("smuggling fee", "fee for the next leg")
#: Chance an agency seizes the ledger of a hawaladar in its country, and receives a quarter's reports.
LEDGER_P = 0.85
REPORTS_P = 0.6
FEE_BOOK_P = 0.8
#: Suspects who take fees from migrants and may keep a book of them.
FEE_TAKERS = ("organiser", "recruiter", "money_courier")
REPORTED_METHODS = ("money_transfer", "bank_transfer", "crypto")


def _agency_of(agencies: tuple[Agency, ...], country: str) -> Agency | None:
    for ag in agencies:
        if ag.country == country:
            return ag
    return None


def _contribution(ag: Agency, n: int, ref: str, sent: int, areas: tuple[str, ...]) -> Contribution:
    c = Contribution(agency=ag, id=f"{ag.id}-{iso_date(sent)[:4]}-{n:06d}", case_ref=ref, sent_at=sent)
    c.fmt = "csv"
    c.crime_areas.update(("migrant_smuggling", *areas))
    return c


def _fill(world: World, rng: np.random.Generator, b: Builder, pays: list[Payment]) -> None:
    case_id = b.case()
    locals_: dict[str, str] = {}
    for p in sorted(pays, key=lambda x: (x.at, x.id)):
        _payment(world, rng, b, p.id, locals_)
        b.link("part_of", b.c.by_true[p.id], case_id)


def money_contributions(
    world: World,
    agencies: tuple[Agency, ...],
    cases: list[Case],
    noise: dict[str, Noise],
    seed: int,
    next_n: Callable[[Agency], int],
    truth_folder: Path,
) -> list[Contribution]:
    """Hawala ledgers, money-transfer and bank reports, fee books; writes truth/money.csv."""
    build_layering(world, seed, truth_folder)
    rng = np.random.Generator(np.random.PCG64([seed, 17_019]))
    by_person: dict[str, list[Payment]] = defaultdict(list)
    for p in world.payments.values():
        by_person[p.payer].append(p)
        if p.payee != p.payer:
            by_person[p.payee].append(p)
    out: list[Contribution] = []
    hawaladars = sorted({h for net in world.networks.values() for h in net.hawaladars})
    for h in hawaladars:
        person = world.persons[h]
        ag = _agency_of(agencies, person.residence)
        if ag is None or rng.random() >= LEDGER_P:
            continue
        seized = int(rng.uniform(START + 180 * DAY, END))
        pays = [
            p
            for p in by_person[h]
            if seized - 365 * DAY <= p.at < seized
            and ((p.payee == h and p.method == "hawala") or (p.payer == h and p.purpose == "hawala payout"))
        ]
        if not pays:
            continue
        c = _contribution(
            ag,
            next_n(ag),
            f"{ag.id}-HAWALA-{iso_date(seized)}",
            seized + int(rng.uniform(5, 40) * DAY),
            ("money_laundering",),
        )
        b = Builder(world, rng, noise[ag.id], c)
        b.person(h, "suspect", "hawaladar", 1.0)
        _fill(world, rng, b, pays)
        out.append(c)
    reported: dict[tuple[str, int], list[Payment]] = defaultdict(list)
    for p in world.payments.values():
        if p.method in REPORTED_METHODS:
            quarter = (p.at - START) // (91 * DAY)
            for country in {p.src_country, p.dst_country}:
                reported[(country, quarter)].append(p)
    for (country, quarter), pays in sorted(reported.items()):
        ag = _agency_of(agencies, country)
        if ag is None or rng.random() >= REPORTS_P:
            continue
        sent = min(END + 20 * DAY, START + (quarter + 1) * 91 * DAY + int(rng.uniform(10, 60) * DAY))
        c = _contribution(ag, next_n(ag), f"{ag.id}-FIU-Q{quarter + 1}", sent, ("money_laundering",))
        _fill(world, rng, Builder(world, rng, noise[ag.id], c), pays)
        out.append(c)
    for case in cases:
        for pid, role, _ in case.suspects:
            if world.persons[pid].role not in FEE_TAKERS or rng.random() >= FEE_BOOK_P:
                continue
            pays = [
                p
                for p in by_person[pid]
                if p.payee == pid and p.purpose in FEE_PURPOSES and case.t0 <= p.at < case.t1
            ]
            if not pays:
                continue
            ag = case.agency
            c = _contribution(ag, next_n(ag), f"{case.ref}-FEES", case.t1 + int(rng.uniform(5, 30) * DAY), ())
            b = Builder(world, rng, noise[ag.id], c)
            b.person(pid, "suspect", role, 1.0)
            _fill(world, rng, b, pays)
            out.append(c)
    _truth(world, truth_folder)
    return out


def _truth(world: World, folder: Path) -> None:
    """truth/money.csv: hawaladars and fee collectors, their networks and fees received."""
    roles: dict[str, str] = {}
    nets: dict[str, set[str]] = defaultdict(set)
    fees: dict[str, int] = defaultdict(int)
    payers: dict[str, set[str]] = defaultdict(set)
    for net in world.networks.values():
        for h in net.hawaladars:
            roles[h] = "hawaladar"
            nets[h].add(net.id)
    for p in world.payments.values():
        if p.purpose in FEE_PURPOSES:
            roles.setdefault(p.payee, "fee_collector")
            nets[p.payee].add(p.network)
            fees[p.payee] += 1
            payers[p.payee].add(p.payer)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "money.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("person", "role", "networks", "fees_received", "fee_payers"))
        for pid in sorted(roles):
            w.writerow((pid, roles[pid], " | ".join(sorted(nets[pid])), fees[pid], len(payers[pid])))
