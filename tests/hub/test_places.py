"""`mare hotspots --hub` and `mare routes --hub`: the hub's events and legs, through the policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from analyse.geo.geo_helpers import needs_atlas
from builders import write_contribution
from mare.access.policy import Viewer
from mare.analyse.geo.enrich import geocode_records
from mare.cli import app
from mare.hub.context import HubContext
from mare.hub.places import event_points, hub_hotspots, hub_routes, legs
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store

OWNER = Viewer("olga", "FR-OCRIEST")  # owns the H2 contribution
THIRD = Viewer("marco", "IT-SCO")  # may see the H0 one only
SECRET_PLACE = "Kalamata"


def ctx(store: Store, viewer: Viewer) -> HubContext:
    return HubContext(store, viewer, "password")


def _event(eid: str, lat: float | None, lon: float | None, at: str, place: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": eid,
        "kind": "event",
        "event_type": "landing",
        "occurred_at": at,
        "place": place,
    }
    if lat is not None and lon is not None:
        record.update(lat=lat, lon=lon)
    return record


def _leg(
    lid: str, start: tuple[str, str, float, float], end: tuple[str, str, float, float], at: str
) -> dict[str, Any]:
    return {
        "id": lid,
        "kind": "journey_leg",
        "from_place": start[0],
        "from_country": start[1],
        "from_lat": start[2],
        "from_lon": start[3],
        "to_place": end[0],
        "to_country": end[1],
        "to_lat": end[2],
        "to_lon": end[3],
        "departed_at": at,
    }


ZUWARA = ("Zuwara", "LY", 32.93, 12.08)
LAMPEDUSA = ("Lampedusa", "IT", 35.51, 12.60)
IZMIR = ("Izmir", "TR", 38.42, 27.14)
LESBOS = ("Mytilene", "GR", 39.10, 26.55)
NADOR = ("Nador", "MA", 35.17, -2.93)
ALMERIA = ("Almeria", "ES", 36.84, -2.46)


def load(store: Store, tmp_path: Path) -> None:
    """H0 (DE-BKA): events at Lampedusa (given coordinates) and at Zuwara (place text only, geocoded),
    scattered background events, legs Central Med -> Eastern Med between quarters. H2 (FR-OCRIEST):
    events at Kalamata and Western Med legs."""
    records: list[dict[str, Any]] = []
    for i in range(30):
        month = 1 + i % 6
        records.append(_event(f"l{i}", 35.51, 12.60, f"2026-{month:02d}-0{1 + i % 9}", "Lampedusa"))
        records.append(_event(f"z{i}", None, None, f"2026-{month:02d}-1{i % 9}", "Zuwara"))
    for i in range(40):  # a thin background over the central and eastern Mediterranean
        records.append(_event(f"b{i}", 33.0 + (i % 8) * 0.9, 14.0 + (i // 8) * 2.3, "2026-03-15", "at sea"))
    for i in range(5):
        records.append(_leg(f"c{i}", ZUWARA, LAMPEDUSA, "2026-02-10"))  # Q1: 5 central
        records.append(_leg(f"e{i}", IZMIR, LESBOS, "2026-05-10"))  # Q2: 5 eastern
    records.append(_leg("e9", IZMIR, LESBOS, "2026-01-20"))  # Q1: 1 eastern
    records.append(_leg("c9", ZUWARA, LAMPEDUSA, "2026-04-20"))  # Q2: 1 central
    report = ingest_file(store, write_contribution(tmp_path / "open.json", records, id="OPEN-1"))
    assert report.status == "stored", report.message
    secret = [_event(f"k{i}", 37.04, 22.11, "2026-02-01", SECRET_PLACE) for i in range(30)]
    secret += [_leg(f"w{i}", NADOR, ALMERIA, "2026-05-01") for i in range(6)]
    report = ingest_file(
        store,
        write_contribution(
            tmp_path / "h2.json", secret, id="SECRET-1", agency="FR-OCRIEST", handling={"code": "H2"}
        ),
    )
    assert report.status == "stored", report.message
    geocode_records(store)


def test_points_and_legs_through_the_policy(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    third = event_points(ctx(store, THIRD))
    assert len(third) == 100  # 30 Lampedusa + 30 Zuwara (geocoded) + 40 background
    assert not any(p.place == SECRET_PLACE for p in third)
    zuwara = [p for p in third if p.place == "Zuwara"]
    assert zuwara and all(p.coordinates == "geocoded" and abs(p.lat - 32.9) < 0.3 for p in zuwara)
    assert len(event_points(ctx(store, OWNER))) == 130
    assert len(legs(ctx(store, THIRD))) == 12 and len(legs(ctx(store, OWNER))) == 18


def test_hotspots_named_and_withheld(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    found = hub_hotspots(ctx(store, THIRD), resolution=5, step="quarter")
    assert found["events"] == 100 and found["withheld"] and found["withheld"] == {"h2": 30}
    hot = [row for row in found["rows"] if row["hotspot"] == "hot"]
    names = {row["name"] for row in hot}
    assert {"Lampedusa", "Zuwara"} <= names, found["rows"]
    lampedusa = next(row for row in hot if row["name"] == "Lampedusa" and row["count"] == 30)
    assert "most frequent geocoded place" in lampedusa["name_source"] and "pattern" in lampedusa
    around = [row for row in hot if row["count"] == 0]  # significant through their neighbours
    assert around and all(row["name_source"].startswith("nearest geocoded place") for row in around)
    assert SECRET_PLACE not in json.dumps(found)
    owner = hub_hotspots(ctx(store, OWNER), resolution=5)
    assert owner["events"] == 130
    assert SECRET_PLACE in {row["name"] for row in owner["rows"]}


def test_places_of_repeated_activity(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    places = hub_hotspots(ctx(store, THIRD), resolution=5)["places"]
    by_name = {p["name"]: p for p in places}
    assert [p["name"] for p in places[:2]] == ["Zuwara", "Lampedusa"]  # 30 events each, Zuwara 6 departures
    assert by_name["Zuwara"]["count"] == 36 and by_name["Zuwara"]["kinds"] == {"landing": 30, "departure": 6}
    assert by_name["Izmir"]["kinds"] == {"departure": 6}
    assert by_name["Lampedusa"]["first_seen"] == "2026-01-01" and by_name["Lampedusa"][
        "last_seen"
    ].startswith("2026-06")
    assert "at sea" not in by_name  # the background events are one or two per place
    assert SECRET_PLACE not in by_name and "Nador" not in by_name
    owner = {p["name"] for p in hub_hotspots(ctx(store, OWNER), resolution=5)["places"]}
    assert {SECRET_PLACE, "Nador"} <= owner
    assert [p["name"] for p in hub_hotspots(ctx(store, THIRD), min_activity=40)["places"]] == []


@needs_atlas
def test_routes_flows_and_shifts(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    found = hub_routes(ctx(store, THIRD), "quarter")
    assert found["legs"] == 12
    periods = {p["period"]: p for p in found["routes"]}
    assert set(periods) == {"2026-Q1", "2026-Q2"}
    q1, q2 = periods["2026-Q1"]["flows"], periods["2026-Q2"]["flows"]
    assert q1["Central Mediterranean"]["count"] == 5 and q1["Eastern Mediterranean"]["count"] == 1
    assert q2["Central Mediterranean"]["count"] == 1 and q2["Eastern Mediterranean"]["count"] == 5
    shift = {s["route"]: s for s in found["route_shifts"]}
    assert shift["Eastern Mediterranean"]["count_delta"] == 4
    assert shift["Central Mediterranean"]["share_delta"] == pytest.approx(-4 / 6, abs=1e-3)
    assert "Western Mediterranean" not in json.dumps(found)  # the H2 legs
    crossings = {s["crossing"]: s for s in found["crossing_shifts"]}
    assert crossings["TR->GR"]["count_delta"] == 4 and crossings["LY->IT"]["count_delta"] == -4
    assert all(row["route_reason"] for row in found["rows"])
    owner = hub_routes(ctx(store, OWNER))
    assert owner["legs"] == 18 and "Western Mediterranean" in json.dumps(owner["routes"])


@needs_atlas
def test_cli(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    home = str(store.home)
    store.close()
    runner = CliRunner()
    out = tmp_path / "hot.geojson"
    hot = runner.invoke(
        app,
        ["hotspots", "--hub", "--home", home, "--as-agency", "IT-SCO", "--resolution", "5", "-o", str(out)],
    )
    assert hot.exit_code == 0, hot.output
    assert "Lampedusa" in hot.stdout and SECRET_PLACE not in hot.output
    assert json.loads(out.read_text())["features"]
    as_json = runner.invoke(
        app, ["hotspots", "--hub", "--home", home, "--as-agency", "IT-SCO", "--resolution", "5", "--json"]
    )
    assert as_json.exit_code == 0, as_json.output
    assert "Zuwara" in {row["name"] for row in json.loads(as_json.stdout)["rows"]}
    legs_csv = tmp_path / "legs.csv"
    routes = runner.invoke(
        app, ["routes", "--hub", "--home", home, "--as-agency", "IT-SCO", "-o", str(legs_csv)]
    )
    assert routes.exit_code == 0, routes.output
    assert "Eastern Mediterranean" in routes.stdout and "+4 legs" in routes.stdout
    assert "Western" not in routes.output and "Nador" not in legs_csv.read_text()
    assert "route_reason" in legs_csv.read_text().splitlines()[0]
    routes_json = runner.invoke(
        app, ["routes", "--hub", "--home", home, "--as-agency", "FR-OCRIEST", "--json"]
    )
    assert routes_json.exit_code == 0, routes_json.output
    assert json.loads(routes_json.stdout)["legs"] == 18


def test_cli_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    points = tmp_path / "points.csv"
    points.write_text("lat,lon\n35.5,12.6\n", encoding="utf-8")
    for command in ("hotspots", "routes"):
        no_lat = runner.invoke(app, [command, str(points), "-o", str(tmp_path / "o.csv")])
        assert no_lat.exit_code == 2 and "--lat" in no_lat.output
        both = runner.invoke(app, [command, str(points), "--hub", "--home", str(tmp_path / "h")])
        assert both.exit_code == 2 and "not both" in both.output
        neither = runner.invoke(app, [command])
        assert neither.exit_code == 2 and "--hub" in neither.output
