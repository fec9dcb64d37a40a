"""One MMSI broadcast from two places at once, split into the physical tracks behind it.

When consecutive fixes of one MMSI need an impossible speed (two vessels sharing an identity, a
spoofed MMSI, or one ship's tracks interleaved by two sources), gaps cannot be read off the merged
track: one vessel's silence is filled by the other's fixes. Such MMSIs are split greedily, in time
order: each fix joins the track whose last fix it can be reached from at a possible speed (the
nearest one), else it starts a new track, as GFW's track segmentation does. A lone glitch becomes
a one-fix track and leaves the main track whole.
"""

from __future__ import annotations

import math

import numpy as np

from mare.analyse.geo.geodesy import EARTH_RADIUS_KM
from mare.analyse.maritime.thresholds import Thresholds
from mare.analyse.maritime.tracks import KNOT_KMH, Steps, Tracks

#: Tracks per MMSI at most; the key of track k of MMSI m is m * SPLIT + k.
SPLIT = 16


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def shared_mmsis(st: Steps, tracks: Tracks, th: Thresholds) -> list[int]:
    """MMSIs with at least one step needing an impossible speed over a real distance."""
    bad = st.same & (st.knots > th.impossible_speed_kn) & (st.km > th.impossible_min_km)
    return sorted({int(m) for m in np.unique(tracks.mmsi[:-1][bad]).tolist()})


def split_tracks(tracks: Tracks, mmsis: list[int], th: Thresholds) -> Tracks:
    """The fixes of these MMSIs, each MMSI split into physical tracks keyed m * SPLIT + k."""
    keys: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    for m in mmsis:
        lo, hi = (int(x) for x in np.searchsorted(tracks.mmsi, [m, m + 1]))
        t, lat, lon = tracks.t[lo:hi].tolist(), tracks.lat[lo:hi].tolist(), tracks.lon[lo:hi].tolist()
        last: list[tuple[int, float, float]] = []  # each track's last fix
        which = np.zeros(hi - lo, dtype=np.int64)
        for i in range(hi - lo):
            best, best_km = -1, float("inf")
            for k, (t0, la0, lo0) in enumerate(last):
                km = _km(la0, lo0, lat[i], lon[i])
                hours = max(t[i] - t0, 1) / 3600.0
                if (km <= th.impossible_min_km or km / hours / KNOT_KMH <= th.impossible_speed_kn) and (
                    km < best_km
                ):
                    best, best_km = k, km
            if best < 0:
                if len(last) < SPLIT:
                    last.append((t[i], lat[i], lon[i]))
                    best = len(last) - 1
                else:  # too many at once: the nearest
                    best = int(np.argmin([_km(a, b, lat[i], lon[i]) for _, a, b in last]))
            last[best] = (t[i], lat[i], lon[i])
            which[i] = best
        keys.append(m * SPLIT + which)
        rows.append(np.arange(lo, hi))
    idx = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    return Tracks.build(
        np.concatenate(keys) if keys else np.zeros(0, np.int64),
        tracks.t[idx],
        tracks.lat[idx],
        tracks.lon[idx],
        tracks.sog[idx],
        tracks.source[idx],
        tracks.sources,
    )
