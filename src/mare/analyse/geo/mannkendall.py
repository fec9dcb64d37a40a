"""Mann-Kendall trend test, vectorised over many short series (rows)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats


def mann_kendall(series: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Per row: Kendall's S, the trend z (continuity-corrected, tie-adjusted) and its two-sided p.

    Variance with ties: n(n-1)(2n+5)/18 - sum_t t(t-1)(2t+5)/18 over groups of equal values
    (Kendall 1975), as ArcGIS and R's Kendall package use.
    """
    x = np.atleast_2d(np.asarray(series, float))
    rows, n = x.shape
    s = np.zeros(rows)
    for i in range(n - 1):
        s += np.sign(x[:, i + 1 :] - x[:, i : i + 1]).sum(axis=1)
    variance = np.full(rows, n * (n - 1) * (2 * n + 5) / 18.0)
    ordered = np.sort(x, axis=1)
    tied = (np.diff(ordered, axis=1) == 0).any(axis=1)
    for row in np.flatnonzero(tied):
        _, sizes = np.unique(ordered[row], return_counts=True)
        variance[row] -= float((sizes * (sizes - 1) * (2 * sizes + 5)).sum()) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(variance), np.where(s < 0, (s + 1) / np.sqrt(variance), 0.0))
    z = np.where(np.isfinite(z), z, 0.0)
    p = 2.0 * stats.norm.sf(np.abs(z))
    return s, z, np.asarray(p)
