"""What the later sources of the scenario send: layering chains, seized phones, debriefings, referrals."""

from __future__ import annotations

import csv
import itertools
import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from mare.ingest.sources import detect_format
from mare.scenario.advert_posts import IRU, _referred
from mare.scenario.agencies import AGENCIES
from mare.scenario.laundering import HOP_DAYS, KEEP
from mare.scenario.world import Advert, Phone, World


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _docs(tiny: Path) -> list[dict]:
    out = []
    for path in sorted((tiny / "contributions").rglob("*.json")):
        if path.name.endswith("envelope.json") or detect_format(path) != "json":
            continue
        out.append(json.loads(path.read_text(encoding="utf-8")))
    return out


def _truth(tiny: Path) -> dict[tuple[str, str], str]:
    return {(r["contribution"], r["record"]): r["true_id"] for r in _rows(tiny / "truth" / "records.csv")}


def _time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_layering_chains_move_the_deposit_on(tiny: Path) -> None:
    payments = {r["id"]: r for r in _rows(tiny / "truth" / "payments.csv")}
    chains: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in _rows(tiny / "truth" / "layering.csv"):
        chains[r["chain"]].append(r)
    assert chains
    for chain, hops in chains.items():
        hops.sort(key=lambda r: int(r["hop"]))
        assert [r["hop"] for r in hops] == ["0", "1", "2"] and hops[0]["payment"] == chain
        assert payments[chain]["purpose"] == "invoice" and hops[0]["payee"].startswith("O")
        for a, b in itertools.pairwise(hops):
            pa, pb = payments[a["payment"]], payments[b["payment"]]
            assert pb["payer"] == pa["payee"] and pb["method"] == "bank_transfer"
            days = (_time(pb["at"]) - _time(pa["at"])) / 86_400
            assert 0 < days <= HOP_DAYS[1] + 1
            kept = 1 - int(pb["amount"]) / int(pa["amount"])
            assert KEEP[0] - 0.02 <= kept <= KEEP[1] + 0.02


def test_layering_hops_reach_the_hub_in_bank_reports(tiny: Path) -> None:
    """The hops after the deposit are bank transfers between companies: the FIU reports carry them."""
    hops = {r["payment"] for r in _rows(tiny / "truth" / "layering.csv") if r["hop"] != "0"}
    reports = set()
    for path in (tiny / "contributions").rglob("envelope.json"):
        if "-FIU-" in json.loads(path.read_text(encoding="utf-8")).get("case_refs", [""])[0]:
            reports.add(path.parent.name)
    contributed = {(c, t) for (c, _), t in _truth(tiny).items() if t in hops}
    assert contributed and all(c in reports for c, _ in contributed)


def test_people_are_linked_to_their_own_phones_and_accounts(tiny: Path) -> None:
    """Every source, seized phones' contacts and debriefings included, links a person record only to the
    phones and accounts that person used."""
    owner = {r["id"]: r["person"] for r in _rows(tiny / "truth" / "phones.csv")}
    owner.update({r["id"]: r["owner"] for r in _rows(tiny / "truth" / "things.csv")})
    truth = _truth(tiny)
    contacts_with_chats = 0
    for doc in _docs(tiny):
        kinds = {r["id"]: r for r in doc["records"]}
        for link in doc["links"]:
            if link["kind"] in ("uses_phone", "uses_account"):
                person = truth[(doc["id"], link["source"])]
                assert owner[truth[(doc["id"], link["target"])]] == person, (doc["id"], link)
                if link["kind"] == "uses_account" and kinds[link["source"]]["category"] == "contact":
                    contacts_with_chats += 1
    assert contacts_with_chats  # a seized phone's chat list names its contacts' accounts


def test_debriefed_migrants_travelled_the_legs_and_paid_the_fees(tiny: Path) -> None:
    journeys = {r["migrant"]: set(r["legs"].split(" | ")) for r in _rows(tiny / "truth" / "journeys.csv")}
    payments = {r["id"]: r for r in _rows(tiny / "truth" / "payments.csv")}
    truth = _truth(tiny)
    debriefed = 0
    for doc in _docs(tiny):
        if "DEBRIEF" not in doc["case_refs"][0]:
            continue
        witnesses = {r["id"] for r in doc["records"] if r["kind"] == "person" and r["category"] == "witness"}
        for link in doc["links"]:
            if link["kind"] == "travelled_on":
                assert link["source"] in witnesses
                assert truth[(doc["id"], link["target"])] in journeys[truth[(doc["id"], link["source"])]]
                debriefed += 1
        migrants = {truth[(doc["id"], w)] for w in witnesses}
        for r in doc["records"]:
            if r["kind"] == "payment":
                assert payments[truth[(doc["id"], r["id"])]]["migrant"] in migrants
    assert debriefed


def test_the_referral_unit_refers_to_members_and_operational_partners() -> None:
    world = World()
    for n, cc in enumerate(("381", "90", "218", "49")):  # Serbia, Turkey, Libya, Germany
        world.phones[f"T{n}"] = Phone(f"T{n}", "P1", cc, "601234567", "", "", 0, 1)
        world.adverts[f"AD{n}"] = Advert(
            id=f"AD{n}",
            network="N1",
            poster="P1",
            phone=f"T{n}",
            account="",
            platform="telegram",
            url="",
            posted=0,
            language="en",
            text="",
            price=0,
            currency="EUR",
            route_offered="",
        )
    referred = _referred(world, AGENCIES, list(world.adverts.values()))
    assert {agency: [ad.id for ad in ads] for agency, ads in referred.items()} == {
        "RS-MUP": ["AD0"],  # a partner with an operational agreement
        "DE-BKA": ["AD3"],  # a member
    }  # Turkey's agreement is strategic; Libya has no agency in the hub
    assert IRU not in referred
