"""The list of vessels of interest, from what the hub holds today, each with why it is listed.

A vessel record the viewer may see in full is listed when something ties it to smuggling: a suspect
operates it (`operates_vessel`) or travelled on it (`travelled_on`), it carried journey legs
(`leg_used`), or it was involved in events (`involved_in`: interceptions, rescues, landings…). Every
tie counts only when the link and the record at its other end are visible in full. Vessels are ranked
by how many separate reasons list them, then by how much ties them. Identifiers (IMO, MMSI, call sign,
flag) are shown as recorded. The AIS section lists the vessels of interest from the AIS contributions
the viewer may see (`mare.hub.maritime`: gaps, dark rendezvous, encounters, identity anomalies, with the
vessel records above), each AIS contribution used counted among the sources with its handling code.
"""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from datetime import UTC, datetime

from mare.hub.context import HubContext
from mare.hub.maritime import hub_vessels
from mare.products.charts import ChartError, bar_chart
from mare.products.daily import viewer_of
from mare.products.read import visible_links, visible_records
from mare.products.report import Figure, Report, Section, Source, Table, missing, sources_of

LINKS = ("operates_vessel", "travelled_on", "leg_used", "involved_in")
SUSPECTS = ("suspect", "convicted")
SHOWN = 60
MARITIME = (
    "From the AIS the hub holds that you may see: gaps at sea, dark rendezvous (silent, then back on its "
    "track), encounters, meetings with vessels without AIS placed by the hub's reports, loitering, identity "
    "anomalies and time off departure and landing areas, combined with the vessel records above and the "
    "organisations of interest operating them (docs/maritime.md gives the method and thresholds)."
)
NO_AIS = "The hub holds no AIS you may see: this list is built from vessel records and their ties alone."


def vessels_report(ctx: HubContext) -> Report:
    """The vessels of interest the viewer may see, each with why it is listed."""
    records = visible_records(ctx, ("vessel", "person", "journey_leg", "event"))
    links = [link for link in visible_links(ctx, LINKS) if link[1] in records and link[2] in records]
    vessels = {uid: r for uid, r in records.items() if r.kind == "vessel"}
    suspects: dict[str, set[str]] = defaultdict(set)
    travellers: dict[str, set[str]] = defaultdict(set)
    legs: dict[str, set[str]] = defaultdict(set)
    events: dict[str, Counter[str]] = defaultdict(Counter)
    tied: dict[str, set[str]] = defaultdict(set)  # vessel -> the records that tie it
    for kind, src, dst in links:
        if (kind == "operates_vessel" and dst in vessels) or (kind == "travelled_on" and dst in vessels):
            (suspects if records[src].category in SUSPECTS else travellers)[dst].add(src)
        elif kind == "leg_used" and dst in vessels:
            legs[dst].add(src)
        elif kind == "involved_in" and src in vessels:
            events[src][records[dst].first("event_type") or "other"] += 1
        else:
            continue
        tied[src if src in vessels else dst].add(dst if src in vessels else src)
    rows = []
    for uid, vessel in vessels.items():
        why = []
        if suspects[uid]:
            names = sorted(records[p].label or p for p in suspects[uid])
            why.append(
                f"tied to {len(names)} suspect(s): {', '.join(names[:4])}" + (" …" if len(names) > 4 else "")
            )
        if legs[uid]:
            why.append(f"carried {len(legs[uid])} journey leg(s)")
        if events[uid]:
            why.append("involved in " + ", ".join(f"{n} {k}" for k, n in events[uid].most_common()))
        if travellers[uid] and not suspects[uid]:
            why.append(f"{len(travellers[uid])} other person(s) travelled on it")
        if not why:
            continue
        weight = len(suspects[uid]) * 3 + len(legs[uid]) + sum(events[uid].values())
        ids = [
            f"{name.upper()} {vessel.first(name)}"
            for name in ("imo", "mmsi", "call_sign")
            if vessel.first(name)
        ]
        rows.append(
            (
                -len(why),
                -weight,
                uid,
                [
                    vessel.label or vessel.first("name") or "(unnamed)",
                    vessel.first("vessel_type"),
                    vessel.first("flag"),
                    ", ".join(ids) or "none recorded",
                    vessel.agency,
                    "; ".join(why),
                ],
            )
        )
    rows.sort()
    used = {uid for *_, uid, _ in rows[:SHOWN]}  # sources: the vessels listed and what ties them
    used |= {other for uid in list(used) for other in tied[uid]}
    title = "Vessels of interest"
    if not rows:
        listed = missing(
            "vessels",
            title,
            f"none of the {len(vessels)} vessel records you may see is tied to a "
            "suspect, a journey leg or an event",
        )
    else:
        types = Counter(str(r[3][1] or "unknown") for r in rows)
        listed = Section(
            "vessels",
            title,
            [
                f"{len(rows)} of the {len(vessels)} vessel records you may see are tied to smuggling"
                + (f"; the {SHOWN} most strongly tied are listed." if len(rows) > SHOWN else ".")
            ],
            [
                Table(
                    ["vessel", "type", "flag", "identifiers", "held by", "why listed"],
                    [r[3] for r in rows[:SHOWN]],
                )
            ],
            data={"listed": len(rows), "vessel_records": len(vessels), "by_type": dict(types)},
        )
        with contextlib.suppress(ChartError):
            listed.figures.append(
                Figure("Vessels of interest by type", bar_chart(types, "Vessels by type", "vessels"))
            )
    maritime, ais_sources = _maritime(ctx)
    sections = [listed, maritime]
    return Report(
        kind="vessels",
        title="Vessels of interest",
        subtitle=f"From the vessel records the hub holds on {datetime.now(UTC).date()}",
        generated_at=datetime.now(UTC).replace(tzinfo=None),
        viewer=viewer_of(ctx),
        sections=sections,
        sources=sources_of(ctx, used) + ais_sources,
    )


def _maritime(ctx: HubContext) -> tuple[Section, list[Source]]:
    """The AIS vessels of interest, and the AIS contributions they come from (as report sources)."""
    picture = hub_vessels(ctx)
    if not picture["contributions"]:
        return Section("maritime", "Maritime tracking", [NO_AIS], data={"ais": False}), []
    vessels = picture["vessels"]
    used = sorted({s for v in vessels[:SHOWN] for s in v["sources"]})
    rows = [
        [
            str(v["mmsi"]),
            v["name"] or "",
            v["flag"] or "",
            str(v["score"]),
            "; ".join(v["why"]),
            ", ".join(v["owners"]),
            v["handling"],
        ]
        for v in vessels[:SHOWN]
    ]
    text = [
        MARITIME,
        f"{picture['positions']} positions of {picture['vessels_tracked']} vessels from "
        f"{picture['contributions']} AIS contribution(s); {len(vessels)} vessel(s) of interest.",
    ]
    section = Section(
        "maritime",
        "Maritime tracking (AIS)",
        text,
        [Table(["MMSI", "name", "flag", "score", "why listed", "from", "code"], rows)] if rows else [],
        data={"ais": True, "listed": len(vessels), "events": picture["events"]},
    )
    sources = []
    if used:
        marks = ", ".join("?" for _ in used)
        for uid, agency, sender, code, restrictions in ctx.store.con.execute(
            "SELECT uid, agency, sender_id, handling_code, restrictions->>'text' FROM contributions "
            f"WHERE uid IN ({marks}) ORDER BY uid",
            used,
        ).fetchall():
            sources.append(Source(uid, agency, sender, code, restrictions or None, "AIS", 0))
    return section, sources
