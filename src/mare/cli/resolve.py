"""Cross-check commands: `mare crosscheck`, `mare review`, `mare link` (registered by cli.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mare.cli.common import (
    AgencyOpt,
    HomeOpt,
    RoleOpt,
    UserOpt,
    WhyOpt,
    console,
    engine_errors,
    fail,
    hub_context,
)
from mare.cli.display import shown

if TYPE_CHECKING:
    from rich.table import Table

    from mare.hub.repository import RecordView


def crosscheck_command(
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    train: Annotated[bool, typer.Option("--train/--no-train", help="Retrain the model on the store.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="duckdb (in process) or spark (blocking, training, scoring on Spark: docs/spark.md).",
        ),
    ] = "duckdb",
) -> None:
    """Cross-check everything held again: features, model, candidate pairs, entities, hits."""
    unavailable = engine_errors(engine)  # Spark cannot start: one red line, nothing written
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from mare.hub.intake import crosscheck_everything

    with (
        hub_context(home, user, as_agency, role, what="mare crosscheck") as ctx,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=as_json,
        ) as bar,
    ):
        task = bar.add_task("cross-checking", total=100)

        def step(stage: str, done: float) -> None:
            bar.update(task, completed=done * 100, description=stage)

        try:
            result = crosscheck_everything(ctx, train=train, progress=step, engine=engine)
        except unavailable as exc:
            raise fail(str(exc), code=2) from exc
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    table = Table(title="Cross-check")
    table.add_column("measure")
    table.add_column("count", justify="right")
    for key, value in result.as_dict().items():
        if key != "contribution":
            table.add_row(key.replace("_", " "), f"{value:.1f}" if isinstance(value, float) else str(value))
    console.print(table)


def _values(view: RecordView | None) -> dict[str, str]:
    if view is None:
        return {"": "(record no longer held)"}
    if not view.decision.full:
        return {"": f"restricted: {view.decision.reason}"}
    out: dict[str, str] = {"label": view.label or ""}
    for v in view.values:
        out[v.field] = (out[v.field] + "; " if v.field in out else "") + v.original
    return out


def _side_by_side(left: RecordView | None, right: RecordView | None, a: str, b: str) -> Table:
    from rich.table import Table

    lv, rv = _values(left), _values(right)
    table = Table(title="Candidate pair", show_lines=False)
    table.add_column("field")
    table.add_column(f"{shown(a)} ({shown(left.owner) if left else '?'})")
    table.add_column(f"{shown(b)} ({shown(right.owner) if right else '?'})")
    for field in dict.fromkeys([*lv, *rv]):
        table.add_row(shown(field), shown(lv.get(field, "")), shown(rv.get(field, "")))
    return table


def _waterfall(explanation: dict[str, Any]) -> Table:
    from rich.table import Table

    table = Table(title=f"Why: match probability {explanation['match_probability']:.3f}")
    table.add_column("feature")
    table.add_column("level")
    table.add_column("weight", justify="right")
    table.add_column("")
    rows = [("prior", "chance two random records match", explanation["prior_match_weight"])]
    rows += [(f["feature"], f["level"], f["match_weight"]) for f in explanation["features"]]
    total = 0.0
    for feature, level, weight in rows:
        total += weight
        size = min(int(abs(weight) + 0.5), 20)
        bar = f"[green]{'+' * size}[/]" if weight > 0 else f"[red]{'-' * size}[/]"
        table.add_row(shown(feature), shown(level), f"{weight:+.2f}", bar)
    table.add_row("total", "", f"{total:+.2f}", "")
    return table


def review_command(
    home: HomeOpt = None,
    user: UserOpt = None,
    as_agency: AgencyOpt = None,
    role: RoleOpt = None,
    why: WhyOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many pairs.")] = 50,
) -> None:
    """Review candidate pairs: both records side by side with the explanation; s/n/u to judge, q to quit."""
    from mare.hub.review import judge, learn, queue

    with hub_context(home, user, as_agency, role, why=why, what="mare review") as ctx:
        pending = queue(ctx, limit)
        if pending.withheld:
            console.print(
                f"{pending.withheld} waiting pair(s) involve records you may not see in full: not shown."
            )
        if not pending.items:
            console.print("Nothing to review.")
            return
        judged = 0
        for i, item in enumerate(pending.items, start=1):
            console.rule(f"Pair {i} of {len(pending.items)}")
            if item.reason:
                console.print(f"Offered because: {shown(item.reason)}")
            console.print(_side_by_side(item.left, item.right, item.left.uid, item.right.uid))
            console.print(_waterfall(item.explanation))
            key = ""
            while key not in ("s", "n", "u", "q"):
                key = typer.prompt("same (s) / not same (n) / unsure (u) / quit (q)").strip().lower()[:1]
            if key == "q":
                break
            reason = typer.prompt("Why (optional)", default="", show_default=False)
            verdict = {"s": "same", "n": "not_same", "u": "unsure"}[key]
            judge(ctx, item.left.uid, item.right.uid, verdict, reason or None)
            judged += 1
        console.print(f"{judged} judgement(s) recorded.")
        if judged:  # the model learns from every judgement so far; every stored pair is rescored
            done = learn(ctx)
            console.print(
                f"Model refitted on {done.same} 'same' and {done.not_same} 'not same' judgement(s): "
                f"{done.pairs} pair(s) rescored, {done.changed} decision(s) changed; now {done.links} "
                f"link(s), {done.reviews} in the review band."
            )


def link_command(
    file: Annotated[Path, typer.Argument(help="CSV of person records.", exists=True, dir_okay=False)],
    out: Annotated[Path, typer.Option("-o", "--out", help="Where to write record_id,cluster_id,...")],
    symbols: Annotated[
        bool, typer.Option("--symbols/--no-symbols", help="Use Wikidata name equivalents (slower start).")
    ] = True,
) -> None:
    """Deduplicate and link a flat CSV of persons with the hub's engine (no hub needed)."""
    from mare.resolve.flatfile import LinkInputError, link_csv, write_links

    try:
        result = link_csv(file, symbols=symbols)
    except LinkInputError as exc:
        console.print(f"[red]error:[/] {shown(exc)}")
        raise typer.Exit(2) from exc
    write_links(result.rows, out)
    clusters = len(set(r["cluster_id"] for r in result.rows))
    console.print(f"{len(result.rows)} records, {clusters} clusters -> {out}")
    if result.accuracy:
        acc = result.accuracy
        console.print(
            f"pairwise precision {acc.precision:.4f} recall {acc.recall:.4f} F1 {acc.f1:.4f}; "
            f"B-cubed F1 {acc.bcubed_f1:.4f}"
        )
