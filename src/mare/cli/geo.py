"""`mare hotspots` and `mare routes`: geography of a CSV file (no hub needed), or, with `--hub`, of the
events and journey legs the hub holds, read through the access policy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mare.analyse.geo.defaults import DEFAULT_ALPHA, DEFAULT_RESOLUTION, STEPS
from mare.cli.common import (
    AgencyOpt,
    HomeOpt,
    JsonOpt,
    PurposeOpt,
    RoleOpt,
    UserOpt,
    WhyOpt,
    console,
    hub_context,
    print_json,
)
from mare.cli.display import SafeConsole, shown

if TYPE_CHECKING:
    import pyarrow as pa

# The analyses (scipy, h3, shapely) are imported inside the commands: every other `mare`
# command would otherwise pay their start-up.

err = SafeConsole(stderr=True)

FileArg = Annotated[
    Path | None,
    typer.Argument(help="CSV file with one point per row (not with --hub).", exists=True, dir_okay=False),
]
LatOpt = Annotated[
    str | None, typer.Option("--lat", help="Column with latitudes (decimal degrees); not with --hub.")
]
LonOpt = Annotated[
    str | None, typer.Option("--lon", help="Column with longitudes (decimal degrees); not with --hub.")
]
HubOpt = Annotated[
    bool, typer.Option("--hub", help="Use the events / journey legs the hub holds (through the policy).")
]


def _source(file: Path | None, lat: str | None, lon: str | None, hub: bool) -> tuple[Path, str, str] | None:
    """The file and its coordinate columns, or None with --hub; exit 2 on a wrong combination."""
    if hub:
        if file is not None:
            raise typer.BadParameter("give FILE or --hub, not both")
        return None
    if file is None:
        raise typer.BadParameter("give a FILE (with --lat and --lon) or --hub")
    if lat is None or lon is None:
        raise typer.BadParameter("--lat and --lon are required with a FILE")
    return file, lat, lon


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
    file: FileArg = None,
    lat: LatOpt = None,
    lon: LonOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Result file: .csv or .geojson (optional with --hub)."),
    ] = None,
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
    hub: HubOpt = False,
    top: Annotated[int, typer.Option("--top", min=1, help="With --hub: hotspots shown in the table.")] = 20,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find hotspots: H3 counts, Getis-Ord Gi* with FDR correction, kinds and networks per cell.

    With --hub: of the events the hub holds that you may see, each cell named after a place."""
    source = _source(file, lat, lon, hub)
    if output is not None and output.suffix.lower() not in (".csv", ".geojson", ".json"):
        raise typer.BadParameter(f"{output}: write .csv or .geojson")
    if step not in STEPS:
        raise typer.BadParameter(f"--step must be one of {', '.join(STEPS)}")
    if source is None:
        if time or kind or network or weight:
            raise typer.BadParameter(
                "--time, --kind, --network and --weight are columns of a FILE, not --hub"
            )
        _hub_hotspots(
            output,
            step,
            resolution,
            rings,
            alpha,
            all_cells,
            top,
            as_json,
            (home, user, as_agency, role, purpose, why),
        )
        return
    if output is None:
        raise typer.BadParameter("-o/--output is required with a FILE")
    file, lat, lon = source
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
    file: FileArg = None,
    lat: LatOpt = None,
    lon: LonOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="CSV with route and route_reason added (optional with --hub)."),
    ] = None,
    to_lat: Annotated[
        str | None, typer.Option("--to-lat", help="Destination latitude column (rows become legs).")
    ] = None,
    to_lon: Annotated[str | None, typer.Option("--to-lon", help="Destination longitude column.")] = None,
    hub: HubOpt = False,
    period: Annotated[
        str, typer.Option("--period", help=f"With --hub: flows per {', '.join(STEPS)}.")
    ] = "quarter",
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Classify each row's route (Frontex routes) from geography and direction, with the reason.

    With --hub: the journey legs the hub holds that you may see, flows per route and crossing per
    period and the shifts between periods."""
    source = _source(file, lat, lon, hub)
    if source is None:
        if to_lat or to_lon:
            raise typer.BadParameter("--to-lat/--to-lon are for a FILE, not --hub")
        if period not in STEPS:
            raise typer.BadParameter(f"--period must be one of {', '.join(STEPS)}")
        _hub_routes(output, period, as_json, (home, user, as_agency, role, purpose, why))
        return
    if output is None:
        raise typer.BadParameter("-o/--output is required with a FILE")
    file, lat, lon = source
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
        err.print(f"[red]{shown(exc)}[/red]")
        raise typer.Exit(2) from exc
    table = table.append_column("route", pa.array([a.route for a in answers], pa.string()))
    table = table.append_column("route_reason", pa.array([a.reason for a in answers], pa.string()))
    pacsv.write_csv(table, output)
    counts: dict[str, int] = {}
    for answer in answers:
        counts[answer.route] = counts.get(answer.route, 0) + 1
    summary = ", ".join(f"{route} {n}" for route, n in sorted(counts.items(), key=lambda t: -t[1]))
    err.print(f"{len(answers)} rows classified ({summary}); written to {output}")


HubArgs = tuple[Path | None, str | None, str | None, str | None, str, str | None]


def _hub_hotspots(
    output: Path | None,
    step: str,
    resolution: int,
    rings: int,
    alpha: float,
    all_cells: bool,
    top: int,
    as_json: bool,
    args: HubArgs,
) -> None:
    """`mare hotspots --hub`: hotspots of the visible events, named; a table, JSON and/or a file."""
    from mare.analyse.geo.export import write_csv, write_geojson
    from mare.hub.places import hub_hotspots

    home, user, as_agency, role, purpose, why = args
    with hub_context(
        home, user, as_agency, role, purpose=purpose, why=why, what="mare hotspots --hub"
    ) as ctx:
        found = hub_hotspots(ctx, resolution, rings, alpha, step, all_cells)
    rows: list[dict[str, object]] = found["rows"]
    if output is not None:
        (write_csv if output.suffix.lower() == ".csv" else write_geojson)(rows, output)
    if as_json:
        print_json(found)
    else:
        _places_table(found["places"][:top], len(found["places"]))
        own = [row for row in rows if int(str(row["count"])) > 0]
        _hotspot_table(own[:top])
        if len(own) < len(rows):
            err.print(
                f"{len(rows) - len(own)} more cells are significant only through their neighbours "
                "(see --json, -o)"
            )
    withheld = sum(found["withheld"].values())
    err.print(
        f"{found['events']} events located ({found['without_location']} without a place, "
        f"{withheld} withheld) "
        f"in {found['cells_tested']} cells (H3 res {resolution}, {rings} ring): {found['hot']} hot, "
        f"{found['cold']} cold at FDR {alpha}" + (f"; {len(rows)} rows written to {output}" if output else "")
    )


def _places_table(places: list[dict[str, Any]], total: int) -> None:
    from rich.table import Table

    table = Table(
        "place",
        "events and departures",
        "of which",
        "first seen",
        "last seen",
        title=f"Places of repeated activity ({total}, most active first)",
    )
    for place in places:
        table.add_row(
            shown(place["name"] or f"{place['lat']}, {place['lon']}"),
            str(place["count"]),
            shown(", ".join(f"{k} {n}" for k, n in place["kinds"].items())),
            str(place["first_seen"] or ""),
            str(place["last_seen"] or ""),
        )
    SafeConsole().print(table)


def _hotspot_table(rows: list[dict[str, object]]) -> None:
    from rich.table import Table

    table = Table(
        "name",
        "named by",
        "spot",
        "z",
        "events",
        "around",
        "pattern",
        title="Clusters of cells (Getis-Ord Gi*, FDR), strongest first",
    )
    for row in rows:
        source = str(row["name_source"])
        table.add_row(
            shown(row["name"] or "-"),
            shown(
                "its events"
                if source.startswith("most frequent")
                else source.removeprefix("nearest geocoded ")
            ),
            str(row["hotspot"]),
            f"{row['z']:.1f}",
            str(row["count"]),
            str(row["neighbourhood_count"]),
            str(row.get("pattern", "")),
        )
    console.print(table)


def _hub_routes(output: Path | None, period: str, as_json: bool, args: HubArgs) -> None:
    """`mare routes --hub`: route flows of the visible legs per period with shifts; legs as CSV."""
    from mare.analyse.geo.atlas import AtlasMissing
    from mare.analyse.geo.export import write_csv
    from mare.hub.places import hub_routes

    home, user, as_agency, role, purpose, why = args
    with hub_context(home, user, as_agency, role, purpose=purpose, why=why, what="mare routes --hub") as ctx:
        try:
            found = hub_routes(ctx, period)
        except AtlasMissing as exc:
            err.print(f"[red]{shown(exc)}[/red]")
            raise typer.Exit(2) from exc
    if output is not None:
        write_csv(found["rows"], output)
    if as_json:
        print_json(found)
    else:
        _flow_table("route", found["routes"], found["route_shifts"])
        _flow_table("crossing", found["crossings"], found["crossing_shifts"])
    withheld = sum(found["withheld"].values())
    err.print(
        f"{found['legs']} legs located ({found['without_location']} without both ends, {withheld} withheld)"
        + (f"; {len(found['rows'])} legs written to {output}" if output else "")
    )


def _flow_table(name: str, periods: list[dict[str, object]], shifts: list[dict[str, object]]) -> None:
    from rich.table import Table

    change = {(str(s["to"]), str(s[name])): s for s in shifts}
    table = Table("period", name, "legs", "share", "change")
    for entry in periods:
        flows = entry["flows"]
        assert isinstance(flows, dict)
        for key, flow in flows.items():
            shift = change.get((str(entry["period"]), key))
            moved = (
                f"{shift['count_delta']:+d} legs, {float(str(shift['share_delta'])) * 100:+.0f} pts"
                if shift
                else ""
            )
            table.add_row(str(entry["period"]), shown(key), str(flow["count"]), f"{flow['share']:.0%}", moved)
        for shift in shifts:
            if shift["to"] == entry["period"] and shift[name] not in flows:
                table.add_row(
                    str(entry["period"]),
                    shown(shift[name]),
                    "0",
                    "0%",
                    f"{shift['count_delta']:+d} legs, {float(str(shift['share_delta'])) * 100:+.0f} pts",
                )
    console.print(table)
