"""Signing in: who is acting, proven by a secret, or the store's own operator on their own machine.

- A registered user proves who they are with their password (asked for, never taken from an option)
  or an API token (`MARE_TOKEN`). A user name alone is refused.
- The store's **local operator** (the operating-system account that created the store, recorded in
  `store_operator`) may act without a secret: they hold the database file anyway. They act as the
  hub's administrator (`HUB`, roles analyst, supervisor, dpo, admin), or, with `--as-agency`/`--role`,
  as a **preview** of what that agency and role would see and may do. Every entry they cause is
  audited with `via: operator` or `via: preview`.
- Anyone else (another account on a shared host) must sign in as a user; previews are refused.

Every refusal is audited and raised as `SignInError` with a one-line message saying what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mare.access.policy import HUB_AGENCY, ROLES, Purpose, Viewer
from mare.hub.accounts import authenticate_password, get_user, viewer_for_token
from mare.hub.audit import AuditLog, Entry
from mare.hub.context import HubContext, Via
from mare.store.db import Store, os_account

#: What the local operator holds on their own store when not previewing.
OPERATOR_ROLES = frozenset({"analyst", "supervisor", "dpo", "admin"})

PasswordPrompt = Callable[[str], str | None]


class SignInError(PermissionError):
    """Sign-in refused (already audited): the message names what is missing and how to get it."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a caller presents: a user name, a token, a preview, and how to ask for a password."""

    user: str | None = None
    token: str | None = None
    as_agency: str | None = None
    role: str | None = None
    ask_password: PasswordPrompt | None = None


def operator_of(store: Store) -> str | None:
    """The operating-system account recorded as this store's local operator."""
    row = store.con.execute("SELECT os_user FROM store_operator ORDER BY recorded_at LIMIT 1").fetchone()
    return str(row[0]) if row else None


def is_operator(store: Store) -> bool:
    """True when this process runs as the store's local operator (same uid where the OS has uids)."""
    row = store.con.execute(
        "SELECT os_user, os_uid FROM store_operator ORDER BY recorded_at LIMIT 1"
    ).fetchone()
    if row is None:
        return False
    name, uid = os_account()
    return row[1] == uid if row[1] is not None and uid is not None else row[0] == name


def _refuse(store: Store, actor: str, agency: str | None, reason: str, **details: object) -> SignInError:
    AuditLog(store).append(
        actor=actor,
        actor_agency=agency,
        action="login",
        outcome="refused",
        details={"reason": reason, **details},
    )
    return SignInError(reason)


def _audit_hook(
    store: Store, actor: str, later: list[Entry] | None = None
) -> Callable[[str, str, dict[str, object]], None]:
    """The sign-in's audit entries: appended at once; with `later`, a success is kept there instead (to go
    with the request's consultation entry, `open_context(..., together=True)`)."""

    def hook(action: str, outcome: str, details: dict[str, object]) -> None:
        entry = Entry(actor, None, action, outcome, resource="account", details=dict(details))
        if later is not None and outcome == "success":
            later.append(entry)
        else:
            AuditLog(store).append_many([entry])

    return hook


def sign_in(store: Store, credentials: Credentials, later: list[Entry] | None = None) -> tuple[Viewer, Via]:
    """The viewer these credentials stand for and how they were proven, or `SignInError`. With `later`,
    the entry of a successful token sign-in is put there for the caller to write (refusals at once)."""
    c = credentials
    preview = c.as_agency is not None or c.role is not None
    if c.token:
        viewer = viewer_for_token(store, c.token, on_event=_audit_hook(store, c.user or "token", later))
        if viewer is None:
            raise SignInError(
                "the token in MARE_TOKEN is unknown, expired or revoked, or its user or agency "
                "is disabled: ask an admin for a new one (`mare users token NAME`)"
            )
        if later and ((c.user and c.user != viewer.user) or preview):  # refused below: in order, at once
            AuditLog(store).append_many(later)
            later.clear()
        if c.user and c.user != viewer.user:
            raise _refuse(
                store,
                viewer.user,
                viewer.agency,
                f"MARE_TOKEN belongs to {viewer.user}, not {c.user}: unset one of them",
            )
        if preview:
            raise _refuse(
                store,
                viewer.user,
                viewer.agency,
                "--as-agency and --role preview other agencies "
                "for the store's operator only; signed-in users act as themselves",
            )
        return viewer, "token"
    if c.user:
        found = get_user(store, c.user)
        if found is None or found.disabled:
            raise _refuse(
                store,
                c.user,
                None,
                f"no active user {c.user!r}: see `mare users list`, or ask an "
                "admin to add you (`mare users add`)",
            )
        if preview:
            raise _refuse(
                store,
                c.user,
                found.agency,
                "--as-agency and --role preview other agencies for the "
                "store's operator only; signed-in users act as themselves",
            )
        password = c.ask_password(c.user) if c.ask_password else None
        if not password:
            raise _refuse(
                store,
                c.user,
                found.agency,
                f"acting as {c.user} needs {c.user}'s password (asked in "
                "a terminal) or an API token in MARE_TOKEN",
            )
        viewer = authenticate_password(store, c.user, password, on_event=_audit_hook(store, c.user))
        if viewer is None:
            raise SignInError(f"wrong password for {c.user} (or the account has no password: use MARE_TOKEN)")
        return viewer, "password"
    me = os_account()[0]
    operator = operator_of(store)
    if not is_operator(store):
        raise _refuse(
            store,
            me,
            None,
            f"you ({me}) are not this store's operator ({operator}): sign in with "
            "--user NAME (you are asked for the password) or an API token in MARE_TOKEN",
            preview=preview,
        )
    if not preview:
        return Viewer(user=me, agency=HUB_AGENCY, roles=OPERATOR_ROLES), "operator"
    role = c.role or "analyst"
    if role not in ROLES:
        raise SignInError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return Viewer(user=me, agency=c.as_agency or HUB_AGENCY, roles=frozenset({role})), "preview"


def open_context(
    store: Store,
    credentials: Credentials,
    *,
    purpose: Purpose = "crime_fighting",
    why: str | None = None,
    what: str = "mare",
    together: bool = False,
) -> HubContext:
    """Sign in and return the request's context. `together` (the web server): the sign-in's `login`
    entry is written with the request's consultation entry when the context closes, in one statement."""
    later: list[Entry] | None = [] if together else None
    try:
        viewer, via = sign_in(store, credentials, later)
    except SignInError:
        if later:
            AuditLog(store).append_many(later)
        raise
    ctx = HubContext(store, viewer, via, purpose=purpose, why=why, what=what)
    for entry in later or []:
        ctx.log_with_consultation(entry)
    return ctx
