"""Validation against published criminal networks (read from ../shared/data; never copied here).

    uv run python -m mare.analyse.network.validation ../shared/data/criminal_networks

prints the figures quoted in docs/validation.md: Montagna disruption curves against the authors'
published ones; CAVIAR's leader and reorganisation over the eleven phases; agreement of assessed
roles and ranks with those recorded for the London gang and the Mexican trafficking network.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from mare.analyse.network.brokerage import gould_fernandez
from mare.analyse.network.cells import find_cells
from mare.analyse.network.graph import Network
from mare.analyse.network.io import read_edgelist, read_matrix
from mare.analyse.network.keyplayers import combined_score, key_players
from mare.analyse.network.measures import node_measures
from mare.analyse.network.published import compare_with_published
from mare.analyse.network.roles import command_score, infer_roles, rank_agreement
from mare.analyse.network.windows import track

MONTAGNA = {"meeting": "Montagna_meetings_edgelist", "phone_calls": "Montagna_phonecalls_edgelist"}
MEXICO_FAMILY = {
    "Explotador": "exploiter",
    "Reclutador": "recruiter",
    "Victima reclutador": "victim-recruiter",
    "Funcionario": "official",
    "Empresa": "company",
    "Raitero": "driver",
    "Guia": "guide",
    "Estafeta": "courier",
    "Escolta": "escort",
    "Cuidador": "caretaker",
    "Partícipe": "participant",
}


def montagna(root: Path) -> dict[str, Any]:
    """All 32 published curves (2 networks × 2 modes × 2 weightings × 4 strategies) vs ours."""
    out: dict[str, Any] = {}
    for name, stem in MONTAGNA.items():
        for mode in ("sequential", "block"):
            for weighted in (False, True):
                label = "Weighted" if weighted else "Unweighted"
                results = root / "montagna" / "published_disruption_results"
                published = results / f"{mode}_{name}_{label}_5nrem.csv"
                out[f"{name}/{mode}/{label}"] = compare_with_published(
                    root / "montagna" / f"{stem}.csv", published, mode, weighted
                )
    return out


def caviar_phases(root: Path) -> list[tuple[str, Network]]:
    """The eleven CAVIAR phases as undirected weighted networks (calls both ways summed)."""
    return [
        (f"phase{i}", read_matrix(root / "caviar" / f"phase{i}.csv", directed=False, weighted=True))
        for i in range(1, 12)
    ]


def caviar(root: Path) -> dict[str, Any]:
    """Is the mastermind (n1) recovered, and does the reorganisation show over the phases?"""
    phases = caviar_phases(root)
    per_phase = []
    for label, net in phases:
        m = node_measures(net, "networkx")
        players = key_players(m, top=None)
        rank = {p.id: p.rank for p in players}
        roles = infer_roles(net, m, find_cells(net, "networkx"))
        btw = dict(zip(net.ids, m.betweenness.tolist(), strict=True))
        leader = next(
            k
            for k, r in roles.items()
            if r.role == "leader" and r.score == max(x.score for x in roles.values() if x.role == "leader")
        )
        per_phase.append(
            {
                "phase": label,
                "nodes": net.n,
                "ties": net.m,
                "top3": [p.id for p in players[:3]],
                "rank_n1": rank.get("1"),
                "rank_n12": rank.get("12"),
                "rank_n3": rank.get("3"),
                "betweenness_n1": round(btw.get("1", 0.0), 3),
                "betweenness_n12": round(btw.get("12", 0.0), 3),
                "assessed_leader": leader,
            }
        )
    agg = read_matrix(root / "caviar" / "caviar_aggregate_110x110.csv", weighted=True)
    m = node_measures(agg, "networkx")
    players = key_players(m, top=None)
    roles = infer_roles(agg, m, find_cells(agg, "networkx"))
    police = _police_roles(root)
    assessed = {k: v.role for k, v in roles.items()}
    movers = track(phases, top=3, engine="networkx").movers
    return {
        "phases": per_phase,
        "aggregate_top5": [p.id for p in players[:5]],
        "aggregate_assessed_leader": [k for k, v in assessed.items() if v == "leader"],
        "police_roles_vs_assessed": {f"{k} ({v})": assessed.get(k) for k, v in police.items()},
        "assessed_mix_of_police_listed": dict(Counter(assessed.get(k, "absent") for k in police)),
        "movers_involving_n1_n12": [x for x in movers if x["id"] in ("1", "12")],
    }


def _police_roles(root: Path) -> dict[str, str]:
    lines = (root / "caviar" / "roles_police.csv").read_text(encoding="utf-8").splitlines()[1:]
    return {line.split(",")[0]: line.rsplit(",", 1)[1] for line in lines if line.strip()}


def london(root: Path) -> dict[str, Any]:
    """Agreement of our scores with the recorded gang ranks (1 = leader ... 5)."""
    net = read_matrix(root / "london_gang" / "LONDON_GANG.csv", weighted=True)
    rows = (root / "london_gang" / "LONDON_GANG_ATTR.csv").read_text(encoding="utf-8-sig").splitlines()
    header = rows[0].split(",")
    attrs = {r.split(",")[0]: dict(zip(header[1:], r.split(",")[1:], strict=True)) for r in rows[1:]}
    rank = {k: float(v["Ranking"]) for k, v in attrs.items()}
    m = node_measures(net, "networkx")
    cmd = dict(zip(net.ids, command_score(m).tolist(), strict=True))
    comb = dict(zip(net.ids, combined_score(m).tolist(), strict=True))
    btw = dict(zip(net.ids, m.betweenness.tolist(), strict=True))
    deg = dict(zip(net.ids, m.degree.astype(float).tolist(), strict=True))
    groups = {k: v["Birthplace"] for k, v in attrs.items()}
    brokerage = gould_fernandez(net, groups, "birthplace")
    roles = infer_roles(net, m, find_cells(net, "networkx"), brokerage)
    by_rank: dict[str, Counter[str]] = {}
    for k, r in roles.items():
        by_rank.setdefault(str(int(rank[k])), Counter())[r.role] += 1
    top10 = [p.id for p in key_players(m, top=10)]
    return {
        "nodes": net.n,
        "ties": net.m,
        "spearman_command_score": rank_agreement(cmd, rank),
        "spearman_combined_score": rank_agreement(comb, rank),
        "spearman_betweenness": rank_agreement(btw, rank),
        "spearman_degree": rank_agreement(deg, rank),
        "recorded_rank_of_top10": [int(rank[k]) for k in top10],
        "recorded_rank_counts": dict(Counter(str(int(v)) for v in rank.values())),
        "assessed_roles_by_recorded_rank": {k: dict(v) for k, v in sorted(by_rank.items())},
    }


def mexico(root: Path) -> dict[str, Any]:
    """Assessed roles against the recorded (Spanish) role labels."""
    net = read_edgelist(root / "human_trafficking_mexico" / "Data.txt")
    labels = {}
    for line in (
        (root / "human_trafficking_mexico" / "labels.csv").read_text(encoding="utf-8-sig").splitlines()
    ):
        node, _, text = line.partition(",")
        family = text.strip().rstrip("0123456789 ").strip()
        labels[node.strip()] = MEXICO_FAMILY.get(family, family)
    m = node_measures(net, "networkx")
    roles = infer_roles(net, m, find_cells(net, "networkx"))
    cross: dict[str, Counter[str]] = {}
    for k, r in roles.items():
        cross.setdefault(labels.get(k, "?"), Counter())[r.role] += 1
    cmd = dict(zip(net.ids, command_score(m).tolist(), strict=True))
    top = sorted(cmd, key=lambda k: -cmd[k])[:6]
    return {
        "nodes": net.n,
        "ties": net.m,
        "recorded_vs_assessed": {k: dict(v) for k, v in sorted(cross.items())},
        "top6_by_command_score": [f"{k} ({labels.get(k)})" for k in top],
        "mean_command_score_by_role": {
            fam: round(float(np.mean([cmd[k] for k, v in labels.items() if v == fam and k in cmd])), 3)
            for fam in sorted(set(labels.values()))
        },
    }


def run_all(root: Path) -> dict[str, Any]:
    """Every validation, as one JSON-able dict."""
    return {
        "montagna": montagna(root),
        "caviar": caviar(root),
        "london": london(root),
        "mexico": mexico(root),
    }


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/criminal_networks")
    print(json.dumps(run_all(folder), indent=1, default=str))
