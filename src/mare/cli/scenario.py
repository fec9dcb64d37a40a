"""`mare scenario` and `mare demo`: synthetic worlds, and the main job on the embedded default."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mare.cli.common import HomeOpt, JsonOpt, console, err, hub_context, print_json

scenario_app = typer.Typer(help="Synthetic smuggling worlds with ground truth.", no_args_is_help=True)

if TYPE_CHECKING:
    from rich.progress import Progress


def _progress() -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _generate(scale: str, seed: int, out: Path) -> object:
    from mare.scenario import generate

    with _progress() as progress:
        task = progress.add_task("generating", total=None)

        def step(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total or None)

        return generate(scale, seed, out, progress=step)


@scenario_app.command("generate")
def scenario_generate(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the scenario to.")],
    scale: Annotated[str, typer.Option(help="tiny, small, medium or large.")] = "small",
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same bytes.")] = 7,
) -> None:
    """Generate a synthetic world and the contributions agencies would send about it."""
    console.print(_generate(scale, seed, out))


@scenario_app.command("describe")
def scenario_describe(path: Path, as_json: JsonOpt = False) -> None:
    """Print a scenario's distributions beside the reference figures (DOMAIN.md, 2016 report)."""
    from rich.table import Table

    from mare.scenario import describe, describe_table

    data = describe(path)
    if as_json:
        print_json(data)
        return
    table = Table(title=f"Scenario {path}")
    for col in ("measure", "scenario", "reference"):
        table.add_column(col, overflow="fold")
    for row in describe_table(data):
        table.add_row(*row)
    console.print(table)


def demo_command(
    home: HomeOpt = None,
    scale: Annotated[str, typer.Option(help="Scenario scale for the demo.")] = "small",
    seed: Annotated[int, typer.Option()] = 7,
    serve: Annotated[
        bool,
        typer.Option("--serve/--no-serve", help="Then serve the web app (--no-serve: the summary only)."),
    ] = True,
    port: Annotated[int, typer.Option("--port", help="Port for the web app.")] = 8000,
) -> None:
    """The main job on the embedded default: generate sample contributions, ingest, report; then serve the
    web app on http://127.0.0.1:8000 with demo users (--no-serve: stop after the terminal summary)."""
    from mare.cli.render import problems_table, record_panel, stats_tables
    from mare.hub.intake import crosscheck_stored, geocode_stored, receive
    from mare.hub.repository import Repository
    from mare.ingest.pipeline import IngestOptions
    from mare.ingest.sources import find_sources
    from mare.store.db import mare_home

    root = mare_home(home)
    world = root / f"scenario-{scale}-seed{seed}"
    if not (world / "scenario.json").is_file():
        console.rule("1. Generating a synthetic smuggling world")
        _generate(scale, seed, world)
    console.print(f"Scenario in [bold]{world}[/] (ground truth in {world / 'truth'}, kept apart)")
    console.rule("2. Ingesting the agencies' contributions")
    sources, _ = find_sources([world / "contributions"])
    reports = []
    with hub_context(home, what="mare demo", create=True) as operator, _progress() as progress:
        task = progress.add_task("contributions", total=len(sources))
        for source in sources:
            reports.append(receive(operator, source, IngestOptions()))
            progress.advance(task)
        stored = [r.contribution for r in reports if r.status == "stored" and r.contribution]
        if stored:
            console.print("Cross-checking everything held (training the matching model)…")
            crosscheck_stored(operator, stored, "end")
            console.print("Geocoding place names…")
            geocode_stored(operator, stored)
    with hub_context(home, role="analyst", what="mare demo") as analyst:
        repo = Repository(analyst)
        stats = repo.stats()
        first = next((v for v in repo.records(kind="person", limit=200) if v.decision.full), None)
        shown = repo.record(first.uid) if first else None
    by_status: dict[str, int] = {}
    for r in reports:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    console.print("Contributions: " + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())))
    console.print(
        f"Rows rejected with a reason: {sum(r.rejected for r in reports):,}; "
        f"values kept but not normalised: {sum(r.warnings for r in reports):,}"
    )
    problems_table(console, reports, limit=10)
    console.rule("3. What the hub now holds")
    stats_tables(console, stats)
    console.print("Hit notifications wait for the owners: `mare notifications list --as-agency AGENCY`")
    if shown is not None:
        console.rule("4. One person record, as a hub analyst sees it")
        record_panel(console, shown)
    console.rule("Next")
    console.print(
        "mare search NAME · mare show entity UID · mare network --hub · mare profile · "
        "mare hotspots --hub · mare routes --hub · mare polycrime · mare audit verify · mare --help"
    )
    if serve:
        _serve_demo(home, port)


def _serve_demo(home: Path | None, port: int) -> None:
    """Demo users for three agencies and the hub (new passwords, printed once), then the web app."""
    from rich.table import Table

    from mare.cli.serve import demo_users
    from mare.cli.serve import serve as run_server

    with hub_context(home, what="mare demo users") as operator:
        users = demo_users(operator)
    console.rule("5. The web app")
    table = Table(title="Demo users (DEMO passwords, new on every run: for this machine only)")
    for col in ("user", "agency", "roles", "password"):
        table.add_column(col)
    for row in users:
        table.add_row(*row)
    console.print(table)
    console.print(
        f"Open [bold]http://127.0.0.1:{port}/[/] and sign in as hub-analyst. Look first at the dashboard "
        "(new hits, the last 30 days on the map), then search a name, open the person and their network, "
        "run a disruption simulation, and review a pair. Sign in as de-analyst to see what one agency sees."
    )
    run_server(home, "127.0.0.1", port)
