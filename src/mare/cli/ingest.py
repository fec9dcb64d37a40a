"""`mare ingest`: read contributions, store them whole, report every problem, log the collection."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mare.access.policy import Viewer
from mare.cli.common import HomeOpt, JsonOpt, UserOpt, console, err, print_json, resolve_viewer
from mare.cli.render import ingest_summary, problems_table, write_report
from mare.hub.audit import AuditLog
from mare.ingest.pipeline import IngestOptions, IngestReport, forced_format, ingest_source
from mare.ingest.sources import find_sources
from mare.store.db import Store, open_store

if TYPE_CHECKING:
    from mare.resolve import CrosscheckResult


def log_collection(store: Store, viewer: Viewer, report: IngestReport) -> None:
    """One audit entry per contribution received (collection), stored or not."""
    action = "alteration" if (report.version or 1) > 1 and report.status == "stored" else "collection"
    AuditLog(store).append(
        actor=viewer.user, actor_agency=viewer.agency, action=action, outcome=report.status,
        resource="contribution", ref=report.contribution,
        details={"source": Path(report.source).name, "agency": report.agency, "sender_id": report.sender_id,
                 "version": report.version, "records": report.records, "links": report.links,
                 "calls": report.calls, "rejected": report.rejected, "warnings": report.warnings})


def log_combination(store: Store, viewer: Viewer, result: CrosscheckResult) -> None:
    """One audit entry per cross-check run (combination of data, LED art. 25)."""
    data = result.as_dict()
    AuditLog(store).append(actor=viewer.user, actor_agency=viewer.agency, action="combination",
                           outcome="done", resource="contribution", ref=data.get("contribution"),
                           details={k: v for k, v in data.items() if k != "contribution"})


def crosscheck_after_ingest(store: Store, viewer: Viewer, stored: list[str], mode: str) -> None:
    """Cross-check what was stored: each contribution incrementally, or one full run at the end."""
    if mode == "off" or not stored:
        return
    from mare.resolve import crosscheck_all, crosscheck_contribution

    if mode == "each" or (mode == "auto" and len(stored) <= AUTO_EACH_LIMIT):
        for uid in stored:
            log_combination(store, viewer, crosscheck_contribution(store, uid))
    else:
        log_combination(store, viewer, crosscheck_all(store, train=True))


def geocode_after_ingest(store: Store, stored: list[str]) -> None:
    """Geocode the place names of what was stored (derived data: `place_geocodes`)."""
    from mare.analyse.geo.enrich import geocode_records

    if len(stored) <= AUTO_EACH_LIMIT:
        for uid in stored:
            geocode_records(store, uid)
    else:
        geocode_records(store)


AUTO_EACH_LIMIT = 5
CrosscheckOpt = Annotated[
    str, typer.Option("--crosscheck", help="auto (each contribution when few, one full run when many), "
                      "each, end or off.")
]


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of contributions.")],
    home: HomeOpt = None,
    agency: Annotated[str | None, typer.Option(help="Agency for files without an envelope.")] = None,
    handling: Annotated[str, typer.Option(help="Handling code for files without an envelope.")] = "H2",
    fmt: Annotated[
        str | None, typer.Option("--format", help="Force a format: json, csv_bundle, cdr, ftm.")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding, e.g. cp1256.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; store nothing.")] = False,
    strict: Annotated[bool, typer.Option(help="Refuse a contribution whole if any row is bad.")] = False,
    report: Annotated[Path | None, typer.Option(help="Write every problem to this .csv or .json.")] = None,
    user: UserOpt = None,
    crosscheck: CrosscheckOpt = "auto",
    geocode: Annotated[bool, typer.Option("--geocode/--no-geocode", help="Geocode place names.")] = True,
    as_json: JsonOpt = False,
    warnings: Annotated[bool, typer.Option("--warnings", help="Also list warnings.")] = False,
) -> None:
    """Ingest contributions (JSON, CSV bundle, call records CSV, FtM JSON lines)."""
    if handling not in ("H0", "H1", "H2", "H3"):
        raise typer.BadParameter("handling must be H0, H1, H2 or H3")
    if crosscheck not in ("auto", "each", "end", "off"):
        raise typer.BadParameter("--crosscheck must be auto, each, end or off")
    try:
        forced = forced_format(fmt)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    sources, skipped = find_sources(paths, forced)
    for skip in skipped:
        err.print(f"[yellow]skipped[/] {skip.path}: {skip.reason}")
    if not sources:
        err.print("[red]nothing to ingest[/]")
        raise typer.Exit(2)
    options = IngestOptions(agency=agency, handling=handling, encoding=encoding, dry_run=dry_run,
                            strict=strict)
    reports = []
    with open_store(home) as store, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=as_json or not err.is_terminal,
    ) as progress:
        viewer = resolve_viewer(store, user, agency or "HUB", "contributor")
        task = progress.add_task("contributions", total=len(sources))
        calls = progress.add_task("call records", total=None, visible=False)

        def on_calls(n: int) -> None:
            progress.update(calls, advance=n, visible=True)

        for source in sources:
            progress.update(task, description=f"ingesting {source.path.name}")
            result = ingest_source(store, source, options, on_calls)
            if not dry_run:
                log_collection(store, viewer, result)
            reports.append(result)
            progress.advance(task)
        if not dry_run:
            progress.update(task, description="cross-checking")
            stored = [r.contribution for r in reports if r.status == "stored" and r.contribution]
            crosscheck_after_ingest(store, viewer, stored, crosscheck)
            if geocode and stored:
                geocode_after_ingest(store, stored)
    if report:
        write_report(report, reports)
    if as_json:
        print_json([r.as_dict() for r in reports])
    else:
        ingest_summary(console, reports)
        problems_table(console, reports, include_warnings=warnings)
        for r in reports:
            if r.status in ("refused", "failed"):
                err.print(f"[red]{Path(r.source).name}[/]: {r.message}")
    bad = any(r.status in ("refused", "failed") or r.rejected for r in reports)
    raise typer.Exit(1 if bad else 0)
