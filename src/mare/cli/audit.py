"""`mare audit`: verify, export and read the tamper-evident audit trail."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from mare.hub.audit import ACTIONS, AuditLog, audit_key
from mare.store.db import Store, open_store

audit_app = typer.Typer(
    help="The tamper-evident audit trail (LED art. 25): verify the chain, export it, read it.",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", help="Data folder (default $MARE_HOME or ./mare-data).", show_default=False),
]


def _open(home: Path | None) -> Store:
    """Open an existing store, or exit 2 with the reason."""
    try:
        return open_store(home, create=False)
    except FileNotFoundError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def _log(store: Store, *, need_key: bool) -> AuditLog:
    """The store's audit log; with need_key, exit 2 when the key is missing (never create one)."""
    if not need_key:
        return AuditLog(store)
    try:
        return AuditLog(store, audit_key(store.home, create=False))
    except (FileNotFoundError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


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
    anchor: Annotated[
        str | None,
        typer.Option("--anchor", help="SEQ:HASH noted from `mare audit head`: also detects a cut tail."),
    ] = None,
) -> None:
    """Check the hash chain; exit 1 naming the first broken entry."""
    noted = _anchor(anchor) if anchor else None
    with _open(home) as store:
        result = _log(store, need_key=True).verify(anchor=noted)
    if result.ok:
        console.print(f"[green]intact[/green]: {result.checked} entries, head {result.head or '-'}")
        return
    err.print(f"[red]audit trail broken at entry {result.first_broken}[/red]: {result.problem}")
    raise typer.Exit(1)


@audit_app.command()
def export(
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD) or date-time, UTC.")],
    end: Annotated[str, typer.Option("--to", help="Last day (inclusive) or date-time (exclusive), UTC.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="JSON-lines file to write.")],
    home: HomeOpt = None,
) -> None:
    """Export the entries of a period as JSON lines for the supervisory authority."""
    since, until = _moment(start, end=False), _moment(end, end=True)
    if until <= since:
        raise typer.BadParameter("--to must come after --from")
    with _open(home) as store:
        log = _log(store, need_key=True)
        with out.open("w", encoding="utf-8") as handle:
            count = log.export_jsonl(handle, since, until)
    summary = _last_line(out)
    ok = bool(summary["verified"])
    state = "[green]verified[/green]" if ok else f"[red]NOT verified[/red]: {summary['problem']}"
    console.print(f"{count} entries written to {out}; chain {state}; head {summary['head'] or '-'}")
    if not ok:
        raise typer.Exit(1)


@audit_app.command()
def show(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many of the latest entries.")] = 50,
    action: Annotated[str | None, typer.Option("--action", help=f"Only: {', '.join(ACTIONS)}.")] = None,
    home: HomeOpt = None,
) -> None:
    """Show the latest audit entries as a table."""
    if action is not None and action not in ACTIONS:
        raise typer.BadParameter(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    table = Table(title="Audit trail (latest first)")
    for name in ("seq", "when (UTC)", "who", "action", "what", "purpose / why", "outcome", "details"):
        table.add_column(name, overflow="fold")
    with _open(home) as store:
        for entry in _log(store, need_key=False).entries(limit=limit, action=action, newest_first=True):
            who = entry["actor"] + (f" ({entry['actor_agency']})" if entry["actor_agency"] else "")
            what = " ".join(str(v) for v in (entry["resource"], entry["ref"]) if v)
            why = " — ".join(str(v) for v in (entry["purpose"], entry["justification"]) if v)
            details = "" if entry["details"] is None else json.dumps(entry["details"], ensure_ascii=False)
            table.add_row(
                str(entry["seq"]), entry["logged_at"].strftime("%Y-%m-%d %H:%M:%S"), who, entry["action"],
                what, why, entry["outcome"], details[:200],
            )
    console.print(table)


@audit_app.command()
def head(home: HomeOpt = None) -> None:
    """Print SEQ:HASH of the last entry, to note outside the system (detects a cut tail later)."""
    with _open(home) as store:
        last = _log(store, need_key=False).head()
    if last is None:
        console.print("the audit trail is empty")
        return
    typer.echo(f"{last[0]}:{last[1]}")
    err.print(f"note this outside the hub; check later with `mare audit verify --anchor {last[0]}:{last[1]}`")
