"""`mare polycrime`: crime areas per person and network, and records linking smuggling to other crime."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Viewer
from mare.cli import app
from mare.hub.context import HubContext
from mare.hub.polycrime import polycriminality
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store


def as_(store: Store, agency: str) -> HubContext:
    return HubContext(store, Viewer("ana", agency, frozenset({"analyst"})), "password")


def load(store: Store, tmp_path: Path) -> dict[str, str]:
    def send(name: str, records: list[dict[str, object]], areas: list[str], **envelope: object) -> str:
        report = ingest_file(
            store,
            write_contribution(tmp_path / f"{name}.json", records, id=name, crime_areas=areas, **envelope),
        )
        assert report.status == "stored", report.message
        return str(report.contribution)

    smuggling = send(
        "SMUG",
        [
            {"id": "p1", "kind": "person", "name": "Driver One"},
            {"id": "p2", "kind": "person", "name": "Boss Two"},
        ],
        ["migrant_smuggling"],
        agency="DE-BKA",
    )
    drugs = send(
        "DRUG",
        [
            {"id": "d1", "kind": "person", "name": "D. One"},
            {"id": "ph1", "kind": "phone", "number": "+4915111111111"},
        ],
        ["drug_trafficking"],
        agency="IT-SCO",
    )
    secret = send(
        "GUNS",
        [{"id": "g1", "kind": "person", "name": "G Two"}],
        ["firearms"],
        agency="FR-OCRIEST",
        handling={"code": "H2"},
    )
    now = datetime(2026, 11, 1)
    store.con.executemany(  # the cross-check found the driver in the drug case, the boss in the gun case
        "INSERT INTO entities VALUES (?, ?, ?)",
        [
            [f"{smuggling}:p1", "E-driver", now],
            [f"{drugs}:d1", "E-driver", now],
            [f"{smuggling}:p2", "E-boss", now],
            [f"{secret}:g1", "E-boss", now],
        ],
    )
    store.con.execute(  # and the boss's phone in the drug case
        "INSERT INTO hits VALUES "
        "('H1', 'identifier', 'phone:+4915111111111', ?, ?, 'DE-BKA', 'IT-SCO', NULL, ?)",
        [f"{smuggling}:p2", f"{drugs}:ph1", now],
    )
    return {"smuggling": smuggling, "drugs": drugs, "secret": secret}


def test_areas_and_links_through_the_policy(store: Store, tmp_path: Path) -> None:
    ids = load(store, tmp_path)
    seen = polycriminality(as_(store, "DE-BKA"), {"N1": ["E-driver", "E-boss"]})
    assert seen.people == 2
    assert seen.people_by_area == {"migrant_smuggling": 2, "drug_trafficking": 1}
    assert seen.combinations == {"drug_trafficking + migrant_smuggling": 1}
    assert seen.networks == {"N1": {"migrant_smuggling": 2, "drug_trafficking": 1}}
    link, phone = seen.links  # the gun case is H2 of FR-OCRIEST: not shown to DE-BKA
    assert (link.person, link.area, link.kind, link.other_agency) == (
        "E-driver",
        "drug_trafficking",
        "same person",
        "IT-SCO",
    )
    assert link.smuggling_record == f"{ids['smuggling']}:p1" and link.other_record == f"{ids['drugs']}:d1"
    assert (phone.person, phone.kind, phone.basis) == ("E-boss", "shared identifier", "phone:+4915111111111")
    assert phone.other_record == f"{ids['drugs']}:ph1"
    assert "firearms" not in json.dumps(seen.as_dict())
    owner = polycriminality(as_(store, "FR-OCRIEST"))
    assert "firearms" in owner.people_by_area


def test_cli(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    home = str(store.home)
    store.close()
    runner = CliRunner()
    shown = runner.invoke(app, ["polycrime", "--home", home, "--as-agency", "DE-BKA", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["links"][0]["area"] == "drug_trafficking"
    table = runner.invoke(app, ["polycrime", "--home", home, "--as-agency", "DE-BKA", "--by-network"])
    assert table.exit_code == 0 and "Smuggling meets other crime" in table.output
