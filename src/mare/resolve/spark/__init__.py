"""The cross-check and the call aggregation on Apache Spark (`mare crosscheck --engine spark`).

Same model, comparisons, blocking and writer as the DuckDB engine; Mare's DuckDB SQL generated for
Spark's dialect by sqlglot (`dialect`), Splink's Spark backend for training and scoring (`engine`),
the deduplication steps (`dedupe`), bulk call aggregation over date-partitioned Parquet (`calls`),
the session and its checks (`session`). pyspark is imported inside functions only. See docs/spark.md.
"""
