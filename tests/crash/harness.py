"""The crash suite's harness: a small world, stores to start from, `mare` in killable processes, checks.

Each operation (ingest, cross-check, erasure, retention) starts from a copy of a prepared store, runs
as `mare …` in a forked process (`zygote.py`) and is killed with SIGKILL after a seeded delay drawn
over the duration of an uninterrupted run. Then: the store opens, the audit chain verifies, nothing
acknowledged is lost or half-written, and a re-run (`mare …` again, then `mare doctor --repair`)
completes the work, ending in the same state as the uninterrupted run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from mare.cli import app
from mare.hub.audit import AuditLog
from mare.ingest.sources import find_sources
from mare.scenario import generate
from mare.store.db import Store, open_store
from mare.store.health import leftovers
from mare.store.jobs import job_counts, pending_jobs

ZYGOTE = Path(__file__).with_name("zygote.py")
ENV = {"MARE_NAME_SYMBOLS": "off", "COLUMNS": "200"}
RUNNER = CliRunner()
BASE_AGENCIES = ("DE-BKA", "GR-HP", "INTERPOL", "TR-JGK")
#: The retention run's day: the part's records (30-day reviews) are due, the base's (3 years) are not.
RETENTION_DAY = (date.today() + timedelta(days=40)).isoformat()
ERASE_REASON = "LED art. 16 request, crash test"


def mare(*argv: str) -> Any:
    """`mare ARGV` in this process (the re-runs and the set-up); fails the test on a non-zero exit."""
    result = RUNNER.invoke(app, list(argv), env=ENV)
    assert result.exit_code == 0, (argv, result.output)
    return result


class Zygote:
    """A process that has imported Mare's CLI and forks one child per command (killable)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.proc = subprocess.Popen(
            [sys.executable, str(ZYGOTE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **ENV},
        )
        self.count = 0

    def run(self, argv: list[str], kill_after: float | None = None) -> tuple[str, float]:
        """Run `mare ARGV`; kill it after `kill_after` seconds. Returns ('exit N' or 'signal 9', seconds)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.count += 1
        log = self.logs / f"run-{self.count}.log"
        self.proc.stdin.write(json.dumps({"argv": argv, "log": str(log)}) + "\n")
        self.proc.stdin.flush()
        started = time.monotonic()
        pid = int(self.proc.stdout.readline().split()[1])
        if kill_after is not None:
            time.sleep(max(0.0, kill_after - (time.monotonic() - started)))
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        status = self.proc.stdout.readline().strip()
        return status, time.monotonic() - started

    def close(self) -> None:
        """End the helper."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


@dataclass
class World:
    """The paths to ingest, and the stores each operation starts from."""

    root: Path
    base: list[str]
    part: list[str]
    homes: dict[str, Path] = field(default_factory=dict)  # 'base' (before the part), 'full' (after)
    references: dict[str, Snapshot] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    targets: list[str] = field(default_factory=list)  # two persons of the part, with names no one else has
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Snapshot:
    """What an operation's outcome is compared on (contents, not random ids)."""

    contributions: frozenset[tuple[str, int]]
    records: int
    pairs: frozenset[tuple[str, str, str]]
    hits: frozenset[tuple[str, str, str, str]]
    notifications: tuple[tuple[str, int], ...]
    geocodes: int
    erased: int


def snapshot(store: Store) -> Snapshot:
    """The store's contributions, records and derived data."""
    con = store.con

    def rows(sql: str) -> list[Any]:
        return con.execute(sql).fetchall()

    return Snapshot(
        frozenset(rows("SELECT uid, record_count FROM contributions")),
        int(rows("SELECT count(*) FROM records")[0][0]),
        frozenset(rows("SELECT left_uid, right_uid, decision FROM candidate_pairs")),
        frozenset(rows("SELECT kind, basis, left_uid, right_uid FROM hits")),
        tuple(rows("SELECT kind, count(*) FROM notifications GROUP BY kind ORDER BY kind")),
        int(rows("SELECT count(*) FROM place_geocodes")[0][0]),
        int(rows("SELECT count(*) FROM erasures")[0][0]),
    )


def fresh_copy(source: Path, target: Path) -> Path:
    """A copy of a closed store's folder."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return target


def check_invariants(store: Store) -> None:
    """What must hold after any crash: the chain verifies; every contribution stored whole with its
    collection entry and nothing without one; persons lack cross-check features only where their
    contribution's cross-check is pending."""
    result = AuditLog(store).verify()
    assert result.ok, result.problem
    con = store.con
    stored = {r[0] for r in con.execute("SELECT uid FROM contributions").fetchall()}
    audited = {
        r[0]
        for r in con.execute(
            "SELECT ref FROM audit_log WHERE action IN ('collection', 'alteration') AND outcome = 'stored'"
        ).fetchall()
    }
    assert stored == audited, stored ^ audited
    half = con.execute(
        "SELECT c.uid FROM contributions c LEFT JOIN (SELECT contribution, count(*) AS n FROM records "
        "GROUP BY contribution) r ON r.contribution = c.uid LEFT JOIN (SELECT contribution, count(*) AS n "
        "FROM erasures GROUP BY contribution) e ON e.contribution = c.uid "
        "WHERE c.record_count <> coalesce(r.n, 0) + coalesce(e.n, 0)"
    ).fetchall()
    assert half == [], half
    lacking = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT contribution FROM records WHERE kind = 'person' "
            "AND uid NOT IN (SELECT record_uid FROM person_features)"
        ).fetchall()
    }
    assert lacking <= set(pending_jobs(con, "crosscheck")), lacking


def check_done(home: Path) -> Snapshot:
    """After the re-run: nothing pending, no leftovers, `mare doctor` content; the snapshot."""
    with open_store(home) as store:
        check_invariants(store)
        assert job_counts(store.con) == {}
        found = leftovers(store)
        assert (found.orphans, found.temporary, found.missing) == ([], [], [])
        done = snapshot(store)
    report = json.loads(mare("doctor", "--home", str(home), "--json").stdout)
    assert report["ok"], report
    return done


def _paths(world: Path, count: int, base_count: int | None) -> tuple[list[str], list[str]]:
    sources, _ = find_sources([world / "contributions"])
    names = sorted(str(s.path) for s in sources)
    base = [p for p in names if Path(p).name.startswith(BASE_AGENCIES)][:base_count]
    part = [p for p in names if Path(p).name.startswith("IT-SCO")][:count]
    return base, part


def _unique_persons(store: Store, part_uids: set[str]) -> tuple[list[str], list[str]]:
    """Two persons of the part whose names no other record holds."""
    rows = store.con.execute(
        "SELECT r.uid, v.original FROM records r JOIN record_values v ON v.record_uid = r.uid "
        "WHERE r.kind = 'person' AND v.field = 'name' AND length(v.original) >= 8 AND NOT EXISTS ("
        "SELECT 1 FROM record_values o WHERE o.original = v.original AND o.record_uid <> r.uid) "
        "ORDER BY r.uid"
    ).fetchall()
    chosen = [(u, n) for u, n in rows if u.split(":")[0] in part_uids][:2]
    assert len(chosen) == 2, "the part needs two persons with names of their own"
    return [u for u, _ in chosen], [n for _, n in chosen]


def build_world(root: Path, part_count: int, base_count: int | None, zygote: Zygote) -> World:
    """Generate the tiny world (seed 5), prepare the stores and run each operation once, uninterrupted."""
    generate("tiny", 5, root / "world")
    base, part = _paths(root / "world", part_count, base_count)
    world = World(root, base, part)
    home = root / "base"
    mare("init", "--home", str(home))
    mare("ingest", *base, "--home", str(home), "--no-geocode")
    mare("doctor", "--home", str(home), "--repair")
    (home / "retention.yaml").write_text("default_days: 30\n", encoding="utf-8")  # for the part only
    world.homes["base"] = home
    with open_store(home) as store:
        world.references["base"] = snapshot(store)
    # ingest: the part into the base, then what remains owed
    full = fresh_copy(home, root / "full")
    status, world.durations["ingest"] = zygote.run(ingest_argv(world, full))
    assert status == "exit 0", status
    world.durations["ingest"] = min(
        world.durations["ingest"], _timed(zygote, world, home, root / "time-ingest", ingest_argv)
    )
    mare("doctor", "--home", str(full), "--repair")
    world.homes["full"] = full
    world.references["ingest"] = check_done(full)
    with open_store(home) as store:
        before = {r[0] for r in store.con.execute("SELECT uid FROM contributions").fetchall()}
    with open_store(full) as store:
        after = {r[0] for r in store.con.execute("SELECT uid FROM contributions").fetchall()}
        world.targets, world.names = _unique_persons(store, after - before)
    for op in ("crosscheck", "erase", "retention"):
        target = fresh_copy(full, root / f"ref-{op}")
        status, world.durations[op] = zygote.run(OPS[op](world, target))
        assert status == "exit 0", (op, status)
        world.durations[op] = min(
            world.durations[op], _timed(zygote, world, full, root / f"time-{op}", OPS[op])
        )
        if op != "crosscheck":
            mare("doctor", "--home", str(target), "--repair")
        world.references[op] = check_done(target)
    return world


def _timed(
    zygote: Zygote, world: World, start: Path, folder: Path, argv: Callable[[World, Path], list[str]]
) -> float:
    """A second uninterrupted run's seconds, on its own copy: the kill points are drawn over the
    quicker of two runs, so that a run slowed by a busy machine does not put most of them after the
    end (the suite asserts that most points kill the command mid-way)."""
    target = fresh_copy(start, folder)
    status, seconds = zygote.run(argv(world, target))
    assert status == "exit 0", status
    return seconds


def ingest_argv(world: World, home: Path) -> list[str]:
    """`mare ingest` of the part (cross-checked as it comes; geocoding left to doctor)."""
    return ["ingest", *world.part, "--home", str(home), "--no-geocode"]


def crosscheck_argv(world: World, home: Path) -> list[str]:
    """A full cross-check re-run."""
    return ["crosscheck", "--home", str(home), "--no-train", "--json"]


def erase_argv(world: World, home: Path) -> list[str]:
    """Erasing two persons now."""
    return ["erase", *world.targets, "--home", str(home), "--reason", ERASE_REASON]


def retention_argv(world: World, home: Path) -> list[str]:
    """The retention run that erases the part's records."""
    return ["retention", "run", "--home", str(home), "--on", RETENTION_DAY]


OPS = {"ingest": ingest_argv, "crosscheck": crosscheck_argv, "erase": erase_argv, "retention": retention_argv}


def residues(store: Store, needles: list[str]) -> dict[str, int]:
    """Rows holding a needle, per table but the audit trail, over every column read as text."""
    found: dict[str, int] = {}
    tables = [r[0] for r in store.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    for table in tables:
        if table == "audit_log":
            continue
        columns = [r[0] for r in store.con.execute(f'DESCRIBE "{table}"').fetchall()]
        text = " || ' ' || ".join(f"coalesce(CAST(\"{c}\" AS VARCHAR), '')" for c in columns)
        hits = " OR ".join("contains(row_text, ?)" for _ in needles)
        row = store.con.execute(
            f'SELECT count(*) FROM (SELECT {text} AS row_text FROM "{table}") WHERE {hits}', needles
        ).fetchone()
        if row and row[0]:
            found[table] = int(row[0])
    return found
