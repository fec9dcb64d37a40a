"""Ingest benchmark (issue 2): call records and person records, against a plain-DuckDB anchor.

Generates deterministic synthetic inputs in a temporary folder, then measures, each in its own
subprocess (so peak memory is per measurement):

* our ingest of a call-detail-records CSV (with a FILE.envelope.json sidecar),
* our ingest of a CSV bundle of person records (full normalisation and provenance),
* the anchor: DuckDB alone loading the same CSV with read_csv (no normalisation, no provenance),
* optionally (--big-calls 10000000) the same pair on a 10 M-row CDR file, for the memory target.

Generation time is reported apart and never counted in the measured figures. Run:

    uv run python benchmarks/ingest.py                      # defaults, < 2 minutes on 2 cores
    uv run python benchmarks/ingest.py --big-calls 10000000 # adds the 10 M-call memory check

Profiling one measurement (inputs kept with --workdir):

    uv run python benchmarks/ingest.py --calls 0 --persons 20000 --workdir /tmp/mare-bench
    uv run python -m cProfile -s cumtime benchmarks/ingest.py --measure ours-bundle \
        --input /tmp/mare-bench/persons-20000 --store /tmp/mare-bench/store-profile
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

SEED = 20261101
AGENCY = "DE-BKA"
GIB = 1 << 30
CHUNK_ROWS = 1_000_000
TARGET_CALLS_PER_S = 100_000
TARGET_CALLS_RATIO = 0.5  # issue 19: at least half DuckDB's own read_csv rate, same run
TARGET_PERSONS_PER_S = 25_000  # issue 19 (was 10,000 in issue 2)
TARGET_BIG_PEAK = 4 * GIB
MEASURES = ("ours-cdr", "ours-bundle", "anchor-csv")

# --- synthetic phone numbers ------------------------------------------------------------------

#: country -> (calling code, mobile prefixes, subscriber digits after the prefix), share of numbers
_MOBILE: dict[str, tuple[str, tuple[str, ...], int, float]] = {
    "DE": ("49", ("151", "152", "157", "160", "162", "170", "171", "176", "177", "178"), 8, 0.55),
    "TR": ("90", ("530", "532", "535", "541", "542", "505", "555"), 7, 0.08),
    "IT": ("39", ("320", "328", "333", "338", "340", "347", "393"), 7, 0.07),
    "GR": ("30", ("690", "693", "694", "697", "698", "699"), 7, 0.05),
    "LY": ("218", ("91", "92", "94"), 7, 0.05),
    "SY": ("963", ("93", "94", "95", "96", "98", "99"), 7, 0.05),
    "IQ": ("964", ("750", "770", "780", "790"), 7, 0.05),
    "AF": ("93", ("70", "72", "78", "79"), 7, 0.04),
    "EG": ("20", ("10", "11", "12", "15"), 8, 0.03),
    "AT": ("43", ("664", "676", "650", "660"), 7, 0.03),
}
_BAD_NUMBERS = ("n/a", "unknown", "+49", "12", "0000", "anonym", "#31#", "+999 123")


def _spaced(digits: str, groups: tuple[int, ...]) -> str:
    out, i = [], 0
    for g in groups:
        if i >= len(digits):
            break
        out.append(digits[i : i + g])
        i += g
    if i < len(digits):
        out.append(digits[i:])
    return " ".join(out)


def _render(cc: str, prefix: str, sub: str, style: int) -> str:
    """One number written the way agencies and operators write it."""
    nsn = prefix + sub
    if cc == "49":
        return (
            f"+49{nsn}",  # E.164
            f"0{prefix} {sub}",  # national, spaced
            f"0049{nsn}",  # 00 international prefix
            f"+49 {prefix} {sub}",  # international, spaced
            f"0{prefix}/{sub}",  # national with slash
            f"+49 (0){prefix} {sub}",  # the (0) trunk habit
        )[style % 6]
    return (
        f"+{cc}{nsn}",
        f"00{cc}{nsn}",
        f"+{cc} {prefix} {_spaced(sub, (3, 2, 2))}",
        f"00{cc} {nsn}",
    )[style % 4]


def phone_pool(rng: np.random.Generator, distinct: int) -> tuple[list[str], list[str]]:
    """`distinct` numbers, each in a primary and an alternative written form."""
    countries = list(_MOBILE)
    shares = np.array([_MOBILE[c][3] for c in countries])
    picks = rng.choice(len(countries), size=distinct, p=shares / shares.sum())
    styles = rng.integers(0, 6, size=(distinct, 2))
    seen: set[str] = set()
    primary: list[str] = []
    alternative: list[str] = []
    for i in range(distinct):
        cc, prefixes, sub_len, _ = _MOBILE[countries[picks[i]]]
        while True:
            prefix = prefixes[int(rng.integers(len(prefixes)))]
            sub = str(int(rng.integers(10 ** (sub_len - 1), 10**sub_len)))
            key = f"{cc}{prefix}{sub}"
            if key not in seen:
                seen.add(key)
                break
        a, b = int(styles[i, 0]), int(styles[i, 1])
        if b == a:
            b = a + 1
        primary.append(_render(cc, prefix, sub, a))
        alternative.append(_render(cc, prefix, sub, b))
    return primary, alternative


# --- call detail records --------------------------------------------------------------------


def envelope(sender_id: str) -> dict[str, Any]:
    """A valid contribution envelope (as in tests/builders.py)."""
    return {
        "format": "mare.contribution/1",
        "id": sender_id,
        "agency": AGENCY,
        "sent_at": "2026-11-01T10:00:00Z",
        "handling": {"code": "H2"},
        "evaluation": {"scheme": "4x4", "source": "B", "information": "2"},
        "crime_areas": ["migrant_smuggling"],
        "language": "de",
    }


def generate_cdr(path: Path, rows: int, seed: int) -> dict[str, int]:
    """A CDR CSV (caller,callee,start,duration) of `rows` rows over ~rows/20 numbers."""
    rng = np.random.default_rng(seed)
    distinct = max(rows // 20, 50)
    primary, alternative = phone_pool(rng, distinct)
    pool = pa.array(primary + alternative, pa.string())
    bad = pa.array(list(_BAD_NUMBERS), pa.string())
    start = int(np.datetime64("2026-01-01T00:00:00", "s").astype(np.int64))
    span = 300 * 86_400
    schema = pa.schema([(n, pa.string()) for n in ("caller", "callee", "start", "duration")])
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    bad_rows = 0
    with pacsv.CSVWriter(path, schema, write_options=options) as writer:
        done = 0
        while done < rows:
            n = min(CHUNK_ROWS, rows - done)

            def party(n: int = n) -> pa.Array:
                # skewed activity: a few numbers make most calls; 25 % in the alternative form
                idx = (distinct * rng.random(n) ** 2.5).astype(np.int64)
                idx += distinct * (rng.random(n) < 0.25)
                return pc.take(pool, pa.array(idx))

            caller, callee = party(), party()
            broken = rng.random(n) < 0.001
            bad_rows += int(broken.sum())
            caller = pc.if_else(
                pa.array(broken), pc.take(bad, pa.array(rng.integers(0, len(bad), n))), caller
            )
            ts = pa.array(start + rng.integers(0, span, n), pa.timestamp("s"))
            kind = rng.random(n)
            iso_z = pc.strftime(ts, format="%Y-%m-%dT%H:%M:%SZ")
            iso_sp = pc.strftime(ts, format="%Y-%m-%d %H:%M:%S")
            day_first = pc.strftime(ts, format="%d/%m/%Y %H:%M:%S")
            started = pc.if_else(
                pa.array(kind < 0.5),
                iso_z,
                pc.if_else(pa.array(kind < 0.7), iso_sp, day_first),
            )
            seconds = np.minimum(rng.exponential(95.0, n).astype(np.int64), 7200)
            duration = pc.cast(pa.array(seconds), pa.string())
            duration = pc.if_else(pa.array(rng.random(n) < 0.02), "", duration)
            writer.write_table(pa.table([caller, callee, started, duration], schema=schema))
            done += n
    sidecar = path.with_name(path.name + ".envelope.json")
    sidecar.write_text(json.dumps(envelope(f"BENCH-CDR-{rows}")), encoding="utf-8")
    return {"rows": rows, "distinct_numbers": distinct, "bad_rows": bad_rows}


# --- person records -------------------------------------------------------------------------

_GIVEN = tuple(
    str.split(
        "Mohammed Muhammad Mohamad Ahmed Ahmad Mahmoud Omar Ali Hassan Hussein Khaled Youssef "
        "Yusuf Ibrahim Abdullah Tarek Samir Karim Bilal Aram Karwan Rebin Zana Reza Mehdi Javad "
        "Omid Zabihullah Rahmatullah Wahid Mehmet Mustafa Ahmet Murat Emre Tesfay Yonas Dawit "
        "Aman Senait Fatima Aisha Mariam Noor Zainab Amina Layla Shirin Zahra Ayşe Elif Helen "
        "Selam"
    )
)
_FAMILY = tuple(
    str.split(
        "Al-Hassan Alhassan Haddad Khalil Al-Khatib Hamdan Mansour Nasser Saleh Darwish Othman "
        "Suleiman Jaber Benali Trabelsi Ahmadi Rashid Qadir Aziz Hosseini Rezaei Mohammadi Karimi "
        "Hashemi Jafari Nazari Haidari Khan Stanikzai Yousafzai Zadran Wardak Yılmaz Kaya Demir "
        "Çelik Şahin Öztürk Tesfay Gebremedhin Haile Tekle Berhane Woldemariam"
    )
)
_ARABIC = (
    "محمد الحسن",
    "أحمد خليل",
    "محمود حداد",
    "عمر منصور",
    "يوسف ناصر",
    "خالد صالح",
    "إبراهيم درويش",
    "فاطمة الخطيب",
    "مريم عثمان",
    "حسين الجبوري",
    "علي رضایی",
    "ذبیح الله ستانکزی",
)
_MONTHS = ("Jan", "Feb", "März", "April", "mai", "June", "juillet", "Aug", "Sept", "Okt", "Nov", "Dez")
_MONTHS_EN = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_NATIONALITY = tuple(
    str.split(
        "SY SYR Syrian syrisch Syrie AF AFG Afghan afghanisch Afghanistan ER Eritrean eritreisch "
        "érythréen IQ Iraqi irakisch TR Turkish türkisch EG Egyptian ägyptisch MA Moroccan "
        "marocain PK Pakistani pakistanisch NG Nigerian LY Libyan libysch IR Iranian iranisch SD "
        "Sudanese staatenlos stateless Kurdish unknown"
    )
)
_GENDER = ("male", "female", "m", "f", "M", "F", "männlich", "weiblich", "homme", "femme", "ذكر", "unknown")
_CATEGORY = ("suspect", "suspect", "victim", "potential_victim", "witness", "contact")


def _birth_date(rng: np.random.Generator, today: date) -> str:
    born = today - timedelta(days=int(rng.integers(16 * 365, 65 * 365)))
    y, m, d = born.year, born.month, born.day
    style = int(rng.integers(0, 12))
    return (
        f"{d:02d}.{m:02d}.{y}",
        f"{y}-{m:02d}-{d:02d}",
        f"{d}/{m}/{y}",
        f"{d:02d}/{m:02d}/{y % 100:02d}",
        f"{y}",
        f"{m:02d}/{y}",
        f"{d} {_MONTHS[m - 1]} {y}",
        f"{d:02d}-{_MONTHS_EN[m - 1]}-{y}",
        f"ca. {y}",
        f"00.00.{y}",
        "unbekannt",
        f"{y}{m:02d}{d:02d}",
    )[style]


def _name(rng: np.random.Generator) -> str:
    r = rng.random()
    if r < 0.15:
        return _ARABIC[int(rng.integers(len(_ARABIC)))]
    given = _GIVEN[int(rng.integers(len(_GIVEN)))]
    family = _FAMILY[int(rng.integers(len(_FAMILY)))]
    if r < 0.35:
        return f"{family.upper()} {given}"
    if r < 0.45:
        return f"{family}, {given}"
    return f"{given} {family}"


def _document(rng: np.random.Generator) -> str:
    digits = str(int(rng.integers(1_000_000, 10_000_000)))
    style = int(rng.integers(0, 5))
    letters = "PNCLAB"
    a = letters[int(rng.integers(len(letters)))]
    forms = (
        f"{a}{digits}",
        f"{a} {digits[:3]} {digits[3:]}",
        f"{a}{a}{digits}",
        digits + "1",
        f"{a}-{digits}",
    )
    return forms[style]


def generate_bundle(folder: Path, rows: int, seed: int) -> dict[str, int]:
    """A CSV bundle folder: envelope.json and person.csv with `rows` persons."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "envelope.json").write_text(json.dumps(envelope(f"BENCH-PERSONS-{rows}")), encoding="utf-8")
    primary, alternative = phone_pool(rng, max(rows // 2, 10))
    phones = primary + alternative
    today = date(2026, 11, 1)
    header = [
        "id", "category", "minor", "name", "alias", "birth_date", "nationality", "gender",
        "phone", "document_number",
    ]  # fmt: skip
    with (folder / "person.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for i in range(rows):
            nat = _NATIONALITY[int(rng.integers(len(_NATIONALITY)))]
            if rng.random() < 0.1:
                nat += "|" + _NATIONALITY[int(rng.integers(len(_NATIONALITY)))]
            alias = _name(rng) if rng.random() < 0.3 else ""
            phone = phones[int(rng.integers(len(phones)))] if rng.random() < 0.8 else ""
            out.writerow(
                [
                    f"p{i}",
                    _CATEGORY[int(rng.integers(len(_CATEGORY)))],
                    "true" if rng.random() < 0.1 else "false",
                    _name(rng),
                    alias,
                    _birth_date(rng, today),
                    nat,
                    _GENDER[int(rng.integers(len(_GENDER)))],
                    phone,
                    _document(rng) if rng.random() < 0.6 else "",
                ]
            )
    return {"rows": rows}


# --- one measurement, in a child process ----------------------------------------------------


def peak_rss_bytes() -> int:
    """This process's peak resident set (VmHWM), falling back to getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def cpu_seconds() -> float:
    """User plus system CPU time of this process so far (all threads) and of its ended children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def children_cpu_seconds() -> float:
    """User plus system CPU time of this process's ended children (the forked normaliser)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_peak_rss_bytes() -> int:
    """The largest peak resident set of this process's ended children (the forked normaliser)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def measure_child(kind: str, source: Path, store_dir: Path) -> dict[str, Any]:
    """Run one measurement in this process; the timed part is the load plus closing the db."""
    if kind == "anchor-csv":
        import duckdb

        store_dir.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(store_dir / "anchor.duckdb"))
        literal = str(source).replace("'", "''")
        c0, t0 = cpu_seconds(), time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{literal}')")
        row = con.execute("SELECT count(*) FROM t").fetchone()
        con.close()
        seconds = time.perf_counter() - t0
        return {
            "cpu_seconds": cpu_seconds() - c0,
            "rows": int(row[0]) if row else 0,
            "seconds": seconds,
            "peak_rss": peak_rss_bytes(),
            "status": "loaded",
            "rejected": 0,
            "warnings": 0,
        }
    from mare.ingest.pipeline import IngestOptions, ingest_source
    from mare.ingest.sources import Source
    from mare.store.db import open_store

    store = open_store(store_dir)
    fmt = "cdr" if kind == "ours-cdr" else "csv_bundle"
    c0, k0, t0 = cpu_seconds(), children_cpu_seconds(), time.perf_counter()
    report = ingest_source(store, Source(source, fmt), IngestOptions())
    store.close()
    seconds = time.perf_counter() - t0
    return {
        "cpu_seconds": cpu_seconds() - c0,
        "child_cpu_seconds": children_cpu_seconds() - k0,
        "rows": report.calls if fmt == "cdr" else report.records,
        "seconds": seconds,
        "peak_rss": peak_rss_bytes(),
        "child_peak_rss": child_peak_rss_bytes(),
        "status": report.status,
        "rejected": report.rejected,
        "warnings": report.warnings,
        "message": report.message,
    }


@dataclass(slots=True)
class Measurement:
    """One measured load."""

    name: str
    kind: str
    input_rows: int
    rows: int
    seconds: float
    cpu_seconds: float
    peak_rss: int
    status: str
    rejected: int
    warnings: int
    child_wall: float
    child_peak_rss: int = 0
    child_cpu_seconds: float = 0.0  # of the forked normaliser, included in cpu_seconds

    @property
    def rate(self) -> float:
        """Rows stored per second."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def run_measure(name: str, kind: str, source: Path, store_dir: Path, input_rows: int) -> Measurement:
    """Run one measurement in a fresh subprocess and read back its JSON line."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", kind]
    cmd += ["--input", str(source), "--store", str(store_dir)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"measurement {name} failed (exit {done.returncode})")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    shutil.rmtree(store_dir, ignore_errors=True)
    m = Measurement(
        name=name,
        kind=kind,
        input_rows=input_rows,
        rows=int(data["rows"]),
        seconds=float(data["seconds"]),
        cpu_seconds=float(data["cpu_seconds"]),
        peak_rss=int(data["peak_rss"]),
        status=str(data["status"]),
        rejected=int(data["rejected"]),
        warnings=int(data["warnings"]),
        child_wall=wall,
        child_peak_rss=int(data.get("child_peak_rss", 0)),
        child_cpu_seconds=float(data.get("child_cpu_seconds", 0.0)),
    )
    print(
        f"  {name:<16} {m.rows:>11,} rows in {m.seconds:7.2f} s (cpu {m.cpu_seconds:6.1f} s"
        + (f", forked child {m.child_cpu_seconds:.1f} s" if m.child_cpu_seconds else "")
        + ") "
        f"= {m.rate:>9,.0f} /s, "
        f"peak RSS {m.peak_rss / GIB:5.2f} GiB"
        + (f" (forked child {m.child_peak_rss / GIB:.2f} GiB)" if m.child_peak_rss else "")
        + f", {m.status}, rejected {m.rejected:,}, "
        f"warnings {m.warnings:,}",
        flush=True,
    )
    if kind != "anchor-csv" and m.status != "stored":
        print(f"  !! {name}: {data.get('message')}", flush=True)
    return m


# --- the table ------------------------------------------------------------------------------


def _gib(n: int) -> str:
    return f"{n / GIB:.2f} GiB"


def _rate_row(
    label: str, ours: Measurement, anchor: Measurement, target: int | None, ratio: float | None = None
) -> list[str]:
    frac = ours.rate / anchor.rate if anchor.rate else 0.0
    wanted = [f"≥ {target:,} rec/s"] if target else []
    checks = [ours.rate >= target] if target else []
    if ratio is not None:
        wanted.append(f"≥ {ratio:g}× anchor")
        checks.append(frac >= ratio)
    met = "—" if not checks else ("yes" if all(checks) else "**no**")
    return [
        label,
        f"{ours.rate:,.0f} rec/s ({ours.seconds:.1f} s, cpu {ours.cpu_seconds:.1f} s; {frac:.2f}× anchor)",
        f"{anchor.rate:,.0f} rec/s ({anchor.seconds:.1f} s, cpu {anchor.cpu_seconds:.1f} s)",
        ", ".join(wanted) or "—",
        met,
    ]


def _memory_row(label: str, ours: Measurement, anchor: Measurement, limit: int | None) -> list[str]:
    ratio = ours.peak_rss / anchor.peak_rss if anchor.peak_rss else 0.0
    met = "—" if limit is None else ("yes" if ours.peak_rss < limit else "**no**")
    child = f"; forked child {_gib(ours.child_peak_rss)}" if ours.child_peak_rss else ""
    return [
        label,
        f"{_gib(ours.peak_rss)} ({ratio:.1f}× anchor{child})",
        _gib(anchor.peak_rss),
        f"< {limit / GIB:g} GiB" if limit else "—",
        met,
    ]


def build_table(results: dict[str, Measurement], big_calls: int) -> list[list[str]]:
    """Rows of | measure | ours | anchor | target | met? |."""
    rows: list[list[str]] = []
    if "ours_cdr" in results:
        n = results["ours_cdr"].input_rows
        rows.append(
            _rate_row(
                f"CDR ingest, {n:,} calls",
                results["ours_cdr"],
                results["anchor_cdr"],
                TARGET_CALLS_PER_S,
                TARGET_CALLS_RATIO,
            )
        )
        rows.append(
            _memory_row(f"CDR peak RSS, {n:,} calls", results["ours_cdr"], results["anchor_cdr"], None)
        )
    if "ours_persons" in results:
        n = results["ours_persons"].input_rows
        rows.append(
            _rate_row(
                f"Person bundle ingest, {n:,} persons (full normalisation)",
                results["ours_persons"],
                results["anchor_persons"],
                TARGET_PERSONS_PER_S,
            )
        )
        rows.append(
            _memory_row(
                f"Person peak RSS, {n:,} persons", results["ours_persons"], results["anchor_persons"], None
            )
        )
    if "ours_big" in results:
        n = results["ours_big"].input_rows
        limit = TARGET_BIG_PEAK if n >= 10_000_000 else None
        rows.append(
            _memory_row(f"CDR peak RSS, {n:,} calls", results["ours_big"], results["anchor_big"], limit)
        )
        rows.append(
            _rate_row(
                f"CDR ingest, {n:,} calls", results["ours_big"], results["anchor_big"], TARGET_CALLS_PER_S
            )
        )
    elif big_calls == 0:
        rows.append(
            ["CDR peak RSS, 10,000,000 calls", "not run (pass --big-calls 10000000)", "—", "< 4 GiB", "—"]
        )
    return rows


def render_table(rows: list[list[str]]) -> str:
    """A Markdown table."""
    header = ["measure", "ours", "anchor (plain DuckDB read_csv)", "target", "met?"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--calls", type=int, default=1_000_000, help="rows in the CDR file (0 skips)")
    p.add_argument("--persons", type=int, default=100_000, help="person records (0 skips)")
    p.add_argument("--big-calls", type=int, default=0, help="also run the big CDR memory check")
    p.add_argument("--out-json", type=Path, default=None, help="write results as JSON here")
    p.add_argument("--workdir", type=Path, default=None, help="keep inputs here (default: temp)")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--measure", choices=MEASURES, help=argparse.SUPPRESS)
    p.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Generate, measure, print the table."""
    args = parse_args(argv)
    if args.measure:
        if args.input is None or args.store is None:
            raise SystemExit("--measure needs --input and --store")
        print(json.dumps(measure_child(args.measure, args.input, args.store)))
        return 0
    work = args.workdir or Path(tempfile.mkdtemp(prefix="mare-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"Mare ingest benchmark — {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, inputs in {work}",
        flush=True,
    )
    results: dict[str, Measurement] = {}
    generation: dict[str, Any] = {}
    try:
        plan: list[tuple[str, int]] = []
        if args.calls:
            plan.append(("cdr", args.calls))
        if args.persons:
            plan.append(("persons", args.persons))
        if args.big_calls:
            plan.append(("big", args.big_calls))
        for what, n in plan:
            t0 = time.perf_counter()
            if what == "persons":
                source = work / f"persons-{n}"
                csv_file = source / "person.csv"
                if not csv_file.is_file():
                    generation[what] = generate_bundle(source, n, args.seed + 1)
                ours_kind = "ours-bundle"
            else:
                source = csv_file = work / f"calls-{n}.csv"
                if not source.is_file():
                    generation[what] = generate_cdr(source, n, args.seed + (2 if what == "big" else 0))
                ours_kind = "ours-cdr"
            size = csv_file.stat().st_size
            print(
                f"generated {what}: {n:,} rows, {size / 2**20:,.0f} MiB in "
                f"{time.perf_counter() - t0:.1f} s (not measured)",
                flush=True,
            )
            results[f"ours_{what}"] = run_measure(
                f"ours {what}", ours_kind, source, work / f"store-{what}", n
            )
            results[f"anchor_{what}"] = run_measure(
                f"anchor {what}", "anchor-csv", csv_file, work / f"anchor-{what}", n
            )
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    table = render_table(build_table(results, args.big_calls))
    print()
    print(table)
    if args.out_json:
        args.out_json.write_text(
            json.dumps(
                {
                    "args": {
                        "calls": args.calls,
                        "persons": args.persons,
                        "big_calls": args.big_calls,
                        "seed": args.seed,
                    },
                    "machine": {
                        "cores": os.cpu_count(),
                        "python": platform.python_version(),
                        "platform": platform.platform(),
                    },
                    "generation": generation,
                    "results": {k: {**asdict(v), "rate": v.rate} for k, v in results.items()},
                    "table": table,
                },
                indent=2,
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
