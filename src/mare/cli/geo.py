"""`mare hotspots` and `mare routes`: file-level geography for researchers, no hub needed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from mare.analyse.geo.defaults import DEFAULT_ALPHA, DEFAULT_RESOLUTION, STEPS

if TYPE_CHECKING:
    import pyarrow as pa

# The analyses (scipy, h3, shapely) are imported inside the commands: every other `mare`
# command would otherwise pay their start-up.

err = Console(stderr=True)

FileArg = Annotated[
    Path, typer.Argument(help="CSV file with one point per row.", exists=True, dir_okay=False)
]
LatOpt = Annotated[str, typer.Option("--lat", help="Column with latitudes (decimal degrees).")]
LonOpt = Annotated[str, typer.Option("--lon", help="Column with longitudes (decimal degrees).")]


def _load(path: Path, columns: list[str] | None) -> pa.Table:
    """The needed columns of a CSV, or exit 2 naming the missing column."""
    from mare.analyse.geo.export import read_table

    try:
        return read_table(path, columns)
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0])) from exc


def _labels(table: pa.Table, column: str | None) -> list[str] | None:
    """A text column as a list (None when not asked for)."""
    return None if column is None else [str(v) for v in table.column(column).to_pylist()]


def hotspots_command(
    file: FileArg,
    lat: LatOpt,
    lon: LonOpt,
    output: Annotated[Path, typer.Option("-o", "--output", help="Result file: .csv or .geojson.")],
    time: Annotated[
        str | None, typer.Option("--time", help="Date column: adds each cell's emerging-hotspot pattern.")
    ] = None,
    step: Annotated[str, typer.Option("--step", help=f"Time step with --time: {', '.join(STEPS)}.")] = "year",
    resolution: Annotated[
        int, typer.Option("--resolution", min=0, max=15, help="H3 resolution (6: cells of ~36 km²).")
    ] = DEFAULT_RESOLUTION,
    rings: Annotated[
        int, typer.Option("--rings", min=1, max=5, help="Neighbourhood: H3 rings around a cell.")
    ] = 1,
    alpha: Annotated[
        float, typer.Option("--alpha", help="False-discovery rate for significance.")
    ] = DEFAULT_ALPHA,
    kind: Annotated[str | None, typer.Option("--kind", help="Column with the kind of activity.")] = None,
    network: Annotated[str | None, typer.Option("--network", help="Column with the network active.")] = None,
    weight: Annotated[
        str | None, typer.Option("--weight", help="Numeric column to sum instead of counting rows.")
    ] = None,
    all_cells: Annotated[
        bool, typer.Option("--all", help="Write every tested cell, not only hot/cold.")
    ] = False,
) -> None:
    """Find hotspots: H3 counts, Getis-Ord Gi* with FDR correction, kinds and networks per cell."""
    if output.suffix.lower() not in (".csv", ".geojson", ".json"):
        raise typer.BadParameter(f"{output}: write .csv or .geojson")
    if step not in STEPS:
        raise typer.BadParameter(f"--step must be one of {', '.join(STEPS)}")
    from mare.analyse.geo.emerging import find_emerging_hotspots
    from mare.analyse.geo.export import hotspot_rows, numbers, write_csv, write_geojson
    from mare.analyse.geo.hotspots import find_hotspots

    columns = [c for c in (lat, lon, time, kind, network, weight) if c]
    table = _load(file, list(dict.fromkeys(columns)))
    lats, lons = numbers(table.column(lat)), numbers(table.column(lon))
    weights = numbers(table.column(weight)) if weight else None
    result = find_hotspots(
        lats,
        lons,
        resolution,
        rings,
        alpha,
        _labels(table, kind),
        _labels(table, network),
        weights,
        significant_only=not all_cells,
    )
    patterns = None
    if time:
        trends = find_emerging_hotspots(
            lats, lons, table.column(time).to_pylist(), step, resolution, rings, alpha=alpha
        )
        patterns = {trend.cell: trend for trend in trends}
    chosen = sorted(result.hotspots, key=lambda h: -h.z)
    rows = hotspot_rows(chosen, patterns)
    (write_csv if output.suffix.lower() == ".csv" else write_geojson)(rows, output)
    hot = sum(1 for h in result.hotspots if h.gi_bin > 0)
    err.print(
        f"{result.points} points in {result.cells_tested} cells (H3 res {resolution}, {rings} ring): "
        f"{hot} hot, {sum(1 for h in result.hotspots if h.gi_bin < 0)} cold at FDR {alpha}; "
        f"{len(rows)} rows written to {output}"
    )


def routes_command(
    file: FileArg,
    lat: LatOpt,
    lon: LonOpt,
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV with route and route_reason added.")],
    to_lat: Annotated[
        str | None, typer.Option("--to-lat", help="Destination latitude column (rows become legs).")
    ] = None,
    to_lon: Annotated[str | None, typer.Option("--to-lon", help="Destination longitude column.")] = None,
) -> None:
    """Classify each row's route (Frontex routes) from geography and direction, with the reason."""
    if (to_lat is None) != (to_lon is None):
        raise typer.BadParameter("give both --to-lat and --to-lon, or neither")
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from mare.analyse.geo.atlas import AtlasMissing
    from mare.analyse.geo.export import numbers
    from mare.analyse.geo.routes import classify_legs, classify_points

    table = _load(file, None)  # keep every column as written
    for column in (lat, lon, to_lat, to_lon):
        if column and column not in table.column_names:
            raise typer.BadParameter(f"{file}: no column {column} (columns: {', '.join(table.column_names)})")
    lats, lons = numbers(table.column(lat)), numbers(table.column(lon))
    try:
        if to_lat and to_lon:
            answers = classify_legs(lats, lons, numbers(table.column(to_lat)), numbers(table.column(to_lon)))
        else:
            answers = classify_points(lats, lons)
    except AtlasMissing as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    table = table.append_column("route", pa.array([a.route for a in answers], pa.string()))
    table = table.append_column("route_reason", pa.array([a.reason for a in answers], pa.string()))
    pacsv.write_csv(table, output)
    counts: dict[str, int] = {}
    for answer in answers:
        counts[answer.route] = counts.get(answer.route, 0) + 1
    summary = ", ".join(f"{route} {n}" for route, n in sorted(counts.items(), key=lambda t: -t[1]))
    err.print(f"{len(answers)} rows classified ({summary}); written to {output}")
