"""Several processes on one PostgreSQL store: the same contribution sent twice at once lands once; a
contribution is whole or absent when its process is killed (SIGKILL) or the server restarts mid-write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from builders import write_contribution
from mare.store.postgres import PostgresConnection, parse_url

pytestmark = pytest.mark.postgres

CLI = [sys.executable, "-c", "from mare.cli import app; app()"]


def _persons(n: int, prefix: str) -> list[dict[str, Any]]:
    return [
        {"id": f"p{i}", "kind": "person", "name": f"{prefix} Person{i}", "phone": [f"+49 151 {2000000 + i}"]}
        for i in range(n)
    ]


@pytest.fixture
def server(pg_cluster: Any, tmp_path: Path) -> dict[str, Any]:
    """A fresh database, migrated and secured by the owner; the env a process of the app role runs with."""
    from mare.hub.accounts import ensure_hub_agency
    from mare.hub.server_store import secure_store
    from mare.store.db import open_store
    from pgcluster import APP, APP_PASSWORD, OWNER, OWNER_PASSWORD

    name = pg_cluster.new_database(f"conc_{os.getpid()}_{time.monotonic_ns()}")
    home = tmp_path / "home"
    owner_url = pg_cluster.url(OWNER, OWNER_PASSWORD, name) + f"&app_role={APP}"
    with open_store(home, url=owner_url) as owner:
        ensure_hub_agency(owner)
        secure_store(owner)
    env = {**os.environ, "MARE_HOME": str(home), "MARE_STORE": pg_cluster.url(APP, APP_PASSWORD, name)}
    return {"env": env, "owner": owner_url, "home": home, "cluster": pg_cluster}


def _owner(server: dict[str, Any]) -> PostgresConnection:
    return PostgresConnection(parse_url(server["owner"]))


def _consistent(server: dict[str, Any]) -> dict[str, int]:
    """Each stored contribution holds exactly the records it counts; no record without its contribution."""
    con = _owner(server)
    try:
        partial = con.execute(
            "SELECT c.uid, c.record_count, count(r.uid) FROM contributions c "
            "LEFT JOIN records r ON r.contribution = c.uid GROUP BY c.uid, c.record_count "
            "HAVING count(r.uid) <> c.record_count"
        ).fetchall()
        assert partial == [], f"half-written contributions: {partial}"
        orphans = con.execute(
            "SELECT count(*) FROM records WHERE contribution NOT IN (SELECT uid FROM contributions)"
        ).fetchone()
        assert orphans == (0,)
        rows = con.execute("SELECT agency, sender_id, count(*) FROM contributions GROUP BY 1, 2").fetchall()
        return {str(sender): int(n) for _, sender, n in rows}
    finally:
        con.close()


def _ingest(server: dict[str, Any], path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "ingest", str(path), "--crosscheck", "off"],
        env=server["env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_the_same_contribution_sent_by_two_processes_at_once_lands_once(
    server: dict[str, Any], tmp_path: Path
) -> None:
    path = write_contribution(tmp_path / "same.json", _persons(400, "Twice"), id="SAME-1", agency="HUB")
    first, second = _ingest(server, path), _ingest(server, path)
    outputs = [p.communicate(timeout=240)[0] for p in (first, second)]
    codes = [first.returncode, second.returncode]
    assert 0 in codes, outputs
    assert _consistent(server) == {"SAME-1": 1}
    con = _owner(server)
    try:
        assert con.execute("SELECT count(*) FROM records").fetchone() == (400,)
    finally:
        con.close()
    for code, output in zip(codes, outputs, strict=True):
        # the loser of the race was told, and kept nothing: "already received" when it looked after the
        # winner committed, else the unique key refused its insert ("nothing was stored")
        assert code == 0 or ("duplicate key" in output and "nothing was stored" in output), output
        assert "Traceback" not in output
    again = _ingest(server, path)
    output = again.communicate(timeout=240)[0]
    assert again.returncode == 0 and "alrea" in output, output  # already received (the column is cut)
    assert _consistent(server) == {"SAME-1": 1}


@pytest.mark.parametrize("after", [0.3, 0.9, 1.6])
def test_a_killed_ingest_leaves_the_store_consistent(
    server: dict[str, Any], tmp_path: Path, after: float
) -> None:
    path = write_contribution(tmp_path / "big.json", _persons(3000, "Killed"), id="BIG-1", agency="HUB")
    process = _ingest(server, path)
    time.sleep(after)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    time.sleep(0.5)  # the server notices the closed socket and rolls the transaction back
    held = _consistent(server)
    assert held.get("BIG-1", 0) in (0, 1)
    rerun = _ingest(server, path)
    output = rerun.communicate(timeout=240)[0]
    assert rerun.returncode == 0, output
    assert _consistent(server) == {"BIG-1": 1}


def test_a_server_restart_mid_ingest_leaves_the_store_consistent(
    server: dict[str, Any], tmp_path: Path
) -> None:
    path = write_contribution(
        tmp_path / "restart.json", _persons(3000, "Restart"), id="RESTART-1", agency="HUB"
    )
    process = _ingest(server, path)
    time.sleep(1.0)
    server["cluster"].restart()
    output = process.communicate(timeout=240)[0]
    assert "Traceback" not in output
    if process.returncode != 0:
        assert "PostgreSQL" in output, output  # one line naming what happened
    held = _consistent(server)
    assert held.get("RESTART-1", 0) in (0, 1)
    rerun = _ingest(server, path)
    output = rerun.communicate(timeout=240)[0]
    assert rerun.returncode == 0, output
    assert _consistent(server) == {"RESTART-1": 1}
