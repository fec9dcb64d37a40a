"""A contribution sent again as a new version: the old version's records are history, kept and read for
oversight only; every other read (search, entity page, networks, map, API) shows the new version alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Purpose, Viewer
from mare.analyse.geo.enrich import geocode_records
from mare.cli import app
from mare.hub import accounts
from mare.hub.context import HubContext
from mare.hub.entity import entity
from mare.hub.network import hub_network
from mare.hub.notifications import inbox
from mare.hub.places import event_points
from mare.hub.repository import Repository
from mare.hub.search import search
from mare.ingest.pipeline import ingest_file
from mare.resolve import crosscheck_contribution
from mare.server.app import create_app, new_secret
from mare.store.db import Store

OWNER = "DE-BKA"
OLD, NEW = "Dana Oldname", "Dana Newname"
OLD_PLACE = "Vecchiaporto"  # the old version's event place (the new version has no event)
#: Who reads: the owner, another agency's analyst, the hub's analyst.
READERS = ((OWNER, "analyst"), ("IT-SCO", "analyst"), ("HUB", "analyst"))


@pytest.fixture(autouse=True)
def _no_rigour_symbols(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARE_NAME_SYMBOLS", "off")


def as_(store: Store, agency: str, role: str = "analyst", purpose: Purpose = "crime_fighting") -> HubContext:
    return HubContext(store, Viewer("reader", agency, frozenset({role})), "password", purpose=purpose)


@pytest.fixture
def replaced(store: Store, tmp_path: Path) -> tuple[Store, str, str]:
    """DE-BKA's SUP-1 sent twice (the person renamed, the event dropped); IT-SCO's open look-alike of the
    old version's person (a hit with it). Returns the store and the old and new person uids."""
    p = {"id": "p1", "kind": "person", "name": OLD, "birth_date": "1980-01-02", "nationality": "SY"}
    q = {
        "id": "p2",
        "kind": "person",
        "name": "Karim Keeper",
        "birth_date": "1981-03-04",
        "nationality": "SY",
    }
    e = {"id": "e1", "kind": "event", "event_type": "landing", "occurred_at": "2026-10-28T03:40:00Z",
         "place": OLD_PLACE, "lat": "36.71", "lon": "15.11"}  # fmt: skip
    links = [{"kind": "associate_of", "source": "p1", "target": "p2"}]
    first = write_contribution(
        tmp_path / "a.json", [p, q, e], [*links, {"kind": "involved_in", "source": "p1", "target": "e1"}],
        id="SUP-1", agency=OWNER,
    )  # fmt: skip
    second = write_contribution(
        tmp_path / "b.json", [{**p, "name": NEW}, q], links, id="SUP-1", supersedes="SUP-1", agency=OWNER
    )
    look = [
        {
            "id": "x1",
            "kind": "person",
            "name": "Dana Oldnaem",
            "birth_date": "1980-01-02",
            "nationality": "SY",
        }
    ]
    lookalike = write_contribution(tmp_path / "c.json", look, id="SCO-1", agency="IT-SCO")
    reports = [ingest_file(store, path) for path in (first, lookalike, second)]
    for report in reports:
        assert report.status == "stored", report.message
        crosscheck_contribution(store, str(report.contribution))
        geocode_records(store, str(report.contribution))
    old, new = (f"{r.contribution}:p1" for r in (reports[0], reports[2]))
    row = store.con.execute(
        "SELECT superseded_by FROM contributions WHERE uid = ?", [reports[0].contribution]
    )
    assert row.fetchone() == (reports[2].contribution,)  # both versions kept
    return store, old, new


def _text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def test_search_and_entity_page_show_the_new_version_only(replaced: tuple[Store, str, str]) -> None:
    store, old, new = replaced
    for agency, role in READERS:
        with as_(store, agency, role) as ctx:
            found = search(ctx, "Dana Oldname")
            assert old not in {h.uid for h in found.hits}
            assert OLD not in _text([h.label for h in found.hits] + [h.why for h in found.hits])
            assert new in {h.uid for h in search(ctx, "Dana").hits}
            view = entity(ctx, new)
            assert view is not None and new in {r.uid for r in view.records}
            page = _text(view.as_dict())
            assert OLD not in page and old not in page and OLD_PLACE not in page and NEW in page
            by_old_uid = entity(ctx, old)  # the entity it belonged to, without it
            assert by_old_uid is None or old not in _text(by_old_uid.as_dict())
            record = Repository(ctx).record(old)
            assert record is not None and record.decision.visibility == "none"
            assert record.decision.rule == "superseded" and not record.values and record.label is None
            assert old not in {v.uid for v in Repository(ctx).records(kind="person", limit=50)}


def test_history_is_read_for_oversight(replaced: tuple[Store, str, str]) -> None:
    store, old, new = replaced
    with as_(store, "HUB", "dpo", purpose="oversight") as ctx:
        record = Repository(ctx).record(old)
        assert record is not None and record.decision.rule == "oversight" and record.label == OLD
        view = entity(ctx, new)
        assert view is not None and {old, new} <= {r.uid for r in view.records}
    with as_(store, OWNER, "analyst", purpose="oversight") as ctx:  # the owner's own history
        record = Repository(ctx).record(old)
        assert record is not None and record.decision.rule == "owner" and record.label == OLD
    with as_(store, "IT-SCO", "analyst", purpose="oversight") as ctx:
        record = Repository(ctx).record(old)
        assert record is not None and record.decision.visibility == "none"
    # nothing was deleted: the old version's records, values and links are all still stored
    kept = store.con.execute("SELECT count(*) FROM records WHERE contribution = ?", [old.split(":")[0]])
    assert kept.fetchone() == (3,)


def test_network_map_and_notifications_leave_the_old_version_out(replaced: tuple[Store, str, str]) -> None:
    store, old, _new = replaced
    for agency, role in READERS:
        with as_(store, agency, role) as ctx:
            net = hub_network(ctx)
            labels = {str(a.get("label")) for a in net.attrs.values()}
            assert OLD not in labels and old not in net.attrs
            assert NEW in labels or agency == "IT-SCO"  # IT-SCO sees DE-BKA's H0 person too
            assert not [p for p in event_points(ctx) if p.uid.startswith(old.split(":")[0])]
            assert OLD_PLACE not in _text(event_points(ctx))
    hits = store.con.execute("SELECT count(*) FROM hits WHERE ? IN (left_uid, right_uid)", [old]).fetchone()
    assert hits is not None and hits[0] >= 1  # the cross-check's hits with IT-SCO's look-alike stay stored
    with as_(store, "IT-SCO") as ctx:  # its hit with the replaced version is history: no notification
        assert not [n for n in inbox(ctx) if old in _text(n) or OLD in _text(n)]


def test_cli_search_and_show(replaced: tuple[Store, str, str]) -> None:
    store, old, new = replaced
    home = str(store.home)
    store.close()
    runner = CliRunner(env={"COLUMNS": "400"})
    for agency, role in READERS:
        preview = ["--home", home, "--as-agency", agency, "--role", role]
        found = runner.invoke(app, ["search", "Dana", *preview])
        assert found.exit_code == 0, found.output
        assert NEW in found.output and OLD not in found.output
        shown = runner.invoke(app, ["show", "entity", new, *preview, "--json"])
        assert shown.exit_code == 0, shown.output
        assert NEW in shown.output and OLD not in shown.output
    oversight = ["--home", home, "--as-agency", "HUB", "--role", "dpo", "--purpose", "oversight"]
    history = runner.invoke(app, ["show", "record", old, *oversight, "--json"])
    assert history.exit_code == 0, history.output
    assert OLD in history.output and "For oversight only." in history.output


def test_api_search_and_entity(replaced: tuple[Store, str, str]) -> None:
    store, old, new = replaced
    tokens = {}
    for agency, name, country in ((OWNER, "Bundeskriminalamt", "DE"), ("IT-SCO", "SCO", "IT")):
        accounts.add_agency(store, agency, name, country, "member_state")
    for agency, role in READERS:
        accounts.add_user(store, f"{agency.lower()}-{role}", agency, [role], None)
        tokens[agency] = accounts.issue_token(store, f"{agency.lower()}-{role}", label="tests")[1]
    home = store.home
    store.close()
    api = create_app(home, secret=new_secret(), secure_cookies=False)
    with TestClient(api, base_url="http://127.0.0.1") as client:
        for token in tokens.values():
            headers = {"Authorization": f"Bearer {token}"}
            found = client.get("/api/search?q=Dana Oldname", headers=headers)
            assert found.status_code == 200, found.text
            assert old not in found.text  # the query itself is echoed: the hits are checked
            assert OLD not in _text(
                [{k: v for k, v in h.items() if k != "why"} for h in found.json()["results"]]
            )
            page = client.get(f"/api/entities/{new}", headers=headers)
            assert page.status_code == 200, page.text
            assert NEW in page.text and OLD not in page.text and old not in page.text
            gone = client.get(f"/api/records/{old}", headers=headers)
            assert OLD not in gone.text
