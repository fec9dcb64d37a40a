"""Bin points into H3 cells and build the cell neighbourhoods that Gi* needs."""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import h3
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

#: Default resolution 6: cells of ~36 km² (edge ~3.7 km), fine enough to separate Lampedusa
#: from Linosa and one Aegean island's landing beaches from the next, coarse enough that a
#: year of incidents gives counts above one per cell.
from mare.analyse.geo.defaults import DEFAULT_RESOLUTION

_PARALLEL_FROM = 2_000_000  # below this, starting worker processes costs more than it saves
_PARALLEL_DISKS_FROM = 200_000  # cells; a disk costs ~3x a point lookup


@dataclass(frozen=True)
class CellCounts:
    """Occupied H3 cells, their point counts and, per input point, the index of its cell."""

    cells: NDArray[np.uint64]
    counts: NDArray[np.int64]
    point_cell: NDArray[np.int64]  # -1 for points with invalid coordinates
    resolution: int


def _cells_chunk(args: tuple[NDArray[np.float64], NDArray[np.float64], int]) -> NDArray[np.uint64]:
    """H3 cell ids for one chunk of valid coordinates."""
    lat, lon, resolution = args
    to_cell = h3.api.basic_int.latlng_to_cell
    cells = map(to_cell, lat.tolist(), lon.tolist(), itertools.repeat(resolution))
    return np.fromiter(cells, dtype=np.uint64, count=len(lat))


def points_to_cells(
    lat: ArrayLike, lon: ArrayLike, resolution: int = DEFAULT_RESOLUTION, workers: int | None = None
) -> NDArray[np.uint64]:
    """H3 cell id per point (0 where coordinates are missing or out of range).

    h3-py has no vectorised indexer, so this maps the C function over plain Python floats
    (~0.6 µs a point) and splits large inputs over processes, one per core.
    """
    lat_a, lon_a = np.asarray(lat, float).ravel(), np.asarray(lon, float).ravel()
    valid = np.isfinite(lat_a) & np.isfinite(lon_a) & (np.abs(lat_a) <= 90) & (np.abs(lon_a) <= 180)
    out = np.zeros(len(lat_a), dtype=np.uint64)
    vlat, vlon = lat_a[valid], lon_a[valid]
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(vlat) >= _PARALLEL_FROM:
        bounds = np.linspace(0, len(vlat), workers * 4 + 1).astype(int)
        chunks = [(vlat[a:b], vlon[a:b], resolution) for a, b in itertools.pairwise(bounds)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            out[valid] = np.concatenate(list(pool.map(_cells_chunk, chunks)))
    elif len(vlat):
        out[valid] = _cells_chunk((vlat, vlon, resolution))
    return out


def count_points(
    lat: ArrayLike, lon: ArrayLike, resolution: int = DEFAULT_RESOLUTION, workers: int | None = None
) -> CellCounts:
    """Occupied cells with their counts, plus each point's cell index."""
    ids = points_to_cells(lat, lon, resolution, workers)
    cells, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    point_cell = inverse.astype(np.int64)
    if len(cells) and cells[0] == 0:  # the invalid-coordinate bucket
        cells, counts = cells[1:], counts[1:]
        point_cell -= 1
    return CellCounts(cells, counts.astype(np.int64), point_cell, resolution)


def _disk_chunk(args: tuple[NDArray[np.uint64], int]) -> tuple[NDArray[np.int64], NDArray[np.uint64]]:
    """Disk sizes and flattened members for one chunk of cells."""
    cells, k = args
    disk = h3.api.basic_int.grid_disk
    members = [disk(cell, k) for cell in cells.tolist()]
    sizes = np.fromiter(map(len, members), dtype=np.int64, count=len(members))
    flat = np.fromiter(itertools.chain.from_iterable(members), dtype=np.uint64, count=int(sizes.sum()))
    return sizes, flat


def disks(
    cells: NDArray[np.uint64], k: int = 1, workers: int | None = None
) -> tuple[NDArray[np.int64], NDArray[np.uint64]]:
    """(row, neighbour cell) pairs for the k-ring disk of every cell, the cell itself included."""
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(cells) >= _PARALLEL_DISKS_FROM:
        bounds = np.linspace(0, len(cells), workers * 4 + 1).astype(int)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(_disk_chunk, [(cells[a:b], k) for a, b in itertools.pairwise(bounds)]))
        sizes = np.concatenate([p[0] for p in parts])
        flat = np.concatenate([p[1] for p in parts])
    else:
        sizes, flat = _disk_chunk((cells, k))
    rows = np.repeat(np.arange(len(cells), dtype=np.int64), sizes)
    return rows, flat


@dataclass(frozen=True)
class CellGraph:
    """The study area (occupied cells and their empty surroundings) with binary Gi* weights."""

    cells: NDArray[np.uint64]  # sorted
    values: NDArray[np.float64]  # count (or other value) per cell; 0 for empty cells
    weights: sp.csr_matrix  # binary, self included (Gi*)
    occupied: NDArray[np.bool_]


def cell_graph(cells: NDArray[np.uint64], values: ArrayLike, k: int = 1) -> CellGraph:
    """Occupied cells plus their k-ring as the study area, with k-ring neighbour weights.

    Empty cells next to activity are part of the study area: Gi* compares a neighbourhood with
    the mean over the whole area, and without the zeros around them busy cells would be judged
    only against each other. Cells farther out than k rings are left out, so vast empty seas
    and deserts do not inflate every z-score.
    """
    values_a = np.asarray(values, float)
    rows, members = disks(cells, k)
    universe = np.unique(np.concatenate([cells, members]))
    order = np.searchsorted(universe, cells)
    all_values = np.zeros(len(universe))
    all_values[order] = values_a
    occupied = np.zeros(len(universe), dtype=bool)
    occupied[order] = True
    empty = universe[~occupied]
    if len(empty):
        e_rows, e_members = disks(empty, k)
        rows = np.concatenate([order[rows], np.flatnonzero(~occupied)[e_rows]])
        members = np.concatenate([members, e_members])
    else:
        rows = order[rows]
    columns = np.searchsorted(universe, members)
    inside = (columns < len(universe)) & (universe[np.minimum(columns, len(universe) - 1)] == members)
    weights = sp.csr_matrix(
        (np.ones(int(inside.sum())), (rows[inside], columns[inside])), shape=(len(universe), len(universe))
    )
    return CellGraph(universe, all_values, weights, occupied)
