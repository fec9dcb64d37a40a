"""Network profiles and the comparative table across networks (CSV or JSON export).

A profile describes one network (usually one connected component): size, density,
centralisation, cells, and the mix of nationalities, countries, roles, crime areas and routes
found on its members, plus the time span of its ties. The seed report compared 522 networks
this way; `compare` builds that table from any number of networks.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from mare.analyse.network.cells import find_cells
from mare.analyse.network.disruption import component_sizes
from mare.analyse.network.engines import Engine, EngineName, get_engine
from mare.analyse.network.graph import Network
from mare.analyse.network.measures import betweenness_centralisation, degree_centralisation, density

MIX_ATTRIBUTES = ("nationality", "country", "role", "crime_areas", "routes", "modus_operandi")
COLUMNS = (
    "name",
    "nodes",
    "ties",
    "density",
    "components",
    "largest_component",
    "cells",
    "modularity",
    "degree_centralisation",
    "betweenness_centralisation",
    "mean_degree",
    "brokers",
    "first_seen",
    "last_seen",
    "nationality",
    "country",
    "role",
    "crime_areas",
    "routes",
    "modus_operandi",
)


def _mix(net: Network, attribute: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for node in net.ids:
        value = net.attrs.get(node, {}).get(attribute)
        if value is None or value == "":
            continue
        for v in value if isinstance(value, list | tuple | set) else [value]:
            counts[str(v)] += 1
    return dict(counts.most_common())


def _brokers(net: Network) -> int:
    """People whose removal splits their network (articulation points, direction ignored)."""
    graph = net.to_networkx()
    return sum(1 for _ in nx.articulation_points(graph.to_undirected() if graph.is_directed() else graph))


def network_profile(
    net: Network, engine: Engine | EngineName = "auto", seed: int = 1, exact_limit: int = 5_000
) -> dict[str, Any]:
    """One network's profile (betweenness centralisation only up to `exact_limit` nodes)."""
    eng = get_engine(engine, net.n) if isinstance(engine, str) else engine
    sizes = component_sizes(net)
    cells = find_cells(net, eng, seed=seed) if net.n else None
    profile: dict[str, Any] = {
        "name": net.name,
        "nodes": net.n,
        "ties": net.m,
        "density": round(density(net), 6),
        "components": len(sizes),
        "largest_component": int(sizes.max()) if len(sizes) else 0,
        "cells": int(cells.cell.max()) + 1 if cells is not None and net.n else 0,
        "modularity": round(cells.modularity, 4) if cells is not None else 0.0,
        "degree_centralisation": round(degree_centralisation(net), 4),
        "betweenness_centralisation": round(betweenness_centralisation(eng.betweenness(net).scores), 4)
        if net.n <= exact_limit
        else None,
        "mean_degree": round(float(np.mean(net.degree())) if net.n else 0.0, 3),
        "brokers": _brokers(net),
        "first_seen": net.meta.get("first_seen"),
        "last_seen": net.meta.get("last_seen"),
    }
    for attribute in MIX_ATTRIBUTES:
        profile[attribute] = _mix(net, attribute)
    return profile


def split_components(net: Network, min_size: int = 2) -> list[Network]:
    """Each connected component of at least `min_size` people as its own network, largest first."""
    labels = get_engine("networkx" if net.n <= 2_000 else "networkit", net.n).components(net)
    labels = np.asarray(labels, dtype=np.int64)
    sizes = np.bincount(labels) if net.n else np.zeros(0, dtype=np.int64)
    # the components come largest first: those from the first one below `min_size` are left out
    small = np.flatnonzero(sizes < min_size)
    wanted = int(small[0]) if small.size else int(sizes.size)
    out = net.parts(np.where(labels < wanted, labels, -1)) if wanted else []
    for label, sub in enumerate(out):
        sub.name = f"{net.name}#{label + 1}"
    return out


def compare(
    networks: Iterable[Network], engine: Engine | EngineName = "auto", seed: int = 1
) -> list[dict[str, Any]]:
    """The comparative table: one profile per network."""
    return [network_profile(net, engine, seed) for net in networks]


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}:{v}" for k, v in value.items())
    return "" if value is None else str(value)


def export_table(rows: list[dict[str, Any]], path: Path, columns: Sequence[str] = COLUMNS) -> Path:
    """Write the table as CSV (mixes as `value:count; ...`) or JSON, by the file's extension."""
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
        return path
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    return path
