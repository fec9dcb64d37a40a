"""Expectation maximisation of the m probabilities, as Splink's EM training session runs it, on
Mare's own scoring SQL and with the iterations in Python.

Splink's session (`estimate_parameters_using_expectation_maximisation`, estimated without term
frequencies, u fixed) blocks the persons on a rule, computes every blocked pair's comparison
vector, counts the agreement patterns and then iterates the E and M steps in SQL, one query per
iteration (about 20 ms each whatever the data: most of EM's cost at 10 000 persons). Here the same
session: the same pairs (the same probe and hash sample when there are more than `max_pairs`), the
comparison vectors from `sqlscore.scoring_sql` (equal to Splink's: tests/resolve/test_sqlscore.py),
the same deactivated comparisons, starting prior, iterations, convergence test and trained values,
so the model is the same (tests/resolve/test_em.py compares it with Splink's session).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from mare.resolve.settings import UID

#: Splink's text for a level that no blocked pair reached (its m then reads as 1e-6).
NOT_OBSERVED = "level not observed in training dataset"
_NOT_OBSERVED_VALUE = 1e-6
_CLAMP = 1e-300  # Splink's floor of m and u in a match weight
#: Splink's EM sampling: a probe of 1 % of the persons on each side (hash of the id modulo
#: 10 000 below 100) estimates the blocked pairs; over `max_pairs`, both sides are kept where the
#: hash modulo 10^9 falls below a threshold.
_PROBE_MODULUS = 10_000
_PROBE_THRESHOLD = 100
_SAMPLE_MODULUS = 1_000_000_000


@dataclass(slots=True)
class LevelState:
    """One non-null level of a comparison during a session."""

    gamma: int
    m: float | str  # a probability, or NOT_OBSERVED
    u: float
    fixed_m: bool

    @property
    def m_value(self) -> float:
        """m as Splink reads it (1e-6 for a level not observed)."""
        return _NOT_OBSERVED_VALUE if isinstance(self.m, str) else self.m

    def weight(self) -> float:
        """The level's match weight, log2(m/u), as Splink's E step computes it."""
        return math.log2(max(self.m_value, _CLAMP) / max(self.u, _CLAMP))


@dataclass(slots=True)
class ComparisonState:
    """A comparison's non-null levels during a session."""

    name: str
    levels: list[LevelState] = field(default_factory=list)


def rule_columns(rule: str) -> set[str]:
    """Columns a blocking rule reads (`l.x`, `r.x`)."""
    return set(re.findall(r"\b[lr]\.\"?([A-Za-z_][A-Za-z0-9_]*)", rule))


def comparison_columns(comparison: dict[str, Any]) -> set[str]:
    """Input columns a comparison's conditions read (`x_l`, `x_r`)."""
    text = " ".join(lv["sql_condition"] for lv in comparison["comparison_levels"])
    text = re.sub(r"'[^']*'", "''", text)  # not inside string literals
    return set(re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)_[lr]\b", text))


def active_comparisons(settings: dict[str, Any], rule: str) -> list[str]:
    """The comparisons a session on `rule` estimates: those that read none of the rule's columns."""
    used = rule_columns(rule)
    return [c["output_column_name"] for c in settings["comparisons"] if not comparison_columns(c) & used]


def _conjuncts(sql: str) -> frozenset[str]:
    return frozenset(" ".join(p.split()).lower() for p in re.split(r"\bAND\b", sql, flags=re.IGNORECASE))


def reversing_levels(settings: dict[str, Any], rule: str) -> list[tuple[str, dict[str, Any]]]:
    """Levels whose condition is the blocking rule itself (every blocked pair reaches them): the
    session's prior is raised by their Bayes factors, as Splink does. Compared as sets of AND-ed
    terms with `l.x`/`r.x` written `x_l`/`x_r`."""
    wanted = _conjuncts(re.sub(r"\b([lr])\.\"?([A-Za-z_][A-Za-z0-9_]*)\"?", r"\2_\1", rule))
    return [
        (c["output_column_name"], lv)
        for c in settings["comparisons"]
        for lv in c["comparison_levels"]
        if not lv.get("is_null_level") and _conjuncts(lv["sql_condition"]) == wanted
    ]


def blocked_pairs_sql(
    table: str, rule: str, threshold: int | None = None, modulus: int = _SAMPLE_MODULUS
) -> str:
    """The distinct pairs a rule blocks together (left id below right id), as Splink's dedupe
    blocking builds them; with `threshold`, only persons whose id hash modulo `modulus` is below it."""
    sample = ""
    if threshold is not None and threshold < modulus:
        sample = f" AND hash(l.{UID}) % {modulus} < {threshold} AND hash(r.{UID}) % {modulus} < {threshold}"
    return (
        f"SELECT DISTINCT l.{UID} AS left_uid, r.{UID} AS right_uid FROM {table} AS l "
        f"INNER JOIN {table} AS r ON ({rule}) WHERE l.{UID} < r.{UID}{sample}"
    )


def sample_threshold(
    con: duckdb.DuckDBPyConnection, table: str, rule: str, max_pairs: float | None
) -> int | None:
    """Splink's EM sample: None (every blocked pair) unless the probe estimates more than
    `max_pairs`, else the hash threshold that keeps about `max_pairs`."""
    if max_pairs is None:
        return None
    probe_sql = blocked_pairs_sql(table, rule, _PROBE_THRESHOLD, _PROBE_MODULUS)
    probe = int(con.execute(f"SELECT count(*) FROM ({probe_sql})").fetchall()[0][0])
    if probe == 0:
        return None
    fraction = _PROBE_THRESHOLD / _PROBE_MODULUS
    estimated = probe / (fraction**2)
    if estimated <= max_pairs:
        return None
    share = min(max(math.sqrt(max_pairs / estimated), 0.0), 1.0)
    return max(1, round(share * _SAMPLE_MODULUS))


def _probability(weight: float) -> float:
    if weight >= 0:
        return 1.0 / (1.0 + 2.0 ** (-weight))
    return 2.0**weight / (1.0 + 2.0**weight)


def iterate(
    comparisons: list[ComparisonState],
    patterns: list[tuple[tuple[int, ...], int]],
    prior: float,
    max_iterations: int,
    convergence: float,
) -> int:
    """Splink's EM iterations over agreement pattern counts (one gamma per comparison, in order):
    each level's m updated in place (fixed levels kept; a level no pattern reaches becomes
    NOT_OBSERVED); the prior varies within the session only. Returns the iterations run."""
    counts = [float(c) for _, c in patterns]
    total = sum(counts)
    runs = 0
    for runs in range(1, max_iterations + 1):  # noqa: B007 (the last value is returned)
        weights = [{lv.gamma: lv.weight() for lv in c.levels} for c in comparisons]
        prior_weight = math.log2(prior / (1 - prior))
        m_counts: list[dict[int, float]] = [{} for _ in comparisons]
        matches = 0.0
        for (gammas, _), count in zip(patterns, counts, strict=True):
            weight = prior_weight
            for g, by_gamma in zip(gammas, weights, strict=True):
                weight = weight + (0.0 if g == -1 else by_gamma[g])
            share = _probability(weight) * count
            matches += share
            for g, m_count in zip(gammas, m_counts, strict=True):
                m_count[g] = m_count.get(g, 0.0) + share
        changes = [0.0]
        for comparison, m_count in zip(comparisons, m_counts, strict=True):
            seen = {g: v for g, v in m_count.items() if g != -1}
            denominator = sum(seen.values())
            for level in comparison.levels:
                if level.fixed_m:
                    continue
                before = level.m_value
                if level.gamma in seen and denominator > 0:
                    level.m = seen[level.gamma] / denominator
                else:
                    level.m = NOT_OBSERVED
                changes.append(abs(level.m_value - before))
        new_prior = matches / total if total else prior
        changes.append(abs(new_prior - prior))
        prior = new_prior
        if max(changes) < convergence:
            break
    return runs


def blocking_adjusted_prior(prior: float, bayes_factors: list[float]) -> float:
    """The session's starting prior: the model's, raised by the Bayes factors of the levels that
    reverse the blocking rule (as Splink's odds -> probability arithmetic, to the last bit)."""
    odds = prior / (1 - prior) if prior != 1 else math.inf
    for factor in bayes_factors:
        odds = factor * odds
    return odds / (1 + odds)


def patterns(
    con: duckdb.DuckDBPyConnection,
    settings: dict[str, Any],
    table: str,
    rule: str,
    active: list[str],
    max_pairs: float | None,
) -> list[tuple[tuple[int, ...], int]]:
    """The agreement patterns (the active comparisons' gammas) of the pairs the rule blocks, with
    their counts: Splink's comparison vectors, counted."""
    from mare.resolve.sqlscore import scoring_sql

    threshold = sample_threshold(con, table, rule, max_pairs)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _em_pairs AS {blocked_pairs_sql(table, rule, threshold)}")
    try:
        columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        sql = scoring_sql(settings, "_em_pairs", table, columns)
        gammas = ", ".join(f"gamma_{name}" for name in active) or "0"
        rows = con.execute(f"SELECT {gammas}, count(*) FROM ({sql}) GROUP BY ALL").fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS _em_pairs")
    return [(tuple(int(g) for g in row[:-1]) if active else (), int(row[-1])) for row in rows]
