"""`mare money FILE` and `mare money --hub`: patterns as JSON objects, bad rows reported, no leak."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Viewer
from mare.cli import app
from mare.hub.context import HubContext
from mare.hub.money import hub_money
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store

runner = CliRunner()
VIEWER = Viewer("bob", "IT-SCO", frozenset({"analyst"}))
SECRET = ["Hidden Hawaladar", "Secret Payer", "DE89370400440532013000"]


def test_file_mode_patterns_and_bad_rows(tmp_path: Path) -> None:
    rows = ["source,target,amount,currency,time"]
    rows += [f"payer{k},collector,{4000 + k},EUR,2025-06-0{k + 1}" for k in range(6)]
    rows += ["A,B,1000,EUR,2025-07-01", "B,C,990,EUR,2025-07-03", "C,A,980,EUR,2025-07-05"]
    rows += [
        "x,y,100,ZZZ,2025-07-01",  # unknown currency
        "x,y,-5,EUR,2025-07-01",  # negative
        "x,y,99999999999999,EUR,2025-07-01",  # absurd
        "x,,10,EUR,2025-07-01",  # no target
        "x,y,ten,EUR,2025-07-01",  # not a number
        "x,y,10,EUR,yesterday",  # bad time: kept without one
        'p,q,"1,500.50",€,2025-07-02',  # written the other way: used
    ]
    path = tmp_path / "tx.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = runner.invoke(app, ["money", str(path), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["rows"] == 16 and data["transfers"] == 11
    kinds = {p["kind"] for p in data["patterns"]}
    assert {"fan-in", "cycle", "fee-level"} <= kinds
    fan = next(p for p in data["patterns"] if p["kind"] == "fan-in")
    assert fan["parties"][0] == "collector" and fan["eur"] == 24015 and fan["reasons"]
    cycle = next(p for p in data["patterns"] if p["kind"] == "cycle")
    assert cycle["parties"] == ["A", "B", "C"] and cycle["transfers"] == 3
    problems = {(p["where"].split(": ")[-1], p["field"]): p for p in data["problems"]}
    assert "unknown currency 'ZZZ'" in problems[("row 11", "currency")]["reason"]
    assert "negative amount" in problems[("row 12", "amount")]["reason"]
    assert "absurd amount" in problems[("row 13", "amount")]["reason"]
    assert "empty target" in problems[("row 14", "target")]["reason"]
    assert "not an amount" in problems[("row 15", "amount")]["reason"]
    assert problems[("row 16", "time")]["action"] == "kept without a time"
    assert data["flows"]["eur"] > 0 and data["turnover"]["hub"]["inputs"][0]["name"] == "journeys seen"
    text = runner.invoke(app, ["money", str(path)], env={"COLUMNS": "200"})
    assert text.exit_code == 0 and "row 11, currency: unknown currency" in " ".join(text.output.split())


def test_file_refused_with_the_fix(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("from,to,value\na,b,1\n", encoding="utf-8")
    out = runner.invoke(app, ["money", str(bad)])
    assert out.exit_code == 2 and "no column source, target, amount" in " ".join(out.output.split())
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    out = runner.invoke(app, ["money", str(binary)])
    assert out.exit_code == 2 and "not UTF-8" in out.output
    assert runner.invoke(app, ["money"]).exit_code == 2
    assert "not both" in runner.invoke(app, ["money", str(bad), "--hub"]).output


def _payment(
    pid: str, amount: Any, day: str, method: str = "hawala", currency: str = "EUR"
) -> dict[str, Any]:
    return {
        "id": pid,
        "kind": "payment",
        "amount": amount,
        "currency": currency,
        "paid_at": f"2026-{day}T10:00:00Z",
        "method": method,
        "purpose": "smuggling fee",
        "from_country": "DE",
        "to_country": "TR",
    }


def load(store: Store, tmp_path: Path) -> None:
    """IT-SCO (H0): a hawaladar paid by four relatives, paying out to a smuggler in Turkey; one payment
    in an unknown currency, refused at intake. DE-BKA (H3, IT-SCO denied): its own hawaladar and payers."""
    records: list[dict[str, Any]] = [
        {"id": "h", "kind": "person", "name": "Omar Hawala", "category": "suspect", "role": "hawaladar"},
        {
            "id": "s",
            "kind": "person",
            "name": "Samir Smuggler",
            "category": "suspect",
            "residence_country": "TR",
        },
    ]
    links: list[dict[str, Any]] = []
    for k in range(4):
        records.append(
            {"id": f"r{k}", "kind": "person", "name": f"Relative Number{k}", "category": "contact"}
        )
        records.append(_payment(f"pay{k}", 4000 + 100 * k, f"01-0{k + 1}"))
        links += [
            {"kind": "paid", "source": f"r{k}", "target": f"pay{k}"},
            {"kind": "received", "source": "h", "target": f"pay{k}"},
        ]
        records.append(
            {**_payment(f"out{k}", 3920 + 98 * k, f"01-0{k + 3}", "cash"), "purpose": "hawala payout"}
        )
        links += [
            {"kind": "paid", "source": "h", "target": f"out{k}"},
            {"kind": "received", "source": "s", "target": f"out{k}"},
        ]
    records.append(_payment("odd", 500, "02-01", currency="Dinarz"))
    links += [
        {"kind": "paid", "source": "r0", "target": "odd"},
        {"kind": "received", "source": "h", "target": "odd"},
    ]
    path = write_contribution(tmp_path / "it.json", records, links, id="IT-1", agency="IT-SCO")
    report = ingest_file(store, path)
    assert report.status == "stored" and report.rejected == 1
    (refused,) = [p for p in report.problems if p.severity == "error"]
    assert refused.field == "currency" and "unknown currency 'Dinarz'" in refused.reason
    assert refused.file == "it.json" and refused.row is not None and "ISO 4217" in refused.fix
    secret: list[dict[str, Any]] = [
        {"id": "h", "kind": "person", "name": SECRET[0], "category": "suspect"},
        {"id": "a", "kind": "financial_account", "iban": SECRET[2]},
    ]
    slinks: list[dict[str, Any]] = [{"kind": "holds_financial_account", "source": "h", "target": "a"}]
    for k in range(4):
        secret.append({"id": f"p{k}", "kind": "person", "name": f"{SECRET[1]} {k}", "category": "contact"})
        secret.append(_payment(f"pay{k}", 4500, f"03-0{k + 1}"))
        slinks += [
            {"kind": "paid", "source": f"p{k}", "target": f"pay{k}"},
            {"kind": "received", "source": "a", "target": f"pay{k}"},
        ]
    path = write_contribution(
        tmp_path / "de.json",
        secret,
        slinks,
        id="DE-1",
        agency="DE-BKA",
        handling={"code": "H3", "restrictions": {"agencies_denied": ["IT-SCO"]}},
    )
    assert ingest_file(store, path).status == "stored"


def test_hub_broker_through_the_policy(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    with HubContext(store, VIEWER, "password") as ctx:
        result = hub_money(ctx)
    assert result.analysis is not None
    assert result.payments == 8 and len(result.transfers) == 8  # the payment in Dinarz was refused
    (broker,) = result.analysis.of_kind("broker")
    party = result.parties[broker.parties[0]]
    assert party.label == "Omar Hawala" and party.role == "hawaladar"
    assert any("paid by hawala by 4 payers" in r for r in broker.reasons)
    assert any("paid out in TR" in r for r in broker.reasons)
    assert result.problems == []
    assert sum(result.withheld.values()) >= 10  # DE-BKA's payments, persons, account and links
    with HubContext(store, Viewer("ann", "DE-BKA", frozenset({"analyst"})), "password") as ctx:
        own = hub_money(ctx)
    assert own.analysis is not None
    brokers = {own.parties[p.parties[0]].label: p for p in own.analysis.of_kind("broker")}
    assert set(brokers) == {"Omar Hawala", SECRET[0]}
    # its own man takes four migrants' fees by hawala and pays nothing out that it sees: a broker still
    # (a hawala deposit is a broker's to pay on), and a collector
    assert any("takes migrants' fees by hawala from 4 payers" in r for r in brokers[SECRET[0]].reasons)
    assert SECRET[0] in {own.parties[p.parties[0]].label for p in own.analysis.of_kind("fan-in")}


def test_no_leak_in_the_cli(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    home = str(store.home)
    store.close()
    for args in (["--json"], []):
        out = runner.invoke(
            app, ["money", "--hub", "--home", home, "--as-agency", "IT-SCO", *args], env={"COLUMNS": "300"}
        )
        assert out.exit_code == 0, out.output
        for secret in SECRET:
            assert secret not in out.output, secret
        assert "Omar Hawala" in out.output or "broker" in out.output
    data = json.loads(
        runner.invoke(app, ["money", "--hub", "--home", home, "--as-agency", "IT-SCO", "--json"]).stdout
    )
    assert [p["kind"] for p in data["patterns"] if p["kind"] == "broker"] == ["broker"]
    assert all({"kind", "parties", "eur", "reasons"} <= set(p) for p in data["patterns"])


def test_file_mode_with_routes_and_stated_levels(tmp_path: Path) -> None:
    """A researcher's levels per route: the 900-euro crossing fees match Izmir>Kos's stated level;
    without the levels file only the sources' EUR 3,000-6,000 is known and they match nothing."""
    rows = ["source,target,amount,currency,route"]
    rows += [f"payer{k},collector,{900 + k},EUR,Izmir>Kos" for k in range(6)]
    path = tmp_path / "tx.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    levels = tmp_path / "levels.csv"
    levels.write_text(
        "origin,destination,low,high,source\nIzmir,Kos,800,1200,interviews 2024\n", encoding="utf-8"
    )
    plain = json.loads(runner.invoke(app, ["money", str(path), "--json"]).stdout)
    assert not [p for p in plain["patterns"] if p["kind"] == "fee-level"]
    out = runner.invoke(app, ["money", str(path), "--fee-levels", str(levels), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    (fee,) = [p for p in data["patterns"] if p["kind"] == "fee-level"]
    assert fee["transfers"] == 6 and "stated level for Izmir>Kos" in fee["reasons"][0]
    assert "interviews 2024 (levels.csv)" in fee["reasons"][0] and "whole route: 6" in fee["reasons"][0]
    assert [lv["country"] for lv in data["fee_levels"]] == [None, "Izmir"]  # the sources' general kept
    text = runner.invoke(app, ["money", str(path), "--fee-levels", str(levels)], env={"COLUMNS": "200"})
    assert text.exit_code == 0 and "Izmir>Kos EUR 800–1,200" in text.output
    levels.write_text("origin,destination,low,high,source\nIzmir,Kos,1200,800,x\n", encoding="utf-8")
    bad = runner.invoke(app, ["money", str(path), "--fee-levels", str(levels)])
    assert bad.exit_code == 2 and "row 2, low: 1200 is above high 800; swap them" in " ".join(
        bad.output.split()
    )
    assert "Traceback" not in bad.output
    hub = runner.invoke(app, ["money", "--hub", "--fee-levels", str(levels)])
    assert hub.exit_code == 2 and "goes with a FILE" in " ".join(hub.output.split())


def test_hub_holders_of_one_account_are_one_party(store: Store, tmp_path: Path) -> None:
    """Two reports each write their own record of an account's holder (names that the cross-check does
    not join): the money moved through the one IBAN is one party's; another IBAN's holder stays apart."""
    iban, other = "DE89370400440532013000", "GB29NWBK60161331926819"
    for n, (name, account) in enumerate((("Karim Daoud", iban), ("K. Dawood", iban), ("Karim Daoud", other))):
        records: list[dict[str, Any]] = [
            {"id": "h", "kind": "person", "name": name, "category": "suspect"},
            {"id": "a", "kind": "financial_account", "iban": account},
            {"id": "x", "kind": "person", "name": f"Payer Number{n}", "category": "contact"},
            _payment("pay", 4000 + n, f"04-0{n + 1}", "bank_transfer"),
        ]
        links: list[dict[str, Any]] = [
            {"kind": "holds_financial_account", "source": "h", "target": "a"},
            {"kind": "paid", "source": "x", "target": "pay"},
            {"kind": "received", "source": "a", "target": "pay"},
        ]
        path = write_contribution(tmp_path / f"r{n}.json", records, links, id=f"IT-R{n}", agency="IT-SCO")
        assert ingest_file(store, path).status == "stored"
    with HubContext(store, VIEWER, "password") as ctx:
        result = hub_money(ctx)
    payees = {t.target for t in result.transfers}
    assert len(payees) == 2
    (joined,) = [p for p in payees if len(result.parties[p].records) == 2]
    assert len(result.parties[joined].accounts) == 2


def test_hub_fee_taker_from_one_debriefing_with_its_source(store: Store, tmp_path: Path) -> None:
    """A debriefed migrant tells of one fee paid to a smuggler: the smuggler is a fee-taker, graded
    below a fan-in, with the agency, contribution, row and grading of the record it rests on; another
    agency's fee, denied to the viewer, makes nothing the viewer sees."""
    records: list[dict[str, Any]] = [
        {"id": "m", "kind": "person", "name": "Amanuel Tesfay", "category": "witness"},
        {"id": "s", "kind": "person", "name": "Samir Smuggler", "category": "suspect"},
        {**_payment("fee", 2100, "05-02", "cash"), "to_country": "LY"},
    ]
    links: list[dict[str, Any]] = [
        {"kind": "paid", "source": "m", "target": "fee"},
        {"kind": "received", "source": "s", "target": "fee"},
    ]
    path = write_contribution(
        tmp_path / "debrief.json",
        records,
        links,
        id="IT-DEBRIEF-1",
        agency="IT-SCO",
        evaluation={"scheme": "4x4", "source": "C", "information": "3"},
    )
    assert ingest_file(store, path).status == "stored"
    hidden: list[dict[str, Any]] = [
        {"id": "p", "kind": "person", "name": f"{SECRET[1]} 9", "category": "witness"},
        {"id": "h", "kind": "person", "name": SECRET[0], "category": "suspect"},
        _payment("fee", 4000, "05-03", "cash"),
    ]
    hidden_links: list[dict[str, Any]] = [
        {"kind": "paid", "source": "p", "target": "fee"},
        {"kind": "received", "source": "h", "target": "fee"},
    ]
    path = write_contribution(
        tmp_path / "hidden.json",
        hidden,
        hidden_links,
        id="DE-DEBRIEF-1",
        agency="DE-BKA",
        handling={"code": "H3", "restrictions": {"agencies_denied": ["IT-SCO"]}},
    )
    assert ingest_file(store, path).status == "stored"
    with HubContext(store, VIEWER, "password") as ctx:
        result = hub_money(ctx)
    assert result.analysis is not None and not result.analysis.of_kind("fan-in")
    (taker,) = result.analysis.of_kind("fee-taker")
    assert result.parties[taker.parties[0]].label == "Samir Smuggler"
    assert taker.details["grade"] == "reported" and taker.details["fees"] == 1
    (source,) = taker.details["sources"]
    assert source["agency"] == "IT-SCO" and source["grade"] == "C3" and source["record"] == taker.refs[0]
    assert source["row"] and source["contribution"]
    assert "EUR 2,100 from" in taker.reasons[0] and "received in LY" in taker.reasons[0]
    assert "reported by IT-SCO (source and information graded C3)" in taker.reasons
    shown = json.dumps(result.as_dict())
    for secret in SECRET[:2]:
        assert secret not in shown
    with HubContext(store, Viewer("ann", "DE-BKA", frozenset({"analyst"})), "password") as ctx:
        own = hub_money(ctx)
    assert own.analysis is not None
    labels = {own.parties[p.parties[0]].label for p in own.analysis.of_kind("fee-taker")}
    assert labels == {"Samir Smuggler", SECRET[0]}
