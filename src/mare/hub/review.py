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

from mare.hub.context import HubContext
from mare.hub.repository import RecordView, Repository
from mare.resolve.review import apply_judgement, review_queue

VERDICTS = ("same", "not_same", "unsure")


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One pair the reviewer may see: both records and the per-feature explanation."""

    left: RecordView
    right: RecordView
    match_probability: float
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    """The pairs shown, and how many waiting pairs were withheld from this reviewer."""

    items: list[ReviewItem]
    withheld: int


def queue(ctx: HubContext, limit: int = 50) -> ReviewQueue:
    """Unjudged pairs in the review band that this reviewer may see in full, most likely first."""
    ctx.permit("review")
    repo = Repository(ctx)
    items: list[ReviewItem] = []
    withheld, offset, page = 0, 0, max(limit, 50)
    while len(items) < limit:
        pairs = review_queue(ctx.store, page, offset)
        if not pairs:
            break
        offset += len(pairs)
        for pair in pairs:
            left, right = repo.record(pair.left_uid), repo.record(pair.right_uid)
            if left is None or right is None or not (left.decision.full and right.decision.full):
                withheld += 1
                continue
            if len(items) < limit:
                items.append(ReviewItem(left, right, pair.match_probability, pair.explanation))
    return ReviewQueue(items, withheld)


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
