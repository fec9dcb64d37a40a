"""Behaviour events on small synthetic tracks: each detector fires where it should and nowhere else."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from mare.analyse.maritime.events import (
    Area,
    area_time,
    behaviour,
    encounters,
    gaps,
    impossible_moves,
    loitering,
)
from mare.analyse.maritime.identity import StaticReport, flag_of, identity_anomalies, imo_valid
from mare.analyse.maritime.thresholds import Thresholds
from mare.analyse.maritime.tracks import Tracks

TH = Thresholds()
T0 = 1_760_000_000


def far(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Everything 100 km from shore."""
    return np.full(len(lat), 100.0)


def near(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Everything 1 km from shore (a harbour)."""
    return np.full(len(lat), 1.0)


def line(mmsi: int, t0: int, n: int, lat0: float, lon0: float, dlat: float, dlon: float, step: int = 600):
    """n fixes every `step` s moving by (dlat, dlon) each."""
    k = np.arange(n)
    return (np.full(n, mmsi), t0 + k * step, lat0 + k * dlat, lon0 + k * dlon)


def tracks(*parts: tuple, sog: float | None = None) -> Tracks:
    mmsi = np.concatenate([p[0] for p in parts])
    t = np.concatenate([p[1] for p in parts])
    lat = np.concatenate([p[2] for p in parts])
    lon = np.concatenate([p[3] for p in parts])
    speeds = None if sog is None else np.full(len(mmsi), sog)
    return Tracks.build(mmsi, t, lat, lon, speeds)


def test_gap_out_and_back_is_a_dark_rendezvous_and_straight_on_is_a_gap() -> None:
    out = line(247000001, T0, 12, 34.0, 13.0, 0.01, 0.0)
    back = line(247000001, T0 + 11 * 600 + 6 * 3600, 12, 34.10, 13.0, -0.01, 0.0)
    on = line(247000002, T0, 12, 34.0, 14.0, 0.01, 0.0)
    on2 = line(247000002, T0 + 11 * 600 + 6 * 3600, 12, 34.4, 14.0, 0.01, 0.0)
    events = gaps(tracks(out, back, on, on2), TH, far)
    kinds = {e.mmsi: e.kind for e in events}
    assert kinds == {247000001: "dark_rendezvous", 247000002: "gap"}
    dark = next(e for e in events if e.kind == "dark_rendezvous")
    assert dark.evidence["hours"] >= 6 and dark.evidence["came_back"] is True
    assert dark.evidence["gfw_disabling"] is False  # 6 h < GFW's 12 h
    assert gaps(tracks(out, back), TH, near) == []  # silent in harbour: not a gap at sea
    assert gaps(tracks(out, back), TH.with_settings(["gap_hours=8"]), far) == []


def test_loitering_far_from_shore_only() -> None:
    slow = tracks(line(247000003, T0, 30, 34.0, 13.0, 0.0001, 0.0), sog=0.5)  # 5 h at 0.5 kn
    found = loitering(slow, TH, far)
    assert len(found) == 1 and found[0].evidence["hours"] >= 3
    assert loitering(slow, TH, near) == []  # moored in port: left alone
    fast = tracks(line(247000004, T0, 30, 34.0, 13.0, 0.02, 0.0), sog=12.0)
    assert loitering(fast, TH, far) == []


def test_encounter_two_slow_vessels_together() -> None:
    a = line(247000005, T0, 20, 34.0, 13.0, 0.0, 0.0)
    b = line(247000006, T0 + 30, 20, 34.001, 13.001, 0.0, 0.0)  # ~140 m apart for 3 h
    c = line(247000007, T0, 20, 34.0, 13.0, 0.05, 0.0)  # passes through at speed
    found = encounters(tracks(a, b, c, sog=0.5), TH, far)
    assert [(e.mmsi, e.other) for e in found] == [(247000005, 247000006)]
    assert found[0].evidence["hours"] >= 2
    assert encounters(tracks(a, b, sog=0.5), TH, near) == []  # alongside in port
    short = line(247000006, T0, 6, 34.001, 13.001, 0.0, 0.0)  # one hour only
    assert encounters(tracks(a, short, sog=0.5), TH, far) == []


def test_one_mmsi_in_two_places_at_once() -> None:
    here = line(247000008, T0, 5, 34.0, 13.0, 0.001, 0.0)
    there = line(247000008, T0 + 300, 5, 38.0, 20.0, 0.001, 0.0)
    found = impossible_moves(tracks(here, there), TH)
    assert len(found) == 1 and found[0].evidence["anomaly"] == "two_places"
    assert impossible_moves(tracks(here), TH) == []


def test_time_off_departure_area() -> None:
    zuwara = Area("Zuwara", "departure_area", 32.931, 12.082)
    idle = tracks(line(247000009, T0, 20, 32.95, 12.10, 0.0005, 0.0))
    found = area_time(idle, [zuwara], TH)
    assert len(found) == 1 and found[0].evidence["area"] == "Zuwara"
    assert area_time(tracks(line(247000009, T0, 20, 36.0, 15.0, 0.0, 0.0)), [zuwara], TH) == []


def test_voyages_named_after_places() -> None:
    a, b = Area("Sfax", "departure_area", 34.74, 10.76), Area("Lampedusa", "landing_area", 35.507, 12.603)
    n = 40
    trip = (
        np.full(n, 247000010),
        T0 + np.arange(n) * 1800,
        np.linspace(a.lat, b.lat, n),
        np.linspace(a.lon, b.lon, n),
    )
    voyages = [e for e in behaviour(tracks(trip), TH, [a, b], far) if e.kind == "voyage"]
    assert (
        len(voyages) == 1
        and voyages[0].evidence["from"] == "Sfax"
        and voyages[0].evidence["to"] == "Lampedusa"
    )


def test_identity_anomalies_from_static_reports() -> None:
    when = datetime(2025, 5, 1)
    reports = [
        StaticReport(247000011, when, "9074729", "SEA STAR", "IABC", 70, "C1"),
        StaticReport(247000011, datetime(2025, 6, 1), "9074729", "NEW NAME", "IABC", 70, "C1"),
        StaticReport(636000012, when, "9074729", "SEA STAR", None, 70, "C2"),  # same IMO, Liberian MMSI
        StaticReport(247000013, when, "1234560", "BAD IMO", None, None, "C1"),
    ]
    found = identity_anomalies(reports, [247000011, 636000012, 247000013, 12345])
    anomalies = {(e.mmsi, e.evidence["anomaly"]) for e in found}
    assert (247000011, "name_change") in anomalies
    assert (247000011, "flag_change") in anomalies and (636000012, "flag_change") in anomalies
    assert (247000013, "invalid_imo") in anomalies
    assert (12345, "invalid_mmsi") in anomalies
    assert not any(m == 636000012 and a == "name_change" for m, a in anomalies)
    assert imo_valid("9074729") and not imo_valid("9074720")
    assert flag_of(247000011) == "IT" and flag_of(12345) is None


def test_thresholds_settings_are_checked() -> None:
    assert Thresholds().with_settings(["gap_hours=6"]).gap_hours == 6
    for bad in (["gap=6"], ["gap_hours"], ["gap_hours=soon"], ["gap_hours=-1"]):
        with pytest.raises(ValueError, match="gap"):
            Thresholds().with_settings(bad)


def test_two_tows_at_once_under_one_mmsi_are_read_as_two_tracks() -> None:
    """One MMSI out and back twice at the same time, 500 km apart: both silences are found."""
    m = 247000009
    a = line(m, T0, 31, 34.0, 13.0, 0.01, 0.0)  # out 5 h, dark 4 h, back 5 h
    a2 = line(m, T0 + 9 * 3600, 31, 34.30, 13.0, -0.01, 0.0)
    b = line(m, T0 + 9000 + 5, 31, 36.0, 18.0, 0.0, 0.01)  # the same, 2.5 h later and 500 km away
    b2 = line(m, T0 + 9000 + 5 + 9 * 3600, 31, 36.0, 18.30, 0.0, -0.01)
    merged = tracks(a, a2, b, b2)
    assert not gaps(merged, TH, far)  # on the merged track each silence is filled by the other's fixes
    events = [e for e in behaviour(merged, TH, [], far, kinds=("gap",))]
    assert sorted((e.kind, e.evidence["track"]["tracks"]) for e in events) == [
        ("dark_rendezvous", 2),
        ("dark_rendezvous", 2),
    ]
    assert {e.mmsi for e in events} == {m}
    glitch = tracks(a, a2, (np.array([m]), np.array([T0 + 1805]), np.array([10.0]), np.array([55.0])))
    (one,) = behaviour(glitch, TH, [], far, kinds=("gap",))  # a lone glitch leaves the track whole
    assert one.kind == "dark_rendezvous" and one.evidence["track"]["tracks"] == 2
