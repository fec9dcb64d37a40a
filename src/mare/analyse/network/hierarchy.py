"""Who sits at the top: leader and organiser evidence from what the hub's records say (issue 13).

Structure alone does not find the leaders of smuggling networks in hub data: cooperating networks
share hawaladars, forgers and drivers, so one connected component holds several networks, and the
people who talk most are organisers and drivers, not the leader who keeps away from migrants. The
hub knows more, and every point below comes from a record, a link or a call an agency sent:

- the role a contributing agency recorded for the person (`recorded_leader`, `recorded_driver` …,
  the agency's own assessment), counted over every record of the resolved person;
- money (who pays whom, and what for, from the payment's recorded purpose): proceeds passed up to
  someone, a partner network's share, hawala payouts, smuggling fees collected, bribes paid;
- associate_of links, which point from a person to the associate they are tied to: someone named
  by several people who are themselves organisers is above them;
- adverts that give a phone the person uses;
- calls: contacts with the people assessed organiser, in how many countries, and who calls whom.

Points (`LEADER_POINTS`, `ORGANISER_POINTS`) add up per person; a person with at least
`LEADER_AT` leader points is assessed leader, else with at least `ORGANISER_AT` organiser points
organiser. Every point comes with the sentence that explains it. A record as victim or witness, or
an agency's record of a lower role (driver, scout …), counts against both. Several leaders may
sit in one connected component: each is assessed on their own evidence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mare.analyse.network.graph import Network

#: Evidence keys (hub/network.py) that only the upper tier shows, with the organiser points they
#: give (capped at `ORGANISER_CAP` together) and how they read.
ORGANISER_POINTS: dict[str, tuple[int, str]] = {
    "paid_proceeds": (2, "passed proceeds up to someone ({n} payment{s})"),
    "paid_share": (2, "paid a partner network its share ({n} payment{s})"),
    "received_share": (2, "received a partner network's share ({n} payment{s})"),
    "received_payout": (2, "received hawala payouts ({n})"),
    "paid_bribe": (2, "paid bribes ({n})"),
    "received_fee": (1, "collected smuggling fees ({n} payment{s})"),
    "adverts": (1, "a phone they use is given in {n} smuggling advert{s}"),
    "named_associate": (1, "named as associate in {n} link{s} pointing to them"),
}
ORGANISER_CAP = 3
#: Evidence keys that show someone passes money on or collects it for others: a step below the top.
BELOW_TOP = ("paid_proceeds", "paid_share", "received_fee")
LEADER_AT = 3
ORGANISER_AT = 2
VICTIM_CATEGORIES = ("as_victim", "as_witness", "as_potential_victim")
SUSPECT_CATEGORIES = ("as_suspect", "as_convicted", "as_accused")
#: Recorded roles below the organisers, and the kind of facilitation each names.
RECORDED_KIND = {
    "driver": "transport",
    "boat_crew": "transport",
    "skipper": "transport",
    "guide": "transport",
    "scout": "transport",
    "safe_house_keeper": "logistics",
    "logistics": "logistics",
    "hawaladar": "money",
    "money_courier": "money",
    "document_forger": "documents",
    "document_lender": "documents",
    "document_provider": "documents",
    "recruiter": "recruitment",
    "corrupt_official": "corruption",
    "facilitator": "facilitation",
}
#: Evidence keys that say nothing about hierarchy (they describe the records, not the person).
_NEUTRAL = ("as_", "names_associate", "vehicles", "vessels", "journeys", "documents", "accounts", "payments")


@dataclass(slots=True)
class Standing:
    """One person's hierarchy points and the reasons behind them."""

    leader: int = 0
    organiser: int = 0
    leader_reasons: list[str] = field(default_factory=list)
    organiser_reasons: list[str] = field(default_factory=list)
    against: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)  # observations that give no points
    recorded_kind: str | None = None
    victim: bool = False

    @property
    def role(self) -> str | None:
        """leader, organiser or None by the thresholds."""
        if self.leader >= LEADER_AT:
            return "leader"
        if self.organiser >= ORGANISER_AT:
            return "organiser"
        return None


def has_hierarchy_evidence(net: Network) -> bool:
    """Does any person carry evidence beyond structure (recorded roles, money, links, adverts)?"""
    for a in net.attrs.values():
        for key, count in (a.get("evidence") or {}).items():
            if count and not key.startswith(_NEUTRAL):
                return True
    return False


def _plural(n: int) -> str:
    return "" if n == 1 else "s"


def _recorded(evidence: Mapping[str, Any]) -> Counter[str]:
    return Counter(
        {k[len("recorded_") :]: int(v) for k, v in evidence.items() if k.startswith("recorded_") and v}
    )


def _recorded_top(recorded: Counter[str]) -> str | None:
    """The role most records give (leader before organiser before the rest on a tie)."""
    if not recorded:
        return None
    seniority = {"leader": 0, "organiser": 1}
    return min(recorded, key=lambda r: (-recorded[r], seniority.get(r, 2), r))


def _directed(
    net: Network,
) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, Counter[str]], dict[str, Counter[str]]]:
    """From the hub's ties (`meta['ties']`): who names whom as associate (target <- sources), who pays
    whom (payee <- payers), and calls made (caller -> callee counts) and received (callee <- callers)."""
    named_by: dict[str, set[str]] = defaultdict(set)
    paid_by: dict[str, set[str]] = defaultdict(set)
    calls_out: dict[str, Counter[str]] = defaultdict(Counter)
    calls_in: dict[str, Counter[str]] = defaultdict(Counter)
    for t in net.meta.get("ties") or ():
        if t.source == t.target:
            continue
        if t.kind == "associations" and t.ref == "associate_of":
            named_by[t.target].add(t.source)
        elif t.kind == "payments":
            paid_by[t.target].add(t.source)
        elif t.kind in ("calls", "communications"):
            calls_out[t.source][t.target] += int(t.weight)
            calls_in[t.target][t.source] += int(t.weight)
    return named_by, paid_by, calls_out, calls_in


def _label(net: Network, node: str) -> str:
    return str(net.attrs.get(node, {}).get("label") or node)


def _names(net: Network, nodes: set[str], limit: int = 3) -> str:
    shown = sorted(_label(net, x) for x in nodes)
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


def assess_hierarchy(net: Network) -> dict[str, Standing]:
    """Leader and organiser points with reasons for every person of a hub network."""
    named_by, paid_by, calls_out, calls_in = _directed(net)
    out: dict[str, Standing] = {}
    for node in net.ids:
        ev = net.attrs.get(node, {}).get("evidence") or {}
        s = out[node] = Standing()
        recorded = _recorded(ev)
        top = _recorded_top(recorded)
        if recorded:
            said = ", ".join(f"{r} {c}" for r, c in recorded.most_common())
            if top == "leader":
                s.leader += 3
                s.leader_reasons.append(f"recorded as leader by the contributing agencies ({said})")
            elif top == "organiser":
                s.organiser += 3
                s.organiser_reasons.append(f"recorded as organiser by the contributing agencies ({said})")
            else:
                s.recorded_kind = RECORDED_KIND.get(top or "", "facilitation")
                s.leader -= 3
                s.organiser -= 3
                s.against.append(f"recorded as {top} by the contributing agencies ({said})")
        victim = sum(int(ev.get(k) or 0) for k in VICTIM_CATEGORIES)
        if victim > sum(int(ev.get(k) or 0) for k in SUSPECT_CATEGORIES):
            s.victim = True
            s.leader -= 3
            s.organiser -= 3
            s.against.append(f"recorded as victim or witness in {victim} record{_plural(victim)}")
        points = 0
        for key, (weight, text) in ORGANISER_POINTS.items():
            n = int(ev.get(key) or 0)
            if n:
                points += weight
                s.organiser_reasons.append(text.format(n=n, s=_plural(n)))
        s.organiser += min(ORGANISER_CAP, points)
        proceeds = int(ev.get("received_proceeds") or 0)
        if proceeds:
            s.leader += 3
            s.leader_reasons.append(
                f"received {proceeds} payment{_plural(proceeds)} recorded as proceeds passed up to them"
            )
        below = [k for k in BELOW_TOP if ev.get(k)]
        if below and s.leader > 0:
            s.leader -= 1
            s.against.append("passes money on or collects fees for others: " + ", ".join(below))
    upper = {n for n, s in out.items() if s.organiser >= ORGANISER_AT or s.leader >= LEADER_AT}
    country = {n: (net.attrs.get(n, {}).get("country") or "?") for n in net.ids}
    for node, s in out.items():
        if s.victim:
            continue
        namers = named_by.get(node, set()) & upper
        if namers:
            pts = 2 if len(namers) >= 2 else 1
            s.leader += pts
            s.leader_reasons.append(
                f"named as associate by {len(namers)} upper-tier {'people' if len(namers) > 1 else 'person'} "
                f"({_names(net, namers)})"
            )
        out_calls, in_calls = calls_out.get(node, Counter()), calls_in.get(node, Counter())
        contacts = {x for x in (*out_calls, *in_calls) if x in upper}
        countries = {country[x] for x in contacts} - {"?"}
        if len(contacts) >= 2 and len(countries) >= 2 and node not in upper:
            s.leader += 1
            s.leader_reasons.append(
                f"in call contact with {len(contacts)} upper-tier people in {len(countries)} countries "
                f"({', '.join(sorted(countries))})"
            )
        made = sum(out_calls[x] for x in contacts)
        received = sum(in_calls[x] for x in contacts)
        if made + received >= 6 and received >= 2 * made:
            s.context.append(
                f"upper-tier contacts call them more than they call back ({received} in, {made} out)"
            )
        elif made + received >= 6 and made >= 2 * received:
            s.context.append(
                f"they call their upper-tier contacts more than they are called ({made} out, {received} in)"
            )
    leaders = {n for n, s in out.items() if s.role == "leader"}
    for node, s in out.items():
        if s.role == "leader" or s.victim:
            continue
        above = {x for x in leaders if node in named_by.get(x, set()) or node in paid_by.get(x, set())}
        if above:
            s.organiser += 1
            s.organiser_reasons.append(f"answers to an assessed leader ({_names(net, above)})")
    return out
