"""What every `mare` command shares: options, consoles, JSON output, who the reader is."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from mare.access.policy import HUB_AGENCY, PURPOSES, ROLES, Viewer
from mare.hub.repository import Repository
from mare.store.db import Store

console = Console()
err = Console(stderr=True)

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", help="Data folder (default $MARE_HOME or ./mare-data).", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
UserOpt = Annotated[
    str | None,
    typer.Option("--user", envvar="MARE_USER", help="Your user name (agency and roles come from it)."),
]
AgencyOpt = Annotated[
    str, typer.Option("--as-agency", envvar="MARE_AGENCY", help="Agency you read as, without --user.")
]
RoleOpt = Annotated[
    str, typer.Option("--role", envvar="MARE_ROLE", help=f"Role without --user: {', '.join(ROLES)}.")
]
DEFAULT_AGENCY = HUB_AGENCY
DEFAULT_ROLE = "analyst"


def print_json(data: Any) -> None:
    """Write JSON to standard output."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error in red and return the Exit to raise."""
    err.print(f"[red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def resolve_viewer(store: Store | None, user: str | None, agency: str, role: str) -> Viewer:
    """The reader: a registered user when --user is given, else the declared agency and role."""
    if user:
        if store is None:
            raise fail("--user needs a store")
        from mare.hub.accounts import get_user

        found = get_user(store, user)
        if found is None or found.disabled:
            raise fail(f"no active user {user!r}: see `mare users list`")
        return Viewer(user=found.username, agency=found.agency, roles=frozenset(found.roles))
    if role not in ROLES:
        raise typer.BadParameter(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return Viewer(user=os.environ.get("USER", "cli"), agency=agency, roles=frozenset({role}))


def audit(store: Store, viewer: Viewer, action: str, outcome: str, **fields: Any) -> None:
    """Append one entry to the audit trail for a command's effect."""
    from mare.hub.audit import AuditLog

    AuditLog(store).append(actor=viewer.user, actor_agency=viewer.agency, action=action, outcome=outcome,
                           **fields)


PurposeOpt = Annotated[
    str, typer.Option("--purpose", help="crime_fighting, judicial, oversight or administration.")
]
WhyOpt = Annotated[
    str | None, typer.Option("--why", envvar="MARE_WHY", help="Justification, kept in the audit trail.")
]


@contextmanager
def audited_repository(store: Store, viewer: Viewer, purpose: str, why: str | None,
                       what: str) -> Iterator[Repository]:
    """A repository whose every decision lands in the audit trail (one consultation entry)."""
    from mare.hub.audit import AuditLog, ConsultationBatch

    if purpose not in PURPOSES:
        raise typer.BadParameter(f"unknown purpose {purpose!r}; use one of {', '.join(PURPOSES)}")
    batch = ConsultationBatch(AuditLog(store), viewer, purpose, why, what=what)
    repo = Repository(store, viewer, purpose,
                      on_decision=lambda _v, resource, ref, decision, _p: batch.add(resource, ref, decision))
    try:
        yield repo
    finally:
        batch.flush()
