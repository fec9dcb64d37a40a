"""Derived data is a resumable job kept in the store: a crash leaves it pending, the next run
completes it; a contribution and its collection audit entry commit together; `mare doctor`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Viewer
from mare.cli import app
from mare.hub.audit import AuditLog, audit_key_path
from mare.hub.context import HubContext
from mare.hub.intake import crosscheck_stored, receive
from mare.ingest.pipeline import IngestOptions
from mare.ingest.sources import find_sources
from mare.store.db import Store, open_store
from mare.store.jobs import job_counts, pending_jobs

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_rigour_symbols(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARE_NAME_SYMBOLS", "off")


def _ctx(store: Store, agency: str) -> HubContext:
    return HubContext(store, Viewer("cleo", agency, frozenset({"contributor"})), "password")


def _two(store: Store, tmp_path: Path) -> list[str]:
    """Two agencies' contributions sharing a phone (an identifier hit), stored but not cross-checked."""
    stored = []
    for agency, name in (("DE-BKA", "Hasan Ali"), ("IT-SCO", "Hassan Aly")):
        path = write_contribution(
            tmp_path / f"{agency}.json",
            [
                {
                    "id": "p1",
                    "kind": "person",
                    "name": name,
                    "phone": "+4915112345678",
                    "birth_date": "1980-05-05",
                }
            ],
            agency=agency,
            id=f"{agency}-1",
        )
        (source,), _ = find_sources([path])
        report = receive(_ctx(store, agency), source, IngestOptions())
        assert report.status == "stored"
        stored.append(str(report.contribution))
    return stored


def test_a_crashed_crosscheck_stays_pending_and_the_next_run_completes_it(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = _two(store, tmp_path)
    assert pending_jobs(store.con, "crosscheck") == stored

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr("mare.resolve.crosscheck.record_hits", crash)
    with pytest.raises(KeyboardInterrupt):
        crosscheck_stored(_ctx(store, "DE-BKA"), stored, "each")
    monkeypatch.undo()
    monkeypatch.setenv("MARE_NAME_SYMBOLS", "off")
    assert pending_jobs(store.con, "crosscheck") == stored  # the first one rolled back whole
    assert store.con.execute("SELECT count(*) FROM person_features").fetchone() == (0,)

    crosscheck_stored(_ctx(store, "DE-BKA"), [], "auto")  # the next ingest: nothing new, the rest pending
    assert pending_jobs(store.con, "crosscheck") == [] and pending_jobs(store.con, "watchlists") == []
    assert store.con.execute("SELECT count(*) FROM hits").fetchone() != (0,)
    assert store.con.execute("SELECT count(*) FROM notifications WHERE kind = 'hit'").fetchone() != (0,)
    done = store.con.execute(
        "SELECT ref FROM audit_log WHERE action = 'combination' AND actor = 'system:crosscheck' ORDER BY seq"
    ).fetchall()
    assert [r[0] for r in done] == stored
    assert AuditLog(store).verify().ok


def test_a_contribution_and_its_audit_entry_commit_together(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = AuditLog.append

    def failing(self: AuditLog, **entry: object) -> int:
        if entry.get("action") == "collection":
            raise KeyboardInterrupt("killed before the audit entry")
        return original(self, **entry)  # type: ignore[arg-type]

    monkeypatch.setattr(AuditLog, "append", failing)
    path = write_contribution(tmp_path / "c.json", [{"id": "p1", "kind": "person", "name": "Hasan Ali"}])
    (source,), _ = find_sources([path])
    with pytest.raises(KeyboardInterrupt):
        receive(_ctx(store, "DE-BKA"), source, IngestOptions())
    assert store.con.execute("SELECT count(*) FROM contributions").fetchone() == (0,)
    assert store.con.execute("SELECT count(*) FROM records").fetchone() == (0,)
    assert job_counts(store.con) == {}


def _doctor(home: Path, *args: str) -> tuple[int, dict[str, dict[str, object]]]:
    result = runner.invoke(app, ["doctor", "--home", str(home), "--json", *args])
    data = json.loads(result.stdout)
    assert data["ok"] == all(c["ok"] for c in data["checks"])
    return result.exit_code, {c["name"]: c for c in data["checks"]}


def test_doctor_finds_and_repairs_what_a_crash_left(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with open_store(home) as store:
        stored = _two(store, tmp_path)
        orphan, _ = store.archive.put_bytes(b"bytes of a contribution never committed")
        (store.archive.root / "ab").mkdir(exist_ok=True)
        (store.archive.root / "ab" / ".abcdef.123.tmp").write_bytes(b"half a file")
        (home / ".mare.duckdb.compact").write_bytes(b"half a copy")
    code, checks = _doctor(home)
    assert code == 0  # nothing needs a person: --repair fixes it all
    assert checks["migrations"]["ok"] and checks["audit"]["ok"]
    assert not checks["derived data"]["ok"] and checks["derived data"]["repairable"]
    assert "2 crosscheck" in str(checks["derived data"]["detail"])
    assert not checks["files"]["ok"] and "1 orphan raw file(s), 2 temporary" in str(checks["files"]["detail"])

    code, checks = _doctor(home, "--repair")
    assert code == 0, checks
    assert "2 crosscheck" in str(checks["derived data"]["repaired"])
    assert checks["files"]["repaired"] == "removed 3 file(s)"
    with open_store(home) as store:
        assert job_counts(store.con) == {}
        assert not store.archive.path_for(orphan).exists()
        assert store.con.execute("SELECT count(*) FROM hits").fetchone() != (0,)
        assert {
            r[0] for r in store.con.execute("SELECT contribution FROM person_features").fetchall()
        } == set(stored)
        assert AuditLog(store).verify().ok
    code, checks = _doctor(home)
    assert code == 0 and all(c["ok"] for c in checks.values())


def test_doctor_without_the_audit_key_repairs_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with open_store(home) as store:
        _two(store, tmp_path)
    audit_key_path(home).rename(tmp_path / "key.backup")
    code, checks = _doctor(home, "--repair")
    assert code == 1 and not checks["audit"]["ok"]
    assert "no audit key" in str(checks["audit"]["detail"]) and "nothing else was repaired" in str(
        checks["audit"]["fix"]
    )
    assert checks["derived data"]["repaired"] is None and not audit_key_path(home).exists()
