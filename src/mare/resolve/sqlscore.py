"""Score candidate pairs straight from the saved model in DuckDB SQL: no Splink set-up per call.

The stored model is Splink settings JSON: per comparison, levels with a SQL condition on
``column_l``/``column_r`` and m and u probabilities. Scoring is Fellegi–Sunter arithmetic, so it
can be written as one query — the same level conditions (verbatim), the gamma numbering Splink
uses (null level -1, then n-1 … 0 in level order), the match weight of a level log2(m/u), the
prior's weight, and Splink's formula for the probability. `tests/resolve/test_sqlscore.py`
checks it against Splink's own `predict()` on the same pairs.

This is what the incremental cross-check uses: a new contribution's candidate pairs are scored
on the store's own connection, against the indexed feature table, in milliseconds.
"""

from __future__ import annotations

import math
import re
from typing import Any

import duckdb
import pyarrow as pa

from mare.resolve.settings import (
    DUCKDB_MACROS,
    PREPARED_NAME_SIM,
    UID,
    level_labels,
    prepared_parts_sql,
)
from mare.store.settle import settled

_NOT_OBSERVED = 1e-6  # Splink's stand-in for a level never seen in training


def _probability(value: Any) -> float | None:
    if isinstance(value, str):  # "level not observed in training dataset"
        return _NOT_OBSERVED
    return None if value is None else float(value)


def level_weight(level: dict[str, Any]) -> float:
    """log2(m/u) of one non-null level, as Splink computes it."""
    m, u = _probability(level.get("m_probability")), _probability(level.get("u_probability"))
    if m is None or u is None:
        raise ValueError(f"level {level.get('label_for_charts')!r} has no m or u probability")
    if u == 0:
        return 1e3
    if m == 0:
        return -1e3
    return math.log2(m / u)


def prior_weight(settings: dict[str, Any]) -> float:
    """log2 of the prior odds that two random records match."""
    prior = float(settings.get("probability_two_random_records_match", 1e-4))
    return math.log2(prior / (1 - prior))


def _columns(settings: dict[str, Any], available: list[str]) -> list[str]:
    """Feature columns the model's conditions use (those named col_l / col_r)."""
    text = " ".join(lv["sql_condition"] for c in settings["comparisons"] for lv in c["comparison_levels"])
    return [c for c in available if c != UID and (f"{c}_l" in text or f"{c}_r" in text)]


_SHARED = (("mare_name_sim(name_parts_l, name_parts_r)", "_mare_name_sim"),)
#: The shared name similarity as computed: over each person's name parts prepared once
#: (`settings.prepared_parts_sql`), not token pair by token pair.
_PREPARED = "mare_name_sim_prepared(_mare_parts_l, _mare_parts_r)"


def _share(sql: str) -> str:
    for expr, alias in _SHARED:
        sql = sql.replace(expr, alias)
    return sql


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def explanation_sql(settings: dict[str, Any]) -> str:
    """The explanation JSON (as `engine.explanations` builds it) as a SQL expression over the
    gamma_/mw_ columns, match_weight and match_probability."""
    labels = level_labels(settings)
    features = []
    for name, by_gamma in labels.items():
        level = " ".join(f"WHEN {g} THEN {_quote(label)}" for g, label in sorted(by_gamma.items()))
        features.append(
            f"{{'feature': {_quote(name)}, 'level': CASE gamma_{name} {level} "
            f"ELSE CAST(gamma_{name} AS VARCHAR) END, 'match_weight': round(mw_{name}, 3)}}"
        )
    prior = round(prior_weight(settings), 3)
    return (
        f"CAST(to_json({{'prior_match_weight': CAST({prior!r} AS DOUBLE), "
        f"'features': [{', '.join(features)}], 'match_weight': round(match_weight, 3), "
        "'match_probability': round(match_probability, 6)}) AS VARCHAR)"
    )


#: Functions that make a level condition costly to evaluate (string distances, name similarity).
_COSTLY = ("damerau_levenshtein", "levenshtein", "jaro", "mare_")


_NEAR = re.compile(r"damerau_levenshtein\(([^()]*)\)\s*<=\s*1\b")


def _evaluated(condition: str) -> str:
    """A level condition as evaluated: the same truth value, cheaper. `damerau_levenshtein(a, b)
    <= 1` is tested after `levenshtein(a, b) <= 2`, which it implies (both count bytes; an
    adjacent transposition costs 2 in Levenshtein's distance) and which is about five times
    cheaper: most pairs of birth dates fail it."""
    return _NEAR.sub(r"(levenshtein(\1) <= 2 AND damerau_levenshtein(\1) <= 1)", condition)


def _keep_weight(keep: float) -> float | None:
    """The match weight whose probability is `keep` (None when nothing can be pruned)."""
    return math.log2(keep / (1 - keep)) if 0 < keep < 1 else None


def _weight_bound(levels: list[dict[str, Any]], weights: list[float]) -> str:
    """SQL for an upper bound of a comparison's weight that evaluates only cheap conditions: the
    levels are tried in order as in the gamma CASE, and a level whose condition is costly may or
    may not hold (its weight or the best weight of the levels after it)."""
    bound = "CAST(0 AS DOUBLE)"  # no level holds: no gamma, weight 0
    for level, weight in reversed(list(zip(levels, weights, strict=True))):
        condition = level["sql_condition"].strip()
        value = f"CAST({weight!r} AS DOUBLE)"
        if condition.upper() == "ELSE":
            bound = value
        elif any(name in condition for name in _COSTLY):
            bound = f"greatest({value}, {bound})"
        else:
            bound = f"CASE WHEN {condition} THEN {value} ELSE {bound} END"
    return bound


def scoring_sql(
    settings: dict[str, Any], pairs: str, features: str, columns: list[str], keep: float = 0.0
) -> str:
    """One query scoring the pairs table (left_uid, right_uid) against a features table.

    Output columns: record_uid_l, record_uid_r, gamma_<c> and mw_<c> per comparison,
    match_weight and match_probability — the same as Splink's predictions.

    With `keep` (the caller keeps only pairs with a probability at or above it), pairs that cannot
    reach `keep` are dropped before the costly conditions (name similarity, string distances) are
    evaluated: the prior plus each comparison's `_weight_bound` is an upper bound of the match
    weight. The pairs left are scored exactly as without `keep`."""
    used = _columns(settings, columns)
    side = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in used)
    gammas, weights, names, bounds = [], [], [], []
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        whens, else_gamma = [], None
        number = {id(lv): len(non_null) - 1 - i for i, lv in enumerate(non_null)}
        mw_cases, level_weights = [], []
        for lv in levels:
            gamma = -1 if lv.get("is_null_level") else number[id(lv)]
            condition = lv["sql_condition"].strip()
            if condition.upper() == "ELSE":
                else_gamma = gamma
            else:
                whens.append(f"WHEN {_evaluated(condition)} THEN {gamma}")
            level_weights.append(level_weight(lv) if gamma >= 0 else 0.0)
            if gamma >= 0:
                mw_cases.append(f"WHEN {gamma} THEN CAST({level_weight(lv)!r} AS DOUBLE)")
        tail = f" ELSE {else_gamma}" if else_gamma is not None else ""
        gammas.append(f"CASE {' '.join(whens)}{tail} END AS gamma_{name}")
        weights.append(f"CASE gamma_{name} {' '.join(mw_cases)} ELSE CAST(0 AS DOUBLE) END AS mw_{name}")
        names.append(name)
        bounds.append(_weight_bound(levels, level_weights))
    prior = f"CAST({prior_weight(settings)!r} AS DOUBLE)"
    total = f"{prior} + " + " + ".join(f"mw_{n}" for n in names)
    # the name similarity appears in several levels: compute it once per pair, from name parts
    # prepared once per person
    prepare = any(_SHARED[0][0] in g for g in gammas)
    shared = f"{_PREPARED} AS {_SHARED[0][1]}" if prepare else ""
    parts = f", {prepared_parts_sql('name_parts')} AS _mare_parts" if prepare else ""
    if prepare:
        side += ", l._mare_parts AS _mare_parts_l, r._mare_parts AS _mare_parts_r"
    gammas = [_share(g) for g in gammas]
    threshold = _keep_weight(keep)
    # the margin covers rounding in the order of the sums: a pair pruned is below `keep`
    bound = " + ".join([prior, *bounds])
    pruned = (
        "j0"
        if threshold is None
        else f"(SELECT * FROM j0 WHERE {bound} >= CAST({threshold - 1e-6!r} AS DOUBLE))"
    )
    return (
        f"WITH sub AS MATERIALIZED (SELECT {UID}, {', '.join(used)}{parts} FROM {features} WHERE {UID} IN "
        f"(SELECT left_uid FROM {pairs} UNION SELECT right_uid FROM {pairs})), "
        f"j0 AS (SELECT p.left_uid AS {UID}_l, p.right_uid AS {UID}_r, {side} FROM {pairs} p "
        f"JOIN sub l ON l.{UID} = p.left_uid JOIN sub r ON r.{UID} = p.right_uid), "
        f"j AS (SELECT *{', ' + shared if shared else ''} FROM {pruned}), "
        f"g AS (SELECT {UID}_l, {UID}_r, {', '.join(gammas)} FROM j), "
        f"w AS (SELECT *, {', '.join(weights)} FROM g), "
        f"t AS (SELECT *, {total} AS match_weight FROM w) "
        "SELECT *, CASE WHEN match_weight >= 0 THEN 1.0 / (1.0 + pow(2.0, -match_weight)) "
        "ELSE pow(2.0, match_weight) / (1.0 + pow(2.0, match_weight)) END AS match_probability FROM t"
    )


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The model's SQL macros as temporary ones (never written into a store's catalogue)."""
    for macro in (*DUCKDB_MACROS, PREPARED_NAME_SIM):
        con.execute(macro.replace("CREATE OR REPLACE MACRO", "CREATE OR REPLACE TEMP MACRO", 1))


def score_sql(
    con: duckdb.DuckDBPyConnection,
    settings: dict[str, Any],
    pairs: pa.Table | str,
    features: str,
    keep: float = 0.0,
    explain: bool = False,
) -> pa.Table:
    """Score pairs (an Arrow table or a table name with left_uid, right_uid) against `features`
    (a table or view name on `con`); returns the predictions at or above `keep` (with an
    `explanation` JSON column when `explain`)."""
    create_macros(con)
    name = pairs if isinstance(pairs, str) else "_mare_score_pairs"
    if not isinstance(pairs, str):
        if pairs.num_rows == 0:
            return pa.table({})
        settled(con).register(name, pairs)
    try:
        columns = [r[0] for r in con.execute(f"DESCRIBE {features}").fetchall()]
        sql = scoring_sql(settings, name, features, columns, keep)
        where = f" WHERE match_probability >= {float(keep)!r}" if keep > 0 else ""
        extra = f", {explanation_sql(settings)} AS explanation" if explain else ""
        return settled(con).sql(f"SELECT *{extra} FROM ({sql}){where}").to_arrow_table()
    finally:
        if not isinstance(pairs, str):
            con.unregister(name)
