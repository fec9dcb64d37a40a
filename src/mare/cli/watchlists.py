"""`mare watchlist`, `mare alerts`: thin commands over `mare.hub.watchlists`."""

from __future__ import annotations

from typing import Annotated

import typer

from mare.cli.choices import ENTRY_KINDS
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
from mare.cli.display import shown

watchlist_app = typer.Typer(
    help="Your agency's watchlists: wanted persons, phones, documents, plates, vessels, IBANs, handles.",
    no_args_is_help=True,
)
alerts_app = typer.Typer(help="Alerts raised on your agency's watchlists.", no_args_is_help=True)


@watchlist_app.command("create")
def watchlist_create(
    name: Annotated[str, typer.Argument(help="The list's name (unique within your agency).")],
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a watchlist of your agency."""
    from mare.hub import watchlists as wl

    with hub_context(home, user, as_agency, role, what="mare watchlist create") as ctx:
        try:
            made = wl.create_watchlist(ctx, name)
        except wl.WatchlistError as exc:
            raise fail(str(exc)) from None
    if as_json:
        print_json({"id": made.id, "agency": made.agency, "name": made.name})
        return
    console.print(f"watchlist [bold]{made.id}[/] ({shown(made.name)}) created for {made.agency}")


@watchlist_app.command("add")
def watchlist_add(
    watchlist: Annotated[str, typer.Argument(help="The list's id or name.")],
    value: Annotated[
        str, typer.Argument(help="The value as you have it (a person's name for --kind person).")
    ],
    kind: Annotated[str, typer.Option("--kind", help=f"One of {', '.join(ENTRY_KINDS)}.")],
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", help="A person's birth date: YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why it is on the list.")] = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an entry to a watchlist; it is checked at once against everything held."""
    from mare.hub import watchlists as wl

    with hub_context(home, user, as_agency, role, what="mare watchlist add") as ctx:
        try:
            entry, raised = wl.add_entry(ctx, watchlist, kind, value, birth_date=birth_date, note=note)
        except wl.WatchlistError as exc:
            raise fail(str(exc)) from None
    if as_json:
        print_json({"id": entry.id, "watchlist": entry.watchlist, "kind": entry.kind, "alerts": raised})
        return
    console.print(
        f"entry [bold]{entry.id}[/] added ({entry.kind}); {raised} alert(s) raised: see mare alerts list"
    )


@watchlist_app.command("remove")
def watchlist_remove(
    entry: Annotated[str, typer.Argument(help="The entry's id (see mare watchlist list).")],
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
) -> None:
    """Remove an entry from a watchlist (and the alerts it raised)."""
    from mare.hub import watchlists as wl

    with hub_context(home, user, as_agency, role, what="mare watchlist remove") as ctx:
        try:
            removed = wl.remove_entry(ctx, entry)
        except wl.WatchlistError as exc:
            raise fail(str(exc)) from None
    console.print(f"entry [bold]{removed.id}[/] removed from {removed.watchlist}")


@watchlist_app.command("list")
def watchlist_list(
    watchlist: Annotated[str | None, typer.Argument(help="One list's id or name (default: all).")] = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Your agency's watchlists and their entries."""
    from rich.table import Table

    from mare.hub import watchlists as wl

    with hub_context(home, user, as_agency, role, what="mare watchlist list") as ctx:
        try:
            found = wl.watchlists(ctx, watchlist)
        except wl.WatchlistError as exc:
            raise fail(str(exc)) from None
    if as_json:
        print_json(
            [
                {
                    "id": w.id,
                    "agency": w.agency,
                    "name": w.name,
                    "created_by": w.created_by,
                    "created_at": w.created_at.isoformat(),
                    "entries": [
                        {
                            "id": e.id,
                            "kind": e.kind,
                            "value": e.value,
                            "key": e.key,
                            "birth_date": e.birth_date,
                            "note": e.note,
                            "added_by": e.added_by,
                            "added_at": e.added_at.isoformat(),
                        }
                        for e in entries
                    ],
                }
                for w, entries in found
            ]
        )
        return
    if not found:
        console.print("no watchlists: mare watchlist create NAME")
    for w, entries in found:
        table = Table(title=f"{shown(w.name)} ({w.id}, {shown(w.agency)}): {len(entries)} entries")
        for col in ("entry", "kind", "value", "matched as", "birth date", "note", "added by"):
            table.add_column(col, overflow="fold")
        for e in entries:
            table.add_row(
                e.id,
                shown(e.kind),
                shown(e.value),
                shown(e.key),
                shown(e.birth_date),
                shown(e.note),
                shown(e.added_by),
            )
        console.print(table)


@alerts_app.command("list")
def alerts_list(
    unacknowledged: Annotated[
        bool, typer.Option("--unacknowledged", help="Only alerts nobody acknowledged yet.")
    ] = False,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Alerts raised on your agency's watchlists, as you may see them."""
    from rich.table import Table

    from mare.hub import watchlists as wl

    with hub_context(home, user, as_agency, role, what="mare alerts list") as ctx:
        found = wl.alerts(ctx, unacknowledged)
        agency = ctx.viewer.agency
    if as_json:
        print_json([a.as_dict() for a in found])
        return
    table = Table(title=f"Watchlist alerts of {agency}")
    for col in ("alert", "list", "entry", "record", "owner", "shown", "what", "acknowledged"):
        table.add_column(col, overflow="fold")
    for a in found:
        table.add_row(
            a.id,
            shown(a.watchlist_name),
            shown(f"{a.entry} ({a.entry_kind})"),
            shown(a.record_uid),
            shown(a.owner),
            a.visibility if a.visibility == "full" else f"hit ({shown(a.rule)})",
            shown(" ".join([a.text, *a.caveats])),
            shown(f"{a.acknowledged_by} {a.acknowledged_at:%Y-%m-%d %H:%M}") if a.acknowledged_at else "",
        )
    console.print(table)


@alerts_app.command("ack")
def alerts_ack(
    alert: Annotated[str, typer.Argument(help="The alert's id (see mare alerts list).")],
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    home: HomeOpt = None,
) -> None:
    """Acknowledge an alert of your agency."""
    from mare.hub import watchlists as wl

    with hub_context(home, user, as_agency, role, what="mare alerts ack") as ctx:
        try:
            done = wl.acknowledge(ctx, alert)
        except wl.WatchlistError as exc:
            raise fail(str(exc)) from None
    console.print(f"alert [bold]{done.id}[/] acknowledged by {shown(done.acknowledged_by)}")
