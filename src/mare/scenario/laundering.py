"""Layering: proceeds moved on from a network's front business through other companies.

The 2016 report names the businesses smugglers launder through: car dealerships, groceries,
restaurants, transport firms, travel agencies, internet cafés (DOMAIN.md, seeds/004). In the scenario
the leader pays part of each month's takings into the front business's bank account as an invoice
(`scenario/money.py`); here, with probability P_LAYERED, that deposit is moved on within days as
payments for goods and services that hide where it came from: to a car dealer or transport firm in
another country on the network's route (vehicles bought, freight paid), then to a trading company or
travel agency where the leader comes from (goods, services), each keeping a small part (KEEP) as its
margin. The companies are the network's (owned by its leader through straw men), each with one bank
account; the transfers are bank transfers, so the financial intelligence units' quarterly reports
carry them (`scenario/money_records.py`).

Drawn on its own random stream after the world is built, so everything else stays as it was.
`truth/layering.csv` lists each chain: the deposit and the hops, with the parties and amounts.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from mare.scenario import fleet
from mare.scenario.params import DAY, END
from mare.scenario.places import EU_COUNTRIES, PLACES
from mare.scenario.world import Payment, World, nid

P_LAYERED = 0.7  # a deposit into the front business moved on through the chain
KEEP = (0.02, 0.08)  # the share each company keeps as its margin
HOP_DAYS = (1.0, 6.0)  # days between receiving and paying on
#: (business type, purpose of the payment it receives), the first hop then the second.
FIRST = (("car_dealership", "purchase of vehicles"), ("transport_company", "freight services"))
SECOND = (("travel_agency", "travel services"), ("grocery", "goods (wholesale)"))


def _company(
    world: World, rng: np.random.Generator, owner: str, country: str, network: str, btype: str
) -> str:
    return fleet.business(world, rng, world.persons[owner], country, network, btype).id


def _account(world: World, rng: np.random.Generator, biz: str, network: str) -> str:
    owner = world.persons[world.things[biz].owner]
    acc = fleet.account(world, rng, owner, "bank", network)
    acc.owner = biz
    acc.fields["holder_name"] = world.things[biz].fields["name"]
    acc.fields["country"] = acc.fields.get("country") or world.things[biz].fields["country"]
    return acc.id


def build_layering(world: World, seed: int, truth_folder: Path) -> list[Payment]:
    """Move on the deposits into front businesses through two more companies; write the truth."""
    rng = np.random.Generator(np.random.PCG64([seed, 17_023]))
    deposits: dict[str, list[Payment]] = {}
    for p in world.payments.values():
        if p.purpose == "invoice" and p.payee.startswith("O") and p.payee_account:
            deposits.setdefault(p.network, []).append(p)
    made: list[Payment] = []
    rows: list[tuple[str, ...]] = []
    for net_id in sorted(deposits):
        net = world.networks[net_id]
        leader = world.persons[net.leader]
        front = deposits[net_id][0].payee
        here = str(world.things[front].fields["country"])
        route = sorted({PLACES[p].country for p in net.line} & EU_COUNTRIES - {here})
        abroad = route[int(rng.integers(len(route)))] if route else here
        front_type = world.things[front].fields.get("business_type")
        first = [f for f in FIRST if f[0] != front_type]  # another trade than the front's
        second = [f for f in SECOND if f[0] != front_type]
        b_type, b_purpose = first[int(rng.integers(len(first)))]
        c_type, c_purpose = second[int(rng.integers(len(second)))]
        b = _company(world, rng, leader.id, abroad, net_id, b_type)
        c = _company(world, rng, leader.id, leader.nationality, net_id, c_type)
        accounts = {b: _account(world, rng, b, net_id), c: _account(world, rng, c, net_id)}
        for dep in sorted(deposits[net_id], key=lambda x: (x.at, x.id)):
            if rng.random() >= P_LAYERED or dep.at + 2 * HOP_DAYS[1] * DAY >= END:
                continue  # (a deposit in the period's last days is moved on after it)
            amount, at, payer, payer_acc = dep.amount, dep.at, dep.payee, dep.payee_account
            chain = [dep]
            for payee, purpose in ((b, b_purpose), (c, c_purpose)):
                amount = int(round(amount * (1 - float(rng.uniform(*KEEP))) / 10) * 10)
                at += int(rng.uniform(*HOP_DAYS) * DAY)
                p = Payment(
                    id=nid("Y", len(world.payments)),
                    amount=amount,
                    currency="EUR",
                    at=at,
                    method="bank_transfer",
                    purpose=purpose,
                    src_country=str(world.things[payer].fields["country"]),
                    dst_country=str(world.things[payee].fields["country"]),
                    payer=payer,
                    payee=payee,
                    payer_account=payer_acc,
                    payee_account=accounts[payee],
                    network=net_id,
                )
                world.payments[p.id] = p
                made.append(p)
                chain.append(p)
                payer, payer_acc = payee, accounts[payee]
            for hop, p in enumerate(chain):
                rows.append((dep.id, net_id, str(hop), p.id, p.payer, p.payee, str(p.amount)))
    truth_folder.mkdir(parents=True, exist_ok=True)
    with (truth_folder / "layering.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("chain", "network", "hop", "payment", "payer", "payee", "eur"))
        w.writerows(rows)
    return made
