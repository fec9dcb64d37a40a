"""H3 binning, hotspots with kinds and networks, emerging patterns, density clusters."""

from __future__ import annotations

import h3
import numpy as np
import pytest

from mare.analyse.geo import h3bin
from mare.analyse.geo.clusters import density_clusters
from mare.analyse.geo.emerging import _classify, find_emerging_hotspots, time_steps
from mare.analyse.geo.geodesy import haversine_km
from mare.analyse.geo.hotspots import find_hotspots


def test_binning_counts_every_valid_point_once() -> None:
    lat = np.array([35.5, 35.5001, 91.0, np.nan, 39.1])
    lon = np.array([12.6, 12.6001, 0.0, 1.0, 26.5])
    counted = h3bin.count_points(lat, lon, 7)
    assert counted.counts.sum() == 3 and len(counted.cells) == 2
    assert counted.point_cell.tolist()[2:4] == [-1, -1]
    assert h3.int_to_str(int(counted.cells[counted.point_cell[0]])) == h3.latlng_to_cell(35.5, 12.6, 7)


def test_parallel_binning_equals_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(-60, 60, 5000), rng.uniform(-180, 180, 5000)
    serial = h3bin.points_to_cells(lat, lon, 6, workers=1)
    monkeypatch.setattr(h3bin, "_PARALLEL_FROM", 100)
    assert (h3bin.points_to_cells(lat, lon, 6, workers=2) == serial).all()


def test_study_area_includes_the_empty_ring() -> None:
    cell = h3.str_to_int(h3.latlng_to_cell(35.5, 12.6, 6))
    graph = h3bin.cell_graph(np.array([cell], dtype=np.uint64), [4.0])
    assert len(graph.cells) == 7 and graph.occupied.sum() == 1
    assert graph.weights.sum(axis=1).min() >= 3  # edge cells see themselves and two neighbours in the area


def _planted(seed: int = 2) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    rng = np.random.default_rng(seed)
    lat = np.r_[rng.normal(35.5, 0.03, 600), rng.uniform(33.0, 38.0, 3000)]
    lon = np.r_[rng.normal(12.6, 0.03, 600), rng.uniform(10.0, 16.0, 3000)]
    kinds = ["landing"] * 600 + ["sighting"] * 3000
    networks = ["NET-A"] * 600 + [""] * 3000
    return lat, lon, kinds, networks


def test_planted_cluster_is_the_top_hotspot_with_its_kinds_and_network() -> None:
    lat, lon, kinds, networks = _planted()
    result = find_hotspots(lat, lon, resolution=6, kinds=kinds, networks=networks)
    top = result.hot()[0]
    assert float(haversine_km(top.lat, top.lon, 35.5, 12.6)) < 15
    assert top.q < 1e-6 and top.gi_bin == 3 and top.area == 0
    assert next(iter(top.kinds)) == "landing" and "NET-A" in top.networks
    assert "hot spot" in top.reason() and result.points == 3600
    far_hot = [h for h in result.hot() if haversine_km(h.lat, h.lon, 35.5, 12.6) > 60]
    assert len(far_hot) <= 3  # the uniform background stays quiet after FDR


def test_weights_replace_counts() -> None:
    lat, lon, _, _ = _planted()
    weights = np.where(np.arange(len(lat)) < 600, 0.0, 1.0)  # the cluster's points weigh nothing
    result = find_hotspots(lat, lon, resolution=6, weights=weights)
    assert all(haversine_km(h.lat, h.lon, 35.5, 12.6) > 20 for h in result.hot()[:3])


def test_time_steps_by_quarter_and_bad_dates() -> None:
    index, labels = time_steps(["2023-01-15", "2023-05", "not a date", "2024-12-31"], "quarter")
    assert index.tolist() == [0, 1, -1, 7] and labels[0] == "2023-Q1" and labels[-1] == "2024-Q4"
    with pytest.raises(ValueError, match="step"):
        time_steps(["2023-01-01"], "decade")


@pytest.mark.parametrize(
    ("hot", "cold", "trend", "expected"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0] * 10, (0.0, 1.0), "new hot spot"),
        ([0, 0, 0, 0, 0, 0, 0, 1, 1, 1], [0] * 10, (2.0, 0.04), "consecutive hot spot"),
        ([1] * 10, [0] * 10, (3.0, 0.001), "intensifying hot spot"),
        ([1] * 10, [0] * 10, (0.5, 0.6), "persistent hot spot"),
        ([1] * 10, [0] * 10, (-3.0, 0.001), "diminishing hot spot"),
        ([1, 0, 1, 0, 0, 1, 0, 0, 0, 1], [0] * 10, (0.0, 1.0), "sporadic hot spot"),
        ([0, 0, 1, 0, 0, 0, 0, 0, 1, 1], [1, 1, 0, 0, 0, 0, 0, 0, 0, 0], (1.0, 0.3), "oscillating hot spot"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0] * 1, [0] * 11, (-1.0, 0.2), "historical hot spot"),
        ([0] * 10, [0] * 9 + [1], (0.0, 1.0), "new cold spot"),
        ([0] * 10, [1] * 10, (-3.0, 0.001), "intensifying cold spot"),
        ([0] * 10, [0] * 10, (0.0, 1.0), "no pattern detected"),
        ([0, 1, 0, 1, 0, 0, 0, 0, 0, 0], [0] * 10, (0.0, 1.0), "no pattern detected"),
    ],
)
def test_arcgis_pattern_definitions(
    hot: list[int], cold: list[int], trend: tuple[float, float], expected: str
) -> None:
    assert _classify(np.array(hot, bool), np.array(cold, bool), trend[0], trend[1], 0.05) == expected


def test_emerging_hotspots_find_a_new_and_a_persistent_place() -> None:
    rng = np.random.default_rng(4)
    years = np.arange(2014, 2024)
    lat, lon, times = [], [], []
    for year in years:
        n_old = 80  # an old hotspot, busy every year
        lat += list(rng.normal(39.1, 0.02, n_old))
        lon += list(rng.normal(26.5, 0.02, n_old))
        times += [f"{year}-06-01"] * n_old
        n_background = 300
        lat += list(rng.uniform(34, 41, n_background))
        lon += list(rng.uniform(20, 30, n_background))
        times += [f"{year}-03-01"] * n_background
    lat += list(rng.normal(35.0, 0.02, 120))  # a place that appears only in the last year
    lon += list(rng.normal(24.0, 0.02, 120))
    times += ["2023-09-01"] * 120
    found = find_emerging_hotspots(lat, lon, times, step="year", resolution=6)
    by_place = {
        name: {h.pattern for h in found if haversine_km(h.lat, h.lon, p_lat, p_lon) < 8 and h.total > 0}
        for name, (p_lat, p_lon) in {"old": (39.1, 26.5), "new": (35.0, 24.0)}.items()
    }
    assert "persistent hot spot" in by_place["old"] or "intensifying hot spot" in by_place["old"]
    assert "new hot spot" in by_place["new"]
    assert "new hot spot" in found[0].reason() or found[0].reason().startswith(found[0].pattern)


def test_density_clusters_find_two_landing_beaches() -> None:
    rng = np.random.default_rng(9)
    lat = np.r_[rng.normal(36.73, 0.005, 150), rng.normal(37.29, 0.005, 100), rng.uniform(36, 38, 60)]
    lon = np.r_[rng.normal(14.85, 0.005, 150), rng.normal(13.53, 0.005, 100), rng.uniform(12, 16, 60)]
    kinds = ["landing"] * 250 + ["other"] * 60
    result = density_clusters(lat, lon, min_cluster_size=30, kinds=kinds)
    assert len(result.clusters) == 2 and not result.sampled
    big, small = result.clusters
    assert float(haversine_km(big.lat, big.lon, 36.73, 14.85)) < 2 and big.size >= 140
    assert float(haversine_km(small.lat, small.lon, 37.29, 13.53)) < 2
    assert big.radius_m < 2000 and next(iter(big.kinds)) == "landing"
    assert (result.labels == -1).sum() >= 40  # scattered points stay noise


def test_density_clusters_on_a_sample_label_everyone() -> None:
    rng = np.random.default_rng(10)
    lat = np.r_[rng.normal(36.73, 0.005, 3000), rng.normal(37.29, 0.005, 2000), rng.uniform(36, 38, 500)]
    lon = np.r_[rng.normal(14.85, 0.005, 3000), rng.normal(13.53, 0.005, 2000), rng.uniform(12, 16, 500)]
    result = density_clusters(lat, lon, min_cluster_size=30, max_points=800)
    assert result.sampled and len(result.clusters) == 2 and result.clusters[0].size > 2500
    assert (result.labels[:5000] >= 0).mean() > 0.9


def test_significant_only_returns_the_same_hot_and_cold_cells() -> None:
    lat, lon, kinds, networks = _planted()
    everything = find_hotspots(lat, lon, kinds=kinds, networks=networks)
    significant = find_hotspots(lat, lon, kinds=kinds, networks=networks, significant_only=True)
    expected = {h.cell: h for h in everything.hotspots if h.gi_bin != 0}
    assert {h.cell: h for h in significant.hotspots} == expected
    assert significant.cells_tested == everything.cells_tested
