"""Tables and files from geo results: flat rows, CSV and GeoJSON (H3 cells as polygons)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import h3
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from mare.analyse.export import write_csv as safe_csv
from mare.analyse.geo.emerging import EmergingHotspot
from mare.analyse.geo.hotspots import Hotspot

_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"


def read_table(path: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """A CSV file as an Arrow table of strings (every value kept as written)."""
    with path.open("rb") as handle:
        header = next(csv.reader([handle.readline().decode("utf-8-sig")]), [])
    if columns is not None:
        missing = [c for c in columns if c not in header]
        if missing:
            raise KeyError(f"{path}: no column {', '.join(missing)} (columns: {', '.join(header)})")
    types = {name: pa.string() for name in header}
    convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=False, include_columns=columns)
    return pacsv.read_csv(path, convert_options=convert)


def numbers(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Floats from a string column; NaN where a value is empty or not a number."""
    valid = pc.match_substring_regex(column, _NUMBER)
    return np.asarray(
        pc.cast(pc.if_else(valid, column, None), pa.float64()).to_numpy(zero_copy_only=False), float
    )


def _tally_text(tally: dict[str, int]) -> str:
    """`a:3; b:1` from a label tally."""
    return "; ".join(f"{label}:{count}" for label, count in tally.items())


def hotspot_rows(
    hotspots: Iterable[Hotspot], patterns: dict[str, EmergingHotspot] | None = None
) -> list[dict[str, Any]]:
    """One flat row per cell: statistic, counts, kinds, networks and (with times) its trend."""
    rows = []
    for spot in hotspots:
        row: dict[str, Any] = {
            "cell": spot.cell,
            "lat": round(spot.lat, 5),
            "lon": round(spot.lon, 5),
            "hotspot": "hot" if spot.gi_bin > 0 else "cold" if spot.gi_bin < 0 else "none",
            "gi_bin": spot.gi_bin,
            "z": round(spot.z, 4),
            "p": float(f"{spot.p:.4g}"),
            "q": float(f"{spot.q:.4g}"),
            "count": spot.count,
            "neighbourhood_count": spot.neighbourhood_count,
            "area": spot.area,
            "kinds": _tally_text(spot.kinds),
            "networks": _tally_text(spot.networks),
            "reason": spot.reason(),
        }
        if patterns is not None:
            trend = patterns.get(spot.cell)
            row["pattern"] = trend.pattern if trend else "no pattern detected"
            row["pattern_reason"] = trend.reason() if trend else ""
        rows.append(row)
    return rows


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """Rows as a CSV file (columns from the first row), formula-safe like every CSV Mare writes."""
    if not rows:
        path.write_text("", encoding="utf-8")
        return
    header = list(rows[0])
    safe_csv(header, ([row[k] for k in header] for row in rows), path)


def write_geojson(rows: list[dict[str, Any]], path: Path) -> None:
    """Rows with a `cell` column as a GeoJSON FeatureCollection of H3 hexagons (lon, lat order)."""
    features = []
    for row in rows:
        boundary = [[lon, lat] for lat, lon in h3.cell_to_boundary(row["cell"])]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[*boundary, boundary[0]]]},
                "properties": row,
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
