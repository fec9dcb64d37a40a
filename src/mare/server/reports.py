"""Reports in the web app: what the viewer may generate, the reports (HTML, PDF, and their data as JSON),
and the daily reports `mare schedule run` wrote for the viewer's own agency.

- `/reports` (page) and `/api/reports` (its JSON): the kinds the viewer may generate, the networks an
  initiation document can be written on, the early warnings a notification can be written on, and the
  scheduled daily reports of the viewer's agency;
- `GET /reports/{kind}?format=html|pdf&day=&network=&ref=`: one report as a document, built by
  `mare.products.generate.generate` (permitted `report.generate`, every read through the viewer's
  context, audited), `GET /api/reports/{kind}` the same report's data;
- `GET /reports/scheduled/{day}`: the daily report of `day` written for the viewer's agency (the file
  name comes from the viewer's agency, never from the request).

A report is a document of its own: its page style is inline, so a report page gets a Content-Security-
Policy of its own allowing exactly that style (by its hash) and no script at all. Reports are drawn one
at a time (matplotlib's pyplot and WeasyPrint are not thread-safe).
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from mare.access.policy import ActionTarget, allowed
from mare.hub import early_warning as ew
from mare.hub.networks import hub_found_networks, summarise
from mare.products.generate import KINDS, ReportError, generate
from mare.products.render import TemplateProblem, render_html, render_pdf
from mare.products.report import Report
from mare.products.scheduled import daily_folder
from mare.server.access import BadInput, hub_context, state
from mare.server.views import not_found, page

#: One report at a time: its charts use pyplot's global state, and PDFs take a core each.
REPORT_LOCK = threading.Lock()
Kind = Annotated[str, Path(pattern="^(daily|vessels|initiation|notification|situation)$")]
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD (daily).")]
Network = Annotated[str | None, Query(max_length=40, description="A network id, e.g. N1 (initiation).")]
Ref = Annotated[
    str | None,
    Query(max_length=300, description="An early warning's id or a cross-crime link (notification)."),
]
MinSize = Annotated[int, Query(ge=2, le=1000)]
Format = Annotated[str, Query(pattern="^(html|pdf)$")]
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
DESCRIPTIONS = {
    "daily": "Daily monitoring report: flows and smuggling activity of a day and its week, new hits, alerts "
    "and early warnings.",
    "vessels": "Vessels of interest, with why each is listed.",
    "situation": "Strategic situation report: routes and hotspots, network structures, money (turnover "
    "estimate), polycriminality, trends.",
    "initiation": "Investigation initiation document for one network.",
    "notification": "Intelligence notification on an early warning or a cross-crime link.",
}


def _what(request: Request) -> str:
    return f"{request.method} {request.url.path}"


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise BadInput(f"not a date: {text!r}: give YYYY-MM-DD") from None


def scheduled_days(request: Request, agency: str) -> list[str]:
    """The days with a daily report written for this agency by `mare schedule run`, newest first."""
    root = state(request).store.home / "reports" / "daily"
    if not root.is_dir():
        return []
    days = [p.name for p in root.iterdir() if _DAY.match(p.name) and (p / f"{agency}.html").is_file()]
    return sorted(days, reverse=True)[:60]


@page("/reports", "reports.html", "Reports")
def reports_view(request: Request) -> dict[str, Any]:
    """The reports the viewer may generate (and on what), and the agency's scheduled daily reports."""
    with hub_context(request, _what(request)) as ctx:
        viewer = ctx.viewer
        may = allowed(viewer, "report.generate")
        networks: list[dict[str, Any]] = []
        warnings: list[dict[str, Any]] = []
        if may:
            for nid, part in hub_found_networks(ctx, 3)[:50]:
                summary = summarise(nid, part)
                networks.append({"id": nid, "name": summary.name, "people": summary.people})
            if allowed(viewer, "warnings.read", ActionTarget(owner=viewer.agency)):
                warnings = [
                    {"id": w.id, "subject": w.subject, "direction": w.direction, "start": w.start.isoformat()}
                    for w in ew.warnings(ctx, limit=50)
                ]
        today = ctx.today or date.today()
    yesterday = (today - timedelta(days=1)).isoformat()
    return {
        "agency": viewer.agency,
        "may_generate": bool(may),
        "why_not": None if may else may.reason,
        "kinds": [
            {"kind": kind, "description": DESCRIPTIONS[kind], "needs": needs}
            for kind, needs in (
                ("daily", "day"),
                ("vessels", None),
                ("situation", None),
                ("initiation", "network"),
                ("notification", "ref"),
            )
        ]
        if may
        else [],
        "default_day": yesterday,
        "networks": networks,
        "warnings": warnings,
        "scheduled": [
            {"day": d, "url": f"/reports/scheduled/{d}"} for d in scheduled_days(request, viewer.agency)
        ]
        if may
        else [],
    }


def _generate(
    request: Request, kind: str, day: str | None, network: str | None, ref: str | None, min_size: int
) -> Report:
    """One report for the request's viewer (permitted and audited inside `generate`)."""
    with hub_context(request, _what(request)) as ctx:
        try:
            with REPORT_LOCK:
                return generate(ctx, kind, day=_day(day), network=network, ref=ref, min_size=min_size)
        except ReportError as exc:
            raise BadInput(str(exc)) from None


def report_data(
    request: Request,
    kind: Kind,
    day: Day = None,
    network: Network = None,
    ref: Ref = None,
    min_size: MinSize = 3,
) -> dict[str, Any]:
    """One report's data: sections, sources, handling (what `mare report KIND --json` prints)."""
    if kind not in KINDS:
        raise not_found(f"no report {kind!r}: use one of {', '.join(KINDS)}")
    return _generate(request, kind, day, network, ref, min_size).as_dict()


def document_headers(html: str) -> dict[str, str]:
    """The headers of a report page: its own CSP (its inline style by hash, no script)."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"
        for style in _STYLE.findall(html)
    )
    csp = (
        f"default-src 'none'; style-src {hashes or chr(39) + 'none' + chr(39)}; img-src data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return {"Content-Security-Policy": csp}


def report_document(
    request: Request,
    kind: Kind,
    format: Format = "html",
    day: Day = None,
    network: Network = None,
    ref: Ref = None,
    min_size: MinSize = 3,
) -> Response:
    """One report as a document: HTML to read in the browser, or PDF to download."""
    report = _generate(request, kind, day, network, ref, min_size)
    subject = network or ref or (day if kind == "daily" else None)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{kind}-{subject}" if subject else kind)
    try:
        with REPORT_LOCK:
            if format == "pdf":
                pdf = render_pdf(report)
                disposition = f'attachment; filename="{name}.pdf"'
                return Response(
                    pdf, media_type="application/pdf", headers={"Content-Disposition": disposition}
                )
            html = render_html(report)
    except TemplateProblem as exc:
        raise BadInput(str(exc)) from None
    return HTMLResponse(html, headers=document_headers(html))


def scheduled_report(request: Request, day: Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$")]) -> Response:
    """The daily report of `day` written for the viewer's agency by `mare schedule run`."""
    with hub_context(request, _what(request)) as ctx:
        ctx.permit("report.generate", ref="daily")  # the same people who may write one may read it
        path = daily_folder(ctx.store, _day(day) or date.min) / f"{ctx.viewer.agency}.html"
        if not path.is_file():
            raise not_found(f"no daily report of {day} for {ctx.viewer.agency}: see /reports")
        html = path.read_text(encoding="utf-8")
        ctx.log("consultation", "full", resource="report", ref=f"daily {day} (scheduled)")
    return HTMLResponse(html, headers=document_headers(html))


#: JSON-only data routes of this module (swept by the leak test), and the document routes.
DATA_ROUTES: list[tuple[str, Callable[..., dict[str, Any]]]] = [("/reports/{kind}", report_data)]
DOCUMENT_ROUTES: list[tuple[str, Callable[..., Response]]] = [
    ("/reports/scheduled/{day}", scheduled_report),
    ("/reports/{kind}", report_document),
]
