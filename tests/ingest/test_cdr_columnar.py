"""Call records read column-wise store the same rows and name the same problems as row by row.

The reference here is the reading before issue 19: each number through `e164_for_bulk`,
each start time through every format in order over the whole column (ISO with Z or +00:00,
ISO with a space, the region's formats, epoch seconds; Arrow's strptime), except that a date
or time that does not exist (31 February, 23:59:60) is a problem, never rolled over.
A messy file (every written form of a number, bad numbers, every time format, junk times)
is ingested in several batches, with LF and CRLF line ends, with and without quotes; the
stored rows and the problems must be the reference's, row for row.
"""

from __future__ import annotations

import csv
import random
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import mare.ingest.cdr as cdr
from builders import write_envelope
from mare.hub.context import system_context
from mare.ingest.cdr import DAY_FIRST, OTHER
from mare.ingest.pipeline import ingest_file
from mare.schema.types.phones import e164_for_bulk, phone_to_int
from mare.store.db import Store

NUMBERS = (
    "+4915123456789", "0151 23456789", "0049 151 23456789", "+49 (0)151 23456789", "0151/23456789",
    "+39 333 123 45 67", "0039 3331234567", "+963 93 123 4567", "4915123456789", "15123456789",
    "+49 151 2345678", "n/a", "unknown", "+49", "12", "0000", "anonym", "#31#", "+999 123", "",
    "tel: +4915123456789", "٠١٥١٢٣٤٥٦٧٨٩", "+1 (202) 555-0143", "001 202 555 0143", " +44 20 7946 0958 ",
    "(+49) 151 23456789", "+49\t15123456789", "0800 1234567", "+7 912 345 67 89", "+0 151",
)  # fmt: skip
TIMES = (
    "2026-03-01T10:00:00Z", "2026-03-01T10:00:00", "2026-03-01T10:00:00+00:00", "2026-03-01T10:00:00-0000",
    "2026-03-01 10:00:00", "01/03/2026 10:00:00", "01.03.2026 10:00", "2026/03/01 10:00:00",
    "20260301100000", "2026-03-01 10:00", "1772359200", " 2026-03-01T10:00:00Z ", "yesterday", "",
    "31/02/2026 10:00:00", "2026-03-01T10:00:00Zjunk", "2026-13-01T10:00:00Z", "03/01/2026 10:00:00 PM",
    "2025-02-29T10:00:00Z", "2026-04-31 10:00:00", "01/03/2026 23:59:60", "20260231100000",
    "31.04.2026 10:00", "29/02/2024 10:00:00", "1/3/2026 10:00:00", "2026-03-31T23:59:59Z",
)  # fmt: skip
#: Read by some format, but no such date or time: Arrow's strptime would roll them over.
IMPOSSIBLE = {
    "31/02/2026 10:00:00", "2025-02-29T10:00:00Z", "2026-04-31 10:00:00", "01/03/2026 23:59:60",
    "20260231100000", "31.04.2026 10:00",
}  # fmt: skip


def _reference_times(texts: list[str]) -> list[datetime | None]:
    """The reading before issue 19, verbatim: every format tried on every value, then coalesced."""
    text = pc.utf8_trim_whitespace(pa.array(texts, pa.string()))
    iso = pc.replace_substring_regex(text, pattern=r"(Z|[+-]00:?00)$", replacement="")
    result = pc.cast(
        pc.strptime(iso, format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True), pa.timestamp("s")
    )
    for fmt in ("%Y-%m-%d %H:%M:%S", *DAY_FIRST, *OTHER):
        result = pc.coalesce(result, pc.strptime(text, format=fmt, unit="s", error_is_null=True))
    digits = pc.match_substring_regex(text, pattern=r"^\d{9,10}$")
    as_int = pc.cast(pc.if_else(digits, text, None), pa.int64(), safe=False)
    read = pc.coalesce(result, pc.cast(as_int, pa.timestamp("s"))).to_pylist()
    return [None if t in IMPOSSIBLE else v for t, v in zip(texts, read, strict=True)]


def _reference_number(text: str) -> int | None:
    e164 = e164_for_bulk(text, "DE")
    return phone_to_int(e164) if e164 else None


def _write(path: Path, rows: list[list[str]], quoting: int, newline: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, quoting=quoting, lineterminator=newline)
        out.writerow(["caller", "callee", "start", "duration"])
        out.writerows(rows)


@pytest.mark.parametrize(
    ("quoting", "newline"), [(csv.QUOTE_MINIMAL, "\n"), (csv.QUOTE_ALL, "\r\n"), (csv.QUOTE_ALL, "\n")]
)
def test_columnar_load_matches_row_by_row_reading(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quoting: int, newline: str
) -> None:
    monkeypatch.setattr(cdr, "BLOCK_SIZE", 4096)  # several batches: the number cache crosses them
    rng = random.Random(7)
    rows = [
        [rng.choice(NUMBERS), rng.choice(NUMBERS[:10]), rng.choice(TIMES), rng.choice(("60", "", "x", "5.5"))]
        for _ in range(1500)
    ]
    path = tmp_path / "calls.csv"
    _write(path, rows, quoting, newline)
    write_envelope(tmp_path / "calls.csv.envelope.json", id="CDR-COLUMNAR")
    report = ingest_file(store, path)
    assert report.status == "stored", report.message

    want_rows, want_problems = [], set()
    times = _reference_times([row[2] for row in rows])
    for line, (a, b, _, _), started in zip(range(2, len(rows) + 2), rows, times, strict=True):
        caller, callee = _reference_number(a), _reference_number(b)
        if caller is None:
            want_problems.add((line, "caller"))
        elif callee is None:
            want_problems.add((line, "callee"))
        elif started is None:
            want_problems.add((line, "start"))
        else:
            want_rows.append((line, caller, callee, started))
    got_rows = store.con.execute(
        "SELECT row_number, caller, callee, started_at FROM calls ORDER BY row_number"
    ).fetchall()
    assert got_rows == want_rows
    assert {(p.row, p.field) for p in report.problems if p.row is not None} == want_problems
    assert report.rejected == len(want_problems) and report.calls == len(want_rows)
    stored_problems = store.con.execute(
        "SELECT count(*) FROM ingest_problems WHERE row_number > 1"
    ).fetchone()
    assert stored_problems == (len(want_problems),)


@pytest.mark.parametrize("text", sorted(IMPOSSIBLE))
def test_a_date_or_time_that_does_not_exist_is_a_problem(store: Store, tmp_path: Path, text: str) -> None:
    path = tmp_path / "calls.csv"
    rows = [["+4915123456789", "+393331234567", "01/03/2026 10:00:00", "60"]] * 3
    _write(path, [*rows, ["+4915123456789", "+393331234567", text, "60"]], csv.QUOTE_MINIMAL, "\n")
    write_envelope(tmp_path / "calls.csv.envelope.json", id="CDR-NO-SUCH-DAY")
    report = ingest_file(store, path)
    assert report.status == "stored" and (report.calls, report.rejected) == (3, 1)
    (problem,) = [p for p in report.problems if p.row is not None]
    assert (problem.file, problem.row, problem.field) == ("calls.csv", 5, "start")
    assert "does not exist" in problem.reason and text in problem.reason and problem.fix
    assert store.con.execute("SELECT max(row_number) FROM calls").fetchone() == (4,)


def test_a_value_over_two_lines_falls_back_to_the_careful_reader(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "caller,callee,start\n"
        '"+4915123456789","+393331234567","2026-03-01T10:00:00Z"\n'
        '"+4915123456789","+39333\n1234567","2026-03-01T10:00:00Z"\n'
        '"+4915123456789","+393331234567","2026-03-01T11:00:00Z"\n',
        encoding="utf-8",
    )
    write_envelope(tmp_path / "calls.csv.envelope.json", id="CDR-SPAN")
    report = ingest_file(store, path)
    assert report.status == "stored" and report.calls == 2 and report.rejected == 1
    assert [p.row for p in report.problems if p.row] == [3]
    assert store.con.execute("SELECT row_number FROM calls ORDER BY 1").fetchall() == [(2,), (5,)]


def test_call_records_ingest_does_not_import_pandas(tmp_path: Path) -> None:
    """Python scalars handed to Arrow, `pa.array` and `to_numpy` import pandas (~0.25 s of CPU)."""
    import subprocess
    import sys

    rng = random.Random(3)
    rows = [[rng.choice(NUMBERS), rng.choice(NUMBERS[:10]), rng.choice(TIMES), "60"] for _ in range(500)]
    path = tmp_path / "calls.csv"
    _write(path, rows, csv.QUOTE_ALL, "\n")
    write_envelope(tmp_path / "calls.csv.envelope.json", id="CDR-NO-PANDAS")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from mare.ingest.pipeline import IngestOptions, ingest_source\n"
        "from mare.ingest.sources import Source\n"
        "from mare.store.db import open_store\n"
        "store = open_store(Path(sys.argv[1]))\n"
        "report = ingest_source(store, Source(Path(sys.argv[2]), 'cdr'), IngestOptions())\n"
        "store.close()\n"
        "print(report.status, report.rejected > 0, 'pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "store"), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["stored", "True", "False"]


def test_call_records_on_each_backend(backend_store: Store, tmp_path: Path) -> None:
    """The column-wise load (inserts on a second thread, the id as a parameter) on DuckDB and PostgreSQL."""
    path = tmp_path / "calls.csv"
    _write(
        path,
        [
            ["+4915123456789", "0151 23456789", "2026-03-01T10:00:00Z", "60"],
            ["n/a", "+39 333 123 45 67", "01/03/2026 10:00:00", ""],
            ["0049 151 23456789", "+39 333 123 45 67", "yesterday", "5"],
        ],
        csv.QUOTE_MINIMAL,
        "\n",
    )
    write_envelope(tmp_path / "calls.csv.envelope.json", id="CDR-BACKENDS")
    report = ingest_file(backend_store, path)
    assert report.status == "stored", report.message
    assert (report.calls, report.rejected) == (1, 2)
    with system_context(backend_store, "test"):  # PostgreSQL's row-level security wants a context
        rows = backend_store.con.execute(
            "SELECT contribution, row_number, caller, callee FROM calls"
        ).fetchall()
    assert rows == [(report.contribution, 2, 4915123456789, 4915123456789)]


def test_a_format_with_month_names_rejects_days_that_do_not_exist() -> None:
    """Formats beyond plain numbers (here %b) are checked by Python's strptime, on the few suspects."""
    texts = ["31 Feb 2026 10:00:00", "01 Mar 2026 10:00:00", "30 Apr 2026 23:59:60", "29 Feb 2024 00:00:00"]
    read = cdr._parse_times(pa.array(texts, pa.string()), ("%d %b %Y %H:%M:%S",)).to_pylist()
    assert read == [None, datetime(2026, 3, 1, 10), None, datetime(2024, 2, 29)]
    assert "does not exist" in (cdr.impossible_time(texts[0], ("%d %b %Y %H:%M:%S",)) or "")
