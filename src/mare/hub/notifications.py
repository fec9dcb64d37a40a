"""Notifications to agencies: hits, watchlist alerts, early warnings, consent requests and decisions.

What is stored never quotes a record: a hit notification keeps only the hit's id, an alert
notification only the alert's id (its text: `hub.watchlists.alert_text`). Its text is
written when it is read, for the reader, through the policy (`HubContext.decide`): the other side's
label and the shared value only where that reader may see the other record in full, otherwise
hit/no-hit (that a match exists, whom to ask, and why no more is said). A contributor of the owner
agency and an analyst of the same agency may therefore read different texts of one notification.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from mare.access.policy import DataMeta
from mare.hub.context import HubContext, record_meta
from mare.store.db import Store

KINDS = ("hit", "consent_request", "consent_decision", "override", "retention", "early_warning", "alert")


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to one agency, as its reader may see it."""

    id: str
    agency: str
    kind: str
    subject: str
    body: str | None
    ref: str | None
    created_at: datetime
    read_at: datetime | None


def notify(
    store: Store, agency: str, kind: str, subject: str, body: str | None = None, ref: str | None = None
) -> str:
    """Queue a notification for an agency; returns its id (callers never put record content in it)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    nid = f"N{uuid.uuid4().hex[:16]}"
    store.con.execute(
        "INSERT INTO notifications VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
        [nid, agency, kind, subject, body, ref, datetime.now(UTC).replace(tzinfo=None)],
    )
    return nid


_Side = tuple[str, DataMeta, str | None]  # uid, meta, label


def _side(ctx: HubContext, uid: str) -> _Side | None:
    found = record_meta(ctx.store, uid)
    return None if found is None else (uid, found[0], found[1])


def _hit_text(ctx: HubContext, hit_id: str, agency: str) -> tuple[str, str] | None:
    """Subject and body of a hit notification for this reader (None when the hit is gone, or one of its
    records is a version its owner replaced)."""
    row = ctx.store.con.execute(
        "SELECT kind, basis, left_uid, right_uid, left_agency, match_probability FROM hits WHERE id = ?",
        [hit_id],
    ).fetchone()
    if row is None:
        return None
    kind, basis, left, right, left_agency, probability = row
    own_uid, other_uid = (left, right) if left_agency == agency else (right, left)
    own, other = _side(ctx, own_uid), _side(ctx, other_uid)
    if own is None or other is None:
        return None
    own_decision = ctx.decide("record", own_uid, own[1])
    other_decision = ctx.decide("record", other_uid, other[1])
    if "superseded" in (own_decision.rule, other_decision.rule):  # a replaced version's hit is history
        return None
    own_name = (own[2] or own_uid) if own_decision.full else own_uid
    who = "another of your contributions" if other[1].owner == agency else other[1].owner
    what = "shares an identifier with" if kind == "identifier" else "matches"
    subject = f"Cross-check hit: your {own[1].kind} {own_name} {what} a record of {who}"
    if other_decision.full:
        field, _, value = basis.partition(":")
        detail = (
            f"Shared {field}: {value}"
            if kind == "identifier"
            else f"Person match ({'confirmed by an analyst' if basis == 'judged_same' else 'automatic'}"
            + (f", probability {probability:.3f}" if probability else "")
            + ")"
        )
        body = (
            f"{detail}. Matched record: {other_uid} ({other[2] or other[1].kind}), held by "
            f"{other[1].owner}. " + " ".join(other_decision.caveats)
        )
    else:
        body = (
            f"A match exists with data held by {other[1].owner}. Those data are restricted, so only the "
            f"hit is reported: {other_decision.reason}. Quote hit {hit_id} when you ask {other[1].owner}."
        )
    return subject, body.strip()


def _alert(ctx: HubContext, alert_id: str) -> tuple[str, str] | None:
    """A watchlist alert's text for this reader (`hub.watchlists`, which itself notifies: imported here)."""
    from mare.hub.watchlists import alert_text

    return alert_text(ctx, alert_id)


def _early_warning(ctx: HubContext, warning_id: str) -> tuple[str, str] | None:
    """An early warning's text for this reader (`hub.early_warning`, which itself notifies: imported here)."""
    from mare.hub.early_warning import warning_text

    return warning_text(ctx, warning_id)


def rendered(ctx: HubContext, note: Notification) -> Notification | None:
    """A notification written for this reader (None when what it refers to is gone)."""
    texts = {"hit": lambda ref: _hit_text(ctx, ref, ctx.viewer.agency), "alert": lambda ref: _alert(ctx, ref),
             "early_warning": lambda ref: _early_warning(ctx, ref)}  # fmt: skip
    if note.kind not in texts or not note.ref:
        return note
    text = texts[note.kind](note.ref)
    if text is None:
        return None
    return Notification(
        note.id, note.agency, note.kind, text[0], text[1], note.ref, note.created_at, note.read_at
    )


def inbox(ctx: HubContext, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    """The reader's agency's notifications, newest first, each written for this reader."""
    ctx.permit("notifications.read")
    sql = (
        "SELECT id, agency, kind, subject, body, ref, created_at, read_at FROM notifications "
        "WHERE agency = ?"
        + (" AND read_at IS NULL" if unread_only else "")
        + " ORDER BY created_at DESC, id LIMIT ?"
    )
    items = []
    for row in ctx.store.con.execute(sql, [ctx.viewer.agency, limit]).fetchall():
        note = rendered(ctx, Notification(*row))
        if note is not None:
            items.append(note)
    return items


def mark_read(ctx: HubContext, notification_id: str) -> bool:
    """Mark one of the reader's agency's notifications read; False when it is not theirs or already read."""
    ctx.permit("notifications.read", ref=notification_id)
    rows = ctx.store.con.execute(
        "UPDATE notifications SET read_at = ? WHERE id = ? AND agency = ? AND read_at IS NULL RETURNING 1",
        [datetime.now(UTC).replace(tzinfo=None), notification_id, ctx.viewer.agency],
    ).fetchall()
    if not rows:
        addressee = ctx.store.con.execute(
            "SELECT agency FROM notifications WHERE id = ?", [notification_id]
        ).fetchone()
        if addressee is None or addressee[0] != ctx.viewer.agency:  # another agency's (or none): a denial
            ctx.refuse(
                "notifications.read",
                "own-agency",
                f"no notification {notification_id!r} addressed to {ctx.viewer.agency}",
                ref=notification_id,
            )
    return bool(rows)
