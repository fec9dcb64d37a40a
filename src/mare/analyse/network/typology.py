"""A typology of networks: their profiles clustered into types, with what sets each type apart.

Each network's structural profile (`network_profile`) becomes a vector of comparable shape measures:
size (log people), density, mean ties per person, degree and betweenness centralisation, modularity
(how much it splits into cells), cells per 10 people and the share of people in its largest
component. The measures are standardised (z-scores over the networks compared), clustered with
k-means (k from 2 to 6 chosen by the silhouette, or given), and each type is read by the measures
where its mean stands furthest from the others' (for example "larger, sparser, more split into
cells"). With fewer than four networks there is one type and no reading.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mare.analyse.network.io import FileFormat

#: measure -> (words when above the others, words when below)
WORDS: dict[str, tuple[str, str]] = {
    "log_size": ("larger", "smaller"),
    "density": ("denser", "sparser"),
    "mean_degree": ("more ties per person", "fewer ties per person"),
    "degree_centralisation": ("centred on a few people", "with no one at the centre"),
    "betweenness_centralisation": ("dependent on brokers", "not dependent on brokers"),
    "modularity": ("split into cells", "not split into cells"),
    "cells_per_10": ("more cells for their size", "fewer cells for their size"),
    "connected_share": ("connected as one", "in fragments"),
}
MEASURES = tuple(WORDS)
MIN_NETWORKS = 4
MAX_TYPES = 6


@dataclass(frozen=True, slots=True)
class Typology:
    """Which type each network is, and what distinguishes each type."""

    names: list[str]
    types: list[int]
    k: int
    silhouette: float | None
    readings: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "k": self.k,
            "silhouette": self.silhouette,
            "types": dict(zip(self.names, self.types, strict=True)),
            "readings": self.readings,
        }


def shape(profile: dict[str, Any]) -> dict[str, float]:
    """The comparable measures of one network profile."""
    nodes = max(int(profile.get("nodes") or 0), 1)
    return {
        "log_size": math.log10(nodes),
        "density": float(profile.get("density") or 0.0),
        "mean_degree": float(profile.get("mean_degree") or 0.0),
        "degree_centralisation": float(profile.get("degree_centralisation") or 0.0),
        "betweenness_centralisation": float(profile.get("betweenness_centralisation") or 0.0),
        "modularity": float(profile.get("modularity") or 0.0),
        "cells_per_10": 10.0 * float(profile.get("cells") or 0) / nodes,
        "connected_share": float(profile.get("largest_component") or 0) / nodes,
    }


def typology(profiles: list[dict[str, Any]], k: int | None = None, seed: int = 1) -> Typology:
    """Cluster the profiles into types (k given, or chosen by silhouette) and read each type."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    names = [str(p.get("name")) for p in profiles]
    if len(profiles) < MIN_NETWORKS:
        return Typology(names, [0] * len(profiles), 1, None, [])
    raw = np.array([[shape(p)[m] for m in MEASURES] for p in profiles], dtype=float)
    spread = raw.std(axis=0)
    z = (raw - raw.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    distinct = len({tuple(row) for row in np.round(z, 9)})
    candidates = [k] if k else list(range(2, min(MAX_TYPES, distinct - 1) + 1))
    if not candidates or distinct < 3:
        return Typology(names, [0] * len(profiles), 1, None, [])
    best: tuple[float, np.ndarray] | None = None
    for n_types in candidates:
        if not 2 <= n_types < len(profiles):
            raise ValueError(f"the number of types must be between 2 and {len(profiles) - 1}, not {n_types}")
        labels = KMeans(n_clusters=n_types, n_init=10, random_state=seed).fit_predict(z)
        if len(set(labels.tolist())) < 2:
            continue
        score = float(silhouette_score(z, labels))
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    if best is None:
        return Typology(names, [0] * len(profiles), 1, None, [])
    score, labels = best
    order = {
        old: new
        for new, old in enumerate(sorted(set(labels.tolist()), key=lambda t: -int((labels == t).sum())))
    }
    types = [order[int(t)] for t in labels]
    readings = [_reading(t, np.array(types), z, raw, names) for t in range(len(order))]
    return Typology(names, types, len(order), round(score, 4), readings)


def _reading(t: int, types: np.ndarray, z: np.ndarray, raw: np.ndarray, names: list[str]) -> dict[str, Any]:
    """What sets type `t` apart: the measures whose mean z-score is furthest from zero."""
    members = types == t
    mean_z = z[members].mean(axis=0)
    ranked = sorted(range(len(MEASURES)), key=lambda i: -abs(mean_z[i]))
    words = [WORDS[MEASURES[i]][0 if mean_z[i] > 0 else 1] for i in ranked[:3] if abs(mean_z[i]) >= 0.5]
    return {
        "type": t,
        "networks": int(members.sum()),
        "examples": [n for n, keep in zip(names, members.tolist(), strict=True) if keep][:5],
        "reading": ", ".join(words) if words else "close to the average on every measure",
        "means": {m: round(float(raw[members, i].mean()), 4) for i, m in enumerate(MEASURES)},
    }


def profile_folder(
    folder: Path,
    fmt: FileFormat = "edgelist",
    directed: bool = False,
    weighted: bool = False,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """The profile of every network file in a folder, named by file: `*.edges.csv` where there are such
    (beside them `*.nodes.csv` hold attributes), else every `*.csv`."""
    from mare.analyse.network.io import NetworkFileError, read_network
    from mare.analyse.network.profiles import network_profile

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
    if any(p.name.endswith(".edges.csv") for p in files):
        files = [p for p in files if p.name.endswith(".edges.csv")]
    if not files:
        raise NetworkFileError(f"{folder}: no .csv network files (edge lists source,target[,weight])")
    profiles = []
    for i, path in enumerate(files, 1):
        net = read_network(path, fmt, directed=directed, weighted=weighted)
        net.name = path.name.removesuffix(".csv").removesuffix(".edges")
        profiles.append(network_profile(net, "auto", seed))
        if progress:
            progress(i, len(files))
    return profiles
