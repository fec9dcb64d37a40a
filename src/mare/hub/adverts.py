"""Adverts in the hub, read through the access policy: what they offer, who posts them, whom they lead to.

Advert records the viewer may see in full are read in the database with the read policy compiled
to SQL (`hub.visible.read_visible`); each text is read by `mare.analyse.adverts` (phones, handles,
URLs, prices, places and route, services). The advert's own `advertises` links (its author's account,
the phones and handles stored at intake) are read when the link and its target are seen in full.

Posters are adverts tied by shared phones and handles. Each poster's identifiers are looked up in
the cross-check's identifier index, as every identifier is: a person record carrying the number or
handle, or linked to a phone or account record carrying it (`uses_phone`, `uses_account`), is
*linked* when the viewer sees the person, the identifier record and the link in full; when the
viewer sees one of them only as hit/no-hit, the match is a *hit* (owner, record id, rule; never its
values). Linked persons carry the entity the cross-check resolved them to and the cases and
organisations they are members of (`member_of`, seen in full): the networks the hub knows them in.

`post_facts` is what the hub's intake reads from a post's text when a Telegram export or posts CSV
arrives (`IngestOptions.read_post`), so phones, handles and prices are stored as values (and the
cross-check and the early-warning price series see them).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from mare.access.policy import DataMeta
from mare.hub.context import HubContext, record_meta
from mare.hub.visible import read_visible

ADVERT_FIELDS = ("platform", "url", "posted_at", "text", "contact")
IDENTITY_LINKS = ("uses_phone", "uses_account")


def post_facts(text: str, platform: str | None) -> dict[str, Any]:
    """Phones, handles, the first price (with a currency, else any), language and route of a post."""
    from mare.analyse.adverts.extract import advert_gazetteer, extract

    found = extract(text, platform, gaz=advert_gazetteer())
    price = next(
        (p for p in found.prices if p.detail.get("currency")), found.prices[0] if found.prices else None
    )
    return {
        "language": found.language,
        "phones": found.values("phones"),
        "handles": found.values("handles"),
        "price": None if price is None else price.detail["amount"],
        "currency": None if price is None else price.detail.get("currency"),
        "route": found.route.value if found.route else None,
    }


@dataclass(frozen=True)
class Hit:
    """A matching record the viewer may see only as hit/no-hit: whom to ask, never its values."""

    poster: str
    identifier: str
    record: str
    agency: str
    rule: str
    reason: str


@dataclass
class AdvertsResult:
    """What `mare adverts --hub` shows."""

    adverts: list[Any] = field(default_factory=list)  # AdvertView
    posters: list[Any] = field(default_factory=list)  # Poster
    prices: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # month -> currency -> stats
    destinations: dict[str, dict[str, dict[str, dict[str, float]]]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    withheld: dict[str, int] = field(default_factory=dict)

    def linked(self) -> dict[str, list[str]]:
        """Advert id -> the person records its poster is linked to."""
        out: dict[str, list[str]] = {}
        for poster in self.posters:
            persons = [p["record"] for p in poster.persons]
            for ad in poster.adverts:
                out[ad] = persons
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "adverts": [a.as_dict() for a in self.adverts],
            "posters": [p.as_dict() for p in self.posters],
            "prices_by_month": self.prices,
            "prices_by_destination": self.destinations,
            "hits": [asdict(h) for h in self.hits],
            "withheld": self.withheld,
        }


def _advertised(ctx: HubContext, uids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Each advert's `advertises` targets seen in full with their link: (kind, normalised identifier)."""
    if not uids:
        return {}
    lvis, lparams = ctx.visibility_sql("l", minor=False, consent=False)
    tvis, tparams = ctx.visibility_sql("t")
    rows = ctx.store.con.execute(
        "SELECT l.source_uid, v.value_type, v.normalised FROM links l "
        "JOIN records t ON t.uid = l.target_uid "
        "JOIN record_values v ON v.record_uid = t.uid AND v.value_type IN ('phone', 'handle') "
        "AND v.normalised IS NOT NULL "
        f"WHERE l.kind = 'advertises' AND l.source_uid IN (SELECT unnest(?)) AND {lvis} = 'full' "
        f"AND {tvis} = 'full' ORDER BY 1, 2, 3",
        [uids, *lparams, *tparams],
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for uid, kind, value in rows:
        out[str(uid)].append((str(kind), str(value)))
    return out


def _matches(
    ctx: HubContext, idents: list[tuple[str, str]], unsaid: Sequence[tuple[str, str]] = ()
) -> list[tuple[Any, ...]]:
    """(kind, value, person uid, person agency, visibility of person, identifier record, link) rows;
    `unsaid`: handles without their platform, looked up as written only."""
    if not idents:
        return []
    con = ctx.store.con
    con.execute("CREATE OR REPLACE TEMP TABLE _advert_ids (kind VARCHAR, value VARCHAR)")
    try:
        con.executemany("INSERT INTO _advert_ids VALUES (?, ?)", [list(i) for i in idents])
        # a handle of unknown platform matches the same name on any platform
        con.execute(
            "INSERT INTO _advert_ids SELECT DISTINCT 'handle', i.value FROM identifier_index i "
            "JOIN _advert_ids a ON a.kind = 'handle' AND a.value LIKE 'unknown:%' "
            "AND i.kind = 'handle' AND split_part(i.value, ':', 2) = split_part(a.value, ':', 2)"
        )
        # and a handle of a known platform matches the same name recorded without one
        if unsaid:
            con.executemany("INSERT INTO _advert_ids VALUES (?, ?)", [list(i) for i in unsaid])
        pvis, pparams = ctx.visibility_sql("p")
        ivis, iparams = ctx.visibility_sql("r")
        lvis, lparams = ctx.visibility_sql("l", minor=False, consent=False)
        via_link = con.execute(
            f"SELECT DISTINCT i.kind, i.value, p.uid, p.agency, {pvis}, r.uid, r.agency, {ivis}, {lvis} "
            "FROM identifier_index i JOIN _advert_ids a ON a.kind = i.kind AND a.value = i.value "
            "JOIN records r ON r.uid = i.record_uid AND r.kind IN ('phone', 'account') "
            f"JOIN links l ON l.target_uid = r.uid AND l.kind IN {IDENTITY_LINKS} "
            "JOIN records p ON p.uid = l.source_uid AND p.kind = 'person'",
            [*pparams, *iparams, *lparams],
        ).fetchall()
        direct = con.execute(
            f"SELECT DISTINCT i.kind, i.value, p.uid, p.agency, {pvis}, p.uid, p.agency, {pvis}, 'full' "
            "FROM identifier_index i JOIN _advert_ids a ON a.kind = i.kind AND a.value = i.value "
            "JOIN records p ON p.uid = i.record_uid AND p.kind = 'person'",
            [*pparams, *pparams],
        ).fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS _advert_ids")
    return [*via_link, *direct]


def _meta(ctx: HubContext, uid: str) -> tuple[DataMeta, str] | None:
    found = record_meta(ctx.store, uid)
    return None if found is None else (found[0], found[0].owner)


def _persons(ctx: HubContext, uids: list[str]) -> dict[str, dict[str, Any]]:
    """Label, entity and memberships (cases and organisations seen in full) of persons seen in full."""
    if not uids:
        return {}
    con = ctx.store.con
    out: dict[str, dict[str, Any]] = {}
    for uid, label, agency, entity in con.execute(
        "SELECT r.uid, r.label, r.agency, e.entity_id FROM records r "
        "LEFT JOIN entities e ON e.record_uid = r.uid WHERE r.uid IN (SELECT unnest(?)) ORDER BY r.uid",
        [uids],
    ).fetchall():
        out[str(uid)] = {
            "record": str(uid),
            "label": label,
            "agency": str(agency),
            "entity": str(entity) if entity else None,
            "member_of": [],
        }
    lvis, lparams = ctx.visibility_sql("l", minor=False, consent=False)
    tvis, tparams = ctx.visibility_sql("t")
    for source, target, kind, label in con.execute(
        "SELECT l.source_uid, t.uid, t.kind, t.label FROM links l JOIN records t ON t.uid = l.target_uid "
        f"WHERE l.kind = 'member_of' AND l.source_uid IN (SELECT unnest(?)) AND {lvis} = 'full' "
        f"AND {tvis} = 'full' ORDER BY 1, 2",
        [uids, *lparams, *tparams],
    ).fetchall():
        out[str(source)]["member_of"].append({"record": str(target), "kind": str(kind), "label": label})
    return out


def _month_prices(adverts: list[Any]) -> dict[str, dict[str, dict[str, float]]]:
    cells: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for ad in adverts:
        if not ad.posted_at:
            continue
        for price in ad.extraction.prices:
            currency = price.detail.get("currency")
            if currency:
                cells[ad.posted_at[:7]][currency].append(float(price.detail["amount"]))
    return {
        month: {
            cur: {"n": len(v), "median": float(statistics.median(v))} for cur, v in sorted(by_cur.items())
        }
        for month, by_cur in sorted(cells.items())
    }


def destination_prices(adverts: list[Any]) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """The price series per destination offered: destination -> month -> currency -> n and median
    (adverts with a destination, a price in a currency and a date; the early-warning series'
    `median price to X` read the same way)."""
    by_destination: dict[str, list[Any]] = defaultdict(list)
    for ad in adverts:
        route = ad.extraction.route
        if route is not None and route.destination:
            by_destination[route.destination].append(ad)
    out = {dest: _month_prices(ads) for dest, ads in sorted(by_destination.items())}
    return {dest: series for dest, series in out.items() if series}


def person_networks(ctx: HubContext, persons: list[dict[str, Any]]) -> None:
    """Each linked person's network among those the hub finds in what the viewer may see
    (`hub.networks.hub_found_networks`, as `mare network --hub` names them), or None."""
    from mare.hub.networks import hub_found_networks

    member: dict[str, str] = {}
    for network_id, net in hub_found_networks(ctx):
        for node in net.ids:
            member.setdefault(str(node), network_id)
    for person in persons:
        person["network"] = member.get(person.get("entity") or "") or member.get(person["record"])


def hub_adverts(ctx: HubContext, networks: bool = False) -> AdvertsResult:
    """The adverts the viewer may see, their posters, the persons and networks these lead to, and hits.
    With `networks`, also the network the hub finds each linked person in (builds the person network)."""
    from mare.analyse.adverts.extract import Found, advert_gazetteer, extract
    from mare.analyse.adverts.posters import AdvertView, group_posters

    visible = read_visible(ctx, ("advert",), ADVERT_FIELDS)
    result = AdvertsResult(withheld=dict(visible.withheld))
    advertised = _advertised(ctx, list(visible.records))
    gaz = advert_gazetteer() if visible.records else None
    for uid, seen in visible.records.items():
        text = seen.first("text") or ""
        platform = seen.first("platform")
        found = extract(text, platform, gaz=gaz)
        stored = advertised.get(uid, [])
        for kind, value in stored:  # identifiers stored at intake (the author's account among them)
            target = found.phones if kind == "phone" else found.handles
            if value not in {f.value for f in target}:
                target.append(Found(kind, value, "(stored with the advert)", -1, -1, {"stored": True}))
        result.adverts.append(AdvertView(uid, platform, seen.first("posted_at"), None, text, found))
    result.posters = group_posters(result.adverts)
    by_id = {ad.id: ad for ad in result.adverts}
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)  # identifier -> the posters naming it
    for poster in result.posters:
        for p in poster.phones:
            owners[("phone", p)].add(poster.id)
        for ad in poster.adverts:  # other readings of a number written without its country code
            for phone in by_id[ad].extraction.phones:
                for other in phone.detail.get("alternatives", []):
                    owners[("phone", other)].add(poster.id)
        for h in poster.handles:
            owners[("handle", h)].add(poster.id)
            owners[("handle", f"unknown:{h.split(':', 1)[-1]}")].add(poster.id)
    idents = sorted(
        {key for key in owners if key[0] == "phone"}
        | {("handle", h) for poster in result.posters for h in poster.handles}
    )
    # each name also as held by a record that does not say its platform (a seized phone's contacts, an
    # account record written without its service): matched as written, never widened to other platforms
    unsaid = sorted({("handle", f"unknown:{h.split(':', 1)[-1]}") for kind, h in idents if kind == "handle"})
    # poster -> person -> basis
    linked: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    hit_seen: set[tuple[str, str]] = set()
    for kind, value, person, _pagency, pvis, ident, _iagency, ivis, lvis in _matches(ctx, idents, unsaid):
        claimed = owners.get((str(kind), str(value)), set()) | owners.get(
            ("handle", f"unknown:{str(value).split(':', 1)[-1]}"), set()
        )
        basis = f"{kind}:{value}"
        for owner in sorted(claimed):
            if pvis == ivis == lvis == "full":
                linked[owner][str(person)].add(basis)
                continue
            if "none" in (pvis, ivis, lvis):  # not even its existence is told
                continue
            # seen only as hit: the record the viewer may not see in full, decided on its own
            for uid, vis in ((str(person), pvis), (str(ident), ivis)):
                if vis != "hit" or (owner, uid) in hit_seen:
                    continue
                got = _meta(ctx, uid)
                if got is None:
                    continue
                decision = ctx.decide("record", uid, got[0])
                if decision.visibility == "hit":
                    hit_seen.add((owner, uid))
                    result.hits.append(Hit(owner, basis, uid, got[1], decision.rule, decision.reason))
    people = _persons(ctx, sorted({p for persons in linked.values() for p in persons}))
    for poster in result.posters:
        for person, bases in sorted(linked.get(poster.id, {}).items()):
            if person in people:
                poster.persons.append({**people[person], "basis": sorted(bases)})
        poster.hits = [asdict(h) for h in result.hits if h.poster == poster.id]
    if networks:
        person_networks(ctx, [p for poster in result.posters for p in poster.persons])
    result.prices = _month_prices(result.adverts)
    result.destinations = destination_prices(result.adverts)
    return result
