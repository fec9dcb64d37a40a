"""One call that runs the whole analysis of a network and returns a JSON-able report."""

from __future__ import annotations

from typing import Any

from mare.analyse.network.brokerage import gould_fernandez, structural_holes
from mare.analyse.network.cells import find_cells
from mare.analyse.network.disruption import Mode, fragmentation, lcc_size, removal_curve
from mare.analyse.network.engines import EngineName, get_engine
from mare.analyse.network.graph import Network
from mare.analyse.network.keyplayers import key_players
from mare.analyse.network.kpp import kpp_neg
from mare.analyse.network.measures import node_measures
from mare.analyse.network.profiles import network_profile
from mare.analyse.network.resilience import resilience
from mare.analyse.network.roles import infer_roles

STRUCTURAL_HOLES_NODES = 2_000
CURVES: tuple[tuple[str, Mode], ...] = (
    ("betweenness", "sequential"),
    ("degree", "sequential"),
    ("betweenness", "block"),
)


def analyse(
    net: Network,
    remove: int = 0,
    strategy: str = "kpp",
    engine: EngineName = "auto",
    seed: int = 1,
    top: int = 10,
    group_by: str | None = None,
    betweenness_error: float | None = None,
) -> dict[str, Any]:
    """Measures, cells, key players, roles, and (when `remove` > 0) a disruption plan."""
    eng = get_engine(engine, net.n)
    m = node_measures(net, eng, betweenness_error=betweenness_error, seed=seed)
    cells = find_cells(net, eng, seed=seed)
    players = key_players(m, top=None)
    rank_of = {p.id: p.rank for p in players}
    groups = {k: v.get(group_by) for k, v in net.attrs.items()} if group_by else None
    brokerage = gould_fernandez(net, groups, group_by or "group") if groups else None
    roles = infer_roles(net, m, cells, brokerage)
    holes = structural_holes(net, [p.id for p in players[:top]]) if net.n <= STRUCTURAL_HOLES_NODES else {}
    nodes = []
    for i, node in enumerate(net.ids):
        row = m.row(i)
        row.update(cell=int(cells.cell[i]), rank=rank_of[node], assessed_role=roles[node].role)
        nodes.append(row)
    nodes.sort(key=lambda r: r["rank"])
    report: dict[str, Any] = {
        "engine": m.engine,
        "network": network_profile(net, eng, seed),
        "notes": m.notes | {"cells": cells.method},
        "nodes": nodes,
        "key_players": [p.id for p in players],
        "explanations": [p.as_dict() | {"structural_holes": holes.get(p.id)} for p in players[:top]],
        "cells": cells.members(),
        "roles": [roles[p.id].as_dict() for p in players[:top]],
    }
    if brokerage is not None:
        report["brokerage"] = {
            "attribute": group_by,
            "counts": {p.id: brokerage.counts.get(p.id, {}) for p in players[:top]},
        }
    if remove > 0:
        report["disruption"] = disruption_plan(net, remove, strategy, eng.name)  # type: ignore[arg-type]
    return report


def disruption_plan(
    net: Network, k: int, strategy: str = "kpp", engine: EngineName = "auto"
) -> dict[str, Any]:
    """Whom to remove (KPP-Neg or a removal strategy), what is left, and who could take over."""
    k = min(k, net.n)
    if strategy == "kpp":
        chosen = kpp_neg(net, k)
        removed, method = chosen.ids, chosen.method
    else:
        curve = removal_curve(net, strategy, "sequential", max_removed=k, efficiency=False, engine=engine)
        removed, method = curve.removed, f"sequential removal by {strategy}"
    after = net.without(removed)
    lcc0 = max(lcc_size(net), 1)
    curves = {
        name: removal_curve(net, name, mode, block=max(k, 1), max_removed=k, engine=engine).as_dict()
        for name, mode in CURVES
    }
    return {
        "remove": removed,
        "method": method,
        "fragmentation": round(fragmentation(after), 6),
        "fragmentation_before": round(fragmentation(net), 6),
        "lcc_fraction": round(lcc_size(after) / lcc0, 6),
        "curves": curves,
        "resilience": resilience(net, removed, engine=engine).as_dict(),
    }


def summary_table(report: dict[str, Any], top: int = 10) -> list[list[str]]:
    """Rows for a terminal table of the top players."""
    rows = []
    for node in report["nodes"][:top]:
        rows.append(
            [
                str(node["rank"]),
                node["id"],
                str(node["degree"]),
                f"{node['betweenness']:.3f}",
                f"{node['pagerank']:.3f}",
                str(node["cell"]),
                node["assessed_role"],
            ]
        )
    return rows
