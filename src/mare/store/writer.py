"""Writing one contribution to the store in a single transaction: all of it or nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import chain, repeat
from operator import is_, is_not
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from mare.store.db import Store, as_processing
from mare.store.jobs import add_jobs
from mare.store.settle import settled

#: The derived work a stored contribution owes (done, and its job removed, by the hub's processing).
DERIVED_JOBS = ("crosscheck", "watchlists", "geocode")


@dataclass(frozen=True, slots=True)
class ContributionRow:
    """The contribution-level facts to store."""

    agency: str
    sender_id: str
    format: str
    files: list[tuple[str, str, int]]  # (name, sha256, size)
    source_name: str
    sent_at: datetime | None
    supersedes: str | None
    handling_code: str
    restrictions: dict[str, Any] | None
    evaluation: tuple[str, str, str] | None
    crime_areas: list[str]
    case_refs: list[str]
    language: str | None


@dataclass(slots=True)
class Batch:
    """Column-wise rows for one table, appended in Python and inserted through Arrow."""

    columns: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, **values: Any) -> None:
        """Append one row."""
        for key, value in values.items():
            self.columns.setdefault(key, []).append(value)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def to_arrow(self) -> pa.Table:
        """The rows as an Arrow table (types as `pa.table` would infer them)."""
        names = list(self.columns)
        return pa.Table.from_arrays([arrow_column(self.columns[n]) for n in names], names=names)


_EPOCH = datetime(1970, 1, 1)
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_ONE_US = timedelta(microseconds=1)


def _validity(values: list[Any], n: int) -> pa.Buffer | None:
    if None not in values:
        return None
    mask = np.fromiter(map(is_not, values, repeat(None)), dtype=np.bool_, count=n)
    return pa.py_buffer(np.packbits(mask, bitorder="little"))


def _only(values: list[Any], *kinds: type) -> bool:
    """True when every value is None or of exactly one of these types."""
    return {type(v) for v in values} <= {type(None), *kinds}


def _strings(values: list[Any]) -> pa.Array:
    """A string column from its UTF-8 bytes and offsets (faster than a builder, element by element)."""
    n = len(values)
    texts = values if None not in values else ["" if v is None else v for v in values]
    joined = "".join(texts)  # TypeError for anything but strings: the caller falls back
    data = joined.encode("utf-8")  # UnicodeEncodeError for lone surrogates: likewise
    if len(data) >= 2**31:
        builder = pa.lib.StringBuilder()
        builder.append_values(values)
        return builder.finish()
    if len(data) == len(joined):  # all ASCII: byte lengths are character lengths
        lengths = np.fromiter(map(len, texts), np.int64, n)
    else:
        lengths = np.fromiter(map(len, map(str.encode, texts)), np.int64, n)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.Array.from_buffers(
        pa.string(), n, [_validity(values, n), pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _fixed(values: list[Any], kind: type) -> pa.Array | None:
    """Booleans, integers, naive datetimes and dates without pyarrow's generic (pandas-loading) path."""
    n = len(values)
    if not _only(values, kind):
        return None
    validity = _validity(values, n)
    if kind is bool:
        bits = np.packbits(np.fromiter(map(is_, values, repeat(True)), np.bool_, n), bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), n, [validity, pa.py_buffer(bits)])
    if kind is int:  # out of int64's range: OverflowError, and the caller falls back
        data = np.array(values if validity is None else [v or 0 for v in values], dtype=np.int64)
        return pa.Array.from_buffers(pa.int64(), n, [validity, pa.py_buffer(data)])
    if kind is datetime:
        if any(v.tzinfo is not None for v in set(values) if v is not None):
            return None
        micros = {v: 0 if v is None else (v - _EPOCH) // _ONE_US for v in set(values)}
        data = np.fromiter(map(micros.__getitem__, values), np.int64, n)
        return pa.Array.from_buffers(pa.timestamp("us"), n, [validity, pa.py_buffer(data)])
    if kind is date:
        days = {v: 0 if v is None else v.toordinal() - _EPOCH_DAY for v in set(values)}
        data32 = np.fromiter(map(days.__getitem__, values), np.int32, n)
        return pa.Array.from_buffers(pa.date32(), n, [validity, pa.py_buffer(data32)])
    return None


def _string_lists(values: list[Any]) -> pa.Array | None:
    if not _only(values, list, tuple):
        return None
    n = len(values)
    present = values if None not in values else [() if v is None else v for v in values]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.fromiter(map(len, present), np.int64, n), out=offsets[1:])
    items = list(chain.from_iterable(present))
    if None in items:
        return None
    child = _strings(items) if items else pa.nulls(0)  # no items at all: list<null>, as pa.array
    return pa.ListArray.from_buffers(
        pa.list_(child.type), n, [_validity(values, n), pa.py_buffer(offsets)], children=[child]
    )


def int64_array(values: np.ndarray) -> pa.Array:
    """A numpy integer array as an Arrow int64 array (from its buffer: `pa.array` imports pandas)."""
    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def arrow_column(values: list[Any]) -> pa.Array:
    """One column as Arrow, the type inferred as `pa.array` does for the common kinds.

    Strings, booleans, integers, naive datetimes, dates and lists of strings are built
    directly (fast, and without `pa.array`, which imports pandas: ~2 s of CPU once per
    process); anything else goes through `pa.array`.
    """
    first = next((v for v in values if v is not None), None)
    if first is None:
        return pa.nulls(len(values))
    kind = type(first)
    try:
        if kind is str:
            return _strings(values)
        if kind in (list, tuple):
            built = _string_lists(values)
        elif kind in (bool, int, datetime, date):
            built = _fixed(values, kind)
        else:
            built = None
    except (TypeError, ValueError, OverflowError, UnicodeError, pa.ArrowException):
        built = None
    return built if built is not None else pa.array(values)


def combined_sha256(files: list[tuple[str, str, int]]) -> str:
    """One digest for a contribution made of several files (names and contents)."""
    digest = hashlib.sha256()
    for name, sha, _ in sorted(files):
        digest.update(f"{name}\x00{sha}\n".encode())
    return digest.hexdigest()


def contribution_uid(agency: str, sender_id: str, version: int) -> str:
    """The hub's id for a contribution: short, stable, derived from who sent what."""
    digest = hashlib.sha256(f"{agency}\x00{sender_id}\x00{version}".encode()).hexdigest()
    return f"C{digest[:12]}"


class DuplicateContribution(Exception):
    """The same id arrived again with different bytes and no 'supersedes'."""


@dataclass(frozen=True, slots=True)
class Existing:
    """What the store already holds under an (agency, sender id)."""

    uid: str
    version: int
    sha256: str


def find_existing(store: Store, agency: str, sender_id: str) -> Existing | None:
    """The latest version stored under this agency and sender id."""
    row = store.con.execute(
        "SELECT uid, version, sha256 FROM contributions WHERE agency = ? AND sender_id = ? "
        "ORDER BY version DESC LIMIT 1",
        [agency, sender_id],
    ).fetchone()
    return Existing(row[0], int(row[1]), row[2]) if row else None


def _insert(store: Store, table: str, batch: Batch | pa.Table, casts: dict[str, str] | None = None) -> None:
    arrow = batch if isinstance(batch, pa.Table) else batch.to_arrow()
    if not arrow.num_rows:
        return
    name = f"_batch_{table}"
    settled(store.con).register(name, arrow)
    try:
        cols = list(arrow.column_names)
        select = ", ".join(f"CAST({c} AS {casts[c]})" if casts and c in casts else c for c in cols)
        store.con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM {name}")
    finally:
        store.con.unregister(name)


@dataclass(slots=True)
class PendingWrite:
    """Everything one contribution adds to the store, prepared before the transaction."""

    contribution: ContributionRow
    records: Batch | pa.Table = field(default_factory=Batch)
    values: Batch | pa.Table = field(default_factory=Batch)
    links: Batch = field(default_factory=Batch)
    problems: Batch = field(default_factory=Batch)
    calls: list[Any] = field(default_factory=list)  # callables(store, uid) -> rows loaded
    record_count: int = 0
    link_count: int = 0
    rejected_count: int = 0
    warning_count: int = 0


def write_contribution(
    store: Store,
    pending: PendingWrite,
    uid: str,
    version: int,
    received_at: datetime,
    superseded_uid: str | None,
    before_commit: Callable[[int], None] | None = None,
) -> int:
    """Insert the contribution and all its rows in one transaction; returns call rows loaded.

    The same transaction notes the derived work the contribution owes (`jobs`) and runs
    `before_commit(call rows)` last, so that what it writes (the audit entry) commits with the data."""
    c = pending.contribution
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        call_count = 0
        for load in pending.calls:
            call_count += int(load(store, uid))
        evaluation = c.evaluation or (None, None, None)
        con.execute(
            "INSERT INTO contributions (uid, agency, sender_id, version, format, sha256, size_bytes, "
            "source_name, received_at, sent_at, supersedes, handling_code, restrictions, "
            "evaluation_scheme, source_grade, information_grade, crime_areas, case_refs, language, "
            "record_count, link_count, call_count, rejected_count, warning_count) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                uid,
                c.agency,
                c.sender_id,
                version,
                c.format,
                combined_sha256(c.files),
                sum(size for _, _, size in c.files),
                c.source_name,
                received_at.replace(tzinfo=None),
                c.sent_at.astimezone(UTC).replace(tzinfo=None) if c.sent_at else None,
                c.supersedes,
                c.handling_code,
                json.dumps(c.restrictions) if c.restrictions else None,
                *evaluation,
                c.crime_areas,
                c.case_refs,
                c.language,
                pending.record_count,
                pending.link_count,
                call_count,
                pending.rejected_count,
                pending.warning_count,
            ],
        )
        for name, sha, size in c.files:
            con.execute("INSERT INTO contribution_files VALUES (?, ?, ?)", [uid, name, sha])
            con.execute(
                "INSERT INTO raw_files SELECT ?, ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM raw_files WHERE sha256 = ?)",
                [sha, size, str(store.archive.path_for(sha).relative_to(store.home)), sha],
            )
        if superseded_uid:
            # the old version becomes history, a row its own sender no longer reads (but for oversight):
            # recorded as the store's own processing, past PostgreSQL's row-level security, which refuses
            # an UPDATE whose new row the updater may not read (nothing changes on DuckDB)
            with as_processing(store):
                con.execute("UPDATE contributions SET superseded_by = ? WHERE uid = ?", [uid, superseded_uid])
        _insert(store, "records", pending.records, {"restrictions": "JSON", "observed_at": "TIMESTAMP"})
        _insert(store, "record_values", pending.values, {"extra": "JSON", "flags": "VARCHAR[]"})
        _insert(store, "links", pending.links, {"restrictions": "JSON", "properties": "JSON"})
        _insert(store, "ingest_problems", pending.problems)
        for kind in DERIVED_JOBS:
            add_jobs(con, kind, [uid])
        if before_commit is not None:
            before_commit(call_count)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return call_count


def archive_files(store: Store, files: list[tuple[str, Path]]) -> list[tuple[str, str, int]]:
    """Keep the raw bytes of each file; returns (name, sha256, size) per file."""
    kept = []
    for name, path in files:
        sha, stored = store.archive.put_file(path)
        kept.append((name, sha, stored.stat().st_size))
    return kept
