"""Issue 20, bad input: every case ends in storage or a clear rejection (file, row, field, reason, fix)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from builders import envelope, write_contribution, write_envelope
from mare.ingest.pipeline import IngestOptions, IngestReport, ingest_file, ingest_paths
from mare.ingest.problems import Problem
from mare.ingest.sources import find_sources
from mare.schema.limits import MAX_COLUMNS, MAX_NESTING, MAX_VALUE_CHARS
from mare.store.db import Store

CALLS_HEADER = "caller,callee,start\n"
GOOD_CALL = "+393331234567,+393331234568,2026-01-01T10:00:00\n"
CDR = IngestOptions(agency="IT-SCO")


def _calls(path: Path, body: str | bytes) -> Path:
    data = body if isinstance(body, bytes) else body.encode()
    path.write_bytes(CALLS_HEADER.encode() + data)
    return path


def _bundle(folder: Path, files: dict[str, str | bytes], **env: object) -> Path:
    folder.mkdir()
    write_envelope(folder / "envelope.json", **{"id": folder.name, **env})
    for name, data in files.items():
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    return folder


def _errors(report: IngestReport) -> list[Problem]:
    return [p for p in report.problems if p.severity == "error"]


def _count(store: Store, table: str) -> int:
    row = store.con.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def _names(store: Store) -> list[str]:
    rows = store.con.execute("SELECT original FROM record_values WHERE field = 'name' ORDER BY 1").fetchall()
    return [r[0] for r in rows]


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        (
            GOOD_CALL + "+393331234567,+393331234568,2026-01-01T10:00:00,extra,more\n" + GOOD_CALL,
            3,
            "5 cells",
        ),
        (GOOD_CALL + "+393331234569\n" + GOOD_CALL, 3, "1 cells"),
        (GOOD_CALL + '"+393331234567,+393331234568,2026-01-01T10:00:00\n' + GOOD_CALL, 3, "quote"),
        (GOOD_CALL + "\n" + b"\xff\xfe\x00garbage,\x80\x81,x\n".decode("latin-1") + GOOD_CALL, 4, "not"),
    ],
    ids=["ragged-long", "ragged-short", "unterminated-quote", "binary-row"],
)
def test_call_records_bad_rows_are_rejected_alone(
    store: Store, tmp_path: Path, body: str, line: int, words: str
) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes(CALLS_HEADER.encode() + body.encode("latin-1"))
    report = ingest_file(store, path, CDR)
    assert report.status == "stored", report.message
    errors = _errors(report)
    assert [p.row for p in errors] == [line], errors
    assert words in errors[0].reason and errors[0].fix
    assert report.calls == 2 and report.rejected == 1
    stored = [r[0] for r in store.con.execute("SELECT row_number FROM calls ORDER BY 1").fetchall()]
    assert line not in stored and stored[0] == 2


def test_binary_call_records_file_is_refused_clearly(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes(os.urandom(4000).replace(b"\n", b" "))
    report = ingest_file(store, path, CDR)
    assert report.status == "refused"
    assert "is not utf-8 text" in report.message
    assert all(p.fix for p in report.problems)


def test_call_records_100k_columns_refused_with_the_limit(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    extra = ",".join(f"c{i}" for i in range(100_000))
    path.write_text(f"caller,callee,start,{extra}\n1,2,3{',' * 100_000}\n", encoding="utf-8")
    report = ingest_file(store, path, CDR)
    assert report.status == "refused"
    assert f"limit is {MAX_COLUMNS:,}" in report.message
    assert _count(store, "calls") == 0


def test_one_bad_call_records_file_does_not_stop_the_folder(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "cdrs"
    folder.mkdir()
    _calls(folder / "a.csv", GOOD_CALL)
    _calls(folder / "b.csv", GOOD_CALL + "1,2,3,4,5\n")
    (folder / "c.csv").write_bytes(os.urandom(3000))
    _calls(folder / "d.csv", GOOD_CALL.replace("67,", "69,"))
    sources, _ = find_sources([folder])
    reports = ingest_paths(store, sources, CDR)
    assert [r.status for r in reports] == ["stored", "stored", "refused", "stored"]
    assert _count(store, "calls") == 3
    assert reports[1].rejected == 1


def test_deep_json_is_refused_with_the_nesting_limit(store: Store, tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.json"
    text = json.dumps(envelope())[:-1] + f', "records": [{{"kind": "person", "id": "p1", "name": {deep}}}]}}'
    path.write_text(text, encoding="utf-8")
    report = ingest_file(store, path)
    assert report.status == "refused"
    assert f"limit of {MAX_NESTING} levels" in report.message and report.problems[0].fix


def test_moderately_deep_json_is_refused_too(store: Store, tmp_path: Path) -> None:
    deep = "[" * (MAX_NESTING + 5) + "]" * (MAX_NESTING + 5)
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(envelope())[:-1] + f', "x": {deep}}}', encoding="utf-8")
    report = ingest_file(store, path)
    assert report.status == "refused" and f"limit of {MAX_NESTING}" in report.message


def test_deep_ftm_line_is_rejected_and_the_rest_kept(store: Store, tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "x.ftm.jsonl"
    good = {"id": "p1", "schema": "Person", "properties": {"name": ["Jane Doe"]}}
    path.write_text(
        '{"id": "x", "schema": "Person", "properties": {"name": ' + deep + "}}\n" + json.dumps(good) + "\n",
        encoding="utf-8",
    )
    report = ingest_file(store, path, IngestOptions(agency="DE-BKA"))
    assert report.status == "stored", report.message
    assert report.records == 1
    errors = _errors(report)
    assert errors[0].row == 1 and f"limit of {MAX_NESTING} levels" in errors[0].reason and errors[0].fix


def test_h3_expires_not_a_date(store: Store, tmp_path: Path) -> None:
    handling = {"code": "H3", "restrictions": {"expires": "2028-13-45"}}
    path = write_contribution(tmp_path / "h3.json", [], handling=handling)
    report = ingest_file(store, path)
    assert report.status == "refused"
    problem = report.problems[0]
    assert problem.field == "handling.restrictions.expires" and "2028-13-45" in problem.reason and problem.fix


def test_h3_expires_not_a_date_on_one_record(store: Store, tmp_path: Path) -> None:
    bad = {"code": "H3", "restrictions": {"expires": "2028-02-30"}}
    records = [
        {"id": "p1", "kind": "person", "name": "Jane Doe", "handling": bad},
        {"id": "p2", "kind": "person", "name": "John Roe"},
    ]
    report = ingest_file(store, write_contribution(tmp_path / "h3.json", records))
    assert report.status == "stored" and report.records == 1 and report.rejected == 1
    assert _errors(report)[0].field == "handling.restrictions.expires"


def test_unterminated_quote_in_person_csv_does_not_swallow_rows(store: Store, tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "b", {"person.csv": 'id,name\np1,"Jane Doe\np2,John Roe\np3,Ann Lee\n'})
    report = ingest_file(store, bundle)
    errors = _errors(report)
    assert [(p.file, p.row) for p in errors] == [("person.csv", 2)]
    assert "never closed" in errors[0].reason and errors[0].fix
    assert _names(store) == ["Ann Lee", "John Roe"]


def test_stray_quote_rejects_only_its_row(store: Store, tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "b", {"person.csv": 'id,name\np1,"Jane\np2,"Bob"\np3,Al\n'})
    report = ingest_file(store, bundle)
    assert [p.row for p in _errors(report)] == [2]
    assert _names(store) == ["Al", "Bob"]


def test_duplicate_column_is_rejected(store: Store, tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "b", {"person.csv": "id,name,name\np1,Jane,Janet\n"})
    report = ingest_file(store, bundle)
    errors = _errors(report)
    assert errors and errors[0].field == "name" and "twice" in errors[0].reason and errors[0].fix
    assert _names(store) == []


def test_nul_bytes_reject_the_field_and_row(store: Store, tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "b", {"person.csv": "id,name\np1,Ja\x00ne\np2,John\n"})
    report = ingest_file(store, bundle)
    errors = _errors(report)
    assert [(p.row, p.field) for p in errors] == [(2, "name")] and "NUL" in errors[0].reason
    assert _names(store) == ["John"]
    json_path = write_contribution(tmp_path / "n.json", [{"id": "p1", "kind": "person", "name": "A\x00B"}])
    report = ingest_file(store, json_path)
    assert [(p.row, p.field) for p in _errors(report)] == [(1, "name")]


def test_symbolic_link_in_a_bundle_is_not_followed(store: Store, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET-LINE\n", encoding="utf-8")
    bundle = _bundle(tmp_path / "b", {"person.csv": "id,name\np1,Jane\n"})
    (bundle / "location.csv").symlink_to(secret)
    (bundle / "zz.csv").symlink_to(secret)
    report = ingest_file(store, bundle)
    assert report.status == "stored"
    linked = [p for p in report.problems if "symbolic link" in p.reason]
    assert {p.file for p in linked} == {"location.csv", "zz.csv"} and all(p.fix for p in linked)
    assert not any("SECRET" in f"{p.reason} {p.fix}" for p in report.problems)
    archived = b"".join(p.read_bytes() for p in (store.home / "raw").rglob("*") if p.is_file())
    assert b"SECRET-LINE" not in archived
    files = store.con.execute("SELECT name FROM contribution_files").fetchall()
    assert {f[0] for f in files} == {"envelope.json", "person.csv"}


def test_symbolic_link_inside_an_ingested_folder_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").symlink_to("/etc/passwd")
    sources, skipped = find_sources([tmp_path])
    assert sources == [] and "symbolic link" in skipped[0].reason


def test_one_megabyte_value_reported_as_too_long(store: Store, tmp_path: Path) -> None:
    big = "A" * 1_000_000
    path = write_contribution(tmp_path / "big.json", [{"id": "p1", "kind": "person", "name": big}])
    bundle = _bundle(tmp_path / "b", {"person.csv": f"id,name\np1,{big}\n"})
    for report in (ingest_file(store, path), ingest_file(store, bundle)):
        errors = _errors(report)
        assert len(errors) == 1, errors
        assert errors[0].reason == f"too long (1,000,000 characters; limit {MAX_VALUE_CHARS:,})"
        assert errors[0].fix and "AAAA" not in errors[0].reason


def test_every_error_has_a_fix(store: Store, tmp_path: Path) -> None:
    records: list[object] = [
        "not an object",
        {"kind": "person"},
        {"id": "p1", "kind": "person", "name": 5},
        {"id": "p2", "kind": "person", "name": "x", "category": "nobody"},
        {"id": "p3", "kind": "person", "name": "x", "minor": "perhaps"},
        {"id": "", "kind": "person", "name": "x"},
        {"id": "p4", "kind": "vessel", "imo": ["1"] * 1001},
        {"id": "p5", "kind": "nothing"},
        {"id": "p6", "kind": {"not": "text"}},
        {"id": "p7", "kind": "person", "name": "x", "evaluation": {"scheme": ["4x4"], "source": "A"}},
    ]
    path = tmp_path / "bad.json"
    data = envelope()
    data["records"] = records
    data["links"] = ["x", {"kind": "uses_phone", "source": "p9"}]
    path.write_text(json.dumps(data), encoding="utf-8")
    report = ingest_file(store, path)
    assert report.status == "stored" and len(_errors(report)) >= 11
    assert [p for p in _errors(report) if not p.fix] == []


def test_not_a_list_of_records_is_refused_clearly(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({**envelope(), "records": {"a": 1}}), encoding="utf-8")
    report = ingest_file(store, path)
    assert report.status == "refused" and "'records' must be a list" in report.message


def test_the_limits_are_stated_in_docs_formats() -> None:
    from builders import ROOT
    from mare.schema import limits

    text = (ROOT / "docs" / "formats" / "contribution.md").read_text(encoding="utf-8")
    section = text[text.index("### Limits") : text.index("**Malformed files.**")]
    assert f"| {limits.MAX_VALUE_CHARS:,} |" in section
    assert f"| {limits.MAX_ID_CHARS:,} |" in section
    assert f"| {limits.MAX_ITEMS:,} |" in section
    assert f"| {limits.MAX_NESTING:,} |" in section
    assert f"| {limits.MAX_COLUMNS:,} |" in section
    assert f"| {limits.MAX_FILE_BYTES >> 30} GiB |" in section
    assert f"| {limits.MAX_ENVELOPE_BYTES >> 20} MiB |" in section
    assert f"| {limits.MAX_CALL_ROW_CHARS:,} |" in section


def test_numbers_with_tabs_or_spaces_around_them_in_call_records(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "caller,callee,start,duration,lat,lon\n"
        "+393331234567,+393331234568,2026-01-01T10:00:00,6 ,\t41.9, 12.5\t\n"
        "+393331234567,+393331234568,2026-01-01T11:00:00,x,north,\n",
        encoding="utf-8",
    )
    report = ingest_file(store, path, CDR)
    assert report.status == "stored" and report.calls == 2, report.message
    rows = store.con.execute("SELECT duration_s, lat, lon FROM calls ORDER BY row_number").fetchall()
    assert rows == [(6, 41.9, 12.5), (None, None, None)]


def test_nul_in_an_envelope_or_a_call_records_cell_is_rejected(store: Store, tmp_path: Path) -> None:
    path = write_contribution(tmp_path / "e.json", [], case_refs=["CASE\x00-1"])
    report = ingest_file(store, path)
    assert report.status == "refused" and report.problems[0].field == "case_refs"
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "caller,callee,start,cell\n"
        "+393331234567,+393331234568,2026-01-01T10:00:00,C\x001\n"
        "+393331234567,+393331234568,2026-01-01T11:00:00,C2\n",
        encoding="utf-8",
    )
    report = ingest_file(store, calls, CDR)
    assert report.calls == 1 and [(p.row, p.field) for p in _errors(report)] == [(2, "cell")]
