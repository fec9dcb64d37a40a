"""Hotspots: H3 counts tested with Getis-Ord Gi*, corrected for false discoveries, explained."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import h3
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import connected_components

from mare.analyse.geo.gistar import DEFAULT_ALPHA, benjamini_hochberg, confidence_bin, gi_star, two_sided_p
from mare.analyse.geo.h3bin import DEFAULT_RESOLUTION, cell_graph, count_points


@dataclass(frozen=True)
class Hotspot:
    """One H3 cell with its Gi* statistic and what happens there."""

    cell: str
    lat: float
    lon: float
    count: int  # points in the cell
    neighbourhood_count: int  # points in the cell and its k-ring
    z: float
    p: float
    q: float  # Benjamini-Hochberg adjusted p over every cell of the study area
    gi_bin: int  # +3..-3 as ArcGIS's Gi_Bin, after FDR
    area: int  # connected group of significant hot cells (-1 for others)
    kinds: dict[str, int] = field(default_factory=dict)  # points by kind in the cell and its ring
    networks: dict[str, int] = field(default_factory=dict)  # points by network in the cell and its ring

    @property
    def hot(self) -> bool:
        """True for a significant hot spot after FDR."""
        return self.gi_bin > 0

    def reason(self) -> str:
        """One line that explains the verdict."""
        verdict = "hot spot" if self.gi_bin > 0 else "cold spot" if self.gi_bin < 0 else "not significant"
        return (
            f"{verdict}: {self.neighbourhood_count} points around the cell ({self.count} in it), "
            f"Gi* z={self.z:.2f}, p={self.p:.2g}, FDR q={self.q:.2g}"
        )


@dataclass(frozen=True)
class HotspotResult:
    """All tested cells (hot, cold and not significant) and the settings used."""

    hotspots: list[Hotspot]
    resolution: int
    k: int
    alpha: float
    points: int
    cells_tested: int

    def hot(self) -> list[Hotspot]:
        """Significant hot cells, strongest first."""
        return sorted((h for h in self.hotspots if h.hot), key=lambda h: -h.z)


def _tallies(
    point_row: NDArray[np.int64], labels: Sequence[str] | None, weights: sp.csr_matrix
) -> list[dict[str, int]]:
    """Per row of `weights`, how many points in that cell and its ring carry each label, most first."""
    n_cells = weights.shape[0]
    out: list[dict[str, int]] = [{} for _ in range(n_cells)]
    if labels is None:
        return out
    values = np.asarray(["" if v is None else str(v) for v in labels], dtype=object)
    keep = (point_row >= 0) & (values != "")
    names, codes = np.unique(values[keep].astype(str), return_inverse=True)
    own = sp.csr_matrix(
        (np.ones(int(keep.sum())), (point_row[keep], codes)), shape=(weights.shape[1], len(names))
    )
    around = (weights @ own).tocoo()
    for row, code, count in zip(around.row.tolist(), around.col.tolist(), around.data.tolist(), strict=True):
        out[row][str(names[code])] = int(count)
    return [dict(sorted(tally.items(), key=lambda item: -item[1])) for tally in out]


def find_hotspots(
    lat: ArrayLike,
    lon: ArrayLike,
    resolution: int = DEFAULT_RESOLUTION,
    k: int = 1,
    alpha: float = DEFAULT_ALPHA,
    kinds: Sequence[str] | None = None,
    networks: Sequence[str] | None = None,
    weights: ArrayLike | None = None,
    significant_only: bool = False,
) -> HotspotResult:
    """Count points per H3 cell, run Gi* over the cells and their k-ring, correct with BH FDR.

    With `significant_only`, only hot and cold cells are returned (every cell is still tested
    and counted in the FDR): much faster on millions of cells.

    `kinds` and `networks` (one label per point, "" for none) are tallied over each cell's
    neighbourhood (the cell and its k-ring, the area its Gi* speaks for); `weights`
    (one number per point, e.g. dead and missing) replaces plain counts as the tested value.
    """
    counted = count_points(lat, lon, resolution)
    values = counted.counts.astype(float)
    if weights is not None:
        w = np.asarray(weights, float)
        ok = counted.point_cell >= 0
        values = np.bincount(
            counted.point_cell[ok], weights=np.nan_to_num(w[ok]), minlength=len(counted.cells)
        )
    graph = cell_graph(counted.cells, values, k)
    z = gi_star(graph.values, graph.weights)
    p = two_sided_p(z)
    q = benjamini_hochberg(p)
    gi_bins = confidence_bin(z, q, alpha)
    neighbourhood = graph.weights @ graph.values
    areas = _hot_areas(graph.weights, gi_bins > 0)
    occupied_rows = np.flatnonzero(graph.occupied)
    point_row = np.where(counted.point_cell >= 0, occupied_rows[np.maximum(counted.point_cell, 0)], -1)
    keep = np.flatnonzero(gi_bins != 0) if significant_only else np.arange(len(graph.cells))
    kept_weights = graph.weights[keep]
    kind_tally = _tallies(point_row, kinds, kept_weights)
    network_tally = _tallies(point_row, networks, kept_weights)
    count_by_row = np.zeros(len(graph.cells), dtype=np.int64)
    count_by_row[graph.occupied] = counted.counts
    hotspots = []
    for position, (row, cell) in enumerate(zip(keep.tolist(), graph.cells[keep].tolist(), strict=True)):
        c_lat, c_lon = h3.api.basic_int.cell_to_latlng(cell)
        hotspots.append(
            Hotspot(
                cell=h3.int_to_str(cell),
                lat=float(c_lat),
                lon=float(c_lon),
                count=int(count_by_row[row]),
                neighbourhood_count=round(float(neighbourhood[row])),
                z=float(z[row]),
                p=float(p[row]),
                q=float(q[row]),
                gi_bin=int(gi_bins[row]),
                area=int(areas[row]),
                kinds=kind_tally[position],
                networks=network_tally[position],
            )
        )
    points = int((counted.point_cell >= 0).sum())
    return HotspotResult(hotspots, resolution, k, alpha, points, len(graph.cells))


def _hot_areas(weights: sp.csr_matrix, hot: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Number touching hot cells into areas (0, 1, ... by size, largest first); -1 elsewhere."""
    areas = np.full(len(hot), -1, dtype=np.int64)
    index = np.flatnonzero(hot)
    if not len(index):
        return areas
    _, labels = connected_components(weights[index][:, index], directed=False)
    sizes = np.bincount(labels)
    rank = np.empty(len(sizes), dtype=np.int64)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(len(sizes))
    areas[index] = rank[labels]
    return areas
