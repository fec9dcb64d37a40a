"""`mare show entity`: a resolved person or an identifier, as the viewer may see it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Viewer
from mare.analyse.geo.enrich import geocode_records
from mare.cli import app
from mare.hub.context import HubContext
from mare.hub.entity import EntityError, entity, parse_identifier
from mare.hub.repository import Repository
from mare.ingest.pipeline import ingest_file
from mare.resolve import crosscheck_contribution
from mare.store.db import Store

SECRET = "Zaher Restricted-Name"


@pytest.fixture(autouse=True)
def _no_rigour_symbols(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARE_NAME_SYMBOLS", "off")


def as_(store: Store, agency: str, role: str = "analyst") -> HubContext:
    return HubContext(store, Viewer("ana", agency, frozenset({role})), "password")


@pytest.fixture
def hub(store: Store, tmp_path: Path) -> tuple[Store, str, str]:
    bka = [
        {
            "id": "p1",
            "kind": "person",
            "name": "Mohammed AL-HASSAN",
            "birth_date": "03.04.1985",
            "nationality": "SY",
            "phone": ["+4915112345678"],
        },
        {
            "id": "e1",
            "kind": "event",
            "event_type": "interception",
            "occurred_at": "2026-10-28T03:40:00Z",
            "place": "Pozzallo",
            "country": "IT",
        },
    ]
    links = [{"kind": "involved_in", "source": "p1", "target": "e1"}]
    a = ingest_file(store, write_contribution(tmp_path / "a.json", bka, links, id="A", agency="DE-BKA"))
    sco = [
        {"id": "q1", "kind": "person", "name": "محمد الحسن", "birth_date": "1985-04-03", "nationality": "SY"}
    ]
    b = ingest_file(store, write_contribution(tmp_path / "b.json", sco, id="B", agency="IT-SCO"))
    secret = [{"id": "s1", "kind": "person", "name": SECRET, "phone": ["+49 151 12345678"]}]
    c = ingest_file(
        store,
        write_contribution(tmp_path / "c.json", secret, id="C", agency="FR-OCRIEST", handling={"code": "H2"}),
    )
    for report in (a, b, c):
        assert report.status == "stored", report.message
        crosscheck_contribution(store, str(report.contribution))
        geocode_records(store, str(report.contribution))
    return store, f"{a.contribution}:p1", f"{b.contribution}:q1"


def test_a_resolved_person_across_scripts(hub: tuple[Store, str, str]) -> None:
    store, p1, q1 = hub
    view = entity(as_(store, "HUB"), p1)
    assert view is not None and view.kind == "person" and view.id.startswith("E")
    assert {r.uid for r in view.records} == {p1, q1}
    assert entity(as_(store, "HUB"), view.id) is not None  # by entity id too
    names = {v.original for r in view.records for v in r.values if v.field == "name"}
    assert names == {"Mohammed AL-HASSAN", "محمد الحسن"}
    assert view.hits_within >= 1
    assert [t["what"] for t in view.timeline] == ["event occurred_at"]
    assert view.timeline[0]["at"].startswith("2026-10-28")
    assert any(p["place"] == "Pozzallo" and p["lat"] for p in view.places)


def test_an_identifier_entity_names_restricted_holders_only(hub: tuple[Store, str, str]) -> None:
    store, p1, _ = hub
    assert parse_identifier("phone:+49 151 1234 5678") == ("phone", "+4915112345678")
    view = entity(as_(store, "IT-SCO"), "phone:+49 (0)151 12345678")
    assert view is not None and view.id == "phone:+4915112345678"
    assert [r.uid for r in view.records] == [p1]
    assert [r.owner for r in view.restricted] == ["FR-OCRIEST"]
    text = json.dumps(view.as_dict(), ensure_ascii=False)
    assert SECRET not in text and "+49 151 12345678" not in text
    person = entity(as_(store, "IT-SCO"), p1)  # the identifier hit with FR-OCRIEST's H2 record
    assert person is not None
    hit = next(h for h in person.hits if h["other_owner"] == "FR-OCRIEST")
    assert "basis" not in hit and "other" not in hit and "restricted" in hit
    assert SECRET not in json.dumps(person.as_dict(), ensure_ascii=False)
    owner = entity(as_(store, "FR-OCRIEST"), "phone:+4915112345678")
    assert owner is not None and SECRET in json.dumps(owner.as_dict(), ensure_ascii=False)


def test_unknown_and_bad_ids(hub: tuple[Store, str, str]) -> None:
    store, *_ = hub
    assert entity(as_(store, "HUB"), "E-nothing") is None
    with pytest.raises(EntityError, match="not a valid phone"):
        entity(as_(store, "HUB"), "phone:call me")
    with pytest.raises(EntityError, match="give an entity id"):
        entity(as_(store, "HUB"), " ")


def test_cli_table_and_json(hub: tuple[Store, str, str]) -> None:
    store, p1, q1 = hub
    home = str(store.home)
    store.close()
    runner = CliRunner()
    shown = runner.invoke(app, ["show", "entity", p1, "--home", home, "--json"])
    assert shown.exit_code == 0, shown.output
    assert {r["uid"] for r in json.loads(shown.output)["records"]} == {p1, q1}
    table = runner.invoke(app, ["show", "entity", p1, "--home", home])
    assert "Values (normalised" in table.output and "Timeline" in table.output and "Pozzallo" in table.output
    missing = runner.invoke(app, ["show", "entity", "E0", "--home", home])
    assert missing.exit_code == 1 and "no entity 'E0'" in missing.output and "Traceback" not in missing.output
    bad = runner.invoke(app, ["show", "entity", "phone:abc", "--home", home])
    assert bad.exit_code == 1 and "not a valid phone" in bad.output


def test_a_hit_or_link_between_two_shown_records_is_listed_once(hub: tuple[Store, str, str]) -> None:
    # each end is read on its own index (`_pairs`, `_links_of`): what joins two of the records read is found
    # from both ends and must be kept once
    store, p1, q1 = hub
    between = store.con.execute(
        "SELECT count(*) FROM hits WHERE list_sort([left_uid, right_uid]) = list_sort([?, ?])", [p1, q1]
    ).fetchone()
    view = entity(as_(store, "HUB"), p1)
    assert view is not None and between is not None and between[0] >= 1
    assert view.hits_within == between[0]
    event = p1.replace(":p1", ":e1")
    both = Repository(as_(store, "DE-BKA")).many([p1, event])
    assert [link["kind"] for link in both[p1].links] == ["involved_in"]
    assert [link["kind"] for link in both[event].links] == ["involved_in"]
