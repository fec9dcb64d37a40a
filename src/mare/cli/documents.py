"""`mare documents` (rented and reused documents, impostors, MRZ problems) and `mare mrz FILE`."""

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

HubOpt = Annotated[bool, typer.Option("--hub", help="Use the documents the hub holds (through the policy).")]
TopOpt = Annotated[int, typer.Option("--top", min=1, help="Rows per table.")]


def mrz_command(
    file: Annotated[
        Path, typer.Argument(help="Text file of MRZs, one document per blank-line-separated block.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Check MRZs (ICAO 9303 TD1, TD2, TD3, visas): a verdict per check digit and date.

    Exit status 0 when every document is valid, 1 when one is not, 2 when the file cannot be read."""
    from mare.analyse.documents.mrz_file import MrzFileError, check_file

    try:
        verdicts = check_file(file)
    except MrzFileError as exc:
        raise fail(str(exc), 2) from None
    if as_json:
        print_json([v.as_dict(str(file)) for v in verdicts])
    else:
        if not verdicts:
            console.print(f"{shown(str(file))}: no MRZ block found (blocks are separated by blank lines)")
        for v in verdicts:
            verdict, where = v.verdict, f"{file}: block {v.block.number} (line {v.block.line})"
            if verdict.parsed is None:
                console.print(f"[red]invalid[/] {shown(where)}: {shown(verdict.error or '')}")
                for hint in verdict.suggestions:
                    console.print(f"  hint: {shown(hint)}")
                continue
            p = verdict.parsed
            state = "[green]valid[/]" if verdict.valid else "[red]invalid[/]"
            console.print(
                f"{state} {shown(where)}: {shown(p.format)} {shown(p.document_code)} "
                f"{shown(p.document_number)} {shown(p.issuing_state)}, "
                f"{shown(p.secondary_identifier)} {shown(p.primary_identifier)}"
            )
            for check in verdict.checks:
                mark = "ok " if check.ok else "BAD"
                console.print(f"  {mark} {shown(check.check)} {shown(check.field)}: {shown(check.detail)}")
            for hint in verdict.suggestions:
                console.print(f"  hint: {shown(hint)}")
    if not all(v.verdict.valid for v in verdicts):
        raise typer.Exit(1)


def documents_command(
    file: Annotated[
        Path | None,
        typer.Argument(help="CSV of presentations: number,country[,holder_name,person,departed_at,...]."),
    ] = None,
    hub: HubOpt = False,
    top: TopOpt = 20,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    purpose: PurposeOpt = "crime_fighting",
    why: WhyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rented and reused documents, impostors, seizures and MRZ problems.

    A document presented by different persons, or on more legs than one holder could travel, is
    flagged with the persons and legs involved. With --hub: the documents you may see."""
    from rich.table import Table

    if (file is None) == (not hub):
        raise typer.BadParameter(
            "give a FILE of presentations or --hub, not both" if hub else "give a FILE or --hub"
        )
    if file is not None:
        _file_mode(file, top, as_json)
        return
    from mare.hub.documents import hub_documents

    with (
        hub_context(home, user, as_agency, role, purpose=purpose, why=why, what="mare documents") as ctx,
        err.status("Reading the documents you may see…"),
    ):
        result = hub_documents(ctx)
    if as_json:
        print_json(result.as_dict())
        return
    console.print(
        f"[bold]{result.documents:,}[/] documents ({result.records:,} records) you may see; "
        f"{result.with_mrz:,} with an MRZ, {result.mrz_valid:,} valid"
    )
    if result.status:
        console.print("Status: " + ", ".join(f"{shown(k)} {n}" for k, n in sorted(result.status.items())))
    _findings("Rented or reused documents", [f.as_dict() for f in result.rented], top)
    _findings(
        "Impostors (holder as written is not the person using it)",
        [f.as_dict() for f in result.impostors],
        top,
    )
    if result.seized:
        table = Table(title=f"Seized: {len(result.seized)} document(s)")
        for col in ("document", "holder as written", "seized"):
            table.add_column(col, overflow="fold")
        for f in result.seized[:top]:
            table.add_row(shown(f.key), shown(f.holder_name or ""), shown("; ".join(f.seized)))
        console.print(table)
    if result.mrz_problems:
        table = Table(title=f"MRZ problems: {len(result.mrz_problems)} record(s)")
        for col in ("record", "contribution", "file:row", "reasons"):
            table.add_column(col, overflow="fold")
        for p in result.mrz_problems[:top]:
            table.add_row(
                shown(p.record), shown(p.contribution), shown(p.row or ""), shown("; ".join(p.reasons))
            )
        console.print(table)
    if result.hits:
        table = Table(title="Hits: the same document held by another agency (ask the owner)")
        for col in ("document", "record", "owner", "why only a hit"):
            table.add_column(col, overflow="fold")
        for h in result.hits[:top]:
            table.add_row(shown(h.key), shown(h.record), shown(h.agency), shown(h.reason))
        console.print(table)
    withheld = {k: v for w in result.withheld.values() for k, v in w.items()}
    if withheld:
        console.print(
            "Withheld by rule: " + ", ".join(f"{shown(k)} {n}" for k, n in sorted(withheld.items()))
        )


def _findings(title: str, findings: list[dict[str, Any]], top: int) -> None:
    from rich.table import Table

    if not findings:
        console.print(f"{title}: none")
        return
    table = Table(title=f"{title}: {len(findings)}")
    for col in ("document", "holder as written", "persons", "legs", "reasons"):
        table.add_column(col, overflow="fold")
    for f in findings[:top]:
        persons = "; ".join(f"{p['name'] or '?'} ({p['person']})" for p in f["persons"])
        legs = "; ".join(
            f"{(leg['departed_at'] or '?')[:10]} {leg['from_country'] or '?'}->{leg['to_country'] or '?'}"
            for leg in f["legs"]
        )
        table.add_row(
            shown(f["key"]),
            shown(f["holder_name"] or ""),
            shown(persons),
            shown(legs),
            shown("; ".join(f["reasons"])),
        )
    console.print(table)


def _file_mode(file: Path, top: int, as_json: bool) -> None:
    from mare.analyse.documents.mrz_check import check_mrz
    from mare.analyse.documents.mrz_file import MrzFileError
    from mare.analyse.documents.presentations import read_presentations
    from mare.analyse.documents.reuse import find_reuse

    try:
        data = read_presentations(file)
    except MrzFileError as exc:
        raise fail(str(exc), 2) from None
    findings = find_reuse(data.documents, data.presenters, data.legs)
    mrz = {uid: check_mrz(text, visual) for uid, (text, visual) in data.mrz.items()}
    mrz_problems = [{"row": uid, "reasons": v.reasons()} for uid, v in sorted(mrz.items()) if not v.valid]
    for problem in data.problems:
        err.print(f"[yellow]warning:[/] {shown(problem)}")
    if as_json:
        print_json(
            {
                "documents": len(findings),
                "rented": [f.as_dict() for f in findings if f.rented],
                "impostors": [f.as_dict() for f in findings if f.impostor],
                "mrz_problems": mrz_problems,
                "problems": data.problems,
            }
        )
        return
    console.print(f"[bold]{len(findings):,}[/] documents in {shown(str(file))}")
    _findings("Rented or reused documents", [f.as_dict() for f in findings if f.rented], top)
    _findings("Impostors", [f.as_dict() for f in findings if f.impostor], top)
    for bad in mrz_problems:
        console.print(f"MRZ problem, {shown(str(bad['row']))}: {shown('; '.join(bad['reasons']))}")
