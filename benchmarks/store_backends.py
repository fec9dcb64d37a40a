"""The store on DuckDB and on PostgreSQL, the same operations in the same run (issue 18).

Generates a scenario world (scale `small` by default), then for each engine:

* ingest: every contribution of the world through the hub layer (`hub.intake.receive`, as the
  local operator: parse, normalise, one transaction per contribution, its audit entry), without
  the cross-check (run next, on its own);
* record reads: `Repository.record` (a record with its values and links, each decided by the
  policy) for 300 random records as an analyst of another agency, by 1 and by C concurrent
  clients (threads, each with its own session: a DuckDB cursor, a PostgreSQL connection, kept
  from one operation to the next as a server keeps its readers' sessions), p50/p95;
* stats: `Repository.stats` (bulk reads filtered in the database by the compiled policy), p50/p95;
* the full cross-check (`crosscheck_all`, no training; on PostgreSQL computed in DuckDB on the
  store's tables and written back), then search (person names drawn from the world), entity pages
  and the hub's networks, by 1 and C clients, p50/p95 (on PostgreSQL the statements PostgreSQL
  cannot run go to the session's local DuckDB, which copies the tables they read first).

PostgreSQL is a throw-away cluster (tests/pgcluster.py: initdb in a temporary folder, a Unix
socket, fsync off as in the tests) unless --pg-url names an owner URL of an empty database. On
PostgreSQL the reads run as the application role under row-level security. Run:

    uv run python benchmarks/store_backends.py                  # small world, 8 clients
    uv run python benchmarks/store_backends.py --scale medium --clients 20
    uv run python benchmarks/store_backends.py --from-home DIR --clients 20   # reads only, DIR copied
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _quantiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


@contextmanager
def _postgres(url: str | None) -> Iterator[tuple[str, str]]:
    """(owner URL, application URL) of an empty database."""
    if url:
        yield url, url
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from pgcluster import APP, APP_PASSWORD, OWNER, OWNER_PASSWORD, throwaway_cluster

    with throwaway_cluster() as cluster:
        name = cluster.new_database("bench")
        yield (
            cluster.url(OWNER, OWNER_PASSWORD, name) + f"&app_role={APP}",
            cluster.url(APP, APP_PASSWORD, name),
        )


def _ingest(home: Path, url: str | None, world: Path) -> tuple[float, int, int]:
    from mare.hub.accounts import ensure_hub_agency
    from mare.hub.audit import trail_key
    from mare.hub.identity import Credentials, open_context
    from mare.hub.intake import receive
    from mare.hub.server_store import secure_store
    from mare.ingest.pipeline import IngestOptions
    from mare.ingest.sources import find_sources
    from mare.store.db import open_store

    sources, _ = find_sources([world / "contributions"])
    with open_store(home, url=url or "duckdb") as store:
        trail_key(store)
        ensure_hub_agency(store)
        if store.url:
            secure_store(store)
        start = time.perf_counter()
        with open_context(store, Credentials(), what="benchmark") as ctx:
            for source in sources:
                report = receive(ctx, source, IngestOptions())
                if report.status not in ("stored", "already_received"):
                    print(f"!! {source}: {report.status} {report.message}")
        elapsed = time.perf_counter() - start
        row = store.con.execute("SELECT count(*) FROM records").fetchone()
        return elapsed, len(sources), int(row[0]) if row else 0


def _stamp(what: str) -> None:
    """A progress line: UTC time and the load average (the machine is shared)."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC, load {load}] {what}", flush=True)


def _reads(
    home: Path, url: str | None, clients: int, samples: int, seed: int, bulk: int = 10
) -> dict[str, tuple[float, float]]:
    from mare.access.policy import Viewer
    from mare.hub.context import HubContext, system_context
    from mare.hub.repository import Repository
    from mare.store.db import Store, open_store

    results: dict[str, tuple[float, float]] = {}
    with open_store(home, url=url or "duckdb") as store:
        with system_context(store, "benchmark"):
            uids = [r[0] for r in store.con.execute("SELECT uid FROM records ORDER BY uid").fetchall()]
            agencies = [r[0] for r in store.con.execute("SELECT DISTINCT agency FROM records").fetchall()]
        viewer = Viewer("bench", sorted(agencies)[0], frozenset({"analyst"}))
        rng = random.Random(seed)
        picks = [rng.choice(uids) for _ in range(samples)]

        pool: list[Store] = []  # client i's session, kept across the operations (a server's readers)

        def session(i: int) -> Store:
            while len(pool) <= i:
                if store.url:
                    pool.append(open_store(home, url=url))
                else:
                    pool.append(Store(home=store.home, con=store.con.cursor(), archive=store.archive))
            return pool[i]

        def timed(reader: Callable[[Repository, str], Any], work: list[str], sessions: int) -> list[float]:
            times: list[float] = []
            lock = threading.Lock()
            chunks = [work[i::sessions] for i in range(sessions)]
            owned = [session(i) for i in range(sessions)]

            def run(chunk: list[str], own: Store) -> None:
                with HubContext(own, viewer, "password") as ctx:
                    repo = Repository(ctx)
                    for uid in chunk:
                        t = time.perf_counter()
                        reader(repo, uid)
                        with lock:
                            times.append(time.perf_counter() - t)

            threads = [threading.Thread(target=run, args=(c, o)) for c, o in zip(chunks, owned, strict=True)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return times

        results["record, 1 client"] = _quantiles(timed(lambda r, u: r.record(u), picks, 1))
        results[f"record, {clients} clients"] = _quantiles(timed(lambda r, u: r.record(u), picks, clients))
        _stamp(f"{'postgres' if url else 'duckdb'}: record reads done")
        results["stats, 1 client"] = _quantiles(timed(lambda r, u: r.stats(), picks[:bulk], 1))
        _stamp("stats done")

        from mare.hub.entity import entity
        from mare.hub.networks import networks
        from mare.hub.search import search

        with system_context(store, "benchmark"):
            names = [
                str(r[0])
                for r in store.con.execute(
                    "SELECT label FROM records WHERE kind = 'person' AND label IS NOT NULL ORDER BY uid"
                ).fetchall()
            ]
            persons = [
                str(r[0])
                for r in store.con.execute("SELECT record_uid FROM entities ORDER BY record_uid").fetchall()
            ]
        queries = [rng.choice(names) for _ in range(max(10, samples // 10))] if names else []
        people = [rng.choice(persons) for _ in range(max(10, samples // 10))] if persons else []
        if queries:
            results["search, 1 client"] = _quantiles(timed(lambda r, q: search(r.ctx, q), queries, 1))
            results[f"search, {clients} clients"] = _quantiles(
                timed(lambda r, q: search(r.ctx, q), queries, clients)
            )
        _stamp("search done")
        if people:
            results["entity, 1 client"] = _quantiles(timed(lambda r, u: entity(r.ctx, u), people, 1))
            results[f"entity, {clients} clients"] = _quantiles(
                timed(lambda r, u: entity(r.ctx, u), people, clients)
            )
        _stamp("entity done")
        results["networks (build and list), 1 client"] = _quantiles(
            timed(lambda r, u: networks(r.ctx), picks[: max(1, bulk // 3)], 1)
        )
        _stamp("networks done")
        for own in pool:
            own.con.close()
    return results


def _crosscheck(home: Path, url: str | None) -> float:
    """The full cross-check (`crosscheck_all`, no training), as the hub's own processing: seconds."""
    from mare.hub.context import system_context
    from mare.resolve import crosscheck_all
    from mare.store.db import open_store

    with open_store(home, url=url or "duckdb") as store, system_context(store, "benchmark"):
        start = time.perf_counter()
        crosscheck_all(store, train=False)
        return time.perf_counter() - start


def _copy(source: Path, owner_url: str, target: Path) -> float:
    """`copy_store` of the DuckDB store in SOURCE into the empty PostgreSQL database (verified by counts
    and the audit chain, secured), as the local operator: seconds."""
    from mare.hub.identity import Credentials, open_context
    from mare.hub.server_store import copy_store
    from mare.store.db import open_store

    with open_store(source) as store, open_context(store, Credentials(), what="benchmark") as ctx:
        start = time.perf_counter()
        report = copy_store(ctx, owner_url, target)
        seconds = time.perf_counter() - start
    if not report.ok:
        raise SystemExit(f"the copy did not verify: {report.as_dict()}")
    print(
        f"copied {sum(report.rows.values())} rows of {len(report.rows)} tables in {seconds:.1f} s (verified)"
    )
    return seconds


def _reads_side_by_side(args: argparse.Namespace, work: Path) -> None:
    """--from-home: the reads on an existing DuckDB store and on its copy in PostgreSQL, in one run."""
    source = Path(args.from_home)
    with _postgres(args.pg_url) as (owner_url, app_url):
        _stamp(f"copying {source} into PostgreSQL")
        seconds = _copy(source, owner_url, work / "postgres")
        found: dict[str, dict[str, tuple[float, float]]] = {}
        for engine, home, reader_url in (("duckdb", source, None), ("postgres", work / "postgres", app_url)):
            _stamp(f"{engine}: reads")
            found[engine] = _reads(home, reader_url, args.clients, args.samples, args.seed, args.bulk)
            for key, (p50, p95) in found[engine].items():
                print(f"  {engine} {key}: p50 {p50:.1f} / p95 {p95:.1f} ms", flush=True)
        _stamp("done")
    print(f"\nstore copy into PostgreSQL: {seconds:.1f} s")
    print("| operation | DuckDB | PostgreSQL | PostgreSQL / DuckDB |\n|---|---|---|---|")
    for key, (d50, d95) in found["duckdb"].items():
        p50, p95 = found["postgres"][key]
        print(
            f"| {key}: p50 / p95 | {d50:.1f} / {d95:.1f} ms | {p50:.1f} / {p95:.1f} ms | "
            f"x{p50 / d50:.2f} / x{p95 / d95:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument(
        "--bulk", type=int, default=10, help="stats runs (network builds: a third of it, at least one)"
    )
    parser.add_argument(
        "--pg-url", help="owner URL of an empty PostgreSQL database (default: a throw-away cluster)"
    )
    parser.add_argument(
        "--from-home",
        help="folder of an ingested, cross-checked DuckDB store: copy it into PostgreSQL (timed) and run "
        "the reads on both in this run; no world generated, no ingest",
    )
    args = parser.parse_args()

    from mare.scenario import generate

    work = Path(tempfile.mkdtemp(prefix="mare-bench-store-"))
    if args.from_home:
        _reads_side_by_side(args, work)
        return
    world = work / "world"
    t = time.perf_counter()
    _stamp(f"generating the {args.scale} world")
    generate(args.scale, args.seed, world)
    print(
        f"scenario {args.scale} seed {args.seed}: generated in {time.perf_counter() - t:.1f} s (not counted)"
    )
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    rows: dict[str, dict[str, Any]] = {}
    with _postgres(args.pg_url) as (owner_url, app_url):
        for engine, url, reader_url in (("duckdb", None, None), ("postgres", owner_url, app_url)):
            home = work / engine
            _stamp(f"{engine}: ingest")
            seconds, contributions, records = _ingest(home, url, world)
            _stamp(
                f"{engine}: ingest done in {seconds:.1f} s ({contributions} contributions, {records} records)"
            )
            crosscheck_s = _crosscheck(home, url)
            _stamp(f"{engine}: cross-check done in {crosscheck_s:.1f} s")
            reads = _reads(home, reader_url, args.clients, args.samples, args.seed, args.bulk)
            for key, (p50, p95) in reads.items():
                print(f"  {engine} {key}: p50 {p50:.1f} / p95 {p95:.1f} ms", flush=True)
            rows[engine] = {
                "ingest_s": seconds,
                "crosscheck_s": crosscheck_s,
                "contributions": contributions,
                "records": records,
                **reads,
            }
    duck, pg = rows["duckdb"], rows["postgres"]
    print("\n| operation | DuckDB | PostgreSQL | PostgreSQL / DuckDB |\n|---|---|---|---|")
    print(
        f"| ingest ({duck['contributions']} contributions, {duck['records']} records) | "
        f"{duck['ingest_s']:.1f} s | {pg['ingest_s']:.1f} s | x{pg['ingest_s'] / duck['ingest_s']:.2f} |"
    )
    print(
        f"| full cross-check (no training) | {duck['crosscheck_s']:.1f} s | {pg['crosscheck_s']:.1f} s | "
        f"x{pg['crosscheck_s'] / duck['crosscheck_s']:.2f} |"
    )
    for key in duck:
        if isinstance(duck[key], tuple):
            (d50, d95), (p50, p95) = duck[key], pg[key]
            print(
                f"| {key}: p50 / p95 | {d50:.1f} / {d95:.1f} ms | {p50:.1f} / {p95:.1f} ms | "
                f"x{p50 / d50:.2f} / x{p95 / d95:.2f} |"
            )
    if pg["records"] != duck["records"]:
        print(f"!! record counts differ: DuckDB {duck['records']}, PostgreSQL {pg['records']}")


if __name__ == "__main__":
    main()
