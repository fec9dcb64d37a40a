"""Maritime benchmark (issue 16): AIS decode and store, positions, behaviour events; anchors in the same run.

Measures, on deterministic synthetic inputs in a temporary folder (generation never counted):

* NMEA: our ingest (decode + validate + store, `mare ingest` path) of N sentences with NMEA 4.0 tag
  blocks (5 % two-part type 5 static reports), beside the anchor: pyais decoding the same sentences
  alone (no tag blocks, no checks, no storage);
* positions CSV (`mmsi,time,lat,lon,sog,cog`): our ingest beside the anchor: DuckDB's own
  `read_csv` of the same file into a table (no checks, no provenance);
* events: reading the stored positions back as tracks and running every detector over them; then
  writing them as a stored build (derived data) and reading that back, as later requests do.

Then, when ../shared/data/maritime is present (or $MARE_MARITIME_DATA), the real files: every
sentence accounted for and the events found with the default thresholds. Run:

    uv run python benchmarks/maritime.py                                   # 1 M sentences, 10 M positions
    uv run python benchmarks/maritime.py --sentences 200000 --positions 2000000   # quicker
    uv run python benchmarks/maritime.py --sentences 0 --positions 0 --scenario DIR  # truth only
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from functools import reduce
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

SEED = 16
UNIQUE = 20_000  # distinct encoded position sentences, tiled (pyais encoding is slow to generate)
CPU: dict[str, float] = {}  # CPU seconds of this process (all its threads) for each timed step: load-robust
REAL = Path(
    os.environ.get("MARE_MARITIME_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "maritime")
)


def _tag(ts: int) -> str:
    body = f"s:BENCH,c:{ts}"
    return f"\\{body}*{reduce(lambda a, ch: a ^ ord(ch), body, 0):02X}\\"


def make_nmea(path: Path, n: int) -> int:
    """N sentences: type 1 positions of 2,000 vessels and two-part type 5 reports, times increasing."""
    from pyais.encode import encode_dict

    rng = np.random.default_rng(SEED)
    mmsis = rng.integers(201_000_000, 775_999_999, 2000)
    positions = []
    for k in range(UNIQUE):
        fields = {
            "msg_type": 1,
            "mmsi": int(mmsis[k % 2000]),
            "lat": float(rng.uniform(30, 45)),
            "lon": float(rng.uniform(-5, 35)),
            "speed": float(round(rng.uniform(0, 20), 1)),
            "course": float(round(rng.uniform(0, 359), 1)),
            "heading": int(rng.integers(0, 360)),
        }
        positions.append(encode_dict(fields)[0])
    statics = [
        encode_dict(
            {
                "msg_type": 5,
                "mmsi": int(m),
                "shipname": f"BENCH {i}",
                "callsign": "BNCH",
                "ship_type": 70,
                "imo": 9074729,
                "destination": "VALLETTA",
            },
            seq_id=i % 10,
        )
        for i, m in enumerate(mmsis[:200])
    ]
    written = 0
    t0 = 1_760_000_000
    with path.open("w", encoding="ascii") as fh:
        i = 0
        while written < n:
            ts = t0 + i
            if i % 20 == 19 and written + 2 <= n:
                a, b = statics[i % len(statics)]
                fh.write(f"{_tag(ts)}{a}\n{b}\n")
                written += 2
            else:
                fh.write(f"{_tag(ts)}{positions[i % UNIQUE]}\n")
                written += 1
            i += 1
    return written


def make_positions(path: Path, n: int) -> None:
    """N positions of n/5000 vessels (random walks in the Mediterranean, one fix a minute)."""
    rng = np.random.default_rng(SEED)
    per = 5000
    vessels = max(1, n // per)
    rows = 0
    first = True
    with path.open("wb") as fh:
        for v0 in range(0, vessels, 100):
            count = min(100, vessels - v0)
            m = np.repeat(np.arange(v0, v0 + count) + 247_000_000, per)
            k = np.tile(np.arange(per), count)
            lat = np.repeat(rng.uniform(32, 42, count), per) + np.cumsum(rng.normal(0, 0.002, count * per))
            lon = np.repeat(rng.uniform(0, 30, count), per) + np.cumsum(rng.normal(0, 0.002, count * per))
            t = (1_760_000_000 + k * 60).astype("datetime64[s]").astype(str)
            table = pa.table(
                {
                    "mmsi": m,
                    "time": t,
                    "lat": np.round(lat, 5),
                    "lon": np.round(lon, 5),
                    "sog": np.round(rng.uniform(0, 15, count * per), 1),
                    "cog": np.round(rng.uniform(0, 359, count * per), 1),
                }
            )
            pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=first))
            first = False
            rows += table.num_rows
            if rows >= n:
                break


def pyais_alone(path: Path) -> tuple[int, float]:
    """The anchor: pyais decoding every sentence (multi-part assembled by pyais), nothing else."""
    from pyais.stream import IterMessages

    lines = [line.rsplit(b"\\", 1)[-1] for line in path.read_bytes().splitlines()]
    for msg in IterMessages(lines[:100]):  # warm up (pyais builds its classes on first use)
        msg.decode()
    start, cpu = time.perf_counter(), time.process_time()
    n = 0
    for msg in IterMessages(lines):
        msg.decode()
        n += 1
    CPU["pyais"] = time.process_time() - cpu
    return n, time.perf_counter() - start


def duckdb_alone(path: Path, work: Path) -> float:
    """The anchor: DuckDB's read_csv of the positions file into a table of a fresh database file."""
    db = work / "anchor.duckdb"
    con = duckdb.connect(str(db))
    start, cpu = time.perf_counter(), time.process_time()
    con.execute(f"CREATE TABLE p AS SELECT * FROM read_csv('{path}')")
    took = time.perf_counter() - start
    CPU["duckdb"] = time.process_time() - cpu
    con.close()
    db.unlink()
    return took


def ours(path: Path, home: Path) -> tuple[Any, float]:
    """Our ingest of one AIS file (a contribution of one agency) into a fresh store."""
    import pyais.messages  # noqa: F401  (imported before timing, as in a running hub)

    import mare.ingest.ais_intake  # noqa: F401
    from mare.ingest.pipeline import IngestOptions, ingest_file
    from mare.store.db import open_store

    shutil.rmtree(home, ignore_errors=True)
    with open_store(home) as store:
        start, cpu = time.perf_counter(), time.process_time()
        report = ingest_file(store, path, IngestOptions(agency="GR-HCG", handling="H2"))
        took = time.perf_counter() - start
        CPU["ours"] = time.process_time() - cpu
    return report, took


def events(home: Path) -> tuple[dict[str, Any], float]:
    """Tracks read back from the store and every detector run over them."""
    from mare.analyse.maritime.thresholds import Thresholds
    from mare.hub.maritime import _read, maritime_picture
    from mare.store.db import open_store

    with open_store(home) as store:
        start = time.perf_counter()
        picture = maritime_picture(_read(store, "TRUE", []), [], Thresholds())
        took = time.perf_counter() - start
    return picture, took


def stored_events(home: Path, picture: dict[str, Any]) -> tuple[float, float, int]:
    """The events written as a stored build, then read back as a later request would (seconds each)."""
    from mare.analyse.maritime.thresholds import Thresholds
    from mare.hub.maritime_events import stamp, store_build, stored
    from mare.store.db import open_store

    with open_store(home) as store:
        uids = [
            str(r[0])
            for r in store.con.execute("SELECT uid FROM contributions WHERE format = 'ais'").fetchall()
        ]
        start = time.perf_counter()
        key = stamp(store, sorted(uids), Thresholds())
        store_build(store, key, sorted(uids), picture["all_events"])
        wrote = time.perf_counter() - start
        start = time.perf_counter()
        back = stored(store, stamp(store, sorted(uids), Thresholds())) or []
        return wrote, time.perf_counter() - start, len(back)


def real_data(work: Path) -> None:
    """The real files: accounting per file and events with the default thresholds."""
    if not REAL.is_dir():
        print(f"\nreal data: {REAL} absent, skipped")
        return
    print(f"\nreal data ({REAL})")
    print(f"{'file':48} {'read':>8} {'stored':>8} {'static':>7} {'other':>6} {'rejected':>8} {'s':>6}")
    for name in (
        "nmea_data_sample.txt",
        "SolentAIS_20160112_130211.csv",
        "marinecadastre_AIS_2022_01_03_first99999.csv",
    ):
        path = REAL / name
        if not path.is_file():
            continue
        report, took = ours(path, work / "real")
        counts = report.message.split("AIS: ")[-1]
        print(f"{name:48} {counts}  ({took:.2f} s)")
        picture, etook = events(work / "real")
        vessel_days = max(1.0, picture["vessels_tracked"] * _days(work / "real"))
        flagged = sum(1 for v in picture["vessels"])
        print(
            f"{'':48} events {picture['events']} in {etook:.1f} s; {flagged} vessels listed "
            f"({flagged / vessel_days:.4f} per vessel-day)"
        )


def scenario_truth(folder: Path, work: Path) -> None:
    """The scenario's AIS contributions ingested, events run, compared with truth/ais.json."""
    import json

    from mare.analyse.maritime.thresholds import Thresholds
    from mare.hub.maritime import _read, maritime_picture
    from mare.ingest.pipeline import IngestOptions, ingest_file
    from mare.store.db import open_store

    home = work / "scenario"
    shutil.rmtree(home, ignore_errors=True)
    truth = json.loads((folder / "truth" / "ais.json").read_text(encoding="utf-8"))
    with open_store(home) as store:
        for path in sorted(folder.glob("contributions/*/*-AIS-*.nmea")):
            ingest_file(store, path, IngestOptions())
        picture = maritime_picture(_read(store, "TRUE", []), [], Thresholds())
    mmsi_of = {v["vessel"]: int(v["mmsi"]) for v in truth["vessels"]}
    found = [e for e in picture["all_events"] if e.kind == "dark_rendezvous"]
    hit, used = set(), set()
    for k, r in enumerate(truth["rendezvous"]):
        for j, e in enumerate(found):
            if e.mmsi == mmsi_of[r["mother_ship"]] and e.start - 6 * 3600 <= r["at"] <= e.end + 6 * 3600:
                hit.add(k)
                used.add(j)
    benign = {int(v["mmsi"]) for v in truth["vessels"] if not v["network"]}
    listed = {v["mmsi"] for v in picture["vessels"]}
    smugglers = {int(v["mmsi"]) for v in truth["vessels"] if v["network"]}
    n = len(truth["rendezvous"])
    print(f"\nscenario {folder.name}: {picture['positions']} positions, events {picture['events']}")
    print(
        f"  mother-ship rendezvous: {n} true, {len(found)} found; "
        f"recall {len(hit) / max(n, 1):.3f} (target 0.9), "
        f"precision {len(used) / max(len(found), 1):.3f} (target 0.8)"
    )
    print(
        f"  vessels listed: {len(listed)}; "
        f"smuggling vessels listed {len(listed & smugglers)} of {len(smugglers)}; "
        f"benign listed {len(listed & benign)} of {len(benign)}"
    )


def _days(home: Path) -> float:
    from mare.store.db import open_store

    with open_store(home) as store:
        row = store.con.execute("SELECT epoch(max(t)) - epoch(min(t)) FROM ais_positions").fetchone()
    return max(1.0, float(row[0] or 0) / 86400) if row else 1.0


def main() -> None:
    """Run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--positions", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--scenario", type=Path, default=None, help="A generated scenario folder to score.")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="mare-maritime-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, duckdb {duckdb.__version__}")
    rows = []
    if args.sentences:
        nmea = work / "bench.nmea"
        t = time.perf_counter()
        n = make_nmea(nmea, args.sentences)
        print(f"generated {n} sentences in {time.perf_counter() - t:.1f} s (not counted)")
        decoded, anchor = pyais_alone(nmea)
        report, took = ours(nmea, work / "store-nmea")
        rows.append(
            (
                "NMEA sentences/s",
                n / took,
                f"pyais decode alone: {n / anchor:,.0f}/s ({decoded} messages); "
                f"CPU s: ours {CPU['ours']:.1f}, pyais {CPU['pyais']:.1f}",
                100_000,
                report.message.split("AIS: ")[-1],
            )
        )
    if args.positions:
        csv = work / "positions.csv"
        t = time.perf_counter()
        make_positions(csv, args.positions)
        print(f"generated {args.positions} positions in {time.perf_counter() - t:.1f} s (not counted)")
        anchor = duckdb_alone(csv, work)
        report, took = ours(csv, work / "store-csv")
        ratio = anchor / took
        rows.append(
            (
                "positions/s (CSV)",
                args.positions / took,
                f"DuckDB read_csv alone: {args.positions / anchor:,.0f}/s (ours = {ratio:.2f}x); "
                f"CPU s: ours {CPU['ours']:.1f}, DuckDB {CPU['duckdb']:.1f}",
                None,
                report.message.split("AIS: ")[-1],
            )
        )
        picture, etook = events(work / "store-csv")
        rows.append(
            (
                "events over positions, s",
                etook,
                f"{picture['positions']} positions, {picture['events']}",
                120,
                "",
            )
        )
        wrote, read, n = stored_events(work / "store-csv", picture)
        rows.append(
            (
                "events kept, read back, s",
                read,
                f"{n} events; writing the build took {wrote:.1f} s (after computing them once)",
                None,
                "",
            )
        )
    print(f"\n{'measure':28} {'ours':>14}  anchor (same run) / target")
    for name, value, anchor_text, target, note in rows:
        goal = f"; target {'<' if name.startswith('events') else '>='} {target:,}" if target else ""
        print(f"{name:28} {value:>14,.1f}  {anchor_text}{goal}")
        if note:
            print(f"{'':28} {note}")
    real_data(work)
    if args.scenario:
        scenario_truth(args.scenario, work)
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
