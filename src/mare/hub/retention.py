"""Retention reviews on behalf of a person: records due, extensions with reasons, erasure.

Keeping a record past its review needs a recorded reason (`extend`); without a decision the
record is erased by `run_retention` (scheduled daily, or `mare retention run`). The periods are
the rules in `mare.access.retention_rules`; who may list, extend and run is the action policy's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from mare.access.policy import ActionTarget
from mare.access.retention_rules import RetentionError
from mare.hub.context import HubContext
from mare.store.erasure import ErasureReport, compact, erase_records, finish_erasure


@dataclass(frozen=True, slots=True)
class DueRecord:
    """A record whose review date has come (metadata only)."""

    uid: str
    kind: str
    agency: str
    category: str | None
    review_at: date
    extensions: int


def due(ctx: HubContext, on: date | None = None, agency: str | None = None) -> list[DueRecord]:
    """Records whose review date is on or before `on` (today by default): all agencies' for the hub's
    staff, the viewer's own agency's for anyone else."""
    if not ctx.viewer.is_hub:
        agency = agency or ctx.viewer.agency
    ctx.permit("retention.read", ActionTarget(owner=agency) if agency or not ctx.viewer.is_hub else None)
    rows = _due(ctx, on, agency)
    ctx.log(
        "consultation",
        "full" if rows else "empty",
        resource="retention due",
        details={"agency": agency, "records": len(rows)},
    )
    return rows


def _due(ctx: HubContext, on: date | None, agency: str | None) -> list[DueRecord]:
    day = on or datetime.now(UTC).date()
    sql = (
        "SELECT r.uid, r.kind, r.agency, r.category, r.review_at, "
        "(SELECT count(*) FROM retention_decisions d WHERE d.record_uid = r.uid AND d.action = 'extend') "
        "FROM records r WHERE r.review_at <= ?"
    )
    params: list[Any] = [day]
    if agency:
        sql += " AND r.agency = ?"
        params.append(agency)
    rows = ctx.store.con.execute(sql + " ORDER BY r.review_at, r.uid", params).fetchall()
    return [DueRecord(u, k, a, c, r, int(n)) for u, k, a, c, r, n in rows]


def extend(ctx: HubContext, record_uid: str, until: date, reason: str) -> date:
    """Keep a record until a later review date; the reason is required and recorded."""
    row = ctx.store.con.execute(
        "SELECT review_at, agency FROM records WHERE uid = ?", [record_uid]
    ).fetchone()
    if row is None:
        raise RetentionError(f"no record {record_uid!r}: see `mare retention due`")
    ctx.permit("retention.extend", ActionTarget(owner=row[1]), ref=record_uid)
    if len(reason.strip()) < 10:
        raise RetentionError("extending retention needs a recorded reason (at least 10 characters)")
    decided_by = ctx.viewer.user
    if until <= row[0]:
        raise RetentionError(f"the new review date {until} must be after the current one {row[0]}")
    ctx.store.con.execute("BEGIN TRANSACTION")
    try:
        ctx.store.con.execute(
            "INSERT INTO retention_decisions VALUES (?, ?, ?, 'extend', ?, ?, ?)",
            [record_uid, decided_by, datetime.now(UTC).replace(tzinfo=None), reason.strip(), row[0], until],
        )
        ctx.store.con.execute("UPDATE records SET review_at = ? WHERE uid = ?", [until, record_uid])
        ctx.store.con.execute("COMMIT")
    except BaseException:
        ctx.store.con.execute("ROLLBACK")
        raise
    ctx.log(
        "retention",
        "extended",
        resource="record",
        ref=record_uid,
        justification=reason,
        details={"until": until.isoformat()},
    )
    return until


def run_retention(
    ctx: HubContext, on: date | None = None, compact_after: bool = True
) -> tuple[list[DueRecord], ErasureReport]:
    """Erase every record whose review date has passed without an extension."""
    ctx.permit("retention.run")
    finish_erasure(ctx.store)
    records = _due(ctx, on, None)
    uids = [r.uid for r in records]

    def audit(report: ErasureReport) -> None:
        ctx.log(
            "erasure",
            "done",
            resource="record",
            justification="retention review due",
            details={
                "records": uids,
                "values": report.values,
                "links": report.links,
                "raw_files_rewritten": report.raw_files_rewritten,
                "derived": report.derived,
            },
        )

    report = erase_records(
        ctx.store,
        uids,
        ctx.viewer.user,
        reason=f"retention review due on or before {on or datetime.now(UTC).date()}",
        before_commit=audit,
    )
    if not records:
        audit(report)
    elif compact_after:
        compact(ctx.store)
    return records, report
