"""Cross-checking: a new contribution against everything held (incremental), or the whole store.

Incremental (`crosscheck_contribution`, called from ingest): features and blocking keys of the
new persons are written, their keys are looked up in the indexed `person_keys` table, and only
those candidate pairs are scored in SQL from the stored model (`sqlscore`) on the store's own
connection — no Splink set-up per call, and the held persons are never rescanned.
Full (`crosscheck_all`): rebuild every derived table, train the model on the store, score all
blocked pairs, recluster, and record hits. Analyst judgements are never touched by either.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from mare.resolve.blocking import MAX_BLOCK, key_table, pairs_between
from mare.resolve.dedupe import DedupeResult, ScoredPair, dedupe
from mare.resolve.engine import scored_pairs
from mare.resolve.entities import rebuild_entities
from mare.resolve.extract import refresh_features
from mare.resolve.hits import identifier_hits, person_hits, record_hits
from mare.resolve.judgements import latest
from mare.resolve.learning import relearn, scoring_model
from mare.resolve.model import load_model, save_model
from mare.resolve.sqlscore import score_sql
from mare.resolve.symbols import SymbolSource
from mare.resolve.thresholds import CALIBRATED_THRESHOLDS, DEFAULT_THRESHOLDS, Thresholds
from mare.store.db import Store
from mare.store.settle import settled

Progress = Callable[[str, float], None]


@dataclass(slots=True)
class CrosscheckResult:
    """What one cross-check found (counts only: never content)."""

    contribution: str | None
    persons: int = 0
    candidates: int = 0
    links: int = 0
    reviews: int = 0
    identifier_hits: int = 0
    person_hits: int = 0
    notifications: int = 0
    model_version: int = 0
    trained: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return asdict(self)


def _store_pairs(
    store: Store, pairs: list[ScoredPair], version: int, thresholds: Thresholds, replace_all: bool = False
) -> tuple[int, int]:
    now = datetime.now(UTC).replace(tzinfo=None)
    kept = [p for p in pairs if p[3] >= thresholds.keep]
    table = pa.table(
        {
            "left_uid": [p[0] for p in kept],
            "right_uid": [p[1] for p in kept],
            "match_weight": pa.array([p[2] for p in kept], pa.float64()),
            "match_probability": pa.array([p[3] for p in kept], pa.float64()),
            "decision": [thresholds.decide(p[3]) for p in kept],
            "explanation": [p[4] for p in kept],
            "model_version": pa.array([version] * len(kept), pa.int32()),
            "scored_at": pa.array([now] * len(kept), pa.timestamp("us")),
        }
    )
    con = store.con
    if replace_all:
        con.execute("DELETE FROM candidate_pairs")
    settled(con).register("_pairs", table)
    con.execute(
        "DELETE FROM candidate_pairs WHERE (left_uid, right_uid) IN (SELECT (left_uid, right_uid) "
        "FROM _pairs)"
    )
    con.execute(
        "INSERT INTO candidate_pairs SELECT left_uid, right_uid, match_weight, match_probability, "
        "decision, CAST(explanation AS JSON), model_version, scored_at FROM _pairs"
    )
    con.unregister("_pairs")
    links = sum(1 for p in kept if thresholds.decide(p[3]) == "link")
    reviews = sum(1 for p in kept if thresholds.decide(p[3]) == "review")
    return links, reviews


def crosscheck_contribution(
    store: Store,
    contribution_uid: str,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    symbols: SymbolSource | None = None,
    before_commit: Callable[[CrosscheckResult], None] | None = None,
) -> CrosscheckResult:
    """Cross-check one stored contribution against everything held; record hits and notify.

    One transaction; `before_commit(result)` runs last in it (the caller's audit entry and job)."""
    if store.url is not None:  # PostgreSQL: computed in DuckDB on the store's tables (mirror.py)
        from mare.resolve.mirror import on_mirror

        return on_mirror(
            store,
            lambda m, **kw: crosscheck_contribution(m, contribution_uid, thresholds, symbols, **kw),
            before_commit,
        )
    started = time.perf_counter()
    result = CrosscheckResult(contribution_uid)
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        rows = refresh_features(con, contribution_uid, symbols)
        result.persons = len(rows)
        pairs: list[ScoredPair] = []
        if rows:
            settled(con).register("_new_keys", key_table(rows))
            candidates = pairs_between(con, "_new_keys", "person_keys", MAX_BLOCK)
            con.unregister("_new_keys")
            result.candidates = candidates.num_rows
            result.model_version, settings = scoring_model(store)  # with weights learnt from judgements
            if "mare_learned" in settings and thresholds is DEFAULT_THRESHOLDS:
                thresholds = CALIBRATED_THRESHOLDS  # learnt weights are calibrated
            if candidates.num_rows:  # scored in SQL from the stored model: no Splink set-up per call
                predictions = score_sql(
                    con, settings, candidates, "person_features", thresholds.keep, explain=True
                )
                pairs = scored_pairs(settings, predictions, thresholds.keep)
        result.links, result.reviews = _store_pairs(store, pairs, result.model_version, thresholds)
        uids = [r["record_uid"] for r in rows]
        rebuild_entities(store, uids + [p[0] for p in pairs] + [p[1] for p in pairs])
        id_hits = identifier_hits(store, contribution_uid)
        p_hits = person_hits(store, uids)
        result.identifier_hits, n1 = record_hits(store, id_hits)
        result.person_hits, n2 = record_hits(store, p_hits)
        result.notifications = n1 + n2
        result.seconds = time.perf_counter() - started
        if before_commit is not None:
            before_commit(result)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return result


def _noop(stage: str, done: float) -> None:
    return None


def crosscheck_all(
    store: Store,
    train: bool = True,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    progress: Progress = _noop,
    symbols: SymbolSource | None = None,
    max_block: int = MAX_BLOCK,
    before_commit: Callable[[CrosscheckResult], None] | None = None,
    deduper: Callable[..., DedupeResult] = dedupe,
) -> CrosscheckResult:
    """Full re-run: rebuild features, (re)train the model, score, recluster, record hits.

    One transaction from the features to the hits, so a crash leaves the old derived data whole;
    `before_commit(result)` runs last in it (the caller's audit entry and jobs). `deduper`: the
    engine that blocks, trains and scores (`dedupe`; `spark.dedupe.dedupe_spark` on Spark)."""
    if store.url is not None:  # PostgreSQL: computed in DuckDB on the store's tables (mirror.py)
        from mare.resolve.mirror import on_mirror

        return on_mirror(
            store,
            lambda m, **kw: crosscheck_all(
                m, train, thresholds, progress, symbols, max_block, deduper=deduper, **kw
            ),
            before_commit,
        )
    started = time.perf_counter()
    result = CrosscheckResult(None)
    progress("features", 0.0)
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        rows = refresh_features(con, None, symbols)
        result.persons = len(rows)
        _, settings = load_model(store)
        verdicts = latest(store)
        same = [k for k, v in verdicts.items() if v == "same"]
        not_same = [k for k, v in verdicts.items() if v == "not_same"]

        def stage(name: str, done: float) -> None:
            progress(name, 0.1 + 0.7 * done)

        # the stored features, with the namesake figures
        stored = settled(con).sql("SELECT * FROM person_features").to_arrow_table()
        run = deduper(
            stored,
            settings,
            train=train,
            thresholds=thresholds,
            max_block=max_block,
            progress=stage,
            same=same,
            not_same=not_same,
        )
        result.candidates, result.trained = run.candidates, run.trained
        progress("storing", 0.8)
        result.model_version = save_model(store, run.model, len(rows), run.trained)
        result.links, result.reviews = _store_pairs(
            store, run.pairs, result.model_version, thresholds, replace_all=True
        )
        if verdicts:  # the judgements refit the new model's weights: every pair rescored
            relearned = relearn(store, rebuild=False)
            result.links, result.reviews = relearned.links, relearned.reviews
        rebuild_entities(store)
        progress("hits", 0.9)
        result.identifier_hits, n1 = record_hits(store, identifier_hits(store))
        result.person_hits, n2 = record_hits(store, person_hits(store))
        result.notifications = n1 + n2
        result.seconds = time.perf_counter() - started
        if before_commit is not None:
            before_commit(result)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    progress("done", 1.0)
    return result
