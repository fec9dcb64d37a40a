"""Generate one report for a viewer: permitted (`report.generate`), built, audited.

`generate(ctx, kind, …)` is what the CLI (and later the web app) calls: it checks the action policy,
builds the report through the viewer's context (every read filtered by the read policy), and writes
one audit entry (`combination` — LED art. 25's word for joining data — `generated`, resource `report`)
naming the kind, what it was about, its handling code and the contributions it used.
"""

from __future__ import annotations

from datetime import date

from mare.hub.context import HubContext
from mare.products.report import Report

KINDS = ("daily", "vessels", "initiation", "notification", "situation")


class ReportError(ValueError):
    """A report that cannot be made from what was given, with what to give instead."""


def generate(
    ctx: HubContext,
    kind: str,
    *,
    day: date | None = None,
    network: str | None = None,
    ref: str | None = None,
    min_size: int = 3,
) -> Report:
    """Build report `kind` for the context's viewer and audit it."""
    if kind not in KINDS:
        raise ReportError(f"unknown report {kind!r}: use one of {', '.join(KINDS)}")
    subject = network if kind == "initiation" else ref if kind == "notification" else None
    ctx.permit("report.generate", ref=kind)
    if kind == "daily":
        from mare.products.daily import daily_report

        report = daily_report(ctx, day)
    elif kind == "vessels":
        from mare.products.vessels import vessels_report

        report = vessels_report(ctx)
    elif kind == "initiation":
        from mare.hub.networks import NetworkError
        from mare.products.initiation import initiation_report

        if not network:
            raise ReportError(
                "give the network: mare report initiation N1 (as `mare network --hub` lists them)"
            )
        try:
            report = initiation_report(ctx, network, min_size)
        except NetworkError as exc:
            raise ReportError(str(exc)) from None
    elif kind == "notification":
        from mare.products.notification import NotificationError, notification_report

        if not ref:
            raise ReportError("give an early warning's id or a cross-crime link: mare report notification ID")
        try:
            report = notification_report(ctx, ref)
        except NotificationError as exc:
            raise ReportError(str(exc)) from None
    else:
        from mare.products.situation import situation_report

        report = situation_report(ctx)
    ctx.log(
        "combination",  # LED art. 25: a report combines data of several records and agencies
        "generated",
        resource="report",
        ref=f"{kind} {subject}" if subject else kind,
        details={
            "kind": kind,
            "handling": report.handling_code,
            "sources": [s.contribution for s in report.sources],
            "sections_missing": [s.key for s in report.sections if not s.present],
        },
    )
    return report
