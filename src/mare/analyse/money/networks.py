"""Money networks and the fees observed in each: the inputs of a turnover estimate.

A money network is a group of parties tied by transfers, found with the brokers left out (a
hawaladar serves several networks and would join them all into one); each broker is then listed
with every network it serves. Fees observed are transfers recorded as fees (purpose) or at a known
fee level; their payers are the journeys seen through payments (one payer, one journey)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from mare.analyse.money.fee_levels import FEE_LEVELS, FeeLevel, is_fee
from mare.analyse.money.transactions import Transfer


@dataclass
class Fees:
    """Fees observed in one money network (or the whole hub)."""

    name: str
    parties: list[str]
    brokers: list[str] = field(default_factory=list)
    payers: int = 0
    fees: int = 0
    eur: float = 0.0
    amounts: list[float] = field(default_factory=list)
    eur_all: float = 0.0  # every transfer inside the network

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (the amounts summarised)."""
        return {
            "name": self.name,
            "parties": len(self.parties),
            "brokers": self.brokers,
            "fee_payers": self.payers,
            "fees": self.fees,
            "fees_eur": round(self.eur, 2),
            "transfers_eur": round(self.eur_all, 2),
        }


def fee_observations(
    transfers: Sequence[Transfer],
    brokers: set[str],
    levels: Sequence[FeeLevel] = FEE_LEVELS,
    min_size: int = 3,
) -> tuple[Fees, list[Fees]]:
    """The hub's fees as a whole, and per money network of at least `min_size` parties (largest first)."""
    graph = nx.Graph()
    for t in transfers:
        if t.source not in brokers and t.target not in brokers and t.source != t.target:
            graph.add_edge(t.source, t.target)
    comps = sorted(
        (sorted(c) for c in nx.connected_components(graph) if len(c) >= min_size),
        key=lambda c: (-len(c), c[0]),
    )
    member = {p: k for k, comp in enumerate(comps) for p in comp}
    nets = [Fees(f"M{k + 1}", comp) for k, comp in enumerate(comps)]
    whole = Fees("hub", sorted({t.source for t in transfers} | {t.target for t in transfers}))
    payers_all: set[str] = set()
    payers: list[set[str]] = [set() for _ in nets]
    served: list[set[str]] = [set() for _ in nets]
    for t in transfers:
        whole.eur_all += t.eur or 0.0
        fee = is_fee(t, levels)
        k = member.get(t.target, member.get(t.source))
        if k is not None:
            nets[k].eur_all += t.eur or 0.0
            for b in (t.source, t.target):
                if b in brokers:
                    served[k].add(b)
        if not fee or t.eur is None:
            continue
        whole.fees += 1
        whole.eur += t.eur
        whole.amounts.append(t.eur)
        payers_all.add(t.source)
        k = member.get(t.target)
        if k is None and t.target in brokers:
            k = member.get(t.source)
        if k is not None:
            nets[k].fees += 1
            nets[k].eur += t.eur
            nets[k].amounts.append(t.eur)
            payers[k].add(t.source)
    whole.payers = len(payers_all)
    whole.brokers = sorted(brokers)
    for k, net in enumerate(nets):
        net.payers = len(payers[k])
        net.brokers = sorted(served[k])
    return whole, nets
