"""The scenario's border police contribute airport document checks and seizures (small scale: slow)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from mare.scenario import generate


@pytest.mark.slow
def test_document_checks_and_seizures(tmp_path: Path) -> None:
    out = tmp_path / "small"
    generate("small", 7, out)
    truth = list(csv.DictReader((out / "truth" / "documents.csv").open(encoding="utf-8")))
    kinds = Counter(r["kind"] for r in truth)
    assert kinds["rented"] > 20 and kinds["genuine"] > 20
    assert any(r["seized_by"] for r in truth) and any(r["mrz_corrupted"] for r in truth)
    records = list(csv.DictReader((out / "truth" / "records.csv").open(encoding="utf-8")))
    docs = [r for r in records if r["kind"] == "document"]
    assert {r["agency"] for r in docs} >= {"NL-KMAR", "GR-HP"}
    seized = 0
    for path in (out / "contributions" / "NL-KMAR").glob("*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))
        for rec in body.get("records", []):
            if rec["kind"] == "document" and rec.get("fraud") == "impostor":
                seized += 1
                assert rec["seized_at"] and rec["seized_place"] and rec["seized_country"]
        kinds_of = {r["id"]: r["kind"] for r in body.get("records", [])}
        for link in body.get("links", []):
            if link["kind"] == "holds_document":
                assert kinds_of[link["source"]] == "person" and kinds_of[link["target"]] == "document"
    assert seized > 0
