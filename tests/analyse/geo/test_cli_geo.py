"""`mare hotspots` and `mare routes` as file-level commands (registered here on a bare Typer app)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import typer
from typer.testing import CliRunner

from analyse.geo.geo_helpers import needs_atlas
from mare.cli.geo import hotspots_command, routes_command

app = typer.Typer()
app.command("hotspots")(hotspots_command)
app.command("routes")(routes_command)
runner = CliRunner()


def _points(path: Path) -> Path:
    rng = np.random.default_rng(5)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "y", "x", "when", "kind", "network", "dead"])
        for i in range(400):
            writer.writerow(
                [
                    i,
                    35.5 + rng.normal(0, 0.02),
                    12.6 + rng.normal(0, 0.02),
                    f"202{i % 4}-05-01",
                    "landing",
                    "NET-A",
                    1,
                ]
            )
        for i in range(400, 1400):
            writer.writerow(
                [i, rng.uniform(33, 38), rng.uniform(10, 16), f"202{i % 4}-05-01", "sighting", "", 0]
            )
        writer.writerow(
            [9999, "", "n/a", "", "", "", ""]
        )  # a bad row is kept out of the statistics, not fatal
    return path


def test_hotspots_to_csv_with_kinds_networks_and_trend(tmp_path: Path) -> None:
    source, out = _points(tmp_path / "events.csv"), tmp_path / "hot.csv"
    result = runner.invoke(
        app,
        [
            "hotspots",
            str(source),
            "--lat",
            "y",
            "--lon",
            "x",
            "--time",
            "when",
            "--kind",
            "kind",
            "--network",
            "network",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    top = rows[0]
    assert top["hotspot"] == "hot" and float(top["q"]) < 0.001 and float(top["z"]) > 5
    assert top["kinds"].startswith("landing:") and "NET-A" in top["networks"]
    assert top["pattern"] and "hot spot" in top["reason"]
    assert abs(float(top["lat"]) - 35.5) < 0.1


def test_hotspots_to_geojson(tmp_path: Path) -> None:
    source, out = _points(tmp_path / "events.csv"), tmp_path / "hot.geojson"
    result = runner.invoke(
        app, ["hotspots", str(source), "--lat", "y", "--lon", "x", "--resolution", "5", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    feature = data["features"][0]
    assert feature["geometry"]["type"] == "Polygon" and len(feature["geometry"]["coordinates"][0]) == 7
    assert {"z", "p", "q", "count"} <= set(feature["properties"])


def test_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    source = _points(tmp_path / "events.csv")
    result = runner.invoke(
        app, ["hotspots", str(source), "--lat", "latitude", "--lon", "x", "-o", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 2 and "latitude" in result.output


@needs_atlas
def test_routes_adds_route_and_reason(tmp_path: Path) -> None:
    source, out = tmp_path / "legs.csv", tmp_path / "routes.csv"
    source.write_text(
        "ref,lat,lon,to_lat,to_lon\nA,32.93,12.08,35.50,12.60\nB,39.32,26.69,39.11,26.55\nC,,,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["routes", str(source), "--lat", "lat", "--lon", "lon", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["route"] for r in rows] == ["Central Mediterranean", "Eastern Mediterranean", "other/unknown"]
    assert rows[0]["ref"] == "A" and rows[0]["route_reason"]
    legs = runner.invoke(
        app,
        [
            "routes",
            str(source),
            "--lat",
            "lat",
            "--lon",
            "lon",
            "--to-lat",
            "to_lat",
            "--to-lon",
            "to_lon",
            "-o",
            str(out),
        ],
    )
    assert legs.exit_code == 0, legs.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["route"] == "Central Mediterranean" and "Libya -> Italy" in rows[0]["route_reason"]
    half = runner.invoke(
        app, ["routes", str(source), "--lat", "lat", "--lon", "lon", "--to-lat", "to_lat", "-o", str(out)]
    )
    assert half.exit_code == 2
