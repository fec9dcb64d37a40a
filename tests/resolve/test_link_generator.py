"""The `mare link` benchmark's generator (benchmarks/crosscheck.py): the same difficulty at every size."""

from __future__ import annotations

from types import ModuleType

import pytest

from builders import load_benchmark


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_benchmark("crosscheck")


def _namesakes_per_true_pair(bench: ModuleType, n: int, names: str) -> float:
    true_pairs, same_name = bench.namesake_pairs(bench._noisy_rows(n, names=names))
    return float(same_name / true_pairs)


def test_fixed_pools_make_namesakes_grow_with_size_scaled_names_do_not(bench: ModuleType) -> None:
    small, large = 2000, 6000
    pools = [_namesakes_per_true_pair(bench, n, "pools") for n in (small, large)]
    scaled = [_namesakes_per_true_pair(bench, n, "scaled") for n in (small, large)]
    assert pools[1] > 2.5 * pools[0]  # with fixed pools, namesakes grow as n squared
    assert scaled[1] < 1.3 * scaled[0]  # scaled: about the density of the pools at 2 000 records
    assert abs(scaled[0] - pools[0]) < 0.1


def test_scaled_family_names_keep_spelling_variants_and_never_repeat(bench: ModuleType) -> None:
    families = bench._scaled_families("arab", 200, 3)
    assert len(families) == 200
    assert len({f[0].lower() for f in families}) == 200
    assert sum(len(f) > 1 for f in families) > 100  # most keep a parent's other spellings
    assert bench._noisy_rows(500, names="scaled") == bench._noisy_rows(500, names="scaled")
    with pytest.raises(ValueError, match="pools"):
        bench._noisy_rows(10, names="other")
