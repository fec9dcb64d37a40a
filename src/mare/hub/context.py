"""The one context every hub function takes: who acts, for what purpose, under which grants, audited where.

A `HubContext` is made once per request (a CLI command, an API call, a page) by the sign-in in
`mare.hub.identity`, or by `system_context()` for the hub's own processing (cross-checking,
geocoding, retention). Hub functions never take a bare store for a person: they take a context and
ask it:

- `ctx.decide(resource, ref, meta)` — the read policy (`mare.access.policy.decide`) with the consent
  grants in force; each decision goes to the request's consultation entry, each denial to its own
  authorisation entry;
- `ctx.permit(action, target)` — the action policy (`mare.access.policy.allowed`); a refusal is
  audited and raised as `Refused`, before anything is written;
- `ctx.log(action, outcome, ...)` — an audit entry for what the request did.

`close()` (or leaving the `with` block) writes the consultation entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Literal

from mare.access.policy import (
    HUB_AGENCY,
    PURPOSES,
    SYSTEM_ROLE,
    Action,
    ActionTarget,
    DataMeta,
    Decision,
    Permission,
    Purpose,
    Viewer,
    allowed,
    decide,
)
from mare.access.sql import PolicyColumns, rule_sql, visibility_sql
from mare.hub.audit import AuditLog, ConsultationBatch, Entry
from mare.hub.server_store import apply_viewer, restore_viewer
from mare.store.db import Store

Via = Literal["password", "token", "operator", "preview", "system"]


class Refused(PermissionError):
    """An action the policy does not allow (already audited); the message says what is missing."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(permission.reason)
        self.permission = permission


@dataclass(eq=False)
class HubContext:
    """Who acts (viewer), how they signed in (via), for what purpose and why; the audit sink."""

    store: Store
    viewer: Viewer
    via: Via
    purpose: Purpose = "crime_fighting"
    why: str | None = None
    what: str = "mare"
    today: date | None = None
    _grants: frozenset[str] | None = field(default=None, repr=False)
    _batch: ConsultationBatch | None = field(default=None, repr=False)
    _viewer_before: dict[str, str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.purpose not in PURPOSES:
            raise ValueError(f"unknown purpose {self.purpose!r}; use one of {', '.join(PURPOSES)}")
        # PostgreSQL: the store's transactions run as this viewer (row-level security; no-op on DuckDB)
        self._viewer_before = apply_viewer(self.store, self.viewer, self.purpose)

    # --- who -----------------------------------------------------------------------------------
    @property
    def audit(self) -> AuditLog:
        """The store's audit trail."""
        return AuditLog(self.store)

    @property
    def is_system(self) -> bool:
        """True for the hub's own processing (cross-check, geocoding, retention runs)."""
        return self.via == "system"

    def _details(self) -> dict[str, Any]:
        return {"via": self.via} if self.via != "password" else {}

    # --- reads ---------------------------------------------------------------------------------
    @property
    def grants(self) -> frozenset[str]:
        """Record uids the owners released to the viewer's agency (consent, approved override)."""
        if self._grants is None:
            rows = self.store.con.execute(
                "SELECT record_uid FROM consent_requests WHERE requester_agency = ? AND status = 'granted'",
                [self.viewer.agency],
            ).fetchall()
            self._grants = frozenset(r[0] for r in rows)
        return self._grants

    def decide(self, resource: str, ref: str, meta: DataMeta, note: bool = True) -> Decision:
        """The read decision for one piece of data, noted for the audit trail (note=False: not noted)."""
        consented = resource == "record" and ref in self.grants
        decision = decide(self.viewer, meta, self.purpose, today=self.today, consented=consented)
        if note:
            self._consultation().add(resource, ref, decision)
        return decision

    def _consultation(self) -> ConsultationBatch:
        if self._batch is None:
            self._batch = ConsultationBatch(
                self.audit, self.viewer, self.purpose, self.why, what=self.what, extra=self._details()
            )
        return self._batch

    def _columns(self, alias: str, minor: bool, consent: bool, contribution: str) -> PolicyColumns:
        """The policy's columns on `alias`'s row (consent: released to the viewer's agency; its column
        `contribution` names the contribution it belongs to, to set superseded versions aside)."""
        return PolicyColumns(
            owner=f"{alias}.agency",
            handling_code=f"{alias}.handling_code",
            restrictions=f"{alias}.restrictions",
            minor=f"{alias}.minor" if minor else None,
            consented=(
                f"{alias}.uid IN (SELECT record_uid FROM consent_requests WHERE requester_agency = ? "
                "AND status = 'granted')"
            )
            if consent
            else None,
            consented_params=(self.viewer.agency,) if consent else (),
            superseded=superseded_sql(f"{alias}.{contribution}"),
        )

    def visibility_sql(
        self, alias: str, minor: bool = True, consent: bool = True, contribution: str = "contribution"
    ) -> tuple[str, list[Any]]:
        """The read policy for this viewer as a SQL CASE ('full', 'hit', 'none') over `alias`'s row.

        For bulk and analytical reads: filter in the database, so withheld values never reach Python.
        `alias` must carry agency, handling_code, restrictions, the column `contribution` naming its
        contribution ("uid" for a row of `contributions`), and minor, uid when asked for."""
        sql, params = visibility_sql(
            self.viewer, self.purpose, self._columns(alias, minor, consent, contribution), self.today
        )
        return sql, list(params)

    def rule_sql(
        self, alias: str, minor: bool = True, consent: bool = True, contribution: str = "contribution"
    ) -> tuple[str, list[Any]]:
        """The rule `visibility_sql` applies, as SQL (for counting what was withheld, and why)."""
        columns = self._columns(alias, minor, consent, contribution)
        sql, params = rule_sql(self.viewer, self.purpose, columns, self.today)
        return sql, list(params)

    def note_bulk(self, resource: str, shown: int, withheld: dict[str, int]) -> None:
        """Note a bulk read filtered in the database: counts of rows shown and withheld by rule."""
        self._consultation().add_bulk(resource, shown, withheld)

    # --- actions -------------------------------------------------------------------------------
    def permit(
        self, action: Action, target: ActionTarget | None = None, ref: str | None = None
    ) -> Permission:
        """Allow the action or raise `Refused`; a refusal is audited first."""
        permission = allowed(self.viewer, action, target)
        if not permission.granted:
            self.log(
                "authorisation",
                "denied",
                resource=action,
                ref=ref,
                details={"rule": permission.rule, "reason": permission.reason},
            )
            raise Refused(permission)
        return permission

    def refuse(self, action: str, rule: str, reason: str, ref: str | None = None) -> Refused:
        """Audit a refusal the hub decided on top of the policy (e.g. a record not visible) and return it."""
        permission = Permission(False, action, rule, reason)
        self.log(
            "authorisation", "denied", resource=action, ref=ref, details={"rule": rule, "reason": reason}
        )
        return Refused(permission)

    def entry(
        self,
        action: str,
        outcome: str,
        *,
        resource: str | None = None,
        ref: str | None = None,
        justification: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> Entry:
        """One audit entry for this context's actor (its purpose, its justification unless given)."""
        return Entry(
            actor=self.viewer.user,
            actor_agency=self.viewer.agency,
            action=action,
            outcome=outcome,
            resource=resource,
            ref=ref,
            purpose=self.purpose,
            justification=justification if justification is not None else self.why,
            details={**self._details(), **(details or {})} or None,
        )

    def log(
        self,
        action: str,
        outcome: str,
        *,
        resource: str | None = None,
        ref: str | None = None,
        justification: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> int:
        """Append one audit entry for this context's actor."""
        entry = self.entry(
            action, outcome, resource=resource, ref=ref, justification=justification, details=details
        )
        return self.audit.append(**{f.name: getattr(entry, f.name) for f in fields(Entry)})

    def log_later(
        self,
        action: str,
        outcome: str,
        *,
        resource: str | None = None,
        ref: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """`log`, the entry written with the request's consultation entry (`log_with_consultation`)."""
        self.log_with_consultation(self.entry(action, outcome, resource=resource, ref=ref, details=details))

    def log_with_consultation(self, entry: Entry) -> None:
        """An entry written with the request's consultation entry when the context closes, in the same
        statement (one head read and one commit per request; still committed before its answer)."""
        self._consultation().ahead(entry)

    def close(self) -> None:
        """Write the request's consultation entry (and one entry per denial)."""
        if self._batch is not None:
            self._batch.flush()
        restore_viewer(self.store, self._viewer_before)

    def __enter__(self) -> HubContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def superseded_sql(contribution: str) -> str:
    """SQL boolean: the contribution whose uid is the expression CONTRIBUTION was replaced by a newer
    version. An uncorrelated semi-join (one hash join over a bulk read, not a lookup per row)."""
    return f"{contribution} IN (SELECT uid FROM contributions WHERE superseded_by IS NOT NULL)"


def record_meta(store: Store, uid: str) -> tuple[DataMeta, str | None] | None:
    """What the policy needs of one stored record, and its label (None when there is no such record):
    the one point read of a record's handling, so that every such reader carries every rule's column."""
    row = store.con.execute(
        "SELECT agency, handling_code, restrictions, minor, kind, label, "
        f"{superseded_sql('contribution')} FROM records WHERE uid = ?",
        [uid],
    ).fetchone()
    if row is None:
        return None
    agency, code, restrictions, minor, kind, label, superseded = row
    meta = DataMeta(
        owner=str(agency),
        handling_code=str(code),
        restrictions=json.loads(restrictions) if restrictions else None,
        minor=bool(minor),
        kind=str(kind),
        superseded=bool(superseded),
    )
    return meta, label


def system_context(store: Store, process: str, purpose: Purpose = "crime_fighting") -> HubContext:
    """The context of the hub's own processing (named, audited as such): 'system:<process>' at the hub."""
    viewer = Viewer(user=f"system:{process}", agency=HUB_AGENCY, roles=frozenset({SYSTEM_ROLE}))
    return HubContext(store, viewer, "system", purpose=purpose, what=process)


@contextmanager
def acting(
    ctx: HubContext, what: str, purpose: Purpose | None = None, why: str | None = None
) -> Iterator[HubContext]:
    """The same actor for another request (its own consultation entry)."""
    inner = HubContext(
        ctx.store, ctx.viewer, ctx.via, purpose or ctx.purpose, why or ctx.why, what, ctx.today
    )
    try:
        yield inner
    finally:
        inner.close()
