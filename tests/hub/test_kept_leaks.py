"""Trying to make the builds served across additions (`mare.hub.kept`, issue 14) leak, through the hub
functions: the map and the person networks served to a viewer's policy across uploads, then a withholding
change (an erasure, a handling change) made inside `kept.withholding_change` as the web server's writer
makes it, and the next request. Nothing erased or withheld may appear, not even for one request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analyse.network.test_hub import BKA, SCO, person
from analyse.network.test_hub import load as load_network
from builders import write_contribution
from hub.test_places import THIRD, _event
from hub.test_places import load as load_places
from mare.access.policy import Viewer
from mare.hub import kept, networks, places
from mare.hub.context import HubContext
from mare.hub.erasure import erase
from mare.ingest.pipeline import IngestOptions, ingest_file
from mare.store.db import Store

#: The DE-BKA data protection officer, who may erase DE-BKA's records.
BKA_DPO = Viewer("dora", "DE-BKA", frozenset({"dpo"}))
#: A place name no other record holds.
MISTAKE = "Porto Erratico"


@pytest.fixture
def across(store: Store) -> Iterator[Store]:
    """The store served across additions (as the web server does), nothing kept beforehand."""
    for cache in (
        places._LOCATED,
        places._HOTSPOTS,
        networks._FOUND,
        networks._REPORTS,
        networks._FINGERPRINTS,
    ):
        cache.clear()
    networks._NETWORKS.clear()
    kept.serve_across_additions(store.home, 120.0)
    yield store
    kept.serve_across_additions(store.home, None)


def _map(store: Store, viewer: Viewer) -> places.MapData:
    with HubContext(store, viewer, "password") as ctx:
        return places.hub_map(ctx)


def _upload_mistake(store: Store, tmp_path: Path) -> list[str]:
    """DE-BKA uploads an H0 event (given coordinates) by mistake: an addition. Its record uids."""
    path = write_contribution(
        tmp_path / "mistake.json", [_event("m1", 36.1, 15.2, "2026-06-20", MISTAKE)], id="MISTAKE-1"
    )
    report = ingest_file(store, path, IngestOptions())
    assert report.status == "stored", report.message
    rows = store.con.execute(
        "SELECT uid FROM records WHERE contribution = ?", [report.contribution]
    ).fetchall()
    return [uid for (uid,) in rows]


def _uids(store: Store, contribution: str | None) -> list[str]:
    """The record uids of one contribution."""
    rows = store.con.execute("SELECT uid FROM records WHERE contribution = ?", [contribution]).fetchall()
    return [uid for (uid,) in rows]


def _erase(store: Store, uids: list[str]) -> None:
    """The owner's DPO erases them, as the server's writer runs it: a withholding change."""
    with kept.withholding_change(), HubContext(store, BKA_DPO, "password") as ctx:
        erase(ctx, uids, "uploaded by mistake, erased at the owner's request")


def test_an_erased_event_never_returns_to_the_map(across: Store, tmp_path: Path) -> None:
    """The map's last build is served across an upload; when the kept kinds were dropped meanwhile (the
    least recently used go first once other viewers' maps were built), they are read again under the
    OLD key (its stamps from before the upload). Erasing what the upload added puts the stamps back
    where they were, so the next request after the erasure reads the stamps, finds that old key, and
    must not be handed what was read under it (the erased event)."""
    load_places(across, tmp_path)
    assert MISTAKE not in {p.place for p in _map(across, THIRD).events}
    uids = _upload_mistake(across, tmp_path)
    places._LOCATED.clear()  # dropped as least recently used (other viewers' maps), or never built
    places._HOTSPOTS.clear()
    served = _map(across, THIRD)  # its kinds no longer kept under the last key: the stamps are read
    assert not served.served["across_additions"]
    _erase(across, uids)
    after = _map(across, THIRD)
    assert not after.served["across_additions"]  # a withholding change: the stamps are read again
    assert MISTAKE not in {p.place for p in after.events}, "an erased event is still on the map"
    assert not {p.uid for p in after.events} & set(uids)


def test_a_map_built_after_the_erasure_equals_a_fresh_one(across: Store, tmp_path: Path) -> None:
    """The same sequence, compared with a map computed from nothing kept."""
    load_places(across, tmp_path)
    _map(across, THIRD)
    uids = _upload_mistake(across, tmp_path)
    places._LOCATED.clear()
    places._HOTSPOTS.clear()
    _map(across, THIRD)
    _erase(across, uids)
    after = _map(across, THIRD)
    places._LOCATED.clear()
    places._HOTSPOTS.clear()
    kept.serve_across_additions(across.home, None)
    fresh = _map(across, THIRD)
    assert after.events == fresh.events and after.legs == fresh.legs and after.hotspots == fresh.hotspots


def _labels(store: Store, viewer: Viewer) -> tuple[set[str], dict[str, Any]]:
    with HubContext(store, viewer, "password") as ctx:
        net = networks.entity_network(ctx)
    return {str(a["label"]) for a in net.attrs.values()}, dict(net.meta["served"])


def test_an_erased_person_never_returns_to_the_network(across: Store, tmp_path: Path) -> None:
    """The person network's equivalent: served across an upload, its kept build dropped, the upload
    erased; the next request must not show the erased people."""
    load_network(across, tmp_path)
    before, _ = _labels(across, SCO)
    links = [{"kind": "associate_of", "source": "n1", "target": "n2"}]
    path = write_contribution(
        tmp_path / "new.json", [person("n1", "Dana Mistake"), person("n2", "Emil Mistake")], links, id="NEW-1"
    )
    report = ingest_file(across, path, IngestOptions())
    assert report.status == "stored", report.message
    uids = _uids(across, report.contribution)
    served, how = _labels(across, SCO)
    assert how["across_additions"] and "Dana Mistake" not in served
    networks._NETWORKS.clear()  # dropped (another viewer's builds)
    rebuilt, _ = _labels(across, SCO)
    assert {"Dana Mistake", "Emil Mistake"} <= rebuilt  # read again from the data as it is now
    _erase(across, uids)
    after, how = _labels(across, SCO)
    assert not how["across_additions"]
    assert "Dana Mistake" not in after and "Emil Mistake" not in after
    assert after == before


def test_a_handling_change_is_never_served_across(across: Store, tmp_path: Path) -> None:
    """A record made H2 inside a withholding change drops out of another agency's network and map at
    once, although both were built less than the window ago."""
    load_network(across, tmp_path)
    assert "Burak Demir" in _labels(across, SCO)[0]
    assert _labels(across, SCO)[1]["across_additions"]
    with kept.withholding_change():
        across.con.execute("UPDATE records SET handling_code = 'H2' WHERE label = 'Burak Demir'")
    labels, how = _labels(across, SCO)
    assert "Burak Demir" not in labels and not how["across_additions"]
    assert "Burak Demir" in _labels(across, BKA)[0]  # the owner still sees it


def test_another_viewer_never_gets_the_last_build(across: Store, tmp_path: Path) -> None:
    """Back to back: the owner's network served across additions is never another agency's."""
    load_network(across, tmp_path)
    assert "Hidden Boss" in _labels(across, BKA)[0]
    assert "Hidden Boss" not in _labels(across, SCO)[0]
    labels, how = _labels(across, SCO)
    assert how["across_additions"] and "Hidden Boss" not in labels
    assert "Hidden Boss" in _labels(across, BKA)[0]


def test_another_viewer_never_gets_the_last_map(across: Store, tmp_path: Path) -> None:
    """Back to back: the owner's map served across additions is never another agency's."""
    load_places(across, tmp_path)
    owner = Viewer("olga", "FR-OCRIEST")
    for _ in range(2):
        assert "Kalamata" in {p.place for p in _map(across, owner).events}
        drawn = _map(across, THIRD)
        assert "Kalamata" not in {p.place for p in drawn.events}
    assert drawn.served["across_additions"]


def test_an_upload_landing_during_a_build_is_not_kept_under_older_stamps(
    across: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The person network's stamps are read, then the network is built: an upload the server's writer
    commits in between is in the build, kept under the stamps from before it. If that upload is then
    erased, the stamps are back to those, and the next request is handed the kept build: the erased
    people. (Here the upload is made inside the build, where the writer thread would make it.)"""
    load_network(across, tmp_path)
    build = networks._entity_network
    uploaded: list[str] = []

    def racing(ctx: HubContext, *args: Any) -> Any:
        if not uploaded:  # the writer commits an upload after the stamps were read
            path = write_contribution(
                tmp_path / "race.json",
                [person("r1", "Rocco Intanto"), person("r2", "Remo Intanto")],
                [{"kind": "associate_of", "source": "r1", "target": "r2"}],
                id="RACE-1",
            )
            report = ingest_file(across, path, IngestOptions())
            uploaded.extend(_uids(across, report.contribution))
        return build(ctx, *args)

    monkeypatch.setattr(networks, "_entity_network", racing)
    _labels(across, SCO)
    assert uploaded
    _erase(across, uploaded)
    after, _ = _labels(across, SCO)
    assert "Rocco Intanto" not in after, "an erased person is in the network"


# --- the search's slice, not yet refilled -------------------------------------------------------------


def test_an_erased_record_is_never_found_from_a_stale_slice(store: Store, tmp_path: Path) -> None:
    """The slice is filled, then a person, an account holder's name and a place text are erased (the
    server's writer refills the slice only after handing back its answer): a search at once finds none
    of them, for the owner nor for another agency, and counts nothing withheld for them. (On DuckDB the
    erasure's compaction reopens the store, which drops the attached slice: the search then reads the
    store's tables until the slice is filled again; this guards the outcome whichever way it is read.)"""
    from mare.hub.search import drop_slice, refresh_slice, search

    records = [
        person("p1", "Zenobio Cancellato"),
        {
            "id": "a1",
            "kind": "financial_account",
            "holder_name": "Zenobio Cancellato",
            "iban": "DE89 3704 0044 0532 0130 00",
        },
        _event("e1", 36.2, 15.1, "2026-06-20", "Scoglio Cancellato"),
    ]
    report = ingest_file(
        store, write_contribution(tmp_path / "gone.json", records, id="GONE-1"), IngestOptions()
    )
    assert report.status == "stored", report.message
    uids = _uids(store, report.contribution)
    refresh_slice(store)
    try:
        for viewer in (BKA, SCO):
            with HubContext(store, viewer, "password") as ctx:
                assert set(uids) & {h.uid for h in search(ctx, "Zenobio Cancellato").hits}
        with kept.withholding_change(), HubContext(store, BKA_DPO, "password") as ctx:
            erase(ctx, uids, "uploaded by mistake, erased at the owner's request")
        for viewer in (BKA, SCO):
            for query in ("Zenobio Cancellato", "Scoglio Cancellato", "DE89 3704 0044 0532 0130 00"):
                with HubContext(store, viewer, "password") as ctx:
                    found = search(ctx, query).as_dict()
                assert not found["results"] and not found["withheld"], (viewer.agency, query, found)
    finally:
        drop_slice(store)


def test_a_narrowed_member_leaves_the_kept_analysis(across: Store, tmp_path: Path) -> None:
    """A network's analysis is kept by the viewer's policy and the network's own content: a member made H2
    through a withholding change is gone from the analysis another agency gets at once."""
    load_network(across, tmp_path)
    with HubContext(across, SCO, "password") as ctx:
        found = networks.hub_found_networks(ctx, 2)
    wanted, node = next(
        (nid, node) for nid, net in found for node, a in net.attrs.items() if a["label"] == "Burak Demir"
    )
    with HubContext(across, SCO, "password") as ctx:
        _, report = networks.analysed_network(ctx, wanted, 2)
    assert node in repr(report)  # the analysis names its people by node
    with kept.withholding_change():
        across.con.execute("UPDATE records SET handling_code = 'H2' WHERE label = 'Burak Demir'")
    with HubContext(across, SCO, "password") as ctx:
        for nid, _net in networks.hub_found_networks(ctx, 2):
            _, report = networks.analysed_network(ctx, nid, 2)
            assert node not in repr(report) and "Burak Demir" not in repr(report), nid
