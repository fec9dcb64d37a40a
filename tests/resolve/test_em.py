"""Mare's EM session (`em.py`) trains the same m probabilities as Splink's own session."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mare.resolve import em
from mare.resolve.engine import _EM_RULES, _PRIOR_RULES, MatchEngine
from mare.resolve.features import build_rows
from mare.resolve.settings import default_settings
from mare.resolve.symbols import SymbolSource
from mare.resolve.table import to_arrow
from resolve.resolve_helpers import random_people


def _table(n: int) -> Any:
    return to_arrow(build_rows(random_people(n, seed=23, contributions=6), SymbolSource(enabled=False)))


def _with_reversing_level(settings: dict[str, Any]) -> dict[str, Any]:
    """A level whose condition is the first EM rule itself (Splink raises the session's prior by it)."""
    out = copy.deepcopy(settings)
    for comparison in out["comparisons"]:
        if comparison["output_column_name"] == "role":
            levels = comparison["comparison_levels"]
            levels.insert(
                1, {**levels[1], "sql_condition": "name_key_l = name_key_r", "label_for_charts": "k"}
            )
    return out


def _trained(settings: dict[str, Any], table: Any, mine: bool, max_pairs: float | None) -> dict[str, Any]:
    engine = MatchEngine(settings, table)
    training = engine.linker.training
    training.estimate_probability_two_random_records_match(list(_PRIOR_RULES), recall=engine.prior_recall())
    engine.estimate_u()
    for rule in _EM_RULES:
        if mine:
            assert engine.expectation_maximisation(rule, max_pairs)
        else:
            training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=max_pairs
            )
    model = engine.model()
    engine.close()
    return model


@pytest.mark.parametrize(
    ("settings", "max_pairs"),
    [
        (default_settings(), 3e5),
        (default_settings(), 400.0),
        (_with_reversing_level(default_settings()), None),
    ],
)
def test_em_session_trains_what_splinks_does(settings: dict[str, Any], max_pairs: float | None) -> None:
    table = _table(900)
    want = _trained(settings, table, mine=False, max_pairs=max_pairs)
    got = _trained(settings, table, mine=True, max_pairs=max_pairs)
    assert got["probability_two_random_records_match"] == want["probability_two_random_records_match"]
    moved = 0
    for before, a, b in zip(settings["comparisons"], want["comparisons"], got["comparisons"], strict=True):
        for default, la, lb in zip(
            before["comparison_levels"], a["comparison_levels"], b["comparison_levels"], strict=True
        ):
            if la.get("is_null_level"):
                continue
            assert lb["u_probability"] == la["u_probability"]
            if isinstance(la["m_probability"], str):
                assert lb["m_probability"] == la["m_probability"]
                continue
            assert lb["m_probability"] == pytest.approx(la["m_probability"], rel=1e-12, abs=1e-15)
            moved += la["m_probability"] != default["m_probability"]
    assert moved >= 10  # the sessions did estimate


def test_deactivated_and_reversing_levels_as_splink_finds_them() -> None:
    from splink.internals.settings import Settings

    settings = _with_reversing_level(default_settings())
    engine = MatchEngine(settings, _table(50))
    comparisons = engine.linker._settings_obj.core_model_settings.comparisons
    for rule in _EM_RULES:
        splink = Settings._get_comparison_levels_corresponding_to_training_blocking_rule(
            blocking_rule_sql=rule, sqlglot_dialect="duckdb", comparisons=comparisons
        )
        want = [(x["comparison"].output_column_name, x["level"].sql_condition) for x in splink]
        got = [(name, level["sql_condition"]) for name, level in em.reversing_levels(settings, rule)]
        assert got == want
    assert em.reversing_levels(settings, _EM_RULES[0])  # the level added is found
    assert "birth_date" not in em.active_comparisons(settings, _EM_RULES[1])
    assert "name" in em.active_comparisons(settings, _EM_RULES[0])  # name_key is not name_keys
    engine.close()


def test_rule_that_blocks_nothing_teaches_nothing() -> None:
    engine = MatchEngine(default_settings(), _table(60))
    before = engine.model()
    assert not engine.expectation_maximisation("l.role = r.role AND l.role = 'nobody'")
    assert engine.model() == before
    engine.close()


def test_iterations_stop_at_convergence_and_mark_unseen_levels() -> None:
    comparison = em.ComparisonState(
        "x",
        [
            em.LevelState(2, 0.5, 0.01, False),
            em.LevelState(1, 0.3, 0.1, False),
            em.LevelState(0, 0.2, 0.89, True),
        ],
    )
    runs = em.iterate([comparison], [((2,), 50), ((0,), 950)], 0.05, 20, 1e-9)
    assert 1 < runs <= 20
    assert comparison.levels[1].m == em.NOT_OBSERVED  # no pattern reaches it
    assert comparison.levels[2].m == 0.2  # fixed
    m = comparison.levels[0].m
    assert isinstance(m, float) and 0.5 < m < 1.0  # most of the matches' share, beside the fixed level's
