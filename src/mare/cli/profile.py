"""`mare profile`: the criminal profile of the hub's suspects (or one network's), through the policy."""

from __future__ import annotations

from typing import Annotated

import typer

from mare.cli import choices
from mare.cli.common import (
    AgencyOpt,
    HomeOpt,
    JsonOpt,
    PurposeOpt,
    RoleOpt,
    UserOpt,
    WhyOpt,
    console,
    err,
    fail,
    hub_context,
    print_json,
)
from mare.cli.display import shown

TITLES = {
    "nationality": "Nationality",
    "gender": "Gender",
    "age": "Age",
    "residence": "Country of residence",
    "residence_vs_nationality": "Residence versus nationality",
    "role": "Role (as contributed)",
    "countries_of_activity": "Countries of activity (events, legs, cases)",
    "crime_areas": "Crime areas (of the contributions naming them)",
    "known_to_contributions": "Prior records: contributions naming them",
    "known_to_agencies": "Prior records: agencies knowing them",
    "convicted": "Convicted",
}


def profile_command(
    network_id: Annotated[
        str | None,
        typer.Option("--network", help="Only this network (N1, N2… as `mare network --hub` lists)."),
    ] = None,
    min_size: Annotated[
        int, typer.Option("--min-size", help="With --network: as listed with this size.")
    ] = 3,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            help=f"Person categories profiled (default {', '.join(choices.SUSPECT_CATEGORIES)}).",
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Rows per table.")] = 10,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The criminal profile of the suspects: nationality, age, gender, residence, activity, roles, crime
    areas, prior records (counts only, never a list of people)."""
    from rich.table import Table

    from mare.hub.networks import NetworkError, network
    from mare.hub.profiles import SUSPECT_CATEGORIES, suspect_profile

    what = "mare profile" + (f" --network {network_id}" if network_id else "")
    with (
        hub_context(home, user, as_agency, role, purpose=purpose, why=why, what=what) as ctx,
        err.status("Profiling the suspects you may see…"),
    ):
        people = None
        if network_id is not None:
            try:
                net = network(ctx, network_id, min_size)
            except NetworkError as exc:
                raise fail(str(exc)) from None
            people = [*net.ids, *(uid for a in net.attrs.values() for uid in a.get("records", []))]
        profile = suspect_profile(ctx, people, category or SUSPECT_CATEGORIES)
    if as_json:
        print_json(profile.as_dict())
        return
    scope = f"network {shown(network_id.upper())}" if network_id else "the hub"
    console.print(
        f"[bold]{profile.people:,}[/] people ({profile.records:,} records) profiled in {scope}"
        + (
            f"; {sum(profile.withheld_records.values()):,} records withheld from you"
            if profile.withheld_records
            else ""
        )
    )
    for name, counts in profile.distributions.items():
        if not counts:
            continue
        table = Table(title=TITLES.get(name, name))
        table.add_column("value")
        table.add_column("people", justify="right")
        table.add_column("share", justify="right")
        total = profile.people or 1
        for value, n in list(counts.items())[:top]:
            table.add_row(shown(value), f"{n:,}", f"{n / total:.0%}")
        console.print(table)


def polycrime_command(
    by_network: Annotated[
        bool,
        typer.Option("--by-network", help="Also the crime areas of each network (`mare network --hub`)."),
    ] = False,
    min_size: Annotated[int, typer.Option("--min-size", help="With --by-network: smallest network.")] = 3,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most cross-crime links listed.")] = 200,
    top: Annotated[int, typer.Option("--top", help="Rows per table.")] = 15,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Polycriminality: crime areas per person (and network), and the records that link smuggling to
    other crime areas (the same person, or a shared identifier, in another crime's contribution)."""
    from rich.table import Table

    from mare.hub.networks import hub_found_networks
    from mare.hub.polycrime import polycriminality

    with (
        hub_context(home, user, as_agency, role, purpose=purpose, why=why, what="mare polycrime") as ctx,
        err.status("Reading crime areas of what you may see…"),
    ):
        networks = None
        if by_network:
            networks = {
                nid: [*part.ids, *(u for a in part.attrs.values() for u in a.get("records", []))]
                for nid, part in hub_found_networks(ctx, min_size)
            }
        result = polycriminality(ctx, networks, limit)
    if as_json:
        print_json(result.as_dict())
        return
    console.print(f"[bold]{result.people:,}[/] people with crime areas you may see")
    for title, counts in (
        ("Crime areas per person", result.areas_per_person),
        ("People by crime area", result.people_by_area),
        ("Combinations of crime areas", result.combinations),
    ):
        if counts:
            table = Table(title=title)
            table.add_column("value")
            table.add_column("people", justify="right")
            for value, n in list(counts.items())[:top]:
                table.add_row(shown(value), f"{n:,}")
            console.print(table)
    if result.networks:
        table = Table(title="Crime areas per network (people)")
        table.add_column("network")
        table.add_column("crime areas", overflow="fold")
        for nid, counts in list(result.networks.items())[:top]:
            table.add_row(shown(nid), shown(", ".join(f"{a} {n}" for a, n in counts.items())))
        console.print(table)
    if result.links:
        table = Table(title=f"Smuggling meets other crime: {len(result.links)} link(s) shown by records")
        for col in ("person", "other area", "how", "smuggling record", "other record (agency, contribution)"):
            table.add_column(col, overflow="fold")
        for link in result.links[:top]:
            table.add_row(
                shown(link.label or link.person),
                shown(link.area),
                shown(link.kind + (f" ({link.basis})" if link.basis else "")),
                shown(link.smuggling_record),
                shown(f"{link.other_record} ({link.other_agency}, {link.other_contribution})"),
            )
        console.print(table)
    else:
        console.print("No record you may see links smuggling to another crime area.")
