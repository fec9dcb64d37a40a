"""`mare calls aggregate`, `mare calls busiest`: thin commands over `mare.hub.call_counts`."""

from __future__ import annotations

from typing import Annotated

import typer

from mare.cli.common import (
    AgencyOpt,
    HomeOpt,
    JsonOpt,
    RoleOpt,
    UserOpt,
    console,
    engine_errors,
    fail,
    hub_context,
    print_json,
)
from mare.cli.display import shown

calls_app = typer.Typer(
    help="Call volumes per phone pair and period (bulk counts on DuckDB or Spark: docs/spark.md).",
    no_args_is_help=True,
)

PeriodOpt = Annotated[str, typer.Option("--period", help="day, week or month.")]


def _checked_period(period: str) -> str:
    """The --period given, or exit 2 naming the ones there are."""
    from mare.hub.call_counts import PERIODS

    if period not in PERIODS:
        raise fail(f"--period {shown(period)}: use one of {', '.join(PERIODS)}", code=2)
    return period


@calls_app.command("aggregate")
def calls_aggregate(
    period: PeriodOpt = "month",
    engine: Annotated[
        str,
        typer.Option("--engine", help="duckdb (in process) or spark (local or a cluster: docs/spark.md)."),
    ] = "duckdb",
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Count every stored call per contribution, phone pair and period; write the counts (hub staff)."""
    from mare.hub.call_counts import CallsError, aggregate

    period = _checked_period(period)
    unavailable = engine_errors(engine)  # Spark cannot start: one red line, nothing written
    with hub_context(home, user, as_agency, role, what="mare calls aggregate") as ctx:
        try:
            result = aggregate(ctx, period, engine)
        except unavailable as exc:
            raise fail(str(exc), code=2) from exc
        except CallsError as exc:
            raise fail(str(exc)) from None
    if as_json:
        print_json(result.as_dict())
        return
    console.print(
        f"{result.rows} call count(s) per {result.period} written ({result.calls} call(s) from "
        f"{result.contributions} contribution(s), on {result.engine})"
    )


@calls_app.command("busiest")
def calls_busiest(
    period: PeriodOpt = "month",
    limit: Annotated[int, typer.Option("--limit", help="Phone pairs shown per period.")] = 10,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The busiest phone pairs of each period, in the call records you may see."""
    from rich.table import Table

    from mare.hub.call_counts import CallsError, pair_volumes

    period = _checked_period(period)
    with hub_context(home, user, as_agency, role, what="mare calls busiest") as ctx:
        try:
            volumes = pair_volumes(ctx, period, limit)
        except CallsError as exc:
            raise fail(str(exc), code=2) from None
    if as_json:
        print_json(volumes.as_dict())
        return
    table = Table(title=f"Busiest phone pairs per {period} (from {volumes.source})")
    for column in (period, "caller", "callee", "calls", "seconds"):
        table.add_column(column, justify="right" if column in ("calls", "seconds") else "left")
    for p in volumes.pairs:
        table.add_row(p.start, shown(p.caller), shown(p.callee), str(p.calls), str(p.seconds))
    console.print(table)
    if volumes.withheld:
        console.print(f"{volumes.withheld} call batch(es) not shown (not yours to see in full)")
