"""Call volumes per phone pair and period: the bulk counts (`call_counts`) where fresh, else the calls.

`aggregate` is the hub's own processing (`system:calls`, asked for by a person who may re-run the
cross-check): it sums the stored calls per contribution, phone pair and day/week/month on DuckDB or
Spark (`mare.resolve.spark.calls`) and writes `call_counts`, its audit entry committing with them.

A period's counts are fresh while they count, per contribution, exactly the calls each contribution
holds (`contributions.call_count`), for the batches a reader reads: one stored since, or one counted
that is gone, makes them stale, and the readers (`pair_volumes`, the network's call ties) then sum
the `calls` table instead.
Either way every row is read through the policy by the contribution it comes from: the viewer sees the
counts of the call batches they may see in full, and how many batches were withheld, by rule, goes to
the request's consultation entry.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mare.hub.audit import APPEND_LOCK
from mare.hub.context import HubContext, system_context
from mare.resolve.spark.calls import PERIODS, CallsError, count_calls, store_counts
from mare.store.db import Store

__all__ = ["PERIODS", "Aggregated", "CallsError", "Freshness", "PairVolume", "Volumes"]


@dataclass(frozen=True)
class Freshness:
    """A period's stamp: contributions counted in `call_counts` vs contributions holding calls."""

    period: str
    counted: int
    present: int
    fresh: bool


@dataclass(frozen=True)
class Aggregated:
    """What `aggregate` wrote: the period, the engine, rows, contributions and calls counted."""

    period: str
    engine: str
    rows: int
    contributions: int
    calls: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


@dataclass(frozen=True)
class PairVolume:
    """Calls and seconds from `caller` to `callee` in the period starting `start` (YYYY-MM-DD)."""

    start: str
    caller: str
    callee: str
    calls: int
    seconds: int


@dataclass
class Volumes:
    """The busiest phone pairs per period the viewer may see; `source`: call_counts or calls."""

    period: str
    source: str
    pairs: list[PairVolume] = field(default_factory=list)
    withheld: int = 0  # call batches (contributions) not seen in full

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "period": self.period,
            "source": self.source,
            "withheld_batches": self.withheld,
            "pairs": [asdict(p) for p in self.pairs],
        }


def _check(period: str) -> None:
    if period not in PERIODS:
        raise CallsError(f"--period {period!r}: use one of {', '.join(PERIODS)}")


def freshness(store: Store, period: str, contributions: Iterable[str] | None = None) -> Freshness:
    """Whether the period's `call_counts` count exactly the calls each contribution holds: every
    contribution holding calls, or only these (the batches a viewer reads)."""
    _check(period)
    only = None if contributions is None else set(contributions)
    counted = {
        str(c): int(n)
        for c, n in store.con.execute(
            "SELECT contribution, sum(calls) FROM call_counts WHERE period = ? GROUP BY contribution",
            [period],
        ).fetchall()
        if only is None or str(c) in only
    }
    present = {
        str(c): int(n)
        for c, n in store.con.execute(
            "SELECT uid, call_count FROM contributions WHERE call_count > 0"
        ).fetchall()
        if only is None or str(c) in only
    }
    return Freshness(period, len(counted), len(present), counted == present)


def aggregate(ctx: HubContext, period: str = "week", engine: str = "duckdb") -> Aggregated:
    """Count the stored calls per contribution, phone pair and `period` on `engine` (duckdb or spark)
    as `system:calls`, on this person's request (`crosscheck`: hub staff), and write `call_counts`;
    the counts and their audit entry commit together."""
    _check(period)
    ctx.permit("crosscheck")
    with system_context(ctx.store, "calls") as system:  # on PostgreSQL: reads every batch, as the hub
        with tempfile.TemporaryDirectory(prefix="mare-calls-") as folder:
            counts = count_calls(ctx.store, Path(folder) / "calls", period, engine)
        contributions = len(set(counts.column("contribution").to_pylist()))
        calls = int(sum(counts.column("calls").to_pylist()))

        def audit(rows: int) -> None:
            system.log(
                "processing",
                "done",
                resource="hub",
                details={
                    "on_behalf_of": ctx.viewer.user,
                    "process": "call_counts",
                    "period": period,
                    "engine": engine,
                    "rows": rows,
                    "contributions": contributions,
                    "calls": calls,
                },
            )

        with APPEND_LOCK:
            rows = store_counts(ctx.store, counts, period, before_commit=audit)
    return Aggregated(period, engine, rows, contributions, calls)


def _batches(ctx: HubContext) -> tuple[list[str], dict[str, int]]:
    """The call batches (contributions holding calls) the viewer may see in full, and those withheld
    by rule."""
    cvis, cparams = ctx.visibility_sql("c", minor=False, consent=False, contribution="uid")
    crule, crule_params = ctx.rule_sql("c", minor=False, consent=False, contribution="uid")
    seen: list[str] = []
    withheld: dict[str, int] = {}
    for uid, visibility, rule in ctx.store.con.execute(
        f"SELECT c.uid, {cvis}, {crule} FROM contributions c WHERE c.call_count > 0 ORDER BY c.uid",
        [*cparams, *crule_params],
    ).fetchall():
        if visibility == "full":
            seen.append(str(uid))
        else:
            withheld[str(rule)] = withheld.get(str(rule), 0) + 1
    return seen, withheld


def pair_volumes(ctx: HubContext, period: str = "month", limit: int = 10) -> Volumes:
    """The `limit` busiest phone pairs of each period (by calls) in the call batches the viewer may
    see in full, from `call_counts` when fresh, else summed from `calls`."""
    _check(period)
    if limit < 1:
        raise CallsError(f"--limit {limit}: give 1 or more")
    seen, withheld = _batches(ctx)
    ctx.note_bulk("call_batch", len(seen), withheld)
    fresh = freshness(ctx.store, period, seen).fresh
    volumes = Volumes(period, "call_counts" if fresh else "calls", withheld=sum(withheld.values()))
    if not seen:
        return volumes
    marks = ", ".join("?" for _ in seen)
    if fresh:
        source = (
            "SELECT start, caller, callee, calls, seconds FROM call_counts "
            f"WHERE period = ? AND contribution IN ({marks})"
        )
    else:
        source = (
            f"SELECT CAST(date_trunc(?, started_at) AS DATE) AS start, caller, callee, 1 AS calls, "
            f"coalesce(duration_s, 0) AS seconds FROM calls WHERE contribution IN ({marks})"
        )
    rows = ctx.store.con.execute(
        "SELECT start, caller, callee, calls, seconds FROM ("
        "SELECT start, caller, callee, sum(calls) AS calls, sum(seconds) AS seconds, "
        "row_number() OVER (PARTITION BY start ORDER BY sum(calls) DESC, caller, callee) AS rank "
        f"FROM ({source}) AS s GROUP BY start, caller, callee) AS ranked "
        "WHERE rank <= ? ORDER BY start, calls DESC, caller, callee",
        [period, *seen, limit],
    ).fetchall()
    volumes.pairs = [
        PairVolume(str(start)[:10], f"+{caller}", f"+{callee}", int(calls), int(seconds))
        for start, caller, callee, calls, seconds in rows
    ]
    return volumes


def monthly_pair_calls(store: Store, contribution: str, fresh: bool) -> list[tuple[int, int, str, int]]:
    """One contribution's calls per (caller, callee, month start 'YYYY-MM-DD'), ordered: from
    `call_counts` when its month counts are `fresh`, else from `calls` (the network's call ties; the
    caller decides whether the contribution may be seen)."""
    if fresh:
        sql = (
            "SELECT caller, callee, strftime(start, '%Y-%m-%d') AS month, calls FROM call_counts "
            "WHERE contribution = ? AND period = 'month' ORDER BY caller, callee, month"
        )
    else:
        sql = (
            "SELECT caller, callee, strftime(date_trunc('month', started_at), '%Y-%m-%d') AS month, "
            "count(*) FROM calls WHERE contribution = ? GROUP BY ALL ORDER BY ALL"
        )
    return [
        (int(a), int(b), str(m), int(n)) for a, b, m, n in store.con.execute(sql, [contribution]).fetchall()
    ]
