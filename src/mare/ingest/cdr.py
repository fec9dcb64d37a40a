"""Bulk loading of call detail records (CSV) in streamed Arrow batches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from mare.schema.types.phones import e164_for_bulk, normalise_phone, phone_to_int
from mare.schema.types.result import NormaliseContext
from mare.store.db import Store
from mare.store.settle import settled

#: Accepted header names for each column (lower-case).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "caller": ("caller", "a_number", "calling", "from", "msisdn_a", "anumber"),
    "callee": ("callee", "b_number", "called", "to", "msisdn_b", "bnumber"),
    "start": ("start", "started_at", "start_time", "timestamp", "datetime", "date_time"),
    "duration": ("duration", "duration_s", "seconds", "dur"),
    "cell": ("cell", "cell_id", "cgi"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "longitude"),
}
REQUIRED = ("caller", "callee", "start")
DAY_FIRST = (
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M",
)
MONTH_FIRST = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")
OTHER = ("%Y/%m/%d %H:%M:%S", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M")
BLOCK_SIZE = 16 << 20
MAX_PROBLEM_ROWS = 100_000


class CdrHeaderError(ValueError):
    """The CSV header lacks a required column."""


def resolve_columns(header: list[str]) -> dict[str, str]:
    """Map our column names to the file's header names."""
    lowered = {h.strip().lower().lstrip("\ufeff"): h for h in header}
    found: dict[str, str] = {}
    for ours, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in lowered:
                found[ours] = lowered[alias]
                break
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise CdrHeaderError(
            f"call records need columns {', '.join(REQUIRED)}; missing {', '.join(missing)} "
            f"(header is: {', '.join(header)})"
        )
    return found


def sniff_encoding(path: Path, declared: str | None = None) -> str:
    """The encoding to read a CSV with: the declared one, else from its BOM, else UTF-8."""
    if declared:
        return declared
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"


def read_header(path: Path, encoding: str) -> list[str]:
    """The header row of a CSV file (BOM removed)."""
    import csv

    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        return [h.lstrip("\ufeff") for h in next(csv.reader(fh), [])]


@dataclass(slots=True)
class CdrLoad:
    """Counts and problems from loading one call-records file."""

    loaded: int = 0
    rejected: int = 0
    problem_rows: list[tuple[int, str, str]] = field(default_factory=list)  # line, field, reason


def _parse_times(values: pa.ChunkedArray | pa.Array, formats: tuple[str, ...]) -> pa.Array:
    text = pc.utf8_trim_whitespace(values)
    iso = pc.replace_substring_regex(text, pattern=r"(Z|[+-]00:?00)$", replacement="")
    result = pc.cast(
        pc.strptime(iso, format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True),
        pa.timestamp("s"),
    )
    for fmt in ("%Y-%m-%d %H:%M:%S", *formats):
        if result.null_count == 0:
            break
        attempt = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        result = pc.coalesce(result, attempt)
    if result.null_count:
        digits = pc.match_substring_regex(text, pattern=r"^\d{9,10}$")
        epoch = pc.if_else(digits, text, None)
        as_int = pc.cast(epoch, pa.int64(), safe=False)
        result = pc.coalesce(result, pc.cast(as_int, pa.timestamp("s")))
    return result


class PhoneCache:
    """Raw number text -> E.164 as BIGINT (or a reason), cached across batches."""

    def __init__(self, ctx: NormaliseContext) -> None:
        self.ctx = ctx
        self.known: dict[str, int | None] = {}
        self.reasons: dict[str, str] = {}

    def map(self, values: pa.Array) -> pa.Array:
        """Vectorised lookup: unique values normalised once, then taken."""
        uniques = pc.unique(values)
        ints: list[int | None] = []
        for raw in uniques.to_pylist():
            if raw is None:
                ints.append(None)
                continue
            if raw not in self.known:
                e164 = e164_for_bulk(raw, self.ctx.default_region)
                self.known[raw] = phone_to_int(e164) if e164 else None
                if e164 is None:
                    self.reasons[raw] = normalise_phone(raw, self.ctx).reason or "not a phone number"
            ints.append(self.known[raw])
        index = pc.index_in(values, value_set=uniques)
        return pc.take(pa.array(ints, pa.int64()), index)


def load_cdr(
    store: Store,
    uid: str,
    path: Path,
    ctx: NormaliseContext,
    time_formats: tuple[str, ...] | None = None,
    encoding: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> CdrLoad:
    """Stream a CDR CSV into the calls table (inside the caller's transaction)."""
    formats = time_formats or (MONTH_FIRST + OTHER if ctx.default_region == "US" else DAY_FIRST + OTHER)
    enc = sniff_encoding(path, encoding)
    header = read_header(path, enc)
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
    columns = resolve_columns(reader.schema.names)
    phones = PhoneCache(ctx)
    result = CdrLoad()
    line = 2
    for batch in reader:
        n = batch.num_rows

        def col(name: str, batch: pa.RecordBatch = batch) -> pa.Array:
            return pc.cast(batch.column(columns[name]), pa.string())

        caller = phones.map(col("caller"))
        callee = phones.map(col("callee"))
        started = _parse_times(col("start"), formats)
        ok = pc.and_(pc.and_(pc.is_valid(caller), pc.is_valid(callee)), pc.is_valid(started))
        lines = pa.array(range(line, line + n), pa.int64())
        table = {
            "contribution": pa.array([uid] * n, pa.string()),
            "row_number": lines,
            "caller": caller,
            "callee": callee,
            "started_at": started,
        }
        if "duration" in columns:
            table["duration_s"] = pc.cast(
                pc.cast(
                    pc.if_else(
                        pc.match_substring_regex(col("duration"), pattern=r"^\s*\d+(\.\d+)?\s*$"),
                        col("duration"),
                        None,
                    ),
                    pa.float64(),
                ),
                pa.int32(),
                safe=False,
            )
        for name in ("cell", "lat", "lon"):
            if name in columns:
                values = col(name)
                if name != "cell":
                    numeric = pc.match_substring_regex(values, pattern=r"^\s*-?\d+(\.\d+)?\s*$")
                    table[name] = pc.cast(pc.if_else(numeric, values, None), pa.float64())
                else:
                    table[name] = pc.if_else(pc.equal(values, ""), None, values)
        arrow = pa.table(table).filter(ok)
        settled(store.con).register("_cdr_batch", arrow)
        try:
            cols = ", ".join(arrow.column_names)
            store.con.execute(f"INSERT INTO calls ({cols}) SELECT {cols} FROM _cdr_batch")
        finally:
            store.con.unregister("_cdr_batch")
        result.loaded += arrow.num_rows
        bad = n - arrow.num_rows
        if bad:
            result.rejected += bad
            _collect_problems(result, batch, columns, caller, callee, started, line, phones)
        line += n
        if on_progress:
            on_progress(n)
    return result


def _collect_problems(
    result: CdrLoad,
    batch: pa.RecordBatch,
    columns: dict[str, str],
    caller: pa.Array,
    callee: pa.Array,
    started: pa.Array,
    first_line: int,
    phones: PhoneCache,
) -> None:
    raw = {name: batch.column(columns[name]).to_pylist() for name in REQUIRED}
    for i, (a, b, t) in enumerate(
        zip(caller.to_pylist(), callee.to_pylist(), started.to_pylist(), strict=True)
    ):
        if len(result.problem_rows) >= MAX_PROBLEM_ROWS:
            return
        if a is None:
            text = raw["caller"][i]
            result.problem_rows.append(
                (first_line + i, "caller", f"{text!r}: {phones.reasons.get(text, 'empty')}")
            )
        elif b is None:
            text = raw["callee"][i]
            result.problem_rows.append(
                (first_line + i, "callee", f"{text!r}: {phones.reasons.get(text, 'empty')}")
            )
        elif t is None:
            result.problem_rows.append(
                (first_line + i, "start", f"{raw['start'][i]!r} is not a time in a known format")
            )
