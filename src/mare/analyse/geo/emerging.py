"""Emerging hotspots: space-time Gi* on an H3 x time cube, Mann-Kendall trends, ArcGIS categories.

Follows ArcGIS Pro's Emerging Hot Spot Analysis: each (cell, time step) bin gets a Gi* z-score
whose neighbourhood is the cell's k-ring in the same and the `time_window` previous steps; the
z-scores are FDR-corrected over the whole cube; each location's z series gets a Mann-Kendall
trend; the location is then named by the definitions in ArcGIS's "How Emerging Hot Spot Analysis
works" (new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating,
historical; hot and cold alike).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import h3
import numpy as np
from numpy.typing import ArrayLike, NDArray

from mare.analyse.geo.gistar import DEFAULT_ALPHA, benjamini_hochberg, two_sided_p
from mare.analyse.geo.h3bin import DEFAULT_RESOLUTION, cell_graph, count_points
from mare.analyse.geo.mannkendall import mann_kendall

PATTERNS = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
from mare.analyse.geo.defaults import STEPS  # noqa: E402  (re-exported)


@dataclass(frozen=True)
class EmergingHotspot:
    """One location's space-time pattern with the evidence behind it."""

    cell: str
    lat: float
    lon: float
    pattern: str  # e.g. "intensifying hot spot", "no pattern detected"
    total: int  # points over all steps
    hot_steps: int
    cold_steps: int
    steps: int
    final_z: float
    trend_z: float  # Mann-Kendall z of the Gi* series
    trend_p: float

    def reason(self) -> str:
        """One line that explains the pattern."""
        return (
            f"{self.pattern}: significant hot in {self.hot_steps}/{self.steps} steps, "
            f"cold in {self.cold_steps}, "
            f"final Gi* z={self.final_z:.2f}, Mann-Kendall z={self.trend_z:.2f} (p={self.trend_p:.2g})"
        )


def time_steps(
    times: Sequence[object] | ArrayLike, step: str = "year"
) -> tuple[NDArray[np.int64], list[str]]:
    """Step index per time (-1 when unparseable) and a label per step (e.g. 2023-Q2)."""
    if step not in STEPS:
        raise ValueError(f"step must be one of {', '.join(STEPS)}, not {step!r}")
    days = _parse_days(times)
    ok = ~np.isnat(days)
    unit = {"year": "Y", "month": "M", "week": "W", "quarter": "M"}[step]
    periods = days.astype(f"datetime64[{unit}]").astype(np.int64)
    if step == "quarter":
        periods = periods // 3
    index = np.full(len(days), -1, dtype=np.int64)
    if not ok.any():
        return index, []
    first, last = int(periods[ok].min()), int(periods[ok].max())
    index[ok] = periods[ok] - first
    labels = [_label(first + i, step) for i in range(last - first + 1)]
    return index, labels


def _parse_days(times: Sequence[object] | ArrayLike) -> NDArray[np.datetime64]:
    """Dates (day precision) from ISO strings or datetimes; NaT where a value does not parse."""
    values = np.asarray(times)
    try:
        return values.astype("datetime64[D]")
    except (ValueError, TypeError):
        out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
        for i, value in enumerate(values.tolist()):
            try:
                out[i] = np.datetime64(str(value).strip()[:10], "D") if value not in (None, "") else out[i]
            except ValueError:
                continue
        return out


def _label(period: int, step: str) -> str:
    """Human label of one period number."""
    if step == "quarter":
        year = 1970 + period // 4
        return f"{year}-Q{period % 4 + 1}"
    unit = {"year": "Y", "month": "M", "week": "W"}[step]
    return str(np.asarray(period).astype(f"datetime64[{unit}]"))


def _classify(
    hot: NDArray[np.bool_], cold: NDArray[np.bool_], trend_z: float, trend_p: float, alpha: float
) -> str:
    """ArcGIS pattern name of one location from its per-step significance and trend."""
    n = len(hot)
    for series, other, word, rising in ((hot, cold, "hot", 1.0), (cold, hot, "cold", -1.0)):
        share = series.sum() / n
        if not series[-1]:
            if share >= 0.9:
                return f"historical {word} spot"
            continue
        if series.sum() == 1:
            return f"new {word} spot"
        run = n - (np.flatnonzero(~series)[-1] + 1) if (~series).any() else n
        if run >= 2 and series[: n - run].sum() == 0 and share < 0.9:
            return f"consecutive {word} spot"
        if share >= 0.9:
            if trend_p <= alpha and trend_z * rising > 0:
                return f"intensifying {word} spot"
            if trend_p <= alpha and trend_z * rising < 0:
                return f"diminishing {word} spot"
            return f"persistent {word} spot"
        return f"oscillating {word} spot" if other.any() else f"sporadic {word} spot"
    return "no pattern detected"


def find_emerging_hotspots(
    lat: ArrayLike,
    lon: ArrayLike,
    times: Sequence[object] | ArrayLike,
    step: str = "year",
    resolution: int = DEFAULT_RESOLUTION,
    k: int = 1,
    time_window: int = 1,
    alpha: float = DEFAULT_ALPHA,
) -> list[EmergingHotspot]:
    """Space-time Gi* per (cell, step), FDR over the cube, Mann-Kendall per cell, ArcGIS patterns."""
    step_index, labels = time_steps(times, step)
    lat_a, lon_a = np.asarray(lat, float), np.asarray(lon, float)
    keep = step_index >= 0
    counted = count_points(lat_a[keep], lon_a[keep], resolution)
    graph = cell_graph(counted.cells, counted.counts, k)
    n_steps = max(len(labels), 1)
    cube = np.zeros((len(graph.cells), n_steps))
    occupied_rows = np.flatnonzero(graph.occupied)
    ok = counted.point_cell >= 0
    np.add.at(cube, (occupied_rows[counted.point_cell[ok]], step_index[keep][ok]), 1.0)
    z = _space_time_gi(cube, graph.weights, time_window)
    q = benjamini_hochberg(two_sided_p(z.ravel())).reshape(z.shape)
    significant = q <= alpha
    hot, cold = significant & (z > 0), significant & (z < 0)
    _, trend_z, trend_p = mann_kendall(z)
    totals = cube.sum(axis=1)
    out = []
    for row, cell in enumerate(graph.cells.tolist()):
        c_lat, c_lon = h3.api.basic_int.cell_to_latlng(cell)
        out.append(
            EmergingHotspot(
                cell=h3.int_to_str(cell),
                lat=float(c_lat),
                lon=float(c_lon),
                pattern=_classify(hot[row], cold[row], float(trend_z[row]), float(trend_p[row]), alpha),
                total=int(totals[row]),
                hot_steps=int(hot[row].sum()),
                cold_steps=int(cold[row].sum()),
                steps=n_steps,
                final_z=float(z[row, -1]),
                trend_z=float(trend_z[row]),
                trend_p=float(trend_p[row]),
            )
        )
    return out


def _space_time_gi(cube: NDArray[np.float64], weights: object, time_window: int) -> NDArray[np.float64]:
    """Gi* z per bin with binary weights: spatial k-ring x the current and `time_window` previous steps."""
    n_steps = cube.shape[1]
    n = cube.size
    mean = cube.mean()
    s = np.sqrt(max((cube**2).mean() - mean**2, 0.0))
    spatial_lag = np.asarray(weights @ cube)  # type: ignore[operator]
    spatial_w = np.asarray(weights.sum(axis=1)).ravel()  # type: ignore[attr-defined]
    lag = np.zeros_like(cube)
    steps_in = np.zeros(n_steps)
    for d in range(time_window + 1):
        lag[:, d:] += spatial_lag[:, : n_steps - d]
        steps_in[d:] += 1
    w_sum = spatial_w[:, None] * steps_in[None, :]
    denominator = s * np.sqrt(np.maximum(n * w_sum - w_sum**2, 0.0) / (n - 1))  # binary: S1 == W
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (lag - mean * w_sum) / denominator
    return np.where(np.isfinite(z), z, 0.0)
