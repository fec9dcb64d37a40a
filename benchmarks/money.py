"""Money patterns measured against labels, each beside a naive anchor from the same run.

Sections (each prints a Markdown table; `--only` picks some):

- **amlsim**: the AMLSim sample in ../shared/data/money/amlsim (synthetic, Apache-2.0): accounts
  labelled `isFraud`, all in the alerts' `cycle` typology. Our time-ordered cycles beside the same
  bounded-length cycle search without time order (the anchor), precision and recall per account.
- **synthetic**: a labelled set of our own making (seeded): background transfers among 20,000
  accounts (a fifth of them to 200 busy merchants, paid all year round), with injected fan-ins
  (8–15 payers within 5 days, amounts just under 10,000), fan-outs (the mirror) and cycles (3–6
  accounts, each hop 1–3 days later, a few per cent kept per hop), 100,000 transfers in all.
  Precision and recall per pattern beside a naive degree threshold (fan-in/out: 8 or more distinct
  counterparties over the whole year) and, for cycles, every account in a strongly connected
  component of three or more; time of each.
- **scenario**: a hub holding a scenario world (`--home`, `--world`): hawaladars and the networks'
  fee collectors (`truth/money.csv`: payees of fees from 5 or more migrants) recovered from
  `mare money --hub` as the hub's analyst. Recall
  over those the hub sees receiving at least one payment (and over all); precision: of the parties
  flagged broker, the share that are hawaladars; flagged collector (fan-in or broker; and, in a row of
  its own, fan-in, broker or fee-taker: a payee a record reports taking a fee, graded below a
  fan-in), the share that took fees at all (any fee collector or hawaladar), and strictly, the share
  that are collectors of 5 or more payers or hawaladars; the anchor is a naive degree threshold on the
  same transfers (3 or more distinct payers).
- **fee levels** (with scenario): fees told by their amount alone, purposes hidden, on half the hub's
  transfers: the sources' one level (EUR 3,000-6,000, the anchor) beside levels per route derived
  from the fees recorded in the other half (`analyse/money/fee_levels.py`).
- **layering** (with scenario): the world's layering chains (`truth/layering.csv`: a deposit into a
  front business and the two hops that move it on) found whole by one layering pattern, over the
  chains the hub holds whole and over all; precision by transfer; the anchor is any chain of three or
  more transfers each within 10 days of the one before (no limit on counterparties or on what is kept).
- **fee payers on legs** (with scenario): the fee transfers whose payer the hub sees on a journey leg,
  and whether that leg is one the fee's migrant travelled, and the one the fee paid for.
- **corridors**: the scenario's corridor volumes (EUR, country -> country) beside the World Bank's
  2017 bilateral remittance estimates for the same corridors: Spearman rank correlation, a
  plausibility check only (smuggling fees are not remittances, and the scenario is synthetic).

Run: uv run python benchmarks/money.py [--only amlsim,synthetic] [--home HOME --world WORLD]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from mare.analyse.money.patterns import Analysis, Thresholds, find_patterns
from mare.analyse.money.transactions import DAY, Transfer, parse_time

DATA = Path(os.environ.get("MARE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
AMLSIM = DATA / "money" / "amlsim" / "sample" / "outputs"
REMITTANCES = DATA / "money" / "remittances" / "bilateral_remittances_2017_long.csv"
T0 = parse_time("2025-01-01")
#: A fee collector in the truth: the payee of fees from at least this many migrants in the world (one
#: fee received now and then is not collecting).
COLLECTOR_MIN = 5


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def pr(found: set[str], truth: set[str]) -> tuple[float, float, int]:
    """Precision, recall and the number flagged."""
    tp = len(found & truth)
    return (tp / len(found) if found else 0.0, tp / len(truth) if truth else 0.0, len(found))


def untimed_cycles(transfers: Iterable[Transfer], lo: int = 3, hi: int = 6, limit: int = 200_000) -> set[str]:
    """The anchor: every account on a simple cycle of lo..hi parties, times ignored."""
    g = nx.DiGraph()
    g.add_edges_from((t.source, t.target) for t in transfers if t.source != t.target)
    out: set[str] = set()
    for n, cycle in enumerate(nx.simple_cycles(g, length_bound=hi)):
        if n >= limit:
            break
        if len(cycle) >= lo:
            out.update(cycle)
    return out


def scc_members(transfers: Iterable[Transfer], lo: int = 3) -> set[str]:
    """The cycle anchor at scale: every account in a strongly connected component of lo or more (each lies
    on some cycle, of any length and time). Johnson's enumeration without times (`untimed_cycles`) did
    not finish on 100,000 transfers within the time this benchmark allows, so it anchors AMLSim only."""
    g = nx.DiGraph()
    g.add_edges_from((t.source, t.target) for t in transfers if t.source != t.target)
    return {n for comp in nx.strongly_connected_components(g) if len(comp) >= lo for n in comp}


def degree(transfers: Iterable[Transfer], k: int, into: bool = True) -> set[str]:
    """The anchor: parties with at least k distinct counterparties over the whole period."""
    peers: dict[str, set[str]] = defaultdict(set)
    for t in transfers:
        a, b = (t.target, t.source) if into else (t.source, t.target)
        peers[a].add(b)
    return {p for p, s in peers.items() if len(s) >= k}


def cycle_members(a: Analysis) -> set[str]:
    """Every party on a cycle found."""
    return {p for c in a.of_kind("cycle") for p in c.parties}


# ---------------------------------------------------------------------------------------------- AMLSim
def amlsim() -> dict[str, Any] | None:
    """Cycles on the AMLSim sample, per account, beside untimed cycles."""
    if not AMLSIM.is_dir():
        return None
    transfers = [
        Transfer(
            r["ACCOUNT_ID"],
            r["COUNTER_PARTY_ACCOUNT_NUM"],
            float(r["TXN_AMOUNT_ORIG"]),
            "USD",
            float(r["TXN_AMOUNT_ORIG"]),
            T0 + int(r["start"]) * DAY,
            method=r["TXN_SOURCE_TYPE_CODE"].lower(),
            ref=r["TXN_ID"],
        )
        for r in _csv(AMLSIM / "tx.csv")
    ]
    accounts = _csv(AMLSIM / "accounts.csv")
    truth = {r["ACCOUNT_ID"] for r in accounts if r["isFraud"].lower() == "true"}
    typologies = Counter(r["CHECK_NAME"] for r in _csv(AMLSIM / "alerts.csv"))
    started = time.perf_counter()
    a = find_patterns(transfers, thresholds=Thresholds(cycle_days=150))
    seconds = time.perf_counter() - started
    return {
        "transfers": len(transfers),
        "accounts": len(accounts),
        "labelled": sorted(truth, key=int),
        "typologies": dict(typologies),
        "ours": pr(cycle_members(a), truth),
        "cycles": [c.parties for c in a.of_kind("cycle")],
        "anchor": pr(untimed_cycles(transfers), truth),
        "seconds": seconds,
    }


# ------------------------------------------------------------------------------------------- synthetic
def synthetic(
    n: int = 100_000, seed: int = 11
) -> tuple[list[Transfer], dict[str, set[str]], list[list[str]]]:
    """Background transfers with injected fan-ins, fan-outs and cycles, and their labels."""
    rng = np.random.default_rng(seed)
    accounts = 20_000
    merchants = 200
    labels: dict[str, set[str]] = {"fan-in": set(), "fan-out": set(), "cycle": set()}
    cycles: list[list[str]] = []
    injected: list[Transfer] = []
    used: set[int] = set()

    def fresh() -> str:
        while True:
            k = int(rng.integers(merchants, accounts))
            if k not in used:
                used.add(k)
                return f"A{k}"

    for kind in ("fan-in", "fan-out"):
        for _ in range(200):
            hub = fresh()
            labels[kind].add(hub)
            start = float(rng.uniform(0, 360))
            for _ in range(int(rng.integers(8, 16))):
                other = f"A{int(rng.integers(merchants, accounts))}"
                when = T0 + int((start + rng.uniform(0, 5)) * DAY)
                amount = float(rng.uniform(9_000, 9_900))
                src, dst = (other, hub) if kind == "fan-in" else (hub, other)
                injected.append(Transfer(src, dst, amount, "EUR", amount, when, ref=kind))
    for _ in range(200):
        size = int(rng.integers(3, 7))
        members = [fresh() for _ in range(size)]
        labels["cycle"].update(members)
        cycles.append(members)
        when = float(rng.uniform(0, 340))
        amount = float(rng.uniform(5_000, 50_000))
        for k in range(size):
            when += float(rng.uniform(1, 3))
            injected.append(
                Transfer(
                    members[k],
                    members[(k + 1) % size],
                    amount,
                    "EUR",
                    amount,
                    T0 + int(when * DAY),
                    ref="cycle",
                )
            )
            amount *= float(rng.uniform(0.95, 0.99))
    m = n - len(injected)
    src = rng.integers(merchants, accounts, m)
    to_merchant = rng.random(m) < 0.2
    dst = np.where(to_merchant, rng.integers(0, merchants, m), rng.integers(merchants, accounts, m))
    days = rng.uniform(0, 365, m)
    amounts = np.round(rng.lognormal(5.5, 1.2, m), 2)
    background = [
        Transfer(f"A{s}", f"A{d}", float(a), "EUR", float(a), T0 + int(t * DAY), ref="background")
        for s, d, t, a in zip(src.tolist(), dst.tolist(), days.tolist(), amounts.tolist(), strict=True)
        if s != d
    ]
    return background + injected, labels, cycles


#: Bursts, as the set is made: 8 payers (payees) within 7 days, cycles within 20 days; the fee rule
#: off (the set has no fees, and a tenth of its amounts fall in the fee range by chance).
SYNTHETIC_THRESHOLDS = Thresholds(fan_min=8, window_days=7, cycle_days=20, fee_payers_min=10**9)


def synthetic_bench(n: int) -> dict[str, Any]:
    """Precision/recall per pattern on the synthetic set, ours and the anchors'."""
    started = time.perf_counter()
    transfers, labels, cycles = synthetic(n)
    made = time.perf_counter() - started
    started = time.perf_counter()
    a = find_patterns(transfers, thresholds=SYNTHETIC_THRESHOLDS)
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    anchor_in = degree(transfers, 8, True)
    anchor_out = degree(transfers, 8, False)
    anchor_cycles = scc_members(transfers)
    anchor_s = time.perf_counter() - started
    found_cycles = {frozenset(c.parties) for c in a.of_kind("cycle")}
    whole = sum(1 for c in cycles if frozenset(c) in found_cycles)
    return {
        "transfers": len(transfers),
        "made_s": made,
        "ours_s": ours_s,
        "anchor_s": anchor_s,
        "rows": {
            "fan-in": (pr(a.flagged("fan-in"), labels["fan-in"]), pr(anchor_in, labels["fan-in"])),
            "fan-out": (pr(a.flagged("fan-out"), labels["fan-out"]), pr(anchor_out, labels["fan-out"])),
            "cycle (accounts)": (pr(cycle_members(a), labels["cycle"]), pr(anchor_cycles, labels["cycle"])),
        },
        "cycles_whole": (whole, len(cycles)),
        "notes": a.notes,
        "patterns": dict(Counter(p.kind for p in a.patterns)),
    }


# -------------------------------------------------------------------------------------------- scenario
def scenario(home: Path, world: Path) -> dict[str, Any]:
    """Hawaladars and fee collectors recovered from the hub, as the hub's analyst."""
    from mare.access.policy import HUB_AGENCY, Viewer
    from mare.hub.context import HubContext
    from mare.hub.money import advertised_prices, hub_money
    from mare.store.db import open_store

    roles = {r["person"]: r for r in _csv(world / "truth" / "money.csv")}
    true_id = {
        (r["agency"], r["contribution"], r["record"]): r["true_id"]
        for r in _csv(world / "truth" / "records.csv")
    }
    started = time.perf_counter()
    with open_store(home, create=False) as store:
        key_of = {
            str(uid): (str(ag), str(s), str(local))
            for uid, ag, s, local in store.con.execute(
                "SELECT r.uid, r.agency, c.sender_id, r.local_id FROM records r "
                "JOIN contributions c ON c.uid = r.contribution "
                "WHERE r.kind IN ('person', 'organisation', 'payment')"
            ).fetchall()
        }
        viewer = Viewer("benchmark", HUB_AGENCY, frozenset({"analyst"}))
        with HubContext(store, viewer, "operator", why="validation (benchmarks/money.py)") as ctx:
            result = hub_money(ctx)
            adverts = advertised_prices(ctx)
    seconds = time.perf_counter() - started
    assert result.analysis is not None

    def person(node: str) -> str:
        party = result.parties.get(node)
        ids = Counter(true_id.get(key_of.get(u, ("", "", "")), "?") for u in (party.records if party else ()))
        return ids.most_common(1)[0][0] if ids else "?"

    receiving = {person(t.target) for t in result.transfers}
    brokers = {person(p) for p in result.analysis.flagged("broker")}
    collectors = {person(p) for p in result.analysis.flagged("fan-in")}
    takers = {person(p) for p in result.analysis.flagged("fee-taker")}
    hawaladars = {p for p, r in roles.items() if r["role"] == "hawaladar"}
    fee_collectors = {
        p
        for p, r in roles.items()
        if r["role"] == "fee_collector" and int(r.get("fee_payers") or 0) >= COLLECTOR_MIN
    }
    transfers = result.transfers
    anchor = {person(p) for p in degree(transfers, 3, True)}
    took_fees = {p for p, r in roles.items()}  # every fee collector (any count) and hawaladar
    strict = fee_collectors | hawaladars  # collectors of 5 or more payers, and hawaladars
    with_takers = collectors | brokers | takers
    rows = {}
    for name, truth, flagged, right in (
        ("hawaladars (broker)", hawaladars, brokers, hawaladars),
        ("fee collectors (fan-in or broker)", fee_collectors, collectors | brokers, took_fees),
        ("fee collectors (fan-in, broker or fee-taker)", fee_collectors, with_takers, took_fees),
    ):
        seen = truth & receiving
        rows[name] = {
            "strict_precision": len(flagged & (right & strict)) / len(flagged) if flagged else 0.0,
            "anchor_strict_precision": len(anchor & right & strict) / len(anchor) if anchor else 0.0,
            "true": len(truth),
            "seen": len(seen),
            "found": len(seen & flagged),
            "recall_seen": len(seen & flagged) / len(seen) if seen else 0.0,
            "recall_all": len(truth & flagged) / len(truth) if truth else 0.0,
            "precision": len(flagged & right) / len(flagged) if flagged else 0.0,
            "flagged": len(flagged),
            "anchor_recall_seen": len(seen & anchor) / len(seen) if seen else 0.0,
            "anchor_precision": len(anchor & right) / len(anchor) if anchor else 0.0,
            "anchor_flagged": len(anchor),
        }
    corridors = {(c.source, c.target): c.eur for c in result.flows.corridors} if result.flows else {}
    payments = {r["id"]: r for r in _csv(world / "truth" / "payments.csv")}
    true_pay = {t.ref: true_id.get(key_of.get(t.ref, ("", "", "")), "") for t in transfers}
    truly = {ref: payments.get(pid, {}).get("purpose", "") for ref, pid in true_pay.items()}
    return {
        "layering": layering_rows(world, transfers, result.analysis, true_pay),
        "payer_legs": payer_leg_rows(world, transfers, true_pay, payments),
        "fee_levels": fee_level_rows([t for t in transfers if truly[t.ref]], truly, adverts),
        "payments": result.payments,
        "transfers": len(transfers),
        "parties": len(result.parties),
        "patterns": dict(Counter(p.kind for p in result.analysis.patterns)),
        "rows": rows,
        "seconds": seconds,
        "corridors": corridors,
        "fees": result.fees.as_dict() if result.fees else None,
    }


def layering_rows(
    world: Path, transfers: list[Transfer], analysis: Analysis, true_pay: dict[str, str]
) -> dict[str, Any]:
    """The world's layering chains (`truth/layering.csv`: a deposit into a front business and the hops
    that move it on) against the layering patterns found, ours and the anchor's (chains of 3 or more
    transfers, each within 10 days of the one before, whatever the amounts and the parties' degrees)."""
    path = world / "truth" / "layering.csv"
    chains: dict[str, set[str]] = {}
    for r in _csv(path) if path.is_file() else []:
        chains.setdefault(r["chain"], set()).add(r["payment"])
    hops = set().union(*chains.values()) if chains else set()
    held = {true_pay[t.ref] for t in transfers}
    seen = {c for c, pays in chains.items() if pays <= held}
    anchor = find_patterns(
        transfers, thresholds=Thresholds(hop_keep=0.0, layer_max_degree=10**9, fee_payers_min=10**9)
    )
    rows = {}
    for name, patterns in (("ours", analysis.of_kind("layering")), ("anchor", anchor.of_kind("layering"))):
        found = [{true_pay.get(ref, "") for ref in p.refs} for p in patterns]
        whole = {c for c in seen if any(chains[c] <= f for f in found)}
        flagged = set().union(*found) if found else set()
        rows[name] = {
            "patterns": len(patterns),
            "chains_found_whole": len(whole),
            "recall_seen": len(whole) / len(seen) if seen else 0.0,
            "recall_all": len(whole) / len(chains) if chains else 0.0,
            "transfers_flagged": len(flagged),
            "precision": len(flagged & hops) / len(flagged) if flagged else 0.0,
        }
    return {"chains": len(chains), "seen_whole": len(seen), "rows": rows}


def payer_leg_rows(
    world: Path, transfers: list[Transfer], true_pay: dict[str, str], payments: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """Fees whose payer the hub sees on a journey leg (the route the fee is matched by), against the
    world: is the route one of the legs the fee's migrant travelled, and the leg it paid for (a fee for
    the next leg: that network's next leg after the payment; a journey's fee: any leg of the journey)?"""
    from mare.scenario.places import PLACES

    legs = {r["id"]: r for r in _csv(world / "truth" / "legs.csv")}
    journey = {r["migrant"]: r["legs"].split(" | ") for r in _csv(world / "truth" / "journeys.csv")}

    def route(leg: dict[str, str]) -> tuple[str, str]:
        return PLACES[leg["from"]].country, PLACES[leg["to"]].country

    fees = linked = own = paid_for = by_migrant = by_migrant_linked = 0
    for t in transfers:
        pay = payments.get(true_pay[t.ref])
        if pay is None or pay["purpose"] not in ("smuggling fee", "fee for the next leg"):
            continue
        fees += 1
        mine = [legs[x] for x in journey.get(pay["migrant"], []) if x in legs]
        by_migrant += pay["payer"] == pay["migrant"]
        if t.destination is None:
            continue
        linked += 1
        by_migrant_linked += pay["payer"] == pay["migrant"]
        got = (t.origin, t.destination)
        own += got in {route(leg) for leg in mine}
        if pay["purpose"] == "fee for the next leg":
            after = [leg for leg in mine if leg["network"] == pay["network"] and leg["departed"] >= pay["at"]]
            paid_for += bool(after) and got == route(after[0])
        else:
            paid_for += got in {route(leg) for leg in mine}
    return {
        "fees": fees,
        "paid_by_the_migrant": by_migrant,
        "linked": linked,
        "linked_paid_by_the_migrant": by_migrant_linked,
        "route_a_leg_of_the_migrants_journey": own,
        "route_the_leg_paid_for": paid_for,
    }


def fee_level_rows(
    transfers: list[Transfer], truly: dict[str, str], adverts: list[tuple[str, str | None, float]] = ()
) -> dict[str, Any]:
    """Fees told by amount alone, purposes hidden: the sources' single level (the anchor) beside levels
    per route derived from the fees recorded in the other half of the transfers (split by record): by
    the country the fee is received in only, by whole route (the payer's leg) where known, and with the
    adverts' prices too."""
    from dataclasses import replace

    from mare.analyse.money.fee_levels import FEE_LEVELS, level_of, route_levels

    half = {t.ref: int(hashlib.sha256(t.ref.encode()).hexdigest(), 16) % 2 for t in transfers}
    train = [t for t in transfers if half[t.ref] == 0]
    test = [replace(t, purpose=None) for t in transfers if half[t.ref] == 1]
    fee = {t.ref: truly[t.ref] in ("smuggling fee", "fee for the next leg") for t in transfers}
    routed = sum(t.destination is not None for t in transfers)
    no_route = [replace(t, origin=None, destination=None) for t in test]
    by_country = route_levels([replace(t, origin=None, destination=None) for t in train])
    derived = route_levels(train)
    advertised = route_levels(train, adverts)
    rows = {}
    for name, levels, told in (
        ("anchor: one level, EUR 3,000-6,000 (seeds/004)", FEE_LEVELS, test),
        (
            f"by country received in: {len(by_country)} levels from the other half's fees, else the anchor's",
            (*FEE_LEVELS, *by_country),
            no_route,
        ),
        (
            f"ours: {len(derived)} levels by whole route ({routed:,} transfers with the payer's leg), "
            "else country, else the anchor's",
            (*FEE_LEVELS, *derived),
            test,
        ),
        (
            f"ours with {len(adverts):,} adverts' prices: {len(advertised)} levels",
            (*FEE_LEVELS, *advertised),
            test,
        ),
    ):
        flagged = [t for t in told if level_of(t, levels) is not None]
        hits = sum(fee[t.ref] for t in flagged)
        true = sum(fee[t.ref] for t in told)
        rows[name] = (hits / len(flagged) if flagged else 0.0, hits / true if true else 0.0, len(flagged))
    return {"train": len(train), "test": len(test), "fees": sum(fee[t.ref] for t in test), "rows": rows}


def _iso2(name: str, cache: dict[str, str | None]) -> str | None:
    if name in cache:
        return cache[name]
    import pycountry

    code = None
    for attempt in (name, name.split(",")[0], name.replace("Turkey", "Türkiye")):
        try:
            code = pycountry.countries.lookup(attempt.strip()).alpha_2
            break
        except LookupError:
            continue
    cache[name] = code
    return code


def corridors(volumes: dict[tuple[str, str], float]) -> dict[str, Any] | None:
    """Spearman rank correlation of the scenario's corridor volumes with the World Bank's."""
    if not REMITTANCES.is_file():
        return None
    from scipy.stats import spearmanr

    cache: dict[str, str | None] = {}
    wb: dict[tuple[str, str], float] = {}
    for r in _csv(REMITTANCES):
        a, b = _iso2(r["sending_country"], cache), _iso2(r["receiving_country"], cache)
        if a and b:
            wb[(a, b)] = float(r["usd_millions_2017_estimate"])
    pairs = sorted(k for k in volumes if k in wb and k[0] != k[1] and volumes[k] > 0)
    if len(pairs) < 3:
        return {"pairs": len(pairs), "rho": None, "p": None, "scenario_corridors": len(volumes)}
    rho, p = spearmanr([volumes[k] for k in pairs], [wb[k] for k in pairs])
    return {
        "pairs": len(pairs),
        "rho": float(rho),
        "p": float(p),
        "scenario_corridors": len(volumes),
        "examples": [(f"{a}->{b}", round(volumes[(a, b)]), round(wb[(a, b)], 1)) for a, b in pairs[:8]],
    }


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="amlsim,synthetic,scenario,corridors", help="sections, comma-separated")
    ap.add_argument("--home", type=Path, help="a store holding the scenario (for scenario and corridors)")
    ap.add_argument("--world", type=Path, help="the scenario folder (with truth/)")
    ap.add_argument("--transactions", type=int, default=100_000, help="size of the synthetic set")
    args = ap.parse_args()
    only = set(args.only.split(","))
    if "amlsim" in only:
        r = amlsim()
        if r is None:
            print(f"AMLSim sample not found at {AMLSIM}: skipped")
        else:
            print(
                f"## AMLSim sample: {r['transfers']} transfers, {r['accounts']} accounts, "
                f"alerts {r['typologies']}, "
                f"labelled accounts {', '.join(r['labelled'])} ({r['seconds'] * 1000:.0f} ms)\n"
            )
            print("| cycle accounts | precision | recall | flagged |\n|---|---:|---:|---:|")
            for name, (p, rc, n) in (
                ("ours: time-ordered, within 150 days", r["ours"]),
                ("anchor: any cycle of 3-6, times ignored", r["anchor"]),
            ):
                print(f"| {name} | {p:.3f} | {rc:.3f} | {n} |")
            print(f"\ncycles found: {r['cycles']}\n")
    if "synthetic" in only:
        r = synthetic_bench(args.transactions)
        print(
            f"## Synthetic set: {r['transfers']:,} transfers (made in {r['made_s']:.1f} s); "
            f"ours {r['ours_s']:.1f} s (all patterns), anchors {r['anchor_s']:.1f} s; "
            f"thresholds {SYNTHETIC_THRESHOLDS}\n"
        )
        print("| pattern | ours P | ours R | ours flagged | anchor P | anchor R | anchor flagged |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, ((p, rc, n), (ap_, ar, an)) in r["rows"].items():
            print(f"| {name} | {p:.3f} | {rc:.3f} | {n} | {ap_:.3f} | {ar:.3f} | {an} |")
        whole, total = r["cycles_whole"]
        print(
            f"\nInjected cycles found whole: {whole} of {total}; "
            f"patterns {r['patterns']}; notes {r['notes']}\n"
        )
    volumes: dict[tuple[str, str], float] = {}
    if "scenario" in only and args.home and args.world:
        r = scenario(args.home, args.world)
        volumes = r["corridors"]
        print(
            f"## Scenario {args.world.name}: {r['payments']:,} payments seen, {r['transfers']:,} transfers, "
            f"{r['parties']:,} parties, read and analysed in {r['seconds']:.1f} s; patterns {r['patterns']}\n"
        )
        print(
            "| truth | true | seen receiving | found | recall (seen) | recall (all) | precision (flagged) "
            "| strict precision | anchor recall (seen) | anchor precision (flagged) "
            "| anchor strict precision |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, x in r["rows"].items():
            print(
                f"| {name} | {x['true']} | {x['seen']} | {x['found']} | {x['recall_seen']:.3f} | "
                f"{x['recall_all']:.3f} | {x['precision']:.3f} ({x['flagged']}) | "
                f"{x['strict_precision']:.3f} | {x['anchor_recall_seen']:.3f} | "
                f"{x['anchor_precision']:.3f} ({x['anchor_flagged']}) | {x['anchor_strict_precision']:.3f} |"
            )
        print(
            "\n(precision: of the parties flagged, the share that took fees at all, any collector or "
            "hawaladar; strict precision: the share that are collectors of 5 or more payers or hawaladars)"
        )
        print(f"\nFees observed: {r['fees']}\n")
        fl = r["fee_levels"]
        print(
            f"Fees by amount alone (purposes hidden) on {fl['test']:,} transfers ({fl['fees']:,} fees), "
            f"levels from the other {fl['train']:,}:\n"
        )
        print("| fee levels | precision | recall | flagged |\n|---|---:|---:|---:|")
        for name, (p, rc, n) in fl["rows"].items():
            print(f"| {name} | {p:.3f} | {rc:.3f} | {n} |")
        lay = r["layering"]
        print(f"\nLayering: {lay['chains']} chains in the world, {lay['seen_whole']} held whole by the hub\n")
        print(
            "| layering | patterns | chains found whole | recall (held) | recall (all) "
            "| precision (transfers) |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for name, x in lay["rows"].items():
            print(
                f"| {name} | {x['patterns']} | {x['chains_found_whole']} | {x['recall_seen']:.3f} | "
                f"{x['recall_all']:.3f} | {x['precision']:.3f} ({x['transfers_flagged']}) |"
            )
        print(f"\nFee payers on legs: {r['payer_legs']}\n")
    if "corridors" in only and volumes:
        c = corridors(volumes)
        if c is None:
            print(f"World Bank remittances not found at {REMITTANCES}: skipped")
        else:
            rho = "n/a" if c["rho"] is None else f"{c['rho']:.3f} (p = {c['p']:.3g})"
            print(
                f"## Corridors: {c['pairs']} of the scenario's {c['scenario_corridors']} corridors "
                f"have a World Bank "
                f"2017 estimate; Spearman rho {rho} (plausibility check only)\n"
            )
            print(f"examples (scenario EUR, World Bank USD m): {c.get('examples')}")


if __name__ == "__main__":
    main()
