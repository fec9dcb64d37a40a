"""`mare network FILE`: network analysis of a researcher's file, no hub needed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

_err = Console(stderr=True)


def network_command(
    file: Annotated[Path, typer.Argument(help="Edge list (source,target[,weight]) or adjacency matrix CSV.")],
    fmt: Annotated[str, typer.Option("--format", help="edgelist or matrix.")] = "edgelist",
    directed: Annotated[bool, typer.Option("--directed", help="Ties have a direction (a called b).")] = False,
    weighted: Annotated[
        bool, typer.Option("--weighted", help="Use the third column / cell values as tie strength.")
    ] = False,
    remove: Annotated[int, typer.Option("--remove", help="Plan the removal of K people (KPP-Neg).")] = 0,
    strategy: Annotated[
        str,
        typer.Option("--strategy", help="kpp, betweenness, degree, katz, collective_influence or pagerank."),
    ] = "kpp",
    engine: Annotated[str, typer.Option("--engine", help="auto, networkx or networkit.")] = "auto",
    seed: Annotated[int, typer.Option("--seed", help="Seed for cells and sampling.")] = 1,
    top: Annotated[int, typer.Option("--top", help="Key players to explain.")] = 10,
    error: Annotated[
        float | None, typer.Option("--error", help="Sample betweenness within ± this error (large graphs).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the JSON report to this file.")
    ] = None,
) -> None:
    """Analyse a network file: key players, cells, roles and, with --remove K, a disruption plan."""
    from mare.analyse.network.io import NetworkFileError, read_network
    from mare.analyse.network.report import analyse, summary_table

    if fmt not in ("edgelist", "matrix"):
        _err.print(f"--format must be edgelist or matrix, not {fmt!r}")
        raise typer.Exit(2)
    if engine not in ("auto", "networkx", "networkit"):
        _err.print(f"--engine must be auto, networkx or networkit, not {engine!r}")
        raise typer.Exit(2)
    if not file.is_file():
        _err.print(f"{file}: no such file")
        raise typer.Exit(2)
    try:
        net = read_network(file, fmt, directed=directed, weighted=weighted)  # type: ignore[arg-type]
    except NetworkFileError as exc:
        _err.print(str(exc))
        raise typer.Exit(1) from exc
    try:
        report = analyse(
            net,
            remove=remove,
            strategy=strategy,
            engine=engine,  # type: ignore[arg-type]
            seed=seed,
            top=top,
            betweenness_error=error,
        )
    except ValueError as exc:
        _err.print(str(exc))
        raise typer.Exit(2) from exc
    text = json.dumps(report, indent=2, ensure_ascii=False, default=_plain)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    if as_json:
        sys.stdout.write(text + "\n")
        return
    _render(report, top, summary_table(report, top))


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _render(report: dict[str, Any], top: int, rows: list[list[str]]) -> None:
    console = Console()
    prof = report["network"]
    console.print(
        f"[bold]{prof['name']}[/]: {prof['nodes']} people, {prof['ties']} ties, density {prof['density']}, "
        f"{prof['components']} networks, {prof['cells']} cells (modularity {prof['modularity']}); "
        f"engine {report['engine']}"
    )
    table = Table(title=f"Key players (top {top})")
    for col in ("rank", "id", "degree", "betweenness", "pagerank", "cell", "assessed role"):
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    for player in report["explanations"][:3]:
        console.print(f"[bold]{player['id']}[/]: " + "; ".join(player["reasons"]))
    plan = report.get("disruption")
    if plan:
        console.print(
            f"Remove {', '.join(plan['remove'])} ({plan['method']}): fragmentation "
            f"{plan['fragmentation_before']:.3f} → {plan['fragmentation']:.3f}, largest network keeps "
            f"{plan['lcc_fraction']:.0%}"
        )
        for gone, stand_ins in plan["resilience"]["stand_ins"].items():
            if stand_ins:
                names = ", ".join(s["id"] for s in stand_ins[:3])
                console.print(f"  could take over from {gone}: {names}")
    console.print("[dim]Roles are assessments from structure, not facts.[/]")
