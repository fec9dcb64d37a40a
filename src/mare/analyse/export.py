"""Writing tables for spreadsheets safely: CSV with formula injection neutralised."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet will not execute: text starting like a formula gets a leading '."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        stripped = text.lstrip("+-")
        if text[0] in "+-" and stripped.replace(".", "", 1).replace(" ", "").isdigit():
            return text  # plain signed numbers and phone numbers (+49...) stay as they are
        return "'" + text
    return text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], out: Path | IO[str]) -> int:
    """Write rows as CSV with every cell made safe; returns the number of rows written."""
    count = 0
    handle: IO[str] = out.open("w", newline="", encoding="utf-8") if isinstance(out, Path) else out
    try:
        writer = csv.writer(handle)
        writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            writer.writerow([safe_cell(c) for c in row])
            count += 1
    finally:
        if isinstance(out, Path):
            handle.close()
    return count
