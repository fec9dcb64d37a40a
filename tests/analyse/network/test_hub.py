"""The person network from hub data, through the access policy (leak check included)."""

from __future__ import annotations

import json
from pathlib import Path

from builders import write_contribution
from mare.access.policy import Viewer
from mare.hub.context import HubContext
from mare.hub.network import hub_network
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store

BKA = Viewer("ana", "DE-BKA")
SCO = Viewer("marco", "IT-SCO")


def person(pid: str, name: str, **extra: object) -> dict[str, object]:
    return {"id": pid, "kind": "person", "category": "suspect", "name": name, **extra}


def load(store: Store, tmp_path: Path) -> None:
    records = [
        person("p1", "Adil Haddad", nationality="SY", phone="+4915123456789"),
        person("p2", "Burak Demir", nationality="TR"),
        person("p3", "Cem Yilmaz", nationality="TR"),
        {"id": "ph2", "kind": "phone", "number": "+393331234567"},
        {"id": "v1", "kind": "vehicle", "plate": "B-MH 4521", "country": "DE"},
        {"id": "e1", "kind": "event", "event_type": "interception", "occurred_at": "2026-10-28T03:40:00Z"},
        {"id": "pay1", "kind": "payment", "amount": 4500, "currency": "EUR", "paid_at": "2026-10-20"},
    ]
    links = [
        {"kind": "uses_phone", "source": "p2", "target": "ph2"},
        {"kind": "drives_vehicle", "source": "p2", "target": "v1"},
        {"kind": "owns_vehicle", "source": "p3", "target": "v1"},
        {"kind": "involved_in", "source": "p1", "target": "e1"},
        {"kind": "involved_in", "source": "p3", "target": "e1"},
        {"kind": "paid", "source": "p1", "target": "pay1"},
        {"kind": "received", "source": "p3", "target": "pay1"},
    ]
    report = ingest_file(store, write_contribution(tmp_path / "open.json", records, links, id="OPEN-1"))
    assert report.status == "stored", report.message
    secret = [person("s1", "Hidden Boss", nationality="LY"), person("s2", "Hidden Aide")]
    secret_links = [{"kind": "associate_of", "source": "s1", "target": "s2"}]
    report = ingest_file(
        store,
        write_contribution(
            tmp_path / "h2.json", secret, secret_links, id="SECRET-1", handling={"code": "H2"}
        ),
    )
    assert report.status == "stored", report.message
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "caller,callee,start\n+4915123456789,+393331234567,2026-10-01T10:00:00Z\n"
        "+393331234567,+4915123456789,2026-10-02T10:00:00Z\n",
        encoding="utf-8",
    )
    (tmp_path / "calls.csv.envelope.json").write_text(
        json.dumps(
            {
                "format": "mare.contribution/1",
                "id": "CDR-1",
                "agency": "DE-BKA",
                "sent_at": "2026-11-01T10:00:00Z",
                "handling": {"code": "H2"},
            }
        )
    )
    assert ingest_file(store, calls).status == "stored"


def labelled(net: object) -> dict[frozenset[str], float]:
    from mare.analyse.network.graph import Network

    assert isinstance(net, Network)
    name = {n: net.attrs[n]["label"] for n in net.ids}
    return {
        frozenset((name[net.ids[a]], name[net.ids[b]])): float(w)
        for a, b, w in zip(net.src, net.dst, net.weight, strict=True)
    }


def test_owner_sees_every_kind_of_tie(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    net = hub_network(HubContext(store, BKA, "password"))
    ties = labelled(net)
    assert ties[frozenset(("Adil Haddad", "Burak Demir"))] == 2.0  # two calls between their phones
    assert ties[frozenset(("Burak Demir", "Cem Yilmaz"))] == 1.0  # shared vehicle
    assert ties[frozenset(("Adil Haddad", "Cem Yilmaz"))] == 2.0  # same event + a payment
    assert ties[frozenset(("Hidden Boss", "Hidden Aide"))] == 1.0
    assert net.meta["withheld"] == {}
    assert net.meta["ties_by_kind"] == {
        "calls": 2,
        "co_participation": 1,
        "shared_assets": 1,
        "payments": 1,
        "associations": 1,
    }
    evidence = {net.attrs[n]["label"]: net.attrs[n]["evidence"] for n in net.ids}
    assert evidence["Cem Yilmaz"] == {"vehicles": 1, "payments": 1, "as_suspect": 1}
    only_calls = hub_network(HubContext(store, BKA, "password"), tie_kinds=["calls"], weights={"calls": 0.5})
    assert list(labelled(only_calls).values()) == [1.0]


def test_other_agency_gets_no_h2_nodes_or_ties(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    with HubContext(store, SCO, "password", what="network") as ctx:
        net = hub_network(ctx)
    names = {net.attrs[n]["label"] for n in net.ids}
    assert names == {"Adil Haddad", "Burak Demir", "Cem Yilmaz"}
    assert not any(
        n.startswith(
            store.con.execute("SELECT uid FROM contributions WHERE sender_id = 'SECRET-1'").fetchone()[0]
        )
        for n in net.ids
    )
    ties = labelled(net)
    assert frozenset(("Adil Haddad", "Burak Demir")) not in ties  # the calls were H2
    assert net.meta["withheld"] == {"record": 2, "link": 1, "calls": 1}
    entry = store.con.execute(
        "SELECT outcome, details FROM audit_log WHERE action = 'consultation' AND actor = 'marco'"
    ).fetchall()
    assert len(entry) == 1 and entry[0][0] == "partial"
    bulk = json.loads(entry[0][1])["bulk"]["record"]
    assert bulk["shown"] == 7 and sum(bulk["withheld"].values()) == 2
    nationalities = {net.attrs[n]["nationality"] for n in net.ids}
    assert "LY" not in nationalities


def test_hierarchy_evidence_names_the_leader(store: Store, tmp_path: Path) -> None:
    """Recorded roles, payment purposes, associate_of links and adverts reach the node evidence, and
    the leader (no recorded role, few ties) is assessed from them."""
    from mare.analyse.network.cells import find_cells
    from mare.analyse.network.measures import node_measures
    from mare.analyse.network.roles import infer_roles

    records = [
        person("boss", "Karim Nasser", nationality="LY"),
        person("org1", "Omar Saleh", role="organiser", phone="+905321112233"),
        person("org2", "Yusuf Kaya", role="organiser"),
        person("drv", "Ali Demir", role="driver"),
        {**person("mig", "Hassan Ahmadi"), "category": "victim"},
        {"id": "ph1", "kind": "phone", "number": "+905321112233"},
        {"id": "ad1", "kind": "advert", "platform": "facebook", "text": "Safe trip, WhatsApp +905321112233"},
        *(
            {"id": f"pay{i}", "kind": "payment", "amount": 900, "currency": "EUR", "purpose": purpose}
            for i, purpose in enumerate(("proceeds to leader", "proceeds to leader", "Smuggling fee"), 1)
        ),
    ]
    links = [
        {"kind": "associate_of", "source": "org1", "target": "boss"},
        {"kind": "associate_of", "source": "org2", "target": "boss"},
        {"kind": "associate_of", "source": "drv", "target": "org1"},
        {"kind": "advertises", "source": "ad1", "target": "ph1"},
        {"kind": "paid", "source": "org1", "target": "pay1"},
        {"kind": "received", "source": "boss", "target": "pay1"},
        {"kind": "paid", "source": "org2", "target": "pay2"},
        {"kind": "received", "source": "boss", "target": "pay2"},
        {"kind": "paid", "source": "mig", "target": "pay3"},
        {"kind": "received", "source": "org1", "target": "pay3"},
    ]
    report = ingest_file(store, write_contribution(tmp_path / "ring.json", records, links, id="RING-1"))
    assert report.status == "stored", report.message
    net = hub_network(HubContext(store, BKA, "password"))
    by_name = {net.attrs[n]["label"]: n for n in net.ids}
    evidence = {name: net.attrs[n]["evidence"] for name, n in by_name.items()}
    assert evidence["Karim Nasser"] == {
        "as_suspect": 1,
        "named_associate": 2,
        "payments": 2,
        "received_proceeds": 2,
    }
    assert evidence["Omar Saleh"] == {
        "recorded_organiser": 1,
        "as_suspect": 1,
        "named_associate": 1,
        "names_associate": 1,
        "adverts": 1,
        "payments": 1,
        "received_fee": 1,
        "paid_proceeds": 1,
    }
    assert evidence["Hassan Ahmadi"] == {"as_victim": 1, "paid_fee": 1}
    m = node_measures(net, "networkx")
    roles = infer_roles(net, m, find_cells(net, "networkx"))
    boss = roles[by_name["Karim Nasser"]]
    assert boss.role == "leader"
    assert any("proceeds passed up" in r for r in boss.reasons)
    assert any("named as associate by 2 upper-tier people" in r for r in boss.reasons)
    assert roles[by_name["Omar Saleh"]].role == roles[by_name["Yusuf Kaya"]].role == "organiser"
    assert roles[by_name["Ali Demir"]].role == "facilitator"
    assert roles[by_name["Ali Demir"]].kind == "transport"
    assert roles[by_name["Hassan Ahmadi"]].role in ("member", "peripheral")
