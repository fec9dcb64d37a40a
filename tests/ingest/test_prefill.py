"""Normalising distinct values on two cores gives exactly the rows, labels and warnings of one core.

The benchmark's persons (every messy form of names, dates, phones, documents) are normalised
once with the forked child (the threshold lowered) and once in this process alone; the value
table, the labels and the warnings must be equal. A child that fails, stops or sends garbage
leaves its part to this process, with the same result; wherever the two meet, the results
come back in order.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from typing import Any

import pyarrow as pa
import pytest

import mare.ingest.normalise_records as normalise_records
import mare.ingest.prefill as prefill
from builders import ROOT
from mare.ingest.csv_bundle import read_csv_bundle
from mare.ingest.normalise_records import ValueColumns, ValueMemo, agency_region, normalise_records_into
from mare.ingest.parsed import ParsedContribution
from mare.schema.types.result import NormaliseContext

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


@pytest.fixture(scope="module")
def persons(tmp_path_factory: pytest.TempPathFactory) -> ParsedContribution:
    spec = importlib.util.spec_from_file_location(
        "mare_bench_ingest_prefill", ROOT / "benchmarks" / "ingest.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    folder = tmp_path_factory.mktemp("bench") / "persons"
    bench.generate_bundle(folder, 2000, bench.SEED + 1)
    return read_csv_bundle(folder)


def _normalise(parsed: ParsedContribution) -> tuple[pa.Table, list[Any], list[Any]]:
    env = parsed.envelope
    memo = ValueMemo(NormaliseContext(default_region=agency_region(env.agency), language=env.language))
    out = ValueColumns(memo)
    uids = [f"C:{r.local_id}" for r in parsed.records]
    labels, problems = normalise_records_into(parsed.records, uids, memo, out)
    return out.to_arrow(), labels, problems


def _forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = os.fork

    def fork() -> int:
        calls.append(1)
        return real()

    monkeypatch.setattr(prefill.os, "fork", fork)
    return calls


def test_two_cores_give_what_one_gives(persons: ParsedContribution, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(normalise_records, "PARALLEL_MIN", 10**9)
    serial = _normalise(persons)
    monkeypatch.setattr(normalise_records, "PARALLEL_MIN", 100)
    monkeypatch.setattr(prefill, "PARALLEL_MIN", 100)
    forks = _forks(monkeypatch)
    parallel = _normalise(persons)
    assert forks == [1]
    assert parallel[0].equals(serial[0])
    assert parallel[1] == serial[1] and parallel[2] == serial[2]
    assert len(serial[0]) > 10_000 and len(serial[2]) > 100


def test_a_failing_child_leaves_its_half_here(
    persons: ParsedContribution, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(normalise_records, "PARALLEL_MIN", 10**9)
    serial = _normalise(persons)
    monkeypatch.setattr(normalise_records, "PARALLEL_MIN", 100)
    monkeypatch.setattr(prefill, "PARALLEL_MIN", 100)

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("the child cannot send")

    monkeypatch.setattr(prefill.pickle, "dumps", broken)  # only the child pickles
    forks = _forks(monkeypatch)
    parallel = _normalise(persons)
    assert forks == [1]
    assert parallel[0].equals(serial[0]) and parallel[1] == serial[1] and parallel[2] == serial[2]


def test_a_stuck_child_is_ended_and_its_half_done_here(
    persons: ParsedContribution, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(normalise_records, "PARALLEL_MIN", 10**9)
    serial = _normalise(persons)
    monkeypatch.setattr(normalise_records, "PARALLEL_MIN", 100)
    monkeypatch.setattr(prefill, "PARALLEL_MIN", 100)

    def stuck(*args: Any, **kwargs: Any) -> bytes:
        time.sleep(3600)
        return b""

    monkeypatch.setattr(prefill.pickle, "dumps", stuck)
    started = time.monotonic()
    parallel = _normalise(persons)
    assert time.monotonic() - started < 60  # never waited for
    assert parallel[0].equals(serial[0]) and parallel[1] == serial[1] and parallel[2] == serial[2]


def test_garbled_messages_are_done_here(persons: ParsedContribution, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(normalise_records, "PARALLEL_MIN", 10**9)
    serial = _normalise(persons)
    monkeypatch.setattr(normalise_records, "PARALLEL_MIN", 100)
    monkeypatch.setattr(prefill, "PARALLEL_MIN", 100)
    monkeypatch.setattr(prefill, "CHUNK", 64)
    real = prefill.pickle.dumps
    sent: list[int] = []

    def garbling(obj: Any, *args: Any, **kwargs: Any) -> bytes:
        sent.append(1)
        data: bytes = real(obj, *args, **kwargs)
        return data[: len(data) // 2] if len(sent) == 3 else data  # the third message cut short

    monkeypatch.setattr(prefill.pickle, "dumps", garbling)

    def slow_here() -> None:
        time.sleep(0.5)  # the child sends many messages meanwhile

    real_fill = normalise_records.ValueMemo.fill
    monkeypatch.setattr(
        normalise_records.ValueMemo,
        "fill",
        lambda self, items, meanwhile=None: real_fill(self, items, slow_here),
    )
    parallel = _normalise(persons)
    assert parallel[0].equals(serial[0]) and parallel[1] == serial[1] and parallel[2] == serial[2]


@pytest.mark.parametrize("meanwhile_s", [0.0, 0.05, 1.0])
def test_wherever_they_meet_the_results_come_in_order(
    monkeypatch: pytest.MonkeyPatch, meanwhile_s: float
) -> None:
    """The longer this process works meanwhile, the more the child does; the results are the same."""
    monkeypatch.setattr(prefill, "PARALLEL_MIN", 10)
    monkeypatch.setattr(prefill, "CHUNK", 16)
    items = [("phone", f"+49151{n:07d}") for n in range(1001)] + [("gender", "m"), ("date", "1.2.1980")]
    done: list[int] = []
    here: list[str] = []
    forks = _forks(monkeypatch)

    def normalise(t: str, x: str) -> tuple[str, str]:
        if os.getpid() == parent:
            here.append(x)
        time.sleep(0.0002)
        return (t, x.upper())

    def meanwhile() -> None:
        done.append(os.getpid())
        time.sleep(meanwhile_s)

    parent = os.getpid()
    results = prefill.normalise_in_two(items, normalise, meanwhile)
    assert forks == [1] and done == [os.getpid()]  # the work meanwhile ran here, once
    assert results == [(t, x.upper()) for t, x in items]
    if meanwhile_s == 0:
        assert here  # this process did its part (the last items)
        assert here == [x for _, x in reversed(items[-len(here) :])]
    if meanwhile_s == 1.0:
        assert not here  # the child had done all


def test_work_meanwhile_that_fails_leaves_no_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefill, "PARALLEL_MIN", 10)
    items = [("phone", f"+49151{n:07d}") for n in range(50)]
    pids: list[int] = []
    real = os.fork

    def fork() -> int:
        pid = real()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(prefill.os, "fork", fork)

    def fails() -> None:
        raise ValueError("meanwhile")

    with pytest.raises(ValueError, match="meanwhile"):
        prefill.normalise_in_two(items, lambda t, x: (t, x), fails)
    assert len(pids) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(pids[0], os.WNOHANG)  # ended and reaped: no such child any more
