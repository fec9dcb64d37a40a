"""Deduplicate a set of person feature rows: block, train, score, decide, cluster."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mare.resolve.blocking import MAX_BLOCK, key_table, pairs_within_sql
from mare.resolve.clusters import cluster
from mare.resolve.engine import MatchEngine, scored_pairs
from mare.resolve.settings import SOURCE, default_settings, without
from mare.resolve.sqlscore import score_sql
from mare.resolve.table import to_arrow
from mare.resolve.thresholds import DEFAULT_THRESHOLDS, Thresholds

Progress = Callable[[str, float], None]
SCORE_BATCH = 1_000_000
ScoredPair = tuple[str, str, float, float, str]  # left, right, match weight, probability, explanation


@dataclass(slots=True)
class DedupeResult:
    """Scored candidate pairs, the model used, and the clusters at the link threshold."""

    model: dict[str, Any]
    trained: bool
    candidates: int
    pairs: list[ScoredPair] = field(default_factory=list)
    clusters: dict[str, str] = field(default_factory=dict)


def full_dates(rows: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """Each person's full birth date and its day/month alternative (for clustering)."""
    return {r["record_uid"]: [d for d in (r["birth_date"], r["birth_alt"]) if d]
            for r in rows if r["birth_precision"] == "day"}


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
    if len({r["contribution"] for r in rows}) <= 1:  # one source: "same contribution" says nothing
        settings = without(settings, SOURCE)
    engine = MatchEngine(settings, to_arrow(rows))
    progress("blocking", 0.1)  # candidate pairs stay in DuckDB (no Arrow copy of millions of pairs)
    con = engine.con
    con.register("_keys_in", key_table(rows))
    con.execute("CREATE TABLE _mare_keys AS SELECT * FROM _keys_in")
    con.unregister("_keys_in")
    con.execute(f"CREATE TABLE _mare_candidates AS {pairs_within_sql('_mare_keys', max_block)}")
    con.execute("DROP TABLE _mare_keys")
    n_candidates = int(con.execute("SELECT count(*) FROM _mare_candidates").fetchall()[0][0])
    progress("training", 0.3)
    trained = engine.train() if train else False
    model = engine.model()
    progress("scoring", 0.6)  # in SQL from the model (as Splink scores, tested equal), explained in SQL
    pairs: list[ScoredPair] = []
    for start in range(0, n_candidates, SCORE_BATCH):  # batches bound the memory
        batch = (f"(SELECT left_uid, right_uid FROM _mare_candidates WHERE rowid >= {start} "
                 f"AND rowid < {start + SCORE_BATCH})")
        pairs += scored_pairs(model, score_sql(con, model, batch, "person_input", thresholds.keep,
                                              explain=True), thresholds.keep)
    engine.close()
    progress("clustering", 0.9)
    links = [(a, b, p) for a, b, _, p, _ in pairs if p >= thresholds.link]
    clusters = cluster((r["record_uid"] for r in rows), links, same, not_same, full_dates(rows))
    progress("done", 1.0)
    return DedupeResult(model, trained, n_candidates, pairs, clusters)
