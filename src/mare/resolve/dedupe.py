"""Deduplicate a set of person feature rows: block, train, score, decide, cluster.

Memory (a million persons in well under 8 GiB): the features go in as one Arrow table (build it
with `table.feature_table` rather than a list of Python dicts), DuckDB works under a memory
limit (`engine.MEMORY_LIMIT`), persons are numbered so that the hundred million candidate pairs
are two integers each, and only the pairs kept come back to Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from mare.resolve.blocking import MAX_BLOCK, create_candidates, keys_sql, table_rows
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
    return {
        r["record_uid"]: [d for d in (r["birth_date"], r["birth_alt"]) if d]
        for r in rows
        if r["birth_precision"] == "day"
    }


def _noop(stage: str, done: float) -> None:
    return None


def dedupe(
    rows: Sequence[dict[str, Any]] | pa.Table,
    settings: dict[str, Any] | None = None,
    train: bool = True,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    max_block: int = MAX_BLOCK,
    progress: Progress = _noop,
    same: Sequence[tuple[str, str]] = (),
    not_same: Sequence[tuple[str, str]] = (),
) -> DedupeResult:
    """Find the same persons among these rows (kept pairs at or above `thresholds.keep`).

    `rows`: feature rows (`features.build_rows`) or, for large sets, their Arrow table
    (`table.feature_table`)."""
    settings = settings or default_settings()
    table = rows if isinstance(rows, pa.Table) else to_arrow(rows)
    if pc.count_distinct(table.column("contribution"), mode="all").as_py() <= 1:
        settings = without(settings, SOURCE)  # one source: "same contribution" says nothing
    engine = MatchEngine(settings, table)
    progress("blocking", 0.1)  # candidate pairs stay in DuckDB (no Arrow copy of millions of pairs)
    con = engine.con
    # persons numbered in record_uid order: a pair is two integers, id order is uid order
    con.execute(
        "CREATE TABLE _mare_ids AS SELECT CAST(row_number() OVER (ORDER BY record_uid) AS INTEGER) "
        "AS id, record_uid FROM (SELECT DISTINCT record_uid FROM person_input)"
    )
    con.execute(  # the blocking keys in SQL over the engine's copy of the features
        f"CREATE TABLE _mare_keys AS SELECT k.key, i.id FROM ({keys_sql('person_input')}) k "
        "JOIN _mare_ids i USING (record_uid)"
    )
    n_candidates = create_candidates(con, "_mare_keys", "_mare_candidates", max_block)
    con.execute("DROP TABLE _mare_keys")
    progress("training", 0.3)
    trained = engine.train() if train else False
    model = engine.model()
    progress("scoring", 0.6)  # in SQL from the model (as Splink scores, tested equal), explained in SQL
    pairs: list[ScoredPair] = []
    for start in range(0, n_candidates, SCORE_BATCH):  # batches bound the memory
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _mare_batch AS SELECT a.record_uid AS left_uid, "
            "b.record_uid AS right_uid FROM _mare_candidates c JOIN _mare_ids a ON a.id = c.left_id "
            f"JOIN _mare_ids b ON b.id = c.right_id WHERE c.rowid >= {start} "
            f"AND c.rowid < {start + SCORE_BATCH}"
        )
        pairs += scored_pairs(
            model,
            score_sql(con, model, "_mare_batch", "person_input", thresholds.keep, explain=True),
            thresholds.keep,
        )
    engine.close()
    progress("clustering", 0.9)
    links = [(a, b, p) for a, b, _, p, _ in pairs if p >= thresholds.link]
    dates = full_dates(table_rows(table, ("record_uid", "birth_date", "birth_alt", "birth_precision")))
    clusters = cluster(table.column("record_uid").to_pylist(), links, same, not_same, dates)
    progress("done", 1.0)
    return DedupeResult(model, trained, n_candidates, pairs, clusters)
