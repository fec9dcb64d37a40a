"""Retention: review dates per category, extension with reason, erasure that leaves nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from builders import write_contribution
from mare.access.policy import HUB_AGENCY, Viewer
from mare.hub.context import HubContext, Refused, system_context
from mare.hub.retention import RetentionError, due, extend, run_retention
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store
from mare.store.erasure import compact, erase_records

ERASE_ME = ["Qwertzuiop Vanishing", "+4915199988877", "XQ7788990"]
KEEP_ME = "Keepmeplease Staying"


def _scan(home: Path, needle: str) -> list[Path]:
    hits = []
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if needle.encode() in data or needle.encode("utf-16-le") in data:
                hits.append(path)
    return hits


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> tuple[Store, str]:
    (store.home / "retention.yaml").write_text("by_category: {victim: 730}\n", encoding="utf-8")
    records = [
        {
            "id": "p1",
            "kind": "person",
            "name": ERASE_ME[0],
            "phone": ERASE_ME[1],
            "document_number": ERASE_ME[2],
            "category": "suspect",
        },
        {"id": "p2", "kind": "person", "name": KEEP_ME, "category": "victim"},
        {"id": "ph1", "kind": "phone", "number": "+39 333 1234567"},
    ]
    links = [{"kind": "uses_phone", "source": "p1", "target": "ph1"}]
    report = ingest_file(store, write_contribution(tmp_path / "c.json", records, links))
    return store, str(report.contribution)


def test_review_dates_per_category(loaded: tuple[Store, str]) -> None:
    store, _ = loaded
    rows = dict(
        store.con.execute(
            "SELECT category, review_at - received_at::DATE FROM records WHERE kind = 'person'"
        ).fetchall()
    )
    assert rows["victim"] == 730 and rows["suspect"] == 3 * 365 + 1


def as_(store: Store, user: str, agency: str, role: str) -> HubContext:
    return HubContext(store, Viewer(user, agency, frozenset({role})), "password")


def test_due_and_extend(loaded: tuple[Store, str]) -> None:
    store, cuid = loaded
    soon = date.today() + timedelta(days=800)
    owner_dpo = as_(store, "dora", "DE-BKA", "dpo")
    assert [d.uid for d in due(owner_dpo, soon)] == [f"{cuid}:p2"]
    assert [d.uid for d in due(as_(store, "hana", HUB_AGENCY, "dpo"), soon)] == [f"{cuid}:p2"]
    assert due(as_(store, "ivo", "IT-SCO", "dpo"), soon) == []  # another agency's dpo: their own only
    with pytest.raises(Refused, match="roles"):
        due(as_(store, "carl", "DE-BKA", "contributor"), soon)
    with pytest.raises(Refused):
        extend(
            as_(store, "ivo", "IT-SCO", "dpo"), f"{cuid}:p2", soon + timedelta(days=365), "not mine at all"
        )
    with pytest.raises(RetentionError):
        extend(owner_dpo, f"{cuid}:p2", soon + timedelta(days=365), "")
    extend(owner_dpo, f"{cuid}:p2", soon + timedelta(days=365), "victim in ongoing trial RM-4")
    assert due(owner_dpo, soon) == []
    denied = store.con.execute(
        "SELECT actor FROM audit_log WHERE action = 'authorisation' AND outcome = 'denied' ORDER BY seq"
    ).fetchall()
    assert denied == [("carl",), ("ivo",)]


def test_erasure_leaves_no_trace_in_any_file(loaded: tuple[Store, str]) -> None:
    store, cuid = loaded
    store.con.execute("CHECKPOINT")
    for needle in ERASE_ME:
        assert _scan(store.home, needle), f"sanity: {needle} should be in the store before erasure"
    report = erase_records(store, [f"{cuid}:p1"], "dpo", "retention")
    assert report.records == 1 and report.links == 1 and report.raw_files_rewritten == 1
    compact(store)
    for needle in ERASE_ME:
        assert _scan(store.home, needle) == [], f"{needle} survived erasure"
    assert _scan(store.home, KEEP_ME), "the other records must survive"
    erased = store.con.execute("SELECT record_uid, reason FROM erasures").fetchall()
    assert erased == [(f"{cuid}:p1", "retention")]
    assert store.con.execute("SELECT count(*) FROM records").fetchone() == (2,)


def test_run_retention_erases_due_records(loaded: tuple[Store, str]) -> None:
    store, cuid = loaded
    with pytest.raises(Refused, match="hub"):
        run_retention(as_(store, "dora", "DE-BKA", "dpo"), on=date.today() + timedelta(days=800))
    assert store.con.execute("SELECT count(*) FROM records").fetchone() == (3,)
    records, report = run_retention(system_context(store, "retention"), on=date.today() + timedelta(days=800))
    assert [r.uid for r in records] == [f"{cuid}:p2"]
    assert report.records == 1
    assert _scan(store.home, KEEP_ME) == []
    assert _scan(store.home, ERASE_ME[0])
