"""`mare network --hub`: the networks in the hub's own data, through the policy."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyse.network.test_hub import BKA, SCO, load
from mare.cli import app
from mare.hub.context import HubContext
from mare.hub.networks import NetworkError, entity_network, neighbourhood, network, networks
from mare.store.db import Store


def ctx(store: Store, viewer: object) -> HubContext:
    return HubContext(store, viewer, "password")  # type: ignore[arg-type]


def _names(found: list[dict[str, object]]) -> list[str]:
    return [str(n["name"]) for n in found]


def test_networks_found_named_and_filtered(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    owner = [n.as_dict() for n in networks(ctx(store, BKA), min_size=2)]
    assert [n["people"] for n in owner] == [3, 2]
    assert owner[0]["id"] == "N1" and "Adil Haddad" in owner[0]["name"]
    assert "Hidden Boss" in owner[1]["name"]
    other = [n.as_dict() for n in networks(ctx(store, SCO), min_size=2)]
    assert [n["people"] for n in other] == [3]  # IT-SCO may not see the H2 pair
    assert "Hidden" not in json.dumps(other)
    assert networks(ctx(store, BKA), min_size=4) == []
    with pytest.raises(NetworkError, match="at least 2 people"):
        networks(ctx(store, BKA), min_size=1)


def test_one_network_and_a_neighbourhood(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    net = network(ctx(store, BKA), "n1")
    assert sorted(a["label"] for a in net.attrs.values()) == ["Adil Haddad", "Burak Demir", "Cem Yilmaz"]
    with pytest.raises(NetworkError, match=r"no network 'N7'.*N1…N1"):
        network(ctx(store, BKA), "N7")
    burak = next(n for n, a in net.attrs.items() if a["label"] == "Burak Demir")
    around = neighbourhood(ctx(store, BKA), burak, depth=1, tie_kinds=["shared_assets"])
    assert sorted(a["label"] for a in around.attrs.values()) == ["Burak Demir", "Cem Yilmaz"]
    with pytest.raises(NetworkError, match="not in any network you may see"):
        hidden = store.con.execute("SELECT uid FROM records WHERE label = 'Hidden Boss'").fetchone()
        assert hidden is not None
        neighbourhood(ctx(store, SCO), hidden[0])
    with pytest.raises(NetworkError, match="--depth"):
        neighbourhood(ctx(store, BKA), burak, depth=9)


def test_resolved_records_are_one_node(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    uids = dict(store.con.execute("SELECT label, uid FROM records WHERE kind = 'person'").fetchall())
    now = datetime(2026, 11, 1)
    store.con.executemany(
        "INSERT INTO entities VALUES (?, 'E-same', ?)",
        [[uids["Burak Demir"], now], [uids["Cem Yilmaz"], now]],
    )
    net = entity_network(ctx(store, BKA))
    assert "E-same" in net.ids and uids["Burak Demir"] not in net.ids
    assert sorted(net.attrs["E-same"]["records"]) == sorted([uids["Burak Demir"], uids["Cem Yilmaz"]])


def test_cli(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    home = str(store.home)
    store.close()
    runner = CliRunner()
    listed = runner.invoke(
        app, ["network", "--hub", "--home", home, "--as-agency", "DE-BKA", "--min-size", "2"]
    )
    assert listed.exit_code == 0, listed.output
    assert "N1" in listed.output and "Adil" in listed.output and "Hidden" in listed.output
    one = runner.invoke(
        app, ["network", "--hub", "--network", "N1", "--home", home, "--as-agency", "DE-BKA", "--json"]
    )
    assert one.exit_code == 0, one.output
    report = json.loads(one.output)
    assert report["network"]["nodes"] == 3 and "Cem Yilmaz" in report["labels"].values()
    for args in (["network", "--hub", "--network", "N5"], ["network", "--hub", "--entity", "nobody"]):
        bad = runner.invoke(app, [*args, "--home", home])
        assert bad.exit_code == 1 and "error" in bad.output and "Traceback" not in bad.output
    both = runner.invoke(app, ["network", str(tmp_path / "x.csv"), "--hub", "--home", home])
    assert both.exit_code == 2 and "not both" in both.output
    neither = runner.invoke(app, ["network"])
    assert neither.exit_code == 2 and "--hub" in neither.output


def test_hub_comparison(store: Store, tmp_path: Path) -> None:
    from mare.hub.networks import compare_networks

    load(store, tmp_path)
    profiles, typed = compare_networks(ctx(store, BKA), min_size=2)
    assert [p["name"] for p in profiles] == ["N1", "N2"] and profiles[0]["nodes"] == 3
    assert "Adil Haddad" in profiles[0]["named_by"] and typed.k == 1  # too few networks for types
    other, _ = compare_networks(ctx(store, SCO), min_size=2)
    assert [p["nodes"] for p in other] == [3] and "Hidden" not in json.dumps(other)
    home = str(store.home)
    store.close()
    shown = CliRunner().invoke(
        app,
        [
            "network",
            "--hub",
            "--compare",
            "--min-size",
            "2",
            "--home",
            home,
            "--as-agency",
            "IT-SCO",
            "--json",
        ],
    )
    assert shown.exit_code == 0, shown.output
    assert [p["nodes"] for p in json.loads(shown.output)["networks"]] == [3]


def test_cli_time_windows(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    home = str(store.home)
    store.close()
    runner = CliRunner()
    args = ["network", "--hub", "--network", "N1", "--home", home, "--as-agency", "DE-BKA"]
    shown = runner.invoke(app, [*args, "--windows", "month", "--json"])
    assert shown.exit_code == 0, shown.output
    track = json.loads(shown.output)["windows"]
    assert track["labels"] == sorted(track["labels"]) and "2026-10" in track["labels"]
    assert len(track["top"]) == len(track["labels"])
    bad = runner.invoke(app, [*args, "--windows", "week"])
    assert bad.exit_code == 2 and "month, quarter or year" in bad.output


def test_profiles_carry_crime_areas_and_journeys(store: Store, tmp_path: Path) -> None:
    from builders import write_contribution
    from mare.ingest.pipeline import ingest_file

    load(store, tmp_path)
    legs = [
        {
            "id": "j1",
            "kind": "journey_leg",
            "from_country": "TR",
            "to_country": "GR",
            "conveyance": "rubber_dinghy",
        },
        {"id": "a", "kind": "person", "category": "suspect", "name": "Alpha Crew"},
        {"id": "b", "kind": "person", "category": "suspect", "name": "Beta Crew"},
        {"id": "c", "kind": "person", "category": "suspect", "name": "Gamma Crew"},
    ]
    travel = [{"kind": "travelled_on", "source": p, "target": "j1"} for p in ("a", "b", "c")]
    report = ingest_file(
        store,
        write_contribution(tmp_path / "legs.json", legs, travel, id="LEGS", crime_areas=["drug_trafficking"]),
    )
    assert report.status == "stored", report.message
    from mare.hub.networks import compare_networks

    profiles, _ = compare_networks(ctx(store, BKA), min_size=3)
    crew = next(p for p in profiles if "Crew" in p["named_by"])
    assert crew["routes"] == {"TR->GR": 3} and crew["modus_operandi"] == {"rubber_dinghy": 3}
    assert crew["crime_areas"] == {"drug_trafficking": 3}


def test_a_kept_network_follows_the_viewer_and_the_data(store: Store, tmp_path: Path) -> None:
    """The person network is kept per viewer's policy and state of the data: the same viewer gets an
    equal copy (its consultation entry counting the same), another viewer their own, and new data a
    new one."""
    load(store, tmp_path)
    with ctx(store, BKA) as c:
        first = entity_network(c)
    with ctx(store, BKA) as c:
        again = entity_network(c)
    assert again is not first and again.ids == first.ids and (again.src == first.src).all()
    again.attrs[again.ids[0]]["label"] = "changed by a caller"
    with ctx(store, BKA) as c:
        assert entity_network(c).attrs[first.ids[0]]["label"] != "changed by a caller"
    bulks = [
        json.loads(d)["bulk"]
        for (d,) in store.con.execute(
            "SELECT details FROM audit_log WHERE action = 'consultation' AND actor = ? ORDER BY seq",
            [BKA.user],  # type: ignore[attr-defined]
        ).fetchall()
    ]
    assert len(bulks) == 3 and bulks[0] == bulks[1] == bulks[2]
    assert "Hidden Boss" not in json.dumps(entity_network(ctx(store, SCO)).attrs)
    uids = dict(store.con.execute("SELECT label, uid FROM records WHERE kind = 'person'").fetchall())
    now = datetime(2026, 11, 1)
    store.con.executemany(
        "INSERT INTO entities VALUES (?, 'E-same', ?)",
        [[uids["Burak Demir"], now], [uids["Cem Yilmaz"], now]],
    )
    assert "E-same" in entity_network(ctx(store, BKA)).ids
