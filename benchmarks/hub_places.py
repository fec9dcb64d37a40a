"""Hotspots and routes from the hub (`mare hotspots --hub`, `mare routes --hub`) against the scenario's truth.

On a store holding a scenario (as `mare demo` leaves it), as a hub analyst:

- **Hotspots:** the true hotspots are the scenario's departure and crossing places
  (`truth/hotspots.json`, with how many departures each saw). Recall within 25 km: the share of
  true hotspots with a found place (or hot cell centre) within 25 km, plain and weighted by
  departures, for our places of repeated activity and our Gi* clusters; anchor from the same run:
  as many cells as Gi* found, ranked by raw event count; ceiling: every located event and departure.
- **Routes:** every contributed journey leg the hub holds is mapped to its true leg
  (`truth/records.csv`); accuracy of our route against the true route code, beside the anchor of
  always answering the most common route. Route shares of the hub's legs beside the truth's.

    uv run python benchmarks/hub_places.py --home /tmp/demo1 [--scale small --seed 7]

Targets (issue 13): hotspot recall ≥ 0.8 within 25 km on medium; route shares vs the truth's legs.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from mare.access.policy import HUB_AGENCY, Viewer
from mare.analyse.geo.geodesy import haversine_km
from mare.hub.context import HubContext
from mare.hub.places import event_points, hub_hotspots, hub_routes, legs
from mare.store.db import Store, open_store

RADIUS_KM = 25.0
#: our route names -> the scenario's route codes
CODES = {
    "Western African": "WAF",
    "Western Mediterranean": "WMED",
    "Central Mediterranean": "CMED",
    "Eastern Mediterranean": "EMED",
    "Western Balkans": "WBAL",
    "Eastern land borders": "EAST",
    "Black Sea": "BSEA",
    "Channel": "CHAN",
}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (the project's `haversine_km`)."""
    return float(haversine_km(a[0], a[1], b[0], b[1]))


def recall(true_spots: list[dict[str, Any]], found: list[tuple[float, float]]) -> tuple[float, float]:
    """(share of true hotspots within RADIUS_KM of a found centre, the same weighted by departures)."""
    near = [any(km((s["lat"], s["lon"]), f) <= RADIUS_KM for f in found) for s in true_spots]
    weights = [float(s.get("departures") or 1) for s in true_spots]
    plain = sum(near) / len(near) if near else 0.0
    weighted = sum(w for w, n in zip(weights, near, strict=True) if n) / sum(weights) if weights else 0.0
    return plain, weighted


def precision(true_spots: list[dict[str, Any]], found: list[tuple[float, float]]) -> float:
    """Share of found places or centres within RADIUS_KM of a true hotspot."""
    near = [any(km((s["lat"], s["lon"]), f) <= RADIUS_KM for s in true_spots) for f in found]
    return sum(near) / len(near) if near else 0.0


def code(route: str) -> str:
    """Our route name as the scenario's code ('OTHER' where there is none)."""
    return next((c for name, c in CODES.items() if route.startswith(name)), "OTHER")


def evaluate(store: Store, world: Path) -> dict[str, Any]:
    """Every figure the report prints."""
    import h3

    ctx = HubContext(store, Viewer("benchmark", HUB_AGENCY, frozenset({"analyst"})), "preview")
    true_spots = json.loads((world / "truth" / "hotspots.json").read_text(encoding="utf-8"))
    spots = hub_hotspots(ctx)
    hot = [(r["lat"], r["lon"]) for r in spots["rows"] if r.get("gi_bin", 0) > 0]
    places = [(p["lat"], p["lon"]) for p in spots["places"]]
    counts = Counter(h3.latlng_to_cell(p.lat, p.lon, spots["resolution"]) for p in event_points(ctx))
    densest = [h3.cell_to_latlng(c) for c, _ in counts.most_common(len(hot))]
    with (world / "truth" / "records.csv").open(newline="", encoding="utf-8") as fh:
        true_id = {(r["agency"], r["contribution"], r["record"]): r["true_id"] for r in csv.DictReader(fh)}
    with (world / "truth" / "legs.csv").open(newline="", encoding="utf-8") as fh:
        true_route = {r["id"]: r["route"] for r in csv.DictReader(fh)}
    key_of = {
        uid: (agency, sender, local_id)
        for uid, agency, sender, local_id in store.con.execute(
            "SELECT r.uid, r.agency, c.sender_id, r.local_id FROM records r "
            "JOIN contributions c ON c.uid = r.contribution WHERE r.kind = 'journey_leg'"
        ).fetchall()
    }
    routes = hub_routes(ctx)
    pairs = []
    for row in routes["rows"]:
        tid = true_id.get(key_of.get(row["uid"], ("", "", "")))
        if tid in true_route:
            pairs.append((code(row["route"]), true_route[tid]))
    majority = Counter(t for _, t in pairs).most_common(1)[0][0] if pairs else ""
    ours_share = Counter(code(r["route"]) for r in routes["rows"])
    truth_share = Counter(true_route.values())
    return {
        "events": spots["events"],
        "hot_cells": len(hot),
        "true_hotspots": len(true_spots),
        "recall_ours": recall(true_spots, hot),
        "places": len(places),
        "recall_places": recall(true_spots, places),
        "precision_places": precision(true_spots, places),
        "precision_ours": precision(true_spots, hot),
        "precision_densest": precision(true_spots, densest),
        "recall_ceiling": recall(
            true_spots,
            list(
                {(round(p.lat, 3), round(p.lon, 3)) for p in event_points(ctx)}
                | {(round(leg.from_lat, 3), round(leg.from_lon, 3)) for leg in legs(ctx)}
            ),
        ),
        "recall_densest": recall(true_spots, densest),
        "legs_mapped": len(pairs),
        "route_accuracy": sum(a == b for a, b in pairs) / len(pairs) if pairs else 0.0,
        "route_accuracy_majority": sum(b == majority for _, b in pairs) / len(pairs) if pairs else 0.0,
        "majority": majority,
        "shares_ours": {k: v / max(sum(ours_share.values()), 1) for k, v in ours_share.most_common()},
        "shares_truth": {k: v / max(sum(truth_share.values()), 1) for k, v in truth_share.most_common()},
    }


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--home", type=Path, required=True, help="a store holding the scenario (opened read-only)"
    )
    ap.add_argument("--scale", default="small")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--world", type=Path, help="the scenario folder (default: HOME/scenario-SCALE-seedSEED)")
    args = ap.parse_args()
    world = args.world or args.home / f"scenario-{args.scale}-seed{args.seed}"
    started = time.perf_counter()
    with open_store(args.home, create=False, read_only=True) as store:
        r = evaluate(store, world)
    print(f"# {args.scale} seed {args.seed}: evaluated in {time.perf_counter() - started:.1f} s")
    print(f"\n{r['events']} events located, {r['hot_cells']} hot cells, {r['true_hotspots']} true hotspots\n")
    print("| hotspots | recall within 25 km | weighted by departures | precision within 25 km |")
    print("|---|---:|---:|---:|")
    print(
        f"| ours: places of repeated activity ({r['places']}) | {r['recall_places'][0]:.3f} | "
        f"{r['recall_places'][1]:.3f} | {r['precision_places']:.3f} |"
    )
    print(
        f"| ours: Gi* clusters, FDR 0.05 ({r['hot_cells']}) | "
        f"{r['recall_ours'][0]:.3f} | {r['recall_ours'][1]:.3f} | {r['precision_ours']:.3f} |"
    )
    print(
        f"| anchor: as many densest cells | {r['recall_densest'][0]:.3f} | {r['recall_densest'][1]:.3f} | "
        f"{r['precision_densest']:.3f} |"
    )
    print(
        f"| ceiling: every located event and departure | {r['recall_ceiling'][0]:.3f} | "
        f"{r['recall_ceiling'][1]:.3f} | |"
    )
    print(f"\n{r['legs_mapped']} hub legs mapped to true legs\n")
    print("| routes | accuracy |")
    print("|---|---:|")
    print(f"| ours | {r['route_accuracy']:.3f} |")
    print(f"| anchor: always {r['majority']} | {r['route_accuracy_majority']:.3f} |")
    print("\n| route | share of hub legs (ours) | share of true legs |")
    print("|---|---:|---:|")
    for route in sorted(set(r["shares_ours"]) | set(r["shares_truth"])):
        print(f"| {route} | {r['shares_ours'].get(route, 0):.3f} | {r['shares_truth'].get(route, 0):.3f} |")


if __name__ == "__main__":
    main()
