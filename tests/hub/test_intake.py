"""Receiving contributions for a person, and the hub's own processing under named system contexts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders import write_contribution
from mare.access.policy import Viewer
from mare.hub.context import HubContext
from mare.hub.intake import crosscheck_stored, geocode_stored, receive
from mare.ingest.pipeline import IngestOptions
from mare.ingest.sources import find_sources
from mare.store.db import Store


@pytest.fixture(autouse=True)
def _no_rigour_symbols(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARE_NAME_SYMBOLS", "off")


def as_(store: Store, agency: str, role: str = "contributor") -> HubContext:
    return HubContext(store, Viewer("cleo", agency, frozenset({role})), "password")


def _receive(ctx: HubContext, path: Path) -> str:
    (source,), _ = find_sources([path])
    report = receive(ctx, source, IngestOptions())
    return report.status if report.status == "stored" else f"{report.status}: {report.message}"


PEOPLE = [
    {"id": "p1", "kind": "person", "name": "Hasan Ali", "birth_date": "1980-05-05", "birth_place": "Aleppo"},
]


def test_an_agency_contributes_only_its_own_data(store: Store, tmp_path: Path) -> None:
    path = write_contribution(tmp_path / "c.json", PEOPLE, agency="DE-BKA")
    refused = _receive(as_(store, "IT-SCO"), path)
    assert refused.startswith("refused") and "contribute on DE-BKA's data" in refused
    assert store.con.execute("SELECT count(*) FROM records").fetchone() == (0,)
    assert store.con.execute("SELECT count(*) FROM contributions").fetchone() == (0,)
    denied = store.con.execute(
        "SELECT actor_agency, resource, ref FROM audit_log "
        "WHERE action = 'authorisation' AND outcome = 'denied'"
    ).fetchall()
    assert denied == [("IT-SCO", "contribute", "DE-BKA")]
    assert _receive(as_(store, "DE-BKA"), path) == "stored"
    collected = store.con.execute(
        "SELECT actor, outcome FROM audit_log WHERE action = 'collection' ORDER BY seq"
    ).fetchall()
    assert collected[-1] == ("cleo", "stored")


def test_processing_runs_as_a_named_system_context(store: Store, tmp_path: Path) -> None:
    ctx = as_(store, "DE-BKA")
    first = write_contribution(tmp_path / "a.json", PEOPLE, agency="DE-BKA", id="A-1")
    second = write_contribution(
        tmp_path / "b.json",
        [{"id": "q", "kind": "person", "name": "Hassan Aly", "birth_date": "1980-05-05"}],
        agency="DE-BKA",
        id="A-2",
    )
    assert _receive(ctx, first) == "stored" and _receive(ctx, second) == "stored"
    stored = [r[0] for r in store.con.execute("SELECT uid FROM contributions ORDER BY uid").fetchall()]
    crosscheck_stored(ctx, stored, "each")
    geocode_stored(ctx, stored)
    rows = store.con.execute(
        "SELECT actor, actor_agency, action, details FROM audit_log WHERE actor LIKE 'system:%' ORDER BY seq"
    ).fetchall()
    assert [(a, g, act) for a, g, act, _ in rows] == [
        ("system:crosscheck", "HUB", "combination"),
        ("system:crosscheck", "HUB", "combination"),
        ("system:watchlists", "HUB", "combination"),
        ("system:geocode", "HUB", "processing"),
        ("system:geocode", "HUB", "processing"),
    ]
    for *_, details in rows:
        assert json.loads(details)["via"] == "system" and json.loads(details)["on_behalf_of"] == "cleo"
