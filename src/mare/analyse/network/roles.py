"""Role inference: leader, organiser, facilitator — an assessment with its reasons, never a fact.

Structure alone gives a first view; the hub adds evidence (payments, vehicles, vessels,
documents, adverts) that names the kind of facilitation. The rules, per connected network:

- leader: the highest *command score* (mean percentile of degree, tie strength, eigenvector,
  PageRank and k-core): the person most embedded in the densest, best-connected part;
- organiser: the most central person of each cell of 3 or more (other than the leader), and
  anyone else in the network's top 10% by command score;
- facilitator: a broker whose betweenness rank is well above their degree rank (they connect
  more than they talk), or who brokers across groups (Gould–Fernandez, e.g. countries) in the
  network's top 10% of such brokerage; or a
  person the evidence ties to money, transport, documents or recruitment (the kind is named);
- member: everyone else; peripheral when they have a single contact.

Those rules are the reading of structure alone (files, CAVIAR, Montagna). When people carry the
hub's evidence of hierarchy (a role an agency recorded, what payments were for, associate_of
links, adverts: `hierarchy.has_hierarchy_evidence`), leaders and organisers are assessed by the
points of `hierarchy.assess_hierarchy` instead, person by person, so one connected component may
hold several leaders; structure adds its reading to the reasons, and tips an organiser with one
point short who heads a cell or sits in the top 10% by command score.

`evaluate_roles` and `rank_agreement` score an assessment against recorded roles or ranks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from mare.analyse.network.brokerage import Brokerage
from mare.analyse.network.cells import Cells
from mare.analyse.network.graph import Network
from mare.analyse.network.hierarchy import (
    LEADER_AT,
    ORGANISER_AT,
    Standing,
    assess_hierarchy,
    has_hierarchy_evidence,
)
from mare.analyse.network.keyplayers import percentile
from mare.analyse.network.measures import Measures

EVIDENCE_KINDS = {
    "payments": "money",
    "paid_payout": "money",
    "accounts": "money",
    "vehicles": "transport",
    "vessels": "transport",
    "journeys": "transport",
    "documents": "documents",
    "adverts": "recruitment",
}


@dataclass(slots=True)
class RoleAssessment:
    """One person's assessed role, its kind, a confidence and the reasons."""

    id: str
    role: str
    kind: str | None
    confidence: str
    score: float
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form, labelled as an assessment."""
        return {
            "id": self.id,
            "assessed_role": self.role,
            "kind": self.kind,
            "confidence": self.confidence,
            "score": round(self.score, 4),
            "reasons": self.reasons,
            "status": "assessment: inferred from structure and evidence, not established fact",
        }


def command_score(m: Measures) -> np.ndarray:
    """Mean percentile of degree, tie strength, eigenvector, PageRank and k-core."""
    parts = [m.degree.astype(float), m.weighted_degree, m.eigenvector, m.pagerank, m.core.astype(float)]
    return np.mean([percentile(np.round(p, 12)) for p in parts], axis=0)


def infer_roles(
    net: Network,
    m: Measures,
    cells: Cells,
    brokerage: Brokerage | None = None,
    min_network: int = 3,
) -> dict[str, RoleAssessment]:
    """Assess a role for every person, with reasons."""
    n = net.n
    cmd = command_score(m)
    btw_rank, deg_rank = m.ranks(np.round(m.betweenness, 12)), m.ranks(m.degree.astype(float))
    btw_pct = percentile(np.round(m.betweenness, 12))
    out: dict[str, RoleAssessment] = {}
    standing = assess_hierarchy(net) if has_hierarchy_evidence(net) else None
    for comp in range(int(m.component.max()) + 1 if n else 0):
        members = np.flatnonzero(m.component == comp)
        if standing is not None:
            _with_evidence(net, m, cells, members, standing, cmd, btw_pct, btw_rank, deg_rank, brokerage, out)
            continue
        if len(members) < min_network:
            for i in members:
                out[net.ids[i]] = RoleAssessment(
                    net.ids[i],
                    "member",
                    None,
                    "low",
                    float(cmd[i]),
                    [f"in a network of only {len(members)}: too small to tell roles apart"],
                )
            continue
        conf = "medium" if len(members) >= 8 else "low"
        order = members[np.lexsort((members, -cmd[members]))]
        leader = int(order[0])
        top_cut = cmd[order[max(0, int(np.ceil(0.1 * len(members))) - 1)]]
        cell_heads: dict[int, int] = {}
        for i in order:
            c = int(cells.cell[i])
            if c not in cell_heads and int(np.sum(cells.cell == c)) >= 3:
                cell_heads[c] = int(i)
        for i in members:
            node = net.ids[i]
            reasons: list[str] = []
            role, kind = "member", None
            if i == leader:
                role = "leader"
                reasons.append(
                    f"highest command score in its network of {len(members)} "
                    f"(degree {int(m.degree[i])}, rank {deg_rank[i]}; k-core {int(m.core[i])})"
                )
            elif cell_heads.get(int(cells.cell[i])) == i or cmd[i] >= top_cut:
                role = "organiser"
                if cell_heads.get(int(cells.cell[i])) == i:
                    size = int(np.sum(cells.cell == cells.cell[i]))
                    reasons.append(f"most central person of cell {int(cells.cell[i])} ({size} people)")
                if cmd[i] >= top_cut:
                    reasons.append("in the top 10% of its network by command score")
            facil = _facilitation(net, node, int(i), btw_pct, btw_rank, deg_rank, brokerage, n)
            if facil and role == "member":
                role, kind = "facilitator", facil[0]
                reasons.extend(facil[1])
            elif facil:
                reasons.append(f"also acts as a facilitator ({facil[0]}): " + "; ".join(facil[1]))
            if role == "member":
                reasons.append(
                    "single contact: peripheral"
                    if m.degree[i] <= 1
                    else f"no stand-out measure (command score {cmd[i]:.2f})"
                )
                if m.degree[i] <= 1:
                    role = "peripheral"
            out[node] = RoleAssessment(node, role, kind, conf, float(cmd[i]), reasons)
    return out


def _with_evidence(
    net: Network,
    m: Measures,
    cells: Cells,
    members: np.ndarray,
    standing: Mapping[str, Standing],
    cmd: np.ndarray,
    btw_pct: np.ndarray,
    btw_rank: np.ndarray,
    deg_rank: np.ndarray,
    brokerage: Brokerage | None,
    out: dict[str, RoleAssessment],
) -> None:
    """Roles of one connected network when the hub's evidence places people in the hierarchy
    (`hierarchy.assess_hierarchy`): leaders and organisers by their evidence points (several leaders
    may share a component), structure adding its reading to the reasons."""
    size = len(members)
    order = members[np.lexsort((members, -cmd[members]))]
    rank = {int(i): pos + 1 for pos, i in enumerate(order)}
    top_cut = cmd[order[max(0, int(np.ceil(0.1 * size)) - 1)]]
    cell_heads: dict[int, int] = {}
    for i in order:
        c = int(cells.cell[i])
        if c not in cell_heads and int(np.sum(cells.cell == c)) >= 3:
            cell_heads[c] = int(i)
    for i in members:
        node = net.ids[i]
        st = standing[node]
        where = (
            f"command score rank {rank[int(i)]} of {size} in its connected network "
            f"(degree {int(m.degree[i])})"
        )
        head = size >= 8 and cell_heads.get(int(cells.cell[i])) == i
        central = size >= 8 and cmd[i] >= top_cut
        role, kind = st.role, None
        if role is None and st.organiser == ORGANISER_AT - 1 and (head or central) and not st.against:
            role = "organiser"
        reasons: list[str] = []
        if role == "leader":
            reasons = [*st.leader_reasons, *st.against, *st.context, where]
            points = st.leader
        elif role == "organiser":
            reasons = [*st.organiser_reasons, *st.against, *st.context]
            if head:
                reasons.append(f"most central person of cell {int(cells.cell[i])}")
            if central:
                reasons.append("in the top 10% of its network by command score")
            reasons.append(where)
            points = st.organiser
        else:
            points = max(st.leader, st.organiser, 0)
            facil = (
                None
                if st.victim
                else _facilitation(net, node, int(i), btw_pct, btw_rank, deg_rank, brokerage, net.n)
            )
            if st.recorded_kind and not st.victim:
                role, kind = "facilitator", st.recorded_kind
                reasons = list(st.against)
                if facil:
                    reasons.append(f"also ({facil[0]}): " + "; ".join(facil[1]))
            elif facil:
                role, kind = "facilitator", facil[0]
                reasons = [*facil[1], *st.against]
            elif m.degree[i] <= 1:
                role, reasons = "peripheral", ["single contact: peripheral", *st.against]
            else:
                role = "member"
                reasons = [f"no stand-out evidence or measure (command score {cmd[i]:.2f})", *st.against]
            hint = st.leader_reasons + st.organiser_reasons
            if hint:
                reasons.append("some upper-tier evidence, not enough to assess: " + "; ".join(hint))
        strong = (
            role in ("leader", "organiser")
            and points >= (LEADER_AT if role == "leader" else ORGANISER_AT) + 2
        )
        conf = "high" if strong else "medium" if size >= 8 or role in ("leader", "organiser") else "low"
        out[node] = RoleAssessment(node, role, kind, conf, float(cmd[i]), reasons)


def _facilitation(
    net: Network,
    node: str,
    i: int,
    btw_pct: np.ndarray,
    btw_rank: np.ndarray,
    deg_rank: np.ndarray,
    brokerage: Brokerage | None,
    n: int,
) -> tuple[str, list[str]] | None:
    evidence = net.attrs.get(node, {}).get("evidence") or {}
    kinds: Counter[str] = Counter()
    # An account used only to pay fees (a migrant's or a relative's) is not money facilitation.
    fee_payer = bool(evidence.get("paid_fee")) and not evidence.get("payments")
    used = {
        k: int(v)
        for k, v in evidence.items()
        if k in EVIDENCE_KINDS and v and not (fee_payer and k == "accounts")
    }
    for key, count in used.items():
        kinds[EVIDENCE_KINDS[key]] += count
    if kinds:
        kind, _ = kinds.most_common(1)[0]
        items = ", ".join(f"{k} {v}" for k, v in used.items())
        return kind, [f"evidence ties them to {kind} ({items})"]
    reasons = []
    if btw_pct[i] >= 0.85 and btw_rank[i] * 2 <= deg_rank[i]:
        reasons.append(
            f"betweenness rank {btw_rank[i]} well above degree rank {deg_rank[i]}: "
            "connects more than they talk"
        )
    if brokerage is not None:
        crossing = brokerage.total(node)
        counts = brokerage.counts.get(node, {})
        totals = [brokerage.total(k) for k in brokerage.counts]
        cut = float(np.quantile(totals, 0.9)) if totals else 0.0
        if crossing and crossing >= max(3.0, cut):
            detail = ", ".join(f"{k} {v}" for k, v in counts.items() if v and k != "coordinator")
            reasons.append(f"brokers across {brokerage.attribute} ({detail})")
    return ("broker", reasons) if reasons else None


def evaluate_roles(assessed: Mapping[str, str], truth: Mapping[str, str]) -> dict[str, Any]:
    """Confusion counts and accuracy of assessed roles against recorded ones (common ids only)."""
    common = [k for k in truth if k in assessed]
    confusion: dict[str, Counter[str]] = {}
    for k in common:
        confusion.setdefault(truth[k], Counter())[assessed[k]] += 1
    correct = sum(assessed[k] == truth[k] for k in common)
    return {
        "compared": len(common),
        "accuracy": correct / len(common) if common else 0.0,
        "confusion": {t: dict(c) for t, c in confusion.items()},
    }


def rank_agreement(scores: Mapping[str, float], truth_rank: Mapping[str, float]) -> dict[str, float]:
    """Spearman correlation between a score (high = senior) and a recorded rank (1 = most senior)."""
    common = [k for k in truth_rank if k in scores]
    if len(common) < 3:
        return {"compared": len(common), "spearman": float("nan"), "p_value": float("nan")}
    rho, p = spearmanr([scores[k] for k in common], [-truth_rank[k] for k in common])
    return {"compared": len(common), "spearman": float(rho), "p_value": float(p)}
