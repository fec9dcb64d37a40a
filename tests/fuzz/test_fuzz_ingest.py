"""Fuzzing intake (issue 20): every input ends stored or clearly rejected, never in a traceback.

Two kinds of cases, for each format (JSON, CSV bundle, call records, FtM):

* **mutations** of a valid contribution: bytes flipped, inserted, deleted, repeated, truncated,
  lines swapped, and hostile pieces spliced in (quotes, separators, NUL, invalid UTF-8, bidi and
  escape sequences, deep nesting, a 200 000-character value), seeded so a failure repeats;
* **property tests** (hypothesis) that build contributions from arbitrary JSON values and text.

Each case is ingested with `ingest_source` into a real store. It passes when the report is
`stored`, `already_received` or `refused` (never `failed`, which means an exception reached the
safety net), and every problem names its file and gives a reason and a fix. The default run has
a fixed budget (about 20 s); `MARE_FUZZ_EXAMPLES=N pytest -m slow tests/fuzz` runs N cases per
test. Set MARE_FUZZ_REPORT=FILE to write the counts (tried, passed, failed) as JSON.
"""

from __future__ import annotations

import json
import os
import random
import string
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import EXAMPLE
from mare.ingest.pipeline import IngestOptions, IngestReport, ingest_source
from mare.ingest.sources import Source
from mare.store.db import Store, open_store

QUICK = 100  # mutation cases per format in the default run (property tests: 40 examples each)
SLOW = int(os.environ.get("MARE_FUZZ_EXAMPLES", "2000"))
COUNTS: Counter[str] = Counter()
FAILURES: list[str] = []

ENVELOPE = {
    "format": "mare.contribution/1",
    "id": "@ID@",
    "agency": "DE-BKA",
    "sent_at": "2026-11-01T10:00:00Z",
    "handling": {"code": "H0"},
}
BUNDLE = {
    "person.csv": "id,name,alias,birth_date,nationality,category,minor,note\n"
    'p1,Mohammed AL-HASSAN,Abu Omar|محمد,03.04.1985,Syrian,suspect,false,"seen in ""Bari"", twice"\n'
    "p2,Aman Tesfay,,2010,ER,victim,true,\n",
    "phone.csv": "id,number\nph1,0151 23456789\n",
    "vehicle.csv": "id,plate,country,vehicle_type\nv1,B-MH 4521,DE,van\n",
    "links.csv": "kind,source,target,since\nuses_phone,p1,ph1,2026-09\ndrives_vehicle,p1,v1,\n",
    "calls.csv": "caller,callee,start,duration\n+4915123456789,+393331234567,2026-01-01T10:00:00,60\n",
}
CALLS = (
    "caller,callee,start,duration,cell,lat,lon\n"
    "+4915123456789,+393331234567,2026-01-01T10:00:00,60,C1,52.5,13.4\n"
    "0151 23456789,+39 333 1234568,01.02.2026 11:00:00,5,C2,,\n"
    '"+4915123456780","+393331234569",2026-02-03 12:00,,"C3",41.9,12.5\n'
)
FTM = "\n".join(
    json.dumps(e, ensure_ascii=False)
    for e in [
        {"id": "a", "schema": "Person", "properties": {"name": ["Yusuf Kaya"], "topics": ["crime"]}},
        {"id": "b", "schema": "Passport", "properties": {"number": ["U1234567"], "holder": ["a"]}},
        {"id": "c", "schema": "UserAccount", "properties": {"username": ["@trip"], "owner": ["a"]}},
        {"id": "d", "schema": "Family", "properties": {"person": ["a"], "relative": ["e"]}},
        {"id": "e", "schema": "Person", "properties": {"name": ["محمد الحسن"], "birthDate": ["1985-04-03"]}},
    ]
)
PIECES = [
    b'"',
    b",",
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xff\xfe",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"|",
    b"\\",
    b"[",
    b"{",
    b"]}",
    b'"]',
    b"\x1b[2J",
    b"\xe2\x80\xae",
    b"[/]",
    b"null",
    b"-1",
    b"1e999",
    b"9" * 40,
    b"2028-13-45",
    b"[" * 5000,
    b"{" + b'"a":{' * 3000,
    b"A" * 200_000,
    b"," * 3000,
]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four byte-level mutations."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        size = len(out)
        op = rng.randrange(8)
        at = rng.randrange(size + 1) if size else 0
        if op == 0 and size:
            out[min(at, size - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            out[at:at] = rng.choice(PIECES)
        elif op == 2 and size:
            end = min(size, at + rng.randint(1, 64))
            del out[at:end]
        elif op == 3 and size:
            end = min(size, at + rng.randint(1, 200))
            out[at:at] = out[at:end] * rng.randint(1, 3)
        elif op == 4:
            del out[at:]
        elif op == 5:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 6:
            lines = bytes(out).split(b"\n")
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                out = bytearray(b"\n".join(lines))
        else:
            digits = [i for i, b in enumerate(out) if 48 <= b <= 57]
            if digits:
                out[rng.choice(digits)] = rng.choice(b"0123456789")
    return bytes(out)


def _check(report: IngestReport, case: str) -> None:
    """Stored, already received or refused with reasons; every problem names its file, reason and fix."""
    COUNTS["tried"] += 1
    wrong = []
    if report.status not in ("stored", "already_received", "refused"):
        wrong.append(f"status {report.status}: {report.message}")
    if report.status == "refused" and not (
        report.message and (report.problems or "--strict" in report.message)
    ):
        wrong.append(f"refused without a reason: {report.message!r}")
    for p in report.problems:
        if not (p.file and p.reason and (p.fix or p.severity == "warning")):
            wrong.append(f"problem without file, reason or fix: {p}")
    if wrong:
        COUNTS["failed"] += 1
        FAILURES.append(f"{case}: {wrong[0]}")
    else:
        COUNTS["passed"] += 1
    assert not wrong, f"{case}: {wrong}"


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store for a module's cases (each case has its own contribution id)."""
    with open_store(tmp_path_factory.mktemp("fuzz") / "home") as store:
        yield store
    report = os.environ.get("MARE_FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps({**COUNTS, "failures": FAILURES[:50]}, indent=2), encoding="utf-8")


def _json_case(folder: Path, rng: random.Random, n: int) -> Source:
    seed = EXAMPLE.read_text(encoding="utf-8").replace("DE-BKA-2026-000123", f"FUZZ-{n}")
    path = folder / f"c{n}.json"
    path.write_bytes(_mutate(seed.encode(), rng))
    return Source(path, "json")


def _bundle_case(folder: Path, rng: random.Random, n: int) -> Source:
    bundle = folder / f"b{n}"
    bundle.mkdir()
    files = {"envelope.json": json.dumps({**ENVELOPE, "id": f"FUZZ-B{n}"}), **BUNDLE}
    target = rng.choice(list(files))
    for name, text in files.items():
        data = text.encode()
        (bundle / name).write_bytes(_mutate(data, rng) if name == target else data)
    return Source(bundle, "csv_bundle")


def _sidecar(path: Path, n: int) -> None:
    (path.parent / f"{path.name}.envelope.json").write_text(
        json.dumps({**ENVELOPE, "id": f"FUZZ-S{n}"}), encoding="utf-8"
    )


def _cdr_case(folder: Path, rng: random.Random, n: int) -> Source:
    path = folder / f"calls{n}.csv"
    path.write_bytes(_mutate(CALLS.encode(), rng))
    _sidecar(path, n)
    return Source(path, "cdr")


def _ftm_case(folder: Path, rng: random.Random, n: int) -> Source:
    path = folder / f"e{n}.ftm.jsonl"
    path.write_bytes(_mutate(FTM.encode(), rng))
    _sidecar(path, n)
    return Source(path, "ftm")


MAKERS: dict[str, Callable[[Path, random.Random, int], Source]] = {
    "json": _json_case,
    "csv_bundle": _bundle_case,
    "cdr": _cdr_case,
    "ftm": _ftm_case,
}


def _run_mutations(store: Store, folder: Path, fmt: str, cases: int, seed: int) -> None:
    rng = random.Random(f"{fmt}-{seed}")
    for n in range(cases):
        source = MAKERS[fmt](folder, rng, seed * 1_000_000 + n)
        _check(ingest_source(store, source, IngestOptions()), f"{fmt} mutation seed={seed} case={n}")


@pytest.mark.parametrize("fmt", list(MAKERS))
def test_mutations(fuzz_store: Store, tmp_path: Path, fmt: str) -> None:
    _run_mutations(fuzz_store, tmp_path, fmt, QUICK, seed=1)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(MAKERS))
def test_mutations_long(fuzz_store: Store, tmp_path: Path, fmt: str) -> None:
    _run_mutations(fuzz_store, tmp_path, fmt, SLOW, seed=int(os.environ.get("MARE_FUZZ_SEED", "2")))


def test_mutations_through_the_cli(tmp_path: Path) -> None:
    """A folder of mutated contributions of every format in one `mare ingest`, then `mare records`."""
    from typer.testing import CliRunner

    from mare.cli import app

    folder = tmp_path / "in"
    folder.mkdir()
    rng = random.Random("cli")
    for n in range(24):
        fmt = list(MAKERS)[n % 4]
        MAKERS[fmt](folder, rng, n)
    runner = CliRunner()
    home = str(tmp_path / "home")
    args = ["ingest", str(folder), "--home", home, "--json", "--crosscheck", "off", "--no-geocode"]
    result = runner.invoke(app, args)
    COUNTS["tried"] += 1
    ok = result.exit_code in (0, 1) and (result.exception is None or isinstance(result.exception, SystemExit))
    reports = json.loads(result.output) if ok else []
    ok = ok and len(reports) == 24 and all(r["status"] != "failed" for r in reports)
    listed = runner.invoke(app, ["records", "--home", home, "--as-agency", "DE-BKA", "--limit", "1000"])
    ok = ok and listed.exit_code == 0 and not any(ch in listed.output for ch in "\x1b\u202e\x9b")
    COUNTS["passed" if ok else "failed"] += 1
    assert ok, (result.output[-2000:], listed.output[-2000:])


# --- property tests -------------------------------------------------------------------------------
FIELDS = ["id", "kind", "name", "alias", "birth_date", "nationality", "number", "plate", "imo", "note",
          "category", "minor", "handling", "evaluation", "lat", "amount"]  # fmt: skip
KINDS = ["person", "phone", "vehicle", "vessel", "event", "payment", "nothing"]
HOSTILE = "\x00\x1b\x9b\u202e\u2066\ufeff\"',|\\\n\r[]{}/" + string.printable
text = st.text(alphabet=st.sampled_from(HOSTILE) | st.characters(exclude_categories=("Cs",)), max_size=40)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | text
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=3)
)
records = st.lists(
    st.dictionaries(st.sampled_from(FIELDS) | text, values, max_size=6).map(
        lambda d: {"id": "r", "kind": "person", **d}
    ),
    max_size=6,
)
cells = st.text(alphabet=st.sampled_from(HOSTILE), max_size=30)
PROPERTY = settings(
    max_examples=int(os.environ.get("MARE_FUZZ_EXAMPLES", "40")),
    deadline=None,
    database=None,
    derandomize="MARE_FUZZ_EXAMPLES" not in os.environ,  # the default run is the same every time
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_ids = iter(range(10**9))


@PROPERTY
@given(records=records, links=st.lists(values, max_size=3), extra=st.dictionaries(text, values, max_size=2))
def test_json_of_any_shape(
    fuzz_store: Store, tmp_path: Path, records: list[Any], links: list[Any], extra: dict[str, Any]
) -> None:
    n = next(_ids)
    path = tmp_path / f"p{n}.json"
    data = {**extra, **ENVELOPE, "id": f"PROP-{n}", "records": records, "links": links}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _check(ingest_source(fuzz_store, Source(path, "json"), IngestOptions()), f"json property {n}")


@PROPERTY
@given(
    header=st.lists(st.sampled_from(FIELDS) | cells, min_size=1, max_size=6),
    rows=st.lists(st.lists(cells, max_size=7), max_size=6),
    kind=st.sampled_from([*KINDS, "links"]),
)
def test_csv_bundle_of_any_cells(
    fuzz_store: Store, tmp_path: Path, header: list[str], rows: list[list[str]], kind: str
) -> None:
    n = next(_ids)
    bundle = tmp_path / f"pb{n}"
    bundle.mkdir()
    (bundle / "envelope.json").write_text(json.dumps({**ENVELOPE, "id": f"PROP-B{n}"}), encoding="utf-8")
    lines = [",".join(header), *(",".join(r) for r in rows)]
    (bundle / f"{kind}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    _check(ingest_source(fuzz_store, Source(bundle, "csv_bundle"), IngestOptions()), f"bundle property {n}")


phones = st.sampled_from(["+4915123456789", "0151 23456789", "+393331234567", ""]) | cells


@PROPERTY
@given(rows=st.lists(st.tuples(phones, phones, st.sampled_from(["2026-01-01T10:00:00", ""]) | cells,
                               cells), max_size=8))  # fmt: skip
def test_call_records_of_any_cells(fuzz_store: Store, tmp_path: Path, rows: list[tuple[str, ...]]) -> None:
    n = next(_ids)
    path = tmp_path / f"pc{n}.csv"
    lines = ["caller,callee,start,duration", *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    _sidecar(path, n)
    _check(ingest_source(fuzz_store, Source(path, "cdr"), IngestOptions()), f"calls property {n}")


@PROPERTY
@given(
    entities=st.lists(
        st.fixed_dictionaries(
            {
                "id": st.sampled_from(["a", "b", "c"]) | text,
                "schema": st.sampled_from(["Person", "Passport", "Family", "Vessel", "Thing"]) | text,
                "properties": st.dictionaries(
                    st.sampled_from(["name", "holder", "person", "relative", "imoNumber"]) | text, values
                )
                | values,
            }
        ),
        max_size=5,
    )
)
def test_ftm_of_any_shape(fuzz_store: Store, tmp_path: Path, entities: list[dict[str, Any]]) -> None:
    n = next(_ids)
    path = tmp_path / f"pf{n}.ftm.jsonl"
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entities), encoding="utf-8")
    _sidecar(path, n)
    _check(ingest_source(fuzz_store, Source(path, "ftm"), IngestOptions()), f"ftm property {n}")
