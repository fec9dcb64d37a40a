"""The person-matching model as data: Splink settings with our comparisons, engine-free.

Every comparison level carries a human label (shown in explanations) and a default m and u
probability, so an untrained model still scores sensibly; training on the store replaces them.
Custom levels call three SQL macros (`MACROS`), created on whichever DuckDB connection runs
the model: the cross-script name similarity, and near document numbers.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from mare.resolve.namesakes import FREQUENCY_LEVELS
from mare.resolve.symbols import CROSS_SCRIPT_CLASSES, CROSS_SCRIPT_MARK, CROSS_SCRIPT_WEIGHT

UID = "record_uid"


#: Name similarity: each token of one name scores its best counterpart in the other (1.0 exact or
#: a shared Wikidata name symbol, 0.95 the same phonetic key; against a token written in Arabic
#: script 0.93 the same cross-script key (`symbols.cross_script_key`), else the better of
#: Jaro-Winkler and 0.9 times that of the cross-script keys; else Jaro-Winkler), both directions,
#: averaged over all tokens: order-free, cross-script.
def _token_score(cross: str, kx: str, ky: str, shared: str) -> str:
    """SQL scoring token x against token y (the lambda variables), given the cross-script test and
    both tokens' cross-script keys as SQL."""
    return (
        f"CASE WHEN x.t = y.t OR {shared} THEN 1.0 "
        "WHEN x.p = y.p AND x.p <> '' THEN 0.95 "
        f"WHEN {cross} THEN CASE WHEN {kx} = {ky} THEN 0.93 ELSE greatest(jaro_winkler_similarity(x.t, y.t), "
        f"{CROSS_SCRIPT_WEIGHT} * jaro_winkler_similarity({kx}, {ky})) END "
        "ELSE jaro_winkler_similarity(x.t, y.t) END"
    )


def _both_ways(name: str, score: str) -> str:
    return (
        f"CREATE OR REPLACE MACRO {name}(a, b) AS "
        f"(list_sum(list_transform(a, lambda x: list_max(list_transform(b, lambda y: {score})))) + "
        f"list_sum(list_transform(b, lambda x: list_max(list_transform(a, lambda y: {score}))))) "
        "/ (len(a) + len(b))"
    )


def _both_ways_once(name: str, score: str) -> str:
    """`_both_ways` with each token pair scored once, not once per direction: the matrix of
    scores (a's tokens by b's), its rows' maxima summed, then its columns' maxima summed, in the
    same order as `_both_ways` sums them. The same value exactly because the token score is
    symmetric (every test is, and DuckDB's Jaro-Winkler gives the same value either way round:
    `tests/resolve/test_cross_script.py`). DuckDB only; about a third cheaper (u and scoring)."""
    rows = "list_sum(list_transform(_mm, lambda _mr: list_max(_mr)))"
    columns = (
        "list_sum(list_transform(range(1, len(b) + 1), "
        "lambda _mj: list_max(list_transform(_mm, lambda _mr: _mr[_mj]))))"
    )
    return (
        f"CREATE OR REPLACE MACRO {name}(a, b) AS "
        f"list_transform([list_transform(a, lambda x: list_transform(b, lambda y: {score}))], "
        f"lambda _mm: ({rows} + {columns}) / (len(a) + len(b)))[1]"
    )


def name_sim_macro(classes: tuple[str, str] = CROSS_SCRIPT_CLASSES, once: bool = False) -> str:
    """The `mare_name_sim` macro with these letter classes (from, to) for cross-script keys;
    `once`: DuckDB's faster form of the same (`_both_ways_once`)."""
    kx, ky = (f"translate({side}.p, '{classes[0]}', '{classes[1]}')" for side in ("x", "y"))
    # a token written in Arabic script carries its own cross-script key among its symbols
    cross = (
        f"(y.p <> '' AND list_contains(y.s, '{CROSS_SCRIPT_MARK}' || {ky})) "
        f"OR (x.p <> '' AND list_contains(x.s, '{CROSS_SCRIPT_MARK}' || {kx}))"
    )
    both = _both_ways_once if once else _both_ways
    return both("mare_name_sim", _token_score(cross, kx, ky, "len(list_intersect(x.s, y.s)) > 0"))


def prepared_parts_sql(column: str, classes: tuple[str, str] = CROSS_SCRIPT_CLASSES) -> str:
    """SQL for a name's parts with what `mare_name_sim` works out per token pair worked out once per
    token: its cross-script key (k) and whether it is written in Arabic script (c)."""
    key = f"translate(x.p, '{classes[0]}', '{classes[1]}')"
    return (
        f"list_transform({column}, lambda x: {{'t': x.t, 'p': x.p, 's': x.s, 'k': {key}, "
        f"'c': x.p <> '' AND list_contains(x.s, '{CROSS_SCRIPT_MARK}' || {key})}})"
    )


#: `mare_name_sim` over `prepared_parts_sql` of both names: the same similarity (tested), without
#: the cross-script key computed again for every pair of tokens (half of its cost). DuckDB only
#: (the scoring queries of `sqlscore`); the Spark dialect inlines `MACROS`.
PREPARED_NAME_SIM = _both_ways_once(
    "mare_name_sim_prepared", _token_score("y.c OR x.c", "x.k", "y.k", "list_has_any(x.s, y.s)")
)


MACROS = (
    name_sim_macro(),
    "CREATE OR REPLACE MACRO mare_doc_near(a, b) AS "
    "len(list_filter(a, lambda x: len(list_filter(b, lambda y: length(x) >= 5 "
    "AND damerau_levenshtein(x, y) <= 1)) > 0)) > 0",
)

#: `MACROS` as DuckDB runs them (the Splink linker's and the scoring connections): the same
#: values, the name similarity scoring each token pair once (`_both_ways_once`).
DUCKDB_MACROS = (name_sim_macro(once=True), *MACROS[1:])

_SIM = "mare_name_sim(name_parts_l, name_parts_r)"


def _level(
    sql: str, label: str, m: float, u: float, fix_m: bool = False, fix_u: bool = False
) -> dict[str, Any]:
    level = {"sql_condition": sql, "label_for_charts": label, "m_probability": m, "u_probability": u}
    if fix_m:  # known from the domain, not left to EM (which can drift on small or clustered data)
        level["fix_m_probability"] = True
    if fix_u:  # not estimable by random sampling (see `_namesakes`)
        level["fix_u_probability"] = True
    return level


def _null(sql: str, label: str) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, "is_null_level": True}


def _else(m: float, u: float, fix_m: bool = False) -> dict[str, Any]:
    return _level("ELSE", "All other comparisons", m, u, fix_m)


def _name() -> dict[str, Any]:
    return {
        "output_column_name": "name",
        "comparison_description": "Names, order-free and across scripts",
        "comparison_levels": [
            _null(
                "name_parts_l IS NULL OR name_parts_r IS NULL OR len(name_parts_l) = 0 "
                "OR len(name_parts_r) = 0",
                "a name is missing",
            ),
            _level("list_has_any(name_keys_l, name_keys_r)", "same name, any word order", 0.55, 0.0005),
            _level(
                f"{_SIM} >= 0.97", "equivalent names (Wikidata equivalents or one tiny typo)", 0.12, 0.0005
            ),
            _level(
                f"list_has_any(phon_keys_l, phon_keys_r) OR {_SIM} >= 0.93",
                "names sound the same (phonetic keys, any order)",
                0.15,
                0.002,
            ),
            _level(f"{_SIM} >= 0.85", "names similar (typos, an extra or missing part)", 0.09, 0.006),
            _level(f"{_SIM} >= 0.65", "names partly similar", 0.05, 0.05),
            _else(0.04, 0.94),
        ],
    }


def _birth_date() -> dict[str, Any]:
    full = "birth_precision_l = 'day' AND birth_precision_r = 'day'"
    return {
        "output_column_name": "birth_date",
        "comparison_description": "Birth dates, partial dates and day/month swaps",
        "comparison_levels": [
            _null("birth_year_l IS NULL OR birth_year_r IS NULL", "a birth date is missing"),
            _level(f"{full} AND birth_date_l = birth_date_r", "same full birth date", 0.7, 0.0003),
            _level(
                f"{full} AND (birth_alt_l = birth_date_r OR birth_alt_r = birth_date_l)",
                "same birth date with day and month swapped",
                0.05,
                0.0002,
            ),
            _level(
                f"{full} AND damerau_levenshtein(birth_date_l, birth_date_r) <= 1",
                "birth dates one digit apart",
                0.08,
                0.004,
            ),
            _level(
                "birth_year_l = birth_year_r AND (birth_month_l IS NULL OR birth_month_r IS NULL "
                "OR birth_month_l = birth_month_r) AND (birth_day_l IS NULL OR birth_day_r IS NULL "
                "OR birth_day_l = birth_day_r)",
                "birth dates agree as far as both go (partial date)",
                0.08,
                0.01,
            ),
            _level("birth_year_l = birth_year_r", "same birth year, different day or month", 0.04, 0.012),
            _level("abs(birth_year_l - birth_year_r) <= 2", "birth years within two years", 0.03, 0.05),
            _else(0.02, 0.92, fix_m=True),
        ],
    }


def _list_overlap(column: str, label: str, what: str, m: float, u: float) -> dict[str, Any]:
    return {
        "output_column_name": column,
        "comparison_description": what,
        "comparison_levels": [
            _null(
                f"{column}_l IS NULL OR {column}_r IS NULL OR len({column}_l) = 0 OR len({column}_r) = 0",
                f"{what.lower()} missing",
            ),
            _level(f"list_has_any({column}_l, {column}_r)", label, m, u),
            _else(1 - m, 1 - u),
        ],
    }


def _exact(column: str, what: str, m: float, u: float, fuzzy: float | None = None) -> dict[str, Any]:
    levels = [
        _null(f"{column}_l IS NULL OR {column}_r IS NULL", f"{what.lower()} missing"),
        _level(f"{column}_l = {column}_r", f"same {what.lower()}", m, u),
    ]
    if fuzzy is not None:
        levels.append(
            _level(
                f"jaro_winkler_similarity({column}_l, {column}_r) >= {fuzzy}",
                f"similar {what.lower()}",
                0.05,
                0.01,
            )
        )
    levels.append(_else(1 - m - (0.05 if fuzzy else 0), 1 - u - (0.01 if fuzzy else 0)))
    return {"output_column_name": column, "comparison_description": what, "comparison_levels": levels}


def _identifiers() -> dict[str, Any]:
    return {
        "output_column_name": "identifiers",
        "comparison_description": "Shared identifiers (phones, documents, e-mail, accounts, IBAN, plates)",
        "comparison_levels": [
            _null(
                "identifiers_l IS NULL OR identifiers_r IS NULL OR len(identifiers_l) = 0 "
                "OR len(identifiers_r) = 0",
                "identifiers missing on one side",
            ),
            _level("list_has_any(identifiers_l, identifiers_r)", "share an identifier", 0.6, 0.0001),
            _level(
                "mare_doc_near(documents_l, documents_r)",
                "document numbers one character apart",
                0.15,
                0.0005,
            ),
            _else(0.25, 0.9994),
        ],
    }


#: Names that agree (a shared key, a shared sound or a near-equivalent spelling).
_NAMES_AGREE = (
    f"(list_has_any(name_keys_l, name_keys_r) OR list_has_any(phon_keys_l, phon_keys_r) OR {_SIM} >= 0.93)"
)


def _namesakes() -> dict[str, Any]:
    """How many persons bear the shared name (`namesakes.py`), when no birth date can tell them apart.

    Only where the names agree and a birth date is missing: with both dates known, the birth-date
    comparison already separates namesakes. Random sampling cannot estimate u here (random pairs
    whose names agree are mostly the same person) and EM keeps u from sampling, so the levels are
    fixed for Splink: the frequency levels are learnt by `namesakes.frequency_level_probabilities`
    from the pairs that full birth dates label; 'namesakes known' says what it means — a
    non-matching pair with an agreeing name *is* a pair of namesakes, and its name mostly has
    several known birth years (u 0.6); one person's records seldom show two (m 0.1, a mistyped year)."""
    fixed = {"fix_m": True, "fix_u": True}
    frequency = [
        _level(
            f"greatest(name_frequency_l, name_frequency_r) < {bound!r}" if math.isfinite(bound) else "ELSE",
            label,
            m,
            u,
            **fixed,
        )
        for label, bound, m, u in FREQUENCY_LEVELS
    ]
    return {
        "output_column_name": "namesakes",
        "comparison_description": "Namesakes: how many persons bear the name, when a birth date is missing",
        "comparison_levels": [
            _null(
                f"NOT {_NAMES_AGREE} OR (birth_year_l IS NOT NULL AND birth_year_r IS NOT NULL)",
                "not applicable (names differ or both birth dates known)",
            ),
            _level(
                "greatest(name_years_l, name_years_r) >= 2",
                "namesakes known: others with this name were born in other years",
                0.1,
                0.6,
                **fixed,
            ),
            *frequency,
        ],
    }


def _alias() -> dict[str, Any]:
    """An alias (kunya, nickname) shared, or one record's alias given as the other's name. Apart from
    the name: "Abu Omar" is borne by many, so it counts as much as training finds it worth."""
    shared = (
        "list_has_any(alias_keys_l, alias_keys_r) OR list_has_any(alias_keys_l, name_keys_r) "
        "OR list_has_any(alias_keys_l, phon_keys_r) OR list_has_any(name_keys_l, alias_keys_r) "
        "OR list_has_any(phon_keys_l, alias_keys_r)"
    )
    return {
        "output_column_name": "alias",
        "comparison_description": "Aliases (kunya, nickname)",
        "comparison_levels": [
            _null(
                "(alias_keys_l IS NULL OR len(alias_keys_l) = 0) AND "
                "(alias_keys_r IS NULL OR len(alias_keys_r) = 0)",
                "no alias on either side",
            ),
            _level(shared, "an alias shared (or given as the other's name)", 0.3, 0.005),
            _else(0.7, 0.995),
        ],
    }


def _source() -> dict[str, Any]:
    return {
        "output_column_name": "source",
        "comparison_description": "Where the two records come from",
        "comparison_levels": [
            _level(
                "contribution_l = contribution_r",
                "same contribution (an agency lists a person once)",
                0.0002,
                0.05,
                fix_m=True,
            ),
            _level("agency_l = agency_r", "same agency, another contribution", 0.5, 0.46, fix_m=True),
            _else(0.4998, 0.49, fix_m=True),
        ],
    }


DEFAULT_SETTINGS: dict[str, Any] = {
    "link_type": "dedupe_only",
    "unique_id_column_name": UID,
    "probability_two_random_records_match": 0.0001,
    "retain_matching_columns": True,
    "retain_intermediate_calculation_columns": True,
    "em_convergence": 0.001,
    "max_iterations": 20,
    "blocking_rules_to_generate_predictions": [
        "l.name_key = r.name_key",
        "l.birth_date = r.birth_date AND l.birth_precision = 'day'",
    ],
    "comparisons": [
        _name(),
        _birth_date(),
        _list_overlap("nationality", "a nationality shared", "Nationality", 0.9, 0.15),
        _exact("gender", "Gender", 0.97, 0.5),
        _exact("birth_place", "Birth place", 0.8, 0.02, fuzzy=0.9),
        _identifiers(),
        _exact("role", "Role", 0.6, 0.2),
        _list_overlap("residence", "a residence country shared", "Residence", 0.85, 0.25),
        _list_overlap("associates", "an associate with the same name", "Associates", 0.3, 0.005),
        _alias(),
        _namesakes(),
        _source(),
    ],
}

#: The comparison that needs records from more than one contribution to mean anything.
SOURCE = "source"


def default_settings() -> dict[str, Any]:
    """A fresh copy of the untrained model (default m and u on every level)."""
    return copy.deepcopy(DEFAULT_SETTINGS)


def without(settings: dict[str, Any], comparison: str) -> dict[str, Any]:
    """A copy of the settings without the named comparison."""
    out = copy.deepcopy(settings)
    out["comparisons"] = [c for c in out["comparisons"] if c["output_column_name"] != comparison]
    return out


def level_labels(settings: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Comparison name -> gamma value -> label, for reading predictions."""
    out: dict[str, dict[int, str]] = {}
    for comparison in settings["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        labels = {-1: next((lv["label_for_charts"] for lv in levels if lv.get("is_null_level")), "missing")}
        for i, lv in enumerate(non_null):
            labels[len(non_null) - 1 - i] = lv["label_for_charts"]
        out[comparison["output_column_name"]] = labels
    return out
