"""Vessels of interest through the hub: the policy decides which agencies' AIS a viewer's list uses."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Viewer
from mare.cli import app
from mare.hub.context import HubContext
from mare.hub.maritime import hub_vessels
from mare.ingest.pipeline import IngestOptions, ingest_file
from mare.store.db import Store
from maritime.ais_builders import position

T0 = 1_760_000_000
SECRET = 247000111  # in GR-HCG's H2 AIS: other agencies must not learn of it
OPEN = 247000222  # in IT-GDF's H0 AIS


def far(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return np.full(len(lat), 100.0)


def _out_and_back(mmsi: int, lon: float) -> list[str]:
    """Out for 2 h, dark 6 h, back the same way: a dark rendezvous."""
    lines = [position(mmsi, T0 + k * 600, 34.0 + 0.01 * k, lon) for k in range(12)]
    back0 = T0 + 11 * 600 + 6 * 3600
    lines += [position(mmsi, back0 + k * 600, 34.10 - 0.01 * k, lon) for k in range(12)]
    return lines


def _send(tmp_path: Path, store: Store, name: str, agency: str, handling: str, lines: list[str]) -> None:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    report = ingest_file(store, path, IngestOptions(agency=agency, handling=handling))
    assert report.status == "stored", report.message


def _world(tmp_path: Path, store: Store) -> None:
    _send(tmp_path, store, "hcg.nmea", "GR-HCG", "H2", _out_and_back(SECRET, 25.0))
    _send(tmp_path, store, "gdf.nmea", "IT-GDF", "H0", _out_and_back(OPEN, 15.0))
    vessel = {"id": "v1", "kind": "vessel", "name": "OPEN SEA", "mmsi": str(OPEN)}
    suspect = {"id": "p1", "kind": "person", "name": "Karim Skipper", "category": "suspect"}
    ingest_file(
        store,
        write_contribution(
            tmp_path / "case.json",
            [vessel, suspect],
            links=[{"kind": "operates_vessel", "source": "p1", "target": "v1"}],
            id="IT-CASE-1",
            agency="IT-GDF",
            handling={"code": "H0"},
        ),
    )


def test_each_agency_sees_only_what_the_policy_allows(tmp_path: Path, store: Store) -> None:
    _world(tmp_path, store)
    owner = HubContext(store, Viewer("gr", "GR-HCG", frozenset({"analyst"})), "password")
    mine = hub_vessels(owner, shore_km=far)
    assert {v["mmsi"] for v in mine["vessels"]} == {SECRET, OPEN}
    secret = next(v for v in mine["vessels"] if v["mmsi"] == SECRET)
    assert secret["owners"] == ["GR-HCG"] and secret["handling"] == "H2"
    assert any("dark rendezvous" in why for why in secret["why"])
    opened = next(v for v in mine["vessels"] if v["mmsi"] == OPEN)
    assert any("suspect" in why for why in opened["why"]) and opened["score"] > secret["score"]

    other = HubContext(store, Viewer("es", "ES-CGPJ", frozenset({"analyst"})), "password")
    theirs = hub_vessels(other, shore_km=far)
    text = json.dumps({k: v for k, v in theirs.items() if k != "all_events"}, default=str)
    assert str(SECRET) not in text  # not the vessel, not its events, not its positions
    assert "GR-HCG" not in text
    assert [v["mmsi"] for v in theirs["vessels"]] == [OPEN]
    assert theirs["withheld_contributions"] == 1
    assert all(e.mmsi != SECRET for e in theirs["all_events"])


def test_cli_vessels_on_files_and_bad_settings(tmp_path: Path) -> None:
    path = tmp_path / "own.nmea"
    path.write_text("\n".join(_out_and_back(OPEN, 15.0)) + "\nnot a sentence\n", encoding="ascii")
    runner = CliRunner()
    result = runner.invoke(app, ["vessels", str(path), "--json", "--set", "interest_min_score=0"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["files"][0]["rejected"] == 1
    assert data["files"][0]["problems"][0]["row"] == 25
    bad = runner.invoke(app, ["vessels", str(path), "--set", "gap=1"])
    assert bad.exit_code == 2 and "unknown threshold" in bad.output
    neither = runner.invoke(app, ["vessels"])
    assert neither.exit_code == 2


def test_vessels_report_lists_ais_with_its_sources(tmp_path: Path, store: Store) -> None:
    from mare.products.generate import generate

    _world(tmp_path, store)
    owner = HubContext(store, Viewer("gr", "GR-HCG", frozenset({"analyst"})), "password")
    report = generate(owner, "vessels")
    ais = next(s for s in report.sections if s.key == "maritime")
    assert ais.data["ais"] is True and ais.data["listed"] >= 1
    assert {s.agency for s in report.sources} >= {"GR-HCG", "IT-GDF"}
    assert report.handling_code == "H2"  # GR-HCG's AIS is H2: the report says so
    other = HubContext(store, Viewer("es", "ES-CGPJ", frozenset({"analyst"})), "password")
    theirs = json.dumps(generate(other, "vessels").as_dict(), default=str)
    assert str(SECRET) not in theirs and "GR-HCG" not in theirs


def test_vessel_of_a_company_of_interest_is_listed_with_why(tmp_path: Path, store: Store) -> None:
    quiet = 247000333  # no behaviour: only its operator ties it to smuggling
    lines = [position(quiet, T0 + k * 600, 34.0 + 0.01 * k, 20.0) for k in range(12)]
    _send(tmp_path, store, "quiet.nmea", "IT-GDF", "H0", lines)
    records = [
        {"id": "v1", "kind": "vessel", "name": "QUIET", "mmsi": str(quiet)},
        {"id": "o1", "kind": "organisation", "name": "Blue Shipping Ltd"},
        {"id": "o2", "kind": "organisation", "name": "Harmless Ferries"},
        {"id": "v2", "kind": "vessel", "name": "FERRY", "mmsi": "247000444"},
        {"id": "p1", "kind": "person", "name": "Karim Skipper", "category": "suspect"},
    ]
    links = [
        {"kind": "operates_vessel", "source": "o1", "target": "v1"},
        {"kind": "member_of", "source": "p1", "target": "o1"},
        {"kind": "operates_vessel", "source": "o2", "target": "v2"},
    ]
    ingest_file(
        store,
        write_contribution(
            tmp_path / "co.json",
            records,
            links=links,
            id="IT-CASE-2",
            agency="IT-GDF",
            handling={"code": "H0"},
        ),
    )
    _send(tmp_path, store, "ferry.nmea", "IT-GDF", "H0", [position(247000444, T0, 34.0, 21.0)])
    ctx = HubContext(store, Viewer("it", "IT-GDF", frozenset({"analyst"})), "password")
    listed = {v["mmsi"]: v for v in hub_vessels(ctx, shore_km=far)["vessels"]}
    assert quiet in listed and 247000444 not in listed  # the ferry's operator is of no interest
    assert any("organisation(s) of interest" in w and "1 suspect member" in w for w in listed[quiet]["why"])


def test_events_are_stored_per_data_stamp_and_rebuilt_when_the_ais_changes(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mare.hub.maritime as maritime

    _world(tmp_path, store)
    owner = HubContext(store, Viewer("gr", "GR-HCG", frozenset({"analyst"})), "password")
    other = HubContext(store, Viewer("es", "ES-CGPJ", frozenset({"analyst"})), "password")
    con = store.con

    def builds() -> list[tuple[str, list[str], int]]:
        return [
            tuple(r)
            for r in con.execute("SELECT stamp, contributions, events FROM maritime_event_builds").fetchall()
        ]

    first = hub_vessels(owner)
    assert len(builds()) == 1 and builds()[0][2] == len(first["all_events"]) > 0
    computed = []
    real = maritime.view_events
    monkeypatch.setattr(maritime, "view_events", lambda *a, **k: computed.append(1) or real(*a, **k))
    again = hub_vessels(owner)  # read back, not computed
    assert not computed
    assert [e.as_dict() for e in again["all_events"]] == [e.as_dict() for e in first["all_events"]]
    assert again["vessels"] == first["vessels"]
    hub_vessels(other)  # sees less AIS: its own build, none of the owner's events
    assert len(computed) == 1 and len(builds()) == 2
    mine = {b[0] for b in builds() if len(b[1]) == 2}
    assert (
        con.execute(
            "SELECT count(*) FROM maritime_events WHERE stamp NOT IN (SELECT unnest(?))", [list(mine)]
        ).fetchone()[0]
        > 0
    )
    _send(tmp_path, store, "more.nmea", "GR-HCG", "H2", _out_and_back(247000555, 26.0))
    hub_vessels(owner)  # new positions: a new stamp, computed again
    assert len(computed) == 2 and len(builds()) == 3

    # a crash half-way through writing a build leaves none; the next read computes it again
    con.execute("DELETE FROM maritime_events; DELETE FROM maritime_event_builds")
    import mare.hub.maritime_events as stored_events

    monkeypatch.setattr(stored_events, "_prune", lambda con: (_ for _ in ()).throw(duckdb.Error("killed")))
    hub_vessels(owner)
    assert builds() == [] and con.execute("SELECT count(*) FROM maritime_events").fetchone()[0] == 0


def test_meetings_with_vessels_without_ais_placed_by_reports(tmp_path: Path, store: Store) -> None:
    slow = 247000666  # drifting at 0.5 kn where an interception report puts a boat without AIS
    _send(tmp_path, store, "gdf.nmea", "IT-GDF", "H0", _out_and_back(OPEN, 15.0))
    drift = [position(slow, T0 + k * 600, 35.0, 16.0 + 0.001 * k, speed=0.5) for k in range(13)]
    _send(tmp_path, store, "drift.nmea", "IT-GDF", "H0", drift)

    def event(uid: str, lat: float, lon: float, at: int) -> dict[str, str]:
        when = np.datetime_as_string(np.datetime64(at, "s")) + "Z"
        return {
            "id": uid,
            "kind": "event",
            "event_type": "interception",
            "occurred_at": when,
            "lat": str(lat),
            "lon": str(lon),
        }

    reports = [
        event("e1", 35.05, 16.0, T0 + 3600),  # 5.6 km from the drifting vessel: slow rule
        event("e2", 34.3, 15.0, T0 + 6600 + 3 * 3600),  # inside OPEN's dark 6 h, within reach: dark rule
        event("e3", 36.5, 15.0, T0 + 6600 + 3 * 3600),  # inside it too, but 250 km away: nothing
    ]
    ingest_file(
        store,
        write_contribution(
            tmp_path / "ev.json", reports, id="IT-EV-1", agency="IT-GDF", handling={"code": "H0"}
        ),
    )
    hidden = [event("e9", 35.0, 16.01, T0 + 1800)]  # GR-HCG's H2 report: not for ES-CGPJ
    ingest_file(
        store,
        write_contribution(
            tmp_path / "gr.json", hidden, id="GR-EV-1", agency="GR-HCG", handling={"code": "H2"}
        ),
    )
    ctx = HubContext(store, Viewer("it", "GR-HCG", frozenset({"analyst"})), "password")
    placed = [e for e in hub_vessels(ctx, shore_km=far)["all_events"] if e.kind == "placed_encounter"]
    got = sorted((e.mmsi, e.evidence["rule"], e.evidence["report"]["kind"]) for e in placed)
    assert got == [
        (OPEN, "dark", "interception"),
        (slow, "slow", "interception"),
        (slow, "slow", "interception"),
    ]
    listed = {v["mmsi"]: v for v in hub_vessels(ctx, shore_km=far)["vessels"]}
    assert any("without AIS placed by 2 intelligence report(s)" in w for w in listed[slow]["why"])
    assert listed[slow]["handling"] == "H2" and "GR-HCG" in listed[slow]["owners"]  # the report's code counts

    other = HubContext(store, Viewer("es", "ES-CGPJ", frozenset({"analyst"})), "password")
    theirs = [e for e in hub_vessels(other, shore_km=far)["all_events"] if e.kind == "placed_encounter"]
    assert len(theirs) == 2 and all(e.evidence["report"]["agency"] == "IT-GDF" for e in theirs)
