"""Spark local[2] beside DuckDB for the full cross-check, and the call aggregation, on the same data.

    uv run python benchmarks/spark.py crosscheck 100000        # N records, both engines, one run
    uv run python benchmarks/spark.py crosscheck 100000 --no-train
    uv run python benchmarks/spark.py crosscheck 1000000 --keep=0.5  # pairs below p 0.5 not kept
    uv run python benchmarks/spark.py crosscheck 20000 --events=/tmp/ev  # Spark's event log there
    uv run python benchmarks/spark.py events /tmp/ev               # its task times per stage
    uv run python benchmarks/spark.py calls 2000000            # N call rows, partitioned by day

The cross-check part: the synthetic persons of `benchmarks/crosscheck.py dedupe` (records of
persons with typos, transliterations, missing dates), their feature table built once, then
`dedupe.dedupe` (DuckDB) and `spark.dedupe.dedupe_spark` (Spark local[2]) on that same table:
blocking, training (unless --no-train), scoring and clustering — the steps that differ between the
engines. Extraction before and the store writer after are the same code on both. Per engine: the
wall time of each stage, the candidate pairs and the accuracy against the truth; for Spark also
the JVM start (not counted) and the partitions each stage ran as, from which the per-partition
costs of the projection in docs/benchmarks.md are taken. With training, the largest difference
between the two engines' trained priors, m and u. With `--events=DIR` Spark writes its event log
there, each of Mare's stages as a job group: `events DIR` sums the tasks' run time and JVM CPU time
per stage (also for a run stopped part-way), the per-partition costs without the guesswork of
dividing wall times by cores on a shared machine.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def _timed(label: str, spark: Any = None) -> tuple[dict[str, float], Any]:
    stages: dict[str, float] = {}
    started = time.perf_counter()
    last = [started, "start"]

    def progress(stage: str, done: float) -> None:
        now = time.perf_counter()
        stages[str(last[1])] = stages.get(str(last[1]), 0.0) + now - float(last[0])
        last[0], last[1] = now, stage
        if spark is not None:  # Spark's jobs of this stage in one group (the event log's `events`)
            spark.sparkContext.setJobGroup(stage, stage)
        print(
            f"  {label}: {stage} at {now - started:.1f} s  ({time.strftime('%H:%M:%S', time.gmtime())} UTC)",
            flush=True,
        )

    return stages, progress


def crosscheck(n: int, train: bool, keep: float = 0.05, events: str | None = None) -> None:
    """Both engines on the same feature table of n synthetic records; pairs below `keep` not kept."""
    from crosscheck import _dedupe_people
    from mare.resolve.dedupe import dedupe
    from mare.resolve.metrics import accuracy
    from mare.resolve.spark.dedupe import dedupe_spark
    from mare.resolve.spark.session import spark_session
    from mare.resolve.symbols import SymbolSource
    from mare.resolve.table import feature_table
    from mare.resolve.thresholds import Thresholds

    people, truth = _dedupe_people(n)
    rows = feature_table(people, SymbolSource(enabled=False))
    del people
    print(
        f"{n} records, {len(set(truth.values()))} persons; training {'on' if train else 'off'}; "
        f"pairs kept from p >= {keep}",
        flush=True,
    )
    thresholds = Thresholds(keep=keep)
    results = {}
    started = time.perf_counter()
    config = None
    if events:  # one plain JSON-lines file per application (Spark 4 rolls and compresses by default)
        config = {
            "spark.eventLog.enabled": "true",
            "spark.eventLog.dir": events,
            "spark.eventLog.compress": "false",
            "spark.eventLog.rolling.enabled": "false",
        }
    if events:
        Path(events).mkdir(parents=True, exist_ok=True)
    spark = spark_session(config=config)
    print(
        f"spark local[2] session started in {time.perf_counter() - started:.1f} s (not counted)", flush=True
    )
    for engine in ("duckdb", "spark"):
        stages, progress = _timed(engine, spark if engine == "spark" else None)
        started = time.perf_counter()
        if engine == "duckdb":
            result = dedupe(rows, train=train, progress=progress, thresholds=thresholds)
        else:
            result = dedupe_spark(rows, train=train, progress=progress, spark=spark, thresholds=thresholds)
        total = time.perf_counter() - started
        acc = accuracy(result.clusters, truth)
        results[engine] = (total, result)
        print(
            f"{engine:<7} {total:8.1f} s  candidates {result.candidates}  kept {len(result.pairs)}  "
            f"trained {result.trained}  F1 {acc.f1:.4f}  B3-F1 {acc.bcubed_f1:.4f}  "
            + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()),
            flush=True,
        )
    duck, spark_run = results["duckdb"], results["spark"]
    if train:
        print(f"trained models: largest difference {_model_difference(duck[1].model, spark_run[1].model)}")
    same = {(p[0], p[1]) for p in duck[1].pairs} == {(p[0], p[1]) for p in spark_run[1].pairs}
    print(
        f"ratio spark/duckdb {spark_run[0] / duck[0]:.1f}; kept pairs identical: {same}; "
        f"clusters identical: {duck[1].clusters == spark_run[1].clusters}; "
        f"shuffle partitions {spark.conf.get('spark.sql.shuffle.partitions')}",
        flush=True,
    )
    if events:
        from mare.resolve.spark.session import stop

        stop()  # the event log complete
        summarise_events(events)


def summarise_events(where: str) -> None:
    """Per job group (Mare's stage) in Spark's event log(s) under `where`: jobs, stages, tasks,
    the tasks' run time (wall, Python workers included) and their JVM threads' CPU time."""
    import json

    path = Path(where)
    files = sorted(
        f for f in path.rglob("*") if f.is_file() and "appstatus" not in f.name and not f.name.startswith(".")
    )
    for file in files if path.is_dir() else [path]:
        group_of: dict[int, str] = {}
        jobs: dict[str, int] = {}
        totals: dict[str, list[float]] = {}
        with file.open() as lines:
            for line in lines:
                try:
                    event = json.loads(line)
                except ValueError:  # the last line of a log cut short
                    continue
                kind = event.get("Event")
                if kind == "SparkListenerJobStart":
                    group = (event.get("Properties") or {}).get("spark.jobGroup.id") or "-"
                    jobs[group] = jobs.get(group, 0) + 1
                    for stage in event.get("Stage IDs", []):
                        group_of[stage] = group
                elif kind == "SparkListenerTaskEnd":
                    group = group_of.get(event.get("Stage ID"), "-")
                    metrics = event.get("Task Metrics") or {}
                    row = totals.setdefault(group, [0, 0.0, 0.0, 0.0, 0.0])
                    row[0] += 1
                    row[1] += metrics.get("Executor Run Time", 0) / 1e3
                    row[2] += metrics.get("Executor CPU Time", 0) / 1e9
                    shuffle = metrics.get("Shuffle Read Metrics") or {}
                    row[3] += (metrics.get("Input Metrics") or {}).get("Records Read", 0)
                    row[4] += shuffle.get("Total Records Read", 0)
        print(f"event log {file.name}: per stage, tasks' run time and JVM CPU time (seconds)")
        for group, (tasks, run, cpu, read, shuffled) in totals.items():
            print(
                f"  {group:<11} jobs {jobs.get(group, 0):4d}  tasks {int(tasks):6d}  run {run:9.1f}  "
                f"cpu {cpu:9.1f}  input records {int(read)}  shuffle records read {int(shuffled)}"
            )


def _model_difference(a: dict[str, Any], b: dict[str, Any]) -> str:
    """The largest absolute difference of the prior and of the levels' m and u between two models."""
    prior = abs(a["probability_two_random_records_match"] - b["probability_two_random_records_match"])
    worst = {"m_probability": 0.0, "u_probability": 0.0}
    for ca, cb in zip(a["comparisons"], b["comparisons"], strict=True):
        for la, lb in zip(ca["comparison_levels"], cb["comparison_levels"], strict=True):
            for key in worst:
                x, y = la.get(key), lb.get(key)
                if isinstance(x, float) and isinstance(y, float):
                    worst[key] = max(worst[key], abs(x - y))
                elif x != y:
                    worst[key] = max(worst[key], 1.0)  # observed on one engine only
    return f"prior {prior:.2e}, m {worst['m_probability']:.2e}, u {worst['u_probability']:.2e}"


def calls(n: int) -> None:
    """n synthetic call rows over a year, exported by day, aggregated per week on both engines."""
    import numpy as np
    import pyarrow as pa

    from mare.resolve.spark.calls import aggregate_duckdb, aggregate_spark, export_calls
    from mare.resolve.spark.session import spark_session
    from mare.store.db import open_store
    from mare.store.settle import settled

    rng = np.random.default_rng(1)
    phones = 4915_000_000_000 + rng.integers(0, 50_000, size=2 * n)
    start = np.datetime64("2025-01-01T00:00:00") + rng.integers(0, 365 * 86400, size=n).astype(
        "timedelta64[s]"
    )
    table = pa.table(
        {
            "contribution": pa.array([f"C{i % 20}" for i in range(n)]),
            "row_number": pa.array(np.arange(n)),
            "caller": pa.array(phones[:n]),
            "callee": pa.array(phones[n:]),
            "started_at": pa.array(start),
            "duration_s": pa.array(rng.integers(0, 600, size=n).astype("int32")),
        }
    )
    spark = spark_session()
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "home") as store:
        settled(store.con).register("_c", table)
        store.con.execute(
            "INSERT INTO calls SELECT contribution, row_number, caller, callee, started_at, duration_s, "
            "NULL, NULL, NULL FROM _c"
        )
        began = time.perf_counter()
        export_calls(store, Path(tmp) / "calls")
        print(f"{n} calls exported by day in {time.perf_counter() - began:.1f} s", flush=True)
        out = {}
        for engine in ("duckdb", "spark"):
            began = time.perf_counter()
            if engine == "duckdb":
                out[engine] = aggregate_duckdb(Path(tmp) / "calls", "week")
            else:
                out[engine] = aggregate_spark(Path(tmp) / "calls", "week", spark)
            print(
                f"{engine:<7} {time.perf_counter() - began:6.1f} s  {out[engine].num_rows} weekly pair counts"
            )
        print(f"identical: {out['duckdb'].equals(out['spark'])}")


def main() -> None:
    """Run the part named on the command line."""
    what = sys.argv[1] if len(sys.argv) > 1 else "crosscheck"
    size = int(sys.argv[2]) if len(sys.argv) > 2 and what != "events" else 100_000
    if what == "crosscheck":
        keep = float(next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--keep=")), "0.05"))
        events = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--events=")), None)
        crosscheck(size, train="--no-train" not in sys.argv, keep=keep, events=events)
    elif what == "events":
        summarise_events(sys.argv[2])
    elif what == "calls":
        calls(size)
    else:
        raise SystemExit(f"unknown part {what!r}: crosscheck, events or calls")


if __name__ == "__main__":
    main()
