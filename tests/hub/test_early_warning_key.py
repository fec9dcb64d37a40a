"""A warning is unique on (agency, detector, subject, period, start): a weekly and a monthly warning on
the same subject starting the same day are two warnings (migration 10), and a store made before it keeps
its warnings when migrated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from mare.access.policy import Viewer
from mare.analyse.trends import Period, period_index
from mare.hub import early_warning as ew
from mare.hub import warning_series as ws
from mare.hub.context import HubContext
from mare.hub.notifications import inbox
from mare.store.db import Store
from mare.store.migrations import MIGRATIONS, migrate

#: A Monday that is also the 1st of a month: the first day of a month and of an ISO week.
MONDAY_FIRST = dt.date(2026, 6, 1)
SUBJECT = "events on route Central Mediterranean"


def _signal(period: Period) -> ws.Signal:
    start = period_index(MONDAY_FIRST.isoformat(), period)
    assert ws.period_start(start, period) == MONDAY_FIRST
    return ws.Signal("series", SUBJECT, start, "up", 4.0, 12.0, 6.5, f"a {period}ly rise", {}, ("C1:r1",))


def test_a_weekly_and_a_monthly_warning_on_the_same_subject_and_day_are_both_kept(store: Store) -> None:
    with ew.recipient_context(store, "DE-BKA") as system:
        monthly = ew._save(system, _signal("month"), "month")
        weekly = ew._save(system, _signal("week"), "week")
        assert monthly is not None and weekly is not None, "the second period's warning collided"
        assert ew._save(system, _signal("month"), "month") is None  # a re-run still adds nothing
        assert ew._save(system, _signal("week"), "week") is None
    with HubContext(store, Viewer("ana", "DE-BKA", frozenset({"analyst"})), "password") as ctx:
        mine = ew.warnings(ctx)
        notes = [n for n in inbox(ctx) if n.kind == "early_warning"]
    assert sorted((w.period, w.start) for w in mine) == [("month", MONDAY_FIRST), ("week", MONDAY_FIRST)]
    assert {n.ref for n in notes} == {monthly.id, weekly.id}


def test_a_store_from_before_the_new_key_keeps_its_warnings(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute(
        "CREATE TABLE schema_migrations ("
        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    for step in (m for m in MIGRATIONS if m.version <= 9):
        con.execute(step.sql)
        con.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)", [step.version, step.name]
        )
    con.execute(
        "INSERT INTO early_warnings VALUES ('EWold', 'DE-BKA', 'series', ?, 'month', ?, 'up', 4, 12, 6.5, "
        "'old', '{}', ['C1:r1'], now()::TIMESTAMP, NULL, NULL)",
        [SUBJECT, MONDAY_FIRST],
    )
    applied = [m.version for m in migrate(con)]
    assert applied[0] == 10
    assert con.execute("SELECT id, period, start FROM early_warnings").fetchall() == [
        ("EWold", "month", MONDAY_FIRST)
    ]
    con.execute(
        "INSERT INTO early_warnings VALUES ('EWnew', 'DE-BKA', 'series', ?, 'week', ?, 'up', 4, 12, 6.5, "
        "'new', '{}', ['C1:r1'], now()::TIMESTAMP, NULL, NULL)",
        [SUBJECT, MONDAY_FIRST],
    )
    assert con.execute("SELECT count(*) FROM early_warnings").fetchone() == (2,)
    con.close()
