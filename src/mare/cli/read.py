"""`mare show`, `mare records`, `mare export`, `mare stats`: reads through the policy, audited."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    err,
    fail,
    hub_context,
    print_json,
)
from mare.cli.display import shown

show_app = typer.Typer(
    help="Show one contribution, record or entity, as the access policy allows.", no_args_is_help=True
)


@show_app.command("record")
def show_record(
    uid: str,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one record (content only where the policy allows)."""
    from mare.cli.render import record_panel
    from mare.hub.repository import Repository

    with hub_context(
        home, user, as_agency, role, purpose=purpose, why=why, what=f"mare show record {uid}"
    ) as ctx:
        view = Repository(ctx).record(uid)
    if view is None:
        err.print(
            f"[red]no record {shown(repr(uid))}[/]: list the record uids you may see with `mare records`"
        )
        raise typer.Exit(1)
    if as_json:
        print_json(view.as_dict())
    else:
        record_panel(console, view)


@show_app.command("entity")
def show_entity(
    entity_id: Annotated[
        str,
        typer.Argument(
            help="E… (a resolved person), a record uid, or KIND:VALUE such as phone:+4915112345678."
        ),
    ],
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one entity: its records (as the policy allows), hits, judgements, links, timeline and places."""
    from mare.cli.render import entity_panel
    from mare.hub.entity import EntityError, entity

    with hub_context(
        home, user, as_agency, role, purpose=purpose, why=why, what=f"mare show entity {entity_id}"
    ) as ctx:
        try:
            view = entity(ctx, entity_id)
        except EntityError as exc:
            raise fail(str(exc)) from None
    if view is None:
        raise fail(
            f"no entity {entity_id!r} you may know of: find one with `mare records --kind person` "
            "(then `mare show entity UID`) or give an identifier such as phone:+4915112345678"
        )
    if as_json:
        print_json(view.as_dict())
    else:
        entity_panel(console, view)


@show_app.command("contribution")
def show_contribution(
    uid: str,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a contribution (hub uid or the sender's id) with its counts and problems."""
    from mare.hub.repository import Repository

    with hub_context(
        home, user, as_agency, role, purpose=purpose, why=why, what=f"mare show contribution {uid}"
    ) as ctx:
        data = Repository(ctx).contribution(uid)
    if data is None:
        err.print(
            f"[red]no contribution {shown(repr(uid))}[/]: give the hub uid `mare ingest` printed, "
            "or the id in the contribution's envelope"
        )
        raise typer.Exit(1)
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        if key != "problems":
            console.print(f"[bold]{shown(key)}[/]: {shown(value)}")
    for problem in data.get("problems", [])[:50]:
        console.print(
            f"  [red]{shown(problem['severity'])}[/] {shown(problem['file'])}:{shown(problem['row'])} "
            f"{shown('[' + str(problem['field']) + ']')} {shown(problem['reason'])} — {shown(problem['fix'])}"
        )


def records_command(
    home: HomeOpt = None,
    kind: Annotated[str | None, typer.Option()] = None,
    agency: Annotated[str | None, typer.Option(help="Owner agency.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many records.")] = 50,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List records (labels only where the policy allows)."""
    from mare.hub.repository import Repository

    with hub_context(home, user, as_agency, role, purpose=purpose, why=why, what="mare records") as ctx:
        views = Repository(ctx).records(kind, agency, limit)
    if as_json:
        print_json([v.as_dict() for v in views])
        return
    for v in views:
        label = (
            shown(v.label)
            if v.decision.full
            else f"[dim]{v.decision.visibility}: {shown(v.decision.reason)}[/]"
        )
        console.print(f"{shown(v.uid)}  {v.kind:<12} {shown(v.owner):<10} {label}", highlight=False)


def export_command(
    kind: str,
    out: Annotated[Path, typer.Option("-o", "--out", help="CSV file to write.")],
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
) -> None:
    """Export records of one kind as CSV (formulas neutralised; withheld rows marked; caveats kept)."""
    from mare.analyse.export import write_csv
    from mare.hub.repository import Repository
    from mare.schema.model import load_model

    spec = load_model().kind(kind)
    if spec is None:
        raise typer.BadParameter(f"unknown kind {kind!r}; kinds are {', '.join(load_model().kinds)}")
    fields = list(spec.fields)
    with hub_context(
        home, user, as_agency, role, purpose=purpose, why=why, what=f"mare export {kind}"
    ) as ctx:
        views = Repository(ctx).record_values(kind)
    rows = []
    for v in views:
        if not v.decision.full:
            rows.append([v.uid, v.owner, v.decision.visibility, v.decision.reason] + [""] * len(fields))
            continue
        by_field: dict[str, list[str]] = {}
        for value in v.values:
            by_field.setdefault(value.field, []).append(value.original)
        rows.append(
            [v.uid, v.owner, "full", " ".join(v.decision.caveats)]
            + [" | ".join(by_field.get(f, [])) for f in fields]
        )
    count = write_csv(["uid", "owner", "visibility", "caveats_or_reason", *fields], rows, out)
    console.print(f"wrote {count:,} rows to {out}")


def stats_command(
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What the hub holds that you may see: counts by kind, agency, handling code and category."""
    from mare.cli.render import stats_tables
    from mare.hub.repository import Repository

    with hub_context(home, user, as_agency, role, what="mare stats") as ctx:
        data = Repository(ctx).stats()
    if as_json:
        print_json(data)
    else:
        stats_tables(console, data)
