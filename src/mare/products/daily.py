"""The daily monitoring report: flows and smuggling activity of the day and the week up to it, new hits,
watchlist alerts and early warnings.

- **Flows by route**: visible journey legs that departed on the day / in the seven days up to it, by
  route (`hub.places.hub_routes`: direction rules, else zones) and by crossing (country -> country).
- **Activity by place**: visible events and leg departures of the week grouped by place
  (`hub.places.activity_places`, one or more), with the events of the week by type.
- **New hits**: the viewer's agency's hit notifications of the week, worded for the reader
  (`hub.notifications.inbox`: hit/no-hit where the other side is restricted).
- **Watchlist alerts**: the alerts of the week on the agency's lists (`hub.watchlists.alerts`).
- **Early warnings**: the week's warnings of `hub.early_warning`, when that module is installed.
"""

from __future__ import annotations

import contextlib
import importlib
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mare.hub.context import HubContext, Refused
from mare.products.charts import ChartError, bar_chart
from mare.products.report import Figure, Report, Section, Table, missing, sources_of

WEEK = 7


def _in(at: str | None, start: date, end: date) -> bool:
    """True when the ISO time `at` falls on a day in [start, end]."""
    if not at or len(at) < 10:
        return False
    try:
        day = date.fromisoformat(at[:10])
    except ValueError:
        return False
    return start <= day <= end


def _flows(ctx: HubContext, day: date, week_start: date, used: set[str]) -> Section:
    from mare.hub.places import hub_routes

    routes = hub_routes(ctx, "month")
    rows = [r for r in routes["rows"] if _in(r["departed_at"], week_start, day)]
    title = "Flows by route"
    if not rows:
        return missing(
            "flows",
            title,
            f"no journey leg you may see departed between {week_start} and {day} "
            f"({routes['legs']} located legs in all; {sum(routes['withheld'].values())} withheld from you)",
        )
    used.update(r["uid"] for r in rows)
    today = Counter(r["route"] for r in rows if _in(r["departed_at"], day, day))
    week = Counter(r["route"] for r in rows)
    people: Counter[str] = Counter()
    crossings = Counter(r["crossing"] for r in rows)
    table = Table(
        ["route", f"legs on {day}", "legs in the week", "share of the week"],
        [
            [route, today.get(route, 0), n, f"{n / len(rows):.0%}"]
            for route, n in sorted(week.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    )
    crossing_table = Table(
        ["crossing", "legs in the week"],
        [[c, n] for c, n in sorted(crossings.items(), key=lambda kv: (-kv[1], kv[0]))[:15]],
        "Crossings (country → country)",
    )
    section = Section(
        "flows",
        title,
        [
            f"{len(rows)} journey legs departed in the week {week_start} – {day}, "
            f"{sum(today.values())} of them on {day}."
        ],
        [table, crossing_table],
        data={"week": dict(week), "day": dict(today), "crossings": dict(crossings), "people": dict(people)},
    )
    with contextlib.suppress(ChartError):
        section.figures.append(
            Figure("Legs by route, week", bar_chart(week, "Journey legs by route", "legs"))
        )
    return section


def _activity(ctx: HubContext, day: date, week_start: date, used: set[str]) -> Section:
    from mare.hub.places import activity_places, event_points, legs

    events = [e for e in event_points(ctx) if _in(e.at, week_start, day)]
    departures = [leg for leg in legs(ctx) if _in(leg.departed_at, week_start, day)]
    title = "Smuggling activity by place"
    if not events and not departures:
        return missing("activity", title, f"no event or departure you may see between {week_start} and {day}")
    used.update(e.uid for e in events)
    used.update(leg.uid for leg in departures)
    places = activity_places(events, departures, min_count=1)
    kinds = Counter(e.event_type or "other" for e in events)
    on_day = Counter(e.event_type or "other" for e in events if _in(e.at, day, day))
    return Section(
        "activity",
        title,
        [f"{len(events)} events and {len(departures)} departures in the week, at {len(places)} places."],
        [
            Table(
                ["place", "activity", "by kind", "first", "last"],
                [
                    [
                        p["name"] or f"{p['lat']}, {p['lon']}",
                        p["count"],
                        ", ".join(f"{k} {n}" for k, n in p["kinds"].items()),
                        p["first_seen"],
                        p["last_seen"],
                    ]
                    for p in places[:20]
                ],
                "Most active places of the week",
            ),
            Table(
                ["event type", f"on {day}", "in the week"],
                [[k, on_day.get(k, 0), n] for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))],
                "Events by type",
            ),
        ],
        data={"places": places[:20], "events_by_type": dict(kinds)},
    )


def _hits(ctx: HubContext, day: date, week_start: date) -> Section:
    from mare.hub.notifications import inbox

    title = "New cross-check hits"
    try:
        notes = [
            n for n in inbox(ctx, limit=1000) if n.kind == "hit" and week_start <= n.created_at.date() <= day
        ]
    except Refused as exc:
        return missing("hits", title, f"you may not read your agency's notifications: {exc}")
    if not notes:
        return missing("hits", title, f"no new hit for {ctx.viewer.agency} between {week_start} and {day}")
    return Section(
        "hits",
        title,
        [
            f"{len(notes)} hits notified to {ctx.viewer.agency} between {week_start} and {day}, "
            "worded for you."
        ],
        [
            Table(
                ["when", "hit", "what"],
                [[n.created_at.isoformat(timespec="minutes"), n.subject, n.body] for n in notes[:50]],
            )
        ],
        data={"count": len(notes)},
    )


def _alerts(ctx: HubContext, day: date, week_start: date, used: set[str]) -> Section:
    from mare.hub.watchlists import alerts

    title = "Watchlist alerts"
    try:
        found = [a for a in alerts(ctx, limit=1000) if week_start <= a.created_at.date() <= day]
    except Refused as exc:
        return missing("alerts", title, f"you may not read your agency's watchlist alerts: {exc}")
    if not found:
        return missing(
            "alerts", title, f"no watchlist alert for {ctx.viewer.agency} between {week_start} and {day}"
        )
    used.update(a.record_uid for a in found if a.visibility == "full")
    return Section(
        "alerts",
        title,
        [
            f"{len(found)} alerts between {week_start} and {day}, "
            f"{sum(1 for a in found if not a.acknowledged_at)} not yet acknowledged."
        ],
        [
            Table(
                ["when", "list", "alert", "acknowledged"],
                [
                    [
                        a.created_at.isoformat(timespec="minutes"),
                        a.watchlist_name,
                        a.text,
                        a.acknowledged_at.date().isoformat() if a.acknowledged_at else "no",
                    ]
                    for a in found[:50]
                ],
            )
        ],
        data={"count": len(found)},
    )


def early_warning_module() -> Any | None:
    """`mare.hub.early_warning` when it is installed, else None."""
    try:
        return importlib.import_module("mare.hub.early_warning")
    except ImportError:
        return None


def warning_row(w: Any) -> list[Any]:
    """One early warning as a table row."""
    return [
        str(w.created_at)[:16],
        w.detector,
        w.subject,
        f"{w.direction} from {w.start}",
        w.baseline,
        w.observed,
        w.score,
        w.explanation,
    ]


WARNING_COLUMNS = ["raised", "detector", "subject", "change", "baseline", "observed", "score", "why"]


def _warnings(ctx: HubContext, day: date, week_start: date) -> Section:
    title = "Early warnings"
    module = early_warning_module()
    if module is None:
        return missing(
            "early_warnings",
            title,
            "the early-warning detectors (mare.hub.early_warning) are not part of this installation yet",
        )
    since = datetime.combine(week_start, datetime.min.time())
    try:
        found = [w for w in module.warnings(ctx, since=since) if str(w.created_at)[:10] <= day.isoformat()]
    except Refused as exc:
        return missing("early_warnings", title, f"you may not read early warnings: {exc}")
    if not found:
        return missing("early_warnings", title, f"no early warning raised between {week_start} and {day}")
    return Section(
        "early_warnings",
        title,
        [
            f"{len(found)} early warnings between {week_start} and {day}; each explains its "
            "baseline and what was observed."
        ],
        [Table(WARNING_COLUMNS, [warning_row(w) for w in found[:50]])],
        data={"count": len(found), "ids": [w.id for w in found[:50]]},
    )


def daily_report(ctx: HubContext, day: date | None = None) -> Report:
    """The daily monitoring report for `day` (default: today) and the week up to it."""
    day = day or ctx.today or date.today()
    week_start = day - timedelta(days=WEEK - 1)
    used: set[str] = set()
    sections = [
        _flows(ctx, day, week_start, used),
        _activity(ctx, day, week_start, used),
        _hits(ctx, day, week_start),
        _alerts(ctx, day, week_start, used),
        _warnings(ctx, day, week_start),
    ]
    return Report(
        kind="daily",
        title=f"Daily monitoring report, {day.isoformat()}",
        subtitle=f"Day {day} and the week {week_start} – {day}",
        generated_at=datetime.now(UTC).replace(tzinfo=None),
        viewer=viewer_of(ctx),
        sections=sections,
        sources=sources_of(ctx, used),
    )


def viewer_of(ctx: HubContext) -> dict[str, str]:
    """Who the report is for: user, agency, purpose."""
    return {"user": ctx.viewer.user, "agency": ctx.viewer.agency, "purpose": ctx.purpose}
