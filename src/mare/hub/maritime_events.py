"""Behaviour events kept in the store as derived data, rebuilt when the AIS they come from changes.

Events are computed from the AIS a viewer may see in full, so one stored build serves every viewer
who sees the same AIS: its stamp is a hash of those contributions, how many positions and static
reports each holds, the thresholds and the detectors' version. A read whose stamp has a build uses
it; otherwise the events are computed and written with their build row in one transaction (a crash
leaves no build, and the next read computes them again). Builds whose contributions are no longer
all current are dropped, and only the newest `KEEP` are kept. Each event names its source
contributions, so its owners and handling codes are those of the positions it came from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from mare.analyse.maritime.events import Event
from mare.analyse.maritime.thresholds import Thresholds
from mare.store.db import Store, StoreUnavailable
from mare.store.settle import settled

#: What a failed write of a build raises (DuckDB, or PostgreSQL through the server store).
_FAILED = (duckdb.Error, StoreUnavailable)

#: Raised when the detectors change what they find, so that older builds are not reused.
VERSION = 2
KEEP = 8


def kept_events(
    store: Store, contributions: list[str], th: Thresholds, compute: Callable[[], list[Event]]
) -> list[Event]:
    """The events of these contributions under these thresholds: the stored build when there is one,
    else computed now and stored (a store that cannot keep them, e.g. read-only, gets them computed)."""
    try:
        key = stamp(store, contributions, th)
        found = stored(store, key)
    except _FAILED:
        return compute()
    if found is not None:
        return found
    events = compute()
    store_build(store, key, contributions, events)
    return events


def stamp(store: Store, contributions: list[str], th: Thresholds) -> str:
    """The data stamp of these AIS contributions under these thresholds."""
    counts: dict[str, list[int]] = {uid: [0, 0] for uid in contributions}
    if contributions:
        for table, k in (("ais_positions", 0), ("ais_static", 1)):
            rows = store.con.execute(
                f"SELECT contribution, count(*) FROM {table} WHERE contribution IN (SELECT unnest(?)) "
                "GROUP BY contribution",
                [contributions],
            ).fetchall()
            for uid, n in rows:
                counts[str(uid)][k] = int(n)
    text = json.dumps(
        {"v": VERSION, "data": sorted(counts.items()), "th": th.as_dict()}, sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def stored(store: Store, key: str) -> list[Event] | None:
    """The events of build `key`, or None when there is no such build."""
    con = store.con
    if not con.execute("SELECT 1 FROM maritime_event_builds WHERE stamp = ?", [key]).fetchall():
        return None
    rows = con.execute(
        "SELECT kind, mmsi, t_start, t_end, lat, lon, summary, evidence, other, sources "
        "FROM maritime_events WHERE stamp = ? ORDER BY seq",
        [key],
    ).fetchall()
    return [
        Event(
            str(kind),
            int(mmsi),
            int(start),
            int(end),
            float("nan") if lat is None else float(lat),
            float("nan") if lon is None else float(lon),
            str(summary),
            json.loads(evidence) if isinstance(evidence, str) else dict(evidence or {}),
            None if other is None else int(other),
            [str(s) for s in sources or []],
        )
        for kind, mmsi, start, end, lat, lon, summary, evidence, other, sources in rows
    ]


def store_build(store: Store, key: str, contributions: list[str], events: list[Event]) -> bool:
    """Write one build in a transaction (False when another writer got there first or the store is
    read-only: the events computed are used all the same)."""
    con = store.con
    table = pa.table(
        {
            "stamp": pa.array([key] * len(events), pa.string()),
            "seq": pa.array(range(len(events)), pa.int32()),
            "kind": pa.array([e.kind for e in events], pa.string()),
            "mmsi": pa.array([e.mmsi for e in events], pa.int64()),
            "t_start": pa.array([e.start for e in events], pa.int64()),
            "t_end": pa.array([e.end for e in events], pa.int64()),
            "lat": pa.array([e.lat if np.isfinite(e.lat) else None for e in events], pa.float64()),
            "lon": pa.array([e.lon if np.isfinite(e.lon) else None for e in events], pa.float64()),
            "summary": pa.array([e.summary for e in events], pa.string()),
            "evidence": pa.array([json.dumps(e.evidence, default=_plain) for e in events], pa.string()),
            "other": pa.array([e.other for e in events], pa.int64()),
            "sources": pa.array([e.sources for e in events], pa.list_(pa.string())),
        }
    )
    try:
        con.execute("BEGIN TRANSACTION")
    except _FAILED:
        return False
    try:
        _prune(con)
        if events:
            settled(con).register("_maritime_events_new", table)
            try:
                con.execute("INSERT INTO maritime_events SELECT * FROM _maritime_events_new")
            finally:
                con.unregister("_maritime_events_new")
        con.execute(
            "INSERT INTO maritime_event_builds VALUES (?, ?, now()::TIMESTAMP, ?)",
            [key, contributions, len(events)],
        )
        con.execute("COMMIT")
    except _FAILED:
        con.execute("ROLLBACK")
        return False
    return True


def _prune(con: duckdb.DuckDBPyConnection) -> None:
    """Drop builds resting on a contribution no longer current, and all but the newest KEEP - 1."""
    old = con.execute(
        "SELECT stamp FROM maritime_event_builds b WHERE EXISTS "
        "(SELECT 1 FROM unnest(b.contributions) u(uid) "
        "WHERE u.uid NOT IN (SELECT uid FROM contributions WHERE superseded_by IS NULL)) "
        "UNION SELECT stamp FROM (SELECT stamp, row_number() OVER (ORDER BY built_at DESC, stamp) AS k "
        "FROM maritime_event_builds) WHERE k >= ?",
        [KEEP],
    ).fetchall()
    for (key,) in old:
        con.execute("DELETE FROM maritime_events WHERE stamp = ?", [key])
        con.execute("DELETE FROM maritime_event_builds WHERE stamp = ?", [key])


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
