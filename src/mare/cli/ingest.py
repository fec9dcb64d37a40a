"""`mare ingest`: read contributions, store them whole, report every problem, log the collection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mare.cli.common import (
    AgencyOpt,
    HomeOpt,
    JsonOpt,
    RoleOpt,
    UserOpt,
    console,
    err,
    hub_context,
    print_json,
)
from mare.cli.display import shown

CrosscheckOpt = Annotated[
    str,
    typer.Option(
        "--crosscheck", help="auto (each contribution when few, one full run when many), each, end or off."
    ),
]


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of contributions.")],
    home: HomeOpt = None,
    agency: Annotated[str | None, typer.Option(help="Agency for files without an envelope.")] = None,
    handling: Annotated[str, typer.Option(help="Handling code for files without an envelope.")] = "H2",
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="Force a format: json, csv_bundle, cdr, ftm, ais, telegram, posts."),
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding, e.g. cp1256.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; store nothing.")] = False,
    strict: Annotated[bool, typer.Option(help="Refuse a contribution whole if any row is bad.")] = False,
    report: Annotated[Path | None, typer.Option(help="Write every problem to this .csv or .json.")] = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    crosscheck: CrosscheckOpt = "auto",
    geocode: Annotated[bool, typer.Option("--geocode/--no-geocode", help="Geocode place names.")] = True,
    as_json: JsonOpt = False,
    warnings: Annotated[bool, typer.Option("--warnings", help="Also list warnings.")] = False,
) -> None:
    """Ingest contributions (JSON, CSV bundle, call records CSV, FtM JSON lines, AIS NMEA or CSV,
    Telegram Desktop exports, posts CSV)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mare.cli.render import ingest_summary, problems_table, write_report
    from mare.hub.intake import CROSSCHECK_MODES, crosscheck_stored, geocode_stored, receive
    from mare.ingest.pipeline import IngestOptions, forced_format
    from mare.ingest.sources import find_sources

    if handling not in ("H0", "H1", "H2", "H3"):
        raise typer.BadParameter("handling must be H0, H1, H2 or H3")
    if crosscheck not in CROSSCHECK_MODES:
        raise typer.BadParameter("--crosscheck must be auto, each, end or off")
    try:
        forced = forced_format(fmt)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    sources, skipped = find_sources(paths, forced)
    for skip in skipped:
        err.print(f"[yellow]skipped[/] {shown(skip.path)}: {shown(skip.reason)}")
    if not sources:
        err.print("[red]nothing to ingest[/]")
        raise typer.Exit(2)
    options = IngestOptions(
        agency=agency, handling=handling, encoding=encoding, dry_run=dry_run, strict=strict
    )
    reports = []
    with (
        hub_context(home, user, as_agency, role, what="mare ingest", create=True) as ctx,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=as_json or not err.is_terminal,
        ) as progress,
    ):
        task = progress.add_task("contributions", total=len(sources))
        calls = progress.add_task("call records", total=None, visible=False)

        def on_calls(n: int) -> None:
            progress.update(calls, advance=n, visible=True)

        for source in sources:
            progress.update(task, description=f"ingesting {source.path.name}")
            reports.append(receive(ctx, source, options, on_calls))
            progress.advance(task)
        if not dry_run:
            progress.update(task, description="cross-checking")
            stored = [r.contribution for r in reports if r.status == "stored" and r.contribution]
            crosscheck_stored(ctx, stored, crosscheck)
            if geocode:
                geocode_stored(ctx, stored)
    if report:
        write_report(report, reports)
    if as_json:
        print_json([r.as_dict() for r in reports])
    else:
        ingest_summary(console, reports)
        problems_table(console, reports, include_warnings=warnings)
        for r in reports:
            if r.status in ("refused", "failed"):
                err.print(f"[red]{shown(Path(r.source).name)}[/]: {shown(r.message)}")
    bad = any(
        r.status in ("refused", "failed") or r.rejected or any(p.severity == "error" for p in r.problems)
        for r in reports
    )
    raise typer.Exit(1 if bad else 0)
