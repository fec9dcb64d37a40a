"""The analyst review queue: the unjudged pairs whose judgement would teach the model most.

Every stored candidate pair not yet judged is a candidate for review (not only those in the
review band), ranked by how likely an analyst's verdict is to change a decision and to move the
model (active learning):

* **uncertainty** around the link threshold: how many bits the pair's match weight lies from the
  weight at which it would be linked automatically, measured against
* **disagreement**: how much a committee of models fitted on bootstrap resamples of the
  judgements so far disagrees on the pair's weight (none before the first judgements), and how
  strongly the model's own components pull in opposite directions (a name that says 'same
  person' against a birth date that says 'someone else').

The rank is the chance, under that disagreement, that the pair lies on the other side of the
threshold. Pairs that reach the same levels of every comparison teach the model the same thing,
so at most `PER_PATTERN` of them are offered in a row. Each pair carries the reason it was chosen.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from mare.resolve.entities import rebuild_entities
from mare.resolve.hits import person_hits, record_hits
from mare.resolve.judgements import Judgement, judge
from mare.resolve.learning import (
    LevelIndex,
    committee,
    explanation_design,
    labelled_design,
    spread,
    thresholds_in_force,
)
from mare.resolve.model import load_model
from mare.resolve.thresholds import Thresholds
from mare.store.db import Store

#: Pairs further than this many bits from the link threshold are never worth an analyst's time.
WINDOW_BITS = 12.0
#: How uncertain a pair's weight is before any judgement (bits): Fellegi–Sunter's independence
#: assumption alone makes weights that far off.
BASE_SPREAD = 2.0
#: Consecutive pairs with one level pattern at most (they teach the same thing).
PER_PATTERN = 3
#: Committee size (bootstrap refits on the judged pairs).
MEMBERS = 5


@dataclass(frozen=True, slots=True)
class ReviewPair:
    """One pair waiting for an analyst, with its explanation and why it is offered."""

    left_uid: str
    right_uid: str
    match_probability: float
    explanation: dict[str, Any]
    reason: str = ""
    priority: float = 0.0


def _bits(probability: float) -> float:
    return math.log2(probability / (1 - probability))


def _conflict(explanation: dict[str, Any]) -> tuple[float, float]:
    weights = [float(f["match_weight"]) for f in explanation["features"]]
    return sum(w for w in weights if w > 0), -sum(w for w in weights if w < 0)


def _reason(weight: float, link: float, members: float, pro: float, con: float, judged: int) -> str:
    side = "above" if weight >= link else "below"
    parts = [
        f"uncertain: match weight {weight:+.1f}, {abs(weight - link):.1f} bits {side} the link threshold"
    ]
    if judged and members >= 0.5:
        parts.append(f"models fitted on the {judged} judgements so far disagree by ±{members:.1f} bits")
    if min(pro, con) >= 3.0:
        parts.append(f"evidence conflicts: {pro:+.1f} bits for, {-con:+.1f} against")
    return "; ".join(parts)


def ranked_pairs(store: Store, thresholds: Thresholds | None = None) -> list[ReviewPair]:
    """Every unjudged candidate pair within `WINDOW_BITS` of the link threshold (of the thresholds
    in force: calibrated ones once the weights are learnt), most informative first (ties: the
    likelier match first, then by uids)."""
    link = _bits((thresholds or thresholds_in_force(store)).link)
    rows = store.con.execute(
        "SELECT c.left_uid, c.right_uid, c.match_probability, c.match_weight, CAST(c.explanation AS VARCHAR) "
        "FROM candidate_pairs c ANTI JOIN judgements j USING (left_uid, right_uid) "
        "WHERE abs(c.match_weight - ?) <= ? ORDER BY c.match_probability DESC, c.left_uid, c.right_uid",
        [link, WINDOW_BITS],
    ).fetchall()
    if not rows:
        return []
    explanations = [json.loads(e) for *_, e in rows]
    weights = np.array([float(r[3]) for r in rows])
    _, settings = load_model(store)
    index = LevelIndex.of(settings)
    x, y = labelled_design(store, settings)
    judged = len(y)
    if judged >= 2:
        members = spread(committee(x, y, index, MEMBERS), explanation_design(index, explanations))
    else:
        members = np.zeros(len(rows))
    conflict = np.array([min(_conflict(e)) for e in explanations])
    # the chance that the pair's true weight lies across the threshold, under a normal error whose
    # spread grows with the committee's disagreement and the components' conflict
    sd = np.sqrt(BASE_SPREAD**2 + members**2 + (0.25 * conflict) ** 2)
    z = np.abs(weights - link) / sd
    flip = np.array([0.5 * math.erfc(v / math.sqrt(2)) for v in z])
    order = sorted(range(len(rows)), key=lambda i: -flip[i])  # stable: SQL order breaks ties
    out = []
    for i in order:
        a, b, p, w, _ = rows[i]
        pro, con = _conflict(explanations[i])
        out.append(
            ReviewPair(
                a,
                b,
                float(p),
                explanations[i],
                _reason(float(w), link, float(members[i]), pro, con, judged),
                round(float(flip[i]), 4),
            )
        )
    return _diverse(out)


def _pattern(explanation: dict[str, Any]) -> tuple[str, ...]:
    return tuple(f"{f['feature']}={f['level']}" for f in explanation["features"])


def _diverse(pairs: list[ReviewPair]) -> list[ReviewPair]:
    """The ranking with pairs of an over-represented level pattern moved back."""
    seen: dict[tuple[str, ...], int] = {}
    first: list[ReviewPair] = []
    later: list[ReviewPair] = []
    for pair in pairs:
        key = _pattern(pair.explanation)
        seen[key] = seen.get(key, 0) + 1
        (first if seen[key] <= PER_PATTERN else later).append(pair)
    return first + later


def iter_queue(store: Store, thresholds: Thresholds | None = None) -> Iterator[ReviewPair]:
    """The ranked queue, one pair at a time (ranked once)."""
    yield from ranked_pairs(store, thresholds)


def review_queue(store: Store, limit: int = 50, offset: int = 0) -> list[ReviewPair]:
    """Unjudged pairs, most informative first (see the module docstring)."""
    return ranked_pairs(store)[offset : offset + limit]


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
    if store.url is not None:  # PostgreSQL: computed in DuckDB on the store's tables (mirror.py)
        from mare.resolve.mirror import on_mirror

        return on_mirror(store, lambda m, **_: apply_judgement(m, a, b, verdict, judged_by, reason, agency))
    j = judge(store, a, b, verdict, judged_by, reason, agency)
    rebuild_entities(store, [a, b])
    if verdict == "same":
        record_hits(store, person_hits(store, [a, b]))
    return j
