"""The store and the hub layer on both engines: one test body each, parametrised by backend.

`backend_store` (tests/conftest.py) is DuckDB in the default run and PostgreSQL under `-m postgres`
(a throw-away cluster; the store is the application role's, under row-level security).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from builders import write_contribution
from mare.access.policy import Viewer
from mare.hub.context import HubContext, system_context
from mare.hub.repository import Repository
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store
from mare.store.writer import ContributionRow, PendingWrite
from mare.store.writer import write_contribution as write_rows

PERSONS: list[dict[str, Any]] = [
    {
        "id": "p1",
        "kind": "person",
        "name": "Amanuel Tesfay",
        "birth_date": "1990-02-03",
        "phone": ["+49 151 1234567"],
    },
    {"id": "p2", "kind": "person", "name": "Sara Bekele", "nationality": ["ER"]},
    {"id": "v1", "kind": "vehicle", "plate": "M AB 1234", "country": "DE"},
]
LINKS: list[dict[str, Any]] = [{"id": "k1", "kind": "associate_of", "source": "p1", "target": "p2"}]


def counts(store: Store) -> dict[str, int]:
    with system_context(store, "test"):
        return {
            table: int(store.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in ("contributions", "records", "record_values", "links", "jobs")
        }


def ingest_as(store: Store, path: Path, agency: str) -> Any:
    with HubContext(store, Viewer("clerk", agency), "password"):
        return ingest_file(store, path)


def test_a_contribution_lands_whole_and_a_resend_once(backend_store: Store, tmp_path: Path) -> None:
    path = write_contribution(tmp_path / "c.json", PERSONS, LINKS, id="C-1", agency="DE-BKA")
    first = ingest_as(backend_store, path, "DE-BKA")
    assert first.status == "stored" and not first.rejected, first
    after = counts(backend_store)
    assert after["contributions"] == 1 and after["records"] == 3 and after["links"] == 1
    assert after["record_values"] >= 6
    again = ingest_as(backend_store, path, "DE-BKA")
    assert again.status == "already_received"
    assert counts(backend_store) == after


def test_a_write_that_fails_before_commit_leaves_nothing(backend_store: Store) -> None:
    before = counts(backend_store)
    row = ContributionRow(
        agency="DE-BKA", sender_id="X", format="json", files=[("x.json", "0" * 64, 1)], source_name="x",
        sent_at=None, supersedes=None, handling_code="H0", restrictions=None, evaluation=None,
        crime_areas=[], case_refs=[], language=None,
    )  # fmt: skip

    def boom(calls: int) -> None:
        raise RuntimeError("the audit entry could not be written")

    with system_context(backend_store, "test"), pytest.raises(RuntimeError, match="audit entry"):
        write_rows(backend_store, PendingWrite(row), "CX", 1, datetime.now(UTC), None, before_commit=boom)
    assert counts(backend_store) == before


def test_the_hub_layer_shows_the_owner_everything_and_another_agency_a_hit(
    backend_store: Store, tmp_path: Path
) -> None:
    path = write_contribution(
        tmp_path / "h2.json", PERSONS[:1], id="H2-1", agency="DE-BKA", handling={"code": "H2"}
    )
    report = ingest_as(backend_store, path, "DE-BKA")
    uid = f"{report.contribution}:p1"
    with HubContext(backend_store, Viewer("own", "DE-BKA"), "password") as ctx:
        own = Repository(ctx).record(uid)
    assert own is not None and own.decision.full and own.label == "Amanuel Tesfay"
    assert any(v.original == "+49 151 1234567" for v in own.values)
    with HubContext(backend_store, Viewer("other", "IT-SCO"), "password") as ctx:
        other = Repository(ctx).record(uid)
    assert other is not None and other.decision.visibility == "hit" and other.decision.rule == "h2"
    assert other.label is None and other.values == []
    with HubContext(backend_store, Viewer("admin", "IT-SCO", frozenset({"analyst"})), "password",
                    purpose="administration") as ctx:  # fmt: skip
        view = Repository(ctx).record(uid)
    assert view is None or not view.decision.full


def test_stats_through_the_policy(backend_store: Store, tmp_path: Path) -> None:
    ingest_as(
        backend_store,
        write_contribution(tmp_path / "a.json", PERSONS, LINKS, id="A", agency="DE-BKA"),
        "DE-BKA",
    )
    ingest_as(
        backend_store,
        write_contribution(
            tmp_path / "b.json", PERSONS[1:2], id="B", agency="GR-HP", handling={"code": "H2"}
        ),
        "GR-HP",
    )
    with HubContext(backend_store, Viewer("ana", "DE-BKA"), "password") as ctx:
        stats = Repository(ctx).stats()
    text = str(stats)
    assert "Sara Bekele" not in text
    assert stats


def test_an_erasure_reaches_every_row_whoever_asks(backend_store: Store, tmp_path: Path) -> None:
    from mare.hub.erasure import erase

    a = ingest_as(
        backend_store,
        write_contribution(tmp_path / "a.json", PERSONS, LINKS, id="A", agency="DE-BKA"),
        "DE-BKA",
    )
    ingest_as(
        backend_store,
        write_contribution(
            tmp_path / "b.json", PERSONS[1:2], id="B", agency="GR-HP", handling={"code": "H2"}
        ),
        "GR-HP",
    )
    before = counts(backend_store)
    gone = f"{a.contribution}:p1"
    with HubContext(backend_store, Viewer("dora", "DE-BKA", frozenset({"dpo"})), "password") as ctx:
        report = erase(ctx, [gone], "court order 2026/117, record entered by mistake")
    assert report.values >= 3 and report.links == 1
    after = counts(backend_store)
    assert after["records"] == before["records"] - 1 and after["links"] == before["links"] - 1
    with system_context(backend_store, "test"):
        left = backend_store.con.execute(
            "SELECT count(*) FROM record_values WHERE record_uid = ?", [gone]
        ).fetchone()
        erased = backend_store.con.execute(
            "SELECT count(*) FROM erasures WHERE record_uid = ?", [gone]
        ).fetchone()
        greek = backend_store.con.execute("SELECT count(*) FROM records WHERE agency = 'GR-HP'").fetchone()
    assert left == (0,) and erased == (1,) and greek == (1,)
