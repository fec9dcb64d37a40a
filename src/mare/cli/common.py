"""What every `mare` command shares: options, consoles, JSON output, signing in to the hub layer."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mare.access.policy import PURPOSES, ROLES, Purpose
from mare.cli.display import SafeConsole, json_safe, shown

if TYPE_CHECKING:
    from mare.hub.context import HubContext

console = SafeConsole()
err = SafeConsole(stderr=True)

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", help="Data folder (default $MARE_HOME or ./mare-data).", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user",
        envvar="MARE_USER",
        help="Act as this registered user: you are asked for the password (or set MARE_TOKEN).",
    ),
]
AgencyOpt = Annotated[
    str | None,
    typer.Option(
        "--as-agency",
        envvar="MARE_AGENCY",
        help="Store operator only: preview what this agency sees (default HUB).",
    ),
]
RoleOpt = Annotated[
    str | None,
    typer.Option(
        "--role", envvar="MARE_ROLE", help=f"Store operator only: preview this role ({', '.join(ROLES)})."
    ),
]
PurposeOpt = Annotated[
    str, typer.Option("--purpose", help="crime_fighting, judicial, oversight or administration.")
]
WhyOpt = Annotated[
    str | None, typer.Option("--why", envvar="MARE_WHY", help="Justification, kept in the audit trail.")
]
TOKEN_ENV = "MARE_TOKEN"


def print_json(data: Any) -> None:
    """Write JSON to standard output."""
    sys.stdout.write(json_safe(json.dumps(data, indent=2, ensure_ascii=False, default=str)) + "\n")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error in red and return the Exit to raise."""
    err.print(f"[red]error:[/] {shown(message)}", highlight=False, markup=True)
    return typer.Exit(code)


def engine_errors(engine: str) -> tuple[type[Exception], ...]:
    """Refuse an unknown --engine; for spark, check pyspark and Java before the store is opened.

    Returns the errors the engine may still raise when it starts (Spark: `SparkUnavailable`), for
    the caller to turn into one red line with nothing written.
    """
    if engine not in ("duckdb", "spark"):
        raise fail(f"--engine {engine}: use duckdb or spark", code=2)
    if engine != "spark":
        return ()
    from mare.resolve.spark.session import SparkUnavailable, check

    try:
        check()
    except SparkUnavailable as exc:
        raise fail(str(exc), code=2) from exc
    return (SparkUnavailable,)


def _ask_password(user: str) -> str | None:
    """Ask for a user's password on the terminal (None when there is no one to ask)."""
    import click

    try:
        return str(typer.prompt(f"Password for {user}", hide_input=True, err=True))
    except (click.exceptions.Abort, typer.Abort, EOFError):
        return None


@contextmanager
def hub_context(
    home: Path | None,
    user: str | None = None,
    as_agency: str | None = None,
    role: str | None = None,
    *,
    purpose: str = "crime_fighting",
    why: str | None = None,
    what: str = "mare",
    create: bool = False,
) -> Iterator[HubContext]:
    """Open the store and sign in; yield the request's context. A refusal is one red line and exit 1."""
    from mare.hub.audit import AuditKeyMissing
    from mare.hub.context import Refused
    from mare.hub.identity import Credentials, SignInError, open_context
    from mare.store.db import StoreUnavailable, open_store

    if purpose not in PURPOSES:
        raise typer.BadParameter(f"unknown purpose {purpose!r}; use one of {', '.join(PURPOSES)}")
    if role is not None and role not in ROLES:
        raise typer.BadParameter(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    credentials = Credentials(
        user=user,
        token=os.environ.get(TOKEN_ENV) or None,
        as_agency=as_agency,
        role=role,
        ask_password=_ask_password,
    )
    try:
        store = open_store(home, create=create)
    except (FileNotFoundError, StoreUnavailable) as exc:
        raise fail(str(exc)) from None
    with store:
        try:
            ctx = open_context(store, credentials, purpose=_purpose(purpose), why=why, what=what)
        except SignInError as exc:
            raise fail(str(exc)) from None
        except AuditKeyMissing as exc:
            raise fail(str(exc)) from None
        try:
            with ctx:
                yield ctx
        except Refused as exc:
            raise fail(f"refused: {exc}") from None
        except AuditKeyMissing as exc:
            raise fail(str(exc)) from None
        except StoreUnavailable as exc:  # a server store that went away mid-command
            raise fail(str(exc)) from None


def _purpose(name: str) -> Purpose:
    for purpose in PURPOSES:
        if purpose == name:
            return purpose
    raise typer.BadParameter(f"unknown purpose {name!r}")
