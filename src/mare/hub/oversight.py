"""Reading the audit trail on behalf of a supervisor or data-protection officer (LED art. 25).

Verifying the chain and reading its head need `audit.verify` (the hub's supervisor, DPO or admin);
reading or exporting entries needs `audit.read` (the hub's supervisor or DPO: logs are used only for
oversight). Each read of the trail is itself an audit entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from mare.hub.audit import AuditLog, VerifyResult, audit_key
from mare.hub.context import HubContext


def verify(ctx: HubContext, anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Walk the hash chain (and check a noted anchor); the key must exist (it is never made here)."""
    key = audit_key(ctx.store.home, create=False)
    ctx.permit("audit.verify")
    result = AuditLog(ctx.store, key).verify(anchor=anchor)
    ctx.log(
        "consultation",
        "intact" if result.ok else "broken",
        resource="audit trail",
        details={"checked": result.checked, "anchor": list(anchor) if anchor else None},
    )
    return result


def head(ctx: HubContext) -> tuple[int, str] | None:
    """Sequence number and hash of the last entry."""
    ctx.permit("audit.verify")
    return AuditLog(ctx.store).head()


def entries(ctx: HubContext, limit: int, action: str | None = None) -> Iterator[dict[str, Any]]:
    """The latest entries, newest first."""
    ctx.permit("audit.read")
    ctx.log("consultation", "full", resource="audit trail", details={"limit": limit, "action": action})
    yield from AuditLog(ctx.store).entries(limit=limit, action=action, newest_first=True)


def export(ctx: HubContext, out: Path, since: datetime, until: datetime) -> int:
    """Write a period's entries to `out` as JSON lines with a verification summary; returns the count.
    Nothing is created when the action is refused or the audit key is missing."""
    ctx.permit("audit.read")
    key = audit_key(ctx.store.home, create=False)
    ctx.log(
        "disclosure",
        "exported",
        resource="audit trail",
        details={"from": since.isoformat(), "to": until.isoformat(), "recipients": ["supervisory authority"]},
    )
    try:
        with out.open("w", encoding="utf-8") as handle:
            return AuditLog(ctx.store, key).export_jsonl(handle, since, until)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
