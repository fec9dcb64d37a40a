"""`mare store`: the store itself — copy it between DuckDB and PostgreSQL, secure a PostgreSQL store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mare.cli.common import (
    AgencyOpt,
    HomeOpt,
    JsonOpt,
    RoleOpt,
    UserOpt,
    console,
    fail,
    hub_context,
    print_json,
)

store_app = typer.Typer(
    help="The store itself: copy it to PostgreSQL and back; row-level security on PostgreSQL.",
    no_args_is_help=True,
)


@store_app.command("copy")
def copy_command(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="postgresql://OWNER:PASSWORD@HOST/DB?app_role=APP (an empty database), or a folder "
            "for a DuckDB store.",
        ),
    ],
    to_home: Annotated[
        Path | None,
        typer.Option("--to-home", help="Data folder (raw files, audit key) of a PostgreSQL target."),
    ] = None,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Copy this store into an empty one (DuckDB to PostgreSQL or back), checked by counts and audit chain."""
    from rich.table import Table

    from mare.hub.server_store import copy_store
    from mare.store.db import StoreUnavailable
    from mare.store.postgres_copy import CopyRefused

    with hub_context(home, user, as_agency, role, purpose="administration", what="mare store copy") as ctx:
        try:
            report = copy_store(ctx, to, to_home)
        except (CopyRefused, StoreUnavailable) as exc:
            raise fail(str(exc)) from None
    if as_json:
        print_json(report.as_dict())
    else:
        table = Table(title=f"Copied to {report.target}")
        for column in ("table", "rows"):
            table.add_column(column)
        for name, rows in report.rows.items():
            table.add_row(name, str(rows))
        console.print(table)
        counts = "match" if report.counts_match else f"differ: {report.mismatched}"
        chain = (
            f"verifies ({report.chain_entries} entries, the same head)"
            if report.chain_ok and report.head_match
            else f"does not verify: {report.chain_problem or 'the head differs'}"
        )
        console.print(f"Counts {counts}; the audit chain {chain}.")
    raise typer.Exit(0 if report.ok else 1)


@store_app.command("secure")
def secure_command(
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
) -> None:
    """Install row-level security on a PostgreSQL store (run as its owner; ?app_role=APP grants APP)."""
    from mare.hub.server_store import secure_store
    from mare.store.postgres import PostgresError

    with hub_context(home, user, as_agency, role, purpose="administration", what="mare store secure") as ctx:
        ctx.permit("agencies.manage")
        if ctx.store.url is None:
            console.print(
                "This store is DuckDB (one file, one process): row-level security is for PostgreSQL."
            )
            return
        try:
            tables = secure_store(ctx.store)
        except PostgresError as exc:
            raise fail(
                f"PostgreSQL refused ({exc.message}): run `mare store secure` with the owner role's URL "
                "(the role that owns the tables)"
            ) from None
        ctx.log("administration", "secured", resource="store", details={"tables": len(tables)})
    console.print(f"Row-level security on {len(tables)} tables.")
