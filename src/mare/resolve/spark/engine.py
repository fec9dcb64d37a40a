"""Splink on Spark: train Mare's person model and score candidate pairs, as `engine.MatchEngine`
does on DuckDB — the same model, comparisons, training rules and session order.

The model stays DuckDB-dialect Splink settings JSON (what the store keeps and the incremental
cross-check scores with); the linker gets the same model in Spark's dialect (`dialect`), and what
it learns is carried back onto the DuckDB text (`dialect.carry_parameters`).
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import re
from typing import Any

import pyarrow as pa

from mare.resolve import em
from mare.resolve.engine import (
    _EM_RULES,
    _PRIOR_RULES,
    EM_MAX_PAIRS,
    MIN_TRAIN_PERSONS,
    NAME_SOUND_AGREEMENT,
    U_SAMPLE_PAIRS,
    trained_m_onto,
)
from mare.resolve.namesakes import apply_frequency_levels, frequency_level_sql, frequency_levels_from
from mare.resolve.settings import UID
from mare.resolve.spark.dialect import carry_parameters, spark_settings, to_spark
from mare.resolve.spark.training import NAME_SIM, NAME_SIM_COLUMN, em_patterns, u_patterns, with_hashes

PERSONS = "mare_person_input"
TRAINING = "mare_training_persons"  # the persons with their id hashes (`training.with_hashes`)
_RUNS = itertools.count(1)  # Splink refuses to register a table name twice in a session
#: Stands for the name similarity in the conditions Splink is given for scoring: a function
#: Spark does not have, left as written by sqlglot and Splink, replaced by the column `predict`
#: computes once per pair.
_SHARED_CALL = "mare_shared_name_sim(name_parts_l, name_parts_r)"
_SHARED_PATTERN = re.compile(r"mare_shared_name_sim\(\s*name_parts_l\s*,\s*name_parts_r\s*\)", re.I)


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
        self._with_hashes: Any = None

    def prior_recall(self) -> float:
        """As `MatchEngine.prior_recall`: the share of persons with a full birth date, squared,
        times the share of matches whose names sound the same. Averaged over integers: Spark's
        average of decimals rounds (the prior moved in the fifth digit), DuckDB's does not."""
        row = self.spark.sql(
            to_spark(f"SELECT avg(CASE WHEN birth_precision = 'day' THEN 1 ELSE 0 END) FROM {PERSONS}")
        ).collect()[0]
        return min(0.95, max(0.02, float(row[0] or 0.0) ** 2 * NAME_SOUND_AGREEMENT))

    def train(self, max_pairs: float = 2e6) -> bool:
        """Prior (Splink on Spark), u (a fixed random sample) and m (EM), as `MatchEngine.train`:
        u's sample and each EM session counted in one Spark job each (`training`), the EM
        iterations in Python (`em.iterate`); False if too few persons. `max_pairs` is unused (u's
        sample is `U_SAMPLE_PAIRS`, as on DuckDB)."""
        if self.persons < MIN_TRAIN_PERSONS:
            return False
        training = self.linker.training
        with contextlib.suppress(Exception):  # no deterministic matches at all: keep the default prior
            training.estimate_probability_two_random_records_match(
                [to_spark(rule) for rule in _PRIOR_RULES], recall=self.prior_recall()
            )
        hashed = self._hashed().cache()  # read by u and by both sessions
        try:
            self.estimate_u()
            for rule in _EM_RULES:
                self.expectation_maximisation(rule)
        finally:
            hashed.unpersist()
        rows = self.spark.sql(to_spark(frequency_level_sql(PERSONS))).collect()
        self._frequency_levels = frequency_levels_from([tuple(r) for r in rows])
        self._trained = json.loads(json.dumps(self.linker.misc.save_model_to_json(), default=str))
        return True

    def _hashed(self) -> Any:
        """The persons with their id hashes (`training.with_hashes`), registered as this engine's
        training view."""
        if self._with_hashes is None:
            self._with_hashes = with_hashes(self.persons_df)
            self._with_hashes.createOrReplaceTempView(self._training_view())
        return self._with_hashes

    def _training_view(self) -> str:
        """The name of this engine's view of the persons with their id hashes."""
        return f"{TRAINING}_{self.run}"

    def estimate_u(self, pairs: int = U_SAMPLE_PAIRS) -> None:
        """`MatchEngine.estimate_u` on Spark: the same random pairs, their comparison vectors
        counted in one job; a level the sample never shows (or whose u is fixed) keeps its u."""
        self._hashed()
        view = self._training_view()
        found = u_patterns(self.spark, self.settings, view, self.persons_df.columns, self.persons, pairs)
        if not found:
            return
        for index, comparison in enumerate(self.linker._settings_obj.comparisons):
            seen: dict[int, int] = {}
            for gammas, count in found:
                if gammas[index] >= 0:
                    seen[gammas[index]] = seen.get(gammas[index], 0) + count
            total = sum(seen.values())
            for level, original in zip(
                comparison.comparison_levels,
                self.settings["comparisons"][index]["comparison_levels"],
                strict=True,
            ):
                gamma = level.comparison_vector_value
                if level.is_null_level or not seen.get(gamma) or original.get("fix_u_probability"):
                    continue
                level.u_probability = seen[gamma] / total

    def expectation_maximisation(self, rule: str, max_pairs: float | None = EM_MAX_PAIRS) -> bool:
        """`MatchEngine.expectation_maximisation` on Spark: the blocked pairs' agreement patterns
        counted in one job, the session's iterations in Python (`em.iterate`); the same trained m.
        False when the rule blocks no pairs."""
        self._hashed()
        view = self._training_view()
        active = em.active_comparisons(self.settings, rule)
        found = em_patterns(self.spark, self.settings, view, self.persons_df.columns, rule, active, max_pairs)
        if not found:
            return False
        settings = self.linker._settings_obj
        by_name = {c.output_column_name: c for c in settings.comparisons}
        originals = {c["output_column_name"]: c["comparison_levels"] for c in self.settings["comparisons"]}
        factors = [
            by_name[name].comparison_levels[originals[name].index(level)]._bayes_factor
            for name, level in em.reversing_levels(self.settings, rule)
        ]
        trained_m_onto(self.linker, active, found, factors, rule)
        return True

    def model(self) -> dict[str, Any]:
        """The model (trained, if it was) in DuckDB's dialect, as the store keeps it."""
        data = self._trained or json.loads(json.dumps(self.linker.misc.save_model_to_json(), default=str))
        model = carry_parameters(self.settings, data)
        apply_frequency_levels(model, self._frequency_levels)
        return model

    def score(self, model: dict[str, Any], pairs: Any, keep: float) -> pa.Table:
        """Score the pairs DataFrame (left_uid, right_uid) with `model` through Splink's predict on
        Spark (its SQL, the name similarity computed once per pair: `predict`); the predictions at
        or above `keep`, with gamma_/mw_ columns, as Arrow."""
        from splink import Linker

        linker = Linker(self._input, spark_settings(shared_name_sim(model)), log_level=None)
        blocked = pairs.selectExpr("'0' AS match_key", "left_uid AS join_key_l", "right_uid AS join_key_r")
        registered = self.db_api.register(blocked, table_name=f"mare_blocked_pairs_{self.run}")
        blocked_pairs = linker.table_management.register_blocked_pairs_for_predict(registered)
        frame = predict(linker, blocked_pairs, keep or None).as_spark_dataframe()
        wanted = [f"{UID}_l", f"{UID}_r", "match_weight", "match_probability"] + [
            c for c in frame.columns if c.startswith(("gamma_", "mw_"))
        ]
        table: pa.Table = frame.select(*wanted).toArrow()
        return table


def shared_name_sim(model: dict[str, Any]) -> dict[str, Any]:
    """The model with the name similarity in its level conditions replaced by `_SHARED_CALL`
    (DuckDB text; `spark_settings` leaves the call as it is)."""
    out = copy.deepcopy(model)
    for comparison in out["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = level["sql_condition"].replace(NAME_SIM, _SHARED_CALL)
    return out


def predict(linker: Any, blocked_pairs: Any, threshold: float | None) -> Any:
    """Splink's `predict` over registered blocked pairs, its own SQL (the comparison vectors, then
    the match weights and probabilities, one pipeline), with the name similarity computed once per
    pair: five levels read it, and Spark, which interprets its nested lambdas row by row, would
    evaluate it in each level's condition. The pairs joined with their columns get it as a column
    (`NAME_SIM_COLUMN`, the macro generated for Spark as in training), and the comparison vectors
    read that column where the conditions read `_SHARED_CALL`; the rest is Splink's SQL unchanged,
    as `Linker.inference.predict` runs it for registered blocked pairs on Spark."""
    from splink.internals.comparison_vector_values import compute_comparison_vector_values_from_id_pairs_sqls
    from splink.internals.pipeline import CTEPipeline
    from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings
    from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

    settings = linker._settings_obj
    pipeline = CTEPipeline([blocked_pairs])
    enqueue_df_concat_with_tf(linker, pipeline)
    sqls = compute_comparison_vector_values_from_id_pairs_sqls(
        settings._columns_to_select_for_blocking,
        settings._columns_to_select_for_comparison_vector_values,
        input_tablename_l="__splink__df_concat_with_tf",
        input_tablename_r="__splink__df_concat_with_tf",
        source_dataset_input_column=settings.column_info_settings.source_dataset_input_column,
        unique_id_input_column=settings.column_info_settings.unique_id_input_column,
        link_type=settings._link_type,
        sql_dialect_str=linker._sql_dialect_str,
    )
    joined, vectors = sqls[-2], sqls[-1]
    if joined["output_table_name"] != "blocked_with_cols" or "from blocked_with_cols" not in vectors["sql"]:
        raise RuntimeError("Splink's comparison-vector SQL is not as expected (splink version?)")
    if _SHARED_PATTERN.search(vectors["sql"]):
        shared = {
            "sql": f"SELECT *, {to_spark(NAME_SIM)} AS {NAME_SIM_COLUMN} FROM blocked_with_cols",
            "output_table_name": "mare_blocked_with_name_sim",
        }
        text = _SHARED_PATTERN.sub(NAME_SIM_COLUMN, vectors["sql"])
        vectors = dict(vectors, sql=text.replace("from blocked_with_cols", "from mare_blocked_with_name_sim"))
        sqls = [*sqls[:-1], shared, vectors]
    pipeline.enqueue_list_of_sqls(sqls)
    pipeline.enqueue_list_of_sqls(
        predict_from_comparison_vectors_sqls_using_settings(settings, threshold, None)
    )
    return linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)
