"""The `mare` command line: thin — it parses options, calls the library, renders results."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mare import __version__
from mare.access.policy import HUB_AGENCY, ROLES, Viewer
from mare.cli_render import (
    ingest_summary,
    problem_line,
    problems_table,
    record_panel,
    stats_tables,
    write_report,
)
from mare.ingest.pipeline import IngestOptions, forced_format, ingest_source
from mare.ingest.sources import find_sources
from mare.store.db import DB_NAME, mare_home, open_store
from mare.store.repository import Repository

app = typer.Typer(
    help="Mare: an intelligence hub against migrant-smuggling networks.",
    no_args_is_help=True,
    add_completion=False,
)
scenario_app = typer.Typer(help="Synthetic smuggling worlds with ground truth.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")
show_app = typer.Typer(
    help="Show one contribution or record, as the access policy allows.", no_args_is_help=True
)
app.add_typer(show_app, name="show")
console = Console()
err = Console(stderr=True)

HomeOpt = Annotated[
    Path | None,
    typer.Option(
        "--home", help="Data folder (default $MARE_HOME or ./mare-data).", show_default=False
    ),
]
AgencyOpt = Annotated[
    str,
    typer.Option("--as-agency", envvar="MARE_AGENCY", help="Agency you read as (the hub is HUB)."),
]
RoleOpt = Annotated[
    str, typer.Option("--role", envvar="MARE_ROLE", help=f"Your role: {', '.join(ROLES)}.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _viewer(agency: str, role: str) -> Viewer:
    if role not in ROLES:
        raise typer.BadParameter(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return Viewer(user=os.environ.get("USER", "cli"), agency=agency, roles=frozenset({role}))


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


@app.command()
def version() -> None:
    """Print Mare's version."""
    console.print(f"mare {__version__}")


@app.command()
def schema(
    markdown: Annotated[bool, typer.Option("--markdown", help="The vocabulary as Markdown tables.")] = False,
) -> None:
    """Print the contribution JSON Schema (or the vocabulary reference with --markdown)."""
    if markdown:
        from mare.schema.reference import kinds_markdown

        sys.stdout.write(kinds_markdown() + "\n")
        return
    from mare.schema.contribution_schema import contribution_schema

    _print_json(contribution_schema())


@app.command()
def init(home: HomeOpt = None) -> None:
    """Create (or migrate) the store."""
    with open_store(home) as store:
        console.print(f"Mare store ready at [bold]{store.db_path}[/]")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of contributions.")],
    home: HomeOpt = None,
    agency: Annotated[
        str | None, typer.Option(help="Agency for files without an envelope.")
    ] = None,
    handling: Annotated[
        str, typer.Option(help="Handling code for files without an envelope.")
    ] = "H2",
    fmt: Annotated[
        str | None, typer.Option("--format", help="Force a format: json, csv_bundle, cdr, ftm.")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding, e.g. cp1256.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; store nothing.")] = False,
    strict: Annotated[
        bool, typer.Option(help="Refuse a contribution whole if any row is bad.")
    ] = False,
    report: Annotated[
        Path | None, typer.Option(help="Write every problem to this .csv or .json.")
    ] = None,
    as_json: JsonOpt = False,
    warnings: Annotated[bool, typer.Option("--warnings", help="Also list warnings.")] = False,
) -> None:
    """Ingest contributions (JSON, CSV bundle, call records CSV, FtM JSON lines)."""
    if handling not in ("H0", "H1", "H2", "H3"):
        raise typer.BadParameter("handling must be H0, H1, H2 or H3")
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
    options = IngestOptions(
        agency=agency, handling=handling, encoding=encoding, dry_run=dry_run, strict=strict
    )
    reports = []
    with (
        open_store(home) as store,
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
            reports.append(ingest_source(store, source, options, on_calls))
            progress.advance(task)
    if report:
        write_report(report, reports)
    if as_json:
        _print_json([r.as_dict() for r in reports])
    else:
        ingest_summary(console, reports)
        problems_table(console, reports, include_warnings=warnings)
        for r in reports:
            if r.status in ("refused", "failed"):
                err.print(f"[red]{Path(r.source).name}[/]: {r.message}")
    bad = any(r.status in ("refused", "failed") or r.rejected for r in reports)
    raise typer.Exit(1 if bad else 0)


@show_app.command("record")
def show_record(
    uid: str,
    home: HomeOpt = None,
    as_agency: AgencyOpt = HUB_AGENCY,
    role: RoleOpt = "analyst",
    as_json: JsonOpt = False,
) -> None:
    """Show one record (content only where the policy allows)."""
    with open_store(home, create=False) as store:
        view = Repository(store, _viewer(as_agency, role)).record(uid)
        if view is None:
            err.print(f"[red]no record {uid!r}[/]")
            raise typer.Exit(1)
        if as_json:
            _print_json(view.as_dict())
        else:
            record_panel(console, view)


@show_app.command("contribution")
def show_contribution(
    uid: str,
    home: HomeOpt = None,
    as_agency: AgencyOpt = HUB_AGENCY,
    role: RoleOpt = "analyst",
    as_json: JsonOpt = False,
) -> None:
    """Show a contribution (hub uid or the sender's id) with its counts and problems."""
    with open_store(home, create=False) as store:
        data = Repository(store, _viewer(as_agency, role)).contribution(uid)
        if data is None:
            err.print(f"[red]no contribution {uid!r}[/]")
            raise typer.Exit(1)
        if as_json:
            _print_json(data)
            return
        for key, value in data.items():
            if key != "problems":
                console.print(f"[bold]{key}[/]: {value}")
        for problem in data.get("problems", [])[:50]:
            console.print(
                f"  [red]{problem['severity']}[/] {problem['file']}:{problem['row']} "
                f"[{problem['field']}] {problem['reason']} — {problem['fix']}"
            )


@app.command()
def records(
    home: HomeOpt = None,
    kind: Annotated[str | None, typer.Option()] = None,
    agency: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option()] = 50,
    as_agency: AgencyOpt = HUB_AGENCY,
    role: RoleOpt = "analyst",
    as_json: JsonOpt = False,
) -> None:
    """List records (labels only where the policy allows)."""
    with open_store(home, create=False) as store:
        views = Repository(store, _viewer(as_agency, role)).records(kind, agency, limit)
        if as_json:
            _print_json([v.as_dict() for v in views])
            return
        for v in views:
            label = (
                v.label
                if v.decision.full
                else f"[dim]{v.decision.visibility}: {v.decision.reason}[/]"
            )
            console.print(f"{v.uid}  {v.kind:<12} {v.owner:<10} {label}")


@app.command()
def export(
    kind: str,
    out: Annotated[Path, typer.Option("-o", "--out", help="CSV file to write.")],
    home: HomeOpt = None,
    as_agency: AgencyOpt = HUB_AGENCY,
    role: RoleOpt = "analyst",
) -> None:
    """Export records of one kind as CSV (formulas neutralised; withheld rows marked)."""
    from mare.products.export import write_csv
    from mare.schema.model import load_model

    spec = load_model().kind(kind)
    if spec is None:
        raise typer.BadParameter(f"unknown kind {kind!r}")
    fields = list(spec.fields)
    with open_store(home, create=False) as store:
        views = Repository(store, _viewer(as_agency, role)).record_values(kind)
    rows = []
    for v in views:
        if not v.decision.full:
            rows.append(
                [v.uid, v.owner, v.decision.visibility, v.decision.reason] + [""] * len(fields)
            )
            continue
        by_field: dict[str, list[str]] = {}
        for value in v.values:
            by_field.setdefault(value.field, []).append(value.original)
        rows.append(
            [v.uid, v.owner, "full", " ".join(v.decision.caveats)]
            + [" | ".join(by_field.get(f, [])) for f in fields]
        )
    count = write_csv(["uid", "owner", "visibility", "caveats_or_reason", *fields], rows, out)
    console.print(f"wrote {count:,} rows to {out}")


@app.command()
def stats(
    home: HomeOpt = None,
    as_agency: AgencyOpt = HUB_AGENCY,
    role: RoleOpt = "analyst",
    as_json: JsonOpt = False,
) -> None:
    """What the hub holds: counts by kind, agency, handling code and category."""
    db = mare_home(home) / DB_NAME
    if not db.exists():
        err.print(f"[red]no store at {db}[/]: run `mare init` or `mare ingest` first")
        raise typer.Exit(1)
    with open_store(home) as store:
        data = Repository(store, _viewer(as_agency, role)).stats()
    if as_json:
        _print_json(data)
    else:
        stats_tables(console, data)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)


@scenario_app.command("generate")
def scenario_generate(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the scenario to.")],
    scale: Annotated[str, typer.Option(help="tiny, small, medium or large.")] = "small",
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same bytes.")] = 7,
) -> None:
    """Generate a synthetic world and the contributions agencies would send about it."""
    from mare.scenario import generate

    with _progress() as progress:
        task = progress.add_task("generating", total=None)

        def step(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total or None)

        summary = generate(scale, seed, out, progress=step)
    console.print(summary)


@scenario_app.command("describe")
def scenario_describe(path: Path, as_json: JsonOpt = False) -> None:
    """Print a scenario's distributions beside the reference figures (DOMAIN.md, 2016 report)."""
    from rich.table import Table

    from mare.scenario import describe, describe_table

    data = describe(path)
    if as_json:
        _print_json(data)
        return
    table = Table(title=f"Scenario {path}")
    for col in ("measure", "scenario", "reference"):
        table.add_column(col, overflow="fold")
    for row in describe_table(data):
        table.add_row(*row)
    console.print(table)


@app.command()
def demo(
    home: HomeOpt = None,
    scale: Annotated[str, typer.Option(help="Scenario scale for the demo.")] = "small",
    seed: Annotated[int, typer.Option()] = 7,
) -> None:
    """The main job on the embedded default: generate sample contributions, ingest, report."""
    from mare.scenario import generate

    root = mare_home(home)
    world = root / f"scenario-{scale}-seed{seed}"
    if not (world / "scenario.json").is_file():
        console.rule("1. Generating a synthetic smuggling world")
        with _progress() as progress:
            task = progress.add_task("generating", total=None)
            generate(scale, seed, world, progress=lambda stage, done, total: progress.update(
                task, description=stage, completed=done, total=total or None))
    console.print(f"Scenario in [bold]{world}[/] (ground truth in {world / 'truth'}, kept apart)")
    console.rule("2. Ingesting the agencies' contributions")
    sources, _ = find_sources([world / "contributions"])
    reports = []
    with open_store(home) as store, _progress() as progress:
        task = progress.add_task("contributions", total=len(sources))
        for source in sources:
            reports.append(ingest_source(store, source, IngestOptions()))
            progress.advance(task)
        stats_data = Repository(store, _viewer(HUB_AGENCY, "analyst")).stats()
        sample = Repository(store, _viewer(HUB_AGENCY, "analyst")).records(kind="person", limit=200)
        shown = next((v for v in sample if v.decision.full), None)
        shown_full = Repository(store, _viewer(HUB_AGENCY, "analyst")).record(shown.uid) if shown else None
    by_status: dict[str, int] = {}
    for r in reports:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    console.print("Contributions: " + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())))
    console.print(f"Rows rejected with a reason: {sum(r.rejected for r in reports):,}; "
                  f"values kept but not normalised: {sum(r.warnings for r in reports):,}")
    problems_table(console, reports, limit=10)
    console.rule("3. What the hub now holds")
    stats_tables(console, stats_data)
    if shown_full is not None:
        console.rule("4. One person record, as a hub analyst sees it")
        record_panel(console, shown_full)
    console.rule("Next")
    console.print("mare stats · mare records --kind person · mare show record UID · "
                  "mare show contribution UID · mare --help")


__all__ = ["app", "problem_line"]
