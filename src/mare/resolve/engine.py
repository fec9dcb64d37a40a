"""Splink 5 on DuckDB: train the person model and score candidate pairs with explanations.

Splink runs on its own in-memory DuckDB connection (its working tables never touch the store);
person features and candidate pairs go in as Arrow tables, scored pairs come out as Arrow with
the per-feature match weights (`mw_*`) and levels (`gamma_*`) that explain each score.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import duckdb
import pyarrow as pa

from mare.resolve.namesakes import apply_frequency_levels, fill_name_stats, frequency_level_probabilities
from mare.resolve.settings import DUCKDB_MACROS, PREPARED_NAME_SIM, UID, level_labels
from mare.store.settle import settled

MIN_TRAIN_PERSONS = 500
#: Random pairs u is counted on (`estimate_u`): a fixed number, whatever the number of persons.
U_SAMPLE_PAIRS = int(os.environ.get("MARE_U_SAMPLE_PAIRS", "200000"))
#: EM sessions sample their blocked pairs down to about this many (common names make huge blocks):
#: m is a handful of shares per comparison, as well estimated from 300 000 pairs as from millions,
#: and the cost of training stays flat as the blocks grow with the number of persons.
EM_MAX_PAIRS = 3e5
#: Share of true matches whose names sound the same (the same `name_sound`): spellings, a dropped
#: father's name, typos and aliases break it for the rest. The recall of the prior's rules (same
#: name sound and the same full birth date, or a shared identifier) is this times the chance that
#: both records carry a full birth date, measured on the data (`prior_recall`): agency records
#: often lack one (40 % of them in the scenario data), so a fixed guess such as Splink's customary
#: 70 % would put the prior several times too low.
NAME_SOUND_AGREEMENT = float(os.environ.get("MARE_NAME_SOUND_AGREEMENT", "0.6"))
_EM_RULES = (
    "l.name_key = r.name_key",
    "l.birth_date = r.birth_date AND l.birth_precision = 'day'",
)
#: DuckDB's memory limit on the engine's connection (its default is 80 % of the machine's memory;
#: over the limit it spills to a temporary folder). Feature rows, candidate pairs and Splink's
#: working tables of a million persons fit in it; `MARE_RESOLVE_MEMORY` sets another ("6GB").
MEMORY_LIMIT = os.environ.get("MARE_RESOLVE_MEMORY", "4GB")
_PRIOR_RULES = (
    "l.name_sound = r.name_sound AND l.birth_date = r.birth_date AND l.birth_precision = 'day'",
    # an equi-join (the same identifier list): list_has_any here would compare every pair of persons
    "l.identifiers = r.identifiers AND len(l.identifiers) > 0",
)


def _quiet() -> None:
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


@contextlib.contextmanager
def _levels_unparsed() -> Iterator[None]:
    """Splink's comparison levels built without the syntax check of their conditions (sqlglot
    parses each of the model's hundred conditions: 0.2 s of CPU per engine, 60 % of building the
    linker). Mare's conditions are its own and DuckDB runs them verbatim; restored after."""
    from splink.internals.comparison_level import ComparisonLevel

    check = ComparisonLevel._validate
    ComparisonLevel._validate = lambda self: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        ComparisonLevel._validate = check  # type: ignore[method-assign]


class MatchEngine:
    """A Splink linker over one table of person features."""

    def __init__(self, settings: dict[str, Any], features: pa.Table) -> None:
        from splink import DuckDBAPI, Linker

        _quiet()
        self.con = duckdb.connect()
        self._spill = tempfile.TemporaryDirectory(prefix="mare-resolve-")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        self.con.execute(f"SET temp_directory = '{self._spill.name}'")
        for macro in (*DUCKDB_MACROS, PREPARED_NAME_SIM):  # the second for `sqlscore.scoring_sql` (u)
            self.con.execute(macro)
        settled(self.con).register("_features", features)
        self.con.execute("CREATE TABLE person_input AS SELECT * FROM _features")
        self.con.unregister("_features")
        if features.num_rows and features.column("name_frequency").null_count == features.num_rows:
            fill_name_stats(self.con, "person_input")  # not yet computed (the hub's table has them)
        self.persons = features.num_rows
        self.db_api = DuckDBAPI(connection=self.con)
        # Mare's own settings (checked against Splink's predictions by tests/resolve/test_sqlscore.py):
        # Splink's validation of user-written settings parses every condition again (seconds), and
        # each comparison level parses its own condition once more to check its syntax
        with _levels_unparsed():
            self.linker = Linker(
                self.db_api.register("person_input", table_name="persons"),
                settings,
                log_level=None,
                validate_settings=False,
            )
        self.settings = settings
        self._pairs = 0
        self._frequency_levels: dict[str, tuple[float, float]] | None = None

    def train(self, max_pairs: float = 2e6) -> bool:
        """Estimate the prior, u (random sampling) and m (EM) from these persons; False if too few."""
        if self.persons < MIN_TRAIN_PERSONS:
            return False
        training = self.linker.training
        with contextlib.suppress(Exception):  # no deterministic matches at all: keep the default prior
            training.estimate_probability_two_random_records_match(
                list(_PRIOR_RULES), recall=self.prior_recall()
            )
        self.estimate_u()
        for rule in _EM_RULES:
            self.expectation_maximisation(rule)
        self._frequency_levels = frequency_level_probabilities(self.con, "person_input")
        return True

    def estimate_u(self, pairs: int = U_SAMPLE_PAIRS) -> None:
        """u of every level counted on a fixed sample of random pairs, in one SQL pass.

        Splink's own random sampling stops early once every level has been seen often enough;
        levels that random pairs almost never reach (the same full birth date, an equivalent name)
        never get there, so it always scores its whole quota (two million pairs here, ~30 s
        whatever the number of persons). Here the sample is fixed (`U_SAMPLE_PAIRS`, drawn with a
        fixed seed), scored with the level conditions verbatim (`sqlscore.scoring_sql`); a level
        the sample never shows keeps the u it had (the default), and so do levels whose u is
        fixed. They are set on the linker's comparison levels, where Splink's sampling sets them."""
        from mare.resolve.sqlscore import scoring_sql

        model = self.model()
        n = self.persons
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE _u_ids AS SELECT CAST(row_number() OVER (ORDER BY record_uid) "
            "AS BIGINT) - 1 AS id, record_uid FROM person_input"
        )
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE _u_pairs AS SELECT a.record_uid AS left_uid, "
            "b.record_uid AS right_uid FROM (SELECT DISTINCT least(x, y) AS x, greatest(x, y) AS y FROM "
            f"(SELECT hash(i, 1) % {n} AS x, hash(i, 2) % {n} AS y FROM range({int(pairs)}) t(i))) p "
            "JOIN _u_ids a ON a.id = p.x JOIN _u_ids b ON b.id = p.y WHERE p.x <> p.y"
        )
        columns = [r[0] for r in self.con.execute("DESCRIBE person_input").fetchall()]
        names = [c["output_column_name"] for c in model["comparisons"]]
        counts = ", ".join(f"histogram(gamma_{name}) AS {name}" for name in names)
        sql = scoring_sql(model, "_u_pairs", "person_input", columns)
        row = self.con.execute(f"SELECT count(*), {counts} FROM ({sql})").fetchall()[0]
        sampled = int(row[0])
        self.con.execute("DROP TABLE _u_pairs")
        self.con.execute("DROP TABLE _u_ids")
        if sampled == 0:
            return
        estimated: dict[tuple[str, int], float] = {}
        for comparison, histogram in zip(model["comparisons"], row[1:], strict=True):
            seen = {int(g): int(c) for g, c in (histogram or {}).items() if g is not None and int(g) >= 0}
            total = sum(seen.values())
            non_null = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
            for i, level in enumerate(non_null):
                gamma = len(non_null) - 1 - i
                if seen.get(gamma) and not level.get("fix_u_probability"):
                    estimated[(comparison["output_column_name"], gamma)] = seen[gamma] / total
        for comparison in self.linker._settings_obj.comparisons:
            for level in comparison._comparison_levels_excluding_null:
                u = estimated.get((comparison.output_column_name, level.comparison_vector_value))
                if u is not None:
                    level.u_probability = u

    def expectation_maximisation(self, rule: str, max_pairs: float | None = EM_MAX_PAIRS) -> bool:
        """One EM session on the pairs `rule` blocks (m estimated, u and the model's prior kept),
        as Splink's `estimate_parameters_using_expectation_maximisation` without term frequencies
        runs it, on Mare's scoring SQL with the iterations in Python (`em.py`): the same trained m
        values. False when the rule blocks no pairs (the session teaches nothing)."""
        from mare.resolve import em

        model = self.model()
        active = em.active_comparisons(model, rule)
        found = em.patterns(self.con, model, "person_input", rule, active, max_pairs)
        if not found:
            return False
        settings = self.linker._settings_obj
        by_name = {c.output_column_name: c for c in settings.comparisons}
        reversing = em.reversing_levels(model, rule)
        factors = []
        for name, level in reversing:
            for splink_level in by_name[name]._comparison_levels_excluding_null:
                if splink_level.sql_condition == level["sql_condition"]:
                    factors.append(splink_level._bayes_factor)
        trained_m_onto(self.linker, active, found, factors, rule)
        return True

    def prior_recall(self) -> float:
        """Expected recall of the prior's rules: both records with a full birth date (the share of
        persons with one, squared) and the same name sound (`NAME_SOUND_AGREEMENT`)."""
        full = self.con.execute(
            "SELECT avg(CASE WHEN birth_precision = 'day' THEN 1.0 ELSE 0.0 END) FROM person_input"
        ).fetchall()[0][0]
        return min(0.95, max(0.02, float(full or 0.0) ** 2 * NAME_SOUND_AGREEMENT))

    def model(self) -> dict[str, Any]:
        """The (trained) model as a JSON-able dict."""
        data = self.linker.misc.save_model_to_json()
        model: dict[str, Any] = json.loads(json.dumps(data, default=str))
        apply_frequency_levels(model, self._frequency_levels)
        return model

    def score(self, pairs: pa.Table) -> pa.Table:
        """Score candidate pairs (columns left_uid, right_uid); returns predictions with mw_/gamma_."""
        if pairs.num_rows == 0:
            return pa.table({})
        self._pairs += 1
        name = f"_pairs_{self._pairs}"
        settled(self.con).register("_pairs_in", pairs)
        self.con.execute(
            f"CREATE OR REPLACE TABLE {name} AS SELECT '0' AS match_key, "
            "left_uid AS join_key_l, right_uid AS join_key_r FROM _pairs_in"
        )
        self.con.unregister("_pairs_in")
        blocked = self.db_api.register(name, table_name=name)
        self.linker.table_management.register_blocked_pairs_for_predict(blocked)
        predictions = self.linker.inference.predict(warning_mode="never")
        wanted = [f"{UID}_l", f"{UID}_r", "match_weight", "match_probability"] + [
            c for c in predictions.columns_escaped if c.strip('"').startswith(("gamma_", "mw_"))
        ]
        table = (
            settled(self.con)
            .sql(f"SELECT {', '.join(wanted)} FROM {predictions.physical_name}")
            .to_arrow_table()
        )
        predictions.drop_table_from_database_and_remove_from_cache()
        self.con.execute(f"DROP TABLE IF EXISTS {name}")
        return table

    def close(self) -> None:
        """Drop the engine's connection (and what it spilled to disk)."""
        self.con.close()
        self._spill.cleanup()


def trained_m_onto(
    linker: Any, active: list[str], found: list[tuple[tuple[int, ...], int]], factors: list[float], rule: str
) -> None:
    """An EM session's iterations (`em.iterate`) over the counted agreement patterns `found`, from the
    linker's levels, prior (adjusted by the blocking rule's Bayes `factors`) and training settings;
    the trained m put onto the linker's levels as Splink's session does. Both engines' EM ends here."""
    from mare.resolve import em

    settings = linker._settings_obj
    by_name = {c.output_column_name: c for c in settings.comparisons}
    states = [
        em.ComparisonState(
            name,
            [
                em.LevelState(
                    lv.comparison_vector_value,
                    em.NOT_OBSERVED if lv._m_probability == em.NOT_OBSERVED else lv.m_probability,
                    lv.u_probability,
                    bool(lv._fix_m_probability),
                )
                for lv in by_name[name]._comparison_levels_excluding_null
            ],
        )
        for name in active
    ]
    prior = em.blocking_adjusted_prior(settings._probability_two_random_records_match, factors)
    training = settings.training_settings
    em.iterate(states, found, prior, training.max_iterations, training.em_convergence)
    description = f"EM, blocked on: {rule}"
    for state in states:
        levels = by_name[state.name]._comparison_levels_excluding_null
        for level, trained in zip(levels, state.levels, strict=True):
            level._add_trained_m_probability(trained.m, description)
    linker._populate_m_u_from_trained_values()


def explanations(
    settings: dict[str, Any], predictions: pa.Table, rows: list[int] | None = None
) -> list[dict[str, Any]]:
    """One explanation per scored pair (or per listed row): prior and each feature's level and weight."""
    labels = level_labels(settings)
    prior = float(settings.get("probability_two_random_records_match", 1e-4))
    prior_weight = round(math.log2(prior / (1 - prior)), 3)
    names = set(predictions.column_names)
    columns = {name: predictions.column(name).to_pylist() for name in names}
    none = [None] * predictions.num_rows
    per_feature = [
        (f, by_gamma, columns.get(f"gamma_{f}", none), columns.get(f"mw_{f}", none))
        for f, by_gamma in labels.items()
    ]
    out = []
    for i in rows if rows is not None else range(predictions.num_rows):
        features = [
            {
                "feature": f,
                "level": by_gamma.get(int(g[i]), str(g[i])) if g[i] is not None else "missing",
                "match_weight": round(float(w[i] or 0.0), 3),
            }
            for f, by_gamma, g, w in per_feature
        ]
        out.append(
            {
                "prior_match_weight": prior_weight,
                "features": features,
                "match_weight": round(float(columns["match_weight"][i]), 3),
                "match_probability": round(float(columns["match_probability"][i]), 6),
            }
        )
    return out


def scored_pairs(
    settings: dict[str, Any], predictions: pa.Table, keep: float = 0.0
) -> list[tuple[str, str, float, float, str]]:
    """(left, right, match weight, probability, explanation JSON) per prediction at or above `keep`."""
    if predictions.num_rows == 0:
        return []
    probability = predictions.column("match_probability").to_pylist()
    rows = [i for i, p in enumerate(probability) if p >= keep]
    left = predictions.column(f"{UID}_l").to_pylist()
    right = predictions.column(f"{UID}_r").to_pylist()
    if "explanation" in predictions.column_names:  # built in SQL (sqlscore) already
        weight = predictions.column("match_weight").to_pylist()
        text = predictions.column("explanation").to_pylist()
        return [
            (
                min(left[i], right[i]),
                max(left[i], right[i]),
                round(float(weight[i]), 3),
                round(float(probability[i]), 6),
                text[i],
            )
            for i in rows
        ]
    out = []
    for i, e in zip(rows, explanations(settings, predictions, rows), strict=True):
        lo, hi = (left[i], right[i]) if left[i] < right[i] else (right[i], left[i])
        out.append((lo, hi, e["match_weight"], e["match_probability"], json.dumps(e)))
    return out
