"""The strategic situation report, following the 2016 Europol-INTERPOL report's sections.

1. Routes and hotspots: flows per route per quarter (`hub.places.hub_routes`) and the places of
   repeated activity (`hub.places.hub_hotspots`), charted and mapped.
2. Network structures: the networks found in the hub's data (`hub.networks.networks`), their sizes and
   nationalities.
3. Money: the payments the viewer may see (amounts, methods, what they were for) and the turnover
   from the hub's data where fees are present, the one `mare money --hub` gives (`products.money`:
   journeys from the distinct fee payers to the persons on the legs seen, the 2016 report's facilitated
   share, the fee per person from the fees observed), hub-wide and per money network, beside the 2016
   report's own inputs.
4. Polycriminality: people by crime area among those in more than one (`hub.polycrime`), beside 2015's
   shares.
5. Trends: monthly events by type and legs by route; early warnings when `hub.early_warning` is there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import numpy as np

from mare.hub.context import HubContext, Refused
from mare.products.charts import ChartError, bar_chart, line_chart, map_figure
from mare.products.daily import early_warning_module, viewer_of
from mare.products.read import visible_records
from mare.products.report import Figure, Report, Section, Table, missing, sources_of
from mare.products.turnover import REPORT_2016, estimate, money

SHARES_2015 = {
    "drug_trafficking": 0.22,
    "trafficking_in_human_beings": 0.20,
    "property_crime": 0.20,
    "document_fraud": 0.18,
}


def _figure(section: Section, title: str, draw: Any, *args: Any) -> None:
    try:
        section.figures.append(Figure(title, draw(*args)))
    except ChartError as exc:
        section.paragraphs.append(f"Not drawn: {exc}")


def _routes(ctx: HubContext, used: set[str]) -> Section:
    from mare.hub.places import hub_hotspots, hub_routes

    routes = hub_routes(ctx, "quarter")
    title = "Migrant smuggling routes and hotspots"
    if not routes["legs"]:
        return missing("routes", title, "no journey leg you may see has both ends located")
    used.update(r["uid"] for r in routes["rows"])
    totals = Counter(r["route"] for r in routes["rows"])
    series: dict[str, dict[str, float]] = defaultdict(dict)
    for period in routes["routes"]:
        for route, flow in period["flows"].items():
            series[route][period["period"]] = flow["count"]
    top = dict(sorted(series.items(), key=lambda kv: -totals[kv[0]])[:6])
    hot = hub_hotspots(ctx)
    places = hot["places"]
    section = Section(
        "routes",
        title,
        [
            f"{routes['legs']} journey legs you may see, on {len(totals)} routes; "
            f"{len(places)} places of repeated activity (three or more events or departures), "
            f"{hot['hot']} significant hot cells (Gi*, FDR {hot['alpha']})."
        ],
        [
            Table(
                ["route", "legs", "share"],
                [[r, n, f"{n / routes['legs']:.0%}"] for r, n in totals.most_common()],
            ),
            Table(
                ["place", "activity", "by kind", "first", "last"],
                [
                    [
                        p["name"],
                        p["count"],
                        ", ".join(f"{k} {n}" for k, n in p["kinds"].items()),
                        p["first_seen"],
                        p["last_seen"],
                    ]
                    for p in places[:20]
                ],
                "Hotspots: places of repeated activity",
            ),
        ],
        data={"routes": dict(totals), "places": places[:20], "hot_cells": hot["hot"]},
    )
    _figure(section, "Legs per route per quarter", line_chart, top, "Journey legs per route", "legs")
    _figure(
        section,
        "Hotspots",
        map_figure,
        [(p["lat"], p["lon"], p["name"] or "") for p in places[:40]],
        [],
        "Places of repeated activity",
    )
    return section


def _networks(ctx: HubContext, used: set[str]) -> Section:
    from mare.hub.networks import hub_found_networks, summarise

    title = "Criminal networks and their structure"
    found = hub_found_networks(ctx, 3)
    if not found:
        return missing("networks", title, "no network of three or more people in what you may see")
    summaries = [summarise(nid, part) for nid, part in found]
    for _, part in found:
        for attrs in part.attrs.values():
            used.update(attrs.get("records", []))
    sizes = [s.people for s in summaries]
    nationalities: Counter[str] = Counter()
    for s in summaries:
        nationalities.update(s.nationalities)
    section = Section(
        "networks",
        title,
        [
            f"{len(summaries)} networks of three or more people (median size "
            f"{int(np.median(sizes))}, largest "
            f"{max(sizes)}). The 2016 report describes loose networks along the "
            "routes: leaders coordinating a "
            "route, organisers running a locality, low-level facilitators; `mare "
            "report initiation N` assesses "
            "the roles in one network.",
            "Nationalities among their members: "
            + ", ".join(f"{k} {n}" for k, n in nationalities.most_common(8))
            + ".",
        ],
        [
            Table(
                ["network", "named by", "people", "ties", "density", "active"],
                [
                    [
                        s.id,
                        s.name,
                        s.people,
                        s.ties,
                        s.density,
                        f"{s.first_seen or '?'} – {s.last_seen or '?'}",
                    ]
                    for s in summaries[:15]
                ],
                "Largest networks",
            )
        ],
        data={"networks": len(summaries), "sizes": sizes, "nationalities": dict(nationalities)},
    )
    _figure(
        section,
        "Network sizes",
        bar_chart,
        {s.id: s.people for s in summaries[:15]},
        "People per network",
        "people",
    )
    return section


def _money(ctx: HubContext, used: set[str]) -> Section:
    from mare.hub.money import hub_money
    from mare.hub.network import payment_purpose
    from mare.products.money import hub_turnover, network_turnover

    records = visible_records(ctx, ("payment",))
    payments = list(records.values())
    title = "Money: payments and turnover"
    paragraphs = []
    tables = []
    if payments:
        used.update(p.uid for p in payments)
        methods = Counter(p.first("method") or "unknown" for p in payments)
        purposes = Counter(payment_purpose(p.values.get("purpose", [])) or "other" for p in payments)
        paragraphs.append(
            f"{len(payments)} payments you may see; by method: "
            + ", ".join(f"{k} {n}" for k, n in methods.most_common())
            + "; by what they were for: "
            + ", ".join(f"{k} {n}" for k, n in purposes.most_common())
            + "."
        )
    reference = estimate(*REPORT_2016)
    tables.append(_turnover_table(reference, "The 2016 report's inputs (2015)"))
    paragraphs.append(
        f"With the 2016 report's own inputs the estimate is {reference.text()}; the report stated USD 5–6 bn "
        "(docs/reports.md shows the arithmetic: its range lies in the upper half of these inputs)."
    )
    data: dict[str, Any] = {"reference": reference.as_dict(), "payments": len(payments)}
    result = hub_money(ctx)  # the same turnover as `mare money --hub` and the Money page
    ours = hub_turnover(result.fees, result.journeys_on_legs) if result.fees else None
    if ours is not None and result.fees is not None:
        tables.append(_turnover_table(ours, "From the hub's data (as mare money --hub)"))
        paragraphs.append(
            f"From what the hub holds and you may see: {ours.text()}, from EUR "
            f"{result.fees.eur:,.0f} of fees observed from {result.fees.payers:,} distinct payers. The "
            "facilitated share is the 2016 report's (the hub cannot measure it); fees paid per leg are "
            "parts of a journey's fee, so where many are observed the fee per person is low. This is the "
            "turnover of the cases the hub holds, not of the market."
        )
        data["hub"] = ours.as_dict()
        rows = []
        for net in result.networks:
            each = network_turnover(net, result.fees)
            if each is not None:
                rows.append([net.name, f"{net.payers:,}", f"{net.eur:,.0f}", each.text()])
        if rows:
            tables.append(
                Table(
                    ["money network", "fee payers", "fees observed (EUR)", "turnover"],
                    rows[:10],
                    f"Per money network (the {min(10, len(rows))} largest of {len(rows)})",
                )
            )
            data["networks"] = len(rows)
    else:
        paragraphs.append("No turnover from the hub's data: no payment you may see is a smuggling fee.")
    return Section("money", title, paragraphs, tables, data=data)


def _turnover_table(t: Any, title: str) -> Table:
    rows = [
        [
            i.name,
            f"{i.low:,.2f}".rstrip("0").rstrip(".")
            + ("" if i.low == i.high else f" – {i.high:,.2f}".rstrip("0").rstrip(".")),
            i.unit,
            i.distribution,
            i.source,
        ]
        for i in t.inputs
    ]
    rows.append(
        [
            "turnover",
            f"median {money(t.median)}; 90 %: {money(t.p05)} – {money(t.p95)}; "
            f"bounds {money(t.low)} – {money(t.high)}",
            t.currency,
            f"{t.draws:,} draws, seed {t.seed}",
            "arrivals × share × fee",
        ]
    )
    return Table(["input", "value", "unit", "distribution", "source"], rows, title)


def _polycrime(ctx: HubContext, used: set[str]) -> Section:
    from mare.hub.polycrime import SMUGGLING, polycriminality

    found = polycriminality(ctx)
    title = "Polycriminality"
    if not found.people:
        return missing("polycrime", title, "no person you may see carries a crime area")
    for link in found.links:
        used.update((link.smuggling_record, link.other_record))
    multi = sum(n for k, n in found.areas_per_person.items() if int(k) > 1)
    other = {a: n for a, n in found.people_by_area.items() if a != SMUGGLING}
    total_other = sum(other.values())
    rows = [
        [
            area,
            n,
            f"{n / total_other:.0%}" if total_other else "—",
            f"{SHARES_2015[area]:.0%}" if area in SHARES_2015 else "—",
        ]
        for area, n in other.items()
    ]
    section = Section(
        "polycrime",
        title,
        [
            f"{multi} of {found.people} people you may see are in more than one crime area; "
            f"{len(found.links)} records link smuggling to another crime area (same "
            "person or shared identifier)."
        ],
        [Table(["other crime area", "people", "share here", "share 2015 (2016 report)"], rows)],
        data=found.as_dict() | {"links": len(found.links)},
    )
    if other:
        _figure(
            section, "People by other crime area", bar_chart, other, "People in other crime areas", "people"
        )
    return section


def _trends(ctx: HubContext, used: set[str]) -> Section:
    from mare.hub.places import event_points, hub_routes

    monthly: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for e in event_points(ctx):
        if e.at:
            monthly[e.event_type or "other"][e.at[:7]] += 1
            used.add(e.uid)
    routes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in hub_routes(ctx, "month")["rows"]:
        if row["departed_at"]:
            routes[row["route"]][row["departed_at"][:7]] += 1
    title = "Trends"
    if not monthly and not routes:
        return missing("trends", title, "no dated event or journey leg you may see")
    section = Section(
        "trends",
        title,
        ["Monthly counts of events by type and of journey legs by route, as the hub holds them."],
        data={
            "events": {k: dict(v) for k, v in monthly.items()},
            "routes": {k: dict(v) for k, v in routes.items()},
        },
    )
    top_events = dict(sorted(monthly.items(), key=lambda kv: -sum(kv[1].values()))[:5])
    top_routes = dict(sorted(routes.items(), key=lambda kv: -sum(kv[1].values()))[:5])
    _figure(section, "Events per month", line_chart, top_events, "Events per month, by type", "events")
    _figure(section, "Legs per month", line_chart, top_routes, "Journey legs per month, by route", "legs")
    module = early_warning_module()
    if module is None:
        section.paragraphs.append(
            "Early warnings are not listed: the detectors (mare.hub.early_warning) are not part of this "
            "installation yet."
        )
    else:
        try:
            found = module.warnings(ctx, limit=20)
        except Refused as exc:
            section.paragraphs.append(f"Early warnings are not listed: {exc}")
            return section
        section.paragraphs.append(f"{len(found)} recent early warnings (the latest 20 at most).")
        section.tables.append(
            Table(
                ["raised", "subject", "change"],
                [[str(w.created_at)[:10], w.subject, f"{w.direction} from {w.start}"] for w in found],
            )
        )
    return section


def situation_report(ctx: HubContext) -> Report:
    """The strategic situation report from what the viewer may see."""
    used: set[str] = set()
    sections = [
        _routes(ctx, used),
        _networks(ctx, used),
        _money(ctx, used),
        _polycrime(ctx, used),
        _trends(ctx, used),
    ]
    return Report(
        kind="situation",
        title="Strategic situation report: migrant smuggling",
        subtitle="Following the sections of the 2016 Europol-INTERPOL report",
        generated_at=datetime.now(UTC).replace(tzinfo=None),
        viewer=viewer_of(ctx),
        sections=sections,
        sources=sources_of(ctx, used),
    )
