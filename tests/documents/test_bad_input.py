"""Malformed MRZs: stored as given, reported by file, row and field with the reason; MRZ lines in CSV."""

from __future__ import annotations

from pathlib import Path

from builders import write_envelope
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"


def test_mrz_lines_in_a_csv_bundle(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "checks"
    folder.mkdir()
    write_envelope(folder / "envelope.json", id="CHECKS-1")
    cut = TD3[:-6]
    (folder / "document.csv").write_text(
        f'id,number,issuing_country,mrz\nd1,L898902C3,SE,"{TD3}"\nd2,L898902C3,SE,"{cut}"\n', encoding="utf-8"
    )
    report = ingest_file(store, folder)
    assert report.status == "stored" and report.records == 2
    mrz = [p for p in report.problems if p.field == "mrz"]
    # the MRZ's own line break is no warning; the cut one is reported with its row and the layouts expected
    assert [(p.file, p.row, p.severity) for p in mrz] == [("document.csv", 4, "warning")]
    assert "not an MRZ layout" in mrz[0].reason and "TD3" in mrz[0].reason
    stored = store.con.execute(
        "SELECT original FROM record_values WHERE field = 'mrz' ORDER BY record_uid"
    ).fetchall()
    assert [r[0] for r in stored] == [TD3, cut]
