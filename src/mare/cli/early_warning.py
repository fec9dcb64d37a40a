"""`mare warnings`, `mare schedule`: thin commands over `mare.hub.early_warning` and `mare.hub.schedule`."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from typing import Annotated

import typer

from mare.cli.common import (
    AgencyOpt,
    HomeOpt,
    JsonOpt,
    RoleOpt,
    UserOpt,
    console,
    fail,
    hub_context,
    print_json,
)
from mare.cli.display import shown

warnings_app = typer.Typer(
    help="Early warnings: changes in the hub's data, computed per agency from what it may see.",
    no_args_is_help=True,
)
schedule_app = typer.Typer(
    help="The hub's scheduled work (detectors, retention check).", no_args_is_help=True
)

PeriodOpt = Annotated[str, typer.Option("--period", help="month or week.")]
TodayOpt = Annotated[
    str | None,
    typer.Option("--today", help="Run as of this date (YYYY-MM-DD; default today): periods before it count."),
]


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option} {text!r}: give a date as YYYY-MM-DD") from None


@warnings_app.command("run")
def warnings_run(
    period: PeriodOpt = "month",
    today: TodayOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the detectors for the hub and every agency (each under its own view); list what is new."""
    from rich.table import Table

    from mare.hub import early_warning as ew

    day = _day(today, "--today")
    with hub_context(home, user, as_agency, role, what="mare warnings run") as ctx:
        try:
            result = ew.run(ctx, period, day)
        except ew.EarlyWarningError as exc:
            raise fail(str(exc)) from None
    if as_json:
        print_json(result.as_dict(ctx.viewer.agency))
        return
    table = Table(title=f"{len(result.warnings)} new early warning(s) for all recipients, by {result.period}")
    for column in ("recipient", "data", "series tested", "skipped", "found", "new"):
        table.add_column(column)
    for agency, summary in result.recipients.items():
        table.add_row(
            shown(agency),
            shown(summary.get("data")),
            str(summary.get("series", 0)),
            str(len(summary.get("skipped", {}))),
            str(summary.get("found", 0)),
            str(summary.get("new", 0)),
        )
    console.print(table)
    console.print(
        "Series skipped (too short or too few records) are listed with --json; read: mare warnings list"
    )


@warnings_app.command("list")
def warnings_list(
    since: Annotated[
        str | None, typer.Option("--since", help="Raised on or after this date (YYYY-MM-DD).")
    ] = None,
    unacknowledged: Annotated[
        bool, typer.Option("--unacknowledged", help="Only those not acknowledged.")
    ] = False,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Your agency's early warnings, newest first."""
    from rich.table import Table

    from mare.hub import early_warning as ew

    day = _day(since, "--since")
    moment = datetime.combine(day, datetime.min.time()) if day else None
    with hub_context(home, user, as_agency, role, what="mare warnings list") as ctx:
        found = ew.warnings(ctx, moment, unacknowledged)
    if as_json:
        print_json([w.as_dict() for w in found])
        return
    table = Table(title=f"{len(found)} early warning(s) for {ctx.viewer.agency}")
    for column in ("id", "detector", "subject", "since", "", "baseline", "observed", "score", "ack"):
        table.add_column(column)
    for w in found:
        table.add_row(
            w.id, shown(w.detector), shown(w.subject), w.start.isoformat(),
            "↑" if w.direction == "up" else "↓", f"{w.baseline:g}", f"{w.observed:g}", f"{w.score:g}",
            "yes" if w.acknowledged_at else "",
        )  # fmt: skip
    console.print(table)


@warnings_app.command("show")
def warnings_show(
    warning_id: Annotated[str, typer.Argument(help="The warning's id (see mare warnings list).")],
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One warning with its explanation and the data behind it."""
    from mare.hub import early_warning as ew

    with hub_context(home, user, as_agency, role, what="mare warnings show") as ctx:
        found = ew.warning(ctx, warning_id)
    if as_json:
        print_json(found.as_dict())
        return
    console.print(f"[bold]{found.id}[/] {shown(found.detector)}: {shown(found.subject)} ({found.direction})")
    console.print(found.explanation, markup=False, highlight=False)
    evidence = dict(found.evidence)
    counts = evidence.pop("counts", {})
    if counts:
        console.print(
            "per " + found.period + ": " + ", ".join(f"{k} {v}" for k, v in counts.items()), markup=False
        )
    for key, value in evidence.items():
        console.print(f"  {key}: {value}", markup=False, highlight=False)


@warnings_app.command("ack")
def warnings_ack(
    warning_id: Annotated[str, typer.Argument(help="The warning's id.")],
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
) -> None:
    """Acknowledge one of your agency's warnings."""
    from mare.hub import early_warning as ew

    with hub_context(home, user, as_agency, role, what="mare warnings ack") as ctx:
        done = ew.acknowledge(ctx, warning_id)
    console.print(
        f"warning [bold]{done.id}[/] acknowledged by {shown(done.acknowledged_by)} at {done.acknowledged_at}"
    )


@schedule_app.command("run")
def schedule_run(
    period: PeriodOpt = "month",
    today: TodayOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the scheduled work as the hub's own processing (for cron): detectors, retention due check,
    and yesterday's daily report for the hub and every agency under its own view."""
    from mare.hub import early_warning as ew
    from mare.hub.identity import is_operator
    from mare.products.scheduled import scheduled_run
    from mare.store.db import open_store

    day = _day(today, "--today")
    try:
        store = open_store(home)
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None
    with store:
        if not is_operator(store):
            raise fail(
                "mare schedule run is the store's own processing: run it as the store's local operator"
            )
        try:
            done = scheduled_run(store, f"os:{getpass.getuser()}", day, period)
        except ew.EarlyWarningError as exc:
            raise fail(str(exc)) from None
    data = done.as_dict()
    if as_json:
        print_json(data)
        return
    console.print(f"schedule run as of {data['today']}: {data['warnings']['new']} new early warning(s)")
    due = data["retention_due"]
    console.print(
        f"retention: {sum(due.values())} record(s) due for review at {len(due)} agencies (notified)"
        if due
        else "retention: nothing due"
    )
    console.print(f"daily report of {done.day.isoformat()}: {done.schedule.daily_report}")
