"""`mare` killed with SIGKILL during ingest, cross-check, erasure and retention, at seeded random points:
the store opens, the audit chain verifies, nothing acknowledged is lost, and a re-run completes the work.

The default run kills each operation once (half-way); `-m slow` kills each at MARE_CRASH_POINTS (50)
seeded points over an uninterrupted run's duration (figures in docs/security.md).
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from crash.harness import (
    ERASE_REASON,
    OPS,
    World,
    Zygote,
    build_world,
    check_done,
    check_invariants,
    fresh_copy,
    mare,
    residues,
    snapshot,
)
from mare.store.db import open_store

POINTS = int(os.environ.get("MARE_CRASH_POINTS", "50"))
SUMMARY: dict[str, Counter[str]] = {}


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory, zygote: Zygote) -> World:
    """Four base contributions and two to ingest: the default run's world."""
    return build_world(tmp_path_factory.mktemp("crash-small"), part_count=2, base_count=4, zygote=zygote)


@pytest.fixture(scope="module")
def crash_world(tmp_path_factory: pytest.TempPathFactory, zygote: Zygote) -> Iterator[World]:
    """Twelve contributions of the tiny world (seed 5), and four of another agency to ingest."""
    yield build_world(tmp_path_factory.mktemp("crash-world"), part_count=4, base_count=12, zygote=zygote)
    for op, counts in SUMMARY.items():
        print(f"\ncrash {op}: {dict(counts)}")


def after_kill(op: str, world: World, home: Path) -> None:
    """The store opens and holds the old state or the new one, never a mixture."""
    start = world.references["base" if op == "ingest" else "ingest"]
    done = world.references[op]
    with open_store(home) as store:
        check_invariants(store)
        now = snapshot(store)
        erasures = store.con.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'erasure' AND outcome = 'done'"
        ).fetchone()
    if op == "ingest":
        assert start.contributions <= now.contributions <= done.contributions
    elif op == "crosscheck":
        assert (now.pairs, now.hits) in ((start.pairs, start.hits), (done.pairs, done.hits))
        assert now.contributions == start.contributions and now.records == start.records
    else:  # erase, retention: all of it, audited, or none of it
        assert (now.records, now.erased) in ((start.records, 0), (done.records, done.erased))
        assert erasures == ((0,) if now.erased == 0 else (1,))


def rerun(op: str, world: World, home: Path) -> None:
    """The next run completes the work; the end state is the uninterrupted run's."""
    if op in ("erase", "retention"):
        mare("doctor", "--home", str(home), "--repair")  # a compaction the crash left pending
        with open_store(home) as store:
            present = store.con.execute(
                "SELECT count(*) FROM records WHERE uid IN (SELECT unnest(?))", [world.targets]
            ).fetchone()
        if op == "retention" or present != (0,):
            mare(*OPS[op](world, home))
    else:
        mare(*OPS[op](world, home))
        mare("doctor", "--home", str(home), "--repair")
    assert check_done(home) == world.references[op]
    if op == "erase":
        with open_store(home) as store:
            assert residues(store, world.names) == {}
            reasons = store.con.execute("SELECT DISTINCT reason FROM erasures").fetchall()
            assert reasons == [(ERASE_REASON,)]
        for path in (home / "raw").rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not any(n.encode() in data for n in world.names), path


def crash(op: str, world: World, zygote: Zygote, home: Path, delay: float) -> str:
    """One kill point: copy the starting store, run, kill, check, re-run, check."""
    start = world.homes["base" if op == "ingest" else "full"]
    fresh_copy(start, home)
    status, _ = zygote.run(OPS[op](world, home), kill_after=delay)
    try:
        after_kill(op, world, home)
        rerun(op, world, home)
    except AssertionError as exc:
        raise AssertionError(f"{op} killed after {delay:.3f} s ({status}): {exc}") from exc
    return status


@pytest.mark.parametrize("op", list(OPS))
def test_one_kill_point_each(op: str, small_world: World, zygote: Zygote, tmp_path: Path) -> None:
    status = crash(op, small_world, zygote, tmp_path / "home", small_world.durations[op] / 2)
    assert status in ("signal 9", "exit 0")


@pytest.mark.slow
@pytest.mark.parametrize("op", list(OPS))
def test_killed_at_random_points(op: str, crash_world: World, zygote: Zygote, tmp_path: Path) -> None:
    rng = random.Random(f"mare-crash-{op}")
    counts: Counter[str] = Counter()
    for point in range(POINTS):
        delay = rng.uniform(0.02, crash_world.durations[op])
        counts[crash(op, crash_world, zygote, tmp_path / f"home-{point % 2}", delay)] += 1
        counts["passed"] += 1
    SUMMARY[op] = counts
    assert counts["passed"] == POINTS
    assert counts["signal 9"] >= POINTS // 2, counts  # most points kill it mid-way
