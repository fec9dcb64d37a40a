"""Networks found in the hub's data (`mare network --hub`) against the scenario's true networks (issue 13).

Builds the entity network a hub analyst may see from a store that holds a scenario (as `mare demo`
leaves it, or built here), finds the networks as `mare network --hub` does (Louvain communities of
at least 3 people in the graph of separate observations tying people), maps every node to its true
person (`truth/records.csv`, majority over an entity's records) and that person to their true network
(`truth/memberships.csv`; people who serve several networks, such as hawala bankers, are left out
of the score and counted). Prints, for the nodes mapped to exactly one true network:

- adjusted Rand index (ARI) and pairwise precision / recall / F1 of co-membership;
- the same for two anchors from the same run: plain connected components, and Louvain
  communities of the tie strengths (networkx, same seed) — what the first version did.

    uv run python benchmarks/hub_networks.py --home /tmp/demo1 [--scale small --seed 7]
    uv run python benchmarks/hub_networks.py --scale medium --work /tmp/mare-hubnets   # builds a store

Target (issue 13): ARI or pairwise F1 ≥ 0.8 on the medium scenario.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from collections.abc import Mapping
from itertools import combinations
from pathlib import Path

import numpy as np

from mare.access.policy import HUB_AGENCY, Viewer
from mare.analyse.network.cells import find_cells
from mare.analyse.network.graph import Network
from mare.analyse.network.profiles import split_components
from mare.hub.context import HubContext
from mare.hub.networks import entity_network, find_networks
from mare.store.db import Store, open_store

sys.path.insert(0, str(Path(__file__).parent))
from network_roles import build_store, node_truth


def true_networks(world: Path) -> tuple[dict[str, str], int]:
    """Person -> their one true network; and how many people belong to several (left out)."""
    of: dict[str, set[str]] = defaultdict(set)
    with (world / "truth" / "memberships.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            of[row["person"]].add(row["network"])
    single = {p: next(iter(n)) for p, n in of.items() if len(n) == 1}
    return single, sum(1 for n in of.values() if len(n) > 1)


def pairwise(found: Mapping[str, str], truth: Mapping[str, str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of co-membership over nodes in both labellings, and the ARI."""
    from sklearn.metrics import adjusted_rand_score

    nodes = sorted(set(found) & set(truth))
    same_found = same_true = both = 0
    by_found: dict[str, list[str]] = defaultdict(list)
    for n in nodes:
        by_found[found[n]].append(n)
    for members in by_found.values():
        for a, b in combinations(members, 2):
            same_found += 1
            both += truth[a] == truth[b]
    by_true: dict[str, int] = defaultdict(int)
    for n in nodes:
        by_true[truth[n]] += 1
    same_true = sum(k * (k - 1) // 2 for k in by_true.values())
    precision = both / same_found if same_found else 0.0
    recall = both / same_true if same_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    ari = float(adjusted_rand_score([truth[n] for n in nodes], [found[n] for n in nodes])) if nodes else 0.0
    return {"nodes": len(nodes), "precision": precision, "recall": recall, "f1": f1, "ari": ari}


def labels(parts: list[tuple[str, Network]]) -> dict[str, str]:
    """Node -> the id of the found network holding it."""
    return {node: nid for nid, part in parts for node in part.ids}


def evaluate(store: Store, world: Path, seed: int = 1) -> dict[str, dict[str, float]]:
    """Ours and the two anchors against the truth."""
    ctx = HubContext(store, Viewer("benchmark", HUB_AGENCY, frozenset({"analyst"})), "preview")
    net = entity_network(ctx)
    truth_person, _, _, _ = node_truth(store, net, "entity", world)
    single, shared = true_networks(world)
    truth = {node: single[p] for node, p in truth_person.items() if p in single}
    ours = labels(find_networks(net, 3, seed=seed))
    components = labels([(f"C{i}", part) for i, part in enumerate(split_components(net, 3))])
    cells = find_cells(net, "networkx", seed=seed)
    sizes = np.bincount(cells.cell)
    louvain = {node: f"L{c}" for node, c in zip(net.ids, cells.cell.tolist(), strict=True) if sizes[c] >= 3}
    print(f"# nodes {net.n}, mapped to one true network {len(truth)}; serving several networks: {shared}")
    return {
        "ours (communities of observations)": pairwise(ours, truth),
        "anchor: connected components": pairwise(components, truth),
        "anchor: Louvain on tie strengths": pairwise(louvain, truth),
    }


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="small")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path("/tmp/mare-hubnets"))
    ap.add_argument("--home", type=Path, help="a store holding the scenario (opened read-only)")
    ap.add_argument("--world", type=Path, help="the scenario folder (default: HOME/scenario-SCALE-seedSEED)")
    args = ap.parse_args()
    if args.home:
        store = open_store(args.home, create=False, read_only=True)
        world = args.world or args.home / f"scenario-{args.scale}-seed{args.seed}"
    else:
        store, world = build_store(args.scale, args.seed, args.work)
    started = time.perf_counter()
    with store:
        results = evaluate(store, world)
    print(f"# {args.scale} seed {args.seed}: evaluated in {time.perf_counter() - started:.1f} s\n")
    print("| method | nodes scored | pairwise precision | recall | F1 | ARI |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['nodes']} | {r['precision']:.3f} | {r['recall']:.3f} | "
            f"{r['f1']:.3f} | {r['ari']:.3f} |"
        )


if __name__ == "__main__":
    main()
