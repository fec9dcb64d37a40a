"""The kept person networks (`mare.hub.networks`): kept across ingests that store nothing the network
reads, built again when anything it reads changes, and never handed from one viewer to another."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analyse.network.test_hub import BKA, SCO, load, person
from builders import write_contribution
from mare.access.policy import Viewer
from mare.hub import kept, networks
from mare.hub.context import HubContext
from mare.ingest.pipeline import IngestOptions, ingest_file
from mare.store.db import Store


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The viewers for whom the person network was built (not taken from the kept ones)."""
    seen: list[str] = []
    build = networks._entity_network

    def counted(ctx: HubContext, *args: Any) -> Any:
        seen.append(ctx.viewer.agency)
        time.sleep(0.2)  # long enough for a second request to arrive while it is built
        return build(ctx, *args)

    monkeypatch.setattr(networks, "_entity_network", counted)
    for cache in (networks._NETWORKS, networks._FOUND, networks._REPORTS, networks._FINGERPRINTS):
        cache.clear()
    yield seen


def labels(store: Store, viewer: Viewer) -> set[str]:
    with HubContext(store, viewer, "password") as ctx:
        found = networks.hub_found_networks(ctx, 2)
    return {str(a["label"]) for _, net in found for a in net.attrs.values()}


def test_an_ingest_the_network_never_reads_keeps_it(store: Store, tmp_path: Path, builds: list[str]) -> None:
    load(store, tmp_path)
    before = labels(store, BKA)
    ais = tmp_path / "positions.csv"
    ais.write_text("mmsi,time,lat,lon,sog,cog\n211000001,2025-05-01 10:00:00,54.1,10.2,5.5,90\n", "utf-8")
    assert ingest_file(store, ais, IngestOptions(agency="DE-BKA")).positions == 1
    assert labels(store, BKA) == before
    assert builds == ["DE-BKA"]  # the AIS contribution is not read by the network: kept


def test_new_people_and_ties_build_it_again(store: Store, tmp_path: Path, builds: list[str]) -> None:
    load(store, tmp_path)
    assert "Dana New" not in labels(store, BKA)
    records = [person("n1", "Dana New"), person("n2", "Emil New")]
    links = [{"kind": "associate_of", "source": "n1", "target": "n2"}]
    report = ingest_file(store, write_contribution(tmp_path / "new.json", records, links, id="NEW-1"))
    assert report.status == "stored", report.message
    assert {"Dana New", "Emil New"} <= labels(store, BKA)
    assert builds == ["DE-BKA", "DE-BKA"]


def test_a_policy_change_on_a_record_builds_it_again(store: Store, tmp_path: Path, builds: list[str]) -> None:
    """A record made H2 after the network was kept drops out of another agency's network at once."""
    load(store, tmp_path)
    assert "Burak Demir" in labels(store, SCO)
    store.con.execute("UPDATE records SET handling_code = 'H2' WHERE label = 'Burak Demir'")
    assert "Burak Demir" not in labels(store, SCO)
    assert builds == ["IT-SCO", "IT-SCO"]


def people(store: Store, viewer: Viewer) -> set[str]:
    with HubContext(store, viewer, "password") as ctx:
        return {str(a["label"]) for a in networks.entity_network(ctx).attrs.values()}


def test_consent_and_resolution_build_it_again(store: Store, tmp_path: Path, builds: list[str]) -> None:
    """Consent granted to the viewer's agency releases the records at once (their H2 tie stays withheld)."""
    load(store, tmp_path)
    assert "Hidden Boss" not in people(store, SCO)
    rows = store.con.execute("SELECT uid FROM records WHERE label LIKE 'Hidden%'").fetchall()
    hidden = [u for (u,) in rows]
    store.con.executemany(
        "INSERT INTO consent_requests (id, requester, requester_agency, record_uid, owner_agency, purpose, "
        "justification, status, created_at) VALUES (?, 'marco', 'IT-SCO', ?, 'DE-BKA', 'crime_fighting', "
        "'a joint case', 'granted', now())",
        [[f"C{i}", uid] for i, uid in enumerate(hidden)],
    )
    assert "Hidden Boss" in people(store, SCO)
    uids = dict(store.con.execute("SELECT label, uid FROM records WHERE kind = 'person'").fetchall())
    store.con.executemany(
        "INSERT INTO entities VALUES (?, 'E-same', now())", [[uids["Burak Demir"]], [uids["Cem Yilmaz"]]]
    )
    with HubContext(store, BKA, "password") as ctx:
        assert "E-same" in networks.entity_network(ctx).ids
    assert builds == ["IT-SCO", "IT-SCO", "DE-BKA"]


def test_never_shared_between_viewers(store: Store, tmp_path: Path, builds: list[str]) -> None:
    """Each agency's network is its own: the owner's kept network is never what another agency gets,
    and each viewer's consultation entry counts what that viewer's policy withheld."""
    load(store, tmp_path)
    assert "Hidden Boss" in labels(store, BKA)
    assert "Hidden Boss" not in labels(store, SCO)
    assert "Hidden Boss" in labels(store, BKA) and "Hidden Boss" not in labels(store, SCO)
    assert builds == ["DE-BKA", "IT-SCO"]
    bulk = {
        actor: json.loads(details)["bulk"]["record"]
        for actor, details in store.con.execute(
            "SELECT actor, details FROM audit_log WHERE action = 'consultation' ORDER BY seq"
        ).fetchall()
    }
    assert bulk["marco"]["withheld"] and not bulk["ana"]["withheld"]


def test_the_analysis_is_kept_with_its_network(store: Store, tmp_path: Path, builds: list[str]) -> None:
    load(store, tmp_path)
    with HubContext(store, BKA, "password") as ctx:
        net, report = networks.analysed_network(ctx, "N1", 2)
        report["nodes"].clear()  # a caller's change stays with the caller
    with HubContext(store, BKA, "password") as ctx:
        again, kept = networks.analysed_network(ctx, "n1", 2)
    assert kept["nodes"] and again.ids == net.ids and len(networks._REPORTS) == 1
    store.con.execute("UPDATE records SET label = 'Renamed' WHERE label = 'Adil Haddad'")
    with HubContext(store, BKA, "password") as ctx:
        renamed, _ = networks.analysed_network(ctx, "N1", 2)
    assert "Renamed" in {a["label"] for a in renamed.attrs.values()} and len(networks._REPORTS) == 2
    with HubContext(store, BKA, "password") as ctx, pytest.raises(networks.NetworkError, match="N1…N2"):
        networks.analysed_network(ctx, "N9", 2)
    assert builds == ["DE-BKA", "DE-BKA"]


def test_one_build_for_requests_arriving_together(store: Store, tmp_path: Path, builds: list[str]) -> None:
    """Requests asking for the same network while it is being built wait for that build and take it;
    another viewer's request builds its own."""
    load(store, tmp_path)
    found: list[set[str]] = []

    def ask(viewer: Viewer) -> None:
        cursor = Store(home=store.home, con=store.con.cursor(), archive=store.archive)
        found.append(labels(cursor, viewer))

    asking = [threading.Thread(target=ask, args=(v,)) for v in (BKA, BKA, BKA, SCO)]
    for t in asking:
        t.start()
    for t in asking:
        t.join()
    assert sorted(builds) == ["DE-BKA", "IT-SCO"]
    assert sum("Hidden Boss" in f for f in found) == 3 and len(found) == 4


# --- served across additions (the web server: `kept.serve_across_additions`) ------------------------


@pytest.fixture
def across(store: Store) -> Iterator[None]:
    """This store's kept networks served across additions for a minute, as the web server does."""
    kept.serve_across_additions(store.home, 60.0)
    yield
    kept.serve_across_additions(store.home, None)


def served(store: Store, viewer: Viewer) -> tuple[set[str], dict[str, Any]]:
    with HubContext(store, viewer, "password") as ctx:
        found = networks.hub_found_networks(ctx, 2)
    names = {str(a["label"]) for _, net in found for a in net.attrs.values()}
    return names, found[0][1].meta["served"]


def add_people(store: Store, tmp_path: Path, name: str = "NEW-1") -> None:
    records = [person("n1", "Dana New"), person("n2", "Emil New"), person("n3", "Burak Demir")]
    links = [
        {"kind": "associate_of", "source": "n1", "target": "n2"},
        {"kind": "associate_of", "source": "n1", "target": "n3"},
    ]
    report = ingest_file(store, write_contribution(tmp_path / f"{name}.json", records, links, id=name))
    assert report.status == "stored", report.message


def test_an_addition_is_served_from_the_last_build_for_a_while(
    store: Store, tmp_path: Path, builds: list[str], across: None
) -> None:
    """Within the window an addition does not rebuild the network: the last build is served, saying
    when it was built; once the window has passed the next request reads the data and builds again."""
    load(store, tmp_path)
    before, fresh = served(store, BKA)
    assert not fresh["across_additions"] and fresh["as_of"]
    add_people(store, tmp_path)
    after, stale = served(store, BKA)
    assert after == before and "Dana New" not in after
    assert stale["across_additions"] and stale["as_of"] == fresh["as_of"]
    assert builds == ["DE-BKA"]
    kept.serve_across_additions(store.home, 0.0)  # the window has passed
    rebuilt, current = served(store, BKA)
    assert {"Dana New", "Emil New"} <= rebuilt and not current["across_additions"]
    assert builds == ["DE-BKA", "DE-BKA"]


def age(store: Store, seconds: float) -> None:
    """The last builds served across additions for this store made `seconds` earlier (time passing)."""
    home = str(store.home.resolve())
    with kept._LOCK:
        for slot, build in list(kept._LAST.items()):
            if slot[1][0] == home:
                kept._LAST[slot] = dataclasses.replace(build, made=build.made - seconds)


def rebuilt_behind() -> None:
    """Wait for the rebuilds behind the requests (`kept.rebuild_behind`) to end."""
    for thread in threading.enumerate():
        if thread.name.startswith("mare-rebuild-"):
            thread.join(60)
            assert not thread.is_alive()


def test_past_the_window_the_network_is_rebuilt_behind_the_requests(
    store: Store, tmp_path: Path, builds: list[str], across: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the window has passed, the request that finds it so is served the last build like the others
    (none waits for a rebuild); the network, and the networks found in it, are built behind them in one
    read transaction: an upload committed meanwhile is not in that build, which is kept all the same."""
    from mare.analyse.network import report

    load(store, tmp_path)
    before, fresh = served(store, BKA)
    with HubContext(store, BKA, "password") as ctx:
        ids = [nid for nid, _ in networks.hub_found_networks(ctx, 2)]
        for nid in ids:
            networks.analysed_network(ctx, nid, 2)
    add_people(store, tmp_path)
    age(store, 61)
    analysts: list[str] = []
    analyse = report.analyse

    def analysing(net: Any) -> Any:
        analysts.append(threading.current_thread().name)
        return analyse(net)

    monkeypatch.setattr(report, "analyse", analysing)
    started, added = threading.Event(), threading.Event()
    build = networks._entity_network

    def waiting(ctx: HubContext, *args: Any) -> Any:
        started.set()
        assert added.wait(30)
        return build(ctx, *args)

    monkeypatch.setattr(networks, "_entity_network", waiting)
    finders: list[str] = []
    find = networks.find_networks

    def finding(net: Any, *args: Any, **kwargs: Any) -> Any:
        finders.append(threading.current_thread().name)
        return find(net, *args, **kwargs)

    monkeypatch.setattr(networks, "find_networks", finding)
    names, info = served(store, BKA)  # due: served the last build, its rebuild started
    assert names == before and info["across_additions"] and info["as_of"] == fresh["as_of"]
    assert started.wait(30)
    assert served(store, BKA)[1]["rebuilding"]
    late = [person("l1", "Lena Late"), person("l2", "Otto Late")]
    link = [{"kind": "associate_of", "source": "l1", "target": "l2"}]
    report = ingest_file(store, write_contribution(tmp_path / "late.json", late, link, id="LATE-1"))
    assert report.status == "stored", report.message
    added.set()
    rebuilt_behind()
    names, info = served(store, BKA)
    assert {"Dana New", "Emil New"} <= names and not {"Lena Late", "Otto Late"} & names
    assert info["across_additions"] and not info["rebuilding"]
    assert builds == ["DE-BKA", "DE-BKA"]  # the second behind the requests, and kept
    assert finders == ["mare-rebuild-person network"]  # the networks found in it, behind them too
    # the networks that changed (the one the new people joined) analysed again behind the requests
    assert analysts and set(analysts) == {"mare-rebuild-person network"}
    with HubContext(store, BKA, "password") as ctx:
        for nid in ids:
            networks.analysed_network(ctx, nid, 2)
    assert set(analysts) == {"mare-rebuild-person network"}


def test_a_build_whose_rebuilds_fail_is_not_served_for_ever(
    store: Store, tmp_path: Path, builds: list[str], across: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild behind the requests that fails leaves the last build served; once it is `STALE_AFTER`
    windows old with no rebuild under way, requests read the data and build as off the web server."""
    load(store, tmp_path)
    before, _ = served(store, BKA)
    add_people(store, tmp_path)
    age(store, 61)
    build = networks._entity_network

    def failing(ctx: HubContext, *args: Any) -> Any:
        raise RuntimeError("the rebuild fails")

    monkeypatch.setattr(networks, "_entity_network", failing)
    assert served(store, BKA)[0] == before
    rebuilt_behind()
    assert served(store, BKA)[0] == before  # due again: another rebuild, failing too
    rebuilt_behind()
    monkeypatch.setattr(networks, "_entity_network", build)
    age(store, kept.STALE_AFTER * 60)
    names, info = served(store, BKA)
    assert "Dana New" in names and not info["across_additions"]


def test_a_withholding_change_is_never_served_from_an_older_build(
    store: Store, tmp_path: Path, builds: list[str], across: None
) -> None:
    """A record made H2 inside a withholding change (as every write but an upload is, in the server)
    drops out of the other agency's network at once, window or not."""
    load(store, tmp_path)
    assert "Burak Demir" in served(store, SCO)[0]
    with kept.withholding_change():
        store.con.execute("UPDATE records SET handling_code = 'H2' WHERE label = 'Burak Demir'")
    names, info = served(store, SCO)
    assert "Burak Demir" not in names and not info["across_additions"]
    assert builds == ["IT-SCO", "IT-SCO"]


def test_nothing_is_served_across_while_a_withholding_change_runs(
    store: Store, tmp_path: Path, builds: list[str], across: None
) -> None:
    """While a withholding change is under way (committed or not yet), every request reads the data."""
    load(store, tmp_path)
    served(store, SCO)
    kept.begin_withholding()
    try:
        store.con.execute("UPDATE records SET handling_code = 'H2' WHERE label = 'Burak Demir'")
        names, info = served(store, SCO)
        assert "Burak Demir" not in names and not info["across_additions"]
        again, _ = served(store, SCO)  # built during the change: not served across it afterwards
    finally:
        kept.end_withholding()
    assert "Burak Demir" not in again
    store.con.execute("UPDATE records SET handling_code = 'H0' WHERE label = 'Burak Demir'")
    with kept.withholding_change():
        pass  # the server's writer ends every such job: the build made meanwhile is no longer served
    assert "Burak Demir" in served(store, SCO)[0]


def test_a_replacing_contribution_withholds(
    store: Store, tmp_path: Path, builds: list[str], across: None
) -> None:
    """A contribution that replaces an older one (a new version) may withdraw records: received through
    the hub layer (`intake.receive`, the server's upload) it is a withholding change, so the network is
    read again at once; a new contribution is an addition."""
    from mare.hub.intake import receive
    from mare.ingest.sources import find_sources

    load(store, tmp_path)
    contributor = Viewer("ana", "DE-BKA", frozenset({"contributor", "analyst"}))

    def upload(folder: str, records: list[dict[str, object]], **envelope: object) -> None:
        (tmp_path / folder).mkdir()
        path = write_contribution(tmp_path / folder / "new.json", records, [], **envelope)
        with HubContext(store, contributor, "password") as ctx:
            report = receive(ctx, find_sources([path])[0][0], IngestOptions())
        assert report.status == "stored", report.message

    served(store, BKA)
    upload("v1", [person("n1", "Dana New")], id="NEW-1")
    assert served(store, BKA)[1]["across_additions"]
    upload("v2", [person("n2", "Emil New")], id="NEW-1", supersedes="NEW-1")
    assert not served(store, BKA)[1]["across_additions"]
    assert builds == ["DE-BKA", "DE-BKA"]


def test_viewers_never_share_a_build_across_additions(
    store: Store, tmp_path: Path, builds: list[str], across: None
) -> None:
    load(store, tmp_path)
    assert "Hidden Boss" in served(store, BKA)[0]
    add_people(store, tmp_path)
    names, info = served(store, SCO)
    assert "Hidden Boss" not in names and not info["across_additions"]
    assert "Hidden Boss" in served(store, BKA)[0]
    assert builds == ["DE-BKA", "IT-SCO"]


def test_off_for_a_store_the_process_does_not_serve(store: Store, tmp_path: Path, builds: list[str]) -> None:
    """Without `serve_across_additions` for the store (the command line, other processes) every request
    reads the stamps: an addition is in the next network."""
    load(store, tmp_path)
    served(store, BKA)
    add_people(store, tmp_path)
    assert "Dana New" in served(store, BKA)[0]
    assert builds == ["DE-BKA", "DE-BKA"]


def test_a_network_an_addition_left_alone_keeps_its_analysis(
    store: Store, tmp_path: Path, builds: list[str]
) -> None:
    """The analysis is kept by the network's own content: new people elsewhere build the hub's network
    again, not the analysis of a network they do not touch; a change to the network itself does."""
    load(store, tmp_path)
    with HubContext(store, BKA, "password") as ctx:
        before, analysis = networks.analysed_network(ctx, "N1", 2)
    records = [person("n1", "Dana New"), person("n2", "Emil New")]
    links = [{"kind": "associate_of", "source": "n1", "target": "n2"}]
    report = ingest_file(store, write_contribution(tmp_path / "new.json", records, links, id="NEW-1"))
    assert report.status == "stored", report.message
    with HubContext(store, BKA, "password") as ctx:
        after, again = networks.analysed_network(ctx, "N1", 2)
    assert builds == ["DE-BKA", "DE-BKA"] and after.ids == before.ids
    assert again == analysis and len(networks._REPORTS) == 1
    store.con.execute("UPDATE records SET label = 'Renamed' WHERE label = 'Adil Haddad'")
    with HubContext(store, BKA, "password") as ctx:
        networks.analysed_network(ctx, "N1", 2)
    assert len(networks._REPORTS) == 2


def test_what_a_caller_changes_never_reaches_the_kept_networks(
    store: Store, tmp_path: Path, builds: list[str]
) -> None:
    """Each network handed out (one, or the list) is a copy: changing it leaves the next answer as it was."""
    load(store, tmp_path)
    with HubContext(store, BKA, "password") as ctx:
        first = networks.network(ctx, "N1", 2)
        before = (list(first.ids), {k: dict(v) for k, v in first.attrs.items()}, first.src.tolist())
        for attrs in first.attrs.values():
            attrs["label"] = "changed by a caller"
        first.ids.append("E-not-a-member")
        first.src[:] = 0
        first.meta["ties"] = []
        for _, part in networks.hub_found_networks(ctx, 2):
            for attrs in part.attrs.values():
                attrs["label"] = "changed too"
        again = networks.network(ctx, "N1", 2)
        assert (list(again.ids), {k: dict(v) for k, v in again.attrs.items()}, again.src.tolist()) == before
        assert again.meta["ties"]
        found = networks.hub_found_networks(ctx, 2)
        labels_now = {str(a["label"]) for _, p in found for a in p.attrs.values()}
        assert labels_now and not labels_now & {"changed by a caller", "changed too"}
    assert builds == ["DE-BKA"]  # all of it from the one kept build
