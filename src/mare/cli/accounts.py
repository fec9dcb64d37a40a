"""`mare users` and `mare agencies`: thin commands over mare.hub.accounts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mare.access.policy import ROLES
from mare.cli.choices import AGENCY_TYPES
from mare.cli.common import (
    AgencyOpt,
    HomeOpt,
    JsonOpt,
    RoleOpt,
    UserOpt,
    console,
    err,
    fail,
    hub_context,
    print_json,
)
from mare.cli.display import shown

if TYPE_CHECKING:
    from mare.hub.context import HubContext

users_app = typer.Typer(help="User accounts and their API tokens.", no_args_is_help=True)
agencies_app = typer.Typer(help="Agencies that contribute to or work at the hub.", no_args_is_help=True)


@contextmanager
def _admin(
    home: Path | None, user: str | None, as_agency: str | None, role: str | None, what: str
) -> Iterator[HubContext]:
    """Sign in for an account command; an AccountError becomes a red message and exit status 1."""
    from mare.hub.accounts import AccountError

    with hub_context(home, user, as_agency, role, purpose="administration", what=what, create=True) as ctx:
        try:
            yield ctx
        except AccountError as exc:
            raise fail(str(exc)) from None


def _when(value: Any) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if value is not None else ""


# --- agencies -------------------------------------------------------------------------------


@agencies_app.command("add")
def agencies_add(
    agency_id: Annotated[str, typer.Argument(metavar="ID", help="Agency id, upper case, e.g. DE-BKA.")],
    name: Annotated[str, typer.Option("--name", help="The agency's name.")],
    agency_type: Annotated[str, typer.Option("--type", help=f"One of: {', '.join(AGENCY_TYPES)}.")],
    country: Annotated[
        str | None,
        typer.Option("--country", help="ISO 3166-1 alpha-2 code (optional for international organisations)."),
    ] = None,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
) -> None:
    """Register an agency."""
    from mare.hub import admin

    with _admin(home, user, as_agency, role, "mare agencies add") as ctx:
        agency = admin.add_agency(ctx, agency_id, name, country, agency_type)
    where = agency.country or "no country"
    console.print(
        f"agency [bold]{shown(agency.id)}[/bold] registered ({shown(agency.agency_type)}, {shown(where)})"
    )


@agencies_app.command("list")
def agencies_list(
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List agencies."""
    from rich.table import Table

    from mare.hub import admin

    with _admin(home, user, as_agency, role, "mare agencies list") as ctx:
        found = admin.list_agencies(ctx)
    if as_json:
        print_json([asdict(a) for a in found])
        return
    table = Table("id", "name", "country", "type", "registered", "status")
    for a in found:
        table.add_row(
            shown(a.id),
            shown(a.name),
            shown(a.country),
            shown(a.agency_type),
            "yes" if a.registered else "no",
            "disabled" if a.disabled else "active",
        )
    console.print(table)


@agencies_app.command("disable")
def agencies_disable(
    agency_id: Annotated[str, typer.Argument(metavar="ID", help="Agency id.")],
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
) -> None:
    """Disable an agency: its users' passwords and tokens stop working at once."""
    from mare.hub import admin

    with _admin(home, user, as_agency, role, "mare agencies disable") as ctx:
        admin.disable_agency(ctx, agency_id)
    console.print(f"agency [bold]{shown(agency_id)}[/bold] disabled")


# --- users ----------------------------------------------------------------------------------


def _read_password(password_stdin: bool, no_password: bool) -> str | None:
    if no_password:
        if password_stdin:
            raise typer.BadParameter("give --password-stdin or --no-password, not both")
        return None
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Lower-case username.")],
    agency: Annotated[str, typer.Option("--agency", help="The user's agency id.")],
    role: Annotated[list[str], typer.Option("--role", help=f"Role (repeatable): {', '.join(ROLES)}.")],
    full_name: Annotated[str | None, typer.Option("--full-name", help="The user's full name.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="Token-only account: no password.")
    ] = False,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    as_role: Annotated[
        str | None,
        typer.Option("--as-role", envvar="MARE_ROLE", help="Store operator only: preview this role."),
    ] = None,
) -> None:
    """Add a user (asks for the new user's password unless --password-stdin or --no-password)."""
    from mare.hub import admin

    with _admin(home, user, as_agency, as_role, "mare users add") as ctx:
        password = _read_password(password_stdin, no_password)
        added = admin.add_user(ctx, username, agency, role, password, full_name=full_name)
    console.print(
        f"user [bold]{shown(added.username)}[/bold] added to {shown(added.agency)} "
        f"as {shown(', '.join(added.roles))}"
    )


@users_app.command("list")
def users_list(
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List users (never their passwords)."""
    from rich.table import Table

    from mare.hub import admin

    with _admin(home, user, as_agency, role, "mare users list") as ctx:
        found = admin.list_users(ctx)
    if as_json:
        print_json([asdict(u) for u in found])
        return
    table = Table("username", "agency", "roles", "full name", "password", "status", "created")
    for u in found:
        table.add_row(
            shown(u.username),
            shown(u.agency),
            shown(", ".join(u.roles)),
            shown(u.full_name),
            "set" if u.has_password else "token only",
            "disabled" if u.disabled else "active",
            _when(u.created_at),
        )
    console.print(table)


@users_app.command("disable")
def users_disable(
    username: Annotated[str, typer.Argument(help="Username.")],
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
) -> None:
    """Disable a user and revoke all their tokens at once."""
    from mare.hub import admin

    with _admin(home, user, as_agency, role, "mare users disable") as ctx:
        revoked = admin.disable_user(ctx, username)
    console.print(f"user [bold]{shown(username)}[/bold] disabled; {revoked} token(s) revoked")


@users_app.command("token")
def users_token(
    username: Annotated[str, typer.Argument(help="Username.")],
    label: Annotated[str | None, typer.Option("--label", help="What the token is for.")] = None,
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Expire after this many days (default: never).")
    ] = None,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
) -> None:
    """Issue an API token for a user and print it once."""
    from mare.hub import admin

    with _admin(home, user, as_agency, role, "mare users token") as ctx:
        expires = datetime.now(UTC) + timedelta(days=days) if days is not None else None
        token_id, token = admin.issue_token(ctx, username, label=label, expires_at=expires)
    err.print(
        f"[yellow]Token {token_id} for {shown(username)}: copy it now, it will not be shown again.[/yellow]",
        markup=True,
        highlight=False,
    )
    sys.stdout.write(token + "\n")


@users_app.command("revoke")
def users_revoke(
    token_id: Annotated[str, typer.Argument(metavar="TOKEN_ID", help="Token id (see `mare users tokens`).")],
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
) -> None:
    """Revoke an API token at once."""
    from mare.hub import admin

    with _admin(home, user, as_agency, role, "mare users revoke") as ctx:
        admin.revoke_token(ctx, token_id)
    console.print(f"token [bold]{shown(token_id)}[/bold] revoked")


@users_app.command("tokens")
def users_tokens(
    username: Annotated[str, typer.Argument(help="Username.")],
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List a user's API tokens (never the tokens themselves)."""
    from rich.table import Table

    from mare.hub import admin

    with _admin(home, user, as_agency, role, "mare users tokens") as ctx:
        found = admin.list_tokens(ctx, username)
    if as_json:
        print_json([{**asdict(t), "status": t.status} for t in found])
        return
    table = Table("id", "label", "status", "created", "expires", "last used")
    for t in found:
        table.add_row(
            t.id, shown(t.label), t.status, _when(t.created_at), _when(t.expires_at), _when(t.last_used_at)
        )
    console.print(table)
