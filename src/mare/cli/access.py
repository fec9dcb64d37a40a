"""`mare consent`, `mare retention`, `mare erase`, `mare notifications`: thin commands over the hub layer."""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from mare.hub import consent

consent_app = typer.Typer(
    help="Ask data owners for consent; owners decide; threat-to-life override.", no_args_is_help=True
)
retention_app = typer.Typer(help="Retention reviews: due records, extensions, erasure.", no_args_is_help=True)
notifications_app = typer.Typer(help="Your agency's notifications.", no_args_is_help=True)


def _request_row(r: consent.ConsentRequest) -> list[str]:
    return [
        r.id,
        r.status,
        r.record_uid,
        r.requester,
        r.requester_agency,
        r.owner_agency,
        "override" if r.override else r.purpose,
        r.justification[:60],
    ]


@consent_app.command("request")
def consent_request(
    record: str,
    why: Annotated[str, typer.Option(help="Why you need it.")],
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
) -> None:
    """Ask the owner of a record to release it to your agency."""
    from mare.hub import consent

    with hub_context(home, user, as_agency, role, what="mare consent request") as ctx:
        try:
            req = consent.request_consent(ctx, record, why)
        except consent.ConsentError as exc:
            raise fail(str(exc)) from None
    console.print(f"request [bold]{req.id}[/] sent to {shown(req.owner_agency)}")


@consent_app.command("list")
def consent_list(
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Requests your agency made or must decide on."""
    from rich.table import Table

    from mare.hub import consent

    with hub_context(home, user, as_agency, role, what="mare consent list") as ctx:
        requests = consent.requests_for(ctx)
        agency = ctx.viewer.agency
    if as_json:
        print_json([asdict(r) for r in requests])
        return
    table = Table(title=f"Consent requests of {agency}")
    for col in ("id", "status", "record", "requester", "from", "owner", "purpose", "why"):
        table.add_column(col, overflow="fold")
    for r in requests:
        table.add_row(*(shown(cell) for cell in _request_row(r)))
    console.print(table)


def _decide(
    request_id: str,
    grant: bool,
    reason: str,
    user: str | None,
    as_agency: str | None,
    role: str | None,
    home: HomeOpt,
) -> None:
    from mare.hub import consent

    with hub_context(home, user, as_agency, role, what="mare consent decide") as ctx:
        try:
            req = consent.decide(ctx, request_id, grant, reason)
        except consent.ConsentError as exc:
            raise fail(str(exc)) from None
    console.print(f"request {req.id} [bold]{req.status}[/]; {shown(req.requester_agency)} is notified")


@consent_app.command("grant")
def consent_grant(
    request_id: str,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    reason: Annotated[str, typer.Option(help="Conditions or reason.")] = "",
    home: HomeOpt = None,
) -> None:
    """As the owner, release the record to the requesting agency."""
    _decide(request_id, True, reason, user, as_agency, role, home)


@consent_app.command("refuse")
def consent_refuse(
    request_id: str,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    reason: Annotated[str, typer.Option(help="Why not.")] = "",
    home: HomeOpt = None,
) -> None:
    """As the owner, refuse the request."""
    _decide(request_id, False, reason, user, as_agency, role, home)


@consent_app.command("override")
def consent_override(
    record: str,
    why: Annotated[str, typer.Option(help="The imminent threat to life.")],
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
) -> None:
    """Start a threat-to-life override (needs a second person's approval)."""
    from mare.hub import consent

    with hub_context(home, user, as_agency, role, what="mare consent override") as ctx:
        try:
            req = consent.request_override(ctx, record, why)
        except consent.ConsentError as exc:
            raise fail(str(exc)) from None
    console.print(f"override [bold]{req.id}[/] waits for a second person: mare consent approve {req.id}")


@consent_app.command("approve")
def consent_approve(
    request_id: str,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
) -> None:
    """Approve another person's override (four eyes); the owner is notified at once."""
    from mare.hub import consent

    with hub_context(home, user, as_agency, role, what="mare consent approve") as ctx:
        try:
            req = consent.approve_override(ctx, request_id)
        except consent.ConsentError as exc:
            raise fail(str(exc)) from None
    console.print(f"override {req.id} [bold]granted[/]; {shown(req.owner_agency)} notified")


DayOpt = Annotated[str | None, typer.Option("--on", help="Day (YYYY-MM-DD), default today.")]


def _day(text: str | None, option: str = "--on") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{option} {text!r} is not a date: use YYYY-MM-DD") from None


@retention_app.command("due")
def retention_due(
    home: HomeOpt = None,
    on: DayOpt = None,
    agency: Annotated[str | None, typer.Option(help="Only this agency's records.")] = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Records whose retention review is due (metadata only; your agency's, or all for the hub)."""
    from rich.table import Table

    from mare.hub import retention

    with hub_context(home, user, as_agency, role, purpose="oversight", what="mare retention due") as ctx:
        rows = retention.due(ctx, _day(on), agency)
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table(title=f"{len(rows):,} records due for review")
    for col in ("record", "kind", "agency", "category", "review date", "extensions"):
        table.add_column(col)
    for r in rows[:500]:
        table.add_row(
            shown(r.uid),
            shown(r.kind),
            shown(r.agency),
            shown(r.category),
            str(r.review_at),
            str(r.extensions),
        )
    console.print(table)


@retention_app.command("extend")
def retention_extend(
    record: str,
    until: Annotated[str, typer.Option(help="New review date.")],
    reason: Annotated[str, typer.Option(help="Why it must be kept.")],
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
) -> None:
    """Keep a record until a later review; the reason is recorded."""
    from mare.access.retention_rules import RetentionError
    from mare.hub import retention

    new_date = _day(until, "--until")
    assert new_date is not None
    with hub_context(
        home, user, as_agency, role, purpose="administration", what="mare retention extend"
    ) as ctx:
        try:
            retention.extend(ctx, record, new_date, reason)
        except RetentionError as exc:
            raise fail(str(exc)) from None
    console.print(f"{shown(record)} kept until {until}")


@retention_app.command("run")
def retention_run(
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
    on: DayOpt = None,
) -> None:
    """Erase every record whose review date passed without an extension."""
    from mare.hub import retention

    with hub_context(home, user, as_agency, role, purpose="administration", what="mare retention run") as ctx:
        _records, report = retention.run_retention(ctx, _day(on))
    console.print(f"erased {report.records:,} records ({report.values:,} values, {report.links:,} links)")


def erase_command(
    records: Annotated[list[str], typer.Argument(help="Record uids.")],
    reason: Annotated[str, typer.Option(help="Legal ground for erasure.")],
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
) -> None:
    """Erase records now, everywhere (store, derived data, raw files), leaving an audit entry."""
    from mare.hub.erasure import erase

    with hub_context(home, user, as_agency, role, purpose="administration", what="mare erase") as ctx:
        try:
            report = erase(ctx, records, reason)
        except ValueError as exc:
            raise fail(str(exc)) from None
    console.print(f"erased {report.records:,} records")


@notifications_app.command("list")
def notifications_list(
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    unread: Annotated[bool, typer.Option()] = False,
    as_json: JsonOpt = False,
) -> None:
    """Your agency's notifications, newest first (each written for you, through the policy)."""
    from mare.hub.notifications import inbox

    with hub_context(home, user, as_agency, role, what="mare notifications list") as ctx:
        items = inbox(ctx, unread)
    if as_json:
        print_json([asdict(n) for n in items])
        return
    for n in items:
        mark = " " if n.read_at else "•"
        console.print(
            f"{mark} {n.created_at:%Y-%m-%d %H:%M} [bold]{shown(n.kind)}[/] {shown(n.subject)} ({n.id})",
            markup=True,
            highlight=False,
        )
        if n.body:
            console.print(f"    {n.body}", markup=False, highlight=False)


@notifications_app.command("read")
def notifications_read(
    notification_id: str,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
) -> None:
    """Mark one of your agency's notifications read."""
    from mare.hub.notifications import mark_read

    with hub_context(home, user, as_agency, role, what="mare notifications read") as ctx:
        if not mark_read(ctx, notification_id):
            raise fail(f"no unread notification {notification_id!r} for {ctx.viewer.agency}")


@notifications_app.command("outbox")
def notifications_outbox(
    to: Annotated[Path, typer.Option("--to", help="Folder for the messages (one NOTIFICATION.eml each).")],
    send: Annotated[
        bool, typer.Option("--send", help="Also send them through MARE_SMTP_HOST (off by default).")
    ] = False,
    mark: Annotated[bool, typer.Option("--mark-read", help="Mark what was written (or sent) read.")] = False,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write your agency's unread notifications as e-mails (RFC 5322 .eml), as you may read them."""
    from mare.hub.delivery import DeliveryError, MailSettings, write_outbox

    try:
        settings = MailSettings.from_env(os.environ)
    except DeliveryError as exc:
        raise fail(str(exc)) from None
    with hub_context(home, user, as_agency, role, what="mare notifications outbox") as ctx:
        try:
            done = write_outbox(ctx, to, settings, send, mark)
        except (DeliveryError, OSError) as exc:
            raise fail(str(exc)) from None
    if as_json:
        print_json(
            {
                "written": [str(p) for p in done.written],
                "sent": done.sent,
                "unsent": done.unsent,
                "marked_read": done.marked_read,
            }
        )
        return
    console.print(f"{len(done.written)} message(s) written to {to}; {len(done.sent)} sent", highlight=False)
    for nid, why in done.unsent.items():
        console.print(f"  not sent {nid}: {why}", markup=False, highlight=False)
