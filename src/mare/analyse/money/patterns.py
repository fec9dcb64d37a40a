"""Patterns in transfers of value, each explained: who, how much, when, and the reasons it was flagged.

Kinds (thresholds in `Thresholds`, defaults and their sources in docs/money.md):

- **fan-in** (a collector): at least `fan_min` distinct payers within `window_days`, or fees (purpose
  recorded as a fee, or an amount at a known fee level) from at least `fee_payers_min` distinct
  payers, a broker's payout counting as one customer's fee (over the whole period: fees come in as
  journeys are sold, not in bursts);
- **fee-taker** (a collector on a record's word): a party that a record reports receiving a migrant's
  fee (purpose recorded as a fee: a debriefing, a case file, a fee book, a ledger), from fewer payers
  than a fan-in needs and not a broker; evidence of the collector's role even from one fee, graded
  `reported`, below a fan-in or a broker (`grade` in its details), with each fee it rests on;
- **fan-out** (a distributor): at least `fan_min` distinct payees within `window_days`;
- **broker** (a hawaladar or another money broker): at least `broker_min_payers` distinct payers, and
  it pays on at least `pass_through` of what it receives, most of it within `payout_days`, across a
  border (payers' and payees' countries differ) or by hawala; or a party an agency recorded as a
  hawaladar (`BROKER_ROLES`) that takes hawala payments or pays out; or a party paid by hawala that
  makes payouts (payments recorded as payouts); or one that takes migrants' fees by hawala from at
  least `broker_min_payers` distinct payers (a hawala deposit is a broker's to pay on, even where the
  payout is not in the data). Transfers between two brokers are their settlement;
- **settlement**: transfers between two brokers, both ways listed;
- **cycle**: money that comes back to where it started through `cycle_min`..`cycle_max` parties, each
  transfer after the one before and all within `cycle_days` (bounded-length simple cycles, Johnson's
  algorithm in networkx, on the strongly connected part of the graph only);
- **layering**: a chain of at least `chain_min` transfers through pass-through parties (at most
  `layer_max_degree` counterparties each way) each forwarding at least `hop_keep` of what came in
  within `hop_days`; a transfer reported in several records (same parties, time and amount) is one
  hop, its records all listed;
- **fee-level**: a party receiving transfers whose euro amount lies within a known fee level
  (`FEE_LEVELS`: the journey fee per person of the 2016 report);
- **business**: an organisation that receives money from a collector or broker, or receives fees.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from mare.analyse.money.fee_levels import FEE_LEVELS, FeeLevel, basis_of, is_fee, level_of
from mare.analyse.money.flows import iso_day
from mare.analyse.money.transactions import DAY, Transfer

#: Roles recorded by an agency that make a party taking or paying out hawala money a broker.
BROKER_ROLES = ("hawaladar",)


@dataclass(frozen=True, slots=True)
class Party:
    """Who is behind an id: a person, an account, an organisation; with what the hub knows of them."""

    id: str
    kind: str = "unknown"  # person | account | organisation | unknown
    label: str | None = None
    country: str | None = None
    role: str | None = None
    records: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a pattern is reported (docs/money.md gives the reasons for each default)."""

    fan_min: int = 5
    fee_payers_min: int = 2
    window_days: float = 90.0
    broker_min_payers: int = 3
    pass_through: float = 0.8
    payout_days: float = 15.0
    cycle_min: int = 3
    cycle_max: int = 6
    cycle_days: float = 90.0
    cycle_limit: int = 20_000
    chain_min: int = 3
    hop_days: float = 10.0
    hop_keep: float = 0.7
    layer_max_degree: int = 2

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class Pattern:
    """One pattern found: its kind, the parties (the one it is about first), amounts, reasons."""

    kind: str
    parties: list[str]
    eur: float
    transfers: int
    reasons: list[str]
    refs: list[str] = field(default_factory=list)
    first: int | None = None
    last: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, parties: Mapping[str, Party] | None = None) -> dict[str, Any]:
        """JSON-able form; with `parties`, each party's kind, label and country."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "parties": self.parties,
            "eur": round(self.eur, 2),
            "transfers": self.transfers,
            "first": iso_day(self.first),
            "last": iso_day(self.last),
            "reasons": self.reasons,
            "refs": self.refs[:50],
            "details": self.details,
        }
        if parties is not None:
            out["who"] = [_who(parties.get(p), p) for p in self.parties[:50]]
        return out


def _who(party: Party | None, pid: str) -> dict[str, Any]:
    if party is None:
        return {"id": pid}
    return {
        "id": pid,
        "kind": party.kind,
        "label": party.label,
        "country": party.country,
        "role": party.role,
        "records": list(party.records[:10]),
        "accounts": list(party.accounts[:10]),
    }


def eur_text(amount: float) -> str:
    """EUR with thousands separators."""
    return f"EUR {amount:,.0f}"


class _Index:
    """Transfers by target and by source, in time order (untimed ones kept apart)."""

    def __init__(self, transfers: Sequence[Transfer]) -> None:
        self.t = transfers
        self.into: dict[str, list[int]] = defaultdict(list)
        self.out: dict[str, list[int]] = defaultdict(list)
        order = sorted(
            range(len(transfers)), key=lambda i: (transfers[i].time is None, transfers[i].time or 0)
        )
        for i in order:
            tr = transfers[i]
            if tr.source == tr.target:
                continue
            self.into[tr.target].append(i)
            self.out[tr.source].append(i)


def _span(transfers: Sequence[Transfer], idx: Sequence[int]) -> tuple[int | None, int | None]:
    times = [when for i in idx if (when := transfers[i].time) is not None]
    return (min(times), max(times)) if times else (None, None)


def _best_window(
    transfers: Sequence[Transfer], idx: Sequence[int], other: str, window: float, keep: Any = None
) -> tuple[set[str], list[int]]:
    """The window of `window` seconds with the most distinct counterparties (`other` = 'source' or
    'target'); untimed transfers count in every window. Returns the counterparties and transfers."""
    timed = [i for i in idx if transfers[i].time is not None and (keep is None or keep(transfers[i]))]
    untimed = [i for i in idx if transfers[i].time is None and (keep is None or keep(transfers[i]))]
    base = {getattr(transfers[i], other) for i in untimed}
    best: tuple[set[str], list[int]] = (set(base), list(untimed))
    counts: Counter[str] = Counter()
    lo = 0
    for hi, i in enumerate(timed):
        counts[getattr(transfers[i], other)] += 1
        t_hi = transfers[i].time or 0
        while (transfers[timed[lo]].time or 0) < t_hi - window:
            who = getattr(transfers[timed[lo]], other)
            counts[who] -= 1
            if not counts[who]:
                del counts[who]
            lo += 1
        if len(counts) + len(base) > len(best[0]):
            found = set(counts) | base
            if len(found) > len(best[0]):
                best = (found, timed[lo : hi + 1] + untimed)
    return best


def _fan(
    kind: str,
    node: str,
    transfers: Sequence[Transfer],
    idx: Sequence[int],
    th: Thresholds,
    levels: Sequence[FeeLevel],
    brokers: Set[str] = frozenset(),
) -> Pattern | None:
    other = "source" if kind == "fan-in" else "target"
    paid_on = []
    if kind == "fan-in":
        paid_on = [i for i in idx if transfers[i].source in brokers or transfers[i].purpose == "payout"]
    few = len({getattr(transfers[i], other) for i in idx}) < min(th.fan_min, th.fee_payers_min)
    if few and not paid_on:
        return None
    window = th.window_days * DAY
    people, used = _best_window(transfers, idx, other, window)
    reasons: list[str] = []
    fee_people: set[str] = set()
    if kind == "fan-in":
        direct = [i for i in idx if is_fee(transfers[i], levels) and i not in set(paid_on)]
        fee_people = {transfers[i].source for i in direct}
        fees = len(fee_people) + len(paid_on)  # a payout from a broker is one customer's money paid on
        if fees >= th.fee_payers_min:
            text = f"fees from {len(fee_people)} distinct payers"
            if paid_on:
                by = sorted({transfers[i].source for i in paid_on})
                text += f" and {len(paid_on)} payouts from broker(s) {', '.join(by[:3])}"
                text += " (each a customer's money)"
            reasons.append(f"{text} (threshold {th.fee_payers_min})")
            if len(people) < th.fan_min:
                used = sorted(set(direct) | set(paid_on))
                people = {transfers[i].source for i in used}
    if len(people) >= th.fan_min:
        word = "payers" if kind == "fan-in" else "payees"
        reasons.insert(
            0, f"{len(people)} distinct {word} within {th.window_days:g} days (threshold {th.fan_min})"
        )
    if not reasons:
        return None
    amounts = np.array([transfers[i].eur or 0.0 for i in used])
    eur = float(amounts.sum())
    if len(amounts) >= 3 and amounts.mean() > 0:
        cv = float(amounts.std() / amounts.mean())
        if cv < 0.25:
            reasons.append(f"similar amounts (coefficient of variation {cv:.2f})")
    matched = [i for i in used if level_of(transfers[i], levels) is not None]
    if matched and kind == "fan-in":
        names = sorted({lv.name for i in matched if (lv := level_of(transfers[i], levels))})
        reasons.append(f"{len(matched)} of {len(used)} amounts at a known fee level ({'; '.join(names)})")
    first, last = _span(transfers, used)
    return Pattern(
        kind,
        [node, *sorted(people)],
        eur,
        len(used),
        reasons,
        [transfers[i].ref for i in used],
        first,
        last,
        {"counterparties": len(people), "fee_payers": len(fee_people)},
    )


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


#: How a fee-taker is graded: one record's word about one payer's fee (or a few), not a pattern of many
#: payers (fan-in) or of money paid on (broker).
FEE_TAKER_GRADE = "reported"


def _fee_takers(ix: _Index, th: Thresholds, flagged: Set[str], levels: Sequence[FeeLevel]) -> list[Pattern]:
    """Parties a record reports receiving a migrant's fee (purpose recorded as a fee) that no broker or
    fan-in pattern is about: the payee of a smuggling fee is taking money for a crossing, however few
    of the fees the hub holds. Graded `reported`, below a fan-in; each fee listed with its payer,
    amount, day, method, country and route where known."""
    t = ix.t
    found: list[Pattern] = []
    for node, idx in sorted(ix.into.items()):
        if node in flagged:
            continue
        fees = [i for i in idx if t[i].purpose == "fee"]
        if not fees:
            continue
        payers = sorted({t[i].source for i in fees})
        # one fee reported in several records (a case file and a debriefing) is one fee
        one: dict[tuple[str, int | None, float, str], int] = {}
        for i in fees:
            one.setdefault((t[i].source, t[i].time, t[i].amount, t[i].currency), i)
        distinct = list(one.values())
        eur = sum(t[i].eur or 0.0 for i in distinct)
        told = []
        for i in distinct[:3]:
            tr = t[i]
            where = ", ".join(
                x
                for x in (
                    iso_day(tr.time),
                    tr.method,
                    f"received in {tr.to_country}" if tr.to_country else None,
                    f"payer on leg {tr.origin}>{tr.destination}" if tr.origin and tr.destination else None,
                )
                if x
            )
            money = eur_text(tr.eur) if tr.eur is not None else f"{tr.currency} {tr.amount:,.0f}"
            told.append(f"{money} from {tr.source}" + (f" ({where})" if where else ""))
        more = f"; and {len(distinct) - 3} more" if len(distinct) > 3 else ""
        reasons = [
            f"recorded as receiving {_n(len(distinct), 'smuggling fee')} from {_n(len(payers), 'payer')}: "
            + "; ".join(told)
            + more,
            f"graded {FEE_TAKER_GRADE}: a record's word, weaker than a fan-in (fees from "
            f"{th.fee_payers_min} or more distinct payers) or a broker, but a smuggling fee's payee is "
            "taking money for a crossing",
        ]
        if len(fees) > len(distinct):
            these = "this fee" if len(distinct) == 1 else f"these {len(distinct)} fees"
            reasons.append(f"{len(fees)} records report {these}")
        at = sorted({lv.name for i in fees if (lv := level_of(t[i], levels)) is not None})
        if at:
            reasons.append(f"at a known fee level ({'; '.join(at)})")
        first, last = _span(t, fees)
        found.append(
            Pattern(
                "fee-taker",
                [node, *payers],
                eur,
                len(fees),
                reasons,
                [t[i].ref for i in fees],
                first,
                last,
                {
                    "payers": len(payers),
                    "fees": len(distinct),
                    "records": len(fees),
                    "grade": FEE_TAKER_GRADE,
                },
            )
        )
    return found


def _broker(
    node: str, ix: _Index, th: Thresholds, parties: Mapping[str, Party]
) -> tuple[Pattern | None, dict[str, Any]]:
    t = ix.t
    inc, out = ix.into.get(node, []), ix.out.get(node, [])
    payers = {t[i].source for i in inc}
    party = parties.get(node)
    if (
        len(payers) < th.broker_min_payers
        and (party is None or party.role not in BROKER_ROLES)
        and not any(t[i].method == "hawala" for i in inc)
    ):
        return None, {}
    in_eur = sum(t[i].eur or 0.0 for i in inc)
    out_eur = sum(t[i].eur or 0.0 for i in out)
    ratio = out_eur / in_eur if in_eur > 0 else 0.0
    in_times = sorted(when for i in inc if (when := t[i].time) is not None)
    delays = []
    for i in out:
        when = t[i].time
        if when is None or not in_times:
            continue
        k = bisect.bisect_right(in_times, when)
        if k:
            delays.append((when - in_times[k - 1]) / DAY)
    delay = float(np.median(delays)) if delays else None
    hawala_payers = {t[i].source for i in inc if t[i].method == "hawala"}
    in_from = {c for i in inc if (c := t[i].from_country)}
    out_to = {c for i in out if (c := t[i].to_country)}
    payee_countries = {c for i in out if t[i].target in parties and (c := parties[t[i].target].country)}
    cross = bool(out_to and in_from and (out_to - in_from)) or bool(
        payee_countries and in_from and (payee_countries - in_from)
    )
    passes = bool(out) and ratio >= th.pass_through and (delay is None or delay <= th.payout_days)
    party = parties.get(node)
    recorded = party is not None and party.role in BROKER_ROLES
    hawala = bool(hawala_payers) or any(t[i].method == "hawala" or t[i].purpose == "payout" for i in out)
    payouts = sum(1 for i in out if t[i].purpose == "payout")
    # migrants' fees deposited with it by hawala: a customer pays a smuggler by hawala through a broker
    hawala_fees = [i for i in inc if t[i].method == "hawala" and t[i].purpose == "fee"]
    hawala_fee_payers = {t[i].source for i in hawala_fees}
    is_broker = (
        (len(payers) >= th.broker_min_payers and passes and (cross or bool(hawala_payers)))
        or (recorded and hawala)
        or (bool(hawala_payers) and payouts > 0)
        or len(hawala_fee_payers) >= th.broker_min_payers
    )
    facts = {"payers": len(payers), "in_eur": in_eur, "out_eur": out_eur, "ratio": ratio}
    if not is_broker:
        return None, facts
    reasons = [f"{len(payers)} distinct payers, {eur_text(in_eur)} in"]
    if recorded and party is not None:
        reasons.append(
            f"recorded as {party.role} (an agency's assessment) and takes or pays out money by hawala"
        )
    if hawala_payers:
        reasons.append(f"paid by hawala by {len(hawala_payers)} payers")
    if hawala_payers and payouts:
        reasons.append(f"makes {payouts} payouts (recorded as payouts)")
    if len(hawala_fee_payers) >= th.broker_min_payers:
        sent_from = sorted({c for i in hawala_fees if (c := t[i].from_country)})
        text = (
            f"takes migrants' fees by hawala from {len(hawala_fee_payers)} payers (threshold "
            f"{th.broker_min_payers})"
        )
        if sent_from:
            text += f", sent from {', '.join(sent_from[:8])}"
        reasons.append(
            text + ": a hawala deposit is a broker's to pay on to the smuggler (where a record names the "
            "smuggler as the payee of a hawala transfer, read it as the collector)"
        )
    if out:
        payees = {t[i].target for i in out}
        text = f"pays on {ratio:.0%} of it ({eur_text(out_eur)}) to {len(payees)} payees"
        if delay is not None:
            text += f", median {delay:.1f} days after money came in"
        reasons.append(text)
        if 0.9 <= ratio < 1.0:
            reasons.append(f"keeps {1 - ratio:.1%}, like a broker's commission")
    if cross:
        reasons.append(
            f"money comes in from {', '.join(sorted(in_from))} and is paid out in "
            f"{', '.join(sorted(out_to | payee_countries)) or '?'}"
        )
    used = [*inc, *out]
    first, last = _span(t, used)
    pattern = Pattern(
        "broker",
        [node, *sorted(payers), *sorted({t[i].target for i in out})],
        in_eur,
        len(used),
        reasons,
        [t[i].ref for i in used],
        first,
        last,
        {
            "payers": len(payers),
            "payees": len({t[i].target for i in out}),
            "in_eur": round(in_eur, 2),
            "out_eur": round(out_eur, 2),
            "hawala_payers": len(hawala_payers),
            "median_payout_days": delay,
        },
    )
    return pattern, facts


def _cycles(ix: _Index, th: Thresholds) -> tuple[list[Pattern], bool]:
    """Time-ordered simple cycles: a depth-first search along transfers, each no earlier than the one
    before and all within `cycle_days` of the first, on the strongly connected part of the graph only.
    Where no transfer of that part has a time, Johnson's algorithm (networkx `simple_cycles` with a
    length bound) on the pairs, order unchecked."""
    t = ix.t
    graph = nx.DiGraph()
    graph.add_edges_from({(t[i].source, t[i].target) for idx in ix.out.values() for i in idx})
    comp_of: dict[str, int] = {}
    for k, comp in enumerate(nx.strongly_connected_components(graph)):
        if len(comp) >= th.cycle_min:
            for node in comp:
                comp_of[node] = k
    span = th.cycle_days * DAY
    out: dict[str, list[int]] = {}
    out_times: dict[str, list[int]] = {}
    untimed_pairs: set[tuple[str, str]] = set()
    for src, idx in ix.out.items():
        comp = comp_of.get(src)
        if comp is None:
            continue
        keep = [i for i in idx if comp_of.get(t[i].target) == comp]
        out[src] = [i for i in keep if t[i].time is not None]
        out_times[src] = [t[i].time or 0 for i in out[src]]
        untimed_pairs |= {(src, t[i].target) for i in keep if t[i].time is None}
    found: dict[tuple[str, ...], list[int]] = {}
    budget = [th.cycle_limit * 100]

    def dfs(start: str, path: list[int], on: set[str], t0: int, last: int) -> None:
        node = t[path[-1]].target
        edges = out.get(node, [])
        for i in edges[bisect.bisect_left(out_times.get(node, []), last) :]:
            when = t[i].time or 0
            if when - t0 > span or budget[0] <= 0:
                break
            budget[0] -= 1
            nxt = t[i].target
            if nxt == start:
                if len(path) + 1 >= th.cycle_min:
                    nodes = [t[j].source for j in [*path, i]]
                    k = nodes.index(min(nodes))
                    key = tuple(nodes[k:] + nodes[:k])
                    found.setdefault(key, [*path, i])
            elif nxt not in on and len(path) + 1 < th.cycle_max:
                on.add(nxt)
                path.append(i)
                dfs(start, path, on, t0, when)
                path.pop()
                on.discard(nxt)

    for src in sorted(out):
        for i in out[src]:
            if budget[0] <= 0 or len(found) >= th.cycle_limit:
                break
            if t[i].target != src:
                dfs(src, [i], {src, t[i].target}, t[i].time or 0, t[i].time or 0)
    capped = budget[0] <= 0 or len(found) >= th.cycle_limit
    if untimed_pairs and not any(out.values()):
        sub = nx.DiGraph(list(untimed_pairs))
        for n, cycle in enumerate(nx.simple_cycles(sub, length_bound=th.cycle_max)):
            if n >= th.cycle_limit:
                capped = True
                break
            if len(cycle) >= th.cycle_min:
                k = cycle.index(min(cycle))
                key = tuple(cycle[k:] + cycle[:k])
                pairs = list(zip(key, key[1:] + key[:1], strict=True))
                found.setdefault(key, [next(i for i in ix.out[a] if t[i].target == b) for a, b in pairs])
    patterns: list[Pattern] = []
    for seq in found.values():
        nodes = [t[i].source for i in seq]
        amounts = [t[i].eur or 0.0 for i in seq]
        timed = all(t[i].time is not None for i in seq)
        reasons = [f"money leaves {nodes[0]} and comes back through {len(nodes) - 1} other parties"]
        if timed:
            days = ((t[seq[-1]].time or 0) - (t[seq[0]].time or 0)) / DAY
            reasons.append(
                f"each transfer after the one before, {days:.0f} days in all (limit {th.cycle_days:g})"
            )
        else:
            reasons.append("no times given: the order of the transfers was not checked")
        if min(amounts) > 0 and min(amounts) / max(amounts) >= 0.7:
            reasons.append(
                f"amounts kept around the loop ({eur_text(min(amounts))}–{eur_text(max(amounts))})"
            )
        first, last = _span(t, seq)
        patterns.append(
            Pattern(
                "cycle",
                nodes,
                float(sum(amounts)),
                len(seq),
                reasons,
                [t[i].ref for i in seq],
                first,
                last,
                {"length": len(nodes)},
            )
        )
    return patterns, capped


def _copies(t: Sequence[Transfer]) -> dict[int, list[int]]:
    """One transfer reported in several records (the sending and the receiving country's reports, a
    case file): the first index of each (source, target, time, euros) with a time, and the others."""
    same: dict[tuple[str, str, int, float], list[int]] = defaultdict(list)
    for i, tr in enumerate(t):
        if tr.time is not None and tr.eur:
            same[(tr.source, tr.target, tr.time, round(tr.eur, 2))].append(i)
    return {g[0]: g[1:] for g in same.values()}


def _layering(ix: _Index, th: Thresholds) -> list[Pattern]:
    t = ix.t
    hop = th.hop_days * DAY
    through = {
        v
        for v in set(ix.into) & set(ix.out)
        if len({t[i].source for i in ix.into[v]}) <= th.layer_max_degree
        and len({t[i].target for i in ix.out[v]}) <= th.layer_max_degree
    }
    copies = _copies(t)  # a chain runs through each transfer once, however many records report it
    nxt: dict[int, int] = {}
    has_prev: set[int] = set()
    for v in sorted(through):
        outs = [i for i in ix.out[v] if i in copies]
        out_times = [t[i].time or 0 for i in outs]
        pairs: list[tuple[float, int, int, int]] = []  # what the hop kept, delay, in, out
        for i in ix.into[v]:
            ti, ai = t[i].time, t[i].eur
            if i not in copies or ti is None or not ai:
                continue
            j0 = bisect.bisect_left(out_times, ti)
            for j in outs[j0:]:
                if (t[j].time or 0) > ti + hop:
                    break
                aj = t[j].eur or 0.0
                if t[j].target != t[i].source and th.hop_keep * ai <= aj <= 1.02 * ai:
                    pairs.append((abs(1 - aj / ai), (t[j].time or 0) - ti, i, j))
        # several payments in and out within the window: each out continues the in it is closest to
        # in amount (a pass-through keeps little), then in time
        for _, _, i, j in sorted(pairs):
            if i not in nxt and j not in has_prev:
                nxt[i] = j
                has_prev.add(j)
    found: list[Pattern] = []
    for start in sorted(set(nxt) - has_prev):
        seq = [start]
        while seq[-1] in nxt and len(seq) < 50:
            seq.append(nxt[seq[-1]])
        if len(seq) < th.chain_min:
            continue
        nodes = [t[seq[0]].source] + [t[i].target for i in seq]
        amounts = [t[i].eur or 0.0 for i in seq]
        days = ((t[seq[-1]].time or 0) - (t[seq[0]].time or 0)) / DAY
        reasons = [
            f"{len(seq)} transfers in a chain through {len(seq) - 1} pass-through parties "
            f"(at most {th.layer_max_degree} counterparties each way)",
            f"each forwards {min(b / a for a, b in itertools.pairwise(amounts) if a):.0%} or more "
            f"of what came in within {th.hop_days:g} days; {days:.0f} days end to end",
            f"{eur_text(amounts[0])} in, {eur_text(amounts[-1])} out",
        ]
        first, last = _span(t, seq)
        found.append(
            Pattern(
                "layering",
                nodes,
                amounts[0],
                len(seq),
                reasons,
                [t[k].ref for i in seq for k in (i, *copies[i])],
                first,
                last,
                {"hops": len(seq)},
            )
        )
    return found


def _fee_levels(ix: _Index, levels: Sequence[FeeLevel]) -> list[Pattern]:
    t = ix.t
    found: list[Pattern] = []
    for node, idx in sorted(ix.into.items()):
        at = {i: lv for i in idx if (lv := level_of(t[i], levels)) is not None}
        matched = sorted(at)
        payers = {t[i].source for i in matched}
        fees = [i for i in idx if t[i].purpose == "fee"]
        if len(payers) < 2 and not (matched and fees):
            continue
        reasons = []
        for level in sorted(set(at.values()), key=lambda lv: lv.name):
            mine = [i for i in matched if at[i] == level]
            basis = Counter(basis_of(t[i], levels)[1] for i in mine)
            how = "; ".join(f"{why}: {n}" for why, n in sorted(basis.items()))
            reasons.append(
                f"{len(mine)} transfers from {len({t[i].source for i in mine})} payers at {level.name} "
                f"({eur_text(level.low)}–{eur_text(level.high)}; {level.source}; level by {how})"
            )
        if fees:
            reasons.append(f"{len(fees)} transfers recorded as fees")
        first, last = _span(t, matched)
        found.append(
            Pattern(
                "fee-level",
                [node, *sorted(payers)],
                sum(t[i].eur or 0.0 for i in matched),
                len(matched),
                reasons,
                [t[i].ref for i in matched],
                first,
                last,
                {"payers": len(payers)},
            )
        )
    return found


@dataclass
class Analysis:
    """Every pattern found, in kind order, the thresholds used and notes (a cap reached)."""

    patterns: list[Pattern]
    thresholds: Thresholds
    notes: list[str] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Pattern]:
        """The patterns of one kind."""
        return [p for p in self.patterns if p.kind == kind]

    def flagged(self, kind: str) -> set[str]:
        """The parties a pattern of that kind is about (the first party of each)."""
        return {p.parties[0] for p in self.patterns if p.kind == kind}


KINDS = (
    "broker",
    "settlement",
    "fan-in",
    "fee-taker",
    "fan-out",
    "cycle",
    "layering",
    "fee-level",
    "business",
)


def find_patterns(
    transfers: Sequence[Transfer],
    parties: Mapping[str, Party] | None = None,
    thresholds: Thresholds | None = None,
    levels: Sequence[FeeLevel] = FEE_LEVELS,
) -> Analysis:
    """Every pattern in the transfers, each with its reasons."""
    th = thresholds or Thresholds()
    parties = parties or {}
    ix = _Index(transfers)
    patterns: list[Pattern] = []
    notes: list[str] = []
    brokers: dict[str, Pattern] = {}
    for node in sorted(ix.into):
        found, _ = _broker(node, ix, th, parties)
        if found is not None:
            brokers[node] = found
    patterns += _settlements(ix, brokers)
    patterns += list(brokers.values())
    collectors: set[str] = set()
    for node in sorted(ix.into):
        fan = _fan("fan-in", node, transfers, ix.into[node], th, levels, set(brokers))
        if fan is not None:
            patterns.append(fan)
            collectors.add(node)
    patterns += _fee_takers(ix, th, set(brokers) | collectors, levels)
    for node in sorted(ix.out):
        fan = _fan("fan-out", node, transfers, ix.out[node], th, levels)
        if fan is not None:
            patterns.append(fan)
    cycles, capped = _cycles(ix, th)
    if capped:
        notes.append(
            f"cycle search stopped at its limit ({th.cycle_limit:,} cycles or {th.cycle_limit * 100:,} "
            "steps): raise cycle_limit to see more"
        )
    patterns += cycles
    patterns += _layering(ix, th)
    fee = _fee_levels(ix, levels)
    patterns += fee
    patterns += _businesses(ix, parties, set(brokers) | collectors, {p.parties[0] for p in fee}, levels)
    order = {k: n for n, k in enumerate(KINDS)}
    patterns.sort(key=lambda p: (order.get(p.kind, 99), -p.eur, p.parties[0]))
    return Analysis(patterns, th, notes)


def _settlements(ix: _Index, brokers: Mapping[str, Pattern]) -> list[Pattern]:
    t = ix.t
    pairs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for b in brokers:
        for i in ix.out.get(b, []):
            if t[i].target in brokers:
                pairs[tuple(sorted((b, t[i].target)))].append(i)  # type: ignore[index]
    found = []
    for (a, b), idx in sorted(pairs.items()):
        ab = sum(t[i].eur or 0.0 for i in idx if t[i].source == a)
        ba = sum(t[i].eur or 0.0 for i in idx if t[i].source == b)
        reasons = [f"transfers between two brokers: {a} -> {b} {eur_text(ab)}, {b} -> {a} {eur_text(ba)}"]
        if ab and ba:
            reasons.append(f"net {eur_text(abs(ab - ba))} settled")
        for x, y in ((a, b), (b, a)):
            brokers[x].reasons.append(f"settles with broker {y} ({len(idx)} transfers)")
        first, last = _span(t, idx)
        found.append(
            Pattern("settlement", [a, b], ab + ba, len(idx), reasons, [t[i].ref for i in idx], first, last)
        )
    return found


def _businesses(
    ix: _Index,
    parties: Mapping[str, Party],
    suspects: set[str],
    fee_receivers: set[str],
    levels: Sequence[FeeLevel],
) -> list[Pattern]:
    t = ix.t
    found: list[Pattern] = []
    for node, idx in sorted(ix.into.items()):
        party = parties.get(node)
        if party is None or party.kind != "organisation":
            continue
        from_suspects = [i for i in idx if t[i].source in suspects]
        fees = [i for i in idx if is_fee(t[i], levels)]
        if not from_suspects and not fees and node not in fee_receivers:
            continue
        reasons = []
        if from_suspects:
            names = sorted({t[i].source for i in from_suspects})
            reasons.append(
                f"receives {eur_text(sum(t[i].eur or 0.0 for i in from_suspects))} from "
                f"{len(names)} collector(s) or broker(s): {', '.join(names[:5])}"
            )
        if fees:
            reasons.append(
                f"receives {len(fees)} fee payment(s) ({eur_text(sum(t[i].eur or 0.0 for i in fees))})"
            )
        used = sorted(set(from_suspects) | set(fees))
        first, last = _span(t, used)
        found.append(
            Pattern(
                "business",
                [node, *sorted({t[i].source for i in used})],
                sum(t[i].eur or 0.0 for i in used),
                len(used),
                reasons,
                [t[i].ref for i in used],
                first,
                last,
                {"label": party.label, "country": party.country},
            )
        )
    return found
