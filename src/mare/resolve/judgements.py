"""Analyst judgements on pairs (same / not same / unsure): who, when, why; the latest one counts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from mare.store.db import Store

Verdict = Literal["same", "not_same", "unsure"]
VERDICTS: tuple[Verdict, ...] = ("same", "not_same", "unsure")


@dataclass(frozen=True, slots=True)
class Judgement:
    """One analyst's decision on one pair."""

    id: str
    left_uid: str
    right_uid: str
    verdict: str
    judged_by: str
    agency: str | None
    reason: str | None
    judged_at: datetime


def ordered(a: str, b: str) -> tuple[str, str]:
    """A pair in canonical order (smaller uid first)."""
    return (a, b) if a < b else (b, a)


def judge(
    store: Store,
    a: str,
    b: str,
    verdict: str,
    judged_by: str,
    reason: str | None = None,
    agency: str | None = None,
) -> Judgement:
    """Record a judgement on the pair (a, b); it overrides the model on every later run."""
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}; use one of {', '.join(VERDICTS)}")
    if a == b:
        raise ValueError("a record cannot be judged against itself")
    left, right = ordered(a, b)
    j = Judgement(
        f"J{uuid.uuid4().hex[:16]}",
        left,
        right,
        verdict,
        judged_by,
        agency,
        reason,
        datetime.now(UTC).replace(tzinfo=None),
    )
    store.con.execute(
        "INSERT INTO judgements VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [j.id, j.left_uid, j.right_uid, j.verdict, j.judged_by, j.agency, j.reason, j.judged_at],
    )
    return j


def latest(store: Store) -> dict[tuple[str, str], str]:
    """The current verdict per pair (the latest judgement wins)."""
    rows = store.con.execute(
        "SELECT left_uid, right_uid, arg_max(verdict, judged_at) FROM judgements GROUP BY 1, 2"
    ).fetchall()
    return {(a, b): v for a, b, v in rows}


def history(store: Store, a: str, b: str) -> list[Judgement]:
    """Every judgement on a pair, oldest first."""
    left, right = ordered(a, b)
    rows = store.con.execute(
        "SELECT * FROM judgements WHERE left_uid = ? AND right_uid = ? ORDER BY judged_at", [left, right]
    ).fetchall()
    return [Judgement(*r) for r in rows]
