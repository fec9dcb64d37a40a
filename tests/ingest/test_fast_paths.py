"""The bulk fast paths give exactly what the per-value, per-row paths give.

* `normalise_records_into` (each distinct value normalised once per contribution, rows
  appended column-wise) against `normalise_record` (every value through its normaliser);
* the CSV bundle row builder (`_RowPlan`) against `_record_object` + `record_from_dict`;
* `Batch.to_arrow` against `pa.array`'s inference.

Samples: the ingest benchmark's generated persons, the tiny synthetic scenario (every record
kind, every format), and hypothesis-made CSV rows full of edge cases.
"""

from __future__ import annotations

import importlib.util
import json
import string
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mare.ingest.csv_bundle as csv_bundle
from builders import ROOT, write_envelope
from mare.ingest.csv_bundle import read_csv_bundle
from mare.ingest.normalise_records import (
    ValueColumns,
    ValueMemo,
    agency_region,
    normalise_record,
    normalise_records_into,
)
from mare.ingest.parsed import ParsedContribution, RawRecord
from mare.ingest.pipeline import IngestOptions, read_source
from mare.ingest.problems import Problem
from mare.ingest.sources import find_sources
from mare.schema.types.result import NormaliseContext
from mare.store.writer import Batch, arrow_column


def normalise_record_into(
    record: RawRecord, record_uid: str, memo: ValueMemo, out: ValueColumns
) -> tuple[str | None, list[Problem]]:
    """One record through the bulk path: its label and warnings (rows appended to `out`)."""
    labels, problems = normalise_records_into([record], [record_uid], memo, out)
    return labels[0], problems


def _load_benchmark() -> Any:
    spec = importlib.util.spec_from_file_location("mare_bench_ingest", ROOT / "benchmarks" / "ingest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench_persons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 persons as the ingest benchmark generates them."""
    folder = tmp_path_factory.mktemp("bench") / "persons"
    bench = _load_benchmark()
    bench.generate_bundle(folder, 3000, bench.SEED + 1)
    return folder


@pytest.fixture(scope="module")
def tiny_contributions(tmp_path_factory: pytest.TempPathFactory) -> list[ParsedContribution]:
    """Every contribution of the tiny synthetic scenario (seed 7), read."""
    from mare.scenario import generate

    out = tmp_path_factory.mktemp("scenario") / "tiny"
    generate("tiny", 7, out)
    sources, _ = find_sources([out / "contributions"])
    parsed = []
    for source in sources:
        if source.format == "cdr":
            continue
        parsed.append(read_source(source, IngestOptions(agency="DE-BKA")))
    assert len(parsed) > 10
    return parsed


def _slow_read(folder: Path, monkeypatch: pytest.MonkeyPatch) -> ParsedContribution:
    with monkeypatch.context() as m:
        m.setattr(csv_bundle, "_row_plan", lambda *args: None)
        return read_csv_bundle(folder)


def _assert_same_reading(folder: Path, monkeypatch: pytest.MonkeyPatch) -> ParsedContribution:
    fast = read_csv_bundle(folder)
    slow = _slow_read(folder, monkeypatch)
    assert fast.records == slow.records
    assert fast.links == slow.links
    assert fast.problems == slow.problems
    return fast


def _assert_same_normalisation(parsed: ParsedContribution) -> int:
    env = parsed.envelope
    ctx = NormaliseContext(default_region=agency_region(env.agency), language=env.language)
    memo = ValueMemo(ctx)
    out = ValueColumns(memo)
    compared = 0
    expected: list[tuple[RawRecord, int, int, list[tuple[Any, ...]]]] = []
    for record in parsed.records:
        record_uid = f"C:{record.local_id}"
        rows, label, problems = normalise_record(record, ctx)
        start = len(out)
        fast_label, fast_problems = normalise_record_into(record, record_uid, memo, out)
        assert fast_label == label
        assert fast_problems == problems
        assert len(out) - start == len(rows), record
        rows_wanted = [
            (r.field, r.position, r.value_type, r.original, r.normalised, r.reason, r.flags, r.extra)
            for r in rows
        ]
        expected.append((record, start, len(out), rows_wanted))
        compared += len(rows)
    # Each column property rebuilds the whole column: read them once, after every record is in
    # (reading them per row made this comparison quadratic, minutes for the benchmark's persons).
    names = ("field", "position", "value_type", "original", "normalised", "reason", "flags", "extra")
    columns = [getattr(out, name) for name in names]
    record_uids = out.record_uid
    for record, start, end, rows_wanted in expected:
        fast_rows = [tuple(column[i] for column in columns) for i in range(start, end)]
        assert all(uid == f"C:{record.local_id}" for uid in record_uids[start:end])
        assert fast_rows == rows_wanted, record
    if len(out):
        table = out.to_arrow()
        expected_table = pa.table({name: getattr(out, name) for name in table.column_names})
        assert table.equals(expected_table)
    return compared


def test_benchmark_persons_fast_reading_and_normalisation_identical(
    bench_persons: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = _assert_same_reading(bench_persons, monkeypatch)
    assert len(parsed.records) == 3000
    assert _assert_same_normalisation(parsed) > 3000 * 5


def test_scenario_fast_normalisation_identical(tiny_contributions: list[ParsedContribution]) -> None:
    compared = sum(_assert_same_normalisation(p) for p in tiny_contributions)
    kinds = {r.kind for p in tiny_contributions for r in p.records}
    assert len(kinds) >= 8
    assert compared > 1000


def test_scenario_csv_bundles_fast_reading_identical(
    tiny_contributions: list[ParsedContribution], monkeypatch: pytest.MonkeyPatch
) -> None:
    bundles = [p for p in tiny_contributions if p.format == "csv_bundle"]
    assert bundles
    for parsed in bundles:
        folder = parsed.files[0][1].parent
        _assert_same_reading(folder, monkeypatch)


def test_memo_repeats_give_equal_rows_and_fresh_problems() -> None:
    from mare.ingest.parsed import RawRecord

    ctx = NormaliseContext(default_region="DE", language="de")
    memo = ValueMemo(ctx)
    out = ValueColumns(memo)
    records = [
        RawRecord(
            local_id=f"p{i}",
            kind="person",
            fields={"nationality": ["Syrian", "Kurdish"], "birth_date": ["unbekannt"], "gender": ["m"]},
            file="person.csv",
            row=i + 2,
        )
        for i in range(3)
    ]
    found = [normalise_record_into(r, f"C:{r.local_id}", memo, out)[1] for r in records]
    assert [p.row for problems in found for p in problems] == [2, 2, 3, 3, 4, 4]
    assert out.normalised[0::4] == ["SY"] * 3


# --- CSV rows full of edge cases ------------------------------------------------------------

_CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "true",
            "False",
            " yes ",
            "ja",
            "maybe",
            "x",
            "suspect",
            " suspect",
            "victim",
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
            "organiser",
            "x" * 100_001,
            "y" * 201,
            "p1",
            "p2",
            " p3 ",
            "1e3",
            "12.5",
            "Hasan ALI",
            "محمد الحسن",
            "2026-01-01T10:00:00Z",
        ]
    ),
    st.text(alphabet=string.ascii_letters + string.digits + " |,-.", max_size=12),
)
_COLUMNS = [
    "id", "category", "minor", "assessment", "observed_at", "note", "name", "alias", "nationality",
    "phone", "birth_date", "gender", "role", "kind", "handling", "unknown_col",
]  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    columns=st.lists(st.sampled_from(_COLUMNS), min_size=1, max_size=8, unique=True),
    rows=st.lists(st.lists(_CELLS, min_size=8, max_size=8), min_size=1, max_size=6),
    duplicate=st.booleans(),
)
def test_csv_row_builder_matches_general_path(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    columns: list[str],
    rows: list[list[str]],
    duplicate: bool,
) -> None:
    import csv

    folder = tmp_path_factory.mktemp("bundle")
    write_envelope(folder / "envelope.json")
    header = ["id", *columns] if "id" not in columns else columns
    if duplicate:
        header = [*header, header[-1]]
    with (folder / "person.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for cells in rows:
            out.writerow((cells * 2)[: len(header)])
    _assert_same_reading(folder, monkeypatch)


def test_an_over_long_observed_at_takes_the_general_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the property test above: the fast builder stored a 100,001-character time."""
    write_envelope(tmp_path / "envelope.json")
    (tmp_path / "person.csv").write_text("id,observed_at\np1," + "x" * 100_001 + "\n", encoding="utf-8")
    parsed = _assert_same_reading(tmp_path, monkeypatch)
    assert not parsed.records and [p.field for p in parsed.problems] == ["observed_at"]


def test_vehicle_booleans_and_other_kinds_match(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_envelope(tmp_path / "envelope.json")
    (tmp_path / "vehicle.csv").write_text(
        "id,plate,rented,vehicle_type,country,assessment\n"
        "v1,B-AB 123,yes,car,DE,no\n"
        "v2,,maybe,car,DE,\n"
        "v3,M-XY 9,0,spaceship,FR,1\n"
        "v4,HH-Q 1,ja,,,\n",
        encoding="utf-8",
    )
    (tmp_path / "event.csv").write_text(
        "id,event_type,occurred_at,persons_count,lat,lon\n"
        "e1,interception,2026-01-01 10:00,12,36.5,28.1\n"
        "e1,interception,yesterday,many,91,0\n",
        encoding="utf-8",
    )
    parsed = _assert_same_reading(tmp_path, monkeypatch)
    assert {r.local_id for r in parsed.records} >= {"v1", "v4", "e1"}
    assert _assert_same_normalisation(parsed) > 0


# --- Arrow columns --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        ["a", None, "é"],
        [None, None],
        [],
        [True, False, None],
        [1, None, -(2**63), 2**63 - 1],
        [datetime(2026, 1, 2, 3, 4, 5, 6), None],
        [date(2026, 1, 2), None, date(1960, 5, 5)],
        [["x"], [], None, ("y", "z")],
        [[], []],
        [1, 2.5],
        [datetime(2026, 1, 2, tzinfo=UTC)],
        [{"a": 1}],
        [["a", None]],
    ],
)
def test_arrow_column_as_pyarrow_infers(values: list[Any]) -> None:
    built = arrow_column(values)
    expected = pa.array(values)
    assert built.type == expected.type
    assert built.equals(expected)


def test_batch_to_arrow_matches_pa_table() -> None:
    batch = Batch()
    batch.add(uid="a", n=1, flags=["x"], extra=json.dumps({"k": 1}), when=date(2026, 1, 1))
    batch.add(uid="b", n=None, flags=[], extra=None, when=None)
    assert batch.to_arrow().equals(pa.table(batch.columns))


def test_labels_match_for_every_label_rule() -> None:
    from mare.ingest.parsed import RawRecord

    records = [
        RawRecord("a", "person", {"name": ["N" * 300]}),
        RawRecord("b", "person", {"given_name": ["Hasan"], "family_name": ["Ali"]}),
        RawRecord("c", "person", {"family_name": ["Ali"], "gender": ["m"]}),
        RawRecord("d", "phone", {"number": ["0151 1234567"], "operator": ["x"]}),
        RawRecord("e", "phone", {"number": ["n/a"]}),
        RawRecord("f", "communication", {"callee": ["+4915112345678"], "caller": ["0049 151 7654321"]}),
        RawRecord("g", "vessel", {"length_m": [12.0], "name": [""]}),
        RawRecord("h", "event", {"occurred_at": ["2026-01-01T10:00:00Z"], "persons_count": [3]}),
        RawRecord("i", "person", {"name": []}),
    ]
    from builders import envelope
    from mare.ingest.envelope import parse_envelope

    parsed = ParsedContribution(
        envelope=parse_envelope(envelope(), "envelope.json"),
        format="json",
        files=[],
        records=records,
    )
    assert _assert_same_normalisation(parsed) > 0


def test_csv_bundle_ingest_does_not_import_pandas(bench_persons: Path, tmp_path: Path) -> None:
    """pa.array/pa.table import pandas (~2 s of CPU); the ingest path builds Arrow without them."""
    import subprocess

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from mare.ingest.pipeline import IngestOptions, ingest_source\n"
        "from mare.ingest.sources import Source\n"
        "from mare.store.db import open_store\n"
        "store = open_store(Path(sys.argv[1]))\n"
        "report = ingest_source(store, Source(Path(sys.argv[2]), 'csv_bundle'), IngestOptions())\n"
        "store.close()\n"
        "print(report.status, report.records, 'pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "store"), str(bench_persons)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["stored", "3000", "False"]
