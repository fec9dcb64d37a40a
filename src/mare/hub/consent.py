"""Consent: another agency asks the data owner to release restricted data; the owner decides.

The only override of the data-owner principle is to prevent an imminent threat to life: it
needs a justification and a second person's approval (four eyes), and the owner is told at
once. Who may take each step is the action policy's (`mare.access.policy.allowed`); every step,
and every refusal, is an audit entry written here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mare.access.policy import ActionTarget
from mare.hub.context import HubContext
from mare.hub.notifications import notify
from mare.store.db import Store

MIN_JUSTIFICATION = 10
MIN_OVERRIDE_JUSTIFICATION = 30


class ConsentError(ValueError):
    """A consent step that is not allowed, with the reason."""


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    """A request to release one record to the requester's agency."""

    id: str
    requester: str
    requester_agency: str
    record_uid: str
    owner_agency: str
    purpose: str
    justification: str
    override: bool
    status: str  # pending, granted, refused, awaiting_approval
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    approved_by: str | None


_COLUMNS = (
    "id, requester, requester_agency, record_uid, owner_agency, purpose, justification, override, "
    "status, created_at, decided_by, decided_at, decision_reason, approved_by"
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def get_request(store: Store, request_id: str) -> ConsentRequest:
    """One request by id."""
    row = store.con.execute(f"SELECT {_COLUMNS} FROM consent_requests WHERE id = ?", [request_id]).fetchone()
    if row is None:
        raise ConsentError(f"no consent request {request_id!r}")
    return ConsentRequest(*row)


def _owner_of(ctx: HubContext, record_uid: str, action: str) -> str:
    row = ctx.store.con.execute("SELECT agency FROM records WHERE uid = ?", [record_uid]).fetchone()
    if row is None:
        raise _refused(ctx, action, record_uid, f"no record {record_uid!r}: see `mare records`")
    return str(row[0])


def _refused(ctx: HubContext, action: str, ref: str, message: str) -> ConsentError:
    """Audit a step refused for a reason other than the policy (bad input, wrong status)."""
    ctx.log("override" if "override" in action else "consent", "refused", ref=ref, details={"error": message})
    return ConsentError(message)


def request_consent(
    ctx: HubContext, record_uid: str, justification: str, purpose: str = "crime_fighting"
) -> ConsentRequest:
    """Ask the owner of a record to release it to the viewer's agency; the owner is notified."""
    owner = _owner_of(ctx, record_uid, "consent.request")
    ctx.permit("consent.request", ActionTarget(owner=owner), ref=record_uid)
    if len(justification.strip()) < MIN_JUSTIFICATION:
        raise _refused(
            ctx,
            "consent.request",
            record_uid,
            f"say why you need it (at least {MIN_JUSTIFICATION} characters)",
        )
    viewer = ctx.viewer
    rid = f"R{uuid.uuid4().hex[:12]}"
    ctx.store.con.execute(
        f"INSERT INTO consent_requests ({_COLUMNS}) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, FALSE, 'pending', ?, NULL, NULL, NULL, NULL)",
        [rid, viewer.user, viewer.agency, record_uid, owner, purpose, justification.strip(), _now()],
    )
    notify(
        ctx.store,
        owner,
        "consent_request",
        f"{viewer.agency} asks for record {record_uid}",
        f"Request {rid} by {viewer.user} ({viewer.agency}) for {purpose}: {justification.strip()}",
        ref=rid,
    )
    request = get_request(ctx.store, rid)
    ctx.log(
        "consent",
        "requested",
        resource="record",
        ref=record_uid,
        justification=justification,
        details=event_details(request),
    )
    return request


def _request(ctx: HubContext, request_id: str, action: str) -> ConsentRequest:
    try:
        return get_request(ctx.store, request_id)
    except ConsentError as exc:
        raise _refused(ctx, action, request_id, f"{exc}: see `mare consent list`") from None


def decide(ctx: HubContext, request_id: str, grant: bool, reason: str) -> ConsentRequest:
    """The owner grants or refuses a pending request; the requester is notified."""
    request = _request(ctx, request_id, "consent.decide")
    ctx.permit("consent.decide", ActionTarget(owner=request.owner_agency), ref=request_id)
    if request.status != "pending":
        raise _refused(ctx, "consent.decide", request_id, f"request {request_id} is already {request.status}")
    status = "granted" if grant else "refused"
    ctx.store.con.execute(
        "UPDATE consent_requests SET status = ?, decided_by = ?, decided_at = ?, "
        "decision_reason = ? WHERE id = ?",
        [status, ctx.viewer.user, _now(), reason, request_id],
    )
    notify(
        ctx.store,
        request.requester_agency,
        "consent_decision",
        f"{request.owner_agency} {status} request {request_id}",
        reason or None,
        ref=request_id,
    )
    request = get_request(ctx.store, request_id)
    ctx.log(
        "disclosure" if grant else "consent",
        request.status,
        resource="record",
        ref=request.record_uid,
        justification=reason,
        details={**event_details(request), "recipients": [request.requester_agency] if grant else []},
    )
    return request


def request_override(ctx: HubContext, record_uid: str, justification: str) -> ConsentRequest:
    """Start the imminent-threat-to-life override; it waits for a second person's approval."""
    owner = _owner_of(ctx, record_uid, "consent.override")
    ctx.permit("consent.override", ActionTarget(owner=owner), ref=record_uid)
    if len(justification.strip()) < MIN_OVERRIDE_JUSTIFICATION:
        raise _refused(
            ctx,
            "consent.override",
            record_uid,
            "an override needs a justification of the imminent threat to life "
            f"(at least {MIN_OVERRIDE_JUSTIFICATION} characters)",
        )
    viewer = ctx.viewer
    rid = f"O{uuid.uuid4().hex[:12]}"
    ctx.store.con.execute(
        f"INSERT INTO consent_requests ({_COLUMNS}) VALUES "
        "(?, ?, ?, ?, ?, 'threat_to_life', ?, TRUE, 'awaiting_approval', ?, NULL, NULL, NULL, "
        "NULL)",
        [rid, viewer.user, viewer.agency, record_uid, owner, justification.strip(), _now()],
    )
    request = get_request(ctx.store, rid)
    ctx.log(
        "override",
        "awaiting_approval",
        resource="record",
        ref=record_uid,
        justification=justification,
        details=event_details(request),
    )
    return request


def approve_override(ctx: HubContext, request_id: str) -> ConsentRequest:
    """The second person approves an override: data released, owner notified at once."""
    request = _request(ctx, request_id, "consent.override")
    if not request.override:
        raise _refused(ctx, "consent.override", request_id, f"{request_id} is not an override request")
    ctx.permit(
        "consent.approve",
        ActionTarget(
            owner=request.owner_agency, requester=request.requester, requester_agency=request.requester_agency
        ),
        ref=request_id,
    )
    if request.status != "awaiting_approval":
        raise _refused(
            ctx, "consent.override", request_id, f"override {request_id} is already {request.status}"
        )
    approver = ctx.viewer
    ctx.store.con.execute(
        "UPDATE consent_requests SET status = 'granted', approved_by = ?, decided_by = ?, "
        "decided_at = ?, decision_reason = 'threat-to-life override' WHERE id = ?",
        [approver.user, approver.user, _now(), request_id],
    )
    notify(
        ctx.store,
        request.owner_agency,
        "override",
        f"OVERRIDE: record {request.record_uid} released to {request.requester_agency}",
        f"Imminent threat to life. Requested by {request.requester}, approved by {approver.user}. "
        f"Justification: {request.justification}",
        ref=request_id,
    )
    request = get_request(ctx.store, request_id)
    ctx.log(
        "disclosure",
        "override_granted",
        resource="record",
        ref=request.record_uid,
        justification=request.justification,
        details={**event_details(request), "recipients": [request.requester_agency]},
    )
    return request


def requests_for(ctx: HubContext) -> list[ConsentRequest]:
    """Requests the viewer's agency made or must decide on."""
    agency = ctx.viewer.agency
    rows = ctx.store.con.execute(
        f"SELECT {_COLUMNS} FROM consent_requests WHERE requester_agency = ? "
        "OR owner_agency = ? ORDER BY created_at DESC",
        [agency, agency],
    ).fetchall()
    return [ConsentRequest(*r) for r in rows]


def event_details(request: ConsentRequest) -> dict[str, Any]:
    """What the audit trail keeps of a consent step (no record content)."""
    return {
        "request": request.id,
        "record": request.record_uid,
        "owner": request.owner_agency,
        "requester_agency": request.requester_agency,
        "status": request.status,
        "override": request.override,
        "approved_by": request.approved_by,
    }
