"""`mare consent`, `mare retention`, `mare erase`, `mare notifications`: thin commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mare.access.policy import Viewer
from mare.cli.common import (
    DEFAULT_AGENCY,
    DEFAULT_ROLE,
    AgencyOpt,
    HomeOpt,
    JsonOpt,
    RoleOpt,
    UserOpt,
    audit,
    console,
    fail,
    print_json,
    resolve_viewer,
)
from mare.hub import consent, retention
from mare.hub.notifications import inbox, mark_read
from mare.store.db import Store, open_store
from mare.store.erasure import compact, erase_records

consent_app = typer.Typer(help="Ask data owners for consent; owners decide; threat-to-life override.",
                          no_args_is_help=True)
retention_app = typer.Typer(help="Retention reviews: due records, extensions, erasure.", no_args_is_help=True)
notifications_app = typer.Typer(help="Your agency's notifications.", no_args_is_help=True)
RequiredUser = Annotated[str, typer.Option("--user", envvar="MARE_USER", help="Your user name.")]


def _request_row(r: consent.ConsentRequest) -> list[str]:
    return [r.id, r.status, r.record_uid, r.requester, r.requester_agency, r.owner_agency,
            "override" if r.override else r.purpose, r.justification[:60]]


def _open_request(home: Path | None, user: str, record: str, why: str,
                  opener: Callable[[Store, Viewer, str, str], consent.ConsentRequest], action: str,
                  outcome: str) -> consent.ConsentRequest:
    """Open a consent request or an override, audited whether it is refused or opened."""
    with open_store(home, create=False) as store:
        viewer = resolve_viewer(store, user, DEFAULT_AGENCY, DEFAULT_ROLE)
        try:
            req = opener(store, viewer, record, why)
        except consent.ConsentError as exc:
            audit(store, viewer, action, "refused", ref=record, justification=why,
                  details={"error": str(exc)})
            raise fail(str(exc)) from None
        audit(store, viewer, action, outcome, resource="record", ref=record, justification=why,
              details=consent.event_details(req))
    return req


@consent_app.command("request")
def consent_request(record: str, why: Annotated[str, typer.Option(help="Why you need it.")],
                    user: RequiredUser, home: HomeOpt = None) -> None:
    """Ask the owner of a record to release it to your agency."""
    req = _open_request(home, user, record, why, consent.request_consent, "consent", "requested")
    console.print(f"request [bold]{req.id}[/] sent to {req.owner_agency}")


@consent_app.command("list")
def consent_list(user: RequiredUser, home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Requests your agency made or must decide on."""
    with open_store(home, create=False) as store:
        viewer = resolve_viewer(store, user, DEFAULT_AGENCY, DEFAULT_ROLE)
        requests = consent.requests_for(store, viewer.agency)
    if as_json:
        print_json([asdict(r) for r in requests])
        return
    table = Table(title=f"Consent requests of {viewer.agency}")
    for col in ("id", "status", "record", "requester", "from", "owner", "purpose", "why"):
        table.add_column(col, overflow="fold")
    for r in requests:
        table.add_row(*_request_row(r))
    console.print(table)


def _decide(request_id: str, user: str, grant: bool, reason: str, home: Path | None) -> None:
    with open_store(home, create=False) as store:
        viewer = resolve_viewer(store, user, DEFAULT_AGENCY, DEFAULT_ROLE)
        try:
            req = consent.decide(store, viewer, request_id, grant, reason)
        except consent.ConsentError as exc:
            audit(store, viewer, "consent", "refused", ref=request_id, details={"error": str(exc)})
            raise fail(str(exc)) from None
        audit(store, viewer, "disclosure" if grant else "consent", req.status, resource="record",
              ref=req.record_uid, justification=reason,
              details={**consent.event_details(req), "recipients": [req.requester_agency] if grant else []})
    console.print(f"request {req.id} [bold]{req.status}[/]; {req.requester_agency} is notified")


@consent_app.command("grant")
def consent_grant(request_id: str, user: RequiredUser,
                  reason: Annotated[str, typer.Option(help="Conditions or reason.")] = "",
                  home: HomeOpt = None) -> None:
    """As the owner, release the record to the requesting agency."""
    _decide(request_id, user, True, reason, home)


@consent_app.command("refuse")
def consent_refuse(request_id: str, user: RequiredUser,
                   reason: Annotated[str, typer.Option(help="Why not.")] = "", home: HomeOpt = None) -> None:
    """As the owner, refuse the request."""
    _decide(request_id, user, False, reason, home)


@consent_app.command("override")
def consent_override(record: str, why: Annotated[str, typer.Option(help="The imminent threat to life.")],
                     user: RequiredUser, home: HomeOpt = None) -> None:
    """Start a threat-to-life override (needs a second person's approval)."""
    req = _open_request(home, user, record, why, consent.request_override, "override", "awaiting_approval")
    console.print(f"override [bold]{req.id}[/] waits for a second person: mare consent approve {req.id}")


@consent_app.command("approve")
def consent_approve(request_id: str, user: RequiredUser, home: HomeOpt = None) -> None:
    """Approve another person's override (four eyes); the owner is notified at once."""
    with open_store(home, create=False) as store:
        viewer = resolve_viewer(store, user, DEFAULT_AGENCY, DEFAULT_ROLE)
        try:
            req = consent.approve_override(store, viewer, request_id)
        except consent.ConsentError as exc:
            audit(store, viewer, "override", "refused", ref=request_id, details={"error": str(exc)})
            raise fail(str(exc)) from None
        audit(store, viewer, "disclosure", "override_granted", resource="record", ref=req.record_uid,
              justification=req.justification,
              details={**consent.event_details(req), "recipients": [req.requester_agency]})
    console.print(f"override {req.id} [bold]granted[/]; {req.owner_agency} notified")


DayOpt = Annotated[str | None, typer.Option("--on", help="Day (YYYY-MM-DD), default today.")]


@retention_app.command("due")
def retention_due(home: HomeOpt = None, on: DayOpt = None,
                  agency: Annotated[str | None, typer.Option()] = None, as_json: JsonOpt = False) -> None:
    """Records whose retention review is due (metadata only)."""
    day = date.fromisoformat(on) if on else None
    with open_store(home, create=False) as store:
        rows = retention.due(store, day, agency)
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table(title=f"{len(rows):,} records due for review")
    for col in ("record", "kind", "agency", "category", "review date", "extensions"):
        table.add_column(col)
    for r in rows[:500]:
        table.add_row(r.uid, r.kind, r.agency, r.category or "", str(r.review_at), str(r.extensions))
    console.print(table)


@retention_app.command("extend")
def retention_extend(record: str, until: Annotated[str, typer.Option(help="New review date.")],
                     reason: Annotated[str, typer.Option(help="Why it must be kept.")], user: RequiredUser,
                     home: HomeOpt = None) -> None:
    """Keep a record until a later review; the reason is recorded."""
    with open_store(home, create=False) as store:
        viewer = resolve_viewer(store, user, DEFAULT_AGENCY, DEFAULT_ROLE)
        try:
            retention.extend(store, record, date.fromisoformat(until), reason, viewer.user)
        except (retention.RetentionError, ValueError) as exc:
            raise fail(str(exc)) from None
        audit(store, viewer, "retention", "extended", resource="record", ref=record, justification=reason,
              details={"until": until})
    console.print(f"{record} kept until {until}")


@retention_app.command("run")
def retention_run(user: RequiredUser, home: HomeOpt = None,
                  on: DayOpt = None) -> None:
    """Erase every record whose review date passed without an extension."""
    with open_store(home, create=False) as store:
        viewer = resolve_viewer(store, user, DEFAULT_AGENCY, DEFAULT_ROLE)
        records, report = retention.run_retention(store, viewer.user, date.fromisoformat(on) if on else None)
        audit(store, viewer, "erasure", "done", resource="record", justification="retention review due",
              details={"records": [r.uid for r in records], "values": report.values, "links": report.links,
                       "raw_files_rewritten": report.raw_files_rewritten, "derived": report.derived})
    console.print(f"erased {report.records:,} records ({report.values:,} values, {report.links:,} links)")


def erase_command(records: Annotated[list[str], typer.Argument(help="Record uids.")],
                  reason: Annotated[str, typer.Option(help="Legal ground for erasure.")], user: RequiredUser,
                  home: HomeOpt = None) -> None:
    """Erase records now, everywhere (store, derived data, raw files), leaving an audit entry."""
    with open_store(home, create=False) as store:
        viewer = resolve_viewer(store, user, DEFAULT_AGENCY, DEFAULT_ROLE)
        if not viewer.has("dpo", "admin"):
            audit(store, viewer, "erasure", "denied", details={"records": records})
            raise fail("erasure needs the dpo or admin role")
        report = erase_records(store, records, viewer.user, reason)
        compact(store)
        audit(store, viewer, "erasure", "done", resource="record", justification=reason,
              details={"records": records, "values": report.values, "links": report.links,
                       "raw_files_rewritten": report.raw_files_rewritten, "derived": report.derived})
    console.print(f"erased {report.records:,} records")


@notifications_app.command("list")
def notifications_list(home: HomeOpt = None, user: UserOpt = None, as_agency: AgencyOpt = DEFAULT_AGENCY,
                       role: RoleOpt = DEFAULT_ROLE, unread: Annotated[bool, typer.Option()] = False,
                       as_json: JsonOpt = False) -> None:
    """Your agency's notifications, newest first."""
    with open_store(home, create=False) as store:
        viewer = resolve_viewer(store, user, as_agency, role)
        items = inbox(store, viewer.agency, unread)
    if as_json:
        print_json([asdict(n) for n in items])
        return
    for n in items:
        mark = " " if n.read_at else "•"
        console.print(f"{mark} {n.created_at:%Y-%m-%d %H:%M} [bold]{n.kind}[/] {n.subject} ({n.id})")
        if n.body:
            console.print(f"    {n.body}")


@notifications_app.command("read")
def notifications_read(notification_id: str, home: HomeOpt = None, user: UserOpt = None,
                       as_agency: AgencyOpt = DEFAULT_AGENCY, role: RoleOpt = DEFAULT_ROLE) -> None:
    """Mark one of your agency's notifications read."""
    with open_store(home, create=False) as store:
        viewer = resolve_viewer(store, user, as_agency, role)
        if not mark_read(store, viewer.agency, notification_id):
            raise fail(f"no unread notification {notification_id!r} for {viewer.agency}")
