"""Bulk loading of call detail records (CSV) in streamed Arrow batches."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from mare.ingest.arrays import bool_array, bools, nulls_where
from mare.ingest.bulk_phones import FALLBACK, digit_keys, e164_int_for_key
from mare.ingest.csv_text import csv_rows, header_problems
from mare.ingest.problems import Problem
from mare.schema.limits import MAX_CALL_ROW_CHARS
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
ISO_Z = "%Y-%m-%dT%H:%M:%SZ"
ISO_PLAIN = "%Y-%m-%dT%H:%M:%S"
ISO_SPACE = "%Y-%m-%d %H:%M:%S"
ISO_SUFFIX = r"(Z|[+-]00:?00)$"
BLOCK_SIZE = 16 << 20
_T = TypeVar("_T")
MAX_PROBLEM_ROWS = 100_000


class CdrHeaderError(ValueError):
    """The CSV header lacks a required column (or is too wide, or repeats a column)."""

    def __init__(self, message: str, fix: str = "rename the columns or see docs/formats") -> None:
        super().__init__(message)
        self.fix = fix


def match_columns(header: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Map our column names to the file's header names, by the first alias present (case-blind)."""
    lowered = {h.strip().lower().lstrip("\ufeff"): h for h in header}
    found: dict[str, str] = {}
    for ours, names in aliases.items():
        alias = next((a for a in names if a in lowered), None)
        if alias is not None:
            found[ours] = lowered[alias]
    return found


def resolve_columns(header: list[str]) -> dict[str, str]:
    """Map our column names to the file's header names."""
    found = match_columns(header, COLUMN_ALIASES)
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise CdrHeaderError(
            f"call records need columns {', '.join(REQUIRED)}; missing {', '.join(missing)} "
            f"(header is: {_shortened(', '.join(header))})"
        )
    return found


def _shortened(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


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
    """The header row of a CSV file (BOM removed; only its first line, at most MAX_CALL_ROW_CHARS long)."""
    import csv

    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        first = fh.readline(MAX_CALL_ROW_CHARS)
    try:
        return [h.lstrip("\ufeff") for h in next(csv.reader([first]), [])]
    except csv.Error:
        return [first[:200]]


@dataclass(slots=True)
class CdrLoad:
    """Counts and problems from loading one call-records file."""

    loaded: int = 0
    rejected: int = 0
    #: line, field, reason, fix
    problem_rows: list[tuple[int, str | None, str, str]] = field(default_factory=list)


def _parse_times(values: pa.ChunkedArray | pa.Array, formats: tuple[str, ...]) -> pa.Array:
    """Start times: ISO 8601 (a trailing Z or +00:00 allowed), then each format in turn, then epoch seconds.

    Each later format is tried only on the values no earlier one read (the first that reads a
    value wins, as before); the common ISO form with a Z is read without a regex first. A date
    or time that does not exist (31/02, 23:59:60) is read by no format, never rolled over.
    """
    text = pc.utf8_trim_whitespace(values)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    result = _strptime(text, ISO_Z)
    result = _fill(result, text, _iso_times)
    for fmt in (ISO_SPACE, *formats):
        result = _fill(result, text, partial(_strptime, fmt=fmt))
    return pc.cast(_fill(result, text, _epoch_times), pa.timestamp("s"))


def _iso_times(text: pa.Array) -> pa.Array:
    iso = pc.replace_substring_regex(text, pattern=ISO_SUFFIX, replacement="")
    return _strptime(iso, ISO_PLAIN)


#: Fields strptime rolls over, and the most they read as after it: 31 February is 3 March,
#: 23:59:61 is a minute and one second later.
_ROLLED = (("d", pc.day, 3), ("S", pc.second, 1))


def _strptime(text: pa.Array, fmt: str) -> pa.Array:
    """Arrow's strptime, with null where it rolled a date or time that does not exist over.

    Arrow reads 31/02/2026 as 3 March and 23:59:60 as the next minute. A rolled-over value
    lands on day 1-3 or second 0-1, so only those are checked (a regex over their text): the
    day and second written must be the ones read.
    """
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    checks = [(name, read, most) for name, read, most in _ROLLED if f"%{name}" in fmt]
    if not checks or len(parsed) == parsed.null_count:
        return parsed
    read_all = [_numpy(read(parsed)) for _, read, _ in checks]
    near = functools.reduce(
        np.logical_or,
        [valid & (values <= most) for (_, _, most), (values, valid) in zip(checks, read_all, strict=True)],
    )
    where = np.flatnonzero(near)
    if len(where) == 0:
        return parsed
    suspects = pc.take(text, _int64(where))
    pattern = _format_regex(fmt)
    if pattern is None:  # a format with names or zones: Python checks the few suspects
        rolled = np.array([impossible_in(v, fmt) is not None for v in suspects.to_pylist()], bool)
    else:
        written = pc.extract_regex(suspects, pattern=pattern)
        rolled = np.zeros(len(where), bool)
        for (name, _, _), (values, _) in zip(checks, read_all, strict=True):
            as_written, matched = _numpy(pc.cast(pc.struct_field(written, name), pa.int64()))
            rolled |= matched & (as_written != values[where])
    if not rolled.any():
        return parsed
    drop = np.zeros(len(parsed), bool)
    drop[where[rolled]] = True
    return nulls_where(bool_array(drop), parsed)


#: Each numeric strptime field as Arrow's strptime (glibc's) reads it: after any spaces, a
#: second digit only while the value so far times ten is within the field's maximum.
_FIELDS = {
    "d": r"\s*(?P<d>[0-3]\d|\d)",
    "S": r"\s*(?P<S>[0-6]\d|\d)",
    "Y": r"\s*\d{1,4}",
    "m": r"\s*(?:[01]\d|\d)",
    "I": r"\s*(?:[01]\d|\d)",
    "H": r"\s*(?:[0-2]\d|\d)",
    "M": r"\s*(?:[0-5]\d|\d)",
    "y": r"\s*\d{1,2}",
    "%": "%",
}


@functools.cache
def _format_regex(fmt: str) -> str | None:
    """A regex for text in a numeric strptime format (day and second as groups `d`, `S`), else None.

    Each field is tried longest first, as strptime reads it, so on any text strptime read the
    regex's first match splits it the same way (checked against Arrow in the tests).
    """
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%":
            field = _FIELDS.get(fmt[i + 1 : i + 2])
            if field is None:
                return None
            out.append(field)
            i += 2
        else:
            out.append(r"\s*" if fmt[i].isspace() else re.escape(fmt[i]))
            i += 1
    return "^" + "".join(out) + "$"


def impossible_in(text: str, fmt: str) -> str | None:
    """Python's reason why `text` in `fmt` is a date or time that does not exist (else None)."""
    try:
        datetime.strptime(text, fmt)
    except ValueError as err:
        if "out of range" in str(err) or "must be in" in str(err):
            return str(err)
    return None


def impossible_time(text: str, formats: tuple[str, ...]) -> str | None:
    """Why a start time no format read is a date or time that does not exist (None: unreadable)."""
    text = text.strip()
    iso = re.sub(ISO_SUFFIX, "", text)
    for fmt, value in ((ISO_PLAIN, iso), *((f, text) for f in (ISO_SPACE, *formats))):
        why = impossible_in(value, fmt)
        if why is not None:
            return f"{text!r} is a date or time that does not exist ({why}, read as {fmt})"
    return None


def _epoch_times(text: pa.Array) -> pa.Array:
    digits = pc.match_substring_regex(text, pattern=r"^\d{9,10}$")
    as_int = pc.cast(nulls_where(pc.invert(digits), text), pa.int64(), safe=False)
    return pc.cast(as_int, pa.timestamp("s"))


def _fill(result: pa.Array, text: pa.Array, parse: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """`result` with its nulls (where `text` is not null) filled by `parse` of those values only."""
    missing = pc.and_(pc.is_null(result), pc.is_valid(text))
    count = pc.sum(missing).as_py() or 0
    if count == 0:
        return result
    if count == len(text):
        return pc.coalesce(result, pc.cast(parse(text), result.type))
    where = pc.indices_nonzero(missing)
    found = pc.cast(parse(pc.take(text, where)), result.type)
    filled = pc.is_valid(found)
    if not pc.any(filled).as_py():
        return result
    at = _numpy(pc.filter(where, filled))[0]
    values, valid = _numpy(result)
    values[at] = _numpy(pc.filter(found, filled))[0]
    valid[at] = True
    return _int64(values, valid).cast(result.type)


def _int64(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """An int64 column from numpy, built from its buffers (`pa.array` would import pandas)."""
    data = np.ascontiguousarray(values, dtype=np.int64)
    bits = None if valid is None or valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.int64(), len(data), [bits, pa.py_buffer(data)])


def _numpy(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Writable numpy copies of an integer-like column's values (anything under a null) and validity.

    Read from the buffers: `to_numpy` may import pandas (~0.25 s of CPU once per process).
    """
    ints = array.cast(pa.int64())
    data = ints.buffers()[1]
    values = (
        np.frombuffer(data, np.int64, len(ints), ints.offset * 8).copy()
        if data is not None
        else np.zeros(len(ints), np.int64)
    )
    return values, bools(ints.is_valid())


class PhoneCache:
    """Raw number text -> E.164 as BIGINT (or a reason), cached across batches.

    The common written forms are reduced to digit keys column-wise and read by `bulk_phones`;
    the rest go through `e164_for_bulk`, one distinct text at a time.
    """

    def __init__(self, ctx: NormaliseContext) -> None:
        self.ctx = ctx
        self._seen: pa.Array = pa.nulls(0, pa.string())  # distinct texts met so far...
        self._seen_ints: pa.Array = pa.nulls(0, pa.int64())  # ...and their E.164 integers
        self.reasons: dict[str, str] = {}

    def map(self, values: pa.Array) -> pa.Array:
        """Vectorised lookup: each distinct value normalised once, then taken."""
        return self.map_many([values])[0]

    def map_many(self, columns: list[pa.Array]) -> list[pa.Array]:
        """As `map`, for several columns sharing one dictionary of distinct values."""
        joined = pa.concat_arrays([pc.cast(c, pa.string()) for c in columns])
        encoded = pc.dictionary_encode(joined)
        mapped = pc.take(self._ints(encoded.dictionary), encoded.indices)
        out, start = [], 0
        for c in columns:
            out.append(mapped.slice(start, len(c)))
            start += len(c)
        return out

    def _ints(self, uniques: pa.Array) -> pa.Array:
        """The E.164 integers of these distinct texts; only texts not seen before are read.

        The texts seen so far are hashed once per batch (one `index_in`); new ones are appended
        and their places worked out from their order, not looked up again.
        """
        base = len(self._seen)
        if base:
            at = pc.index_in(uniques, value_set=self._seen)
            new = bools(at.is_null())
        else:
            at, new = None, np.ones(len(uniques), bool)
        if at is not None and not new.any():
            return pc.take(self._seen_ints, at)
        fresh = uniques if at is None else pc.filter(uniques, at.is_null())
        self._seen = pa.concat_arrays([self._seen, fresh])
        self._seen_ints = pa.concat_arrays([self._seen_ints, self._read(fresh)])
        places = np.empty(len(uniques), np.int64)
        if at is not None:
            places[~new] = _numpy(at)[0][~new]
        places[new] = base + np.arange(int(new.sum()), dtype=np.int64)
        return pc.take(self._seen_ints, _int64(places))

    def _read(self, fresh: pa.Array) -> pa.Array:
        """Distinct texts to integers: by their digit keys (each key once), the rest one by one."""
        keys = digit_keys(fresh)
        distinct = pc.unique(keys).drop_null()
        region = self.ctx.default_region
        decided = [e164_int_for_key(k, region) for k in distinct.to_pylist()]
        by_key = _int64(np.array([v or 0 for v in decided]), np.array([v is not None for v in decided]))
        out, valid = _numpy(pc.take(by_key, pc.index_in(keys, value_set=distinct)))
        no_key = bools(keys.is_null())  # not a common form
        spots = np.flatnonzero(no_key | (valid & (out == FALLBACK)))
        if len(spots):
            for i, raw in zip(spots, pc.take(fresh, _int64(spots)).to_pylist(), strict=True):
                value = self._parse(raw)
                out[i], valid[i] = value or 0, value is not None
        return _int64(out, valid)

    def _parse(self, raw: str) -> int | None:
        e164 = e164_for_bulk(raw, self.ctx.default_region)
        return phone_to_int(e164) if e164 else None

    def reason(self, raw: str | None) -> str:
        """Why this text is not a phone number (worked out when first asked)."""
        if raw is None:
            return "empty"
        if raw not in self.reasons:
            self.reasons[raw] = normalise_phone(raw, self.ctx).reason or "not a phone number"
        return self.reasons[raw]


def _number(values: pa.Array, pattern: str) -> pa.Array:
    """The values that are numbers (spaces and tabs around them trimmed), others null."""
    trimmed = pc.utf8_trim_whitespace(values)
    return nulls_where(pc.invert(pc.match_substring_regex(trimmed, pattern=pattern)), trimmed)


class _Unsafe(Exception):
    """The fast reader cannot name every row of this file: read it the careful way instead."""


@dataclass(slots=True)
class _Sink:
    """Normalises batches of call records and inserts the good rows (inside the caller's transaction)."""

    store: Store
    uid: str
    columns: dict[str, str]
    formats: tuple[str, ...]
    phones: PhoneCache
    on_progress: Callable[[int], None] | None
    result: CdrLoad = field(default_factory=CdrLoad)

    pool: ThreadPoolExecutor | None = None
    inserting: Future[None] | None = None

    def add(self, batch: pa.RecordBatch, lines: pa.Array) -> None:
        """Normalise one batch (its rows began on `lines`) and insert the rows that are good.

        With a pool, the times are read on a second thread while the numbers are mapped on
        this one, and the insert runs there too while the next batch is read (one at a time,
        in order, on the caller's connection and transaction).
        """
        n = batch.num_rows
        columns = self.columns

        def col(name: str) -> pa.Array:
            return pc.cast(batch.column(columns[name]), pa.string())

        times = self._run(_parse_times, col("start"), self.formats)
        caller, callee = self.phones.map_many([col("caller"), col("callee")])
        table = {"row_number": lines, "caller": caller, "callee": callee}
        if "duration" in columns:
            seconds = pc.cast(_number(col("duration"), r"^\d+(\.\d+)?$"), pa.float64())
            table["duration_s"] = pc.cast(seconds, pa.int32(), safe=False)
        ok = pc.and_(pc.is_valid(caller), pc.is_valid(callee))
        for name in ("cell", "lat", "lon"):
            if name in columns:
                values = col(name)
                if name != "cell":
                    table[name] = pc.cast(_number(values, r"^-?\d+(\.\d+)?$"), pa.float64())
                else:
                    table[name] = nulls_where(pc.match_substring_regex(values, pattern="^$"), values)
                    ok = pc.and_(ok, pc.invert(pc.match_substring(values, "\x00")))  # a NUL rejects its row
        started = times.result()
        table["started_at"] = started
        ok = pc.and_(ok, pc.is_valid(started))
        arrow = pa.table(table).filter(ok)
        self.finish()
        self.inserting = self._run(self._insert, arrow)
        self.result.loaded += arrow.num_rows
        bad = n - arrow.num_rows
        if bad:
            self.result.rejected += bad
            _collect_problems(
                self.result, batch, columns, caller, callee, started, lines, self.phones, ok, self.formats
            )
        if self.on_progress:
            self.on_progress(n)

    def finish(self) -> None:
        """Wait for the insert under way (its error, if any, is raised here)."""
        if self.inserting is not None:
            inserting, self.inserting = self.inserting, None
            inserting.result()

    def _run(self, fn: Callable[..., _T], *args: Any) -> Future[_T]:
        if self.pool is not None:
            return self.pool.submit(fn, *args)
        done: Future[_T] = Future()
        done.set_result(fn(*args))
        return done

    def _insert(self, arrow: pa.Table) -> None:
        con = self.store.con
        settled(con).register("_cdr_batch", arrow)
        try:
            cols = ", ".join(arrow.column_names)
            select = f"SELECT CAST(? AS VARCHAR), {cols} FROM _cdr_batch"
            con.execute(f"INSERT INTO calls (contribution, {cols}) {select}", [self.uid])
        finally:
            con.unregister("_cdr_batch")


def load_cdr(
    store: Store,
    uid: str,
    path: Path,
    ctx: NormaliseContext,
    time_formats: tuple[str, ...] | None = None,
    encoding: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> CdrLoad:
    """Stream a CDR CSV into the calls table (inside the caller's transaction).

    Arrow reads it in large blocks, one line per row. A file Arrow cannot read that way (a row
    with too many or too few cells, a quote over several lines, a blank line, bytes that are
    not text) is read again line by line, so that each bad row is rejected and named on its own.
    A contribution holds at most one call-records file, so starting again clears its calls.
    """
    formats = time_formats or (MONTH_FIRST + OTHER if ctx.default_region == "US" else DAY_FIRST + OTHER)
    enc = sniff_encoding(path, encoding)
    header = read_header(path, enc)
    if any("\ufffd" in h or "\x00" in h for h in header):
        raise CdrHeaderError(
            f"the first line is not {enc} text: this does not look like a call-records CSV file",
            "send call records as a CSV file in UTF-8 (or give its encoding with --encoding)",
        )
    wrong = header_problems(header, path.name)
    if wrong:
        raise CdrHeaderError(wrong[0].reason, wrong[0].fix)
    columns = resolve_columns(header)
    phones = PhoneCache(ctx)
    sink = _Sink(store, uid, columns, formats, phones, on_progress)
    try:
        with ThreadPoolExecutor(2, thread_name_prefix="mare-cdr") as pool:
            sink.pool = pool
            try:
                _load_fast(sink, path, header, enc)
            finally:
                sink.finish()
                sink.pool = None
    except (_Unsafe, pa.ArrowInvalid):
        store.con.execute("DELETE FROM calls WHERE contribution = ?", [uid])
        sink.result = CdrLoad()
        _load_careful(sink, path, header, enc)
        sink.finish()
    return sink.result


def _load_fast(sink: _Sink, path: Path, header: list[str], enc: str) -> None:
    """Arrow's streamed reader; raises _Unsafe when a row's line number could not be known.

    Rows are numbered by line, which holds while no value spans lines. In an ASCII-compatible
    encoding that is sure when the file holds no quote at all, and otherwise checked once for
    the whole file (its lines must be exactly the header and the rows read; if not, the caller
    drops what was loaded and reads it the careful way); in other encodings, by looking for
    line breaks in every value of every batch.
    """
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
        parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
    )
    ascii_like = _ascii_compatible(enc)
    lines_in_file = _count_lines(path) if ascii_like and _has_byte(path, b'"') else None
    line = 2
    for batch in reader:
        if not ascii_like:
            for column in batch.columns:
                if pc.any(pc.match_substring_regex(column, pattern="[\\r\\n]")).as_py():
                    raise _Unsafe  # a quoted value over several lines: rows and lines no longer agree
        n = batch.num_rows
        sink.add(batch, _int64(np.arange(line, line + n, dtype=np.int64)))
        line += n
    if lines_in_file is not None and lines_in_file != line - 1:
        raise _Unsafe  # some value spans lines: the rows after it were numbered wrongly


def _ascii_compatible(encoding: str) -> bool:
    """True for encodings in which byte 0x0A / 0x0D is always a line break (UTF-8, Latin-1...)."""
    import codecs

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name in ("utf-8", "utf-8-sig", "ascii", "latin-1", "iso8859-15") or name.startswith("cp125")


def _has_byte(path: Path, byte: bytes) -> bool:
    """True when the file holds this byte anywhere."""
    import mmap

    if path.stat().st_size == 0:
        return False
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(byte) >= 0


def _count_lines(path: Path) -> int:
    """Lines in a file as Arrow's CSV reader splits them (\\n, \\r\\n or a lone \\r end a line)."""
    import mmap

    size = path.stat().st_size
    if size == 0:
        return 0
    ends, step = 0, 64 << 20
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        returns = data.find(b"\r") >= 0
        for start in range(0, size, step):
            chunk = data[start : start + step + 1]  # one byte more: a \r\n across the cut counts once
            own = chunk[:step]
            ends += own.count(b"\n")
            if returns:
                ends += own.count(b"\r") - chunk.count(b"\r\n")
        last = data[size - 1 : size]
    return ends + (0 if last in (b"\n", b"\r") else 1)


def _load_careful(sink: _Sink, path: Path, header: list[str], enc: str, chunk: int = 50_000) -> None:
    """Line by line with the strict CSV reader: each row that cannot be read is rejected by its line."""
    syntax: list[Problem] = []  # rows the CSV reader could not read (each rejected)
    problems: list[Problem] = []  # rows read but not call records
    width = len(header)
    lines: list[int] = []
    cells: list[list[str]] = [[] for _ in header]

    def flush() -> None:
        if lines:
            batch = pa.record_batch([pa.array(c, pa.string()) for c in cells], names=header)
            sink.add(batch, pa.array(lines, pa.int64()))
            lines.clear()
            for c in cells:
                c.clear()

    def reject(line: int, reason: str, fix: str) -> None:
        problems.append(Problem(path.name, line, None, reason, fix))

    with path.open(encoding=enc, errors="replace", newline="") as fh:
        rows = csv_rows(_bounded(fh), path.name, syntax)
        next(rows, None)  # the header
        for row in rows:
            if row.lines > 1:
                reject(
                    row.line,
                    f"a quoted value runs over lines {row.line}–{row.line + row.lines - 1}",
                    "call records have one row per line: close the quote",
                )
            elif len(row.cells) != width:
                if not "".join(row.cells).strip():
                    continue  # a blank line
                reject(
                    row.line,
                    f"row has {len(row.cells)} cells but the header has {width}",
                    "give every row the header's columns; quote cells that contain commas",
                )
            elif any("\ufffd" in c for c in row.cells):
                reject(
                    row.line,
                    f"the row holds bytes that are not {enc} text",
                    "re-export the file as UTF-8, or give its encoding with --encoding",
                )
            else:
                lines.append(row.line)
                for column, cell in zip(cells, row.cells, strict=True):
                    column.append(cell)
                if len(lines) >= chunk:
                    flush()
        flush()
    sink.result.rejected += len(syntax) + len(problems)
    room = max(0, MAX_PROBLEM_ROWS - len(sink.result.problem_rows))
    found = sorted(syntax + problems, key=lambda p: p.row or 0)[:room]
    sink.result.problem_rows += [(p.row or 0, None, p.reason, p.fix) for p in found]


def _bounded(lines: Iterator[str]) -> Iterator[str]:
    """The lines of a file, each cut at MAX_CALL_ROW_CHARS characters (a longer one is not a call)."""
    for line in lines:
        yield line if len(line) <= MAX_CALL_ROW_CHARS else line[:MAX_CALL_ROW_CHARS] + "\n"


def _collect_problems(
    result: CdrLoad,
    batch: pa.RecordBatch,
    columns: dict[str, str],
    caller: pa.Array,
    callee: pa.Array,
    started: pa.Array,
    lines: pa.Array,
    phones: PhoneCache,
    ok: pa.Array,
    formats: tuple[str, ...],
) -> None:
    """Name each rejected row of a batch (only those rows are turned into Python values)."""
    room = MAX_PROBLEM_ROWS - len(result.problem_rows)
    if room <= 0:
        return
    bad = pc.indices_nonzero(pc.invert(ok)).slice(0, room)

    def rows(values: pa.Array) -> list[Any]:
        return pc.take(values, bad).to_pylist()

    raw = {name: rows(batch.column(columns[name])) for name in REQUIRED}
    fix = "correct the row and re-send"
    for i, (line, a, b, t) in enumerate(
        zip(rows(lines), rows(caller), rows(callee), rows(started), strict=True)
    ):
        if a is None:
            text = raw["caller"][i]
            result.problem_rows.append((line, "caller", f"{text!r}: {phones.reason(text)}", fix))
        elif b is None:
            text = raw["callee"][i]
            result.problem_rows.append((line, "callee", f"{text!r}: {phones.reason(text)}", fix))
        elif t is None:
            text = raw["start"][i]
            why = impossible_time(text, formats) or f"{text!r} is not a time in a known format"
            result.problem_rows.append((line, "start", why, fix))
        else:
            result.problem_rows.append(
                (
                    line,
                    "cell",
                    "holds a NUL character (byte 0x00)",
                    "remove it: it is never part of a cell id",
                )
            )
