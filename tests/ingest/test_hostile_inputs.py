"""Malformed and hostile inputs get clear errors or are stored verbatim; nothing valid is lost."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from builders import envelope, write_contribution, write_envelope
from mare.analyse.export import safe_cell, write_csv
from mare.ingest.pipeline import IngestOptions, ingest_file
from mare.store.db import Store

ARABIC_NAME = "محمد الحسن"


def _contribution_bytes(records: list[dict[str, object]], **overrides: object) -> str:
    data = envelope(**overrides)
    data["records"] = records
    return json.dumps(data, ensure_ascii=False)


def test_malformed_json_names_line_and_column(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"id": "X",\n "agency": "DE-BKA",\n "records": [}', encoding="utf-8")
    report = ingest_file(store, path)
    assert report.status == "refused"
    assert "line 3" in report.message and "not valid JSON" in report.message
    assert store.con.execute("SELECT count(*) FROM contributions").fetchone() == (0,)


def test_utf16_with_bom(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "u16.json"
    path.write_bytes(
        _contribution_bytes([{"id": "p1", "kind": "person", "name": ARABIC_NAME}]).encode("utf-16")
    )
    report = ingest_file(store, path)
    assert report.status == "stored", report.message
    assert store.con.execute("SELECT original FROM record_values").fetchone() == (ARABIC_NAME,)


def test_utf8_bom(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(
        b"\xef\xbb\xbf" + _contribution_bytes([{"id": "p1", "kind": "person", "name": "Ali"}]).encode()
    )
    assert ingest_file(store, path).status == "stored"


def test_windows_1256_detected_with_warning(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "cp.json"
    path.write_bytes(
        _contribution_bytes([{"id": "p1", "kind": "person", "name": ARABIC_NAME}]).encode("cp1256")
    )
    report = ingest_file(store, path)
    assert report.status == "stored", report.message
    assert any("Windows-1256" in p.reason for p in report.problems)
    assert store.con.execute("SELECT original FROM record_values").fetchone() == (ARABIC_NAME,)


def test_undecodable_bytes_get_a_clear_error(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(
        _contribution_bytes([{"id": "p1", "kind": "person", "name": "Jérôme Ça"}]).encode("latin-1")
    )
    report = ingest_file(store, path)
    assert report.status == "refused"
    assert "UTF-8" in report.message and "--encoding" in report.message
    assert ingest_file(store, path, IngestOptions(encoding="latin-1")).status == "stored"


def test_very_long_field_rejects_that_row_only(store: Store, tmp_path: Path) -> None:
    records = [
        {"id": "p1", "kind": "person", "name": "Ali"},
        {"id": "p2", "kind": "person", "name": "x" * 200_000},
        {"id": "p3", "kind": "person", "note": "n" * 50_000, "name": "Long Note"},
    ]
    report = ingest_file(store, write_contribution(tmp_path / "long.json", records))
    assert report.status == "stored"
    assert report.records == 2 and report.rejected == 1
    assert any(p.row == 2 for p in report.problems if p.severity == "error")


def test_formula_injection_stored_verbatim_and_neutralised_on_export(store: Store, tmp_path: Path) -> None:
    evil = [
        '=HYPERLINK("http://evil.example","click")',
        "=cmd|' /C calc'!A0",
        "@SUM(A1:A2)",
        "+1+1",
    ]
    records = [
        {"id": f"p{i}", "kind": "person", "name": "Ali", "occupation": text} for i, text in enumerate(evil)
    ]
    assert ingest_file(store, write_contribution(tmp_path / "evil.json", records)).status == "stored"
    kept = {
        r[0]
        for r in store.con.execute("SELECT original FROM record_values WHERE field = 'occupation'").fetchall()
    }
    assert kept == set(evil)
    out = tmp_path / "out.csv"
    write_csv(["occupation"], [[t] for t in evil], out)
    with out.open(newline="", encoding="utf-8") as fh:
        cells = [row[0] for row in csv.reader(fh)][1:]
    assert all(cell.startswith("'") for cell in cells)
    assert safe_cell("+4915123456789") == "+4915123456789"
    assert safe_cell("-12.5") == "-12.5"


def test_unknown_kinds_and_non_objects(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    data = envelope()
    data["records"] = [
        {"id": "a", "kind": "spaceship"},
        "just a string",
        {"id": "p", "kind": "person"},
    ]
    path.write_text(json.dumps(data), encoding="utf-8")
    report = ingest_file(store, path)
    assert report.status == "stored" and report.records == 1 and report.rejected == 2


def test_csv_bundle_in_cp1256_and_ragged_rows(store: Store, tmp_path: Path) -> None:
    bundle = tmp_path / "b"
    bundle.mkdir()
    write_envelope(bundle / "envelope.json", id="B-3")
    (bundle / "person.csv").write_bytes(
        f'id,name\np1,{ARABIC_NAME}\np2,too,many,cells\np3,"quoted, name"\n'.encode("cp1256")
    )
    report = ingest_file(store, bundle)
    assert report.status == "stored", report.message
    assert report.records == 2 and report.rejected == 1
    ragged = next(p for p in report.problems if p.severity == "error")
    assert ragged.row == 3 and "cells" in ragged.reason


def test_empty_and_binary_files(store: Store, tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert ingest_file(store, empty).status == "refused"
    binary = tmp_path / "bin.json"
    binary.write_bytes(bytes(range(256)) * 10)
    report = ingest_file(store, binary)
    assert report.status == "refused" and report.message
