"""Managing agencies, users and tokens on behalf of a person (the action policy decides who may).

Agencies are the hub's to register or disable (`agencies.manage`); an agency's admin manages its
own users and their tokens, the hub's admins everyone's (`accounts.manage`); listing accounts needs
`accounts.read`. A signed-in user may list and issue their own tokens. Every change is audited
(administration), every refusal too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mare.access.policy import ActionTarget
from mare.hub import accounts
from mare.hub.accounts import AccountError, Agency, TokenInfo, User
from mare.hub.context import HubContext


def _hook(ctx: HubContext) -> accounts.EventHook:
    def hook(action: str, outcome: str, details: dict[str, Any]) -> None:
        ctx.log(action, outcome, resource="account", details=details)

    return hook


def _owner_of_user(ctx: HubContext, username: str) -> str | None:
    user = accounts.get_user(ctx.store, username)
    return user.agency if user else None


def _manage_user(ctx: HubContext, username: str) -> None:
    ctx.permit(
        "accounts.manage",
        ActionTarget(owner=_owner_of_user(ctx, username) or ctx.viewer.agency),
        ref=username,
    )


def add_agency(ctx: HubContext, agency_id: str, name: str, country: str | None, agency_type: str) -> Agency:
    """Register an agency."""
    ctx.permit("agencies.manage", ref=agency_id)
    return accounts.add_agency(ctx.store, agency_id, name, country, agency_type, on_event=_hook(ctx))


def list_agencies(ctx: HubContext) -> list[Agency]:
    """Every agency (ids and names are not hub data about persons; any signed-in person may list them)."""
    return accounts.list_agencies(ctx.store)


def disable_agency(ctx: HubContext, agency_id: str) -> None:
    """Disable an agency: its users' passwords and tokens stop working at once."""
    ctx.permit("agencies.manage", ref=agency_id)
    accounts.disable_agency(ctx.store, agency_id, on_event=_hook(ctx))


def add_user(
    ctx: HubContext,
    username: str,
    agency: str,
    roles: list[str],
    password: str | None,
    full_name: str | None = None,
) -> User:
    """Add a user to an agency (an agency's admin adds to their own agency only)."""
    ctx.permit("accounts.manage", ActionTarget(owner=agency), ref=username)
    return accounts.add_user(
        ctx.store, username, agency, roles, password, full_name=full_name, on_event=_hook(ctx)
    )


def list_users(ctx: HubContext) -> list[User]:
    """Users the viewer may list: everyone for the hub's staff, their own agency's for an agency's."""
    ctx.permit("accounts.read", ActionTarget(owner=None if ctx.viewer.is_hub else ctx.viewer.agency))
    return [u for u in accounts.list_users(ctx.store) if ctx.viewer.is_hub or u.agency == ctx.viewer.agency]


def disable_user(ctx: HubContext, username: str) -> int:
    """Disable a user and revoke all their tokens; returns how many were revoked."""
    _manage_user(ctx, username)
    return accounts.disable_user(ctx.store, username, on_event=_hook(ctx))


def _own_or_manage(ctx: HubContext, username: str) -> None:
    if username == ctx.viewer.user and ctx.via in ("password", "token"):
        return
    _manage_user(ctx, username)


def issue_token(
    ctx: HubContext, username: str, label: str | None = None, expires_at: datetime | None = None
) -> tuple[str, str]:
    """Issue an API token (for yourself, or as an admin for a user you manage)."""
    _own_or_manage(ctx, username)
    return accounts.issue_token(ctx.store, username, label=label, expires_at=expires_at, on_event=_hook(ctx))


def revoke_token(ctx: HubContext, token_id: str) -> None:
    """Revoke a token (your own, or one of a user you manage)."""
    row = ctx.store.con.execute("SELECT username FROM api_tokens WHERE id = ?", [token_id]).fetchone()
    if row is None:
        raise AccountError(f"unknown token id {token_id!r}: see `mare users tokens USERNAME`")
    _own_or_manage(ctx, str(row[0]))
    accounts.revoke_token(ctx.store, token_id, on_event=_hook(ctx))


def list_tokens(ctx: HubContext, username: str) -> list[TokenInfo]:
    """A user's tokens (never the tokens themselves): your own, or a user you manage."""
    _own_or_manage(ctx, username)
    return accounts.list_tokens(ctx.store, username)
