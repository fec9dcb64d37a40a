"""Rich rendering for the CLI: tables of problems, records and stats (no logic here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from mare.cli.display import shown

if TYPE_CHECKING:
    from mare.hub.entity import EntityView
    from mare.hub.repository import RecordView
    from mare.ingest.pipeline import IngestReport
    from mare.ingest.problems import Problem

STATUS_STYLE = {
    "stored": "green",
    "already_received": "cyan",
    "dry_run": "yellow",
    "refused": "red",
    "failed": "red",
}


def ingest_summary(console: Console, reports: list[IngestReport]) -> None:
    """One line per contribution."""
    from rich.table import Table

    table = Table(title="Contributions", show_lines=False)
    for col in (
        "source",
        "status",
        "contribution",
        "agency",
        "records",
        "links",
        "calls",
        "rejected",
        "warnings",
    ):
        table.add_column(
            col,
            justify="right" if col in ("records", "links", "calls", "rejected", "warnings") else "left",
        )
    for r in reports:
        table.add_row(
            shown(Path(r.source).name),
            f"[{STATUS_STYLE[r.status]}]{r.status}[/]",
            shown(r.contribution),
            shown(r.agency),
            f"{r.records:,}",
            f"{r.links:,}",
            f"{r.calls:,}",
            f"{r.rejected:,}",
            f"{r.warnings:,}",
        )
    console.print(table)


def problems_table(
    console: Console, reports: list[IngestReport], limit: int = 30, include_warnings: bool = False
) -> None:
    """The first problems, with file, row, field, reason and fix."""
    from rich.table import Table

    rows = [p for r in reports for p in r.problems if include_warnings or p.severity == "error"]
    if not rows:
        return
    table = Table(
        title=f"Problems ({len(rows):,}" + (f", first {limit} shown)" if len(rows) > limit else ")")
    )
    for col in ("file", "row", "field", "severity", "reason", "fix"):
        table.add_column(col, overflow="fold")
    for p in rows[:limit]:
        table.add_row(
            shown(p.file),
            "" if p.row is None else str(p.row),
            shown(p.field),
            p.severity,
            shown(p.reason),
            shown(p.fix),
        )
    console.print(table)


def write_report(path: Path, reports: list[IngestReport]) -> None:
    """The per-row error report as CSV or JSON (by extension)."""
    from mare.analyse.export import write_csv

    if path.suffix.lower() == ".json":
        path.write_text(json.dumps([r.as_dict() for r in reports], indent=2, default=str), encoding="utf-8")
        return
    rows = (
        (r.source, r.contribution, p.file, p.row, p.field, p.severity, p.reason, p.fix)
        for r in reports
        for p in r.problems
    )
    write_csv(("source", "contribution", "file", "row", "field", "severity", "reason", "fix"), rows, path)


def record_panel(console: Console, view: RecordView) -> None:
    """A record with provenance, values and links; or the hit/no-hit answer."""
    from rich.table import Table

    d = view.decision
    console.print(
        f"[bold]{shown(view.kind)}[/] {shown(view.uid)}  owner [bold]{shown(view.owner)}[/]  "
        f"visibility [bold]{d.visibility}[/] ({d.rule}: {shown(d.reason)})"
    )
    for caveat in d.caveats:
        console.print(f"  [yellow]⚠ {shown(caveat)}[/]")
    if not d.full:
        return
    prov = Table(title="Provenance", show_header=False)
    for k, v in view.provenance.items():
        if v not in (None, ""):
            prov.add_row(k, shown(json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v))
    console.print(prov)
    values = Table(title="Values")
    for col in ("field", "original", "normalised", "flags / reason"):
        values.add_column(col, overflow="fold")
    for v in view.values:
        note = ", ".join(v.flags) + (f" {v.reason}" if v.reason else "")
        values.add_row(shown(v.field), shown(v.original), shown(v.normalised) or "[red]—[/]", shown(note))
    console.print(values)
    if view.links:
        links = Table(title="Links")
        for col in ("kind", "dir", "other", "visibility"):
            links.add_column(col)
        for link in view.links:
            other = link.get("other") or {}
            label = other.get("label") or other.get("uid") or link.get("reason", "")
            links.add_row(
                shown(link["kind"]),
                shown(link.get("direction", "")),
                shown(f"{other.get('kind', '')} {label}"),
                shown(link["visibility"]),
            )
        console.print(links)


def _table(console: Console, title: str, columns: list[str], rows: list[list[str]]) -> None:
    """A titled table, printed only when it has rows."""
    from rich.table import Table

    if not rows:
        return
    table = Table(title=title)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(shown(cell) for cell in row))
    console.print(table)


def entity_panel(console: Console, view: EntityView) -> None:
    """An entity: its records, the values they agree on, the restricted ones as hit/no-hit, then hits,
    judgements, links, timeline and places (`mare show record UID` gives one record in full)."""
    console.rule(
        f"{shown(view.kind)} {shown(view.id)}: {len(view.records)} record(s) shown, "
        f"{len(view.restricted)} restricted"
    )
    records = []
    for r in view.records:
        p = r.provenance
        grading = p.get("evaluation") or {}
        records.append(
            [
                r.uid,
                r.owner,
                str(p.get("handling_code", "")),
                f"{grading.get('source', '')}{grading.get('information', '')}",
                str(p.get("category") or ""),
                r.label or "",
                str(p.get("received_at", ""))[:10],
            ]
        )
    _table(
        console, "Records", ["uid", "owner", "handling", "grading", "category", "label", "received"], records
    )
    for caveat in sorted({c for r in view.records for c in r.decision.caveats}):
        console.print(f"  [yellow]⚠ {shown(caveat)}[/]")
    values: dict[tuple[str, str], dict[str, set[str]]] = {}
    for r in view.records:
        for v in r.values:
            seen = values.setdefault((v.field, v.normalised or "—"), {"given": set(), "owners": set()})
            seen["given"].add(v.original)
            seen["owners"].add(r.owner)
    _table(
        console,
        "Values (normalised, as given, by whom)",
        ["field", "normalised", "as given", "agencies"],
        [
            [f, n, " · ".join(sorted(s["given"])), ", ".join(sorted(s["owners"]))]
            for (f, n), s in sorted(values.items())
        ],
    )
    for record in view.restricted:
        console.print(
            f"[yellow]restricted[/] {shown(record.kind)} held by [bold]{shown(record.owner)}[/]: "
            f"{shown(record.decision.reason)} "
            f"(ask the owner: `mare consent request {shown(record.uid)} --why …`)"
        )
    _table(
        console,
        "Hits",
        ["kind", "record", "with", "basis"],
        [
            [
                h["kind"],
                h["record"],
                f"{h.get('other_label') or h.get('other') or 'restricted record'} ({h['other_owner']})",
                h.get("basis") or f"restricted: {h.get('restricted', '')}",
            ]
            for h in view.hits
        ],
    )
    if view.hits_within:
        console.print(f"{view.hits_within} hit(s) join the records shown here to each other.")
    _table(
        console,
        "Judgements",
        ["left", "right", "verdict", "by", "reason"],
        [[j["left"], j["right"], j["verdict"], j["by"], j["reason"] or ""] for j in view.judgements],
    )
    links = {
        (
            link["kind"],
            link.get("direction", ""),
            f"{(link.get('other') or {}).get('kind', '')} "
            f"{(link.get('other') or {}).get('label') or (link.get('other') or {}).get('uid', '')}",
            link["visibility"],
        )
        for r in view.records
        for link in r.links
    }
    _table(console, "Links", ["kind", "dir", "other", "visibility"], [list(x) for x in sorted(links)])
    _table(
        console,
        "Timeline",
        ["at", "what", "record"],
        [[t["at"], t["what"], t["label"] or t["record"]] for t in view.timeline],
    )
    _table(
        console,
        "Places",
        ["as given", "place", "country", "lat, lon", "records"],
        [
            [
                p["text"] or "",
                p["place"] or "",
                p["country"] or "",
                f"{p['lat']:.4f}, {p['lon']:.4f}" if p["lat"] is not None else "—",
                f"{len(p['records'])}: {', '.join(p['records'][:3])}"
                + (" …" if len(p["records"]) > 3 else ""),
            ]
            for p in view.places
        ],
    )


def stats_tables(console: Console, stats: dict[str, Any]) -> None:
    """What the hub holds."""
    from rich.table import Table

    console.print(
        f"[bold]{stats['contributions']:,}[/] contributions, "
        f"[bold]{sum(stats['records'].values()):,}[/] records, "
        f"[bold]{sum(stats['links'].values()):,}[/] links, "
        f"[bold]{stats['calls']:,}[/] call records; "
        f"{stats['rejected_rows']:,} rows rejected, "
        f"{stats['unnormalised_values']:,} values kept but not normalised, "
        f"{stats['minors']:,} records on minors"
    )
    withheld = stats.get("withheld_records") or {}
    if withheld:
        rules = ", ".join(f"{n:,} {shown(rule)}" for rule, n in withheld.items())
        console.print(
            f"Withheld from you (hit/no-hit only): [bold]{sum(withheld.values()):,}[/] records ({rules})"
        )
    done = stats.get("processing") or {}
    if done.get("resolved_records"):
        console.print(
            f"Cross-check: [bold]{done['hits']:,}[/] hits; {done['resolved_records']:,} person records "
            f"resolved to [bold]{done['entities']:,}[/] entities"
        )
    if done.get("place_names"):
        console.print(
            f"Geocoding: {done['places_located']:,} of {done['place_names']:,} place names placed on the map "
            "(offline gazetteer, with confidence)"
        )
    for key, title in (
        ("records", "Records by kind"),
        ("links", "Links by kind"),
        ("agencies", "Contributions by agency"),
        ("handling", "Records by handling code"),
        ("persons_by_category", "Persons by category"),
        ("formats", "By format"),
    ):
        if not stats[key]:
            continue
        table = Table(title=title)
        table.add_column("name")
        table.add_column("count", justify="right")
        for name, count in stats[key].items():
            table.add_row(shown(name), f"{count:,}")
        console.print(table)


def problem_line(p: Problem) -> str:
    """A problem as one line of text."""
    where = p.file + (f":{p.row}" if p.row is not None else "") + (f" [{p.field}]" if p.field else "")
    return f"{where}: {p.reason}" + (f" — {p.fix}" if p.fix else "")
