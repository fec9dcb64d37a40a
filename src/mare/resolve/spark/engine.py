"""Splink on Spark: train Mare's person model and score candidate pairs, as `engine.MatchEngine`
does on DuckDB — the same model, comparisons, training rules and session order.

The model stays DuckDB-dialect Splink settings JSON (what the store keeps and the incremental
cross-check scores with); the linker gets the same model in Spark's dialect (`dialect`), and what
it learns is carried back onto the DuckDB text (`dialect.carry_parameters`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
from typing import Any

import pyarrow as pa

from mare.resolve.engine import _EM_RULES, _PRIOR_RULES, EM_MAX_PAIRS, MIN_TRAIN_PERSONS, NAME_SOUND_AGREEMENT
from mare.resolve.namesakes import apply_frequency_levels, frequency_level_sql, frequency_levels_from
from mare.resolve.settings import UID
from mare.resolve.spark.dialect import carry_parameters, spark_settings, to_spark

PERSONS = "mare_person_input"
_RUNS = itertools.count(1)  # Splink refuses to register a table name twice in a session


def _quiet() -> None:
    import logging

    for name in ("splink", "splink.internals", "py4j"):
        logging.getLogger(name).setLevel(logging.ERROR)


class SparkMatchEngine:
    """A Splink linker on Spark over one DataFrame of person features (`PERSONS` as a view)."""

    def __init__(self, spark: Any, settings: dict[str, Any], persons: Any) -> None:
        from splink import Linker, SparkAPI

        _quiet()
        self.spark = spark
        self.settings = settings
        persons.createOrReplaceTempView(PERSONS)
        self.persons_df = persons
        self.persons = persons.count()
        self.db_api = SparkAPI(spark_session=spark, register_udfs_automatically=False)
        self.run = next(_RUNS)
        self._input = self.db_api.register(persons, table_name=f"mare_persons_{self.run}")
        self.linker = Linker(self._input, spark_settings(settings), log_level=None)
        self._frequency_levels: dict[str, tuple[float, float]] | None = None
        self._trained: dict[str, Any] | None = None

    def prior_recall(self) -> float:
        """As `MatchEngine.prior_recall`: the share of persons with a full birth date, squared,
        times the share of matches whose names sound the same."""
        row = self.spark.sql(
            to_spark(f"SELECT avg(CASE WHEN birth_precision = 'day' THEN 1.0 ELSE 0.0 END) FROM {PERSONS}")
        ).collect()[0]
        return min(0.95, max(0.02, float(row[0] or 0.0) ** 2 * NAME_SOUND_AGREEMENT))

    def train(self, max_pairs: float = 2e6) -> bool:
        """Prior, u (random sampling) and m (EM), as `MatchEngine.train`; False if too few persons."""
        if self.persons < MIN_TRAIN_PERSONS:
            return False
        training = self.linker.training
        with contextlib.suppress(Exception):  # no deterministic matches at all: keep the default prior
            training.estimate_probability_two_random_records_match(
                [to_spark(rule) for rule in _PRIOR_RULES], recall=self.prior_recall()
            )
        training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=1)
        for rule in _EM_RULES:
            try:
                training.estimate_parameters_using_expectation_maximisation(
                    to_spark(rule), estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS
                )
            except Exception:  # a rule that yields no pairs in this data: that session teaches nothing
                continue
        rows = self.spark.sql(to_spark(frequency_level_sql(PERSONS))).collect()
        self._frequency_levels = frequency_levels_from([tuple(r) for r in rows])
        self._trained = json.loads(json.dumps(self.linker.misc.save_model_to_json(), default=str))
        return True

    def model(self) -> dict[str, Any]:
        """The model (trained, if it was) in DuckDB's dialect, as the store keeps it."""
        data = self._trained or json.loads(json.dumps(self.linker.misc.save_model_to_json(), default=str))
        model = carry_parameters(self.settings, data)
        apply_frequency_levels(model, self._frequency_levels)
        return model

    def score(self, model: dict[str, Any], pairs: Any, keep: float) -> pa.Table:
        """Score the pairs DataFrame (left_uid, right_uid) with `model` through Splink's predict on
        Spark; the predictions at or above `keep`, with gamma_/mw_ columns, as Arrow."""
        from splink import Linker

        linker = Linker(self._input, spark_settings(model), log_level=None)
        blocked = pairs.selectExpr("'0' AS match_key", "left_uid AS join_key_l", "right_uid AS join_key_r")
        registered = self.db_api.register(blocked, table_name=f"mare_blocked_pairs_{self.run}")
        linker.table_management.register_blocked_pairs_for_predict(registered)
        predictions = linker.inference.predict(threshold_match_probability=keep or None, warning_mode="never")
        frame = predictions.as_spark_dataframe()
        wanted = [f"{UID}_l", f"{UID}_r", "match_weight", "match_probability"] + [
            c for c in frame.columns if c.startswith(("gamma_", "mw_"))
        ]
        table: pa.Table = frame.select(*wanted).toArrow()
        return table
