"""`mare money [--hub | FILE] [--json]`: money flows, corridors, patterns and turnover."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from mare.cli.common import (
    AgencyOpt,
    HomeOpt,
    JsonOpt,
    PurposeOpt,
    RoleOpt,
    UserOpt,
    WhyOpt,
    console,
    err,
    fail,
    hub_context,
    print_json,
)
from mare.cli.display import shown

if TYPE_CHECKING:
    from mare.analyse.money.flows import Flows
    from mare.analyse.money.patterns import Analysis, Party

HubOpt = Annotated[bool, typer.Option("--hub", help="Use the payments the hub holds (through the policy).")]
TopOpt = Annotated[int, typer.Option("--top", min=1, help="Rows per table.")]
FanOpt = Annotated[
    int, typer.Option("--fan-min", min=2, help="Distinct payers (payees) for a fan-in (fan-out).")
]
WindowOpt = Annotated[
    float, typer.Option("--window-days", min=1, help="Window for fan-in and fan-out, days.")
]
CycleOpt = Annotated[
    int, typer.Option("--cycle-max", min=3, max=10, help="Longest cycle searched (parties).")
]
LevelsOpt = Annotated[
    Path | None,
    typer.Option(
        "--fee-levels",
        help="With a FILE: your own fee levels, a CSV origin,destination,low,high,source (euros).",
    ),
]


def money_command(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Transactions CSV: source,target,amount[,currency,time,method,purpose,route,...]."
        ),
    ] = None,
    hub: HubOpt = False,
    fee_levels: LevelsOpt = None,
    top: TopOpt = 15,
    fan_min: FanOpt = 5,
    window_days: WindowOpt = 90.0,
    cycle_max: CycleOpt = 6,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Money flows by corridor and month, patterns (brokers, fan-in, fee-takers, fan-out, cycles,
    layering, fee levels, businesses), each with its reasons, and turnover from the fees observed.

    With --hub: the payments you may see. With a FILE: a plain transactions CSV (rows that cannot be
    used are reported by row and field; the rest are used; a `route` column, 'Izmir>Kos', or
    `origin,destination` says what route a transfer pays for) and, with --fee-levels, your own fee
    levels per route (else the sources' EUR 3,000-6,000). Exit status 2 when a file cannot be used."""
    from mare.analyse.money.patterns import Thresholds

    if (file is None) == (not hub):
        raise typer.BadParameter(
            "give a FILE of transactions or --hub, not both" if hub else "give a FILE or --hub"
        )
    if hub and fee_levels is not None:
        raise typer.BadParameter(
            "--fee-levels goes with a FILE; with --hub the levels come from the hub's own data"
        )
    thresholds = Thresholds(fan_min=fan_min, window_days=window_days, cycle_max=cycle_max)
    if file is not None:
        _file_mode(file, thresholds, top, as_json, fee_levels)
        return
    from mare.hub.money import hub_money
    from mare.products.money import turnover_section

    with (
        hub_context(home, user, as_agency, role, purpose=purpose, why=why, what="mare money") as ctx,
        err.status("Reading the payments you may see…"),
    ):
        result = hub_money(ctx, thresholds)
    turnover = turnover_section(result.fees, result.networks, result.journeys_on_legs)
    if as_json:
        print_json({**result.as_dict(top=None), "turnover": turnover})
        return
    console.print(
        f"[bold]{result.payments:,}[/] payments you may see: {len(result.transfers):,} between two parties, "
        f"{result.incomplete:,} with one party only (corridors only); {len(result.parties):,} parties"
    )
    assert result.flows is not None and result.analysis is not None
    _render(result.flows, result.analysis, result.parties, top)
    _turnover(turnover)
    for p in result.problems[:top]:
        err.print(f"[yellow]warning:[/] {shown(p.text())}")
    if len(result.problems) > top:
        err.print(
            f"[yellow]warning:[/] {len(result.problems) - top} more payment(s) with problems "
            "(--json lists all)"
        )
    if result.withheld:
        console.print(
            "Withheld by rule: " + ", ".join(f"{shown(k)} {n}" for k, n in sorted(result.withheld.items()))
        )


def _file_mode(file: Path, thresholds: Any, top: int, as_json: bool, levels_file: Path | None) -> None:
    from mare.analyse.money.fee_levels import FEE_LEVELS, read_fee_levels, with_stated
    from mare.analyse.money.flows import flows
    from mare.analyse.money.networks import fee_observations
    from mare.analyse.money.patterns import find_patterns
    from mare.analyse.money.transactions import TransactionsFileError, read_transactions
    from mare.products.money import turnover_section

    try:
        levels = with_stated(read_fee_levels(levels_file)) if levels_file is not None else FEE_LEVELS
        data = read_transactions(file)
    except TransactionsFileError as exc:
        raise fail(str(exc), 2) from None
    flow = flows(data.transfers)
    analysis = find_patterns(data.transfers, None, thresholds, levels)
    fees, nets = fee_observations(data.transfers, analysis.flagged("broker"), levels)
    turnover = turnover_section(fees, nets, 0)
    if as_json:
        print_json(
            {
                "rows": data.rows,
                "transfers": len(data.transfers),
                "flows": flow.as_dict(top=None),
                "patterns": [p.as_dict() for p in analysis.patterns],
                "thresholds": analysis.thresholds.as_dict(),
                "fee_levels": [level.as_dict() for level in levels],
                "notes": analysis.notes,
                "fees": fees.as_dict(),
                "networks": [n.as_dict() for n in nets],
                "turnover": turnover,
                "problems": [p.as_dict() for p in data.problems],
            }
        )
        return
    for problem in data.problems[:top]:
        err.print(f"[yellow]warning:[/] {shown(problem.text())}")
    if len(data.problems) > top:
        err.print(
            f"[yellow]warning:[/] {len(data.problems) - top} more row(s) with problems (--json lists all)"
        )
    console.print(
        f"[bold]{len(data.transfers):,}[/] transfers used of {data.rows:,} rows in {shown(str(file))}"
    )
    console.print(
        "Fee levels: "
        + "; ".join(
            f"{shown(lv.route)} EUR {lv.low:,.0f}–{lv.high:,.0f} ({shown(lv.source)})" for lv in levels[:top]
        )
        + (f"; and {len(levels) - top} more (--json lists all)" if len(levels) > top else "")
    )
    _render(flow, analysis, {}, top)
    _turnover(turnover)


def _render(flow: Flows, analysis: Analysis, parties: dict[str, Party], top: int) -> None:
    from mare.analyse.money.flows import iso_day
    from mare.analyse.money.patterns import KINDS

    console.print(f"Total EUR {flow.eur:,.0f} in {flow.transfers:,} transfers")
    if flow.not_converted:
        console.print(
            "Not converted (no euro rate): "
            + ", ".join(f"{shown(c)} {n}" for c, n in sorted(flow.not_converted.items()))
        )
    if flow.corridors:
        table = Table(title="Corridors (country -> country)")
        for col in ("from", "to", "transfers", "EUR", "first", "last"):
            table.add_column(col)
        for c in flow.corridors[:top]:
            table.add_row(
                shown(c.source),
                shown(c.target),
                f"{c.count:,}",
                f"{c.eur:,.0f}",
                iso_day(c.first) or "",
                iso_day(c.last) or "",
            )
        console.print(table)
    if flow.months:
        months = sorted(flow.months.items())[-top:]
        console.print("By month: " + ", ".join(f"{m} EUR {e:,.0f} ({n})" for m, (n, e) in months))
    counts = {k: len(analysis.of_kind(k)) for k in KINDS}
    console.print("Patterns: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
    for kind in KINDS:
        found = analysis.of_kind(kind)
        if not found:
            continue
        table = Table(title=f"{kind}: {len(found)}")
        for col in ("party", "who", "EUR", "transfers", "period", "reasons"):
            table.add_column(col, overflow="fold")
        for p in found[:top]:
            party = parties.get(p.parties[0])
            who = f"{party.label or '?'} ({party.kind}, {party.country or '?'})" if party else ""
            if kind in ("cycle", "layering", "settlement"):
                who = " -> ".join(p.parties[:8]) + (" …" if len(p.parties) > 8 else "")
            table.add_row(
                shown(p.parties[0]),
                shown(who),
                f"{p.eur:,.0f}",
                f"{p.transfers:,}",
                f"{iso_day(p.first) or '?'} – {iso_day(p.last) or '?'}",
                shown("; ".join(p.reasons)),
            )
        console.print(table)
    for note in analysis.notes:
        console.print(f"Note: {shown(note)}")


def _turnover(section: dict[str, Any]) -> None:
    hub = section.get("hub")
    if hub is None:
        console.print("Turnover: no fee observed")
        return
    console.print(f"Turnover from the fees observed: {shown(hub['text'])}")
    for i in hub["inputs"]:
        console.print(
            f"  {shown(i['name'])}: {i['low']:,.2f}–{i['high']:,.2f} {shown(i['unit'])} "
            f"({shown(i['source'])})"
        )
    nets = section.get("networks", [])
    if nets:
        console.print(
            f"Per money network ({len(nets)}): "
            + "; ".join(f"{shown(n['network'])} {shown(n['text'])}" for n in nets[:5])
        )
    if section.get("note"):
        console.print(f"Note: {shown(section['note'])}")
