"""Vessel behaviour events over tracks: gaps, loitering, encounters, time off departure and landing
areas, identity anomalies and voyages. Each event carries its evidence and the thresholds it used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import numpy as np
from numpy.typing import NDArray

from mare.analyse.geo.geodesy import haversine_km
from mare.analyse.maritime.shared import SPLIT, shared_mmsis, split_tracks
from mare.analyse.maritime.thresholds import NM_KM, Thresholds
from mare.analyse.maritime.tracks import Steps, Tracks, angle_between, speed, steps

ShoreKm = Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]]
SHORE_REACH_KM = 200.0


def default_shore_km(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.float64]:
    """Km to the nearest coast (Natural Earth 10 m), inf beyond 200 km."""
    from mare.analyse.geo.coast import coastline

    return coastline().distance_km(lat, lon, SHORE_REACH_KM)


def iso(seconds: int | float) -> str:
    """UTC time as ISO text."""
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Event:
    """One behaviour event of one vessel (two for encounters), with its evidence."""

    kind: str  # gap | dark_rendezvous | loitering | encounter | area | identity | voyage
    mmsi: int
    start: int
    end: int
    lat: float
    lon: float
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    other: int | None = None  # the other vessel of an encounter
    sources: list[str] = field(default_factory=list)  # contributions whose fixes show it

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "kind": self.kind,
            "mmsi": self.mmsi,
            "other": self.other,
            "start": iso(self.start),
            "end": iso(self.end),
            "lat": round(self.lat, 5) if np.isfinite(self.lat) else None,
            "lon": round(self.lon, 5) if np.isfinite(self.lon) else None,
            "summary": self.summary,
            "evidence": self.evidence,
            "sources": self.sources,
        }


def _src(tracks: Tracks, *idx: int) -> list[str]:
    return sorted({tracks.sources[int(tracks.source[i])] for i in idx})


def gaps(
    tracks: Tracks, th: Thresholds, shore_km: ShoreKm = default_shore_km, st: Steps | None = None
) -> list[Event]:
    """Transponder silent >= gap_hours starting at sea: where it started and ended, distance from shore,
    whether the vessel came back the way it went (`dark_rendezvous`), and whether GFW's test is met."""
    st = st or steps(tracks)
    idx = np.flatnonzero(st.same & (st.dt >= th.gap_hours * 3600))
    if not len(idx):
        return []
    shore = shore_km(tracks.lat[idx], tracks.lon[idx])
    shore_end = shore_km(tracks.lat[idx + 1], tracks.lon[idx + 1])
    out = []
    for k, i in enumerate(idx.tolist()):
        if min(shore[k], shore_end[k]) < th.gap_min_shore_nm * NM_KM:
            continue
        before = _course(tracks, i, -1)
        after = _course(tracks, i + 1, +1)
        turn = float(angle_between(np.array([before]), np.array([after]))[0])
        hours = st.dt[i] / 3600.0
        reversal = bool(turn >= th.reversal_deg and hours <= th.rendezvous_max_hours)
        gfw = bool(hours >= th.gfw_disabling_hours and shore[k] >= th.gfw_disabling_shore_nm * NM_KM)
        evidence = {
            "hours": round(hours, 2),
            "from": {"t": iso(tracks.t[i]), "lat": float(tracks.lat[i]), "lon": float(tracks.lon[i])},
            "to": {
                "t": iso(tracks.t[i + 1]),
                "lat": float(tracks.lat[i + 1]),
                "lon": float(tracks.lon[i + 1]),
            },
            "km_apart": round(float(st.km[i]), 1),
            "implied_knots": round(float(st.knots[i]), 2),
            "shore_km": None if not np.isfinite(shore[k]) else round(float(shore[k]), 1),
            "course_change_deg": None if np.isnan(turn) else round(turn, 0),
            "came_back": reversal,
            "gfw_disabling": gfw,
            "thresholds": {"gap_hours": th.gap_hours, "gap_min_shore_nm": th.gap_min_shore_nm},
        }
        where = "beyond 200 km" if not np.isfinite(shore[k]) else f"{shore[k]:.0f} km"
        kind = "dark_rendezvous" if reversal else "gap"
        summary = f"AIS silent {hours:.1f} h from {iso(tracks.t[i])}, {where} from shore" + (
            f"; came back on its track (course turned {turn:.0f}°): a meeting at sea while dark?"
            if reversal
            else ""
        )
        out.append(
            Event(
                kind,
                int(tracks.mmsi[i]),
                int(tracks.t[i]),
                int(tracks.t[i + 1]),
                float(tracks.lat[i]),
                float(tracks.lon[i]),
                summary,
                evidence,
                sources=_src(tracks, i, i + 1),
            )
        )
    return out


def _course(tracks: Tracks, i: int, direction: int, look: int = 6) -> float:
    """Course over up to `look` fixes before (-1) or after (+1) fix i of one vessel (nan: stood still)."""
    j = i
    for _ in range(look):
        k = j + direction
        if k < 0 or k >= len(tracks) or tracks.mmsi[k] != tracks.mmsi[i]:
            break
        j = k
    a, b = (j, i) if direction < 0 else (i, j)
    if a == b or haversine_km(tracks.lat[a], tracks.lon[a], tracks.lat[b], tracks.lon[b]) < 0.5:
        return float("nan")
    la1, la2 = np.radians(tracks.lat[a]), np.radians(tracks.lat[b])
    dlon = np.radians(tracks.lon[b] - tracks.lon[a])
    y = np.sin(dlon) * np.cos(la2)
    x = np.cos(la1) * np.sin(la2) - np.sin(la1) * np.cos(la2) * np.cos(dlon)
    return float(np.degrees(np.arctan2(y, x)) % 360.0)


def _runs(mask: NDArray[np.bool_], vessel_break: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(first, last) index of each run of True that stays within one vessel."""
    out = []
    start = None
    for i, on in enumerate(mask.tolist()):
        if on and start is not None and vessel_break[i]:
            out.append((start, i - 1))
            start = i
        elif on and start is None:
            start = i
        elif not on and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(mask) - 1))
    return out


def loitering(
    tracks: Tracks, th: Thresholds, shore_km: ShoreKm = default_shore_km, st: Steps | None = None
) -> list[Event]:
    """Slow (< loiter_speed_kn) for >= loiter_hours at >= loiter_min_shore_nm from shore."""
    st = st or steps(tracks)
    if not len(tracks):
        return []
    v = speed(tracks, st)
    new_vessel = np.ones(len(tracks), dtype=bool)
    new_vessel[1:] = ~st.same
    silent = np.zeros(len(tracks), dtype=bool)  # a gap inside a run breaks it
    silent[1:] = st.dt > th.gap_hours * 3600
    slow = np.nan_to_num(v, nan=np.inf) < th.loiter_speed_kn
    runs = [
        (a, b)
        for a, b in _runs(slow, new_vessel | silent)
        if tracks.t[b] - tracks.t[a] >= th.loiter_hours * 3600
    ]
    if not runs:
        return []
    mid = np.array([(a + b) // 2 for a, b in runs])
    shore = shore_km(tracks.lat[mid], tracks.lon[mid])
    out = []
    for (a, b), m, km in zip(runs, mid.tolist(), shore.tolist(), strict=True):
        if km < th.loiter_min_shore_nm * NM_KM:
            continue
        hours = (tracks.t[b] - tracks.t[a]) / 3600.0
        out.append(
            Event(
                "loitering",
                int(tracks.mmsi[a]),
                int(tracks.t[a]),
                int(tracks.t[b]),
                float(tracks.lat[m]),
                float(tracks.lon[m]),
                f"slow (< {th.loiter_speed_kn:g} kn) for {hours:.1f} h, "
                + ("beyond 200 km" if not np.isfinite(km) else f"{km:.0f} km")
                + " from shore",
                {
                    "hours": round(hours, 2),
                    "fixes": b - a + 1,
                    "mean_knots": round(float(np.nanmean(v[a : b + 1])), 2),
                    "shore_km": None if not np.isfinite(km) else round(km, 1),
                    "thresholds": {
                        "loiter_speed_kn": th.loiter_speed_kn,
                        "loiter_hours": th.loiter_hours,
                        "loiter_min_shore_nm": th.loiter_min_shore_nm,
                    },
                },
                sources=_src(tracks, a, b),
            )
        )
    return out


def encounters(
    tracks: Tracks, th: Thresholds, shore_km: ShoreKm = default_shore_km, st: Steps | None = None
) -> list[Event]:
    """Two vessels within encounter_km, both slower than encounter_speed_kn, for >= encounter_hours.

    Tracks are put on a time grid (slot_minutes; each vessel's last fix in a slot), then pairs are
    found per slot and grid cell in DuckDB (in memory) and consecutive slots joined into runs."""
    if len(tracks) < 2:
        return []
    st = st or steps(tracks)
    v = speed(tracks, st)
    slot = max(int(th.slot_minutes * 60), 1)
    cell = max(th.encounter_km / 111.0, 1e-4)
    con = duckdb.connect()
    try:
        con.register(
            "fix",
            {
                "mmsi": tracks.mmsi,
                "t": tracks.t,
                "lat": tracks.lat,
                "lon": tracks.lon,
                "v": np.nan_to_num(v, nan=np.inf),
                "i": np.arange(len(tracks), dtype=np.int64),
            },
        )
        rows = con.execute(
            f"""
            WITH s AS (
                SELECT mmsi, t // {slot} AS s, arg_max(lat, t) AS lat, arg_max(lon, t) AS lon,
                       max(v) AS v, arg_max(i, t) AS i
                FROM fix GROUP BY mmsi, t // {slot}
            ), c AS (
                SELECT *, floor(lat / {cell})::BIGINT AS cy,
                       floor(lon / ({cell} / greatest(cos(radians(lat)), 0.1)))::BIGINT AS cx
                FROM s WHERE v < {th.encounter_speed_kn}
            ), b9 AS (
                SELECT c.*, cy + dy AS ny, cx + dx AS nx FROM c,
                (SELECT unnest([-1, 0, 1]) AS dy), (SELECT unnest([-1, 0, 1]) AS dx)
            ), pairs AS (
                SELECT a.mmsi AS a, b.mmsi AS b, a.s, a.lat, a.lon, b.lat AS blat, b.lon AS blon,
                       a.i AS ai, b.i AS bi
                FROM c a JOIN b9 b ON b.s = a.s AND b.ny = a.cy AND b.nx = a.cx AND a.mmsi < b.mmsi
            ), close AS (
                SELECT * FROM pairs
                WHERE 2 * 6371.0088 * asin(sqrt(pow(sin(radians(blat - lat) / 2), 2)
                    + cos(radians(lat)) * cos(radians(blat)) * pow(sin(radians(blon - lon) / 2), 2)))
                    <= {th.encounter_km}
            ), runs AS (
                SELECT *, s - row_number() OVER (PARTITION BY a, b ORDER BY s) AS run FROM close
            )
            SELECT a, b, min(s), max(s), count(*), avg(lat), avg(lon), min(ai), max(bi)
            FROM runs GROUP BY a, b, run
            HAVING (max(s) - min(s) + 1) * {slot} >= {th.encounter_hours * 3600}
            ORDER BY a, b, min(s)
            """
        ).fetchall()
    finally:
        con.close()
    if not rows:
        return []
    lat = np.array([r[5] for r in rows])
    lon = np.array([r[6] for r in rows])
    shore = shore_km(lat, lon)
    out = []
    for (a, b, s0, s1, n, la, lo, ai, bi), km in zip(rows, shore.tolist(), strict=True):
        if km < th.encounter_min_shore_km:
            continue
        hours = (s1 - s0 + 1) * slot / 3600.0
        out.append(
            Event(
                "encounter",
                int(a),
                int(s0 * slot),
                int((s1 + 1) * slot),
                float(la),
                float(lo),
                f"met MMSI {b}: within {th.encounter_km * 1000:.0f} m, "
                f"both under {th.encounter_speed_kn:g} kn, "
                f"for {hours:.1f} h",
                {
                    "hours": round(hours, 2),
                    "slots": int(n),
                    "shore_km": None if not np.isfinite(km) else round(km, 1),
                    "thresholds": {
                        "encounter_km": th.encounter_km,
                        "encounter_speed_kn": th.encounter_speed_kn,
                        "encounter_hours": th.encounter_hours,
                        "encounter_min_shore_km": th.encounter_min_shore_km,
                        "slot_minutes": th.slot_minutes,
                    },
                },
                other=int(b),
                sources=_src(tracks, int(ai), int(bi)),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Area:
    """A named place of the gazetteer (departure or landing area, port)."""

    name: str
    kind: str
    lat: float
    lon: float


def area_time(tracks: Tracks, areas: list[Area], th: Thresholds, st: Steps | None = None) -> list[Event]:
    """Hours each vessel spent within area_km of each departure or landing area (>= area_hours)."""
    if not len(tracks) or not areas:
        return []
    st = st or steps(tracks)
    alat = np.array([a.lat for a in areas])
    alon = np.array([a.lon for a in areas])
    near = np.full(len(tracks), -1, dtype=np.int64)
    box = th.area_km / 111.0 * 2
    cand = np.flatnonzero((tracks.lat >= alat.min() - box) & (tracks.lat <= alat.max() + box))
    for k in range(len(areas)):
        sel = cand[
            (np.abs(tracks.lat[cand] - alat[k]) < box) & (np.abs(tracks.lon[cand] - alon[k]) < box * 2)
        ]
        if len(sel):
            d = haversine_km(tracks.lat[sel], tracks.lon[sel], alat[k], alon[k])
            near[sel[d <= th.area_km]] = k
    inside = st.same & (near[:-1] >= 0) & (near[:-1] == near[1:]) & (st.dt <= th.gap_hours * 3600)
    idx = np.flatnonzero(inside)
    spent: dict[tuple[int, int], list[int]] = {}
    for i in idx.tolist():
        key = (int(tracks.mmsi[i]), int(near[i]))
        acc = spent.setdefault(key, [0, int(tracks.t[i]), int(tracks.t[i + 1]), i])
        acc[0] += int(st.dt[i])
        acc[2] = int(tracks.t[i + 1])
    out = []
    for (mmsi, k), (seconds, t0, t1, i) in sorted(spent.items()):
        if seconds < th.area_hours * 3600:
            continue
        a = areas[k]
        what = a.kind.replace("_", " ")
        out.append(
            Event(
                "area",
                mmsi,
                t0,
                t1,
                a.lat,
                a.lon,
                f"{seconds / 3600:.1f} h within {th.area_km:g} km of {a.name} ({what})",
                {
                    "area": a.name,
                    "area_kind": a.kind,
                    "hours": round(seconds / 3600, 2),
                    "thresholds": {"area_km": th.area_km, "area_hours": th.area_hours},
                },
                sources=_src(tracks, i),
            )
        )
    return out


def impossible_moves(tracks: Tracks, th: Thresholds, st: Steps | None = None) -> list[Event]:
    """One MMSI in two places at once: consecutive fixes that need more than impossible_speed_kn."""
    st = st or steps(tracks)
    bad = st.same & (st.knots > th.impossible_speed_kn) & (st.km > th.impossible_min_km)
    out = []
    idx = np.flatnonzero(bad)
    if not len(idx):
        return []
    for mmsi in np.unique(tracks.mmsi[idx]).tolist():
        mine = idx[tracks.mmsi[idx] == mmsi]
        i = int(mine[0])
        out.append(
            Event(
                "identity",
                int(mmsi),
                int(tracks.t[i]),
                int(tracks.t[i + 1]),
                float(tracks.lat[i]),
                float(tracks.lon[i]),
                f"MMSI {mmsi} seen in two places at once {len(mine)} time(s): e.g. {st.km[i]:.0f} km apart "
                f"{st.dt[i] / 60:.0f} min apart (shared or spoofed identity)",
                {
                    "anomaly": "two_places",
                    "times": len(mine),
                    "km_apart": round(float(st.km[i]), 1),
                    "minutes_apart": round(float(st.dt[i]) / 60, 1),
                    "thresholds": {
                        "impossible_speed_kn": th.impossible_speed_kn,
                        "impossible_min_km": th.impossible_min_km,
                    },
                },
                sources=_src(tracks, i, i + 1),
            )
        )
    return out


def voyages(tracks: Tracks, areas: list[Area], th: Thresholds, st: Steps | None = None) -> list[Event]:
    """Voyages: a track cut at silences >= voyage_gap_hours, each end named after the nearest place."""
    if not len(tracks):
        return []
    st = st or steps(tracks)
    cut = np.ones(len(tracks), dtype=bool)
    cut[1:] = ~st.same | (st.dt >= th.voyage_gap_hours * 3600)
    starts = np.flatnonzero(cut)
    ends = np.append(starts[1:] - 1, len(tracks) - 1)
    alat = np.array([a.lat for a in areas]) if areas else np.zeros(0)
    alon = np.array([a.lon for a in areas]) if areas else np.zeros(0)

    def place(i: int) -> str:
        if len(alat):
            d = haversine_km(alat, alon, tracks.lat[i], tracks.lon[i])
            k = int(np.argmin(d))
            if d[k] <= th.voyage_place_km:
                return areas[k].name
        return f"sea {tracks.lat[i]:.2f},{tracks.lon[i]:.2f}"

    out = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        if b == a:
            continue
        start, end = place(a), place(b)
        km = float(st.km[a:b][st.same[a:b]].sum())
        out.append(
            Event(
                "voyage",
                int(tracks.mmsi[a]),
                int(tracks.t[a]),
                int(tracks.t[b]),
                float(tracks.lat[a]),
                float(tracks.lon[a]),
                f"{start} → {end}, {km:.0f} km in {(tracks.t[b] - tracks.t[a]) / 3600:.1f} h",
                {
                    "from": start,
                    "to": end,
                    "km": round(km, 1),
                    "fixes": b - a + 1,
                    "end_lat": float(tracks.lat[b]),
                    "end_lon": float(tracks.lon[b]),
                },
                sources=_src(tracks, a, b),
            )
        )
    return out


def _gaps_split(tracks: Tracks, th: Thresholds, shore_km: ShoreKm, st: Steps) -> list[Event]:
    """Gaps, with an MMSI seen in two places at once read as the physical tracks behind it."""
    found = gaps(tracks, th, shore_km, st)
    shared = shared_mmsis(st, tracks, th)
    if not shared:
        return found
    split = split_tracks(tracks, shared, th)
    per = {m: len({int(k) % SPLIT for k in np.unique(split.mmsi[split.mmsi // SPLIT == m])}) for m in shared}
    kept = [e for e in found if e.mmsi not in per]
    for e in gaps(split, th, shore_km):
        track, e.mmsi = e.mmsi % SPLIT + 1, e.mmsi // SPLIT
        if per[e.mmsi] > 1:
            e.evidence["track"] = {"of_mmsi": track, "tracks": per[e.mmsi]}
            e.summary += f" (track {track} of {per[e.mmsi]} broadcasting this MMSI at once)"
        kept.append(e)
    return kept


def behaviour(
    tracks: Tracks,
    th: Thresholds,
    areas: list[Area] | None = None,
    shore_km: ShoreKm = default_shore_km,
    kinds: Iterable[str] = ("gap", "loitering", "encounter", "area", "identity", "voyage"),
) -> list[Event]:
    """Every detector over the tracks (the steps are computed once)."""
    st = steps(tracks) if len(tracks) else None
    wanted = set(kinds)
    out: list[Event] = []
    if not len(tracks):
        return out
    if "gap" in wanted:
        out += _gaps_split(tracks, th, shore_km, st or steps(tracks))
    if "loitering" in wanted:
        out += loitering(tracks, th, shore_km, st)
    if "encounter" in wanted:
        out += encounters(tracks, th, shore_km, st)
    if "area" in wanted:
        out += area_time(tracks, [a for a in areas or [] if a.kind != "port"], th, st)
    if "identity" in wanted:
        out += impossible_moves(tracks, th, st)
    if "voyage" in wanted:
        out += voyages(tracks, areas or [], th, st)
    return out
