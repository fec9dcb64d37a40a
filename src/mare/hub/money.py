"""Money in the hub, read through the access policy: transfers between parties, flows, patterns, fees.

Payment records, the parties that `paid` and `received` them (persons, organisations, financial
accounts), account holders (`holds_financial_account`), journey legs and who travelled on them
(`travelled_on`: the route a fee pays for, for fee levels per whole route) are read with the read
policy compiled to SQL (`hub.visible.read_visible`, and the links here the same way): only what the
viewer may see in full is used, a link only when it and both its ends are; counts withheld, by rule,
go to the request's consultation entry, never what.

Parties: a person is one node per resolved person (the cross-check's entity, `E…`, else the record);
an account held by a person or organisation the viewer sees is that holder's, else the account itself
(one node per IBAN or account number); an organisation is one node per name and country. A payment
with a payer and a payee is a transfer; one with only one of them counts in the corridors only.
Payments whose amount or currency cannot be used are reported with their contribution, file row and
field, and left out of the sums. The analyses are in `mare.analyse.money`; each fee-taker pattern (a
payee a record reports taking a fee) is given here the records it rests on: agency, contribution, row
and the grades of source and information.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from mare.analyse.money.fee_levels import FEE_LEVELS, FeeLevel, route_levels
from mare.analyse.money.flows import Flows, flows
from mare.analyse.money.networks import Fees, fee_observations
from mare.analyse.money.patterns import Analysis, Party, Thresholds, find_patterns
from mare.analyse.money.transactions import Problem, Transfer, parse_time
from mare.hub.context import HubContext
from mare.hub.network import payment_purpose
from mare.hub.visible import Seen, read_visible
from mare.schema.types.currency import AmountError, check_amount, currency_code, to_eur

PAYMENT_FIELDS = ("amount", "currency", "paid_at", "method", "purpose", "from_country", "to_country")
ACCOUNT_FIELDS = ("iban", "account_number", "institution", "country", "holder_name", "account_type")
PERSON_FIELDS = ("name", "given_name", "family_name", "role", "residence_country", "nationality")
ORG_FIELDS = ("name", "country", "business_type")
LINKS = ("paid", "received", "holds_financial_account")


@dataclass
class MoneyResult:
    """What `mare money --hub` shows."""

    payments: int = 0
    transfers: list[Transfer] = field(default_factory=list)
    incomplete: int = 0  # payments with no visible payer or payee
    parties: dict[str, Party] = field(default_factory=dict)
    flows: Flows | None = None
    analysis: Analysis | None = None
    fees: Fees | None = None
    networks: list[Fees] = field(default_factory=list)
    journeys_on_legs: int = 0  # persons counted on the journey legs seen
    levels: tuple[FeeLevel, ...] = FEE_LEVELS  # the general level and those derived per route
    problems: list[Problem] = field(default_factory=list)
    withheld: dict[str, int] = field(default_factory=dict)

    def as_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-able form (turnover is added by the caller, `products.money`)."""
        analysis = self.analysis
        return {
            "payments": self.payments,
            "transfers": len(self.transfers),
            "incomplete": self.incomplete,
            "parties": len(self.parties),
            "flows": self.flows.as_dict(top) if self.flows else None,
            "patterns": [p.as_dict(self.parties) for p in analysis.patterns] if analysis else [],
            "thresholds": analysis.thresholds.as_dict() if analysis else None,
            "notes": analysis.notes if analysis else [],
            "fees": self.fees.as_dict() if self.fees else None,
            "networks": [n.as_dict() for n in self.networks],
            "journeys_on_legs": self.journeys_on_legs,
            "fee_levels": [level.as_dict() for level in self.levels],
            "problems": [p.as_dict() for p in self.problems],
            "withheld": self.withheld,
        }


def _links(ctx: HubContext, kinds: tuple[str, ...] = LINKS) -> tuple[list[tuple[str, str, str]], int]:
    """Links of these kinds (the money links) visible in full with both ends, and how many were withheld."""
    con = ctx.store.con
    lvis, lparams = ctx.visibility_sql("l", minor=False, consent=False)
    svis, sparams = ctx.visibility_sql("s")
    tvis, tparams = ctx.visibility_sql("t")
    marks = ", ".join("?" for _ in kinds)
    rows = con.execute(
        f"SELECT l.kind, l.source_uid, l.target_uid, {lvis} = 'full' AND {svis} = 'full' AND {tvis} = 'full' "
        "FROM links l JOIN records s ON s.uid = l.source_uid JOIN records t ON t.uid = l.target_uid "
        f"WHERE l.kind IN ({marks}) ORDER BY l.uid",
        [*lparams, *sparams, *tparams, *kinds],
    ).fetchall()
    shown = [(str(k), str(s), str(t)) for k, s, t, ok in rows if ok]
    return shown, len(rows) - len(shown)


def _entities(ctx: HubContext, uids: list[str]) -> dict[str, str]:
    if not uids:
        return {}
    return {
        str(r): str(e)
        for r, e in ctx.store.con.execute(
            "SELECT record_uid, entity_id FROM entities WHERE record_uid IN (SELECT unnest(?))", [uids]
        ).fetchall()
    }


def _where(ctx: HubContext, uids: list[str]) -> dict[str, str]:
    """'contribution, row' for records (already seen in full) with a problem."""
    if not uids:
        return {}
    return {
        str(u): f"{c}, {row}" if row else str(c)
        for u, c, row in ctx.store.con.execute(
            "SELECT uid, contribution, row_ref FROM records WHERE uid IN (SELECT unnest(?))", [uids]
        ).fetchall()
    }


def _sources(ctx: HubContext, uids: list[str]) -> dict[str, dict[str, str | None]]:
    """Where each payment record (already seen in full) comes from: its agency, contribution, row and
    the grades its source and information were given (the 4x4 or the agency's scheme)."""
    if not uids:
        return {}
    return {
        str(u): {
            "record": str(u),
            "agency": str(a),
            "contribution": str(c),
            "row": str(row) if row else None,
            "grade": f"{sg or '?'}{ig or '?'}" if sg or ig else None,
        }
        for u, a, c, row, sg, ig in ctx.store.con.execute(
            "SELECT uid, agency, contribution, row_ref, source_grade, information_grade FROM records "
            "WHERE uid IN (SELECT unnest(?)) ORDER BY uid",
            [uids],
        ).fetchall()
    }


def _fee_taker_sources(ctx: HubContext, analysis: Analysis) -> None:
    """Each fee-taker pattern (a payee a record reports taking a fee) with the records it rests on: the
    agency, contribution and row of each, and how the source and the information were graded."""
    takers = analysis.of_kind("fee-taker")
    where = _sources(ctx, sorted({ref for p in takers for ref in p.refs}))
    for p in takers:
        p.details["sources"] = [where[ref] for ref in p.refs[:20] if ref in where]
        graded = sorted({g for ref in p.refs if (g := where.get(ref, {}).get("grade"))})
        agencies = sorted({where[ref]["agency"] or "?" for ref in p.refs if ref in where})
        text = f"reported by {', '.join(agencies)}"
        if graded:
            text += f" (source and information graded {', '.join(graded)})"
        p.reasons.append(text)


def _name(seen: Seen) -> str | None:
    name = seen.label or seen.first("name")
    if name:
        return name
    parts = [seen.first(f) for f in ("given_name", "family_name")]
    return " ".join(p for p in parts if p) or None


def _account_key(seen: Seen) -> str:
    """The account as an identifier: its IBAN, else its number at its institution ('' if neither)."""
    if seen.first("iban"):
        return f"IBAN:{seen.first('iban')}"
    if seen.first("account_number"):
        return f"ACCOUNT:{seen.first('account_number')}|{seen.first('institution') or '?'}"
    return ""


def _one_holder_per_account(
    node: dict[str, str], persons: dict[str, Seen], accounts: dict[str, Seen], holders: dict[str, list[str]]
) -> None:
    """Person records holding the same account (IBAN, or number at one institution), one per report
    that names it, are one party even where the cross-check has not resolved them: money moves
    between accounts, and an account is one place it sits. Their nodes are joined (an entity id kept
    where there is one)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    by_key: dict[str, set[str]] = defaultdict(set)
    for uid, seen in accounts.items():
        key = _account_key(seen)
        if key:
            by_key[key].update(node[h] for h in holders.get(uid, []) if h in persons)
    for group in by_key.values():
        if len(group) < 2:
            continue
        roots = sorted({find(n) for n in group}, key=lambda n: (not n.startswith("E"), n))
        for r in roots[1:]:
            parent[r] = roots[0]
    if parent:
        for uid in list(node):
            node[uid] = find(node[uid])


def _parties(
    ctx: HubContext,
    persons: dict[str, Seen],
    accounts: dict[str, Seen],
    orgs: dict[str, Seen],
    links: list[tuple[str, str, str]],
) -> tuple[dict[str, str], dict[str, Party]]:
    """Node id of each person, account and organisation record, and the parties by node."""
    entity = _entities(ctx, sorted(persons))
    node: dict[str, str] = {uid: entity.get(uid, uid) for uid in persons}
    for uid, seen in orgs.items():
        name = (seen.first("name") or seen.label or uid).upper()
        node[uid] = f"ORG:{name}|{seen.first('country') or '?'}"
    holders: dict[str, list[str]] = defaultdict(list)
    for kind, src, dst in links:
        if kind == "holds_financial_account" and dst in accounts and src in node:
            holders[dst].append(src)
    _one_holder_per_account(node, persons, accounts, holders)
    for uid, seen in accounts.items():
        if holders.get(uid):
            node[uid] = node[sorted(holders[uid])[0]]
        else:
            node[uid] = _account_key(seen) or uid
    records: dict[str, list[str]] = defaultdict(list)
    held: dict[str, list[str]] = defaultdict(list)
    for uid, n in node.items():
        (held if uid in accounts else records)[n].append(uid)
    parties: dict[str, Party] = {}
    for n in set(node.values()):
        recs = sorted(records.get(n, []))
        accs = sorted(held.get(n, []))
        first = persons.get(recs[0]) if recs and recs[0] in persons else None
        org = orgs.get(recs[0]) if recs and recs[0] in orgs else None
        if first is not None:
            roles = Counter(r for u in recs if u in persons for r in persons[u].values.get("role", []))
            parties[n] = Party(
                n,
                "person",
                _name(first),
                first.first("residence_country", "nationality"),
                roles.most_common(1)[0][0] if roles else None,
                tuple(recs),
                tuple(accs),
            )
        elif org is not None:
            parties[n] = Party(
                n,
                "organisation",
                _name(org),
                org.first("country"),
                org.first("business_type"),
                tuple(recs),
                tuple(accs),
            )
        else:
            acc = accounts[accs[0]]
            parties[n] = Party(
                n,
                "account",
                acc.first("holder_name") or acc.first("iban", "account_number"),
                acc.first("country"),
                acc.first("account_type"),
                (),
                tuple(accs),
            )
    return node, parties


def _purpose(written: list[str]) -> str | None:
    """The purpose class (`hub.network.payment_purpose`); 'other' for a purpose recorded in no class
    (an invoice, family support), which is then not judged a fee by its amount; None when none is."""
    return payment_purpose(written) or ("other" if any(w.strip() for w in written) else None)


def _transfer(uid: str, seen: Seen, src: str, dst: str) -> Transfer | Problem:
    """A payment as a transfer, or the problem that keeps it out of the sums."""
    written = seen.first("amount")
    if written is None:
        return Problem(uid, "amount", "no amount", "left out of flows and patterns")
    try:
        code = currency_code(seen.first("currency") or "")
        amount = check_amount(float(written), code)
    except (AmountError, ValueError) as exc:
        field_ = "currency" if "currency" in str(exc) else "amount"
        return Problem(uid, field_, str(exc), "left out of flows and patterns")
    when = seen.first("paid_at")
    time = None
    if when:
        try:
            time = parse_time(when)
        except ValueError:
            time = None
    return Transfer(
        src,
        dst,
        amount.value,
        amount.currency,
        amount.eur,
        time,
        seen.first("from_country"),
        seen.first("to_country"),
        seen.first("method"),
        _purpose(seen.values.get("purpose", [])),
        uid,
    )


#: A route as written: 'Izmir>Kos' as read at intake; 'Izmir - Kos', 'Izmir → Kos' as agencies write it.
_ROUTE = re.compile(r"\s*(?:->|→|>|\s-\s)\s*")


def advertised_prices(ctx: HubContext) -> list[tuple[str, str | None, float]]:
    """(country the route departs from, country it leads to or None, EUR) of each advert the viewer may
    see in full with a price, a currency with a euro rate and a route whose origin is a country or one
    of the gazetteer's curated places and ports (`analyse.adverts.extract.route_gazetteer`); the
    destination where the route names one the gazetteer knows ('Izmir>Kos': TR, GR)."""
    from mare.analyse.adverts.extract import place_country, route_gazetteer

    adverts = read_visible(ctx, ["advert"], ["price", "currency", "route_offered"])
    wanted: list[tuple[str, str, float]] = []
    for seen in adverts.records.values():
        parts = _ROUTE.split(seen.first("route_offered") or "")
        origin, to = parts[0].strip(), (parts[-1].strip() if len(parts) > 1 else "")
        try:
            eur = to_eur(float(seen.first("price") or ""), currency_code(seen.first("currency") or "?"))
        except (AmountError, ValueError):
            continue
        if origin and origin != "?" and eur:
            wanted.append((origin, to, eur))
    if not wanted:
        return []
    gaz = route_gazetteer()
    places = {o for o, _, _ in wanted} | {t for _, t, _ in wanted if t and t != "?"}
    countries = {place: place_country(place, gaz) for place in places}
    return [
        (country, countries.get(to) if to else None, eur)
        for origin, to, eur in wanted
        if (country := countries[origin])
    ]


def _legs_of(
    ctx: HubContext, node: dict[str, str], legs: dict[str, Seen]
) -> tuple[dict[str, list[tuple[int, str, str]]], int]:
    """(departure time, from country, to country) of the journey legs each party travelled on, by time;
    legs and `travelled_on` links the viewer may see in full, with both countries (time unknown: 0);
    and how many such links were withheld."""
    links, withheld = _links(ctx, ("travelled_on",))
    ctx.note_bulk("link", len(links), {"not visible": withheld} if withheld else {})
    out: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for _, src, dst in links:
        seen = legs.get(dst)
        if seen is None or src not in node:
            continue
        a, b = seen.first("from_country"), seen.first("to_country")
        if not a or not b:
            continue
        when = 0
        if seen.first("departed_at"):
            try:
                when = parse_time(seen.first("departed_at") or "")
            except ValueError:
                when = 0
        out[node[src]].append((when, a, b))
    for party in out:
        out[party].sort()
    return out, withheld


def _route_of(t: Transfer, legs: list[tuple[int, str, str]]) -> Transfer:
    """The transfer with the route it pays for: its payer's first leg departing at or after it (else the
    last before it); with no time, the payer's only route, if one."""
    if not legs:
        return t
    if t.time is None:
        routes = {(a, b) for _, a, b in legs}
        if len(routes) != 1:
            return t
        a, b = routes.pop()
    else:
        after = [leg for leg in legs if leg[0] >= t.time]
        _, a, b = after[0] if after else legs[-1]
    return replace(t, origin=a, destination=b)


def hub_money(ctx: HubContext, thresholds: Thresholds | None = None) -> MoneyResult:
    """Transfers the viewer may see, their flows and corridors, the patterns in them and the fees."""
    result = MoneyResult()
    payments = read_visible(ctx, ["payment"], PAYMENT_FIELDS)
    accounts = read_visible(ctx, ["financial_account"], ACCOUNT_FIELDS)
    orgs = read_visible(ctx, ["organisation"], ORG_FIELDS)
    persons = read_visible(ctx, ["person"], PERSON_FIELDS)
    legs = read_visible(ctx, ["journey_leg"], ["persons_count", "from_country", "to_country", "departed_at"])
    links, links_withheld = _links(ctx)
    ctx.note_bulk("link", len(links), {"not visible": links_withheld} if links_withheld else {})
    withheld: Counter[str] = Counter()
    for part in (payments, accounts, orgs, persons, legs):
        withheld.update(part.withheld)
    if links_withheld:
        withheld["links"] += links_withheld
    result.withheld = dict(withheld)
    result.payments = len(payments.records)
    node, result.parties = _parties(ctx, persons.records, accounts.records, orgs.records, links)
    payers: dict[str, set[str]] = defaultdict(set)
    payees: dict[str, set[str]] = defaultdict(set)
    for kind, src, dst in links:
        if kind in ("paid", "received") and dst in payments.records and src in node:
            (payers if kind == "paid" else payees)[dst].add(node[src])
    corridor_only: list[Transfer] = []
    problems: list[Problem] = []
    for uid, seen in payments.records.items():
        froms = sorted(payers.get(uid, set()))
        tos = sorted(payees.get(uid, set()))
        pairs = [(a, b) for a in froms for b in tos if a != b] or [
            (froms[0] if froms else "?", tos[0] if tos else "?")
        ]
        for a, b in pairs:
            made = _transfer(uid, seen, a, b)
            if isinstance(made, Problem):
                problems.append(made)
                break
            if "?" in (a, b):
                corridor_only.append(made)
            else:
                result.transfers.append(made)
    result.incomplete = len(corridor_only)
    travelled, travel_withheld = _legs_of(ctx, node, legs.records)
    if travel_withheld:
        result.withheld["links"] = result.withheld.get("links", 0) + travel_withheld
    result.transfers = [_route_of(t, travelled.get(t.source, [])) for t in result.transfers]
    where = _where(ctx, sorted({p.where for p in problems}))
    result.problems = [
        Problem(f"{where.get(p.where, p.where)} (record {p.where})", p.field, p.reason, p.action)
        for p in problems
    ]
    result.flows = flows([*result.transfers, *corridor_only])
    levels = route_levels([*result.transfers, *corridor_only], advertised_prices(ctx))
    result.levels = (*FEE_LEVELS, *levels)
    result.analysis = find_patterns(result.transfers, result.parties, thresholds, result.levels)
    _fee_taker_sources(ctx, result.analysis)
    brokers = result.analysis.flagged("broker")
    result.fees, result.networks = fee_observations(result.transfers, brokers, result.levels)
    total = 0
    for seen in legs.records.values():
        try:
            total += int(float(seen.first("persons_count") or 0))
        except ValueError:
            continue
    result.journeys_on_legs = total
    return result
