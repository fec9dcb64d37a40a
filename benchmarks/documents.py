"""Rented documents from the hub (`mare documents --hub`) against the scenario's truth.

The scenario's air networks rent genuine documents of look-alikes to migrants, take them back
and rent them again (`truth/things.csv`, `truth/legs.csv`); border police at the airports contribute
the documents they check, genuine travellers' included (`truth/documents.csv`). Each document
identity the hub reports is mapped to the true document of its records (`truth/records.csv`).

- precision: of the identities flagged rented or reused, the share that are truly rented;
- recall: of the truly rented documents the viewer sees on two legs or more (or presented by two
  persons or more), the share flagged; also over every rented document the viewer sees at all
  (flagged rented, or found as an impostor);
- coverage: the same, with only a share of the leg reports kept (chosen at random, seeded), as
  if fewer flights were checked: missing returns are what make a genuine traveller look like a
  reused document;
- MRZ: of the records whose MRZ the scenario corrupted (a misread character, a line cut short),
  the share reported as an MRZ problem, and the records reported with no corruption behind them.

Targets (issue 17): recall >= 0.9 and precision >= 0.8 for rented documents.
Run: uv run python benchmarks/documents.py --home HOME --world SCENARIO (the hub's analyst view).
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from mare.access.policy import HUB_AGENCY, Viewer
from mare.analyse.documents.reuse import DocumentRecord, Finding, LegUse, Presenter, find_reuse
from mare.hub.context import HubContext
from mare.hub.documents import hub_documents
from mare.store.db import Store, open_store


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def evaluate(store: Store, world: Path, agency: str = HUB_AGENCY) -> dict[str, Any]:
    """Precision and recall of rented documents, and MRZ problems, for one viewer."""
    truth = {r["id"]: r for r in _csv(world / "truth" / "documents.csv")}
    rented_true = {r["id"] for r in _csv(world / "truth" / "things.csv") if r["kind"] == "document"}
    true_id = {
        (r["agency"], r["contribution"], r["record"]): r["true_id"]
        for r in _csv(world / "truth" / "records.csv")
    }
    key_of = {
        str(uid): (str(a), str(s), str(local))
        for uid, a, s, local in store.con.execute(
            "SELECT r.uid, r.agency, c.sender_id, r.local_id FROM records r "
            "JOIN contributions c ON c.uid = r.contribution WHERE r.kind = 'document'"
        ).fetchall()
    }
    viewer = Viewer("benchmark", agency, frozenset({"analyst"}))
    with HubContext(store, viewer, "operator", why="validation (benchmarks/documents.py)") as ctx:
        result = hub_documents(ctx)
    all_findings = result.findings
    identity_truth: dict[str, str] = {}
    for f in all_findings:
        ids = Counter(true_id.get(key_of.get(uid, ("", "", "")), "?") for uid in f.records)
        identity_truth[f.key] = ids.most_common(1)[0][0]
    flagged = [f for f in all_findings if f.rented]
    tp = sum(1 for f in flagged if identity_truth[f.key] in rented_true)
    reuse_visible = {
        identity_truth[f.key]
        for f in all_findings
        if identity_truth[f.key] in rented_true and (len(f.legs) >= 2 or len(f.persons) >= 2)
    }
    found = {identity_truth[f.key] for f in flagged}
    seen = {identity_truth[f.key] for f in all_findings if identity_truth[f.key] in rented_true}
    found_any = {identity_truth[f.key] for f in all_findings if f.rented or f.impostor}
    coverage = {
        share: _with_fewer_legs(all_findings, share, identity_truth, rented_true) for share in (0.75, 0.5)
    }
    corrupted = {k for k, r in truth.items() if r["mrz_corrupted"]}
    problem_docs = {true_id.get(key_of.get(p.record, ("", "", "")), "?") for p in result.mrz_problems}
    return {
        "viewer": agency,
        "identities": len(all_findings),
        "genuine_seen": sum(1 for k in identity_truth.values() if k.startswith("G:")),
        "rented_seen": len(seen),
        "rented_reuse_visible": len(reuse_visible),
        "flagged": len(flagged),
        "precision": tp / len(flagged) if flagged else 0.0,
        "recall_visible": len(reuse_visible & found) / len(reuse_visible) if reuse_visible else 0.0,
        "recall_seen": len(seen & (found | found_any)) / len(seen) if seen else 0.0,
        "impostors": len(result.impostors),
        "impostors_true": sum(1 for f in result.impostors if identity_truth.get(f.key) in rented_true),
        "mrz_records": result.with_mrz,
        "mrz_problems": len(result.mrz_problems),
        "mrz_corrupted_docs": len(corrupted),
        "mrz_corrupted_found": len(corrupted & problem_docs),
        "mrz_problem_docs_clean": len(problem_docs - corrupted),
        "coverage": coverage,
        "withheld": result.withheld,
        "hits": len(result.hits),
    }


def _with_fewer_legs(
    findings: list[Finding], share: float, truth: dict[str, str], rented: set[str]
) -> tuple[float, float, int]:
    """Precision, recall (reuse visible) and flagged when only `share` of the leg reports are kept."""
    rng = random.Random(17)
    docs = [
        DocumentRecord(
            f.key, "", f.number, f.country, f.holder_name, status=f.status[0] if f.status else None
        )
        for f in findings
    ]
    presenters = [Presenter(f.key, p.person, p.name, p.birth_date) for f in findings for p in f.persons]
    legs = [
        LegUse(f.key, leg.leg_uid, leg.departed_at, leg.arrived_at, leg.from_country, leg.to_country)
        for f in findings
        for leg in f.legs
        if rng.random() < share
    ]
    again = find_reuse(docs, presenters, legs)
    visible = {
        truth[f.key] for f in again if truth[f.key] in rented and (len(f.legs) >= 2 or len(f.persons) >= 2)
    }
    flagged = [f for f in again if f.rented]
    tp = sum(1 for f in flagged if truth[f.key] in rented)
    found = {truth[f.key] for f in flagged}
    precision = tp / len(flagged) if flagged else 0.0
    return precision, (len(visible & found) / len(visible) if visible else 0.0), len(flagged)


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, required=True, help="a store holding the scenario")
    ap.add_argument("--world", type=Path, required=True, help="the scenario folder (with truth/)")
    ap.add_argument("--as-agency", default=HUB_AGENCY, help="the viewer's agency (an analyst)")
    args = ap.parse_args()
    started = time.perf_counter()
    with open_store(args.home, create=False) as store:
        r = evaluate(store, args.world, args.as_agency)
    print(
        f"# {args.world.name}, viewer {r['viewer']} analyst: "
        f"evaluated in {time.perf_counter() - started:.1f} s\n"
    )
    print(
        f"{r['identities']} document identities seen ({r['rented_seen']} truly rented, "
        f"{r['genuine_seen']} genuine travellers'); "
        f"{r['rented_reuse_visible']} rented ones seen on two legs or more\n"
    )
    print("| rented or reused | value |")
    print("|---|---:|")
    print(f"| flagged | {r['flagged']} |")
    print(f"| precision | {r['precision']:.3f} |")
    print(f"| recall (reuse visible: two legs or persons) | {r['recall_visible']:.3f} |")
    print(f"| recall (every rented document seen; rented or impostor) | {r['recall_seen']:.3f} |")
    print(f"| impostors found (truly rented) | {r['impostors']} ({r['impostors_true']}) |")
    for share, (precision, recall, flagged) in r["coverage"].items():
        print(
            f"| with {share:.0%} of the leg reports: precision / recall (flagged) | "
            f"{precision:.3f} / {recall:.3f} ({flagged}) |"
        )
    print(
        f"\nMRZ: {r['mrz_records']} records with an MRZ, {r['mrz_problems']} reported; "
        f"{r['mrz_corrupted_found']} of {r['mrz_corrupted_docs']} documents with a corrupted read found, "
        f"{r['mrz_problem_docs_clean']} reported with no corruption behind them"
    )
    print(f"Withheld: {r['withheld']}; hits: {r['hits']}")


if __name__ == "__main__":
    main()
