"""Role inference (issue 6) against scenario ground truth.

Generates a scenario, ingests it into a fresh store, cross-checks persons into entities, builds
the hub person network as a hub analyst, collapses records to resolved entities (or keeps one
node per record with `--by record`), runs the role assessment and scores it against the true
roles of `truth/persons.csv` (each record mapped to its true person by `truth/records.csv`; an
entity takes the true person most of its records belong to). A trivial baseline (highest degree
per network = leader, next 10% by degree = organiser) runs beside it.

    uv run python benchmarks/network_roles.py [--scale small] [--seed 7] [--work /tmp/mare-roles]
                                              [--home HOME] [--by entity|record] [--json out.json]
                                              [--ablate]

`--ablate` scores leaders and organisers again with each line of hub evidence left out (recorded
roles, payment purposes, associate_of links, calls, adverts) and with structure alone.

`--home HOME` reuses a store that already holds the scenario (HOME/scenario-SCALE-seedSEED, as
`mare demo` leaves it); it is opened read-only.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from mare.access.policy import HUB_AGENCY, Viewer
from mare.analyse.network.brokerage import gould_fernandez
from mare.analyse.network.cells import find_cells
from mare.analyse.network.engines import get_engine
from mare.analyse.network.graph import Network, Tie, collapse
from mare.analyse.network.keyplayers import combined_score
from mare.analyse.network.measures import node_measures
from mare.analyse.network.roles import infer_roles
from mare.hub.context import HubContext
from mare.hub.network import hub_network
from mare.store.db import Store, open_store

ASSESSED = ("leader", "organiser", "facilitator", "member", "peripheral")
COARSE = ("leader", "organiser", "facilitator", "migrant", "other")
KIND_OF_ROLE = {
    "driver": "transport",
    "boat_crew": "transport",
    "skipper": "transport",
    "hawaladar": "money",
    "money_courier": "money",
    "document_forger": "documents",
    "document_lender": "documents",
    "document_provider": "documents",
    "recruiter": "recruitment",
}


def build_store(scale: str, seed: int, work: Path) -> tuple[Store, Path]:
    """Generate the scenario, ingest it into a fresh store in WORK/home and cross-check persons."""
    from mare.ingest.pipeline import IngestOptions, ingest_source
    from mare.ingest.sources import find_sources
    from mare.resolve import crosscheck_all
    from mare.scenario import generate

    world, home = work / "scenario", work / "home"
    if home.exists():
        shutil.rmtree(home)
    t0 = time.perf_counter()
    generate(scale, seed, world)
    sources, _ = find_sources([world / "contributions"])
    store = open_store(home)
    for source in sources:
        ingest_source(store, source, IngestOptions())
    t1 = time.perf_counter()
    crosscheck_all(store, train=True)
    print(f"# built store: generate+ingest {t1 - t0:.0f} s, cross-check {time.perf_counter() - t1:.0f} s")
    return store, world


def truth_tables(world: Path) -> tuple[dict[tuple[str, str, str], str], dict[str, dict[str, str]]]:
    """(agency, contribution, record) -> true id; true id -> persons.csv row."""
    with (world / "truth" / "records.csv").open(newline="", encoding="utf-8") as fh:
        records = {
            (r["agency"], r["contribution"], r["record"]): r["true_id"]
            for r in csv.DictReader(fh)
            if r["kind"] == "person"
        }
    with (world / "truth" / "persons.csv").open(newline="", encoding="utf-8") as fh:
        persons = {r["id"]: r for r in csv.DictReader(fh)}
    return records, persons


def true_role(row: Mapping[str, str]) -> str:
    """leader, organiser, a facilitator kind (driver, recruiter …), migrant, contact or relative."""
    if row["kind"] == "member":
        return row["role"] or "member"
    return row["kind"]


def coarse(role: str) -> str:
    """Collapse true roles to leader / organiser / facilitator / migrant / other."""
    if role in ("leader", "organiser", "migrant"):
        return role
    return "other" if role in ("contact", "relative") else "facilitator"


def node_truth(
    store: Store, net: Network, by: str, world: Path
) -> tuple[dict[str, str], dict[str, dict[str, str]], dict[str, float], dict[str, str]]:
    """Node -> true person id (majority over its records), persons table, purity, entity map."""
    records, persons = truth_tables(world)
    rows = store.con.execute(
        "SELECT r.uid, r.agency, c.sender_id, r.local_id FROM records r "
        "JOIN contributions c ON c.uid = r.contribution WHERE r.kind = 'person'"
    ).fetchall()
    true_of = {uid: records.get((agency, sender, local)) for uid, agency, sender, local in rows}
    entity_of: dict[str, str] = {}
    if by == "entity":
        entity_of = dict(store.con.execute("SELECT record_uid, entity_id FROM entities").fetchall())
    members: dict[str, Counter[str]] = defaultdict(Counter)
    for uid, tid in true_of.items():
        if tid:
            members[entity_of.get(uid, uid)][tid] += 1
    truth, purity = {}, {}
    for node in net.ids:
        votes = members.get(node)
        if votes:
            tid, count = votes.most_common(1)[0]
            truth[node], purity[node] = tid, count / sum(votes.values())
    return truth, persons, purity, entity_of


def baseline_roles(net: Network, degree: np.ndarray, component: np.ndarray) -> dict[str, str]:
    """Highest degree per network = leader, next 10% by degree = organiser, rest member."""
    out = {}
    for comp in np.unique(component):
        members = np.flatnonzero(component == comp)
        order = members[np.lexsort((members, -degree[members]))]
        top = max(1, int(np.ceil(0.1 * len(members))))
        for pos, i in enumerate(order):
            role = "member"
            if len(members) >= 3:
                role = "leader" if pos == 0 else "organiser" if pos < top else "member"
            out[net.ids[i]] = role
    return out


def precision_recall(assessed: Mapping[str, str], truth: Mapping[str, str]) -> dict[str, dict[str, float]]:
    """Per coarse role: precision, recall, counts (a facilitator of any kind counts as facilitator)."""
    out = {}
    for role in ("leader", "organiser", "facilitator"):
        said = {k for k, v in assessed.items() if v == role and k in truth}
        real = {k for k, v in truth.items() if v == role}
        hit = len(said & real)
        out[role] = {
            "assessed": len(said),
            "true": len(real),
            "hits": hit,
            "precision": hit / len(said) if said else 0.0,
            "recall": hit / len(real) if real else 0.0,
            "f1": 2 * hit / (len(said) + len(real)) if said or real else 0.0,
        }
    return out


def top_k_share(
    scores: np.ndarray, groups: np.ndarray, is_target: np.ndarray, k: int = 10
) -> tuple[int, int]:
    """How many targets sit in the top k of their group by score (ties: network order)."""
    hits = 0
    for g in np.unique(groups[is_target]):
        members = np.flatnonzero(groups == g)
        order = members[np.lexsort((members, -scores[members]))][:k]
        hits += int(is_target[order].sum())
    return hits, int(is_target.sum())


#: Evidence left out, one group at a time, to see what each line of evidence adds: (label, evidence
#: keys dropped, tie test dropped).
ABLATIONS: tuple[tuple[str, Callable[[str], bool], Callable[[Tie], bool]], ...] = (
    ("everything", lambda k: False, lambda t: False),
    ("without the agencies' recorded roles", lambda k: k.startswith("recorded_"), lambda t: False),
    ("without payment purposes", lambda k: k.startswith(("received_", "paid_")), lambda t: False),
    (
        "without associate_of links",
        lambda k: k in ("named_associate", "names_associate"),
        lambda t: t.ref == "associate_of",
    ),
    ("without calls", lambda k: False, lambda t: t.kind in ("calls", "communications")),
    ("without adverts", lambda k: k == "adverts", lambda t: False),
    ("structure only (no hub evidence)", lambda k: True, lambda t: False),
)


def ablations(
    net: Network, m: Any, cells: Any, brokerage: Any, truth: Mapping[str, str]
) -> dict[str, dict[str, dict[str, float]]]:
    """Leader and organiser scores with one line of evidence left out at a time."""
    out = {}
    for label, drop_key, drop_tie in ABLATIONS:
        part = copy.copy(net)
        part.attrs = {
            k: {**a, "evidence": {e: c for e, c in (a.get("evidence") or {}).items() if not drop_key(e)}}
            for k, a in net.attrs.items()
        }
        part.meta = {**net.meta, "ties": [t for t in net.meta["ties"] if not drop_tie(t)]}
        roles = infer_roles(part, m, cells, brokerage)
        scores = precision_recall({k: r.role for k, r in roles.items()}, truth)
        out[label] = {role: scores[role] for role in ("leader", "organiser")}
    return out


def evaluate(
    store: Store, world: Path, by: str = "entity", seed: int = 1, ablate: bool = False
) -> dict[str, Any]:
    """Build, assess and score; returns every figure the table prints."""
    viewer = Viewer("eval", HUB_AGENCY, frozenset({"analyst"}))
    raw = hub_network(HubContext(store, viewer, "preview", what="benchmark"))
    truth_id, persons, purity, entity_of = node_truth(store, raw, by, world)
    net = collapse(raw, entity_of) if by == "entity" else raw
    if by == "entity":
        truth_id, persons, purity, _ = node_truth(store, net, by, world)
    eng = get_engine("auto", net.n)
    m = node_measures(net, eng, seed=seed)
    cells = find_cells(net, eng, seed=seed)
    groups = {k: v.get("country") for k, v in net.attrs.items()}
    brokerage = gould_fernandez(net, groups, "country")
    roles = infer_roles(net, m, cells, brokerage)
    fine = {node: true_role(persons[t]) for node, t in truth_id.items() if t in persons}
    truth = {node: coarse(r) for node, r in fine.items()}
    assessed = {node: r.role for node, r in roles.items()}
    base = baseline_roles(net, m.degree.astype(float), m.component)
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for node, r in fine.items():
        confusion[r][assessed[node]] += 1
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for node, r in fine.items():
        if r in KIND_OF_ROLE and assessed[node] == "facilitator":
            kinds[KIND_OF_ROLE[r]][roles[node].kind or "?"] += 1
    idx = {node: i for i, node in enumerate(net.ids)}
    is_leader = np.zeros(net.n, dtype=bool)
    for node, r in truth.items():
        is_leader[idx[node]] = r == "leader"
    score = combined_score(m)
    degree = m.degree.astype(float)
    # Grouped by the true network (an oracle: the analyst does not know it), members only.
    true_net = np.array([persons[truth_id[n]]["network"] if n in fine else "" for n in net.ids], dtype=object)
    in_net = true_net != ""
    oracle: dict[str, list[int]] = {"combined": [], "degree": []}
    for name, s in (("combined", score), ("degree", degree)):
        for i in np.flatnonzero(is_leader & in_net):
            same = np.flatnonzero(true_net == true_net[i])
            oracle[name].append(1 + int(np.sum(s[same] > s[i])))
    true_leaders = sum(1 for r in persons.values() if r["kind"] == "member" and r["role"] == "leader")
    comp_sizes = np.bincount(m.component)
    with_leader = {int(m.component[i]) for i in np.flatnonzero(is_leader)}
    right = sum(1 for node, r in assessed.items() if r == "leader" and truth.get(node) == "leader")
    base_right = sum(1 for node, r in base.items() if r == "leader" and truth.get(node) == "leader")
    return {
        "ablations": ablations(net, m, cells, brokerage, truth) if ablate else {},
        "by": by,
        "nodes": net.n,
        "ties": net.m,
        "components": len(comp_sizes),
        "largest_component": int(comp_sizes.max()) if net.n else 0,
        "withheld": raw.meta.get("withheld"),
        "mapped_nodes": len(fine),
        "mean_purity": float(np.mean(list(purity.values()))) if purity else 0.0,
        "true_by_role": dict(Counter(fine.values())),
        "true_leaders_in_world": true_leaders,
        "true_persons_by_role": dict(Counter(fine[n] for n in {truth_id[k]: k for k in fine}.values())),
        "components_with_true_leader": len(with_leader),
        "leader_pick_right": {"ours": right, "degree": base_right},
        "confusion": {r: dict(c) for r, c in sorted(confusion.items())},
        "ours": precision_recall(assessed, truth),
        "baseline_degree": precision_recall(base, truth),
        "facilitator_kinds": {k: dict(c) for k, c in sorted(kinds.items())},
        "leaders_top10_component": {
            "combined": top_k_share(score, m.component, is_leader),
            "degree": top_k_share(degree, m.component, is_leader),
        },
        "leader_rank_in_true_network": {
            name: {
                "leaders": len(r),
                "rank1": sum(x == 1 for x in r),
                "top3": sum(x <= 3 for x in r),
                "top10": sum(x <= 10 for x in r),
                "median": float(np.median(r)) if r else float("nan"),
            }
            for name, r in oracle.items()
        },
    }


def print_report(res: dict[str, Any]) -> None:
    """Markdown tables."""
    print(
        f"\nnodes {res['nodes']} ({res['by']}), ties {res['ties']}, components {res['components']} "
        f"(largest {res['largest_component']}), mapped to a true person {res['mapped_nodes']}, "
        f"mean purity {res['mean_purity']:.3f}; withheld {res['withheld']}"
    )
    print("\n| true role | n | " + " | ".join(ASSESSED) + " |")
    print("|---|---:|" + "---:|" * len(ASSESSED))
    order = sorted(res["confusion"], key=lambda r: (COARSE.index(coarse(r)), r))
    for role in order:
        row = res["confusion"][role]
        print(f"| {role} | {sum(row.values())} | " + " | ".join(str(row.get(a, 0)) for a in ASSESSED) + " |")
    print(
        "\n| role | true | ours: assessed | precision | recall | F1 | degree baseline: assessed | precision "
        "| recall | F1 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for role in ("leader", "organiser", "facilitator"):
        o, b = res["ours"][role], res["baseline_degree"][role]
        print(
            f"| {role} | {o['true']} | {o['assessed']} | {o['precision']:.3f} | {o['recall']:.3f} | "
            f"{o['f1']:.3f} | {b['assessed']} | {b['precision']:.3f} | {b['recall']:.3f} | {b['f1']:.3f} |"
        )
    pick = res["leader_pick_right"]
    print(
        f"\ncomponents holding a true leader: {res['components_with_true_leader']}; assessed leaders who "
        f"are true leaders: {pick['ours']} of {res['ours']['leader']['assessed']} (degree baseline "
        f"{pick['degree']} of {res['baseline_degree']['leader']['assessed']}); true leaders in the world "
        f"{res['true_leaders_in_world']}, distinct ones on the map "
        f"{res['true_persons_by_role'].get('leader', 0)}"
    )
    print(f"facilitator kind (true → assessed, assessed facilitators only): {res['facilitator_kinds']}")
    for name, (hit, total) in res["leaders_top10_component"].items():
        print(f"true leaders in the top 10 of their component by {name}: {hit}/{total}")
    if res["ablations"]:
        print("\n| evidence used | leaders: assessed | P | R | F1 | organisers: assessed | P | R | F1 |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for label, row in res["ablations"].items():
            cells = " | ".join(
                f"{x['assessed']} | {x['precision']:.3f} | {x['recall']:.3f} | {x['f1']:.3f}"
                for x in (row["leader"], row["organiser"])
            )
            print(f"| {label} | {cells} |")
    for name, r in res["leader_rank_in_true_network"].items():
        print(
            f"leader's rank within its true network by {name}: 1st {r['rank1']}/{r['leaders']}, "
            f"top 3 {r['top3']}, top 10 {r['top10']}, median {r['median']:.0f}"
        )


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="small")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path("/tmp/mare-roles"))
    ap.add_argument("--home", type=Path, help="reuse this store (read-only) instead of building one")
    ap.add_argument("--world", type=Path, help="the scenario folder (default: HOME/scenario-SCALE-seedSEED)")
    ap.add_argument("--by", choices=("entity", "record"), default="entity")
    ap.add_argument("--json", type=Path, help="write every figure as JSON")
    ap.add_argument("--ablate", action="store_true", help="also score with each line of evidence left out")
    args = ap.parse_args()
    if args.home:
        store = open_store(args.home, create=False, read_only=True)
        world = args.world or args.home / f"scenario-{args.scale}-seed{args.seed}"
    else:
        store, world = build_store(args.scale, args.seed, args.work)
    started = time.perf_counter()
    with store:
        res = evaluate(store, world, args.by, ablate=args.ablate)
    print(f"# {args.scale} seed {args.seed}: evaluated in {time.perf_counter() - started:.0f} s")
    print_report(res)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
