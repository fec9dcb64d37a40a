"""The scenario's money records: hawala ledgers, FIU reports and fee books reach the contributions as CSV
bundles, with their truth (truth/money.csv)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from mare.scenario.generate import generate


def test_tiny_world_sends_ledgers_reports_and_fee_books(tmp_path: Path) -> None:
    out = tmp_path / "w"
    generate("tiny", 5, out)
    refs: dict[str, int] = {}
    for env in (out / "contributions").glob("*/*/envelope.json"):
        for ref in json.loads(env.read_text(encoding="utf-8")).get("case_refs", []):
            kind = next((k for k in ("HAWALA", "FIU", "FEES") if k in ref), None)
            if kind:
                refs[kind] = refs.get(kind, 0) + 1
                assert (env.parent / "payment.csv").is_file()
                rows = list(csv.DictReader((env.parent / "links.csv").open(encoding="utf-8")))
                assert {r["kind"] for r in rows} >= {"paid", "received"}
    assert refs.get("FIU", 0) > 0 and refs.get("FEES", 0) > 0, refs
    truth = list(csv.DictReader((out / "truth" / "money.csv").open(encoding="utf-8")))
    roles = {r["role"] for r in truth}
    assert roles == {"hawaladar", "fee_collector"}
    assert all(int(r["fee_payers"]) <= int(r["fees_received"]) for r in truth)
