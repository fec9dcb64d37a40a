"""The kept map (`mare.hub.places`: located events and legs, hotspots): the same as a fresh computation,
kept across ingests that store nothing it reads, built again when anything it reads changes, never
handed from one viewer to another, and each kind read once per map request."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analyse.network.test_hub import person
from builders import write_contribution
from hub.test_places import OWNER, SECRET_PLACE, THIRD, _event, load
from mare.access.policy import Viewer
from mare.hub import places
from mare.hub.context import HubContext
from mare.ingest.pipeline import IngestOptions, ingest_file
from mare.store.db import Store


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """(agency, kind) of each read of events or legs from the store (not taken from the kept ones)."""
    seen: list[tuple[str, str]] = []
    read = places._read

    def counted(ctx: HubContext, kind: str, fields: tuple[str, ...]) -> Any:
        seen.append((ctx.viewer.agency, kind))
        time.sleep(0.1)  # long enough for a second request to arrive while it is read
        return read(ctx, kind, fields)

    monkeypatch.setattr(places, "_read", counted)
    places._LOCATED.clear()
    places._HOTSPOTS.clear()
    yield seen


def drawn(store: Store, viewer: Viewer) -> places.MapData:
    with HubContext(store, viewer, "password") as ctx:
        return places.hub_map(ctx)


def event_places(store: Store, viewer: Viewer) -> set[str | None]:
    return {p.place for p in drawn(store, viewer).events}


BOTH = [("IT-SCO", "event"), ("IT-SCO", "journey_leg")]


def test_the_kept_map_equals_a_fresh_one(store: Store, tmp_path: Path, reads: list[tuple[str, str]]) -> None:
    load(store, tmp_path)
    first = drawn(store, THIRD)
    first.hotspots[0]["name"] = "changed by a caller"  # stays with that caller
    kept = drawn(store, THIRD)
    assert reads == BOTH  # each kind read once for the whole map, then kept
    places._LOCATED.clear()
    places._HOTSPOTS.clear()
    fresh = drawn(store, THIRD)
    assert kept == fresh and len(fresh.events) == 100 and len(fresh.legs) == 12 and fresh.hotspots
    with HubContext(store, THIRD, "password") as ctx:  # the same as the page's own functions give
        assert fresh.hotspots == places.hub_hotspots(ctx)["rows"]
        assert fresh.events == places.event_points(ctx) and fresh.legs == places.legs(ctx)
    assert reads == BOTH + BOTH


def test_each_kind_noted_once_per_map_request(
    store: Store, tmp_path: Path, reads: list[tuple[str, str]]
) -> None:
    """The consultation entry of a map request counts each visible event and leg once, built or kept."""
    load(store, tmp_path)
    drawn(store, THIRD)
    drawn(store, THIRD)
    entries = store.con.execute(
        "SELECT details FROM audit_log WHERE action = 'consultation' AND actor = 'marco' ORDER BY seq"
    ).fetchall()
    noted = [json.loads(details)["bulk"]["record"] for (details,) in entries]
    assert [n["shown"] for n in noted] == [112, 112]  # 100 events + 12 legs
    assert all(n["withheld"] == {"h2": 36} for n in noted)


def test_an_ingest_the_map_never_reads_keeps_it(
    store: Store, tmp_path: Path, reads: list[tuple[str, str]]
) -> None:
    load(store, tmp_path)
    before = drawn(store, THIRD)
    ais = tmp_path / "positions.csv"
    ais.write_text("mmsi,time,lat,lon,sog,cog\n211000001,2025-05-01 10:00:00,54.1,10.2,5.5,90\n", "utf-8")
    assert ingest_file(store, ais, IngestOptions(agency="DE-BKA")).positions == 1
    people = write_contribution(tmp_path / "people.json", [person("n1", "Dana New")], id="PEOPLE-1")
    assert ingest_file(store, people).status == "stored"
    assert drawn(store, THIRD) == before
    assert reads == BOTH  # neither AIS positions nor people are read by the map: kept


def test_new_events_build_it_again(store: Store, tmp_path: Path, reads: list[tuple[str, str]]) -> None:
    load(store, tmp_path)
    assert "Pozzallo" not in event_places(store, THIRD)
    new = [_event("p1", 36.72, 14.85, "2026-06-01", "Pozzallo")]
    assert ingest_file(store, write_contribution(tmp_path / "new.json", new, id="NEW-1")).status == "stored"
    assert "Pozzallo" in event_places(store, THIRD)
    assert reads == BOTH + BOTH


def test_a_handling_code_change_builds_it_again(
    store: Store, tmp_path: Path, reads: list[tuple[str, str]]
) -> None:
    """Events made H2 after the map was kept drop out of another agency's map at once."""
    load(store, tmp_path)
    assert "Zuwara" in event_places(store, THIRD)
    store.con.execute(
        "UPDATE records SET handling_code = 'H2' WHERE uid IN (SELECT record_uid FROM record_values "
        "WHERE field = 'place' AND original = 'Zuwara')"
    )
    assert "Zuwara" not in event_places(store, THIRD)
    assert reads == BOTH + BOTH


def test_consent_and_geocodes_build_it_again(
    store: Store, tmp_path: Path, reads: list[tuple[str, str]]
) -> None:
    """Consent granted to the viewer's agency releases the events at once; a place geocoded again moves."""
    load(store, tmp_path)
    assert SECRET_PLACE not in event_places(store, THIRD)
    secret = store.con.execute("SELECT uid FROM records WHERE agency = 'FR-OCRIEST'").fetchall()
    store.con.executemany(
        "INSERT INTO consent_requests (id, requester, requester_agency, record_uid, owner_agency, purpose, "
        "justification, status, created_at) VALUES (?, 'marco', 'IT-SCO', ?, 'FR-OCRIEST', 'crime_fighting', "
        "'a joint case', 'granted', now())",
        [[f"C{i}", uid] for i, (uid,) in enumerate(secret)],
    )
    assert SECRET_PLACE in event_places(store, THIRD)
    store.con.execute("UPDATE place_geocodes SET lat = lat + 1 WHERE place_name = 'Zuwara'")
    zuwara = {round(p.lat, 2) for p in drawn(store, THIRD).events if p.place == "Zuwara"}
    assert zuwara and all(lat > 33.5 for lat in zuwara)
    assert reads == BOTH * 3


def test_never_shared_between_viewers(store: Store, tmp_path: Path, reads: list[tuple[str, str]]) -> None:
    """Each agency's map is its own: the owner's kept map is never what another agency gets."""
    load(store, tmp_path)
    assert SECRET_PLACE in event_places(store, OWNER)
    assert SECRET_PLACE not in event_places(store, THIRD)
    assert SECRET_PLACE in event_places(store, OWNER) and SECRET_PLACE not in event_places(store, THIRD)
    assert reads == [("FR-OCRIEST", "event"), ("FR-OCRIEST", "journey_leg"), *BOTH]
    with HubContext(store, OWNER, "password") as ctx:
        assert places.hub_hotspots(ctx)["withheld"] == {}
    with HubContext(store, THIRD, "password") as ctx:
        assert places.hub_hotspots(ctx)["withheld"] == {"h2": 30}


def test_one_build_for_requests_arriving_together(
    store: Store, tmp_path: Path, reads: list[tuple[str, str]]
) -> None:
    """Requests asking for the same map while it is being built wait for that build and take it;
    another viewer's request builds its own."""
    load(store, tmp_path)
    found: list[set[str | None]] = []

    def ask(viewer: Viewer) -> None:
        cursor = Store(home=store.home, con=store.con.cursor(), archive=store.archive)
        found.append(event_places(cursor, viewer))

    asking = [threading.Thread(target=ask, args=(v,)) for v in (THIRD, THIRD, THIRD, OWNER)]
    for t in asking:
        t.start()
    for t in asking:
        t.join()
    assert sorted(reads) == sorted([("FR-OCRIEST", "event"), ("FR-OCRIEST", "journey_leg"), *BOTH])
    assert sum(SECRET_PLACE in f for f in found) == 1 and len(found) == 4


def test_an_erased_addition_never_returns_under_an_older_key(store: Store, tmp_path: Path) -> None:
    """Served across additions (the web server), nothing read after an addition is kept under the key of
    the data before it: an erasure that brings the stamps back to that key must not bring the erased
    event back (a map request that built no layer marked the key; the next one found no events kept under
    it and read them with the addition in them)."""
    from mare.hub import kept

    load(store, tmp_path)
    places._LOCATED.clear()
    places._HOTSPOTS.clear()
    kept.serve_across_additions(store.home, 60.0)
    try:
        with HubContext(store, THIRD, "password") as ctx:
            places.hub_map(ctx, False, False, False)  # the key taken, no layer built
        record = _event("x1", 36.1, 15.2, "2026-06-20T04:00:00Z", "Porto Erratico")
        path = write_contribution(tmp_path / "mistake.json", [record], id="MISTAKE-1", agency="DE-BKA")
        report = ingest_file(store, path)
        assert report.status == "stored", report.message
        assert "Porto Erratico" in event_places(store, THIRD)  # an addition: shown
        uid = f"{report.contribution}:x1"
        with kept.withholding_change():  # erased, as the server's writer would
            store.con.execute("DELETE FROM record_values WHERE record_uid = ?", [uid])
            store.con.execute("DELETE FROM records WHERE uid = ?", [uid])
        assert "Porto Erratico" not in event_places(store, THIRD)
    finally:
        kept.serve_across_additions(store.home, None)


def test_an_upload_landing_while_the_map_is_read_is_not_kept_under_older_stamps(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The map's stamps are read, then its events: an upload committed in between is in what was read but
    not in the key; kept under it, erasing the upload would bring the stamps back and the event with it."""
    load(store, tmp_path)
    places._LOCATED.clear()
    places._HOTSPOTS.clear()
    read = places._read
    uploaded: list[str] = []

    def racing(ctx: HubContext, kind: str, fields: tuple[str, ...]) -> Any:
        if not uploaded:  # the server's writer commits an upload after the stamps were read
            record = _event("r1", 36.3, 15.3, "2026-06-21T04:00:00Z", "Punta Intanto")
            path = write_contribution(tmp_path / "race.json", [record], id="RACE-1", agency="DE-BKA")
            report = ingest_file(store, path)
            assert report.status == "stored", report.message
            uploaded.append(f"{report.contribution}:r1")
        return read(ctx, kind, fields)

    monkeypatch.setattr(places, "_read", racing)
    assert "Punta Intanto" in event_places(store, THIRD)
    monkeypatch.setattr(places, "_read", read)
    store.con.execute("DELETE FROM record_values WHERE record_uid = ?", uploaded)
    store.con.execute("DELETE FROM records WHERE uid = ?", uploaded)
    assert "Punta Intanto" not in event_places(store, THIRD)
    assert "Punta Intanto" not in json.dumps(drawn(store, THIRD).hotspots)


def test_past_the_window_the_map_is_rebuilt_behind_the_requests(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Served across additions (the web server), the map request that finds the window passed is served
    the last build like the others; its events, legs and hotspots are read again behind the requests,
    and the next request is served them without reading anything."""
    from hub.test_network_cache import age, rebuilt_behind
    from mare.hub import kept

    load(store, tmp_path)
    places._LOCATED.clear()
    places._HOTSPOTS.clear()
    kept.serve_across_additions(store.home, 60.0)
    try:
        before = drawn(store, THIRD)
        record = _event("n1", 36.2, 15.1, "2026-06-22T04:00:00Z", "Capo Nuovo")
        report = ingest_file(store, write_contribution(tmp_path / "new.json", [record], id="NEW-1"))
        assert report.status == "stored", report.message
        age(store, 61)
        read = places._read
        readers: list[str] = []

        def counted(ctx: HubContext, kind: str, fields: tuple[str, ...]) -> Any:
            readers.append(threading.current_thread().name)
            return read(ctx, kind, fields)

        monkeypatch.setattr(places, "_read", counted)
        due = drawn(store, THIRD)
        assert due.events == before.events and due.served["as_of"] == before.served["as_of"]
        rebuilt_behind()
        assert readers == ["mare-rebuild-map", "mare-rebuild-map"]  # events and legs, behind the requests
        after = drawn(store, THIRD)
        assert "Capo Nuovo" in {p.place for p in after.events} and after.served["across_additions"]
        assert len(readers) == 2 and after.hotspots
    finally:
        kept.serve_across_additions(store.home, None)
