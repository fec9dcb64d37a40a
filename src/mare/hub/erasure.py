"""Erasing records now, on behalf of a data-protection officer or administrator.

Who may erase is the action policy's (`erase`: the dpo or admin role; the hub's for any record, an
agency's for its own). Every record is checked before anything is removed: one refusal refuses
the whole request, and nothing is erased. The erasure itself (`mare.store.erasure`) removes the
records, their values, links, derived data and raw copies in one transaction with its audit entry,
then rewrites the file. A compaction a crash left pending is finished first.
"""

from __future__ import annotations

from mare.access.policy import ActionTarget
from mare.hub.context import HubContext
from mare.store.erasure import ErasureReport, compact, erase_records, finish_erasure


def erase(ctx: HubContext, uids: list[str], reason: str) -> ErasureReport:
    """Erase these records everywhere, if this person may; audited with counts, never content."""
    if len(reason.strip()) < 10:
        raise ValueError("erasure needs its legal ground (--reason, at least 10 characters)")
    owners = dict(
        ctx.store.con.execute(
            "SELECT uid, agency FROM records WHERE uid IN (SELECT unnest(?))", [uids]
        ).fetchall()
    )
    missing = [u for u in uids if u not in owners]
    if missing:
        raise ValueError(f"no record {missing[0]!r}: see `mare records` (nothing was erased)")
    for uid in uids:
        ctx.permit("erase", ActionTarget(owner=owners[uid]), ref=uid)
    finish_erasure(ctx.store)

    def audit(report: ErasureReport) -> None:
        ctx.log(
            "erasure",
            "done",
            resource="record",
            justification=reason,
            details={
                "records": uids,
                "values": report.values,
                "links": report.links,
                "raw_files_rewritten": report.raw_files_rewritten,
                "derived": report.derived,
            },
        )

    report = erase_records(ctx.store, uids, ctx.viewer.user, reason, before_commit=audit)
    compact(ctx.store)
    return report
