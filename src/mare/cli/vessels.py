"""`mare vessels [--hub | FILE…]`: vessels of interest from AIS behaviour and the hub's intelligence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mare.cli.common import (
    AgencyOpt,
    HomeOpt,
    JsonOpt,
    PurposeOpt,
    RoleOpt,
    UserOpt,
    WhyOpt,
    console,
    hub_context,
    print_json,
)
from mare.cli.display import SafeConsole, shown

err = SafeConsole(stderr=True)


def vessels_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="AIS files (NMEA or position CSV) to analyse with no hub.", exists=True, dir_okay=False
        ),
    ] = None,
    hub: Annotated[
        bool, typer.Option("--hub", help="Use the AIS and vessel records the hub holds (through the policy).")
    ] = False,
    setting: Annotated[
        list[str] | None,
        typer.Option("--set", help="Change a threshold: NAME=VALUE (see docs/maritime.md); repeatable."),
    ] = None,
    events: Annotated[bool, typer.Option("--events", help="Also list every behaviour event.")] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Vessels shown in the table.")] = 30,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rank vessels of interest: AIS gaps, dark rendezvous, encounters, loitering, identity anomalies and
    time off departure/landing areas, with the hub's vessel records (suspects, legs, events). See
    docs/maritime.md for the method and thresholds."""
    from mare.analyse.maritime.thresholds import Thresholds
    from mare.hub.maritime import file_vessels, hub_vessels

    if hub == bool(files):
        raise typer.BadParameter("give AIS FILEs or --hub (one of the two)")
    try:
        th = Thresholds().with_settings(setting or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if files:
        picture = file_vessels(list(files), th)
        for f in picture["files"]:
            colour = "green" if f["status"] == "stored" else "red"
            err.print(f"[{colour}]{shown(Path(f['file']).name)}: {shown(f['message'])}[/]")
            for p in f["problems"][:5]:
                err.print(f"  line {p['row']}: {shown(p['field'] or '')}: {shown(p['reason'])}")
            if len(f["problems"]) > 5:
                err.print(f"  … {f['rejected']} rejected in all (--json lists up to 200)")
    else:
        with hub_context(
            home, user, as_agency, role, purpose=purpose, why=why, what="mare vessels --hub"
        ) as ctx:
            picture = hub_vessels(ctx, th)
    all_events = picture.pop("all_events")
    if events:
        picture["event_list"] = [e.as_dict() for e in all_events]
    if as_json:
        print_json(picture)
        return
    _print(picture, top, all_events if events else [])


def _print(picture: dict[str, Any], top: int, events: list[Any]) -> None:
    from rich.table import Table

    counts = ", ".join(f"{n} {k}" for k, n in picture["events"].items()) or "none"
    console.print(
        f"{picture['positions']} positions of {picture['vessels_tracked']} vessels from "
        f"{picture['contributions']} AIS contribution(s)"
        + (
            f" ({picture['withheld_contributions']} not visible to you)"
            if picture.get("withheld_contributions")
            else ""
        )
        + f"; events: {counts}"
    )
    table = Table(title=f"{len(picture['vessels'])} vessels of interest")
    for name in ("score", "mmsi", "name", "flag", "why listed", "held by", "code"):
        table.add_column(name)
    for v in picture["vessels"][:top]:
        table.add_row(
            str(v["score"]),
            str(v["mmsi"]),
            shown(v["name"] or ""),
            v["flag"] or "",
            shown("; ".join(v["why"])),
            ", ".join(v["owners"]),
            v["handling"],
        )
    console.print(table)
    if events:
        et = Table(title=f"{len(events)} events")
        for name in ("kind", "mmsi", "start", "summary"):
            et.add_column(name)
        for e in events[:500]:
            d = e.as_dict()
            et.add_row(d["kind"], str(d["mmsi"]), d["start"], shown(d["summary"]))
        console.print(et)
