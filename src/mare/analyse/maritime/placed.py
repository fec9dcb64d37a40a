"""Encounters with vessels that do not broadcast, where other intelligence places them.

A report of the hub (a sighting, an interception, a rescue: a record with a position and a time) places
a vessel without AIS. A broadcasting vessel met it when, within `placed_hours` of the report, it was slow
within `placed_km` of the reported position; or when its silence was a dark rendezvous (it came back on
its track) across the report's time and it could have gone from where it fell silent to the reported
position and on to where it reappeared at its own speed (a quarter over the speed it reported at either
end, at most `placed_max_knots`). Each event names the report, the rule and its distances and times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mare.analyse.geo.geodesy import haversine_km
from mare.analyse.maritime.events import Event, iso
from mare.analyse.maritime.thresholds import Thresholds
from mare.analyse.maritime.tracks import KNOT_KMH, Steps, Tracks, speed, steps


@dataclass(frozen=True, slots=True)
class Report:
    """A vessel without AIS placed by a record of the hub: where and when, and whose record it is."""

    record: str
    kind: str  # the event type: sighting, interception, ...
    t: int
    lat: float
    lon: float
    agency: str
    handling: str
    vessel: str | None = None  # the vessel record it names, if any


def placed_encounters(
    tracks: Tracks, dark: list[Event], reports: list[Report], th: Thresholds, st: Steps | None = None
) -> list[Event]:
    """Broadcasting vessels slow near a report, or dark across it and able to reach it."""
    if not reports or not len(tracks):
        return []
    st = st or steps(tracks)
    slow = np.flatnonzero(np.nan_to_num(speed(tracks, st), nan=np.inf) < th.encounter_speed_kn)
    slow = slow[np.argsort(tracks.t[slow], kind="stable")]
    times = tracks.t[slow]
    out: list[Event] = []
    window = int(th.placed_hours * 3600)
    for r in reports:
        lo, hi = np.searchsorted(times, [r.t - window, r.t + window + 1])
        near = slow[lo:hi]
        if near.size:
            km = haversine_km(tracks.lat[near], tracks.lon[near], r.lat, r.lon)
            best: dict[int, tuple[float, int]] = {}
            for i, d in zip(near[km <= th.placed_km].tolist(), km[km <= th.placed_km].tolist(), strict=True):
                m = int(tracks.mmsi[i])
                if m not in best or d < best[m][0]:
                    best[m] = (d, i)
            for m, (d, i) in sorted(best.items()):
                out.append(_event(r, m, int(tracks.t[i]), "slow", {"km": round(d, 2)}, tracks, [i], th))
        for g in dark:
            if g.kind != "dark_rendezvous" or not g.start <= r.t <= g.end:
                continue
            a, b = g.evidence["from"], g.evidence["to"]
            reach = float(
                haversine_km(a["lat"], a["lon"], r.lat, r.lon)
                + haversine_km(r.lat, r.lon, b["lat"], b["lon"])
            )
            knots = _own_speed(tracks, g, th.placed_max_knots)
            limit = (g.end - g.start) / 3600.0 * knots * KNOT_KMH
            if reach <= limit:
                facts = {
                    "reach_km": round(reach, 1),
                    "reachable_km": round(limit, 1),
                    "at_knots": round(knots, 1),
                    "gap": g.summary,
                }
                out.append(_event(r, g.mmsi, r.t, "dark", facts, None, [], th, g.sources))
    return out


def _own_speed(tracks: Tracks, g: Event, th_max: float) -> float:
    """The speed a vessel could have kept while dark: a quarter over the faster of its reported speeds
    at either end of the silence, at most `th_max` (that, when neither was reported)."""
    lo = int(np.searchsorted(tracks.mmsi, g.mmsi))
    hi = int(np.searchsorted(tracks.mmsi, g.mmsi, side="right"))
    ends = lo + np.searchsorted(tracks.t[lo:hi], [g.start, g.end])
    sog = tracks.sog[np.clip(ends, lo, max(hi - 1, lo))]
    sog = sog[np.isfinite(sog)]
    return min(th_max, 1.25 * float(sog.max())) if sog.size and sog.max() > 0 else th_max


def _event(
    r: Report,
    mmsi: int,
    t: int,
    rule: str,
    facts: dict[str, object],
    tracks: Tracks | None,
    fixes: list[int],
    th: Thresholds,
    sources: list[str] | None = None,
) -> Event:
    if tracks is not None:
        sources = sorted({tracks.sources[int(tracks.source[i])] for i in fixes})
    what = (
        f"slow {facts['km']} km from it"
        if rule == "slow"
        else f"dark at the time, and could have been there ({facts['reach_km']} km of "
        f"{facts['reachable_km']} km reachable)"
    )
    return Event(
        "placed_encounter",
        mmsi,
        min(t, r.t),
        max(t, r.t),
        r.lat,
        r.lon,
        f"met a vessel without AIS placed by a {r.kind} report at {iso(r.t)}: {what}",
        {
            "rule": rule,
            "report": {
                "record": r.record,
                "kind": r.kind,
                "t": iso(r.t),
                "lat": r.lat,
                "lon": r.lon,
                "agency": r.agency,
                "handling": r.handling,
                "vessel_record": r.vessel,
            },
            **facts,
            "minutes_apart": round(abs(t - r.t) / 60.0, 1),
            "thresholds": {
                "placed_km": th.placed_km,
                "placed_hours": th.placed_hours,
                "placed_max_knots": th.placed_max_knots,
                "encounter_speed_kn": th.encounter_speed_kn,
            },
        },
        sources=list(sources or []),
    )
