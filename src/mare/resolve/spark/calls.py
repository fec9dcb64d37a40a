"""Bulk call-record aggregation over date-partitioned Parquet, on DuckDB or Spark from one SQL text.

Call records live in the store's `calls` table (`ingest.cdr`: caller and callee as E.164 integers,
a naive UTC start, a duration), one contribution's rows apiece. Analysis reads them summed per
phone pair and period (the network view counts calls per pair and month, `hub.network`). At
billions of rows that summing is the bulk work: here the calls are exported once as Parquet
partitioned by day (`day=YYYY-MM-DD/`, the layout Spark and DuckDB both prune by), and the same
aggregation — `aggregate_sql`, DuckDB SQL, generated for Spark by sqlglot — counts calls and
seconds per (contribution, caller, callee, period start) on either engine. The result goes back
into the store's `call_counts` (migration 16) through `store_counts`, whichever engine made it.

The contribution stays in every row: who may see a count is decided, as for the calls themselves,
by the contribution it comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from mare.resolve.spark.dialect import to_spark
from mare.store.db import Store
from mare.store.settle import settled

PERIODS = ("day", "week", "month")
COLUMNS = ("contribution", "caller", "callee", "period", "start", "calls", "seconds")
#: The Arrow types of `aggregate_sql`'s columns (the same from either engine).
SCHEMA = pa.schema(
    [
        ("contribution", pa.string()),
        ("caller", pa.int64()),
        ("callee", pa.int64()),
        ("period", pa.string()),
        ("start", pa.date32()),
        ("calls", pa.int64()),
        ("seconds", pa.int64()),
    ]
)


#: The exported columns (a PostgreSQL store's rows cast to DuckDB's types).
EXPORT_SCHEMA = pa.schema(
    [
        ("contribution", pa.string()),
        ("caller", pa.int64()),
        ("callee", pa.int64()),
        ("started_at", pa.timestamp("us")),
        ("duration_s", pa.int32()),
    ]
)


class CallsError(ValueError):
    """A bad period or an unreadable export (the message names it and the fix)."""


def export_calls(store: Store, folder: Path) -> int:
    """Write every call of the store as Parquet under `folder`, partitioned by day; returns the rows.

    DuckDB writes it with one COPY; from PostgreSQL it goes one contribution at a time through Arrow."""
    count = int(store.con.execute("SELECT count(*) FROM calls").fetchall()[0][0])
    if not count:
        return count
    if store.url is None:
        target = str(folder).replace("'", "''")
        store.con.execute(
            "COPY (SELECT contribution, caller, callee, started_at, duration_s, "
            "strftime(started_at, '%Y-%m-%d') AS day FROM calls) "
            f"TO '{target}' (FORMAT PARQUET, PARTITION_BY (day), OVERWRITE_OR_IGNORE true)"
        )
        return count
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    con: Any = store.con  # a PostgresConnection: DuckDB's API, with fetch_arrow_table
    batches = [
        str(r[0]) for r in con.execute("SELECT DISTINCT contribution FROM calls ORDER BY 1").fetchall()
    ]
    for i, uid in enumerate(batches):
        rows = con.execute(
            "SELECT contribution, caller, callee, started_at, duration_s FROM calls WHERE contribution = ?",
            [uid],
        )
        table = rows.fetch_arrow_table().cast(EXPORT_SCHEMA)
        table = table.append_column("day", pc.strftime(table.column("started_at"), format="%Y-%m-%d"))
        ds.write_dataset(
            table,
            folder,
            format="parquet",
            partitioning=["day"],
            partitioning_flavor="hive",
            basename_template=f"part-{i}-{{i}}.parquet",
            existing_data_behavior="overwrite_or_ignore",
        )
    return count


def aggregate_sql(source: str, period: str) -> str:
    """Calls and seconds per contribution, phone pair and period start (DuckDB SQL over `source`)."""
    if period not in PERIODS:
        raise CallsError(f"period {period!r}: use one of {', '.join(PERIODS)}")
    return (
        f"SELECT contribution, caller, callee, '{period}' AS period, "
        f"CAST(date_trunc('{period}', started_at) AS DATE) AS start, count(*) AS calls, "
        f"CAST(coalesce(sum(duration_s), 0) AS BIGINT) AS seconds FROM {source} "
        f"GROUP BY contribution, caller, callee, CAST(date_trunc('{period}', started_at) AS DATE)"
    )


def _sorted(table: pa.Table) -> pa.Table:
    table = table.select(list(COLUMNS)).cast(SCHEMA)
    return table.sort_by([(c, "ascending") for c in ("contribution", "caller", "callee", "start")])


def aggregate_duckdb(folder: Path, period: str) -> pa.Table:
    """`aggregate_sql` over the partitioned export, on an in-process DuckDB."""
    con = duckdb.connect()
    try:
        pattern = str(folder / "**" / "*.parquet").replace("'", "''")
        con.execute(
            f"CREATE VIEW calls_export AS SELECT * FROM read_parquet('{pattern}', hive_partitioning = true)"
        )
        return _sorted(settled(con).sql(aggregate_sql("calls_export", period)).to_arrow_table())
    finally:
        con.close()


def aggregate_spark(folder: Path, period: str, spark: Any = None) -> pa.Table:
    """`aggregate_sql` (generated for Spark by sqlglot) over the partitioned export, on Spark."""
    from mare.resolve.spark.session import spark_session

    spark = spark or spark_session()
    spark.read.parquet(str(folder)).createOrReplaceTempView("calls_export")
    return _sorted(spark.sql(to_spark(aggregate_sql("calls_export", period))).toArrow())


def store_counts(
    store: Store, counts: pa.Table, period: str, before_commit: Callable[[int], None] | None = None
) -> int:
    """Replace the store's `call_counts` of this period with `counts` (one transaction; `before_commit`,
    given the rows, runs inside it: an audit entry commits with the counts); returns rows."""
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM call_counts WHERE period = ?", [period])
        settled(con).register("_mare_call_counts", counts.select(list(COLUMNS)))
        try:
            con.execute(f"INSERT INTO call_counts SELECT {', '.join(COLUMNS)} FROM _mare_call_counts")
        finally:
            con.unregister("_mare_call_counts")
        if before_commit is not None:
            before_commit(counts.num_rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts.num_rows


def count_calls(store: Store, folder: Path, period: str = "week", engine: str = "spark") -> pa.Table:
    """Export the store's calls to `folder` and aggregate them per `period` on `engine` (nothing written
    to the store)."""
    if period not in PERIODS:
        raise CallsError(f"period {period!r}: use one of {', '.join(PERIODS)}")
    if engine not in ("duckdb", "spark"):
        raise CallsError(f"engine {engine!r}: use duckdb or spark")
    export_calls(store, folder)
    if not any(folder.glob("day=*")):
        return SCHEMA.empty_table()
    return aggregate_spark(folder, period) if engine == "spark" else aggregate_duckdb(folder, period)


def aggregate_calls(store: Store, folder: Path, period: str = "week", engine: str = "spark") -> int:
    """Export the store's calls to `folder`, aggregate them per `period` on `engine`, write the
    counts back (`call_counts`); returns the rows written."""
    return store_counts(store, count_calls(store, folder, period, engine), period)
