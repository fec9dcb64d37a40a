"""Reviewing candidate matches on behalf of an analyst: the queue, the explanation, the judgement.

Who may review and judge is the action policy's (`review`, `judge`: analysts and supervisors).
A pair is shown, explained and judged only when the reviewer may see *both* records in full:
an explanation cites the records' values ("same full birth date", "a nationality shared"), so
showing it beside a record the reviewer sees only as hit/no-hit would give the withheld values
away by inference. Pairs the reviewer may not see are counted, never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mare.hub.context import HubContext, system_context
from mare.hub.repository import RecordView, Repository
from mare.resolve.review import apply_judgement, iter_queue

VERDICTS = ("same", "not_same", "unsure")


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One pair the reviewer may see: both records and the per-feature explanation."""

    left: RecordView
    right: RecordView
    match_probability: float
    explanation: dict[str, Any]
    reason: str = ""  # why the queue offers this pair (what its judgement would teach)


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    """The pairs shown, and how many waiting pairs were withheld from this reviewer."""

    items: list[ReviewItem]
    withheld: int


def queue(ctx: HubContext, limit: int = 50) -> ReviewQueue:
    """Unjudged pairs that this reviewer may see in full, those whose judgement would teach the
    model most first (`resolve.review`); withheld pairs met on the way are counted."""
    ctx.permit("review")
    repo = Repository(ctx)
    items: list[ReviewItem] = []
    withheld = 0
    for pair in iter_queue(ctx.store):
        if len(items) >= limit:
            break
        left, right = repo.record(pair.left_uid), repo.record(pair.right_uid)
        if left is None or right is None or not (left.decision.full and right.decision.full):
            withheld += 1
            continue
        items.append(ReviewItem(left, right, pair.match_probability, pair.explanation, pair.reason))
    return ReviewQueue(items, withheld)


@dataclass(frozen=True, slots=True)
class Learning:
    """What a refit on the judgements changed (counts only: never content)."""

    same: int
    not_same: int
    pairs: int
    links: int
    reviews: int
    changed: int
    calibration: dict[str, float]


def learn(ctx: HubContext) -> Learning:
    """Refit the model's weights on every judgement so far and rescore every stored pair with them,
    as the hub's own processing (`system:crosscheck`, on behalf of this reviewer); new links are
    reported as hits. One transaction, audited."""
    from mare.resolve.hits import person_hits, record_hits
    from mare.resolve.learning import relearn

    ctx.permit("judge")
    system = system_context(ctx.store, "crosscheck")
    con = ctx.store.con
    con.execute("BEGIN TRANSACTION")
    try:
        result = relearn(ctx.store)
        record_hits(ctx.store, person_hits(ctx.store))
        learned = result.learned
        out = Learning(
            learned.same if learned else 0,
            learned.not_same if learned else 0,
            result.rescored,
            result.links,
            result.reviews,
            result.changed,
            dict(learned.calibration) if learned else {},
        )
        system.log(
            "combination",
            "learned",
            resource="model",
            details={
                "on_behalf_of": ctx.viewer.user,
                "same": out.same,
                "not_same": out.not_same,
                "pairs": out.pairs,
                "links": out.links,
                "reviews": out.reviews,
                "changed": out.changed,
            },
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return out


def judge(ctx: HubContext, left_uid: str, right_uid: str, verdict: str, reason: str | None = None) -> None:
    """Record the reviewer's verdict on a pair (both records must be visible to them in full)."""
    ref = f"{left_uid}|{right_uid}"
    ctx.permit("judge", ref=ref)
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}: use one of {', '.join(VERDICTS)}")
    repo = Repository(ctx)
    for uid in (left_uid, right_uid):
        view = repo.record(uid)
        if view is None:
            raise ctx.refuse("judge", "unknown-record", f"no record {uid!r}", ref=ref)
        if not view.decision.full:
            raise ctx.refuse(
                "judge",
                "record-withheld",
                f"you may not see {uid} in full ({view.decision.reason}): you cannot judge it",
                ref=ref,
            )
    apply_judgement(ctx.store, left_uid, right_uid, verdict, ctx.viewer.user, reason, ctx.viewer.agency)
    ctx.log(
        "combination", verdict, resource="pair", ref=ref, justification=reason, details={"judgement": verdict}
    )
