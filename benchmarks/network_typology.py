"""The comparative analysis and typology on real covert networks (issue 13).

Takes one network per case of the covert-networks collection (`../shared/data/criminal_networks/
covert_collection`, the layer with the most ties), profiles each as `mare network compare` does,
clusters the profiles into types, and asks whether the types separate what the literature
separates: terrorist cells from criminal (drug, gang, mafia, fraud, corruption) networks. Labels
are the cases' titles read by hand (below); four cases that are neither are profiled, not scored.

Also checks our measures against networkx on every network: density, Freeman degree
centralisation, the number of components and the modularity of our cells.

    uv run python benchmarks/network_typology.py [--types K]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx

from mare.analyse.network.cells import find_cells
from mare.analyse.network.io import read_network
from mare.analyse.network.profiles import network_profile
from mare.analyse.network.typology import MEASURES, shape, typology

COLLECTION = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "criminal_networks" / "covert_collection"
)
TERRORIST = {1, 2, 3, 4, 6, 7, 11, 16, 19, 20, 22, 23, 25, 26, 27, 30, 31, 34, 36, 37, 38, 39, 40, 43, 46}
CRIMINAL = {9, 10, 12, 13, 14, 15, 17, 18, 21, 24, 28, 29, 32, 33, 41, 42, 47}


def label(case: str) -> str:
    """terrorist, criminal or other, from the case number."""
    number = int(case.split("_")[1])
    return "terrorist" if number in TERRORIST else "criminal" if number in CRIMINAL else "other"


def main_layers(folder: Path) -> list[dict[str, Any]]:
    """One index entry per case: the layer with the most ties."""
    index = json.loads((folder / "INDEX.json").read_text(encoding="utf-8"))["networks"]
    best: dict[str, dict[str, Any]] = {}
    for entry in index:
        if entry["object"] not in best or entry["edges"] > best[entry["object"]]["edges"]:
            best[entry["object"]] = entry
    return [best[k] for k in sorted(best, key=lambda k: int(k.split("_")[1]))]


def freeman_degree(graph: nx.Graph) -> float:
    """Freeman's degree centralisation from networkx degrees."""
    n = graph.number_of_nodes()
    if n < 3:
        return 0.0
    degrees = [d for _, d in graph.degree()]
    top = max(degrees)
    return sum(top - d for d in degrees) / ((n - 1) * (n - 2))


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", type=Path, default=COLLECTION)
    ap.add_argument("--types", type=int, default=None)
    args = ap.parse_args()
    started = time.perf_counter()
    profiles, labels, worst = [], [], Counter[str]()
    for entry in main_layers(args.folder):
        net = read_network(args.folder / entry["file"], "edgelist")
        net.name = f"{entry['object']} {entry['title']}"
        profile = network_profile(net, "networkx", 1)
        graph = net.to_networkx()
        cells = find_cells(net, "networkx", seed=1)
        communities = [set(map(int, (cells.cell == c).nonzero()[0])) for c in set(cells.cell.tolist())]
        checks = {
            "density": abs(profile["density"] - nx.density(graph)),
            "degree_centralisation": abs(profile["degree_centralisation"] - freeman_degree(graph)),
            "components": abs(profile["components"] - nx.number_connected_components(graph)),
            "modularity": abs(profile["modularity"] - nx.community.modularity(graph, communities))
            if graph.number_of_edges()
            else 0.0,
        }
        for name, diff in checks.items():
            worst[name] = max(worst[name], diff)
        profiles.append(profile)
        labels.append(label(entry["object"]))
    typed = typology(profiles, args.types)
    print(f"# {len(profiles)} cases profiled and typed in {time.perf_counter() - started:.0f} s")
    print(
        "\nlargest difference from networkx over every network: "
        + ", ".join(f"{k} {v:.2g}" for k, v in worst.items())
    )
    print(f"\n{typed.k} types (silhouette {typed.silhouette})\n")
    print("| type | reading | terrorist | criminal | other |")
    print("|---|---|---:|---:|---:|")
    for reading in typed.readings:
        members = [lab for lab, t in zip(labels, typed.types, strict=True) if t == reading["type"]]
        c = Counter(members)
        counts = f"{c['terrorist']} | {c['criminal']} | {c['other']}"
        print(f"| {reading['type']} | {reading['reading']} | {counts} |")
    from sklearn.metrics import adjusted_rand_score

    scored = [(lab, t) for lab, t in zip(labels, typed.types, strict=True) if lab != "other"]
    ari = adjusted_rand_score([lab for lab, _ in scored], [t for _, t in scored])
    majority = sum(
        max(Counter(lab for lab, t in scored if t == k).values(), default=0)
        for k in set(t for _, t in scored)
    ) / len(scored)
    print(f"\nterrorist vs criminal: ARI {ari:.3f}, purity {majority:.3f} ({len(scored)} cases)")
    print("\n| measure | terrorist mean | criminal mean |")
    print("|---|---:|---:|")
    for m in MEASURES:
        values = {
            k: [shape(p)[m] for p, lab in zip(profiles, labels, strict=True) if lab == k]
            for k in ("terrorist", "criminal")
        }
        print(f"| {m} | " + " | ".join(f"{sum(v) / len(v):.3f}" for v in values.values()) + " |")


if __name__ == "__main__":
    main()
