"""A process killed (SIGKILL) in the middle of an ingest leaves all of a contribution or none."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from builders import write_envelope
from mare.store.db import open_store

ROWS = 1_500_000

INGEST_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from mare.store.db import open_store
    from mare.ingest.pipeline import IngestOptions, ingest_file
    import mare.ingest.pipeline as pipeline

    def on_calls(n):
        print("batch", n, flush=True)

    store = open_store(Path(sys.argv[1]))
    from mare.ingest.sources import find_sources
    sources, _ = find_sources([Path(sys.argv[2])])
    report = pipeline.ingest_source(store, sources[0], IngestOptions(), on_calls)
    store.close()
    print("done", report.status, report.calls, flush=True)
""")


def _write_bundle(folder: Path, rows: int) -> None:
    folder.mkdir()
    write_envelope(folder / "envelope.json", id="BIG-1")
    people = "id,name\n" + "".join(f"p{i},Person {i}\n" for i in range(2000))
    (folder / "person.csv").write_text(people, encoding="utf-8")
    with (folder / "calls.csv").open("w", encoding="utf-8") as fh:
        fh.write("caller,callee,start,duration\n")
        for i in range(rows):
            fh.write(
                f"+4915{i % 50000:08d},+3933{(i * 7) % 50000:08d},"
                f"2026-10-{1 + i % 28:02d}T{i % 24:02d}:00:00Z,{i % 600}\n"
            )


def _state(home: Path) -> tuple[int, int, int, int]:
    with open_store(home) as store:
        row = store.con.execute(
            "SELECT (SELECT count(*) FROM contributions), (SELECT count(*) FROM records), "
            "(SELECT count(*) FROM calls), (SELECT count(*) FROM ingest_problems)"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


@pytest.mark.parametrize("kill_after", ["first_batch", "half_second"])
def test_sigkill_leaves_all_or_nothing(tmp_path: Path, kill_after: str) -> None:
    bundle = tmp_path / "bundle"
    _write_bundle(bundle, ROWS)
    home = tmp_path / "home"
    open_store(home).close()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, str(home), str(bundle)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    if kill_after == "first_batch":
        line = proc.stdout.readline()
        assert line.startswith("batch"), line
    else:
        time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    contributions, records, calls, problems = _state(home)
    if contributions == 0:
        assert (records, calls, problems) == (0, 0, 0)
    else:
        assert (contributions, records, calls) == (1, 2000, ROWS)
    if kill_after == "first_batch":
        assert contributions == 0  # killed inside the transaction: nothing of it remains


def test_resend_after_kill_stores_it_whole(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    _write_bundle(bundle, 300_000)
    home = tmp_path / "home"
    open_store(home).close()
    proc = subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, str(home), str(bundle)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    done = subprocess.run(
        [sys.executable, "-c", INGEST_SCRIPT, str(home), str(bundle)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "done stored" in done.stdout
    assert _state(home)[:3] == (1, 2000, 300_000)
    json.dumps(done.stdout)
