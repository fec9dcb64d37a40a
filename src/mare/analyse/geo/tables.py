"""Read the curated CSV tables shipped in mare/analyse/geo/data (package data, with sources)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of data/<name>.csv as dicts (cached; the tables are small and read-only)."""
    text = resources.files("mare.analyse.geo").joinpath("data", f"{name}.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if line and not line.startswith("#"))
    return tuple({key: (value or "").strip() for key, value in row.items()} for row in rows)
