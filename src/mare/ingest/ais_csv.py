"""AIS position CSVs (MarineCadastre columns, or plain mmsi,time,lat,lon,sog,cog) to typed Arrow batches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from mare.ingest.cdr import OTHER, _parse_times, _strptime, match_columns, read_header, sniff_encoding

#: Accepted header names for each column (lower-case), MarineCadastre's first.
AIS_COLUMNS: dict[str, tuple[str, ...]] = {
    "mmsi": ("mmsi",),
    "t": ("basedatetime", "time", "timestamp", "datetime", "date_time", "t"),
    "lat": ("lat", "latitude", "latitude_degrees", "y"),
    "lon": ("lon", "lng", "longitude", "longitude_degrees", "x"),
    "sog": ("sog", "speed", "sog_knots", "speed_knots"),
    "cog": ("cog", "course", "cog_degrees"),
    "heading": ("heading", "true_heading"),
    "name": ("vesselname", "name", "shipname", "vessel_name"),
    "imo": ("imo",),
    "call_sign": ("callsign", "call_sign"),
    "ship_type": ("vesseltype", "ship_type", "shiptype", "vessel_type"),
    "length_m": ("length",),
    "width_m": ("width", "beam"),
    "draught_m": ("draft", "draught"),
}
REQUIRED = ("mmsi", "t", "lat", "lon")
STATIC = ("imo", "name", "call_sign", "ship_type", "length_m", "width_m", "draught_m")
BLOCK_SIZE = 16 << 20
_NUMBER = r"^\s*-?\d+(\.\d+)?\s*$"


class AisHeaderError(ValueError):
    """The CSV header lacks a required AIS column."""


def ais_columns(header: list[str]) -> dict[str, str]:
    """Map our column names to the file's (missing optional ones are left out)."""
    found = match_columns(header, AIS_COLUMNS)
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise AisHeaderError(
            f"AIS positions need columns mmsi, time, lat, lon; missing {', '.join(missing)} "
            f"(header is: {', '.join(header)})"
        )
    return found


def looks_like_ais_csv(path: Path) -> bool:
    """True when a CSV's header names an MMSI, a latitude and a longitude."""
    try:
        ais_columns(read_header(path, sniff_encoding(path)))
    except (AisHeaderError, OSError, UnicodeError, StopIteration):
        return False
    return True


@dataclass(slots=True)
class CsvBatch:
    """One block of a CSV: its first line number, the raw text columns and the typed columns."""

    first_line: int
    raw: dict[str, pa.Array]
    typed: dict[str, pa.Array]


def _times(values: pa.Array) -> pa.Array:
    """Times in one pass when they all share the first value's ISO shape; else every known format."""
    first = (values[0].as_py() or "") if len(values) else ""
    if len(first) == 19 and first[4] == "-" and first[10] in "T ":
        fast = _strptime(values, f"%Y-%m-%d{first[10]}%H:%M:%S")  # an impossible date: null, not rolled over
        if fast.null_count == 0:
            return pc.cast(fast, pa.timestamp("us"))
    text = pc.utf8_trim_whitespace(values)
    if pc.any(pc.match_substring(text, ".")).as_py():  # fractions of a second: dropped
        text = pc.replace_substring_regex(text, pattern=r"(\d\d:\d\d:\d\d)\.\d+", replacement=r"\1")
    return pc.cast(_parse_times(text, OTHER), pa.timestamp("us"))


def _number(values: pa.Array, kind: pa.DataType) -> pa.Array:
    try:  # the usual case: every value a number (one C pass)
        return pc.cast(pc.cast(values, pa.float64()), kind, safe=False)
    except pa.ArrowInvalid:  # some are not (empty, text, spaces): those become nulls, checked later
        values = pc.utf8_trim_whitespace(values)
        ok = pc.match_substring_regex(values, pattern=_NUMBER)
        return pc.cast(pc.cast(pc.if_else(ok, values, None), pa.float64()), kind, safe=False)


def _mmsi(values: pa.Array) -> pa.Array:
    try:
        number = pc.cast(values, pa.int64())
    except pa.ArrowInvalid:
        values = pc.utf8_trim_whitespace(values)
        number = pc.cast(
            pc.if_else(pc.match_substring_regex(values, pattern=r"^\d{1,9}$"), values, None), pa.int64()
        )
    in_range = pc.and_(pc.greater(number, 0), pc.less_equal(number, 999_999_999))
    return pc.cast(pc.if_else(in_range, number, None), pa.int32())


def read_csv_batches(path: Path, encoding: str | None = None) -> Iterator[CsvBatch]:
    """Stream the CSV in blocks, each column typed (unparseable values become nulls, checked later)."""
    enc = sniff_encoding(path, encoding)
    header = read_header(path, enc)
    columns = ais_columns(header)
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            block_size=BLOCK_SIZE,
            column_names=header,
            skip_rows=1,
            encoding="utf-8" if enc == "utf-8-sig" else enc,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=False),
    )
    line = 2
    for batch in reader:
        raw = {ours: batch.column(theirs) for ours, theirs in columns.items()}
        typed: dict[str, pa.Array] = {}
        typed["mmsi"] = _mmsi(raw["mmsi"])
        typed["t"] = _times(raw["t"])
        typed["lat"] = _number(raw["lat"], pa.float64())
        typed["lon"] = _number(raw["lon"], pa.float64())
        for name, kind in (("sog", pa.float32()), ("cog", pa.float32()), ("heading", pa.float32())):
            if name in raw:
                typed[name] = _number(raw[name], kind)
        for name in ("length_m", "width_m", "draught_m"):
            if name in raw:
                typed[name] = _number(raw[name], pa.float32())
        if "ship_type" in raw:
            typed["ship_type"] = pc.cast(_number(raw["ship_type"], pa.float64()), pa.int16(), safe=False)
        for name in ("name", "call_sign"):
            if name in raw:
                text = pc.utf8_trim_whitespace(raw[name])
                typed[name] = pc.if_else(pc.equal(text, ""), None, text)
        if "imo" in raw:
            digits = pc.replace_substring_regex(
                pc.utf8_trim_whitespace(raw["imo"]), pattern=r"^(?i:IMO)\s*", replacement=""
            )
            typed["imo"] = pc.if_else(
                pc.match_substring_regex(digits, pattern=r"^[1-9]\d{0,6}$"), digits, None
            )
        yield CsvBatch(line, raw, typed)
        line += batch.num_rows
