"""`mare adverts [--hub | FILE]`: smuggling adverts, what they offer, who posts them, whom they lead to."""

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
    err,
    fail,
    hub_context,
    print_json,
)
from mare.cli.display import shown

HubOpt = Annotated[bool, typer.Option("--hub", help="Use the adverts the hub holds (through the policy).")]
TopOpt = Annotated[int, typer.Option("--top", min=1, help="Rows per table.")]
NetworksOpt = Annotated[
    bool,
    typer.Option(
        "--networks",
        help="With --hub: also the network (as mare network --hub names them) each linked person is in; "
        "builds the person network, so slower.",
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="Phone region (ISO country) for numbers written without +CC, e.g. TR."),
]


def adverts_command(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A Telegram Desktop export (result.json) or a posts CSV "
            "(platform,url,posted_at,author,text)."
        ),
    ] = None,
    hub: HubOpt = False,
    top: TopOpt = 20,
    region: RegionOpt = None,
    networks: NetworksOpt = False,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Smuggling adverts: phones, handles, prices, places and routes, services, and their posters.

    Posts sharing a phone or handle are one poster. With --hub: the adverts you may see, and the
    persons (and their cases and networks) the posters' phones and handles lead to; hits where you
    may see a match only as hit/no-hit. With FILE: the posts of one Telegram export or posts CSV."""
    if (file is None) == (not hub):
        raise typer.BadParameter("give a FILE of posts or --hub, not both" if hub else "give a FILE or --hub")
    if file is not None:
        _file_mode(file, top, region, as_json)
        return
    from mare.hub.adverts import hub_adverts

    with (
        hub_context(home, user, as_agency, role, purpose=purpose, why=why, what="mare adverts") as ctx,
        err.status("Reading the adverts you may see…"),
    ):
        result = hub_adverts(ctx, networks=networks)
    if as_json:
        print_json(result.as_dict())
        return
    _print(result.adverts, result.posters, top)
    if result.hits:
        from rich.table import Table

        table = Table(title="Hits: a poster's phone or handle held by another agency (ask the owner)")
        for col in ("poster", "identifier", "record", "owner", "why only a hit"):
            table.add_column(col, overflow="fold")
        for h in result.hits[:top]:
            table.add_row(
                shown(h.poster), shown(h.identifier), shown(h.record), shown(h.agency), shown(h.reason)
            )
        console.print(table)
    if result.prices:
        months = list(result.prices.items())[-6:]
        console.print(
            "Median advert price by month: "
            + "; ".join(
                f"{shown(m)} "
                + ", ".join(f"{s['median']:,.0f} {shown(c)} (n={s['n']:.0f})" for c, s in cur.items())
                for m, cur in months
            )
        )
    if result.withheld:
        console.print(
            "Withheld by rule: " + ", ".join(f"{shown(k)} {n}" for k, n in sorted(result.withheld.items()))
        )


def _file_mode(file: Path, top: int, region: str | None, as_json: bool) -> None:
    from mare.analyse.adverts.extract import advert_gazetteer, extract
    from mare.analyse.adverts.posters import AdvertView, group_posters
    from mare.ingest.posts import Post
    from mare.ingest.posts_csv import looks_like_posts_csv, read_posts_csv
    from mare.ingest.problems import ContributionError
    from mare.ingest.telegram import looks_like_telegram, read_telegram_posts
    from mare.schema.types.identifiers import normalise_handle

    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    if looks_like_telegram(file):
        reader = read_telegram_posts
    elif looks_like_posts_csv(file):
        reader = read_posts_csv
    else:
        raise fail(
            f"{file}: neither a Telegram Desktop export (result.json) nor a posts CSV with the header "
            "platform,url,posted_at,author,text",
            2,
        )
    try:
        posts: list[Post]
        posts, problems = reader(file)
    except ContributionError as exc:
        raise fail(str(exc), 2) from None
    gaz = advert_gazetteer() if posts else None
    adverts = []
    for post in posts:
        author = None
        if post.author_id or (post.author and " " not in post.author.strip()):
            raw = post.author_id or post.author or ""
            author = normalise_handle(f"{post.platform}:{raw}").value
        adverts.append(
            AdvertView(
                post.key,
                post.platform,
                post.posted_at,
                author,
                post.text,
                extract(post.text, post.platform, region, gaz),
            )
        )
    posters = group_posters(adverts)
    for problem in problems:
        where = f"{problem.file}" + (f", row/message {problem.row}" if problem.row is not None else "")
        err.print(f"[yellow]{problem.severity}:[/] {shown(where)}: {shown(problem.reason)}")
    if as_json:
        print_json(
            {
                "file": str(file),
                "adverts": [a.as_dict() for a in adverts],
                "posters": [p.as_dict() for p in posters],
                "problems": [p.as_dict() for p in problems],
            }
        )
        return
    console.print(f"{shown(str(file))}:")
    _print(adverts, posters, top)


def _print(adverts: list[Any], posters: list[Any], top: int) -> None:
    from rich.table import Table

    counts = {
        kind: sum(1 for a in adverts if a.extraction.values(kind))
        for kind in ("phones", "handles", "prices", "places", "services")
    }
    console.print(
        f"[bold]{len(adverts):,}[/] adverts, [bold]{len(posters):,}[/] posters; adverts with "
        + ", ".join(f"{kind} {n:,}" for kind, n in counts.items())
    )
    table = Table(title=f"Adverts (first {min(top, len(adverts))})")
    for col in ("advert", "posted", "lang", "phones / handles", "price", "route", "services"):
        table.add_column(col, overflow="fold")
    for ad in adverts[:top]:
        ex = ad.extraction
        table.add_row(
            shown(ad.id),
            shown((ad.posted_at or "")[:10]),
            shown(ex.language or "?"),
            shown(", ".join(ex.values("phones") + ex.values("handles"))),
            shown(", ".join(f"{p.value} ({p.trigger})" for p in ex.prices)),
            shown(ex.route.value if ex.route else ""),
            shown(", ".join(f"{s.value} ({s.trigger})" for s in ex.services)),
        )
    console.print(table)
    table = Table(title=f"Posters (first {min(top, len(posters))})")
    for col in ("poster", "adverts", "phones / handles", "prices", "routes", "persons in the hub"):
        table.add_column(col, overflow="fold")
    for p in posters[:top]:
        prices = "; ".join(f"{s['median']:,.0f} {c} (n={s['n']:.0f})" for c, s in p.prices.items())
        found = [
            f"{x['label'] or x['record']} "
            f"({', '.join(m['label'] or m['record'] for m in x['member_of']) or 'no case'}"
            + (f"; network {x['network']}" if x.get("network") else "")
            + ")"
            for x in p.persons
        ]
        if p.hits:
            found.append(f"{len(p.hits)} hit(s)")
        persons = "; ".join(found)
        table.add_row(
            shown(p.id),
            str(len(p.adverts)),
            shown(", ".join([*p.phones, *p.handles][:6])),
            shown(prices),
            shown(", ".join(list(p.routes)[:3])),
            shown(persons),
        )
    console.print(table)
