"""Consent: another agency asks the data owner to release restricted data; the owner decides.

The only override of the data-owner principle is to prevent an imminent threat to life: it
needs a justification and a second person's approval (four eyes), and the owner is told at
once. Every step is returned as an event for the audit trail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mare.access.policy import Viewer
from mare.hub.notifications import notify
from mare.store.db import Store

MIN_JUSTIFICATION = 10
MIN_OVERRIDE_JUSTIFICATION = 30
DECIDING_ROLES = ("contributor", "supervisor", "admin")
APPROVING_ROLES = ("supervisor", "admin")


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


_COLUMNS = ("id, requester, requester_agency, record_uid, owner_agency, purpose, justification, override, "
            "status, created_at, decided_by, decided_at, decision_reason, approved_by")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def get_request(store: Store, request_id: str) -> ConsentRequest:
    """One request by id."""
    row = store.con.execute(f"SELECT {_COLUMNS} FROM consent_requests WHERE id = ?", [request_id]).fetchone()
    if row is None:
        raise ConsentError(f"no consent request {request_id!r}")
    return ConsentRequest(*row)


def _owner_of(store: Store, record_uid: str) -> str:
    row = store.con.execute("SELECT agency FROM records WHERE uid = ?", [record_uid]).fetchone()
    if row is None:
        raise ConsentError(f"no record {record_uid!r}")
    return str(row[0])


def request_consent(store: Store, viewer: Viewer, record_uid: str, justification: str,
                    purpose: str = "crime_fighting") -> ConsentRequest:
    """Ask the owner of a record to release it to the viewer's agency; the owner is notified."""
    owner = _owner_of(store, record_uid)
    if owner == viewer.agency:
        raise ConsentError("your agency owns this record: no consent is needed")
    if len(justification.strip()) < MIN_JUSTIFICATION:
        raise ConsentError(f"say why you need it (at least {MIN_JUSTIFICATION} characters)")
    rid = f"R{uuid.uuid4().hex[:12]}"
    store.con.execute(f"INSERT INTO consent_requests ({_COLUMNS}) VALUES "
                      "(?, ?, ?, ?, ?, ?, ?, FALSE, 'pending', ?, NULL, NULL, NULL, NULL)",
                      [rid, viewer.user, viewer.agency, record_uid, owner, purpose, justification.strip(),
                       _now()])
    notify(store, owner, "consent_request", f"{viewer.agency} asks for record {record_uid}",
           f"Request {rid} by {viewer.user} ({viewer.agency}) for {purpose}: {justification.strip()}",
           ref=rid)
    return get_request(store, rid)


def decide(store: Store, decider: Viewer, request_id: str, grant: bool, reason: str) -> ConsentRequest:
    """The owner grants or refuses a pending request; the requester is notified."""
    request = get_request(store, request_id)
    if decider.agency != request.owner_agency:
        raise ConsentError(f"only the owner ({request.owner_agency}) decides on this request")
    if not decider.has(*DECIDING_ROLES):
        raise ConsentError(f"deciding needs one of the roles {', '.join(DECIDING_ROLES)}")
    if request.status != "pending":
        raise ConsentError(f"request {request_id} is already {request.status}")
    status = "granted" if grant else "refused"
    store.con.execute("UPDATE consent_requests SET status = ?, decided_by = ?, decided_at = ?, "
                      "decision_reason = ? WHERE id = ?", [status, decider.user, _now(), reason, request_id])
    notify(store, request.requester_agency, "consent_decision",
           f"{request.owner_agency} {status} request {request_id}", reason or None, ref=request_id)
    return get_request(store, request_id)


def request_override(store: Store, viewer: Viewer, record_uid: str, justification: str) -> ConsentRequest:
    """Start the imminent-threat-to-life override; it waits for a second person's approval."""
    owner = _owner_of(store, record_uid)
    if owner == viewer.agency:
        raise ConsentError("your agency owns this record: no override is needed")
    if len(justification.strip()) < MIN_OVERRIDE_JUSTIFICATION:
        raise ConsentError("an override needs a justification of the imminent threat to life "
                           f"(at least {MIN_OVERRIDE_JUSTIFICATION} characters)")
    rid = f"O{uuid.uuid4().hex[:12]}"
    store.con.execute(f"INSERT INTO consent_requests ({_COLUMNS}) VALUES "
                      "(?, ?, ?, ?, ?, 'threat_to_life', ?, TRUE, 'awaiting_approval', ?, NULL, NULL, NULL, "
                      "NULL)",
                      [rid, viewer.user, viewer.agency, record_uid, owner, justification.strip(), _now()])
    return get_request(store, rid)


def approve_override(store: Store, approver: Viewer, request_id: str) -> ConsentRequest:
    """The second person approves an override: data released, owner notified at once."""
    request = get_request(store, request_id)
    if not request.override:
        raise ConsentError(f"{request_id} is not an override request")
    if request.status != "awaiting_approval":
        raise ConsentError(f"override {request_id} is already {request.status}")
    if approver.user == request.requester:
        raise ConsentError("four eyes: the override must be approved by a second person")
    if not approver.has(*APPROVING_ROLES):
        raise ConsentError(f"approving an override needs one of the roles {', '.join(APPROVING_ROLES)}")
    if approver.agency not in (request.requester_agency, "HUB"):
        raise ConsentError("the approver must belong to the requesting agency or the hub")
    store.con.execute("UPDATE consent_requests SET status = 'granted', approved_by = ?, decided_by = ?, "
                      "decided_at = ?, decision_reason = 'threat-to-life override' WHERE id = ?",
                      [approver.user, approver.user, _now(), request_id])
    notify(store, request.owner_agency, "override",
           f"OVERRIDE: record {request.record_uid} released to {request.requester_agency}",
           f"Imminent threat to life. Requested by {request.requester}, approved by {approver.user}. "
           f"Justification: {request.justification}", ref=request_id)
    return get_request(store, request_id)


def granted_records(store: Store, agency: str) -> set[str]:
    """Record uids released to this agency by consent or approved override."""
    rows = store.con.execute("SELECT record_uid FROM consent_requests WHERE requester_agency = ? "
                             "AND status = 'granted'", [agency]).fetchall()
    return {r[0] for r in rows}


def requests_for(store: Store, agency: str) -> list[ConsentRequest]:
    """Requests an agency made or must decide on."""
    rows = store.con.execute(f"SELECT {_COLUMNS} FROM consent_requests WHERE requester_agency = ? "
                             "OR owner_agency = ? ORDER BY created_at DESC", [agency, agency]).fetchall()
    return [ConsentRequest(*r) for r in rows]


def event_details(request: ConsentRequest) -> dict[str, Any]:
    """What the audit trail keeps of a consent step (no record content)."""
    return {"request": request.id, "record": request.record_uid, "owner": request.owner_agency,
            "requester_agency": request.requester_agency, "status": request.status,
            "override": request.override, "approved_by": request.approved_by}
