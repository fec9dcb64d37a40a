"""Deduplicate a set of person feature rows: block, train, score, decide, cluster."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from mare.resolve.blocking import MAX_BLOCK, key_table, pairs_within
from mare.resolve.clusters import cluster
from mare.resolve.engine import MatchEngine, scored_pairs
from mare.resolve.settings import default_settings
from mare.resolve.table import to_arrow
from mare.resolve.thresholds import DEFAULT_THRESHOLDS, Thresholds

Progress = Callable[[str, float], None]
ScoredPair = tuple[str, str, float, float, str]  # left, right, match weight, probability, explanation


@dataclass(slots=True)
class DedupeResult:
    """Scored candidate pairs, the model used, and the clusters at the link threshold."""

    model: dict[str, Any]
    trained: bool
    candidates: int
    pairs: list[ScoredPair] = field(default_factory=list)
    clusters: dict[str, str] = field(default_factory=dict)


def _noop(stage: str, done: float) -> None:
    return None


def dedupe(
    rows: Sequence[dict[str, Any]],
    settings: dict[str, Any] | None = None,
    train: bool = True,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    max_block: int = MAX_BLOCK,
    progress: Progress = _noop,
    same: Sequence[tuple[str, str]] = (),
    not_same: Sequence[tuple[str, str]] = (),
) -> DedupeResult:
    """Find the same persons among these rows (kept pairs at or above `thresholds.keep`)."""
    settings = settings or default_settings()
    features = to_arrow(rows)
    progress("blocking", 0.1)
    con = duckdb.connect()
    con.register("_keys_in", key_table(rows))
    con.execute("CREATE TABLE keys AS SELECT * FROM _keys_in")
    candidates = pairs_within(con, "keys", max_block)
    con.close()
    progress("training", 0.3)
    engine = MatchEngine(settings, features)
    trained = engine.train() if train else False
    model = engine.model()
    progress("scoring", 0.6)
    pairs = scored_pairs(model, engine.score(candidates), thresholds.keep)
    engine.close()
    progress("clustering", 0.9)
    links = [(a, b, p) for a, b, _, p, _ in pairs if p >= thresholds.link]
    clusters = cluster((r["record_uid"] for r in rows), links, same, not_same)
    progress("done", 1.0)
    return DedupeResult(model, trained, candidates.num_rows, pairs, clusters)
