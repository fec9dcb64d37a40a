"""`mare search QUERY`: names, identifiers and places across the hub, ranked, through the read policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mare.cli.choices import MAX_LIMIT, QUERY_KINDS
from mare.cli.common import (
    AgencyOpt,
    HomeOpt,
    JsonOpt,
    PurposeOpt,
    RoleOpt,
    UserOpt,
    WhyOpt,
    console,
    fail,
    hub_context,
    print_json,
)
from mare.cli.display import shown

if TYPE_CHECKING:
    from mare.hub.search import SearchResult

#: Caveats worth repeating beside a result (H0's "use only to prevent and combat crime" holds for all).
_SHOWN_CAVEATS = ("H1", "H2", "H3", "Provider")


def search_command(
    query: Annotated[
        str,
        typer.Argument(
            help="A name (any script), phone (any format), e-mail, IBAN, IMO or MMSI number, document "
            "number, plate, @handle or place."
        ),
    ],
    exact: Annotated[
        bool,
        typer.Option("--exact", help="Only the same normalised name or an identical identifier (no fuzzy)."),
    ] = False,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help=f"Read the query only as these kinds (repeat or comma-separate): {', '.join(QUERY_KINDS)}.",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help=f"Results to show (1-{MAX_LIMIT}).")] = 20,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Search names, phones, documents, plates, IMO/MMSI, IBANs, e-mails, handles and places (ranked, with
    why each matched; hit/no-hit where the policy withholds)."""
    from mare.hub.search import search

    kinds = [k.strip() for value in kind or [] for k in value.split(",") if k.strip()] or None
    with hub_context(home, user, as_agency, role, purpose=purpose, why=why, what="mare search") as ctx:
        try:
            result = search(ctx, query, fuzzy=not exact, kinds=kinds, limit=limit)
        except ValueError as exc:
            raise fail(str(exc)) from None
    if as_json:
        print_json(result.as_dict())
        return
    _table(result)


def _table(result: SearchResult) -> None:
    """The results as a table, then what was withheld."""
    from rich.table import Table

    read_as = ", ".join(result.read_as)
    if not result.hits:
        console.print(f"no matches (read as {shown(read_as)}; {shown(result.mode)})")
        return
    matches = "1 match" if result.matched == 1 else f"{result.matched:,} matches"
    table = Table(title=f"{matches} (read as {shown(read_as)}; {shown(result.mode)}), best first")
    for column in ("rank", "score", "kind", "label", "owner", "why"):
        table.add_column(column, justify="right" if column in ("rank", "score") else "left")
    for hit in result.hits:
        if hit.decision.full:
            caveats = [c for c in hit.decision.caveats if c.startswith(_SHOWN_CAVEATS)]
            why = "; ".join(hit.why) + ("; " + " ".join(caveats) if caveats else "")
            table.add_row(
                str(hit.rank),
                f"{hit.score:.3f}" if hit.score is not None else "",
                shown(hit.kind),
                shown(hit.label),
                shown(hit.owner),
                shown(why),
            )
        else:
            table.add_row(
                str(hit.rank),
                "",
                shown(hit.kind),
                "[dim]restricted[/]",
                shown(hit.owner),
                f"[dim]{shown(hit.why[0])}[/]",
            )
    console.print(table)
    if result.withheld:
        rules = ", ".join(f"{shown(rule)} {n:,}" for rule, n in result.withheld.items())
        console.print(f"[dim]matches not shown in full, by rule: {rules}[/]")
