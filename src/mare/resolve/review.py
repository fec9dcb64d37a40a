"""The analyst review queue: pairs between the review and link thresholds, not yet judged."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mare.resolve.entities import rebuild_entities
from mare.resolve.hits import person_hits, record_hits
from mare.resolve.judgements import Judgement, judge
from mare.store.db import Store


@dataclass(frozen=True, slots=True)
class ReviewPair:
    """One pair waiting for an analyst, with its explanation."""

    left_uid: str
    right_uid: str
    match_probability: float
    explanation: dict[str, Any]


def review_queue(store: Store, limit: int = 50, offset: int = 0) -> list[ReviewPair]:
    """Unjudged pairs in the review band, most likely matches first."""
    rows = store.con.execute(
        "SELECT c.left_uid, c.right_uid, c.match_probability, CAST(c.explanation AS VARCHAR) "
        "FROM candidate_pairs c ANTI JOIN judgements j USING (left_uid, right_uid) "
        "WHERE c.decision = 'review' ORDER BY c.match_probability DESC, c.left_uid, c.right_uid "
        "LIMIT ? OFFSET ?",
        [limit, offset],
    ).fetchall()
    return [ReviewPair(a, b, float(p), json.loads(e)) for a, b, p, e in rows]


def apply_judgement(
    store: Store,
    a: str,
    b: str,
    verdict: str,
    judged_by: str,
    reason: str | None = None,
    agency: str | None = None,
) -> Judgement:
    """Record a judgement, recluster the records it touches, and report a confirmed match as a hit."""
    j = judge(store, a, b, verdict, judged_by, reason, agency)
    rebuild_entities(store, [a, b])
    if verdict == "same":
        record_hits(store, person_hits(store, [a, b]))
    return j
