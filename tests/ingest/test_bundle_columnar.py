"""A CSV bundle read column-wise (`RecordBlock`s) is stored exactly as read row by row (issue 19).

A messy bundle (the ingest benchmark's persons with broken rows mixed in: bad booleans and
categories, over-long values, blank ids, wrong cell counts, values over several lines, blank
rows, odd separators; vehicles with booleans, phones, payments, links) is ingested with the
columnar reading and with the row-by-row reading the pipeline used before: the reports (every
problem, in order), the rows laid out for the store (records, values with originals, normalised
forms, flags and extras, provenance columns, in order) and the stored tables must be equal.
Variants: a quote left open (the file is then read by the strict row reader) and an id used
twice (the reading falls back to row by row, so the first record keeps the id).
"""

from __future__ import annotations

import csv
import io
import json
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mare.ingest.csv_bundle as csv_bundle
import mare.ingest.normalise_records as normalise_records
import mare.ingest.pipeline as pipeline
import mare.ingest.prefill as prefill
from builders import load_benchmark, write_envelope
from mare.ingest.arrays import strings
from mare.ingest.normalise_records import extra_json
from mare.ingest.parsed import ParsedContribution
from mare.ingest.pipeline import IngestOptions, ingest_source, prepare, read_source
from mare.ingest.sources import Source
from mare.store.db import open_store

_BROKEN_PERSONS = [
    ["b1", "suspect", "maybe", "Hasan ALI", "", "1.2.1980", "SY", "m", "+49 151 1234567", ""],
    ["b2", "boss", "false", "Omar", "", "", "", "", "", ""],
    ["b3", "suspect", "false", "N" * 10_001, "", "", "", "", "", ""],
    ["  ", "suspect", "false", "no id", "", "", "", "", "", ""],
    ["b5", "victim", "true", "Two\nLines", "A|| B | ", "31/02/1990", "SY|| IQ |", "f", "0151/23|n/a", "P 1"],
    ["b6", "suspect", " yes ", " spaced ", " x ", " 1985 ", " syrisch ", " m ", " +49 (0)151 7654321 ", " "],
    ["b7", "", "", "", "", "", "", "", "", ""],
    ["", "", "", "", "", "", "", "", "", ""],
]


def _persons_csv(bench: Path, open_quote: bool, duplicate: bool) -> str:
    rows = list(csv.reader(io.StringIO((bench / "person.csv").read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    for i, broken in enumerate(_BROKEN_PERSONS):
        body.insert(37 * (i + 1), broken)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i, row in enumerate(body):
        writer.writerow(row)
        if i == 500:
            out.write("p-short,suspect,false,Only Three Cells\n")
        if i == 900:
            out.write("\n")
        if open_quote and i == 1200:
            out.write('p-open,suspect,false,"Never Closed,,,,,,\n')
        if duplicate and i == 1500:
            out.write("p7,suspect,false,Second Of Its Id,,,,,,\n")
    return out.getvalue()


def _bundle(folder: Path, bench: Path, open_quote: bool = False, duplicate: bool = False) -> Path:
    folder.mkdir()
    write_envelope(folder / "envelope.json", id="MESSY-1", agency="DE-BKA", language="de")
    (folder / "person.csv").write_text(_persons_csv(bench, open_quote, duplicate), encoding="utf-8")
    (folder / "vehicle.csv").write_text(
        "id,plate,rented,vehicle_type,country,assessment,note\n"
        "v1,B-AB 123,yes,car,DE,no,\n"
        "v2,,maybe,car,DE,,\n"
        "v3,M-XY 9,0,spaceship,FR,1,\n"
        'v4,HH-Q 1,ja,,,,"a note\nover two lines"\n'
        "v5, HH-Q 2 ,,car,Deutschland,x,\n",
        encoding="utf-8",
    )
    (folder / "phone.csv").write_text(
        "id,number,operator\nph1,0151 1234567,Vodafone\nph2,n/a,\nph3,,x\nph4,00491701234567,\n",
        encoding="utf-8",
    )
    (folder / "payment.csv").write_text(
        "id,amount,currency,method\npay1,100,EUR,cash\npay2,lots,EUR,cash\n", encoding="utf-8"
    )
    (folder / "links.csv").write_text(
        "kind,source,target\nuses_phone,p1,ph1\nowns_vehicle,p2,v1\nuses_phone,b1,ph2\n"
        "owns_vehicle,p3,v404\nuses_phone,p4,ph4\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 persons as the ingest benchmark generates them."""
    folder = tmp_path_factory.mktemp("bench") / "persons"
    module = load_benchmark("ingest")
    module.generate_bundle(folder, 2000, module.SEED + 1)
    return folder


def _row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    real = csv_bundle.read_csv_bundle

    def reader(folder: Path, encoding: str | None = None, columnar: bool = False) -> ParsedContribution:
        return real(folder, encoding, columnar=False)

    monkeypatch.setattr(pipeline, "read_csv_bundle", reader)


def _laid_out(parsed: ParsedContribution) -> tuple[Any, Any, list[Any]]:
    received = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    pending, warnings = prepare(parsed, received, "Ctest")
    records = pending.records if isinstance(pending.records, pa.Table) else pending.records.to_arrow()
    values = pending.values if isinstance(pending.values, pa.Table) else pending.values.to_arrow()
    return records, values, warnings


def _stored(home: Path, folder: Path) -> tuple[Any, dict[str, list[tuple[Any, ...]]]]:
    store = open_store(home)
    try:
        report = ingest_source(store, Source(folder, "csv_bundle"), IngestOptions())
        con = store.con
        tables = {
            "records": "SELECT * EXCLUDE (received_at) FROM records",
            "record_values": "SELECT * FROM record_values",
            "links": "SELECT * EXCLUDE (received_at) FROM links",
            "ingest_problems": "SELECT * FROM ingest_problems",
        }
        rows = {name: sorted(map(repr, con.execute(sql).fetchall())) for name, sql in tables.items()}
        return report, rows  # type: ignore[return-value]
    finally:
        store.close()


@pytest.mark.parametrize(
    ("open_quote", "duplicate", "forked"),
    [(False, False, False), (True, False, False), (False, True, False), (False, False, True)],
)
def test_columnar_bundle_stored_as_row_by_row(
    bench: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    open_quote: bool,
    duplicate: bool,
    forked: bool,
) -> None:
    if forked:  # the columnar path's texts normalised half in a forked child, as at scale
        monkeypatch.setattr(prefill, "PARALLEL_MIN", 100)
        monkeypatch.setattr(normalise_records, "PARALLEL_MIN", 100)
    folder = _bundle(tmp_path / "bundle", bench, open_quote, duplicate)
    source = Source(folder, "csv_bundle")
    columnar = read_source(source, IngestOptions())
    if duplicate:
        assert not columnar.blocks  # the id used twice: read row by row, the first keeps it
    else:
        assert len(columnar.blocks) == 3  # persons, phones, vehicles
        assert {r.kind for r in columnar.records} >= {"payment", "vehicle"}  # read row by row
    fast = _laid_out(columnar)
    fast_report, fast_rows = _stored(tmp_path / "fast", folder)
    with monkeypatch.context() as m:
        _row_by_row(m)
        rows_read = read_source(source, IngestOptions())
        assert not rows_read.blocks
        slow = _laid_out(rows_read)
        slow_report, slow_rows = _stored(tmp_path / "slow", folder)
    assert columnar.problems == rows_read.problems
    assert columnar.record_count == len(rows_read.records) > 2000
    assert columnar.links == rows_read.links
    assert fast[0].equals(slow[0])  # records, in order, with their provenance columns
    assert fast[1].equals(slow[1])  # values: originals, normalised forms, reasons, flags, extras
    assert fast[2] == slow[2]  # warnings, in order
    assert fast_report.as_dict() == slow_report.as_dict()
    assert fast_report.status == "stored" and fast_report.rejected >= 6 and fast_report.warnings > 100
    assert fast_rows == slow_rows
    assert len(fast_rows["record_values"]) > 10_000


def test_block_records_are_the_row_builders(bench: Path, tmp_path: Path) -> None:
    """Every row of a block is the RawRecord `_RowPlan.record` builds for it."""
    folder = _bundle(tmp_path / "bundle", bench)
    columnar = csv_bundle.read_csv_bundle(folder, columnar=True)
    rows = csv_bundle.read_csv_bundle(folder)
    by_id = {r.local_id: r for r in rows.records}
    blocked = [record for block in columnar.blocks for record in block.records()]
    assert len(blocked) > 2000
    for record in blocked:
        assert by_id[record.local_id] == record
    assert sorted(r.local_id for r in [*blocked, *columnar.records]) == sorted(by_id)


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(), st.dates()
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.text(),
        st.one_of(_SCALARS, st.lists(_SCALARS, max_size=3), st.tuples(st.text(), st.integers())),
        max_size=6,
    )
)
def test_extra_json_is_json_dumps(extra: dict[str, Any]) -> None:
    assert extra_json(extra) == json.dumps(extra, ensure_ascii=False, default=str)


_CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "true",
            "False",
            " yes ",
            "maybe",
            "x",
            "suspect",
            " suspect",
            "nonsense",
            "Syrian|Iraqi",
            "|",
            " | ",
            "a||b",
            "SY",
            "+49 151 1234567",
            "03.04.1985",
            "m",
            "driver",
            "x" * 100_001,
            "y" * 201,
            "p1",
            "p2",
            " p3 ",
            "Hasan ALI",
            "محمد الحسن",
            "2026-01-01T10:00:00Z",
            "a\nb",
            "\x1c",
            "\u3000",
        ]
    ),
    st.text(alphabet=string.ascii_letters + string.digits + ' |,-."', max_size=12),
)
_COLUMNS = [
    "id", "category", "minor", "assessment", "observed_at", "note", "name", "alias", "nationality",
    "phone", "birth_date", "gender", "role", "unknown_col",
]  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    columns=st.lists(st.sampled_from(_COLUMNS), min_size=1, max_size=8, unique=True),
    rows=st.lists(st.lists(_CELLS, min_size=8, max_size=8), min_size=1, max_size=8),
)
def test_blocks_read_as_the_row_builder_reads(
    tmp_path_factory: pytest.TempPathFactory, columns: list[str], rows: list[list[str]]
) -> None:
    """Random rows: the block rows and the row-read records together are the row-by-row reading."""
    folder = tmp_path_factory.mktemp("bundle")
    write_envelope(folder / "envelope.json")
    header = ["id", *columns] if "id" not in columns else columns
    with (folder / "person.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for cells in rows:
            out.writerow((cells * 2)[: len(header)])
    columnar = csv_bundle.read_csv_bundle(folder, columnar=True)
    by_rows = csv_bundle.read_csv_bundle(folder)
    assert columnar.problems == by_rows.problems
    merged = sorted(
        [r for block in columnar.blocks for r in block.records()] + columnar.records,
        key=lambda r: r.row or 0,
    )
    assert merged == by_rows.records


# --- the CSV text read by Arrow's reader ----------------------------------------------------

_PIECES = st.sampled_from(
    ["a", "b c", " ", ",", '"', '""', '"x,y"', "\n", "\r\n", "\r", "|", "é", "\u3000", "\x1c", "\t", "1"]
)


def _as_read(text: str) -> tuple[list[str], list[tuple[int, list[str]]], list[Any]] | None:
    read = csv_bundle._arrow_rows(text, "person.csv", [])
    if read is None:
        return None
    header, lines, columns, problems = read
    cells = csv_bundle._cells_at(columns, np.arange(len(lines))) if columns else []
    return header, list(zip(lines.tolist(), cells, strict=True)), problems


@settings(max_examples=600, deadline=None)
@given(
    header=st.lists(st.sampled_from(["id", "name", " phone ", "a", '"q"']), min_size=1, max_size=4),
    body=st.lists(_PIECES, max_size=40),
)
def test_arrow_reads_a_csv_text_as_the_csv_module_does(header: list[str], body: list[str]) -> None:
    """Wherever Arrow's reader is used, it gives the csv module's header, rows, lines and problems."""
    text = ",".join(header) + "\n" + "".join(body)
    by_arrow = _as_read(text)
    if by_arrow is not None:
        assert by_arrow == csv_bundle._cells_of(text, "person.csv", [], plain=True)


_CELL_TEXT = st.text(alphabet=["a", "b", " ", '"', ",", "é", "\u3000", "\x1c", "|", "\t"], max_size=6)


@st.composite
def _rows(draw: st.DrawFn, width: int) -> str:
    """Rows of `width` cells (now and then one more or less), cells quoted or not, quotes
    doubled or not, between LF, CRLF, blank and whitespace-only lines."""
    out = []
    for _ in range(draw(st.integers(0, 8))):
        cells = []
        for _ in range(width + draw(st.sampled_from([0] * 30 + [-1, 1]))):
            text = draw(_CELL_TEXT)
            how = draw(st.sampled_from(["plain"] * 10 + ["quoted"] * 10 + ["raw quotes"]))
            if how == "quoted":
                text = '"' + text.replace('"', '""') + '"'
            elif how == "plain":
                text = text.replace('"', "").replace(",", "")
            cells.append(text)
        ends = ["\n"] * 8 + ["\r\n"] * 8 + ["\n\n", "\r\n\r\n", "\n \n"]
        out.append(",".join(cells) + draw(st.sampled_from(ends)))
    return "".join(out)


@settings(max_examples=800, deadline=None)
@given(
    header=st.lists(st.sampled_from(["id", "name", " phone ", "a", '"q"']), min_size=1, max_size=4),
    data=st.data(),
)
def test_arrow_reads_rows_as_the_csv_module_does(header: list[str], data: st.DataObject) -> None:
    text = ",".join(header) + data.draw(st.sampled_from(["\n", "\r\n"])) + data.draw(_rows(len(header)))
    by_arrow = _as_read(text)
    if by_arrow is not None:
        assert by_arrow == csv_bundle._cells_of(text, "person.csv", [], plain=True)


def test_arrow_reads_the_common_files(bench: Path, tmp_path: Path) -> None:
    """Quoted cells, CRLF, blank and whitespace-only lines: Arrow's reading is used, and equal."""
    text = (bench / "person.csv").read_bytes().decode("utf-8")
    assert '"' in text and "\r\n" in text
    lines = text.split("\r\n")
    lines.insert(5, "")
    lines.insert(9, " , ,, , , , , , ,")
    for variant in ("\r\n".join(lines), "\n".join(lines), "\n".join(lines).rstrip("\n")):
        by_arrow = _as_read(variant)
        assert by_arrow is not None
        assert by_arrow == csv_bundle._cells_of(variant, "person.csv", [], plain=True)
        assert len(by_arrow[1]) == 2000
    for left_to_the_csv_module in (
        text.replace("\r\n", "\r"),  # lone CRs
        text + 'p-open,suspect,false,"Never Closed,,,,,,\r\n',
        text + 'p-bad,suspect,false,"Closed" then more,,,,,,\r\n',
        text + "p-short,suspect\r\n",
        text + 'p-two,suspect,false,"Two\nLines",,,,,,\r\n',
        "\ufeff" + text,
        "\r\n" + text,
        text.replace("Tekle", "Tek\x00le"),
    ):
        assert _as_read(left_to_the_csv_module) is None


def test_arrows_whitespace_is_pythons() -> None:
    """The column checks trim with Arrow: it must strip exactly what `str.strip` strips."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    trimmed = pc.utf8_trim_whitespace(strings(chars)).to_pylist()
    assert [c for c, t in zip(chars, trimmed, strict=True) if (t == "") != c.isspace()] == []
    assert pc.utf8_trim_whitespace(strings([" \u3000a b\x1c\t"])).to_pylist() == ["a b"]
