"""Money: smuggling fees, hawala payouts, proceeds to leaders, laundering, bribes."""

from __future__ import annotations

import numpy as np

from mare.scenario import fleet
from mare.scenario.params import DAY, END, Params
from mare.scenario.people import pick
from mare.scenario.places import PLACES
from mare.scenario.world import Journey, Network, Payment, Person, World, nid

_ACCOUNT_TYPE = {
    "bank_transfer": "bank",
    "money_transfer": "money_transfer",
    "crypto": "crypto",
    "hawala": "hawala",
}


class Money:
    """Creates payments and the accounts they go through."""

    def __init__(self, world: World, rng: np.random.Generator, params: Params) -> None:
        self.world, self.rng, self.params = world, rng, params
        self.accounts: dict[tuple[str, str], str] = {}
        self.takings: dict[tuple[str, str, int], int] = {}  # (network, organiser, month) -> EUR

    def account(self, person: Person, atype: str, network: str) -> str:
        """The person's account of that type (made on first use)."""
        key = (person.id, atype)
        if key not in self.accounts:
            self.accounts[key] = fleet.account(self.world, self.rng, person, atype, network).id
        return self.accounts[key]

    def pay(
        self,
        amount: int,
        at: int,
        method: str,
        purpose: str,
        payer: Person,
        payee: Person,
        network: str,
        migrant: str = "",
        src: str = "",
        dst: str = "",
    ) -> Payment:
        """Record one payment (accounts are used for non-cash methods)."""
        p = Payment(
            id=nid("Y", len(self.world.payments)),
            amount=amount,
            currency="EUR",
            at=at,
            method=method,
            purpose=purpose,
            src_country=src or payer.residence,
            dst_country=dst or payee.residence,
            payer=payer.id,
            payee=payee.id,
            network=network,
            migrant=migrant,
        )
        atype = _ACCOUNT_TYPE.get(method)
        if atype is not None and atype != "hawala":
            p.payer_account = self.account(payer, atype, "")
        if atype is not None:
            p.payee_account = self.account(payee, atype, network)
        self.world.payments[p.id] = p
        return p

    def fee(self, journey: Journey) -> None:
        """The fee of one journey, paid before, per leg or on arrival."""
        w, rng = self.world, self.rng
        chain: list[tuple[str, str, int, str]] = []  # network, organiser, time, place
        for tid in journey.trips:
            trip = w.trips[tid]
            if trip.facilitated and (not chain or chain[-1][0] != trip.network):
                chain.append((trip.network, trip.organiser, trip.depart, trip.src))
        if not chain:
            return
        lo, hi = self.params.world.fee_eur
        journey.fee = int(round(float(rng.uniform(lo, hi)) / 100) * 100)
        journey.timing = pick(rng, self.params.world.pay_timing)
        migrant = w.persons[journey.migrant]
        relative = w.persons.get(journey.relative)
        last = w.trips[journey.trips[-1]]
        journey.destination = PLACES[last.dst].country
        if journey.timing == "per_leg":
            share = journey.fee // len(chain)
            for net, org, t, place in chain:
                self._one(
                    share,
                    t - int(rng.uniform(0.2, 2) * DAY),
                    migrant,
                    relative,
                    net,
                    org,
                    place,
                    "fee for the next leg",
                )
            return
        net, org, t, place = chain[0]
        if journey.timing == "before":
            at = t - int(rng.uniform(1, 10) * DAY)
        else:
            at = min(END - 3600, last.arrive + int(rng.uniform(1, 15) * DAY))
            migrant_place = last.dst
            place = migrant_place if relative is None else place
        self._one(journey.fee, at, migrant, relative, net, org, place, "smuggling fee")
        for _net2, org2, t2, _ in chain[1:]:  # the first network pays the others their part
            part = journey.fee // (len(chain) + 1)
            self.pay(
                part,
                max(at, t2),
                "hawala" if rng.random() < 0.6 else "cash",
                "share for partner network",
                w.persons[org],
                w.persons[org2],
                net,
                migrant.id,
            )

    def _one(
        self,
        amount: int,
        at: int,
        migrant: Person,
        relative: Person | None,
        net: str,
        org: str,
        place: str,
        purpose: str,
    ) -> None:
        w, rng = self.world, self.rng
        method = pick(rng, self.params.world.pay_method)
        network = w.networks[net]
        organiser = w.persons[org]
        here = PLACES[place].country
        if method == "cash":
            self.pay(amount, at, "cash", purpose, migrant, organiser, net, migrant.id, here, here)
            self._take(net, org, at, amount)
            return
        payer = relative if relative is not None and rng.random() < 0.7 else migrant
        src = payer.residence if payer is relative else here
        if method == "hawala" and network.hawaladars:
            h = w.persons[network.hawaladars[int(rng.integers(len(network.hawaladars)))]]
            self.pay(amount, at, "hawala", purpose, payer, h, net, migrant.id, src, h.residence)
            payout = at + int(rng.uniform(0.5, 5) * DAY)
            self.pay(
                amount - amount // 50,
                payout,
                "cash",
                "hawala payout",
                h,
                organiser,
                net,
                migrant.id,
                h.residence,
                organiser.residence,
            )
        else:
            if method == "hawala":
                method = "money_transfer"
            mules = [
                m.person
                for m in network.members
                if m.role in ("money_courier", "recruiter") and m.start <= at < m.end
            ]
            payee = w.persons[mules[int(rng.integers(len(mules)))]] if mules else organiser
            self.pay(amount, at, method, purpose, payer, payee, net, migrant.id, src, payee.residence)
        self._take(net, org, at, amount)

    def _take(self, net: str, org: str, at: int, amount: int) -> None:
        key = (net, org, (at // DAY) // 30)
        self.takings[key] = self.takings.get(key, 0) + amount

    def proceeds(self, networks: dict[str, Network]) -> None:
        """Monthly cash to leaders by courier, deposits into front businesses, bribes."""
        w, rng = self.world, self.rng
        for (net_id, org, month), total in sorted(self.takings.items()):
            net = networks[net_id]
            at = min(END - 3600, (month + 1) * 30 * DAY + int(rng.uniform(0, 5) * DAY))
            leader = w.persons[net.leader]
            if org == net.leader:
                continue
            share = int(total * float(rng.uniform(0.3, 0.5)))
            method = "cash" if rng.random() < 0.7 else "hawala"
            self.pay(share, at, method, "proceeds to leader", w.persons[org], leader, net_id)
            officials = [m.person for m in net.members if m.role == "corrupt_official"]
            if officials and rng.random() < 0.5:
                off = w.persons[officials[int(rng.integers(len(officials)))]]
                self.pay(int(total * 0.05), at - DAY, "cash", "bribe", w.persons[org], off, net_id)
            if net.businesses and rng.random() < 0.6:
                biz = w.things[net.businesses[0]]
                p = self.pay(share // 2, at + 3 * DAY, "bank_transfer", "invoice", leader, leader, net_id)
                p.payee = biz.id
                p.dst_country = str(biz.fields["country"])
                p.payee_account = self.business_account(biz.id, leader, net_id)

    def business_account(self, biz: str, owner: Person, network: str) -> str:
        """The front business's bank account."""
        key = (biz, "bank")
        if key not in self.accounts:
            acc = fleet.account(self.world, self.rng, owner, "bank", network)
            acc.owner = biz
            acc.fields["holder_name"] = self.world.things[biz].fields["name"]
            self.accounts[key] = acc.id
        return self.accounts[key]


def build_money(world: World, rng: np.random.Generator, params: Params) -> None:
    """Front businesses, then every journey's fee, then the proceeds."""
    for nid_ in sorted(world.networks):
        net = world.networks[nid_]
        if rng.random() < 0.6:
            leader = world.persons[net.leader]
            country = leader.residence
            biz = fleet.business(world, rng, leader, country, net.id)
            net.businesses.append(biz.id)
    money = Money(world, rng, params)
    for mid in sorted(world.journeys):
        money.fee(world.journeys[mid])
    money.proceeds(world.networks)
