"""Vessel tracks as sorted numpy columns, and the steps between consecutive fixes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mare.analyse.geo.geodesy import haversine_km

KNOT_KMH = 1.852


@dataclass(slots=True)
class Tracks:
    """Positions sorted by (mmsi, time): seconds since 1970, degrees, knots (nan: not reported).

    `source` indexes `sources` (the contribution each fix came from: its provenance)."""

    mmsi: NDArray[np.int64]
    t: NDArray[np.int64]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    sog: NDArray[np.float64]
    source: NDArray[np.int32]
    sources: list[str]

    @classmethod
    def build(
        cls,
        mmsi: NDArray[np.int64],
        t: NDArray[np.int64],
        lat: NDArray[np.float64],
        lon: NDArray[np.float64],
        sog: NDArray[np.float64] | None = None,
        source: NDArray[np.int32] | None = None,
        sources: list[str] | None = None,
    ) -> Tracks:
        """Sort the columns by vessel and time (duplicate fixes of one vessel at one second are dropped)."""
        n = len(mmsi)
        sog_a = np.full(n, np.nan) if sog is None else np.asarray(sog, np.float64)
        src = np.zeros(n, np.int32) if source is None else np.asarray(source, np.int32)
        order = np.lexsort((np.asarray(t), np.asarray(mmsi)))
        m, tt = np.asarray(mmsi, np.int64)[order], np.asarray(t, np.int64)[order]
        keep = np.ones(n, dtype=bool)
        if n > 1:
            keep[1:] = (m[1:] != m[:-1]) | (tt[1:] != tt[:-1])
        order = order[keep]
        return cls(
            m[keep],
            tt[keep],
            np.asarray(lat, np.float64)[order],
            np.asarray(lon, np.float64)[order],
            sog_a[order],
            src[order],
            sources or [""],
        )

    def __len__(self) -> int:
        return len(self.mmsi)

    def vessels(self) -> NDArray[np.int64]:
        """The distinct MMSIs."""
        return np.unique(self.mmsi)


@dataclass(slots=True)
class Steps:
    """From each fix i to fix i+1 of the same vessel (`same` is False across vessels)."""

    same: NDArray[np.bool_]
    dt: NDArray[np.int64]  # seconds
    km: NDArray[np.float64]
    knots: NDArray[np.float64]  # implied by the positions (inf for dt 0 with movement)
    bearing: NDArray[np.float64]  # degrees


def steps(tracks: Tracks) -> Steps:
    """Steps between consecutive fixes (length n-1)."""
    same = tracks.mmsi[1:] == tracks.mmsi[:-1]
    dt = tracks.t[1:] - tracks.t[:-1]
    km = haversine_km(tracks.lat[:-1], tracks.lon[:-1], tracks.lat[1:], tracks.lon[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        knots = np.where(dt > 0, km / (dt / 3600.0) / KNOT_KMH, np.where(km > 0.05, np.inf, 0.0))
    la1, la2 = np.radians(tracks.lat[:-1]), np.radians(tracks.lat[1:])
    dlon = np.radians(tracks.lon[1:] - tracks.lon[:-1])
    y = np.sin(dlon) * np.cos(la2)
    x = np.cos(la1) * np.sin(la2) - np.sin(la1) * np.cos(la2) * np.cos(dlon)
    bearing = np.degrees(np.arctan2(y, x)) % 360.0
    return Steps(same, dt, km, knots, bearing)


def speed(tracks: Tracks, st: Steps) -> NDArray[np.float64]:
    """Speed at each fix: the reported SOG, else the speed implied by the step to the next fix."""
    implied = np.full(len(tracks), np.nan)
    ok = st.same & (st.dt > 0) & (st.dt <= 3600)
    implied[:-1][ok] = st.knots[ok]
    return np.where(np.isnan(tracks.sog), implied, tracks.sog)


def angle_between(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Smallest angle between two bearings, degrees (0..180)."""
    d = np.abs((a - b) % 360.0)
    return np.minimum(d, 360.0 - d)
