"""Leak matrix: every read path that returns hub data, for a viewer of another agency.

One table of cases: add each new data-returning function or command here. For agency B,
agency A's H2 records, H3-restricted records and minors' records answer hit/no-hit only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Viewer
from mare.cli import app
from mare.hub.context import HubContext
from mare.hub.repository import Repository
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store

SECRET_NAMES = ["Zaher Restricted", "Yasmin Minor", "Waleed Denied"]
OPEN_NAME = "Omar Open"
B = Viewer("bob", "IT-SCO", frozenset({"analyst"}))


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    ingest_file(
        store,
        write_contribution(
            tmp_path / "h2.json",
            [{"id": "p1", "kind": "person", "name": SECRET_NAMES[0], "phone": "+4915111111111"}],
            id="A-H2",
            handling={"code": "H2"},
        ),
    )
    ingest_file(
        store,
        write_contribution(
            tmp_path / "minor.json",
            [{"id": "p1", "kind": "person", "name": SECRET_NAMES[1], "minor": True, "category": "victim"}],
            id="A-MINOR",
            handling={"code": "H0"},
        ),
    )
    ingest_file(
        store,
        write_contribution(
            tmp_path / "h3.json",
            [
                {"id": "p1", "kind": "person", "name": SECRET_NAMES[2]},
                {"id": "ph1", "kind": "phone", "number": "+4915122222222"},
            ],
            links=[{"kind": "uses_phone", "source": "p1", "target": "ph1"}],
            id="A-H3",
            handling={"code": "H3", "restrictions": {"agencies_denied": ["IT-SCO"]}},
        ),
    )
    ingest_file(
        store,
        write_contribution(
            tmp_path / "open.json",
            [{"id": "p1", "kind": "person", "name": OPEN_NAME}],
            id="A-OPEN",
            handling={"code": "H0"},
        ),
    )
    return store


def _all_uids(store: Store) -> list[str]:
    return [r[0] for r in store.con.execute("SELECT uid FROM records ORDER BY uid").fetchall()]


def _repo_paths(store: Store) -> dict[str, Callable[[], Any]]:
    repo = Repository(HubContext(store, B, "password"))
    uids = _all_uids(store)
    contributions = [r[0] for r in store.con.execute("SELECT uid FROM contributions").fetchall()]
    return {
        "Repository.record": lambda: [repo.record(u).as_dict() for u in uids],  # type: ignore[union-attr]
        "Repository.records": lambda: [v.as_dict() for v in repo.records(limit=1000)],
        "Repository.record_values": lambda: [
            [v.as_dict(), [x.original for x in v.values]] for v in repo.record_values("person")
        ],
        "Repository.contribution": lambda: [repo.contribution(c) for c in contributions],
        "Repository.stats": repo.stats,
    }


def _cli_paths(store: Store, tmp_path: Path) -> dict[str, list[str]]:
    home = str(store.home)
    uids = _all_uids(store)
    out = tmp_path / "export.csv"
    return {
        "mare show record": ["show", "record", uids[0], "--home", home, "--as-agency", "IT-SCO", "--json"],
        "mare show record (all)": ["show", "record", uids[-1], "--home", home, "--as-agency", "IT-SCO"],
        "mare records": ["records", "--home", home, "--as-agency", "IT-SCO", "--json", "--limit", "999"],
        "mare export": ["export", "person", "-o", str(out), "--home", home, "--as-agency", "IT-SCO"],
        "mare stats": ["stats", "--home", home, "--json"],
        "mare documents --hub": ["documents", "--hub", "--home", home, "--as-agency", "IT-SCO", "--json"],
    }


def test_repository_paths_leak_nothing(loaded: Store) -> None:
    for name, read in _repo_paths(loaded).items():
        text = json.dumps(read(), ensure_ascii=False, default=str)
        for secret in SECRET_NAMES:
            assert secret not in text, f"{name} leaks {secret}"
        if name in ("Repository.records", "Repository.record"):
            assert OPEN_NAME in text, f"{name} should show H0 data to an analyst"
            assert "hit" in text


def test_cli_paths_leak_nothing(loaded: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    paths = _cli_paths(loaded, tmp_path)
    loaded.close()
    for name, args in paths.items():
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (name, result.output)
        text = result.output
        if name == "mare export":
            text += (tmp_path / "export.csv").read_text(encoding="utf-8")
        for secret in SECRET_NAMES:
            assert secret not in text, f"{name} leaks {secret}"
    _denials_are_audited(loaded.home)


def _denials_are_audited(home: Path) -> None:
    from mare.store.db import open_store

    with open_store(home) as store:
        secret_uids = {
            r[0]
            for r in store.con.execute(
                "SELECT uid FROM records WHERE contribution IN (SELECT uid FROM contributions "
                "WHERE sender_id IN ('A-H2', 'A-MINOR', 'A-H3')) AND kind = 'person'"
            ).fetchall()
        }
        denied = {
            r[0]
            for r in store.con.execute(
                "SELECT ref FROM audit_log WHERE action = 'authorisation' AND outcome = 'hit' "
                "AND actor_agency = 'IT-SCO'"
            ).fetchall()
        }
        from mare.hub.audit import AuditLog

        assert AuditLog(store).verify().ok
    assert secret_uids and secret_uids <= denied, "every denied attempt must be in the audit trail"


def test_linked_phone_of_denied_record_is_withheld(loaded: Store) -> None:
    uid = next(u for u in _all_uids(loaded) if u.endswith(":ph1"))
    view = Repository(HubContext(loaded, B, "password")).record(uid)
    assert view is not None and view.decision.visibility == "hit"
    assert "+4915122222222" not in json.dumps(view.as_dict())
