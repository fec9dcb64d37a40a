"""Training queries on Spark: each of u's sample and each EM session counted in one Spark SQL job.

Splink's Spark backend runs every EM iteration (and each step of it) as a Spark job with Parquet
materialisation: about a thousand jobs for a training. The DuckDB engine counts the agreement
patterns once in SQL and iterates in Python (`em.py`); here the same, with the counting on Spark:

- **u**: the fixed sample of random pairs of `engine.MatchEngine.estimate_u` (the same pairs: the
  row numbers are drawn by DuckDB's `hash` on the driver, a few hundred thousand integers), their
  comparison vectors counted in one query;
- **EM**: the pairs a rule blocks (Splink's probe and hash sample over `em.EM_MAX_PAIRS`, with
  DuckDB's `hash` of each id computed on the executors, so the sample is the DuckDB engine's),
  their active comparisons' agreement patterns counted in one query; `em.iterate` runs the
  iterations over the counts.

The comparison vectors are the model's level conditions (DuckDB SQL generated for Spark by
`dialect.to_spark`, as Splink's `predict` on Spark evaluates them), so the counts, and the trained
u and m, equal the DuckDB engine's on the same persons (tests/spark/test_engines.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from mare.resolve import em
from mare.resolve.settings import UID
from mare.resolve.spark.dialect import to_spark

#: Columns holding DuckDB's `hash(record_uid)` modulo the probe's and the sample's modulus.
PROBE_HASH = "_mare_hash_probe"
SAMPLE_HASH = "_mare_hash_sample"

Pattern = tuple[tuple[int, ...], int]
#: The model's name similarity, read by several levels (as `sqlscore` shares it).
NAME_SIM = "mare_name_sim(name_parts_l, name_parts_r)"
NAME_SIM_COLUMN = "_mare_name_sim"


def _hashes(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The partition's person rows with DuckDB's id hashes appended (runs on the executors)."""
    import duckdb

    con = duckdb.connect()  # insertion order kept (DuckDB's default): rows as in the batch
    try:
        for batch in batches:
            table = pa.Table.from_batches([batch])
            con.register("_batch", table.select([UID]))
            hashes: pa.Table = con.sql(
                f"SELECT CAST(hash({UID}) % {em._PROBE_MODULUS} AS BIGINT), "
                f"CAST(hash({UID}) % {em._SAMPLE_MODULUS} AS BIGINT) FROM _batch"
            ).to_arrow_table()
            con.unregister("_batch")
            table = table.append_column(PROBE_HASH, hashes.column(0))
            yield from table.append_column(SAMPLE_HASH, hashes.column(1)).to_batches()
    finally:
        con.close()


def with_hashes(persons: Any) -> Any:
    """The persons DataFrame with the two hash columns (`PROBE_HASH`, `SAMPLE_HASH`)."""
    from pyspark.sql.types import LongType, StructField, StructType

    schema = StructType(
        [*persons.schema.fields, StructField(PROBE_HASH, LongType()), StructField(SAMPLE_HASH, LongType())]
    )
    return persons.mapInArrow(_hashes, schema)


def _gamma_cases(settings: dict[str, Any], names: list[str]) -> list[str]:
    """The gamma CASE of each named comparison (DuckDB SQL: Splink's numbering, conditions verbatim)."""
    out = []
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        if name not in names:
            continue
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        whens, tail = [], ""
        for lv in levels:
            gamma = -1 if lv.get("is_null_level") else len(non_null) - 1 - non_null.index(lv)
            condition = lv["sql_condition"].strip()
            if condition.upper() == "ELSE":
                tail = f" ELSE {gamma}"
            else:
                whens.append(f"WHEN {condition} THEN {gamma}")
        out.append(f"CASE {' '.join(whens)}{tail} END AS gamma_{name}")
    return out


def pattern_sql(
    settings: dict[str, Any], pairs: str, persons: str, columns: list[str], names: list[str]
) -> str:
    """Spark SQL counting the agreement patterns (gammas of the `names` comparisons, in the
    model's order) of the pairs in the table or view `pairs` (left_uid, right_uid)."""
    text = " ".join(lv["sql_condition"] for c in settings["comparisons"] for lv in c["comparison_levels"])
    used = [c for c in columns if c != UID and (f"{c}_l" in text or f"{c}_r" in text)]
    side = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in used)
    gammas = _gamma_cases(settings, names)
    ordered = [c["output_column_name"] for c in settings["comparisons"] if c["output_column_name"] in names]
    keys = ", ".join(f"gamma_{n}" for n in ordered)
    if not ordered:
        return to_spark(f"SELECT count(*) AS n FROM {pairs}")
    joined = (
        f"SELECT {side} FROM {pairs} AS p JOIN {persons} AS l ON l.{UID} = p.left_uid "
        f"JOIN {persons} AS r ON r.{UID} = p.right_uid"
    )
    if any(NAME_SIM in g for g in gammas):  # up to five levels read it: computed once per pair
        gammas = [g.replace(NAME_SIM, NAME_SIM_COLUMN) for g in gammas]
        joined = f"SELECT *, {NAME_SIM} AS {NAME_SIM_COLUMN} FROM ({joined}) AS s"
    sql = (
        f"SELECT {keys}, count(*) AS n FROM (SELECT {', '.join(gammas)} FROM ({joined}) AS j) AS g "
        f"GROUP BY {keys}"
    )
    return to_spark(sql)


def blocked_pairs_sql(persons: str, rule: str, threshold: int | None, probe: bool = False) -> str:
    """`em.blocked_pairs_sql` on Spark: the distinct pairs `rule` blocks, sampled by DuckDB's id
    hash (the probe's 1 %, or both sides below `threshold`) as the DuckDB engine samples them."""
    sample = ""
    if probe:
        sample = f" AND l.{PROBE_HASH} < {em._PROBE_THRESHOLD} AND r.{PROBE_HASH} < {em._PROBE_THRESHOLD}"
    elif threshold is not None and threshold < em._SAMPLE_MODULUS:
        sample = f" AND l.{SAMPLE_HASH} < {threshold} AND r.{SAMPLE_HASH} < {threshold}"
    return to_spark(
        f"SELECT DISTINCT l.{UID} AS left_uid, r.{UID} AS right_uid FROM {persons} AS l "
        f"INNER JOIN {persons} AS r ON ({rule}) WHERE l.{UID} < r.{UID}{sample}"
    )


def sample_threshold(spark: Any, persons: str, rule: str, max_pairs: float | None) -> int | None:
    """`em.sample_threshold` on Spark (the probe counted in one job)."""
    if max_pairs is None:
        return None
    probe = int(
        spark.sql(f"SELECT count(*) FROM ({blocked_pairs_sql(persons, rule, None, True)})").first()[0]
    )
    if probe == 0:
        return None
    estimated = probe / ((em._PROBE_THRESHOLD / em._PROBE_MODULUS) ** 2)
    if estimated <= max_pairs:
        return None
    share = min(max(math.sqrt(max_pairs / estimated), 0.0), 1.0)
    return max(1, round(share * em._SAMPLE_MODULUS))


def _patterns(rows: list[Any], width: int) -> list[Pattern]:
    return [(tuple(int(g) if g is not None else -1 for g in row[:width]), int(row[width])) for row in rows]


def em_patterns(
    spark: Any,
    settings: dict[str, Any],
    persons: str,
    columns: list[str],
    rule: str,
    active: list[str],
    max_pairs: float | None,
) -> list[Pattern]:
    """`em.patterns` on Spark: the blocked pairs' agreement patterns and their counts (one job,
    plus the probe's when sampling is asked for)."""
    threshold = sample_threshold(spark, persons, rule, max_pairs)
    spark.sql(blocked_pairs_sql(persons, rule, threshold)).createOrReplaceTempView("mare_em_pairs")
    rows = spark.sql(pattern_sql(settings, "mare_em_pairs", persons, columns, active)).collect()
    return [p for p in _patterns(rows, len(active)) if p[1] > 0]


def u_index_pairs(n: int, pairs: int) -> pa.Table:
    """The row-number pairs (x < y) of `engine.MatchEngine.estimate_u`'s sample, drawn by DuckDB."""
    import duckdb

    con = duckdb.connect()
    try:
        pairs_table: pa.Table = con.sql(
            "SELECT CAST(x AS BIGINT) AS x, CAST(y AS BIGINT) AS y FROM (SELECT DISTINCT least(x, y) AS x, "
            f"greatest(x, y) AS y FROM (SELECT hash(i, 1) % {n} AS x, hash(i, 2) % {n} AS y "
            f"FROM range({int(pairs)}) t(i))) WHERE x <> y"
        ).to_arrow_table()
    finally:
        con.close()
    return pairs_table


def u_patterns(
    spark: Any, settings: dict[str, Any], persons: str, columns: list[str], n: int, pairs: int
) -> list[Pattern]:
    """The comparison vectors (every comparison) of u's random pairs, counted in one job."""
    index = spark.createDataFrame(u_index_pairs(n, pairs).to_pandas())
    index.createOrReplaceTempView("mare_u_index")
    spark.sql(
        f"SELECT {UID}, row_number() OVER (ORDER BY {UID}) - 1 AS id FROM {persons}"
    ).createOrReplaceTempView("mare_u_ids")
    spark.sql(
        f"SELECT a.{UID} AS left_uid, b.{UID} AS right_uid FROM mare_u_index p "
        "JOIN mare_u_ids a ON a.id = p.x JOIN mare_u_ids b ON b.id = p.y"
    ).createOrReplaceTempView("mare_u_pairs")
    names = [c["output_column_name"] for c in settings["comparisons"]]
    rows = spark.sql(pattern_sql(settings, "mare_u_pairs", persons, columns, names)).collect()
    return _patterns(rows, len(names))
