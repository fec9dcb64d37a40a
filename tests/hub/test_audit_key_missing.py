"""A missing audit key is never silently replaced: reads and writes refuse, naming the file and the
fix; `mare init` makes the key only for an empty trail; with the real key back, the chain verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mare.cli import app
from mare.hub.audit import AuditKeyMissing, AuditLog, audit_key_path
from mare.store.db import open_store

runner = CliRunner()


def _store_with_entries(home: Path) -> bytes:
    with open_store(home) as store:
        log = AuditLog(store)
        for n in range(3):
            log.append(actor="ana", actor_agency="HUB", action="consultation", outcome="full", ref=f"r{n}")
    return audit_key_path(home).read_bytes()


def test_a_new_store_makes_its_key_with_the_first_entry(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert runner.invoke(app, ["init", "--home", str(home)]).exit_code == 0
    assert audit_key_path(home).exists()


def test_no_new_key_while_entries_exist(tmp_path: Path) -> None:
    home = tmp_path / "home"
    key = _store_with_entries(home)
    path = audit_key_path(home)
    backup = tmp_path / "audit.key.backup"
    path.rename(backup)

    with open_store(home) as store, pytest.raises(AuditKeyMissing, match="restore") as caught:
        AuditLog(store).append(actor="ana", actor_agency="HUB", action="consultation", outcome="full")
    assert str(path) in str(caught.value) and "3 entries" in str(caught.value)
    for command in (["stats"], ["audit", "verify"], ["init"]):
        result = runner.invoke(app, [*command, "--home", str(home)], env={"COLUMNS": "500"})
        assert result.exit_code != 0, command
        assert "no audit key" in result.output and "restore" in result.output, (command, result.output)
        assert not path.exists(), f"{command} made a new key"

    backup.rename(path)
    assert path.read_bytes() == key
    verified = runner.invoke(app, ["audit", "verify", "--home", str(home)])
    assert verified.exit_code == 0, verified.output
    with open_store(home) as store:
        assert AuditLog(store).verify().ok
