"""Gi* against esda, Benjamini-Hochberg, confidence bins, Mann-Kendall."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

from mare.analyse.geo.gistar import benjamini_hochberg, confidence_bin, gi_star, two_sided_p
from mare.analyse.geo.h3bin import cell_graph, count_points
from mare.analyse.geo.mannkendall import mann_kendall


def _graph(n: int = 400) -> tuple[np.ndarray, sp.csr_matrix]:
    """Counts on real H3 cells around a planted cluster."""
    rng = np.random.default_rng(3)
    lat = np.r_[rng.normal(35.5, 0.1, n), rng.uniform(33, 38, n)]
    lon = np.r_[rng.normal(12.6, 0.1, n), rng.uniform(10, 16, n)]
    counted = count_points(lat, lon, 5)
    graph = cell_graph(counted.cells, counted.counts)
    return graph.values, graph.weights


def test_gi_star_matches_esda_analytical_z() -> None:
    esda = pytest.importorskip("esda")
    libpysal = pytest.importorskip("libpysal")
    values, weights = _graph()
    ours = gi_star(values, weights)
    w = libpysal.weights.WSP(weights).to_W(silence_warnings=True)
    theirs = esda.G_Local(values, w, transform="B", star=None, permutations=0).Zs
    np.testing.assert_allclose(ours, theirs, atol=1e-9)


def test_gi_star_by_hand_on_a_line() -> None:
    # 5 cells in a row, binary weights with self: z of the middle cell from the formula
    x = np.array([0.0, 1.0, 5.0, 1.0, 0.0])
    rows, cols = [], []
    for i in range(5):
        for j in (i - 1, i, i + 1):
            if 0 <= j < 5:
                rows.append(i)
                cols.append(j)
    w = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(5, 5))
    n, mean, s = 5, x.mean(), x.std()
    expected = (7 - mean * 3) / (s * np.sqrt((n * 3 - 9) / (n - 1)))
    assert gi_star(x, w)[2] == pytest.approx(expected)


def test_benjamini_hochberg_against_the_definition() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5])
    q = benjamini_hochberg(p)
    # sorted p: .005 .01 .03 .04 .5 -> p*m/rank: .025 .025 .05 .05 .5, then cumulative min from the top
    np.testing.assert_allclose(q, [0.025, 0.05, 0.05, 0.025, 0.5])
    assert benjamini_hochberg(np.array([])).size == 0


def test_fdr_keeps_false_hotspots_rare_under_the_null() -> None:
    rng = np.random.default_rng(11)
    counted = count_points(rng.uniform(30, 40, 20000), rng.uniform(0, 20, 20000), 5)
    graph = cell_graph(counted.cells, counted.counts)
    q = benjamini_hochberg(two_sided_p(gi_star(graph.values, graph.weights)))
    raw = two_sided_p(gi_star(graph.values, graph.weights))
    assert (q <= 0.05).sum() <= 0.01 * len(q) < (raw <= 0.05).sum()


def test_confidence_bins() -> None:
    bins = confidence_bin([5.0, 2.0, 1.0, -3.0, 0.1], [0.001, 0.04, 0.09, 0.001, 0.9])
    assert bins.tolist() == [3, 2, 1, -3, 0]


def test_mann_kendall_matches_kendall_tau_without_ties() -> None:
    rng = np.random.default_rng(5)
    series = np.cumsum(rng.normal(0.3, 1, (20, 12)), axis=1)
    s, z, p = mann_kendall(series)
    t = np.arange(12)
    for row in range(20):
        tau = stats.kendalltau(t, series[row]).statistic
        assert s[row] == pytest.approx(tau * 12 * 11 / 2)
    assert (np.sign(z) == np.sign(s)).all() and ((p >= 0) & (p <= 1)).all()


def test_mann_kendall_trend_and_ties() -> None:
    s, z, p = mann_kendall([[1, 2, 3, 4, 5, 6, 7, 8], [3, 3, 3, 3, 3, 3, 3, 3], [8, 7, 6, 5, 4, 3, 2, 1]])
    assert s.tolist() == [28, 0, -28]
    assert z[0] > 2.5 and p[0] < 0.01 and z[1] == 0 and p[1] == 1 and z[2] < -2.5
