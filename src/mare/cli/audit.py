"""`mare audit`: verify, export and read the tamper-evident audit trail."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from mare.cli import choices
from mare.cli.common import AgencyOpt, RoleOpt, UserOpt, hub_context
from mare.cli.display import SafeConsole, shown

audit_app = typer.Typer(
    help="The tamper-evident audit trail (LED art. 25): verify the chain, export it, read it.",
    no_args_is_help=True,
)
console = SafeConsole()
err = SafeConsole(stderr=True)

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", help="Data folder (default $MARE_HOME or ./mare-data).", show_default=False),
]


def _key_missing(exc: Exception) -> typer.Exit:
    err.print(f"[red]{shown(exc)}[/red]")
    return typer.Exit(2)


def _moment(text: str, *, end: bool) -> datetime:
    """A date or date-time option as UTC; a bare date for --to means the end of that day."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1) if end else day, time(), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD) or date-time (ISO 8601)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _anchor(text: str) -> tuple[int, str]:
    """Parse SEQ:HASH as printed by `mare audit head`."""
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise typer.BadParameter("use SEQ:HASH as printed by `mare audit head`")
    return int(seq), digest


def _last_line(path: Path) -> dict[str, Any]:
    """The export's summary line, read from the end of the file."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 8192))
        tail = handle.read().decode("utf-8", errors="replace")
    summary: dict[str, Any] = json.loads(tail.rstrip("\n").rsplit("\n", 1)[-1])
    return summary


@audit_app.command()
def verify(
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    anchor: Annotated[
        str | None,
        typer.Option("--anchor", help="SEQ:HASH noted from `mare audit head`: also detects a cut tail."),
    ] = None,
) -> None:
    """Check the hash chain; exit 1 naming the first broken entry."""
    from mare.hub import oversight

    noted = _anchor(anchor) if anchor else None
    with hub_context(home, user, as_agency, role, purpose="oversight", what="mare audit verify") as ctx:
        try:
            result = oversight.verify(ctx, anchor=noted)
        except (FileNotFoundError, ValueError) as exc:
            raise _key_missing(exc) from exc
    if result.ok:
        console.print(f"[green]intact[/green]: {result.checked} entries, head {result.head or '-'}")
        return
    err.print(f"[red]audit trail broken at entry {result.first_broken}[/red]: {shown(result.problem)}")
    raise typer.Exit(1)


@audit_app.command()
def export(
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD) or date-time, UTC.")],
    end: Annotated[str, typer.Option("--to", help="Last day (inclusive) or date-time (exclusive), UTC.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="JSON-lines file to write.")],
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
) -> None:
    """Export the entries of a period as JSON lines for the supervisory authority."""
    from mare.hub import oversight

    since, until = _moment(start, end=False), _moment(end, end=True)
    if until <= since:
        raise typer.BadParameter("--to must come after --from")
    with hub_context(home, user, as_agency, role, purpose="oversight", what="mare audit export") as ctx:
        try:
            count = oversight.export(ctx, out, since, until)
        except (FileNotFoundError, ValueError) as exc:
            raise _key_missing(exc) from exc
    summary = _last_line(out)
    ok = bool(summary["verified"])
    state = "[green]verified[/green]" if ok else f"[red]NOT verified[/red]: {summary['problem']}"
    console.print(f"{count} entries written to {out}; chain {state}; head {summary['head'] or '-'}")
    if not ok:
        raise typer.Exit(1)


@audit_app.command()
def show(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many of the latest entries.")] = 50,
    action: Annotated[
        str | None, typer.Option("--action", help=f"Only: {', '.join(choices.ACTIONS)}.")
    ] = None,
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
) -> None:
    """Show the latest audit entries as a table."""
    from rich.table import Table

    from mare.hub import oversight
    from mare.hub.audit import ACTIONS

    if action is not None and action not in ACTIONS:
        raise typer.BadParameter(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    table = Table(title="Audit trail (latest first)")
    for name in ("seq", "when (UTC)", "who", "action", "what", "purpose / why", "outcome", "details"):
        table.add_column(name, overflow="fold")
    with hub_context(home, user, as_agency, role, purpose="oversight", what="mare audit show") as ctx:
        for entry in oversight.entries(ctx, limit, action):
            who = entry["actor"] + (f" ({entry['actor_agency']})" if entry["actor_agency"] else "")
            what = " ".join(str(v) for v in (entry["resource"], entry["ref"]) if v)
            why = " — ".join(str(v) for v in (entry["purpose"], entry["justification"]) if v)
            details = "" if entry["details"] is None else json.dumps(entry["details"], ensure_ascii=False)
            table.add_row(
                str(entry["seq"]),
                entry["logged_at"].strftime("%Y-%m-%d %H:%M:%S"),
                shown(who),
                shown(entry["action"]),
                shown(what),
                shown(why),
                shown(entry["outcome"]),
                shown(details[:200]),
            )
    console.print(table)


@audit_app.command()
def head(
    home: HomeOpt = None, user: UserOpt = None, as_agency: AgencyOpt = None, role: RoleOpt = None
) -> None:
    """Print SEQ:HASH of the last entry, to note outside the system (detects a cut tail later)."""
    from mare.hub import oversight

    with hub_context(home, user, as_agency, role, purpose="oversight", what="mare audit head") as ctx:
        last = oversight.head(ctx)
    if last is None:
        console.print("the audit trail is empty")
        return
    typer.echo(f"{last[0]}:{last[1]}")
    err.print(f"note this outside the hub; check later with `mare audit verify --anchor {last[0]}:{last[1]}`")
