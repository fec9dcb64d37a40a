"""`mare trends FILE.csv`: early warning on the counts of a CSV file (no hub needed)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer

from mare.cli.common import JsonOpt, console, print_json
from mare.cli.display import SafeConsole, shown

err = SafeConsole(stderr=True)


def trends_command(
    file: Annotated[Path, typer.Argument(help="CSV file: one count per row.", exists=True, dir_okay=False)],
    time: Annotated[str, typer.Option("--time", help="Column with the month (YYYY-MM) or date.")],
    value: Annotated[
        str, typer.Option("--value", help="Column with the count (summed per group and period).")
    ],
    group: Annotated[
        str | None,
        typer.Option("--group", help="Column naming the series (route, place…); one series without."),
    ] = None,
    period: Annotated[str, typer.Option("--period", help="month or week.")] = "month",
    window: Annotated[
        int | None, typer.Option("--window", min=4, help="Trailing periods the baseline is fitted on.")
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.5, help="CUSUM threshold h (standard units).")
    ] = 5.0,
    as_json: JsonOpt = False,
) -> None:
    """Flag sustained rises and falls in counts: negative-binomial baseline, CUSUM on its residuals.

    Gaps (periods without a row) count as zero and are reported on stderr. See docs/trends.md."""
    from rich.table import Table

    from mare.analyse.trends import PERIODS, Settings, build_series, detect_all

    if period not in PERIODS:
        raise typer.BadParameter(f"--period must be one of {', '.join(PERIODS)}")
    with file.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in (time, value, group) if c is not None and c not in header]
        if missing:
            raise typer.BadParameter(f"{file}: no column {', '.join(missing)} (columns: {', '.join(header)})")
        rows = [(row[group] if group else file.stem, row[time], row[value]) for row in reader]
    overrides: dict[str, object] = {"h": threshold}
    if window is not None:
        overrides["window"] = window
        overrides["min_history"] = min(window, 24 if period == "month" else 52)
    try:
        settings = Settings.for_period(period, **overrides)
        series = build_series(rows, period)
        result = detect_all(series, settings)
    except ValueError as exc:
        err.print(f"[red]{shown(exc)}[/]")
        raise typer.Exit(1) from None
    for name, gaps in result.gaps.items():
        gap_list = ", ".join(gaps[:5]) + (f" … ({len(gaps)} in all)" if len(gaps) > 5 else "")
        err.print(f"[yellow]series {shown(repr(name))}: no row for {shown(gap_list)}; counted as zero[/]")
    for reason in result.skipped.values():
        err.print(f"[yellow]skipped: {shown(reason)}[/]")
    if len(result.skipped) == len(series):
        err.print("[red]no series long enough to analyse[/]")
        raise typer.Exit(1)
    if as_json:
        print_json([alert.as_dict() for alert in result.alerts])
        return
    table = Table(title=f"{len(result.alerts)} alerts")
    for name in (
        "group",
        "start",
        "detected",
        "dir",
        "observed",
        "baseline",
        "bound",
        "p",
        "CUSUM",
        "window",
    ):
        table.add_column(name, justify="right" if name in ("observed", "baseline", "p", "CUSUM") else "left")
    for alert in result.alerts:
        table.add_row(
            shown(alert.group),
            shown(alert.start),
            alert.detected if alert.end == alert.detected else f"{alert.detected}…{alert.end}",
            "↑ up" if alert.direction == "up" else "↓ down",
            f"{alert.observed:,.0f}",
            f"{alert.baseline:,.0f}",
            f"{alert.lower:,.0f}–{alert.upper:,.0f}",
            f"{alert.p_value:.2g}",
            f"{alert.score:.1f}",
            alert.window,
        )
    console.print(table)
