"""`mare profile`: the criminal profile of the suspects, as counts, through the policy."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Viewer
from mare.cli import app
from mare.hub.context import HubContext
from mare.hub.profiles import suspect_profile
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store

TODAY = date(2026, 12, 6)


def as_(store: Store, agency: str, role: str = "analyst") -> HubContext:
    return HubContext(store, Viewer("ana", agency, frozenset({role})), "password")


def load(store: Store, tmp_path: Path) -> None:
    people = [
        {
            "id": "p1",
            "kind": "person",
            "category": "suspect",
            "name": "A One",
            "nationality": "SY",
            "gender": "m",
            "birth_date": "1990-03-01",
            "residence_country": "TR",
            "role": "organiser",
        },
        {
            "id": "p2",
            "kind": "person",
            "category": "suspect",
            "name": "B Two",
            "nationality": "SY",
            "gender": "m",
            "birth_date": "2005",
            "role": "driver",
        },
        {
            "id": "p3",
            "kind": "person",
            "category": "convicted",
            "name": "C Three",
            "nationality": "IQ",
            "gender": "f",
            "residence_country": "IQ",
        },
        {"id": "v1", "kind": "person", "category": "victim", "name": "D Victim", "nationality": "ER"},
        {
            "id": "e1",
            "kind": "event",
            "event_type": "interception",
            "occurred_at": "2026-10-01",
            "country": "IT",
        },
    ]
    links = [
        {"kind": "involved_in", "source": "p1", "target": "e1"},
        {"kind": "involved_in", "source": "p2", "target": "e1"},
    ]
    report = ingest_file(
        store,
        write_contribution(
            tmp_path / "a.json",
            people,
            links,
            id="A",
            agency="DE-BKA",
            crime_areas=["migrant_smuggling", "document_fraud"],
        ),
    )
    assert report.status == "stored", report.message
    secret = [{"id": "s1", "kind": "person", "category": "suspect", "name": "S Secret", "nationality": "LY"}]
    report = ingest_file(
        store,
        write_contribution(tmp_path / "b.json", secret, id="B", agency="FR-OCRIEST", handling={"code": "H2"}),
    )
    assert report.status == "stored", report.message


def test_profile_counts_what_the_viewer_may_see(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    profile = suspect_profile(as_(store, "IT-SCO"), today=TODAY)
    d = profile.distributions
    assert (profile.people, profile.records) == (3, 3)  # the victim is not a suspect; the H2 one is withheld
    assert sum(profile.withheld_records.values()) == 1
    assert d["nationality"] == {"SY": 2, "IQ": 1}
    assert d["gender"] == {"m": 2, "f": 1}
    assert d["age"] == {"18–24": 1, "35–44": 1, "unknown": 1}
    assert d["residence_vs_nationality"] == {"SY living in TR": 1, "same country": 1, "unknown": 1}
    assert d["countries_of_activity"] == {"IT": 2, "unknown": 1}
    assert d["crime_areas"] == {"document_fraud": 3, "migrant_smuggling": 3}
    assert d["convicted"] == {"no": 2, "yes": 1}
    owner = suspect_profile(as_(store, "FR-OCRIEST"), today=TODAY)
    assert owner.distributions["nationality"].get("LY") == 1
    assert "LY" not in json.dumps(profile.as_dict())


def test_profile_of_some_people_only(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    p1 = store.con.execute("SELECT uid FROM records WHERE label = 'A One'").fetchone()
    assert p1 is not None
    only = suspect_profile(as_(store, "DE-BKA"), people=[p1[0]], today=TODAY)
    assert only.people == 1 and only.distributions["role"] == {"organiser": 1}


def test_cli(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    home = str(store.home)
    store.close()
    runner = CliRunner()
    shown = runner.invoke(app, ["profile", "--home", home, "--as-agency", "IT-SCO", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["people"] == 3
    table = runner.invoke(app, ["profile", "--home", home, "--as-agency", "IT-SCO"])
    assert "Nationality" in table.output and "withheld from you" in table.output
    bad = runner.invoke(app, ["profile", "--network", "N9", "--home", home])
    assert bad.exit_code == 1 and "no network 'N9'" in bad.output
