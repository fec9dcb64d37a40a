"""`mare doctor`: check the store (migrations, audit chain and key, leftover files, derived data owed)
and, with --repair, repair what is safe to repair."""

from __future__ import annotations

from typing import Annotated

import typer

from mare.cli.common import AgencyOpt, HomeOpt, JsonOpt, RoleOpt, UserOpt, console, hub_context, print_json


def doctor_command(
    home: HomeOpt = None,
    repair: Annotated[
        bool,
        typer.Option("--repair", help="Complete pending work, apply skipped migrations, remove leftovers."),
    ] = False,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a store after a crash (or any day); --repair repairs what is safe. Exit 1: a person is needed."""
    from rich.table import Table

    from mare.hub.doctor import doctor

    with hub_context(home, user, as_agency, role, purpose="administration", what="mare doctor") as ctx:
        report = doctor(ctx, repair=repair)
    if as_json:
        print_json(report.as_dict())
    else:
        table = Table(title="Store check")
        for column in ("check", "status", "found", "repaired", "fix"):
            table.add_column(column)
        for check in report.checks:
            status = (
                "[green]ok[/]"
                if check.ok
                else "[yellow]repairable[/]"
                if check.repairable
                else "[red]problem[/]"
            )
            table.add_row(check.name, status, check.detail, check.repaired or "", check.fix or "")
        console.print(table)
    raise typer.Exit(0 if report.sound else 1)
