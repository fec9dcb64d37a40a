"""Geo benchmark and validation (issue 7).

bench (default): H3 binning + Gi* with FDR on 1 M and 10 M synthetic points, esda's G_Local
(star) on the same cell graph as the anchor (time and z agreement), and HDBSCAN density clusters
on samples. Generation time is reported apart and never counted.

    uv run python benchmarks/geo.py                     # 1 M and 10 M points, < 2 minutes on 2 cores
    uv run python benchmarks/geo.py --sizes 1000000     # one size only

validate: classify every IOM Missing Migrants incident's route from its coordinates alone and
compare with IOM's own label for the European routes; list the top Mediterranean hotspots.
Reads ../shared/data (never copied into the repository) and prints Markdown for docs/validation.md.

    uv run python benchmarks/geo.py validate
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from mare.analyse.geo.clusters import DEFAULT_MAX_POINTS, density_clusters
from mare.analyse.geo.gistar import benjamini_hochberg, gi_star, two_sided_p
from mare.analyse.geo.h3bin import cell_graph, count_points

ROOT = Path(__file__).resolve().parents[1]
IOM = ROOT.parent / "shared" / "data" / "migration" / "iom_missing_migrants_incidents.csv"
SEED = 20261122
#: Activity centres (lat, lon, spread in degrees): landing and departure areas on the routes.
CENTRES = np.array(
    [
        (35.50, 12.60, 0.05),
        (32.93, 12.08, 0.08),
        (34.74, 10.76, 0.10),
        (36.73, 14.85, 0.05),
        (39.11, 26.55, 0.05),
        (37.75, 26.98, 0.05),
        (36.89, 27.29, 0.04),
        (41.30, 26.40, 0.10),
        (36.00, -5.50, 0.08),
        (35.17, -2.93, 0.05),
        (36.84, -2.46, 0.06),
        (35.70, -0.63, 0.08),
        (27.76, -15.68, 0.10),
        (28.96, -13.55, 0.06),
        (23.70, -15.96, 0.10),
        (50.95, 1.86, 0.05),
        (51.01, 2.30, 0.03),
        (46.17, 19.98, 0.05),
        (45.18, 15.81, 0.05),
        (53.51, 23.66, 0.08),
        (41.12, 22.51, 0.05),
        (44.17, 28.64, 0.05),
        (69.67, 30.13, 0.03),
        (66.83, 28.67, 0.03),
    ]
)


def synthetic_points(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """70 % of points around the activity centres, 30 % spread over Europe and North Africa."""
    rng = np.random.default_rng(seed)
    clustered = int(n * 0.7)
    pick = rng.integers(0, len(CENTRES), clustered)
    lat = np.empty(n)
    lon = np.empty(n)
    lat[:clustered] = CENTRES[pick, 0] + rng.normal(0, 1, clustered) * CENTRES[pick, 2]
    lon[:clustered] = CENTRES[pick, 1] + rng.normal(0, 1, clustered) * CENTRES[pick, 2] * 1.3
    lat[clustered:] = rng.uniform(14, 70, n - clustered)
    lon[clustered:] = rng.uniform(-20, 40, n - clustered)
    return lat, lon


def peak_gib() -> float:
    """Peak resident memory of this process so far, GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20)


def bench_size(n: int, resolution: int, with_esda: bool) -> list[tuple[str, str]]:
    """Time binning + Gi* + FDR on n points; esda on the same graph when it is small enough."""
    t0 = time.perf_counter()
    lat, lon = synthetic_points(n)
    generated = time.perf_counter() - t0
    t0 = time.perf_counter()
    counted = count_points(lat, lon, resolution)
    t1 = time.perf_counter()
    graph = cell_graph(counted.cells, counted.counts)
    t2 = time.perf_counter()
    z = gi_star(graph.values, graph.weights)
    q = benjamini_hochberg(two_sided_p(z))
    t3 = time.perf_counter()
    rows = [
        (f"{n:,} points: generate (not counted)", f"{generated:.2f} s"),
        (
            f"{n:,} points: H3 res {resolution} binning",
            f"{t1 - t0:.2f} s ({n / (t1 - t0) / 1e6:.1f} M points/s)",
        ),
        ("  study area (occupied + ring) and weights", f"{t2 - t1:.2f} s, {len(graph.cells):,} cells"),
        ("  Gi* + Benjamini-Hochberg", f"{t3 - t2:.2f} s, {(q <= 0.05).sum():,} significant cells"),
        ("  **total binned and tested (ours)**", f"**{t3 - t0:.2f} s** (target < 60 s)"),
    ]
    if with_esda:
        rows += esda_anchor(graph.values, graph.weights, z)
    del lat, lon
    return rows


def esda_anchor(values: np.ndarray, weights: object, ours: np.ndarray) -> list[tuple[str, str]]:
    """PySAL esda G_Local(star) on the same values and weights: time and agreement of z."""
    try:
        import esda
        import libpysal
    except ImportError:
        return [("  esda", "not installed (uv sync --group dev)")]
    t0 = time.perf_counter()
    w = libpysal.weights.WSP(weights).to_W(silence_warnings=True)
    t1 = time.perf_counter()
    theirs = esda.G_Local(values, w, transform="B", star=None, permutations=0).Zs
    t2 = time.perf_counter()
    diff = float(np.max(np.abs(theirs - ours)))
    agree = float(np.mean((np.abs(theirs) > 1.96) == (np.abs(ours) > 1.96)))
    return [
        ("  esda: libpysal W from the same sparse weights", f"{t1 - t0:.2f} s"),
        ("  esda: G_Local(star, permutations=0)", f"{t2 - t1:.2f} s"),
        ("  z agreement ours vs esda", f"max abs diff {diff:.1e}, same abs(z) > 1.96 verdict {agree:.2%}"),
    ]


def bench_clusters(sizes: list[int]) -> list[tuple[str, str]]:
    """HDBSCAN on samples of the synthetic points, and the sampled path on 1 M."""
    rows = []
    lat, lon = synthetic_points(max(sizes))
    for n in sizes:
        t0 = time.perf_counter()
        result = density_clusters(lat[:n], lon[:n], min_cluster_size=50, max_points=n)
        rows.append(
            (
                f"HDBSCAN on {n:,} points (projected metres)",
                f"{time.perf_counter() - t0:.2f} s, {len(result.clusters)} clusters",
            )
        )
    big_lat, big_lon = synthetic_points(1_000_000)
    t0 = time.perf_counter()
    result = density_clusters(big_lat, big_lon, min_cluster_size=50)
    labelled = float((result.labels >= 0).mean())
    rows.append(
        (
            f"HDBSCAN 1,000,000 points via {DEFAULT_MAX_POINTS:,} sample + nearest core",
            f"{time.perf_counter() - t0:.2f} s, {len(result.clusters)} clusters, {labelled:.0%} labelled",
        )
    )
    return rows


def bench(args: argparse.Namespace) -> None:
    """Print the benchmark table."""
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"# Geo benchmark — {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average at start {load}\n"
    )
    rows: list[tuple[str, str]] = []
    for n in sorted(set(args.sizes) | set(args.esda_sizes)):
        rows += bench_size(n, args.resolution, n in args.esda_sizes)
    rows += bench_clusters(args.cluster_sizes)
    rows.append(("peak memory (whole run)", f"{peak_gib():.2f} GiB"))
    print("| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


IOM_ROUTES = {
    "Western African Atlantic Route": "Western African",
    "Western Mediterranean Route": "Western Mediterranean",
    "Central Mediterranean Route": "Central Mediterranean",
    "Eastern Mediterranean Route": "Eastern Mediterranean",
}
SUSPECT_KM = 300.0


def read_iom(path: Path = IOM) -> list[dict[str, str]]:
    """IOM incidents as dicts (strings as written)."""
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def suspect_coordinates(rows: list[dict[str, str]], lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """True where a point lies over SUSPECT_KM from the country IOM names for it (`geo`).

    Uses only IOM's own country field, never the route label, so it cannot flatter the score.
    """
    import pycountry
    import shapely

    from mare.analyse.geo.atlas import load_countries

    shapes: dict[str, list[object]] = {}
    for shape in load_countries():
        shapes.setdefault(shape.alpha2, []).append(shape.geometry)
    out = np.zeros(len(rows), dtype=bool)
    for i, row in enumerate(rows):
        country = pycountry.countries.get(alpha_3=row["geo"]) if row["geo"] else None
        code = {"EH": "MA"}.get(str(country.alpha_2), str(country.alpha_2)) if country else ""
        if code in shapes and np.isfinite(lat[i]):
            point = shapely.Point(lon[i], lat[i])
            degrees = min(shapely.distance(point, g) for g in shapes[code])
            out[i] = degrees * 111.0 * np.cos(np.radians(lat[i])) ** 0.5 > SUSPECT_KM
    return out


def route_tables(rows: list[dict[str, str]], ours: list[str], suspect: np.ndarray) -> str:
    """Markdown: accuracy per IOM route, precision per our route, confusion matrix."""
    lines = [
        "| IOM route | incidents | ours agree | accuracy | without suspect coordinates |",
        "|---|---|---|---|---|",
    ]
    for label, route in IOM_ROUTES.items():
        idx = [i for i, r in enumerate(rows) if r["route"] == label]
        ok = sum(ours[i] == route for i in idx)
        clean = [i for i in idx if not suspect[i]]
        ok_clean = sum(ours[i] == route for i in clean)
        lines.append(
            f"| {label} | {len(idx)} | {ok} | {ok / len(idx):.1%} | "
            f"{ok_clean}/{len(clean)} = {ok_clean / max(len(clean), 1):.1%} |"
        )
    idx = [i for i, r in enumerate(rows) if r["route"] in IOM_ROUTES]
    ok = sum(ours[i] == IOM_ROUTES[rows[i]["route"]] for i in idx)
    lines.append(f"| **all four** | {len(idx)} | {ok} | **{ok / len(idx):.1%}** | |")
    lines += [
        "",
        "| our route | incidents we give it | IOM says the same | IOM's other labels (top 3) |",
        "|---|---|---|---|",
    ]
    for route in IOM_ROUTES.values():
        given = [rows[i]["route"] for i, o in enumerate(ours) if o == route]
        same = sum(IOM_ROUTES.get(g) == route for g in given)
        others = Counter(g for g in given if IOM_ROUTES.get(g) != route).most_common(3)
        lines.append(
            f"| {route} | {len(given)} | {same} ({same / max(len(given), 1):.1%}) | "
            + ", ".join(f"{k} {v}" for k, v in others)
            + " |"
        )
    labels = [*IOM_ROUTES, "Intra-European routes"]
    columns = sorted({ours[i] for i, r in enumerate(rows) if r["route"] in labels})
    lines += [
        "",
        "Confusion (rows: IOM label; columns: ours):",
        "",
        "| IOM \\ ours | " + " | ".join(columns) + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    for label in labels:
        counts = Counter(ours[i] for i, r in enumerate(rows) if r["route"] == label)
        lines.append(f"| {label} | " + " | ".join(str(counts.get(c, 0)) for c in columns) + " |")
    return "\n".join(lines)


def hotspot_table(lat: np.ndarray, lon: np.ndarray, resolution: int = 5) -> str:
    """Markdown: the strongest hot areas among the incidents of the Mediterranean and Atlantic routes."""
    from mare.analyse.geo.gazetteer import curated_gazetteer
    from mare.analyse.geo.geodesy import haversine_km
    from mare.analyse.geo.hotspots import find_hotspots

    result = find_hotspots(lat, lon, resolution=resolution)
    places = curated_gazetteer().places
    areas: dict[int, list[object]] = {}
    for spot in result.hot():
        areas.setdefault(spot.area, []).append(spot)
    ranked = sorted(areas.values(), key=lambda spots: -max(s.z for s in spots))[:10]  # type: ignore[attr-defined]
    lines = [
        f"{len(lat)} incidents; H3 res {resolution}, 1 ring, FDR 5 %: "
        f"{len(result.hot())} hot cells in {len(areas)} areas.",
        "",
        "| rank | hot cells | incidents in area | max z | centre | nearest curated place |",
        "|---|---|---|---|---|---|",
    ]
    for rank, spots in enumerate(ranked, 1):
        weights = np.array([s.count for s in spots], float) + 1e-9  # type: ignore[attr-defined]
        c_lat = float(np.average([s.lat for s in spots], weights=weights))  # type: ignore[attr-defined]
        c_lon = float(np.average([s.lon for s in spots], weights=weights))  # type: ignore[attr-defined]
        km = haversine_km(c_lat, c_lon, [p.lat for p in places], [p.lon for p in places])
        near = places[int(np.argmin(km))]
        lines.append(
            f"| {rank} | {len(spots)} | {sum(s.count for s in spots)} | "  # type: ignore[attr-defined]
            f"{max(s.z for s in spots):.1f} | {c_lat:.2f}, {c_lon:.2f} | "  # type: ignore[attr-defined]
            f"{near.name} ({near.country}, {float(km.min()):.0f} km) |"
        )
    return "\n".join(lines)


def validate(_: argparse.Namespace) -> None:
    """Route accuracy against IOM's labels and the top Mediterranean hotspots, as Markdown."""
    if not IOM.is_file():
        sys.exit(f"real data absent: {IOM}")
    from mare.analyse.geo.routes import classify_points

    rows = read_iom()
    lat = np.array([float(r["lat"] or "nan") for r in rows])
    lon = np.array([float(r["lon"] or "nan") for r in rows])
    t0 = time.perf_counter()
    ours = [a.route for a in classify_points(lat, lon)]
    took = time.perf_counter() - t0
    suspect = suspect_coordinates(rows, lat, lon)
    print(
        f"{len(rows)} incidents classified in {took:.1f} s; {int(suspect.sum())} have coordinates over "
        f"{SUSPECT_KM:.0f} km from the country IOM names (`geo`).\n"
    )
    print(route_tables(rows, ours, suspect))
    print()
    european = np.array([r["route"] in IOM_ROUTES for r in rows])
    print("Hotspots of the incidents IOM puts on the four European sea routes:\n")
    print(hotspot_table(lat[european], lon[european]))


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", nargs="?", default="bench", choices=["bench", "validate"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--resolution", type=int, default=6)
    parser.add_argument("--esda-sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--cluster-sizes", type=int, nargs="+", default=[20_000, 50_000])
    args = parser.parse_args()
    (bench if args.what == "bench" else validate)(args)


if __name__ == "__main__":
    main()
