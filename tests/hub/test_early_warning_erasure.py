"""Erasure and early warnings: a warning that names an erased record (a cross-crime link) goes with its
notification and the link remembered for the next run; a series warning holds counts only (no record
uid, no value) and is kept."""

from __future__ import annotations

from pathlib import Path

from builders import write_contribution
from mare.access.policy import Viewer
from mare.analyse.trends import period_index
from mare.hub import early_warning as ew
from mare.hub import warning_series as ws
from mare.hub.context import HubContext
from mare.hub.erasure import erase
from mare.hub.intake import receive
from mare.ingest.pipeline import IngestOptions
from mare.ingest.sources import find_sources
from mare.store.db import Store

MONTH = period_index("2026-05", "month")


def as_(store: Store, role: str) -> HubContext:
    return HubContext(store, Viewer("ana", "DE-BKA", frozenset({role})), "password")


def _stored(store: Store, tmp_path: Path) -> str:
    records = [
        {"id": "p", "kind": "person", "category": "suspect", "name": "Hasan Ali"},
        {"id": "q", "kind": "person", "category": "suspect", "name": "Omar Said"},
    ]
    path = write_contribution(tmp_path / "bka.json", records, id="BKA-1")
    (source,), _ = find_sources([path])
    report = receive(as_(store, "contributor"), source, IngestOptions())
    assert report.status == "stored" and report.contribution and report.records == 2, report.message
    return report.contribution


def test_erasure_removes_the_warnings_naming_a_record_and_keeps_counts(store: Store, tmp_path: Path) -> None:
    contribution = _stored(store, tmp_path)
    erased, kept = f"{contribution}:p", f"{contribution}:q"
    link = ws.Signal("crime_link", "smuggling person Hasan Ali linked to drug trafficking", MONTH, "up",
                     0.0, 1.0, 1.0, f"Hasan Ali (record {erased}) is newly linked …", {"records": 2},
                     (erased, kept))  # fmt: skip
    series = ws.Signal("series", "events on route Central Mediterranean", MONTH, "up", 4.0, 12.0, 6.5,
                       "A sustained rise …", {"counts": {"2026-05": 12}, "records": 40})  # fmt: skip
    with ew.recipient_context(store, "DE-BKA") as system:
        by_link = ew._save(system, link, "month")
        by_series = ew._save(system, series, "month")
        store.con.execute(
            "INSERT INTO early_warning_seen VALUES ('DE-BKA', 'crime_link', ?, now()::TIMESTAMP)",
            [f"E1|drug_trafficking|same person|{erased}|{kept}"],
        )
    assert by_link is not None and by_series is not None
    with as_(store, "dpo") as ctx:
        report = erase(ctx, [erased], "court order 2026/118")
    assert report.derived.get("early_warnings") == 1
    left = store.con.execute(
        "SELECT id, CAST(evidence AS VARCHAR), explanation FROM early_warnings"
    ).fetchall()
    assert [row[0] for row in left] == [by_series.id]
    assert all(erased not in " ".join(map(str, row)) for row in left)
    refs = {
        r[0]
        for r in store.con.execute("SELECT ref FROM notifications WHERE kind = 'early_warning'").fetchall()
    }
    assert refs == {by_series.id}
    assert store.con.execute(
        "SELECT count(*) FROM early_warning_seen WHERE key LIKE ?", [f"%{erased}%"]
    ).fetchone() == (0,)
    with as_(store, "analyst") as ctx:
        assert [w.id for w in ew.warnings(ctx)] == [by_series.id]
