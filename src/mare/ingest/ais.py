"""Bulk loading of AIS (NMEA sentences or position CSVs) into `ais_positions` and `ais_static`.

Like call records, an AIS file is one contribution of one agency (its envelope, a sidecar
FILE.envelope.json, or `--agency`/`--handling`), loaded inside the contribution's transaction.
Positions go in as typed Arrow batches; static data (name, call sign, IMO, type, dimensions,
destination) is kept once per distinct report per vessel, with the line it was first seen on and
when it was first and last seen. Every sentence or row is accounted for: stored, counted as
another message type, or a problem with its line and reason (docs/maritime.md).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mare.ingest.ais_csv import STATIC, AisHeaderError, looks_like_ais_csv, read_csv_batches
from mare.ingest.ais_nmea import Decoded, read_nmea
from mare.store.db import Store
from mare.store.settle import settled

__all__ = ["AisHeaderError", "AisLoad", "load_ais", "looks_like_ais_csv", "looks_like_nmea"]

NMEA_SUFFIXES = (".nmea", ".nm4", ".aivdm", ".ais")
CHUNK_BYTES = 32 << 20
EARLIEST = datetime(1995, 1, 1)  # AIS did not exist before: earlier times are clock errors
FUTURE_SLACK = timedelta(hours=1)
MAX_PROBLEMS = 100_000
_POSITION_TYPES = {
    "contribution": pa.string(),
    "line": pa.int64(),
    "mmsi": pa.int32(),
    "t": pa.timestamp("us"),
    "lat": pa.float64(),
    "lon": pa.float64(),
    "sog": pa.float32(),
    "cog": pa.float32(),
    "heading": pa.int16(),
    "msg_type": pa.int8(),
}


def looks_like_nmea(path: Path) -> bool:
    """True for .nmea/.nm4/.aivdm/.ais files, or text whose first lines are AIVDM/AIVDO sentences."""
    if path.name.lower().endswith(NMEA_SUFFIXES):
        return True
    if not path.name.lower().endswith((".txt", ".log")):
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(2048)
    except OSError:
        return False
    return b"!AIVDM" in head or b"!AIVDO" in head


@dataclass(slots=True)
class AisLoad:
    """Counts and problems from loading one AIS file."""

    kind: str = "nmea"
    sentences: int = 0  # sentences (NMEA) or data rows (CSV) read
    positions: int = 0
    static_reports: int = 0
    other_types: dict[int, int] = field(default_factory=dict)
    rejected: int = 0
    warnings: int = 0
    untimed: int = 0
    first_untimed: int | None = None
    problem_rows: list[tuple[int | None, str, str, str]] = field(
        default_factory=list
    )  # line, field, reason, severity

    def note(self, line: int | None, fld: str, reason: str, severity: str = "error") -> None:
        """Count one problem and keep it (up to MAX_PROBLEMS)."""
        if severity == "error":
            self.rejected += 1
        else:
            self.warnings += 1
        if len(self.problem_rows) < MAX_PROBLEMS:
            self.problem_rows.append((line, fld, reason, severity))

    def summary(self) -> str:
        """One line: what became of every sentence or row."""
        unit = "sentences" if self.kind == "nmea" else "rows"
        other = sum(self.other_types.values())
        parts = [
            f"{self.sentences} {unit} read",
            f"{self.positions} positions",
            f"{self.static_reports} static reports",
        ]
        if other:
            kinds = ", ".join(f"type {k}: {n}" for k, n in sorted(self.other_types.items()))
            parts.append(f"{other} other messages ({kinds})")
        parts.append(f"{self.rejected} rejected")
        return "AIS: " + ", ".join(parts)


def load_ais(
    store: Store, uid: str, path: Path, now: datetime | None = None, encoding: str | None = None
) -> AisLoad:
    """Load an AIS file into the store (inside the caller's transaction)."""
    now = (now or datetime.now(UTC)).replace(tzinfo=None)
    result = AisLoad(kind="csv" if path.name.lower().endswith(".csv") else "nmea")
    con = store.con
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _ais_static_raw (line BIGINT, mmsi INTEGER, t TIMESTAMP, "
        "t_last TIMESTAMP, "
        "n INTEGER DEFAULT 1, imo VARCHAR, "
        "name VARCHAR, call_sign VARCHAR, ship_type SMALLINT, length_m REAL, width_m REAL, draught_m REAL, "
        "destination VARCHAR)"
    )
    try:
        if result.kind == "csv":
            _load_csv(store, uid, path, now, result, encoding)
        else:
            _load_nmea(store, uid, path, now, result)
        _collapse_static(store, uid, result)
    except BaseException:
        raise  # the writer rolls the whole contribution back (the temp table goes with it)
    con.execute("DROP TABLE IF EXISTS _ais_static_raw")
    return result


def _constant(text: str, n: int) -> pa.Array:
    """N copies of one string without N Python objects (a dictionary of one value)."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int8)), pa.array([text], pa.string()))


def _insert(store: Store, name: str, table: pa.Table, target: str) -> None:
    settled(store.con).register(name, table)
    try:
        cols = ", ".join(table.column_names)
        store.con.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {name}")
    finally:
        with contextlib.suppress(duckdb.Error):  # after a failed insert the writer rolls back
            store.con.unregister(name)


def _checked_times(t: pa.Array, lines: pa.Array, now: datetime, result: AisLoad) -> pa.Array:
    """Rows whose time is in the future or before AIS existed are rejected (False), with their lines."""
    future = pc.fill_null(pc.greater(t, pa.scalar(now + FUTURE_SLACK, pa.timestamp("us"))), False)
    early = pc.fill_null(pc.less(t, pa.scalar(EARLIEST, pa.timestamp("us"))), False)
    bad = pc.or_(future, early)
    if pc.any(bad).as_py():
        for line, when, is_future in zip(
            pc.filter(lines, bad).to_pylist(),
            pc.filter(t, bad).to_pylist(),
            pc.filter(future, bad).to_pylist(),
            strict=True,
        ):
            reason = (
                f"time {when} is in the future (after {now:%Y-%m-%d %H:%M} UTC + 1 h): receiver clock wrong?"
                if is_future
                else f"time {when} is before 1995, when AIS did not exist"
            )
            result.note(line, "time", reason)
    return pc.invert(bad)


def _load_nmea(store: Store, uid: str, path: Path, now: datetime, result: AisLoad) -> None:
    decoded = Decoded()
    order = _Order()
    line = 1
    carry = b""
    with path.open("rb") as fh:
        while True:
            block = fh.read(CHUNK_BYTES)
            data = carry + block
            if not data:
                break
            if block:
                cut = _safe_cut(data)
                data, carry = data[:cut], data[cut:]
            else:
                carry = b""
            decoded = read_nmea(data, line, Decoded())
            line += data.count(b"\n")
            _store_decoded(store, uid, decoded, now, result, order)
            if not block:
                break
    del decoded
    if result.untimed:
        result.note(
            result.first_untimed,
            "time",
            f"{result.untimed} positions have no receiver time (no NMEA 4.0 tag block with c:); "
            "stored without "
            "a time, so tracks and events leave them out",
            "warning",
        )


def _safe_cut(data: bytes) -> int:
    """Where to end a chunk: after the last line that does not leave a multi-part message open."""
    end = data.rfind(b"\n") + 1
    while end > 0:
        start = data.rfind(b"\n", 0, end - 1) + 1
        fields = data[start:end].split(b",")
        if len(fields) >= 3 and fields[1] == fields[2]:
            return end
        if end - start <= 1 or len(fields) < 3:
            return end
        end = start
    return len(data)


def _store_decoded(store: Store, uid: str, d: Decoded, now: datetime, result: AisLoad, order: _Order) -> None:
    result.sentences += d.sentences
    for line, fld, reason, severity in d.problems:
        result.note(line, fld, reason, severity)
    result.rejected += d.rejected - sum(1 for p in d.problems if p[3] == "error")
    for kind, n in d.other_types.items():
        result.other_types[kind] = result.other_types.get(kind, 0) + n
    if d.untimed:
        result.untimed += d.untimed
        result.first_untimed = result.first_untimed or d.first_untimed
    p = d.positions()
    n = len(p["line"])
    if n:
        times = p["t"].astype(np.int64)
        t = pa.array(times * 1_000_000, pa.timestamp("us"), mask=times < 0)
        lines = pa.array(p["line"].astype(np.int64))
        keep = _checked_times(t, lines, now, result)
        heading = p["heading"].astype(np.int16)
        table = pa.table(
            {
                "contribution": _constant(uid, n),
                "line": lines,
                "mmsi": pa.array(p["mmsi"].astype(np.int32)),
                "t": t,
                "lat": pa.array(p["lat"].astype(np.float64)),
                "lon": pa.array(p["lon"].astype(np.float64)),
                "sog": pa.array(p["sog"].astype(np.float32), from_pandas=True),
                "cog": pa.array(p["cog"].astype(np.float32), from_pandas=True),
                "heading": pa.array(heading, mask=heading < 0),
                "msg_type": pa.array(p["type"].astype(np.int8)),
            }
        ).filter(keep)
        order.check(table, result)
        _insert(store, "_ais_positions_batch", table, "ais_positions")
        result.positions += table.num_rows
    if d.static:
        rows = d.static
        static = pa.table(
            {
                "line": pa.array([r["line"] for r in rows], pa.int64()),
                "mmsi": pa.array([r["mmsi"] for r in rows], pa.int32()),
                "t": pa.array(
                    [
                        None if r["t"] is None else datetime.fromtimestamp(r["t"], UTC).replace(tzinfo=None)
                        for r in rows
                    ],
                    pa.timestamp("us"),
                ),
                **{
                    name: pa.array([r[name] for r in rows], kind)
                    for name, kind in (
                        ("imo", pa.string()),
                        ("name", pa.string()),
                        ("call_sign", pa.string()),
                        ("ship_type", pa.int16()),
                        ("length_m", pa.float32()),
                        ("width_m", pa.float32()),
                        ("draught_m", pa.float32()),
                        ("destination", pa.string()),
                    )
                },
            }
        )
        _insert(store, "_ais_static_batch", static, "_ais_static_raw")
        result.static_reports += static.num_rows


def _load_csv(
    store: Store, uid: str, path: Path, now: datetime, result: AisLoad, encoding: str | None
) -> None:
    order = _Order()
    for batch in read_csv_batches(path, encoding):
        raw, typed = batch.raw, batch.typed
        n = len(typed["mmsi"])
        result.sentences += n
        lines = pa.array(np.arange(batch.first_line, batch.first_line + n, dtype=np.int64))
        lat, lon = typed["lat"], typed["lon"]
        checks: list[tuple[str, pa.Array, str]] = [
            (
                "mmsi",
                pc.fill_null(pc.less_equal(typed["mmsi"], 0), True),
                "MMSI {!r} is not a number of 1 to 9 digits",
            ),
            ("time", pc.is_null(typed["t"]), "time {!r} is not in a known format"),
            ("lat", pc.is_null(lat), "latitude {!r} is not a number"),
            ("lon", pc.is_null(lon), "longitude {!r} is not a number"),
            (
                "lat",
                pc.fill_null(pc.greater(pc.abs(lat), 90.0), False),
                "latitude {} is impossible (over 90; 91 means not available)",
            ),
            (
                "lon",
                pc.fill_null(pc.greater(pc.abs(lon), 180.0), False),
                "longitude {} is impossible (over 180; 181 means not available)",
            ),
        ]
        raw_of = {"mmsi": "mmsi", "time": "t", "lat": "lat", "lon": "lon"}
        bad = pa.array(np.zeros(n, dtype=bool))
        for fld, mask, reason in checks:
            fresh = pc.and_(mask, pc.invert(bad))
            if pc.any(fresh).as_py():
                for line, value in zip(
                    pc.filter(lines, fresh).to_pylist(),
                    pc.filter(raw[raw_of[fld]], fresh).to_pylist(),
                    strict=True,
                ):
                    result.note(line, fld, reason.format(value))
                bad = pc.or_(bad, fresh)
        keep = pc.and_(pc.invert(bad), _checked_times(typed["t"], lines, now, result))
        sog = typed.get("sog", pa.nulls(n, pa.float32()))
        na_speed = pc.fill_null(pc.greater_equal(sog, 102.25), False)
        if pc.any(pc.and_(na_speed, keep)).as_py():
            for line in pc.filter(lines, pc.and_(na_speed, keep)).to_pylist():
                result.note(line, "sog", "speed not available (102.3); stored without speed", "warning")
        sog = pc.if_else(pc.or_(na_speed, pc.fill_null(pc.less(sog, 0.0), False)), None, sog)
        cog = typed.get("cog", pa.nulls(n, pa.float32()))
        cog = pc.if_else(
            pc.fill_null(pc.or_(pc.greater_equal(cog, 360.0), pc.less(cog, 0.0)), False), None, cog
        )
        heading = typed.get("heading", pa.nulls(n, pa.float32()))
        heading = pc.if_else(pc.fill_null(pc.greater_equal(heading, 360.0), False), None, heading)
        table = pa.table(
            {
                "contribution": _constant(uid, n),
                "line": lines,
                "mmsi": typed["mmsi"],
                "t": typed["t"],
                "lat": lat,
                "lon": lon,
                "sog": sog,
                "cog": cog,
                "heading": pc.cast(heading, pa.int16(), safe=False),
                "msg_type": pa.array(np.zeros(n, dtype=np.int8)),
            }
        ).filter(keep)
        order.check(table, result)
        _insert(store, "_ais_positions_batch", table, "ais_positions")
        result.positions += table.num_rows
        present = [name for name in STATIC if name in typed]
        if present:
            static_cols: dict[str, Any] = {"line": lines, "mmsi": typed["mmsi"], "t": typed["t"]}
            static_cols.update({name: typed[name] for name in present})
            any_value = pc.is_valid(typed[present[0]])
            for name in present[1:]:
                any_value = pc.or_(any_value, pc.is_valid(typed[name]))
            static = pa.table(static_cols).filter(pc.and_(keep, any_value))
            if static.num_rows:
                settled(store.con).register("_ais_static_batch", static)
                try:
                    cols = ", ".join(static.column_names)
                    store.con.execute(
                        f"INSERT INTO _ais_static_raw ({cols}, t_last, n) SELECT min(line), mmsi, min(t), "
                        f"{', '.join(present)}, max(t), count(*) FROM _ais_static_batch "
                        f"GROUP BY mmsi, {', '.join(present)}"
                    )
                    result.static_reports += static.num_rows
                finally:
                    with contextlib.suppress(duckdb.Error):
                        store.con.unregister("_ais_static_batch")


@dataclass(slots=True)
class _Order:
    """Each vessel's last time so far, across batches: where a vessel's time goes backwards in file order
    a warning is noted by line (the position is kept; tracks sort by time)."""

    last: dict[int, int] = field(default_factory=dict)

    def check(self, table: pa.Table, result: AisLoad) -> None:
        """Note the rows of this batch (in file order) whose time is before the vessel's previous one."""
        timed = table.filter(pc.is_valid(table["t"]))
        if not timed.num_rows:
            return
        mmsi = timed["mmsi"].to_numpy().astype(np.int64)
        t = timed["t"].cast(pa.int64()).to_numpy()
        line = timed["line"].to_numpy()
        order = np.argsort(mmsi, kind="stable")  # lines stay in file order within a vessel
        m, tt, ln = mmsi[order], t[order], line[order]
        first = np.ones(len(m), dtype=bool)
        first[1:] = m[1:] != m[:-1]
        prev = np.empty_like(tt)
        prev[1:] = tt[:-1]
        starts = np.flatnonzero(first)
        carried = np.array([self.last.get(int(v), np.iinfo(np.int64).min) for v in m[starts].tolist()])
        prev[starts] = carried
        bad = tt < prev
        ends = np.r_[starts[1:] - 1, len(m) - 1]
        self.last.update(zip(m[ends].tolist(), tt[ends].tolist(), strict=True))
        for k in np.flatnonzero(bad)[np.argsort(ln[bad], kind="stable")].tolist():
            result.note(
                int(ln[k]),
                "time",
                f"out of order: MMSI {m[k]} at {_when(int(tt[k]))} after a report at {_when(int(prev[k]))}; "
                "stored, tracks are sorted by time",
                "warning",
            )


def _when(us: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(microseconds=us)


def _collapse_static(store: Store, uid: str, result: AisLoad) -> None:
    """One row per distinct static report per vessel: first line, first and last seen, how many."""
    store.con.execute(
        "INSERT INTO ais_static (contribution, line, mmsi, first_seen, last_seen, reports, imo, name, "
        "call_sign, "
        "ship_type, length_m, width_m, draught_m, destination) "
        "SELECT ?, min(line), mmsi, min(t), max(coalesce(t_last, t)), sum(n)::INTEGER, imo, name, call_sign, "
        "ship_type, length_m, "
        "width_m, draught_m, destination FROM _ais_static_raw "
        "GROUP BY mmsi, imo, name, call_sign, ship_type, length_m, width_m, draught_m, destination",
        [uid],
    )
