"""Retention (LED art. 5 and national law): review dates, extensions with reasons, erasure.

Each record gets a review date when it is stored: three years after processing starts by
default, configurable per person category in $MARE_HOME/retention.yaml, e.g.::

    default_days: 1096
    by_category: {victim: 730, witness: 730}

Keeping a record past its review needs a recorded reason (`extend`); without a decision the
record is erased by `run_retention` (scheduled daily, or `mare retention run`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from mare.store.db import Store
from mare.store.erasure import ErasureReport, compact, erase_records

DEFAULT_DAYS = 3 * 365 + 1
CONFIG_NAME = "retention.yaml"


class RetentionError(ValueError):
    """A retention request that cannot be carried out (with the fix)."""


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long records are kept before their first review."""

    default_days: int = DEFAULT_DAYS
    by_category: dict[str, int] = field(default_factory=dict)

    def review_date(self, received: date, category: str | None) -> date:
        """The review date for a record of this category received on this day."""
        days = self.by_category.get(category or "", self.default_days)
        return received + timedelta(days=days)


def load_policy(home: Path) -> RetentionPolicy:
    """The retention policy of this hub (defaults when no retention.yaml)."""
    path = home / CONFIG_NAME
    if not path.is_file():
        return RetentionPolicy()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    by_category = {str(k): int(v) for k, v in (data.get("by_category") or {}).items()}
    if any(v <= 0 for v in by_category.values()):
        raise RetentionError(f"{path}: periods must be positive numbers of days")
    return RetentionPolicy(int(data.get("default_days", DEFAULT_DAYS)), by_category)


@dataclass(frozen=True, slots=True)
class DueRecord:
    """A record whose review date has come (metadata only)."""

    uid: str
    kind: str
    agency: str
    category: str | None
    review_at: date
    extensions: int


def due(store: Store, on: date | None = None, agency: str | None = None) -> list[DueRecord]:
    """Records whose review date is on or before `on` (today by default)."""
    day = on or datetime.now(UTC).date()
    sql = ("SELECT r.uid, r.kind, r.agency, r.category, r.review_at, "
           "(SELECT count(*) FROM retention_decisions d WHERE d.record_uid = r.uid AND d.action = 'extend') "
           "FROM records r WHERE r.review_at <= ?")
    params: list[Any] = [day]
    if agency:
        sql += " AND r.agency = ?"
        params.append(agency)
    rows = store.con.execute(sql + " ORDER BY r.review_at, r.uid", params).fetchall()
    return [DueRecord(u, k, a, c, r, int(n)) for u, k, a, c, r, n in rows]


def extend(store: Store, record_uid: str, until: date, reason: str, decided_by: str) -> date:
    """Keep a record until a later review date; the reason is required and recorded."""
    if len(reason.strip()) < 10:
        raise RetentionError("extending retention needs a recorded reason (at least 10 characters)")
    row = store.con.execute("SELECT review_at FROM records WHERE uid = ?", [record_uid]).fetchone()
    if row is None:
        raise RetentionError(f"no record {record_uid!r}")
    if until <= row[0]:
        raise RetentionError(f"the new review date {until} must be after the current one {row[0]}")
    store.con.execute("BEGIN TRANSACTION")
    try:
        store.con.execute("INSERT INTO retention_decisions VALUES (?, ?, ?, 'extend', ?, ?, ?)",
                          [record_uid, decided_by, datetime.now(UTC).replace(tzinfo=None), reason.strip(),
                           row[0], until])
        store.con.execute("UPDATE records SET review_at = ? WHERE uid = ?", [until, record_uid])
        store.con.execute("COMMIT")
    except BaseException:
        store.con.execute("ROLLBACK")
        raise
    return until


def run_retention(store: Store, decided_by: str, on: date | None = None,
                  compact_after: bool = True) -> tuple[list[DueRecord], ErasureReport]:
    """Erase every record whose review date has passed without an extension."""
    records = due(store, on)
    report = erase_records(store, [r.uid for r in records], decided_by,
                           reason=f"retention review due on or before {on or datetime.now(UTC).date()}")
    if records and compact_after:
        compact(store)
    return records, report
