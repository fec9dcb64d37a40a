"""The person network from hub data, read through the access policy.

Records, links and call batches are filtered in the database by the read policy compiled to SQL
(`HubContext.visibility_sql`: owner, handling code, restrictions, minor; consent grants honoured);
only what is visible in full is used, and how much was withheld is reported, never what. A tie is
used only when the tie itself and both people are visible.

Tie kinds (the user picks which count and how much, `weights`):
- calls: call records between phones the people use (uses_phone links or their `phone` values),
  counted per month from the bulk counts (`call_counts`) when they are current, else from `calls`;
- communications: communicated_with links (their `count`) and communication records;
- co_participation: same event, journey leg, vessel/vehicle travelled on, case or organisation;
  a group of k people adds 1/(k-1) to each pair (Newman), so a boat of 60 does not swamp a pair;
- shared_assets: same phone, account, vehicle, vessel, document or financial account;
- payments: a paid b (through their financial accounts where needed);
- associations: associate_of and family_of links.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from itertools import combinations
from typing import Any

from mare.analyse.network.graph import Network, Tie, build_network
from mare.hub.call_counts import freshness, monthly_pair_calls
from mare.hub.context import HubContext

TIE_KINDS = ("calls", "communications", "co_participation", "shared_assets", "payments", "associations")
DEFAULT_WEIGHTS = dict.fromkeys(TIE_KINDS, 1.0)
PARTICIPATION_LINKS = ("involved_in", "travelled_on", "member_of")
ASSET_LINKS = (
    "uses_phone",
    "uses_account",
    "owns_vehicle",
    "drives_vehicle",
    "operates_vessel",
    "holds_document",
    "holds_financial_account",
)
EVIDENCE_OF_LINK = {
    "owns_vehicle": "vehicles",
    "drives_vehicle": "vehicles",
    "operates_vessel": "vessels",
    "holds_document": "documents",
    "holds_financial_account": "accounts",
}


#: What a payment was for, from words in its recorded purpose (first match wins): money passed up
#: to whoever runs the group, a fee for a crossing, a hawala payout, a partner's share, a bribe.
PAYMENT_PURPOSES = (
    ("proceeds", ("proceeds", "leader", "boss", "takings", "tribute")),
    ("payout", ("payout", "pay-out", "pay out")),
    ("share", ("share", "partner", "commission")),
    ("fee", ("fee", "smuggling", "passage", "crossing", "journey", "trip")),
    ("bribe", ("bribe",)),
)


def payment_purpose(purposes: Iterable[str]) -> str | None:
    """The class of a payment's recorded purpose (`PAYMENT_PURPOSES`), or None."""
    text = " ".join(purposes).lower()
    for name, words in PAYMENT_PURPOSES:
        if any(word in text for word in words):
            return name
    return None


def hub_network(
    ctx: HubContext,
    tie_kinds: Iterable[str] | None = None,
    weights: Mapping[str, float] | None = None,
    categories: Iterable[str] | None = None,
    note: Callable[[str, int, dict[str, int]], None] | None = None,
) -> Network:
    """Build the person network the context's viewer may see; `meta['withheld']` counts what was not shown.
    `note`: where the counts shown and withheld go (default: the context's consultation entry).

    Records, links and call batches are filtered in the database by the read policy compiled to SQL
    (`ctx.visibility_sql`), so withheld values never reach Python; the counts shown and withheld (by
    rule) go to the request's consultation entry."""
    kinds = set(tie_kinds or TIE_KINDS)
    unknown = kinds - set(TIE_KINDS)
    if unknown:
        raise ValueError(f"unknown tie kinds {sorted(unknown)}: use {', '.join(TIE_KINDS)}")
    con = ctx.store.con
    withheld: Counter[str] = Counter()
    rvis, rparams = ctx.visibility_sql("r")
    rrule, rrule_params = ctx.rule_sql("r")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _net_records AS SELECT r.uid, r.kind, r.label, r.category, "
        f"{rvis} AS visibility, {rrule} AS rule, "
        "coalesce(c.crime_areas, CAST([] AS VARCHAR[])) AS crime_areas "  # typed: PostgreSQL runs it too
        "FROM records r LEFT JOIN contributions c ON c.uid = r.contribution",
        [*rparams, *rrule_params],
    )
    try:
        by_rule = dict(
            con.execute(
                "SELECT rule, count(*) FROM _net_records WHERE visibility <> 'full' GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )
        kind_of: dict[str, str] = {}
        label: dict[str, str | None] = {}
        category: dict[str, str | None] = {}
        areas: dict[str, list[str]] = {}
        for uid, kind, name, cat, crime_areas in con.execute(
            "SELECT uid, kind, label, category, crime_areas FROM _net_records WHERE visibility = 'full' "
            "ORDER BY uid"
        ).fetchall():
            kind_of[uid], label[uid], category[uid] = kind, name, cat
            if kind == "person":
                areas[uid] = sorted(crime_areas or [])
        values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for uid, fld, original, normalised in con.execute(
            "SELECT v.record_uid, v.field, v.original, v.normalised FROM record_values v "
            "JOIN _net_records r ON r.uid = v.record_uid AND r.visibility = 'full' "
            "ORDER BY v.record_uid, v.field, v.position"
        ).fetchall():
            values[uid][fld].append(normalised or original)
        lvis, lparams = ctx.visibility_sql("l", minor=False, consent=False)
        links: list[tuple[str, str, str, dict[str, Any]]] = []
        link_rows = con.execute(
            f"SELECT l.kind, l.source_uid, l.target_uid, l.properties, {lvis} AS visibility FROM links l "
            "ORDER BY l.uid",
            lparams,
        ).fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS _net_records")
    withheld["record"] = sum(by_rule.values())
    for lkind, src, dst, props, visibility in link_rows:
        # A link is used only when it and both its ends are visible.
        if visibility != "full":
            withheld["link"] += 1
        elif src in kind_of and dst in kind_of:
            links.append((lkind, src, dst, json.loads(props) if props else {}))
    persons = [u for u, k in kind_of.items() if k == "person"]
    if categories is not None:
        wanted = set(categories)
        persons = [p for p in persons if category.get(p) in wanted]
    person_set = set(persons)
    ties: list[Tie] = []
    evidence: dict[str, Counter[str]] = defaultdict(Counter)
    phones_of = _phones(persons, values, links, kind_of)
    if "calls" in kinds:
        ties += _call_ties(ctx, phones_of, withheld)
    if "communications" in kinds:
        ties += _communication_ties(links, values, kind_of, person_set, phones_of)
    by_target: dict[tuple[str, str], list[str]] = defaultdict(list)
    for lkind, src, dst, _ in links:
        if src in person_set:
            group = "co_participation" if lkind in PARTICIPATION_LINKS else "shared_assets"
            if lkind in PARTICIPATION_LINKS or lkind in ASSET_LINKS:
                by_target[(group, dst)].append(src)
            if lkind in EVIDENCE_OF_LINK:
                evidence[src][EVIDENCE_OF_LINK[lkind]] += 1
    for (group, target), members in sorted(by_target.items()):
        if group not in kinds:
            continue
        people = sorted(set(members))
        share = 1.0 / (len(people) - 1) if group == "co_participation" and len(people) > 1 else 1.0
        at = _first(values.get(target, {}), "occurred_at", "departed_at")
        ties += [Tie(a, b, group, share, at, target) for a, b in combinations(people, 2)]
    if "payments" in kinds:
        ties += _payment_ties(links, values, person_set, evidence)
    if "associations" in kinds:
        ties += [
            Tie(s, d, "associations", 1.0, p.get("since"), k)
            for k, s, d, p in links
            if k in ("associate_of", "family_of") and s in person_set and d in person_set
        ]
    _role_evidence(persons, links, values, category, person_set, phones_of, kind_of, evidence)
    attrs = {p: _attrs(p, label, values, evidence) for p in persons}
    for p, found in _journeys(persons, links, values, kind_of).items():
        attrs[p].update(found)
    for p in persons:
        attrs[p]["crime_areas"] = areas.get(p, [])
    net = build_network(ties, weights or DEFAULT_WEIGHTS, nodes=persons, attrs=attrs, name="hub")
    times = sorted(t.at for t in ties if t.at)
    net.meta.update(
        withheld={k: v for k, v in withheld.items() if v},
        tie_kinds=sorted(kinds),
        ties_by_kind=dict(Counter(t.kind for t in ties)),
        first_seen=times[0][:10] if times else None,
        last_seen=times[-1][:10] if times else None,
        ties=ties,
    )
    (note or ctx.note_bulk)("record", len(kind_of), dict(by_rule))
    return net


def _first(values: Mapping[str, list[str]], *fields: str) -> str | None:
    """The first value of the first field that has one."""
    for name in fields:
        if values.get(name):
            return values[name][0]
    return None


def _journeys(
    persons: list[str],
    links: list[tuple[str, str, str, dict[str, Any]]],
    values: Mapping[str, Mapping[str, list[str]]],
    kind_of: Mapping[str, str],
) -> dict[str, dict[str, list[str]]]:
    """Per person, from the journey legs they travelled on (visible legs, visible links): the
    conveyances used (`modus_operandi`) and the crossings served (`routes`, 'TR->GR')."""
    out: dict[str, dict[str, set[str]]] = {}
    person_set = set(persons)
    for lkind, src, dst, _ in links:
        if lkind != "travelled_on" or src not in person_set or kind_of.get(dst) != "journey_leg":
            continue
        leg = values.get(dst, {})
        found = out.setdefault(src, {"modus_operandi": set(), "routes": set()})
        found["modus_operandi"].update(leg.get("conveyance", []))
        origin, destination = _first(leg, "from_country"), _first(leg, "to_country")
        if origin and destination:
            found["routes"].add(f"{origin}->{destination}")
    return {p: {k: sorted(v) for k, v in found.items()} for p, found in out.items()}


def _attrs(
    p: str,
    label: dict[str, str | None],
    values: Mapping[str, Mapping[str, list[str]]],
    evidence: Mapping[str, Counter[str]],
) -> dict[str, Any]:
    v = values.get(p, {})
    return {
        "label": label.get(p),
        "nationality": _first(v, "nationality"),
        "country": _first(v, "residence_country", "nationality"),
        "role": _first(v, "role"),
        "evidence": dict(evidence.get(p, {})),
    }


def _role_evidence(
    persons: list[str],
    links: list[tuple[str, str, str, dict[str, Any]]],
    values: Mapping[str, Mapping[str, list[str]]],
    category: Mapping[str, str | None],
    person_set: set[str],
    phones_of: Mapping[int, set[str]],
    kind_of: Mapping[str, str],
    evidence: dict[str, Counter[str]],
) -> None:
    """What the records say about a person's place in a network, as counts (summed over records
    when they are collapsed to one entity): the role a contributing agency recorded
    (`recorded_leader` …), the category of the record (`as_suspect`, `as_victim` …), adverts that
    give a phone they use (`adverts`), associate_of links naming them or naming others
    (`named_associate` when the link points to them, `names_associate` when it points away)."""
    for p in persons:
        for role in values.get(p, {}).get("role", []):
            slug = "_".join(role.lower().split())
            if slug and slug != "unknown":
                evidence[p][f"recorded_{slug}"] += 1
        if category.get(p):
            evidence[p][f"as_{category[p]}"] += 1
    advertised: dict[str, set[str]] = defaultdict(set)  # person -> adverts giving their phone
    for lkind, src, dst, _ in links:
        if lkind == "advertises" and kind_of.get(src) == "advert" and kind_of.get(dst) == "phone":
            for person in _people(list(values.get(dst, {}).get("number", [])), phones_of):
                advertised[person].add(src)
        elif lkind == "associate_of" and src in person_set and dst in person_set and src != dst:
            evidence[dst]["named_associate"] += 1
            evidence[src]["names_associate"] += 1
    for person, adverts in advertised.items():
        evidence[person]["adverts"] += len(adverts)


def _phones(
    persons: list[str],
    values: Mapping[str, Mapping[str, list[str]]],
    links: list[tuple[str, str, str, dict[str, Any]]],
    kind_of: Mapping[str, str],
) -> dict[int, set[str]]:
    """E.164 number (as in the calls table) -> people using it."""
    out: dict[int, set[str]] = defaultdict(set)
    person_set = set(persons)

    def add(number: str, person: str) -> None:
        digits = number.lstrip("+")
        if digits.isdigit():
            out[int(digits)].add(person)

    for p in persons:
        for number in values.get(p, {}).get("phone", []):
            add(number, p)
    for lkind, src, dst, _ in links:
        if lkind == "uses_phone" and src in person_set and kind_of.get(dst) == "phone":
            for number in values.get(dst, {}).get("number", []):
                add(number, src)
    return out


def _call_ties(ctx: HubContext, phones_of: Mapping[int, set[str]], withheld: Counter[str]) -> list[Tie]:
    ties: list[Tie] = []
    cvis, cparams = ctx.visibility_sql("c", minor=False, consent=False, contribution="uid")
    batches = ctx.store.con.execute(
        f"SELECT c.uid, {cvis} AS visibility FROM contributions c WHERE c.call_count > 0 ORDER BY c.uid",
        cparams,
    ).fetchall()
    seen = [cuid for cuid, visibility in batches if visibility == "full"]
    withheld["calls"] += len(batches) - len(seen)
    fresh = bool(seen) and freshness(ctx.store, "month", seen).fresh  # the bulk month counts, if current
    for cuid in seen:
        for caller, callee, month, count in monthly_pair_calls(ctx.store, cuid, fresh):
            for a in sorted(phones_of.get(int(caller), ())):
                for b in sorted(phones_of.get(int(callee), ())):
                    if a != b:
                        ties.append(Tie(a, b, "calls", float(count), month, cuid))
    return ties


def _communication_ties(
    links: list[tuple[str, str, str, dict[str, Any]]],
    values: Mapping[str, Mapping[str, list[str]]],
    kind_of: Mapping[str, str],
    person_set: set[str],
    phones_of: Mapping[int, set[str]],
) -> list[Tie]:
    users: dict[str, set[str]] = defaultdict(set)  # phone/account record -> people
    for lkind, src, dst, _ in links:
        if lkind in ("uses_phone", "uses_account") and src in person_set:
            users[dst].add(src)
    ties: list[Tie] = []
    for lkind, src, dst, props in links:
        if lkind != "communicated_with":
            continue
        ends_a = {src} if src in person_set else users.get(src, set())
        ends_b = {dst} if dst in person_set else users.get(dst, set())
        for a in sorted(ends_a):
            for b in sorted(ends_b):
                ties.append(
                    Tie(a, b, "communications", float(props.get("count") or 1), props.get("first_at"))
                )
    for uid, kind in kind_of.items():
        if kind != "communication":
            continue
        v = values.get(uid, {})
        callers = _people(v.get("caller", []), phones_of)
        callees = _people(v.get("callee", []), phones_of)
        at = _first(v, "started_at")
        ties += [Tie(a, b, "communications", 1.0, at, uid) for a in callers for b in callees if a != b]
    return ties


def _people(numbers: list[str], phones_of: Mapping[int, set[str]]) -> list[str]:
    out: set[str] = set()
    for number in numbers:
        digits = number.lstrip("+")
        if digits.isdigit():
            out |= phones_of.get(int(digits), set())
    return sorted(out)


def _payment_ties(
    links: list[tuple[str, str, str, dict[str, Any]]],
    values: Mapping[str, Mapping[str, list[str]]],
    person_set: set[str],
    evidence: dict[str, Counter[str]],
) -> list[Tie]:
    holders: dict[str, set[str]] = defaultdict(set)
    for lkind, src, dst, _ in links:
        if lkind == "holds_financial_account" and src in person_set:
            holders[dst].add(src)
    payers: dict[str, set[str]] = defaultdict(set)
    payees: dict[str, set[str]] = defaultdict(set)
    for lkind, src, dst, _ in links:
        if lkind in ("paid", "received"):
            people = {src} if src in person_set else holders.get(src, set())
            (payers if lkind == "paid" else payees)[dst] |= people
    ties: list[Tie] = []
    for payment in sorted(set(payers) | set(payees)):
        # Money evidence for the role is receiving payments: migrants and relatives who pay a
        # fee are not money facilitators (found on the scenario's ground truth).
        purpose = payment_purpose(values.get(payment, {}).get("purpose", []))
        for p in payees[payment]:
            evidence[p]["payments"] += 1
            if purpose:
                evidence[p][f"received_{purpose}"] += 1
        for p in payers[payment]:
            if purpose:
                evidence[p][f"paid_{purpose}"] += 1
        at = _first(values.get(payment, {}), "paid_at")
        ties += [
            Tie(a, b, "payments", 1.0, at, payment)
            for a in sorted(payers[payment])
            for b in sorted(payees[payment])
            if a != b
        ]
    return ties
