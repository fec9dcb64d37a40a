"""The full cross-check's deduplication on Spark: `dedupe.dedupe` with Spark doing the bulk work.

Same input (the person feature table the store's extraction builds), same output
(`dedupe.DedupeResult`), so `crosscheck.crosscheck_all` writes it back through the same writer.
The steps and where each runs:

1. hand-off: the feature table is written as Parquet to a work folder (local temp folder, or
   `MARE_SPARK_DIR` — on a cluster, storage every node reads: HDFS, S3, a shared mount);
2. blocking keys: `features.blocking_keys` (Mare's Python) on the executors (`mapInArrow`);
3. candidate pairs: `blocking.pairs_within_sql` (Mare's DuckDB SQL) through sqlglot, on Spark;
4. training: Splink's Spark backend with Mare's model and rules (`engine.SparkMatchEngine`);
5. scoring: Splink's `predict()` on Spark over those pairs with Mare's model (its conditions
   generated for Spark by sqlglot); explanations built by `engine.explanations` for the kept pairs;
6. clustering: the links (probability ≥ the link threshold; about one per person) are brought
   to the driver and clustered by `clusters.cluster`, the DuckDB engine's own function: merging
   strongest first under 'not same' judgements and birth-date checks is sequential.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mare.resolve.blocking import (
    MAX_BLOCK,
    PAIRS_PER_PERSON,
    block_cap_sql,
    key_table,
    pairs_within_sql,
    table_rows,
)
from mare.resolve.clusters import cluster
from mare.resolve.dedupe import DedupeResult, ScoredPair, full_dates
from mare.resolve.engine import scored_pairs
from mare.resolve.settings import SOURCE, default_settings, without
from mare.resolve.spark.dialect import to_spark
from mare.resolve.thresholds import DEFAULT_THRESHOLDS, Thresholds

Progress = Callable[[str, float], None]
#: The feature columns `features.blocking_keys` reads.
KEY_COLUMNS = (
    "record_uid", "name_keys", "phon_keys", "alias_keys", "identifiers", "name_parts",
    "birth_year", "birth_precision", "birth_date", "birth_alt",
)  # fmt: skip
_KEY_SCHEMA = "key string, record_uid string"


def _noop(stage: str, done: float) -> None:
    return None


def _keys(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Blocking keys of a partition's feature rows (runs on the executors)."""
    for batch in batches:
        yield from key_table(table_rows(pa.Table.from_batches([batch]))).to_batches()


def _with_name_stats(table: pa.Table) -> pa.Table:
    """The namesake figures over the whole table, as `engine.MatchEngine` fills them (DuckDB SQL of
    `namesakes.fill_name_stats`, in process: it is a few aggregates over the feature table)."""
    import duckdb

    from mare.resolve.namesakes import fill_name_stats
    from mare.store.settle import settled

    con = duckdb.connect()
    try:
        settled(con).register("_features", table)
        con.execute("CREATE TABLE person_input AS SELECT * FROM _features")
        fill_name_stats(con, "person_input")
        filled: pa.Table = settled(con).sql("SELECT * FROM person_input").to_arrow_table()
        return filled.cast(table.schema)
    finally:
        con.close()


def _checkpoints() -> str:
    """A checkpoint folder for this process's session (shared storage under `MARE_SPARK_DIR`),
    removed when the process ends."""
    import atexit
    import shutil

    root = os.environ.get("MARE_SPARK_DIR") or tempfile.gettempdir()
    folder = Path(root) / f"mare-spark-checkpoints-{os.getpid()}"
    atexit.register(shutil.rmtree, folder, True)
    return str(folder)


def work_dir() -> tempfile.TemporaryDirectory[str] | None:
    """A temporary hand-off folder, unless `MARE_SPARK_DIR` names one (kept: shared storage)."""
    return None if os.environ.get("MARE_SPARK_DIR") else tempfile.TemporaryDirectory(prefix="mare-spark-")


def dedupe_spark(
    rows: Sequence[dict[str, Any]] | pa.Table,
    settings: dict[str, Any] | None = None,
    train: bool = True,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    max_block: int = MAX_BLOCK,
    progress: Progress = _noop,
    same: Sequence[tuple[str, str]] = (),
    not_same: Sequence[tuple[str, str]] = (),
    spark: Any = None,
) -> DedupeResult:
    """`dedupe.dedupe` on Spark (same arguments, same result); `spark`: a session (default: the
    process's, `session.spark_session`)."""
    from mare.resolve.spark.engine import SparkMatchEngine
    from mare.resolve.spark.session import spark_session
    from mare.resolve.table import to_arrow

    settings = settings or default_settings()
    table = rows if isinstance(rows, pa.Table) else to_arrow(rows)
    if pc.count_distinct(table.column("contribution"), mode="all").as_py() <= 1:
        settings = without(settings, SOURCE)  # one source: "same contribution" says nothing
    if table.num_rows and table.column("name_frequency").null_count == table.num_rows:
        table = _with_name_stats(table)  # flat input (the hub's feature table has them already)
    spark = spark or spark_session()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    temporary = work_dir()
    base = Path(temporary.name if temporary else os.environ["MARE_SPARK_DIR"])
    try:
        progress("hand-off", 0.05)
        features_path = base / "person_features.parquet"
        pq.write_table(table, features_path)
        if not spark.sparkContext.getCheckpointDir():  # Splink's Parquet steps: one folder per process
            spark.sparkContext.setCheckpointDir(_checkpoints())
        persons = spark.read.parquet(str(features_path))
        progress("blocking", 0.1)
        keys = persons.select(*KEY_COLUMNS).mapInArrow(_keys, _KEY_SCHEMA)
        keys = keys.cache()  # read twice: the block cap, then the pairs
        keys.createOrReplaceTempView("mare_keys")
        cap = spark.sql(
            to_spark(block_cap_sql("mare_keys", "record_uid", max_block, PAIRS_PER_PERSON))
        ).first()[0]
        pairs = spark.sql(to_spark(pairs_within_sql("mare_keys", max(2, int(cap or 2)))))
        pairs_path = base / "candidate_pairs.parquet"
        pairs.write.mode("overwrite").parquet(str(pairs_path))
        pairs = spark.read.parquet(str(pairs_path))
        n_candidates = pairs.count()
        progress("training", 0.3)
        engine = SparkMatchEngine(spark, settings, persons)
        trained = engine.train() if train else False
        model = engine.model()
        progress("scoring", 0.6)
        scored: list[ScoredPair] = []
        if n_candidates:
            scored = scored_pairs(model, engine.score(model, pairs, thresholds.keep), thresholds.keep)
    finally:
        if temporary is not None:
            temporary.cleanup()
    progress("clustering", 0.9)
    links = [(a, b, p) for a, b, _, p, _ in scored if p >= thresholds.link]
    dates = full_dates(table_rows(table, ("record_uid", "birth_date", "birth_alt", "birth_precision")))
    clusters = cluster(table.column("record_uid").to_pylist(), links, same, not_same, dates)
    progress("done", 1.0)
    return DedupeResult(model, trained, n_candidates, scored, clusters)
