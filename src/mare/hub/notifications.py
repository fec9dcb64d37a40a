"""Notifications to agencies: hits, consent requests and decisions, overrides (no record content)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from mare.store.db import Store

KINDS = ("hit", "consent_request", "consent_decision", "override", "retention", "early_warning")


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to one agency."""

    id: str
    agency: str
    kind: str
    subject: str
    body: str | None
    ref: str | None
    created_at: datetime
    read_at: datetime | None


def notify(store: Store, agency: str, kind: str, subject: str, body: str | None = None,
           ref: str | None = None) -> str:
    """Queue a notification for an agency; returns its id."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    nid = f"N{uuid.uuid4().hex[:16]}"
    store.con.execute("INSERT INTO notifications VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                      [nid, agency, kind, subject, body, ref, datetime.now(UTC).replace(tzinfo=None)])
    return nid


def inbox(store: Store, agency: str, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    """An agency's notifications, newest first (only its own)."""
    sql = ("SELECT id, agency, kind, subject, body, ref, created_at, read_at FROM notifications "
           "WHERE agency = ?" + (" AND read_at IS NULL" if unread_only else "")
           + " ORDER BY created_at DESC, id LIMIT ?")
    return [Notification(*row) for row in store.con.execute(sql, [agency, limit]).fetchall()]


def mark_read(store: Store, agency: str, notification_id: str) -> bool:
    """Mark one of the agency's notifications read; False when it is not theirs."""
    rows = store.con.execute("UPDATE notifications SET read_at = ? WHERE id = ? AND agency = ? "
                             "AND read_at IS NULL RETURNING 1",
                             [datetime.now(UTC).replace(tzinfo=None), notification_id, agency]).fetchall()
    return bool(rows)
