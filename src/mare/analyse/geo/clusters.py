"""Density clusters (HDBSCAN on projected metres) for landing points, safe houses and the like.

HDBSCAN finds clusters of any shape and size and leaves scattered points as noise, which suits
landing points strung along a coast better than fixed-radius DBSCAN. We use scikit-learn's
implementation (BSD) on coordinates projected to metres (local equal-area), because HDBSCAN's
distances must be metric and degrees are not. Past `max_points` it clusters a random sample
and gives every other point the label of its nearest sampled point when it lies within that
point's core distance (else noise), so millions of points stay tractable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.cluster import HDBSCAN
from sklearn.neighbors import NearestNeighbors

from mare.analyse.geo.geodesy import project_to_metres, unproject

#: scikit-learn's HDBSCAN takes ~10 s for 50,000 points on 2 cores and grows faster than
#: linearly (65 s at 100,000), so larger inputs are clustered through a sample of this size.
DEFAULT_MAX_POINTS = 50_000


@dataclass(frozen=True)
class DensityCluster:
    """One cluster: where it is, how big, how tight, and what happens there."""

    cluster: int
    size: int
    lat: float
    lon: float
    radius_m: float  # 90th percentile distance of members from the centre
    kinds: dict[str, int] = field(default_factory=dict)
    networks: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterResult:
    """Per-point labels (-1 noise) and the clusters, largest first."""

    labels: NDArray[np.int64]
    clusters: list[DensityCluster]
    sampled: bool


def _tally(values: NDArray[np.object_] | None, members: NDArray[np.int64]) -> dict[str, int]:
    """Label counts among members, most frequent first."""
    if values is None:
        return {}
    tally: dict[str, int] = {}
    for value in values[members].tolist():
        if value not in (None, ""):
            tally[str(value)] = tally.get(str(value), 0) + 1
    return dict(sorted(tally.items(), key=lambda item: -item[1]))


def density_clusters(
    lat: ArrayLike,
    lon: ArrayLike,
    min_cluster_size: int = 10,
    min_samples: int | None = None,
    epsilon_m: float = 0.0,
    kinds: Sequence[str] | None = None,
    networks: Sequence[str] | None = None,
    max_points: int = DEFAULT_MAX_POINTS,
    seed: int = 0,
) -> ClusterResult:
    """HDBSCAN clusters of points; `epsilon_m` merges clusters closer than that many metres."""
    lat_a, lon_a = np.asarray(lat, float), np.asarray(lon, float)
    valid = np.flatnonzero(np.isfinite(lat_a) & np.isfinite(lon_a))
    labels = np.full(len(lat_a), -1, dtype=np.int64)
    if len(valid) < max(min_cluster_size, 2):
        return ClusterResult(labels, [], False)
    x, y, centre = project_to_metres(lat_a[valid], lon_a[valid])
    xy = np.column_stack([x, y])
    sampled = len(valid) > max_points
    fit_rows = None
    if sampled:
        fit_rows = np.sort(np.random.default_rng(seed).choice(len(valid), max_points, replace=False))
    fit_xy = xy[fit_rows] if fit_rows is not None else xy
    model = HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=min_samples,
        cluster_selection_epsilon=epsilon_m,
        copy=True,
    )
    fit_labels = model.fit_predict(fit_xy).astype(np.int64)
    if fit_rows is None:
        labels[valid] = fit_labels
    else:
        labels[valid] = _extend(fit_xy, fit_labels, xy, min_samples or min_cluster_size)
    kind_values = np.asarray(kinds, dtype=object) if kinds is not None else None
    network_values = np.asarray(networks, dtype=object) if networks is not None else None
    clusters = []
    for number in np.unique(labels[labels >= 0]).tolist():
        members = np.flatnonzero(labels == number)
        rows = np.searchsorted(valid, members)
        cx, cy = float(x[rows].mean()), float(y[rows].mean())
        c_lat, c_lon = unproject([cx], [cy], centre)
        radius = float(np.percentile(np.hypot(x[rows] - cx, y[rows] - cy), 90))
        clusters.append(
            DensityCluster(
                int(number),
                len(members),
                float(c_lat[0]),
                float(c_lon[0]),
                radius,
                _tally(kind_values, members),
                _tally(network_values, members),
            )
        )
    clusters.sort(key=lambda c: -c.size)
    return ClusterResult(labels, clusters, sampled)


def _extend(
    fit_xy: NDArray[np.float64], fit_labels: NDArray[np.int64], xy: NDArray[np.float64], min_samples: int
) -> NDArray[np.int64]:
    """Labels for all points from a clustered sample: nearest sampled point, within its core distance."""
    finder = NearestNeighbors(n_neighbors=min(min_samples, len(fit_xy))).fit(fit_xy)
    core = finder.kneighbors(fit_xy)[0][:, -1]
    distance, nearest = finder.kneighbors(xy, n_neighbors=1)
    nearest, distance = nearest[:, 0], distance[:, 0]
    return np.where(distance <= core[nearest], fit_labels[nearest], -1).astype(np.int64)
