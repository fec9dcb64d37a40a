"""Invariants of the world and of what the agencies send about it."""

from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path

from mare.ingest.sources import detect_format
from mare.scenario.countries import imo_valid


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_legs_connect(tiny: Path) -> None:
    legs = {r["id"]: r for r in _rows(tiny / "truth" / "legs.csv")}
    for j in _rows(tiny / "truth" / "journeys.csv"):
        ids = j["legs"].split(" | ") if j["legs"] else []
        for a, b in itertools.pairwise(ids):
            assert legs[a]["to"] == legs[b]["from"], (j["migrant"], a, b)
            assert legs[a]["arrived"] <= legs[b]["departed"], (j["migrant"], a, b)


def test_payments_have_payer_and_payee(tiny: Path) -> None:
    for p in _rows(tiny / "truth" / "payments.csv"):
        assert p["payer"] and p["payee"]
    for path in (tiny / "contributions").rglob("*.json"):
        if path.name.endswith("envelope.json") or detect_format(path) != "json":  # Telegram exports
            continue
        doc = json.loads(path.read_text())
        pays = {r["id"] for r in doc["records"] if r["kind"] == "payment"}
        paid = {ln["target"] for ln in doc["links"] if ln["kind"] == "paid"}
        received = {ln["target"] for ln in doc["links"] if ln["kind"] == "received"}
        assert pays <= paid and pays <= received, path


def test_every_record_maps_to_truth(tiny: Path) -> None:
    mapped = {(r["contribution"], r["record"]): r["true_id"] for r in _rows(tiny / "truth" / "records.csv")}
    assert all(mapped.values())
    for path in (tiny / "contributions").rglob("*.json"):
        if path.name.endswith("envelope.json") or detect_format(path) != "json":  # Telegram exports
            continue
        doc = json.loads(path.read_text())
        for rec in doc["records"]:
            assert (doc["id"], rec["id"]) in mapped
    numbers = {(r["path"], r["number"]) for r in _rows(tiny / "truth" / "cdr_numbers.csv")}
    cdrs = [p for p in (tiny / "contributions").rglob("*.csv") if "-CDR-" in p.name]
    assert cdrs
    for p in cdrs:
        rel = p.relative_to(tiny).as_posix()
        for row in _rows(p):
            assert (rel, row["caller"]) in numbers and (rel, row["callee"]) in numbers


def test_calls_follow_hierarchy(tiny: Path) -> None:
    roles = {r["id"]: r["role"] for r in _rows(tiny / "truth" / "persons.csv")}
    owner = {(r["path"], r["number"]): r["person"] for r in _rows(tiny / "truth" / "cdr_numbers.csv")}
    top = {"leader", "organiser", "hawaladar", "document_forger", "corrupt_official"}
    lead_to: dict[str, int] = {}
    fac_calls = fac_to_leader = 0
    for p in (tiny / "contributions").rglob("*-CDR-*.csv"):
        rel = p.relative_to(tiny).as_posix()
        for row in _rows(p):
            a = roles.get(owner[(rel, row["caller"])], "")
            b = roles.get(owner[(rel, row["callee"])], "")
            for x, y in ((a, b), (b, a)):
                if x == "leader" and y:
                    lead_to[y] = lead_to.get(y, 0) + 1
            for x, y in ((a, b), (b, a)):
                if x and x not in top and x != "migrant":
                    fac_calls += 1
                    fac_to_leader += y == "leader"
    if lead_to:
        assert max(lead_to, key=lambda k: lead_to[k]) in ("organiser", "hawaladar")
    if fac_calls:
        assert fac_to_leader / fac_calls < 0.05


def test_noise_rates_match_settings(tiny: Path) -> None:
    summary = json.loads((tiny / "truth" / "noise_summary.json").read_text())
    checked = 0
    for kind, s in summary.items():
        n, rate = s["eligible"], s["rate"]
        if n < 30:
            continue
        tol = 4 * math.sqrt(rate * (1 - rate) / n) + 0.01
        assert abs(s["realised"] - rate) <= tol, (kind, s)
        checked += 1
    assert checked >= 5


def test_bad_rows_are_logged_and_really_bad(tiny: Path) -> None:
    for row in _rows(tiny / "truth" / "bad_rows.csv"):
        if row["field"] == "imo":
            assert not imo_valid(row["value"])
        assert row["reason"]


def test_roles_and_minors(tiny: Path) -> None:
    persons = _rows(tiny / "truth" / "persons.csv")
    roles = {p["role"] for p in persons if p["kind"] == "member"}
    assert {"leader", "organiser", "hawaladar", "document_forger"} <= roles
    assert any(p["minor"] == "1" for p in persons if p["kind"] == "migrant")
