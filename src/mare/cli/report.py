"""`mare report daily|vessels|initiation NETWORK|notification ID|situation`: a written product, in HTML or
PDF, from what the signed-in viewer may see."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from mare.cli.common import (
    AgencyOpt,
    HomeOpt,
    JsonOpt,
    PurposeOpt,
    RoleOpt,
    UserOpt,
    WhyOpt,
    err,
    fail,
    hub_context,
    print_json,
)


def report_command(
    kind: Annotated[str, typer.Argument(help="daily, vessels, initiation, notification or situation.")],
    subject: Annotated[
        str | None,
        typer.Argument(
            help="initiation: the network (N1 … as `mare network --hub` lists them); notification: an early "
            "warning's id, or a cross-crime link SMUGGLING_RECORD+OTHER_RECORD (`mare polycrime --json`).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="html or pdf.")] = "html",
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Write the report to this file.", show_default=False)
    ] = None,
    day: Annotated[
        str | None, typer.Option("--day", help="daily: the day reported (YYYY-MM-DD; default today).")
    ] = None,
    min_size: Annotated[int, typer.Option("--min-size", help="initiation: as `mare network --hub`.")] = 3,
    as_json: JsonOpt = False,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
) -> None:
    """Write a report (HTML or PDF) with its sources and handling code; --json prints its data."""
    from mare.products.generate import KINDS, ReportError, generate
    from mare.products.render import TemplateProblem, render_html, render_pdf

    if kind not in KINDS:
        raise fail(f"unknown report {kind!r}: use one of {', '.join(KINDS)}", 2)
    if fmt not in ("html", "pdf"):
        raise fail(f"--format must be html or pdf, not {fmt!r}", 2)
    if out is None and not as_json:
        raise fail("give the file to write: -o FILE (or --json for the report's data)", 2)
    if subject is not None and kind not in ("initiation", "notification"):
        raise fail(f"the {kind} report takes no argument ({subject!r})", 2)
    try:
        when = date.fromisoformat(day) if day else None
    except ValueError:
        raise fail(f"--day must be a date YYYY-MM-DD, not {day!r}", 2) from None
    what = f"mare report {kind}" + (f" {subject}" if subject else "")
    with hub_context(home, user, as_agency, role, purpose=purpose, why=why, what=what) as ctx:
        with err.status(f"Writing the {kind} report from what you may see…"):
            try:
                report = generate(
                    ctx,
                    kind,
                    day=when,
                    network=subject if kind == "initiation" else None,
                    ref=subject if kind == "notification" else None,
                    min_size=min_size,
                )
            except ReportError as exc:
                raise fail(str(exc)) from None
        if out is not None:
            try:
                if fmt == "pdf":
                    out.write_bytes(render_pdf(report))
                else:
                    out.write_text(render_html(report), encoding="utf-8")
            except TemplateProblem as exc:
                raise fail(str(exc)) from None
            except OSError as exc:
                raise fail(f"cannot write {out}: {exc.strerror}") from None
    if as_json:
        print_json(report.as_dict())
        return
    missing = [s.title for s in report.sections if not s.present]
    err.print(
        f"Wrote {out} ({fmt}): {len(report.sections)} sections"
        + (f", missing {', '.join(missing)}" if missing else "")
        + f"; handling {report.handling_code or 'none'}; {len(report.sources)} contributions of "
        f"{len(report.agencies())} agencies.",
        highlight=False,
    )
