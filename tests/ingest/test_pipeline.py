"""Ingest guarantees: idempotency, versions, provenance, row-level rejection."""

from __future__ import annotations

import json
from pathlib import Path

from builders import EXAMPLE, write_contribution, write_envelope
from mare.ingest.pipeline import IngestOptions, ingest_file
from mare.store.db import Store


def count(store: Store, sql: str) -> int:
    row = store.con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_example_is_stored_with_provenance(store: Store) -> None:
    report = ingest_file(store, EXAMPLE)
    assert report.status == "stored", report.message
    assert (report.records, report.links, report.rejected) == (11, 9, 0)
    row = store.con.execute(
        "SELECT agency, handling_code, restrictions, source_grade, information_grade, category, minor "
        "FROM records WHERE local_id = 'p2'"
    ).fetchone()
    assert row is not None
    assert row[0] == "DE-BKA" and row[1] == "H3"
    assert json.loads(row[2])["agencies_allowed"] == ["IT-SCO", "GR-HP"]
    assert (row[3], row[4], row[5], row[6]) == ("B", "2", "victim", True)
    # a per-record evaluation overrides the envelope's
    grades = store.con.execute(
        "SELECT source_grade, information_grade, assessment FROM records WHERE local_id = 'p3'"
    ).fetchone()
    assert grades == ("C", "3", True)


def test_original_kept_beside_normalised(store: Store) -> None:
    ingest_file(store, EXAMPLE)
    rows = dict(
        store.con.execute(
            "SELECT original, normalised FROM record_values WHERE field IN ('number', 'iban', 'imo')"
        ).fetchall()
    )
    assert rows["0151 23456789"] == "+4915123456789"  # default region from the agency (DE)
    assert rows["DE89 3704 0044 0532 0130 00"] == "DE89370400440532013000"
    assert rows["IMO 9074729"] == "IMO9074729"


def test_raw_bytes_kept_with_sha256(store: Store) -> None:
    report = ingest_file(store, EXAMPLE)
    sha = store.con.execute(
        "SELECT sha256 FROM contribution_files WHERE contribution = ?", [report.contribution]
    ).fetchone()
    assert sha is not None
    assert store.archive.read(sha[0]) == EXAMPLE.read_bytes()


def test_same_contribution_twice_is_stored_once(store: Store) -> None:
    first = ingest_file(store, EXAMPLE)
    again = ingest_file(store, EXAMPLE)
    assert again.status == "already_received"
    assert again.contribution == first.contribution
    assert count(store, "SELECT count(*) FROM contributions") == 1
    assert count(store, "SELECT count(*) FROM records") == 11


def test_same_id_different_bytes_is_refused(store: Store, tmp_path: Path) -> None:
    person = {"id": "p1", "kind": "person", "name": "Ali Hassan"}
    ingest_file(store, write_contribution(tmp_path / "a.json", [person]))
    changed = write_contribution(tmp_path / "b.json", [{**person, "name": "Ali Hasan"}])
    report = ingest_file(store, changed)
    assert report.status == "refused"
    assert "supersedes" in report.message
    assert count(store, "SELECT count(*) FROM records") == 1


def test_superseding_version_is_accepted(store: Store, tmp_path: Path) -> None:
    person = {"id": "p1", "kind": "person", "name": "Ali Hassan"}
    first = ingest_file(store, write_contribution(tmp_path / "a.json", [person]))
    fixed = write_contribution(tmp_path / "b.json", [{**person, "name": "Ali Hasan"}], supersedes="TEST-1")
    second = ingest_file(store, fixed)
    assert second.status == "stored" and second.version == 2
    assert second.contribution != first.contribution
    superseded = store.con.execute(
        "SELECT superseded_by FROM contributions WHERE uid = ?", [first.contribution]
    ).fetchone()
    assert superseded == (second.contribution,)


def test_bad_rows_rejected_valid_rows_kept(store: Store, tmp_path: Path) -> None:
    records = [
        {"id": "p1", "kind": "person", "name": "Good Person"},
        {"id": "p2", "kind": "persn", "name": "Typo Kind"},
        {"id": "p3", "kind": "person", "nam": "Typo Field"},
        {"id": "p4", "kind": "person", "category": "villain"},
        {"id": "ph1", "kind": "phone", "number": "+49 151 23456789"},
    ]
    links = [
        {"kind": "uses_phone", "source": "p1", "target": "ph1"},
        {"kind": "uses_phone", "source": "p2", "target": "ph1"},
        {"kind": "uses_phone", "source": "ph1", "target": "p1"},
    ]
    report = ingest_file(store, write_contribution(tmp_path / "c.json", records, links))
    assert report.status == "stored"
    assert report.records == 2 and report.links == 1
    errors = {(p.row, p.field) for p in report.problems if p.severity == "error"}
    assert (2, "kind") in errors
    assert (3, "nam") in errors or (3, "(envelope)") in errors or any(r == 3 for r, _ in errors)
    assert any(r == 4 for r, _ in errors)
    kind_problem = next(p for p in report.problems if p.row == 2 and p.field == "kind")
    assert "person" in kind_problem.fix  # did you mean 'person'?
    assert count(store, "SELECT count(*) FROM ingest_problems WHERE severity = 'error'") >= 5


def test_unnormalisable_value_kept_with_reason(store: Store, tmp_path: Path) -> None:
    records = [{"id": "v1", "kind": "vessel", "imo": "IMO 9074728"}]
    report = ingest_file(store, write_contribution(tmp_path / "v.json", records))
    assert report.status == "stored" and report.warnings == 1
    row = store.con.execute("SELECT original, normalised, reason FROM record_values").fetchone()
    assert row is not None and row[0] == "IMO 9074728" and row[1] is None and row[2]


def test_dry_run_stores_nothing(store: Store) -> None:
    report = ingest_file(store, EXAMPLE, IngestOptions(dry_run=True))
    assert report.status == "dry_run" and report.records == 11
    assert count(store, "SELECT count(*) FROM contributions") == 0


def test_strict_refuses_whole(store: Store, tmp_path: Path) -> None:
    records = [{"id": "p1", "kind": "person", "name": "A"}, {"id": "x", "kind": "nothing"}]
    report = ingest_file(store, write_contribution(tmp_path / "s.json", records), IngestOptions(strict=True))
    assert report.status == "refused"
    assert count(store, "SELECT count(*) FROM records") == 0


def test_envelope_errors_name_field_and_fix(store: Store, tmp_path: Path) -> None:
    bad = write_contribution(
        tmp_path / "e.json",
        [],
        handling={"code": "H9"},
        evaluation={"scheme": "4x4", "source": "Z", "information": "2"},
    )
    report = ingest_file(store, bad)
    assert report.status == "refused"
    fields = {p.field for p in report.problems}
    assert "handling.code" in fields
    assert any("H0" in p.fix for p in report.problems)


def test_evaluation_codes_checked_against_scheme(store: Store, tmp_path: Path) -> None:
    bad = write_contribution(
        tmp_path / "e.json", [], evaluation={"scheme": "4x4", "source": "E", "information": "2"}
    )
    report = ingest_file(store, bad)
    assert report.status == "refused"
    assert any(p.field == "evaluation.source" for p in report.problems)
    other = write_contribution(
        tmp_path / "f.json",
        [],
        id="T2",
        evaluation={"scheme": "6x6", "source": "E", "information": "5"},
    )
    assert ingest_file(store, other).status == "stored"


def test_csv_bundle(store: Store, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    write_envelope(bundle / "envelope.json", id="B-1", agency="IT-SCO")
    (bundle / "person.csv").write_text(
        "id,name,birth_date,nationality,category,minor,alias\n"
        "p1,Muhammad Hasan,1985,Syrian,suspect,false,Abu Omar | محمد\n"
        "p2,Aman,2010,ER,victim,yes,\n"
        "p3,Bad,1990,SY,villain,false,\n",
        encoding="utf-8",
    )
    (bundle / "phone.csv").write_text("id,number\nph1,+39 333 1234567\n", encoding="utf-8")
    (bundle / "links.csv").write_text("id,kind,source,target\nl1,uses_phone,p1,ph1\n", encoding="utf-8")
    report = ingest_file(store, bundle)
    assert report.status == "stored", report.message
    assert report.records == 3 and report.links == 1 and report.rejected == 1
    aliases = store.con.execute(
        "SELECT original FROM record_values WHERE field = 'alias' ORDER BY position"
    ).fetchall()
    assert [a[0] for a in aliases] == ["Abu Omar", "محمد"]
    minor = store.con.execute("SELECT minor FROM records WHERE local_id = 'p2'").fetchone()
    assert minor == (True,)


def test_csv_bundle_unknown_column_and_file(store: Store, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    write_envelope(bundle / "envelope.json", id="B-2")
    (bundle / "person.csv").write_text("id,nam\np1,X\n", encoding="utf-8")
    (bundle / "persons.csv").write_text("id,name\np9,Y\n", encoding="utf-8")
    report = ingest_file(store, bundle)
    reasons = " ".join(p.reason + p.fix for p in report.problems)
    assert "unknown column 'nam'" in reasons and "did you mean 'name'" in reasons
    assert "persons" in reasons and "person.csv" in reasons


def test_cdr_with_sidecar(store: Store, tmp_path: Path) -> None:
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "caller,callee,start,duration,lat,lon\n"
        "0151 23456789,+39 333 1234567,2026-10-01T10:00:00Z,60,36.9,12.5\n"
        "+4915123456789,0039 333 1234567,01/10/2026 11:00:00,5,,\n"
        "not a number,+393331234567,2026-10-01T12:00:00,5,,\n"
        "+4915123456789,+393331234567,yesterday,5,,\n",
        encoding="utf-8",
    )
    write_envelope(tmp_path / "calls.csv.envelope.json", id="CDR-1")
    report = ingest_file(store, calls)
    assert report.status == "stored", report.message
    assert report.calls == 2 and report.rejected == 2
    rows = store.con.execute(
        "SELECT caller, callee, started_at::VARCHAR, duration_s FROM calls ORDER BY row_number"
    ).fetchall()
    assert rows[0][:2] == (4915123456789, 393331234567)
    assert rows[1][2] == "2026-10-01 11:00:00"  # day-first for a German agency
    lines = {(p.row, p.field) for p in report.problems}
    assert (4, "caller") in lines and (5, "start") in lines


def test_cdr_without_envelope_needs_agency(store: Store, tmp_path: Path) -> None:
    calls = tmp_path / "c.csv"
    calls.write_text(
        "caller,callee,start\n+4915123456789,+393331234567,2026-10-01T10:00:00\n", encoding="utf-8"
    )
    refused = ingest_file(store, calls)
    assert refused.status == "refused" and "--agency" in refused.problems[0].fix
    stored = ingest_file(store, calls, IngestOptions(agency="DE-BKA"))
    assert stored.status == "stored" and stored.calls == 1
    handling = store.con.execute("SELECT handling_code FROM contributions").fetchone()
    assert handling == ("H2",)  # the safe default when the sender said nothing
    assert ingest_file(store, calls, IngestOptions(agency="DE-BKA")).status == "already_received"


def test_cdr_missing_columns(store: Store, tmp_path: Path) -> None:
    calls = tmp_path / "c.csv"
    calls.write_text("from_number,to_number\n1,2\n", encoding="utf-8")
    report = ingest_file(store, calls, IngestOptions(agency="DE-BKA"))
    assert report.status == "refused" and "caller" in report.message
    assert store.con.execute("SELECT count(*) FROM contributions").fetchone() == (0,)
