"""`mare network FILE` (a researcher's file, no hub needed) and `mare network --hub` (the hub's own data,
through the policy): key players, cells, roles, disruption."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from mare.cli.common import AgencyOpt, HomeOpt, PurposeOpt, RoleOpt, UserOpt, WhyOpt, hub_context
from mare.cli.display import SafeConsole, json_safe, shown

_err = SafeConsole(stderr=True)


def network_command(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Edge list (source,target[,weight]) or adjacency matrix CSV (not with --hub); "
            "`compare DIR` compares every network file in a folder."
        ),
    ] = None,
    folder: Annotated[
        Path | None, typer.Argument(help="With `compare`: the folder of network files.", show_default=False)
    ] = None,
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
    hub: Annotated[
        bool, typer.Option("--hub", help="The networks in the hub's own data (as the policy lets you see).")
    ] = False,
    network_id: Annotated[
        str | None, typer.Option("--network", help="With --hub: analyse this network (N1, N2… as listed).")
    ] = None,
    entity: Annotated[
        str | None,
        typer.Option("--entity", help="With --hub: one person's neighbourhood (E… or a record uid)."),
    ] = None,
    depth: Annotated[int, typer.Option("--depth", help="With --entity: how many ties out.")] = 1,
    compare: Annotated[
        bool,
        typer.Option("--compare", help="With --hub: the comparative table of all networks, and their types."),
    ] = False,
    types: Annotated[
        int | None, typer.Option("--types", help="With compare: number of network types (default: chosen).")
    ] = None,
    min_size: Annotated[int, typer.Option("--min-size", help="With --hub: smallest network listed.")] = 3,
    windows: Annotated[
        str | None,
        typer.Option(
            "--windows", help="With --hub --network/--entity: key players per month, quarter or year."
        ),
    ] = None,
    ties: Annotated[
        str | None,
        typer.Option(
            "--ties",
            help="With --hub: tie kinds, comma-separated (default all: calls, communications, "
            "co_participation, shared_assets, payments, associations).",
        ),
    ] = None,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
) -> None:
    """Analyse a network file, or with --hub the hub's networks: key players, cells, roles and, with
    --remove K, a disruption plan."""
    from mare.analyse.network.io import NetworkFileError, read_network
    from mare.analyse.network.report import analyse, summary_table

    if file is not None and str(file) == "compare" and not file.exists():
        if folder is None or not folder.is_dir():
            _err.print("give the folder to compare: mare network compare DIR")
            raise typer.Exit(2)
        _compare_folder(folder, fmt, directed, weighted, types, seed, as_json, out)
        return
    if folder is not None:
        _err.print(f"unexpected argument {shown(folder)}: one FILE, or `compare DIR`")
        raise typer.Exit(2)
    if hub and compare:
        _hub_compare(
            HubRequest(home, user, as_agency, role, purpose, why), min_size, ties, types, seed, as_json, out
        )
        return
    if hub:
        if file is not None:
            _err.print("give a FILE or --hub, not both")
            raise typer.Exit(2)
        _hub(
            HubRequest(home, user, as_agency, role, purpose, why),
            windows,
            network_id,
            entity,
            depth,
            min_size,
            ties,
            dict(
                remove=remove, strategy=strategy, engine=engine, seed=seed, top=top, betweenness_error=error
            ),
            as_json,
            out,
        )
        return
    if file is None:
        _err.print("give a network FILE, or --hub for the networks in the hub's own data")
        raise typer.Exit(2)
    if fmt not in ("edgelist", "matrix"):
        _err.print(f"--format must be edgelist or matrix, not {shown(repr(fmt))}")
        raise typer.Exit(2)
    if engine not in ("auto", "networkx", "networkit"):
        _err.print(f"--engine must be auto, networkx or networkit, not {shown(repr(engine))}")
        raise typer.Exit(2)
    if not file.is_file():
        _err.print(f"{shown(file)}: no such file")
        raise typer.Exit(2)
    try:
        net = read_network(file, fmt, directed=directed, weighted=weighted)  # type: ignore[arg-type]
    except NetworkFileError as exc:
        _err.print(shown(exc))
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
        _err.print(shown(exc))
        raise typer.Exit(2) from exc
    text = json.dumps(report, indent=2, ensure_ascii=False, default=_plain)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    if as_json:
        sys.stdout.write(text + "\n")
        return
    _render(report, top, summary_table(report, top))


@dataclass(frozen=True, slots=True)
class HubRequest:
    """Who asks, for what (the hub options of the command)."""

    home: Path | None
    user: str | None
    as_agency: str | None
    role: str | None
    purpose: str
    why: str | None


def _hub(
    request: HubRequest,
    windows: str | None,
    network_id: str | None,
    entity: str | None,
    depth: int,
    min_size: int,
    ties: str | None,
    options: dict[str, Any],
    as_json: bool,
    out: Path | None,
) -> None:
    """`mare network --hub`: list the networks, or analyse one of them or one person's neighbourhood."""
    from mare.analyse.network.report import analyse, summary_table
    from mare.hub.networks import NetworkError, neighbourhood, network, networks

    kinds = [k.strip() for k in ties.split(",") if k.strip()] if ties else None
    what = (
        "mare network --hub"
        + (f" --network {network_id}" if network_id else "")
        + (f" --entity {entity}" if entity else "")
    )
    if windows is not None and windows not in ("month", "quarter", "year"):
        _err.print(f"--windows must be month, quarter or year, not {shown(repr(windows))}")
        raise typer.Exit(2)
    r = request
    with (
        hub_context(r.home, r.user, r.as_agency, r.role, purpose=r.purpose, why=r.why, what=what) as ctx,
        _err.status("Building the person network from what you may see…"),
    ):
        try:
            if network_id is None and entity is None:
                found = networks(ctx, min_size, kinds)
                data: dict[str, Any] = {"networks": [n.as_dict() for n in found], "min_size": min_size}
                report = None
            else:
                net = (
                    neighbourhood(ctx, entity, depth, kinds)
                    if entity is not None
                    else network(ctx, network_id or "", min_size, kinds)
                )
                if net.n < 2:
                    raise NetworkError(f"{net.name} has {net.n} person: too small to analyse")
                report = analyse(net, **options)
                report["labels"] = {node: a.get("label") for node, a in net.attrs.items()}
                report["records"] = {node: a.get("records", []) for node, a in net.attrs.items()}
                report["withheld"] = net.meta.get("withheld", {})
                if windows is not None:
                    report["windows"] = _windows(net, windows, options["top"])
                data = report
        except (NetworkError, ValueError) as exc:
            _err.print(f"[red]error:[/] {shown(exc)}")
            raise typer.Exit(1) from None
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_plain)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    if as_json:
        sys.stdout.write(json_safe(text) + "\n")
        return
    if report is None:
        _networks_table(data)
        return
    labels = report["labels"]
    rows = summary_table(report, options["top"])
    for row in rows:
        row[1] = f"{labels.get(row[1]) or ''} {row[1]}".strip()
    _render(report, options["top"], rows)
    if "windows" in report:
        console = SafeConsole()
        track = report["windows"]
        for label, top_ids in zip(track["labels"], track["top"], strict=True):
            names = ", ".join(shown(labels.get(node) or node) for node in top_ids)
            console.print(f"[bold]{label}[/]: {names}")
        for move in track["movers"][:5]:
            who = shown(labels.get(move["id"]) or move["id"])
            console.print(
                f"  {who}: rank {move['rank_before']} → {move['rank_after']} ({move['from']} → {move['to']})"
            )


def _compare_folder(
    folder: Path,
    fmt: str,
    directed: bool,
    weighted: bool,
    types: int | None,
    seed: int,
    as_json: bool,
    out: Path | None,
) -> None:
    """`mare network compare DIR`: one profile per network file, and the typology."""
    from mare.analyse.network.io import NetworkFileError
    from mare.analyse.network.typology import profile_folder, typology

    try:
        profiles = profile_folder(folder, fmt, directed, weighted, seed)  # type: ignore[arg-type]
        kinds = typology(profiles, types, seed)
    except (NetworkFileError, ValueError) as exc:
        _err.print(f"[red]error:[/] {shown(exc)}")
        raise typer.Exit(1) from None
    _comparison(profiles, kinds.as_dict(), as_json, out)


def _hub_compare(
    request: HubRequest,
    min_size: int,
    ties: str | None,
    types: int | None,
    seed: int,
    as_json: bool,
    out: Path | None,
) -> None:
    """`mare network --hub --compare`: every hub network's profile, and the typology."""
    from mare.hub.networks import NetworkError, compare_networks

    kinds = [k.strip() for k in ties.split(",") if k.strip()] if ties else None
    r = request
    with (
        hub_context(
            r.home,
            r.user,
            r.as_agency,
            r.role,
            purpose=r.purpose,
            why=r.why,
            what="mare network --hub --compare",
        ) as ctx,
        _err.status("Finding and profiling the networks you may see…"),
    ):
        try:
            profiles, typed = compare_networks(ctx, min_size, kinds, types, seed)
        except (NetworkError, ValueError) as exc:
            _err.print(f"[red]error:[/] {shown(exc)}")
            raise typer.Exit(1) from None
    _comparison(profiles, typed.as_dict(), as_json, out)


def _comparison(
    profiles: list[dict[str, Any]], typed: dict[str, Any], as_json: bool, out: Path | None
) -> None:
    """Print (or write) the comparative table and the types."""
    from rich.table import Table

    data = {"networks": profiles, "typology": typed}
    if out:
        from mare.analyse.network.profiles import COLUMNS, export_table

        if out.suffix.lower() == ".json":
            out.write_text(
                json.dumps(data, indent=2, ensure_ascii=False, default=_plain) + "\n", encoding="utf-8"
            )
        else:
            rows = [p | {"type": typed["types"].get(str(p["name"]))} for p in profiles]
            export_table(rows, out, (*COLUMNS, "named_by", "type"))
    if as_json:
        sys.stdout.write(json_safe(json.dumps(data, indent=2, ensure_ascii=False, default=_plain)) + "\n")
        return
    console = SafeConsole()
    table = Table(title=f"{len(profiles)} networks compared")
    for col in (
        "network",
        "type",
        "people",
        "ties",
        "density",
        "deg. centr.",
        "betw. centr.",
        "cells",
        "modularity",
        "brokers",
        "nationalities",
    ):
        table.add_column(col, overflow="fold")
    for p in profiles:
        label = str(p["name"]) + (f" ({p['named_by']})" if p.get("named_by") else "")
        table.add_row(
            shown(label),
            str(typed["types"].get(str(p["name"]), "")),
            str(p["nodes"]),
            str(p["ties"]),
            f"{p['density']:.3f}",
            f"{p['degree_centralisation']:.2f}",
            "—" if p["betweenness_centralisation"] is None else f"{p['betweenness_centralisation']:.2f}",
            str(p["cells"]),
            f"{p['modularity']:.2f}",
            str(p.get("brokers", "")),
            shown(", ".join(f"{k} {v}" for k, v in list((p.get("nationality") or {}).items())[:2])),
        )
    console.print(table)
    if not typed["readings"]:
        console.print("Too few (or too alike) networks for a typology: compare four or more.")
    for reading in typed["readings"]:
        console.print(
            f"Type {reading['type']} ({reading['networks']} networks, "
            f"e.g. {shown(', '.join(reading['examples'][:3]))}): {shown(reading['reading'])}"
        )
    if typed.get("silhouette") is not None:
        console.print(
            f"[dim]{typed['k']} types by k-means on standardised shape measures; "
            f"silhouette {typed['silhouette']}[/]"
        )


def _windows(net: Any, period: str, top: int) -> dict[str, Any]:
    """Key players of the network per period (its own ties only), and who rose or fell."""
    from mare.analyse.network.windows import split_by_period, track

    members = set(net.ids)
    ties = [t for t in net.meta.get("ties", []) if t.source in members and t.target in members]
    return track(split_by_period(ties, period), top=top).as_dict()  # type: ignore[arg-type]


def _networks_table(data: dict[str, Any]) -> None:
    from rich.table import Table

    console = SafeConsole()
    found = data["networks"]
    if not found:
        console.print(f"No network of {data['min_size']} or more people in what you may see.")
        return
    table = Table(title=f"Networks of {data['min_size']} or more people in the hub (largest first)")
    for col in ("id", "named by", "people", "ties", "density", "nationalities", "ties by kind", "active"):
        table.add_column(col, overflow="fold")
    for n in found:
        table.add_row(
            shown(n["id"]),
            shown(n["name"]),
            str(n["people"]),
            str(n["ties"]),
            f"{n['density']:.3f}",
            shown(", ".join(f"{k} {v}" for k, v in n["nationalities"].items())),
            shown(", ".join(f"{k} {v}" for k, v in n["tie_kinds"].items())),
            f"{n['first_seen'] or '?'} – {n['last_seen'] or '?'}",
        )
    console.print(table)
    console.print("Analyse one: `mare network --hub --network N1` · one person: `--entity E… --depth 2`")


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _render(report: dict[str, Any], top: int, rows: list[list[str]]) -> None:
    from rich.table import Table

    labels: dict[str, str | None] = report.get("labels") or {}

    def name(node: str) -> str:
        return shown(f"{labels[node]} ({node})" if labels.get(node) else node)

    console = SafeConsole()
    prof = report["network"]
    console.print(
        f"[bold]{shown(prof['name'])}[/]: {prof['nodes']} people, {prof['ties']} ties, "
        f"density {prof['density']}, "
        f"{prof['components']} networks, {prof['cells']} cells (modularity {prof['modularity']}); "
        f"engine {report['engine']}"
    )
    table = Table(title=f"Key players (top {top})")
    for col in ("rank", "id", "degree", "betweenness", "pagerank", "cell", "assessed role"):
        table.add_column(col)
    for row in rows:
        table.add_row(*(shown(cell) for cell in row))
    console.print(table)
    for player in report["explanations"][:3]:
        console.print(f"[bold]{name(player['id'])}[/]: " + shown("; ".join(player["reasons"])))
    plan = report.get("disruption")
    if plan:
        console.print(
            f"Remove {', '.join(name(n) for n in plan['remove'])} ({plan['method']}): fragmentation "
            f"{plan['fragmentation_before']:.3f} → {plan['fragmentation']:.3f}, largest network keeps "
            f"{plan['lcc_fraction']:.0%}"
        )
        for gone, stand_ins in plan["resilience"]["stand_ins"].items():
            if stand_ins:
                names = ", ".join(name(s["id"]) for s in stand_ins[:3])
                console.print(f"  could take over from {name(gone)}: {names}")
    console.print("[dim]Roles are assessments from structure and the records' evidence, not facts.[/]")
