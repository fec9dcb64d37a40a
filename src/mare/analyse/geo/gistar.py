"""Getis-Ord Gi* z-scores and the Benjamini-Hochberg false-discovery-rate correction.

Gi* (Ord & Getis 1995, eq. 14) as ArcGIS's Hot Spot Analysis and esda's `G_Local(star=True)`
compute it, in closed form on a sparse weights matrix so millions of cells take a second:

    z_i = (sum_j w_ij x_j - mean * W_i) / (s * sqrt((n * S1_i - W_i**2) / (n - 1)))

with W_i = sum_j w_ij, S1_i = sum_j w_ij**2, mean and s the mean and (population) standard
deviation of x over the n cells of the study area. The p-value is two-sided from the normal
approximation (esda's permutation p-values are not used: they cost thousands of passes and the
analytical z is what both ArcGIS and esda report as Zs).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy import stats

#: Default false-discovery rate: 5 %, as ArcGIS's FDR option and common practice.
from mare.analyse.geo.defaults import DEFAULT_ALPHA


def gi_star(values: ArrayLike, weights: sp.csr_matrix) -> NDArray[np.float64]:
    """Gi* z-score per row of `weights` (which must include each cell's own weight)."""
    x = np.asarray(values, float)
    n = len(x)
    if n < 2:
        return np.zeros(n)
    mean = x.mean()
    s = np.sqrt(max((x**2).mean() - mean**2, 0.0))
    lag = weights @ x
    w_sum = np.asarray(weights.sum(axis=1)).ravel()
    w_sq = np.asarray(weights.multiply(weights).sum(axis=1)).ravel()
    denominator = s * np.sqrt(np.maximum(n * w_sq - w_sum**2, 0.0) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (lag - mean * w_sum) / denominator
    return np.where(np.isfinite(z), z, 0.0)


def two_sided_p(z: ArrayLike) -> NDArray[np.float64]:
    """Two-sided normal p-value of each z-score."""
    return np.asarray(2.0 * stats.norm.sf(np.abs(np.asarray(z, float))))


def benjamini_hochberg(p: ArrayLike) -> NDArray[np.float64]:
    """Benjamini-Hochberg adjusted p-values (q-values): reject where q <= alpha keeps FDR <= alpha."""
    p_a = np.asarray(p, float)
    m = len(p_a)
    if m == 0:
        return p_a.copy()
    order = np.argsort(p_a)
    ranked = p_a[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1.0)
    return q


def confidence_bin(z: ArrayLike, q: ArrayLike, alpha: float = DEFAULT_ALPHA) -> NDArray[np.int64]:
    """ArcGIS-style Gi_Bin: +3/+2/+1 hot (99/95/90 %), -1..-3 cold, 0 not significant after FDR.

    With FDR the levels use q: 3 when q <= alpha/5 (0.01 at the default), 2 when q <= alpha,
    1 when q <= 2*alpha (0.10), matching ArcGIS's three confidence bands.
    """
    z_a, q_a = np.asarray(z, float), np.asarray(q, float)
    level = np.where(q_a <= alpha / 5, 3, np.where(q_a <= alpha, 2, np.where(q_a <= 2 * alpha, 1, 0)))
    return np.asarray(np.sign(z_a).astype(np.int64) * level, dtype=np.int64)
