"""The investigation initiation document for one network of `mare network --hub` (hub/networks.py).

Sections: the network at a glance; members with their roles as **assessments** (`analyse.network.roles`:
assessed role, kind, confidence and reasons), leaders and organisers first; evidence with provenance and
grading (each member's records: who holds them, the contribution, its grading and handling; the ties by
kind); countries and agencies involved; suggested participants of an operational task force (the
agencies whose data are in it, by how much); open questions; the network chart and the map as figures.
Everything is read as the viewer may see it.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from mare.hub.context import HubContext
from mare.products.charts import ChartError, map_figure, network_chart
from mare.products.daily import viewer_of
from mare.products.read import visible_links
from mare.products.report import Figure, Report, Section, Table, missing, provenance, sources_of

ROLE_ORDER = {"leader": 0, "organiser": 1, "facilitator": 2, "member": 3, "peripheral": 4}
ASSESSMENT = (
    "Roles are assessments inferred from the structure of the ties and the hub's evidence (recorded roles, "
    "what payments were for, associations, adverts), not established facts; each comes with its reasons "
    "and a confidence."
)


def members_assessed(net: Any, seed: int = 1) -> list[dict[str, Any]]:
    """Every member's assessed role with its reasons (`infer_roles` on the network's measures and
    cells), leaders and organisers first, then by score."""
    from mare.analyse.network.cells import find_cells
    from mare.analyse.network.engines import get_engine
    from mare.analyse.network.measures import node_measures
    from mare.analyse.network.roles import infer_roles

    engine = get_engine("auto", net.n)
    measures = node_measures(net, engine, seed=seed)
    roles = infer_roles(net, measures, find_cells(net, engine, seed=seed))
    rows = []
    for node, role in roles.items():
        attrs = net.attrs.get(node, {})
        rows.append(
            role.as_dict()
            | {
                "label": attrs.get("label"),
                "nationality": attrs.get("nationality"),
                "recorded_role": attrs.get("role"),
                "records": attrs.get("records", []),
            }
        )
    rows.sort(key=lambda r: (ROLE_ORDER.get(r["assessed_role"], 9), -r["score"], r["id"]))
    return rows


def initiation_report(ctx: HubContext, network_id: str, min_size: int = 3, seed: int = 1) -> Report:
    """The initiation document for network `network_id` (N1, N2… as `mare network --hub` lists them)."""
    from mare.hub.networks import network, summarise

    net = network(ctx, network_id, min_size)
    summary = summarise(network_id.upper(), net)
    members = members_assessed(net, seed) if net.n >= 2 else []
    records = sorted({uid for m in members for uid in m["records"]})
    ties = [t for t in net.meta.get("ties", []) if t.source in net.index() and t.target in net.index()]
    refs = {t.ref for t in ties if t.ref and t.ref not in ("associate_of", "family_of")}
    origin = provenance(ctx, [*records, *refs])
    figures, drawn = _figures(ctx, net, members, summary.id)
    sources = sources_of(ctx, [*origin, *drawn])
    sections = [
        _glance(summary),
        _members(members),
        _evidence(members, origin, ties),
        _countries(net, members, sources),
        _task_force(sources, origin, records),
        _questions(net, members, origin),
        figures,
    ]
    return Report(
        kind="initiation",
        title=f"Investigation initiation document: network {summary.id}",
        subtitle=f"{summary.name} — {summary.people} people, {summary.ties} ties",
        generated_at=datetime.now(UTC).replace(tzinfo=None),
        viewer=viewer_of(ctx),
        sections=sections,
        sources=sources,
    )


def _glance(summary: Any) -> Section:
    return Section(
        "network",
        "The network",
        [
            f"Network {summary.id}, named after its key players {summary.name}: "
            f"{summary.people} people tied by "
            f"{summary.ties} ties (density {summary.density}), active {summary.first_seen or '?'} – "
            f"{summary.last_seen or '?'}."
        ],
        [
            Table(["tie kind", "observations"], [[k, n] for k, n in sorted(summary.tie_kinds.items())]),
        ],
        data=summary.as_dict(),
    )


def _members(members: list[dict[str, Any]]) -> Section:
    title = "Members and their assessed roles"
    if not members:
        return missing("members", title, "the network has fewer than two people you may see")
    rows = [
        [
            m["label"] or m["id"],
            m["assessed_role"] + (f" ({m['kind']})" if m.get("kind") else ""),
            m["confidence"],
            m["nationality"],
            m["recorded_role"],
            "; ".join(m["reasons"][:3]),
        ]
        for m in members
    ]
    counts = Counter(m["assessed_role"] for m in members)
    return Section(
        "members",
        title,
        [ASSESSMENT, "Assessed: " + ", ".join(f"{n} {role}" for role, n in counts.most_common()) + "."],
        [
            Table(
                [
                    "member",
                    "assessed role (assessment)",
                    "confidence",
                    "nationality",
                    "role recorded by an agency",
                    "reasons",
                ],
                rows,
            )
        ],
        data={
            "members": [
                {k: m[k] for k in ("id", "label", "assessed_role", "kind", "confidence", "score", "reasons")}
                for m in members
            ]
        },
    )


def _evidence(members: list[dict[str, Any]], origin: dict[str, Any], ties: list[Any]) -> Section:
    title = "Evidence, with provenance and grading"
    rows = []
    for m in members:
        for uid in m["records"]:
            p = origin.get(uid)
            if p is not None:
                rows.append([m["label"] or m["id"], uid, p.agency, p.sender_id, p.grading, p.handling_code])
    if not rows:
        return missing("evidence", title, "no record of its members is visible to you in full")
    by_kind = Counter(t.kind for t in ties)
    return Section(
        "evidence",
        title,
        [
            f"{len(rows)} person records of {len(members)} members, from "
            f"{len({r[3] for r in rows})} contributions of {len({r[2] for r in rows})} agencies; "
            f"{len(ties)} observations tie them ("
            + ", ".join(f"{n} {k}" for k, n in by_kind.most_common())
            + ")."
        ],
        [Table(["member", "record", "held by", "contribution (sender's id)", "grading", "handling"], rows)],
        data={"records": len(rows), "ties_by_kind": dict(by_kind)},
    )


def _countries(net: Any, members: list[dict[str, Any]], sources: list[Any]) -> Section:
    nationalities = Counter(str(m["nationality"]) for m in members if m.get("nationality"))
    crossings: Counter[str] = Counter()
    for attrs in net.attrs.values():
        for crossing in attrs.get("routes", []):
            crossings[crossing] += 1
    countries = Counter[str]()
    for crossing, n in crossings.items():
        for country in crossing.split("->"):
            countries[country] += n
    agencies = Counter[str]()
    for s in sources:
        agencies[s.agency] += s.records
    return Section(
        "countries",
        "Countries and agencies involved",
        [
            "Nationalities of members: "
            + (", ".join(f"{k} {n}" for k, n in nationalities.most_common()) or "none recorded")
            + ".",
            "Countries of the journeys they travelled: "
            + (", ".join(f"{k} {n}" for k, n in countries.most_common()) or "none recorded")
            + ".",
            "Agencies whose data are in it: "
            + (", ".join(f"{k} ({n} records)" for k, n in agencies.most_common()) or "none")
            + ".",
        ],
        [
            Table(
                ["crossing", "members who travelled it"],
                [[k, n] for k, n in crossings.most_common(15)],
                "Crossings",
            )
        ]
        if crossings
        else [],
        data={"nationalities": dict(nationalities), "countries": dict(countries), "agencies": dict(agencies)},
    )


def _task_force(sources: list[Any], origin: dict[str, Any], records: list[str]) -> Section:
    title = "Suggested participants of an operational task force"
    if not sources:
        return missing("task_force", title, "no agency's data about this network are visible to you")
    per_agency: Counter[str] = Counter()
    members_of: Counter[str] = Counter()
    for uid, p in origin.items():
        per_agency[p.agency] += 1
        if uid in records:
            members_of[p.agency] += 1
    rows = [[agency, members_of.get(agency, 0), n] for agency, n in per_agency.most_common()]
    return Section(
        "task_force",
        title,
        [
            "The agencies whose data are in this network, by how much: each holds records of its members or "
            "of what ties them, and would bring them to a joint investigation."
        ],
        [Table(["agency", "member records", "records used in all"], rows)],
        data={"agencies": [r[0] for r in rows]},
    )


def _questions(net: Any, members: list[dict[str, Any]], origin: dict[str, Any]) -> Section:
    questions = []
    withheld = net.meta.get("withheld", {})
    if withheld:
        questions.append(
            "Some of the hub's data were withheld from you while the network was "
            f"built ({withheld}): members "
            "or ties may be missing. Ask the owners (hit/no-hit, consent) before concluding."
        )
    low = [
        m["label"] or m["id"]
        for m in members
        if m["assessed_role"] in ("leader", "organiser") and m["confidence"] == "low"
    ]
    if low:
        questions.append(
            f"Leader and organiser assessments with low confidence: {', '.join(low)}. Corroborate them."
        )
    leaders = [m for m in members if m["assessed_role"] == "leader"]
    if not leaders:
        questions.append(
            "No leader is assessed: the coordinating person may stay in the background, outside the data."
        )
    single = [
        m["label"] or m["id"]
        for m in members
        if len({origin[u].agency for u in m["records"] if u in origin}) == 1
    ]
    if single:
        questions.append(
            f"{len(single)} of {len(members)} members are known to one agency only: do others hold them?"
        )
    no_nat = [m for m in members if not m.get("nationality")]
    if no_nat:
        questions.append(f"Nationality unknown for {len(no_nat)} members.")
    money = sum(1 for a in net.attrs.values() if (a.get("evidence") or {}).get("payments"))
    if not money:
        questions.append("No payment ties the members: how is the money moved (cash, hawala)?")
    return Section(
        "questions",
        "Open questions",
        questions or ["None raised by the data."],
        data={"questions": questions},
    )


def _figures(ctx: HubContext, net: Any, members: list[dict[str, Any]], nid: str) -> tuple[Section, set[str]]:
    """The network chart and the map, and the records the map drew."""
    from mare.hub.places import event_points, legs

    title = "Figures: the network and its map"
    roles = {m["id"]: m["assessed_role"] for m in members}
    labels = {m["id"]: m["label"] or m["id"] for m in members}
    section = Section("figures", title)
    problems = []
    try:
        edges = [(net.ids[a], net.ids[b]) for a, b in zip(net.src.tolist(), net.dst.tolist(), strict=True)]
        uri = network_chart(net.ids, edges, roles, labels, f"Network {nid}, coloured by assessed role")
        section.figures.append(
            Figure(f"Network {nid}", uri, "leaders and organisers named; roles are assessments")
        )
    except ChartError as exc:
        problems.append(str(exc))
    records = {uid: node for node, a in net.attrs.items() for uid in a.get("records", [])}
    linked = {dst for kind, src, dst in visible_links(ctx, ("travelled_on", "involved_in")) if src in records}
    linked |= {t.ref for t in net.meta.get("ties", []) if t.ref and t.source in net.index()}
    events = [e for e in event_points(ctx) if e.uid in linked]
    journeys = [g for g in legs(ctx) if g.uid in linked]
    drawn = {e.uid for e in events} | {g.uid for g in journeys}
    points = [(e.lat, e.lon, e.place_name or e.place or "") for e in events]
    lines = [(g.from_lat, g.from_lon, g.to_lat, g.to_lon) for g in journeys]
    try:
        uri = map_figure(points, lines, f"Network {nid}: events and journeys of its members")
        section.figures.append(
            Figure(
                f"Map of network {nid}",
                uri,
                f"{len(points)} events (red) and {len(lines)} journey legs (blue)",
            )
        )
    except ChartError as exc:
        problems.append(str(exc))
    section.paragraphs = [f"Not drawn: {p}" for p in problems]
    if not section.figures:
        return missing("figures", title, "; ".join(problems)), drawn
    return section, drawn
