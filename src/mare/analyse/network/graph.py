"""The network: nodes with attributes and weighted ties, held as arrays both engines can read.

Weights are tie *strength* (more calls, more shared assets, more money = a stronger tie). Where an
algorithm needs a *distance* (shortest paths: betweenness, closeness, efficiency) the engines use
`1 / weight`, so a strong tie is a short path. networkx reads a `weight` attribute as a distance
in betweenness; we never pass strengths there (see `engines.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

#: Attribute name under which the engines store distances (1 / strength) on networkx graphs.
DISTANCE = "distance"
STRENGTH = "weight"


def _groups(labels: np.ndarray, count: int) -> list[np.ndarray]:
    """The positions labelled 0 … count-1, each group's in their order (-1: in none)."""
    order = np.argsort(labels, kind="stable")  # those in none first, then group 0, group 1, …
    unlabelled = int((labels < 0).sum())
    ends = unlabelled + np.cumsum(np.bincount(labels[labels >= 0], minlength=count))
    return np.split(order, np.concatenate(([unlabelled], ends[:-1])))[1:]


@dataclass(frozen=True, slots=True)
class Tie:
    """One observed tie between two people: its kind, strength, and when it was seen."""

    source: str
    target: str
    kind: str = "tie"
    weight: float = 1.0
    at: str | None = None  # ISO date or datetime, for time windows
    ref: str | None = None  # where it came from (record, link or contribution uid)


@dataclass(slots=True)
class Network:
    """Nodes `ids[i]` and undirected (or directed) ties `src[k] -> dst[k]` of strength `weight[k]`.

    Parallel ties are merged by summing strength: two call records make a tie twice as strong.
    """

    ids: list[str]
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    directed: bool = False
    weighted: bool = True
    attrs: dict[str, dict[str, Any]] = field(default_factory=dict)
    name: str = "network"
    meta: dict[str, Any] = field(default_factory=dict)  # time span, crime areas, routes, withheld
    _index: dict[str, int] | None = None
    _nx: nx.Graph | None = None

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.ids)

    @property
    def m(self) -> int:
        """Number of ties (after merging)."""
        return int(self.src.shape[0])

    def index(self) -> dict[str, int]:
        """Node id -> position."""
        if self._index is None:
            self._index = {node: i for i, node in enumerate(self.ids)}
        return self._index

    def strengths(self) -> np.ndarray:
        """Tie strengths used by algorithms (all ones when the network is unweighted)."""
        return self.weight if self.weighted else np.ones_like(self.weight)

    def to_networkx(self) -> nx.Graph:
        """The network on integer nodes 0..n-1, `weight` = strength and `distance` = 1/strength."""
        if self._nx is None:
            graph: nx.Graph = nx.DiGraph() if self.directed else nx.Graph()
            graph.add_nodes_from(range(self.n))
            strengths = self.strengths()
            graph.add_edges_from(
                (int(a), int(b), {STRENGTH: float(w), DISTANCE: 1.0 / float(w)})
                for a, b, w in zip(self.src, self.dst, strengths, strict=True)
            )
            self._nx = graph
        return self._nx

    def labelled(self) -> nx.Graph:
        """The network as networkx with the original ids and attributes (for export and drawing)."""
        graph = nx.relabel_nodes(self.to_networkx(), dict(enumerate(self.ids)), copy=True)
        for node, data in self.attrs.items():
            if node in graph:
                graph.nodes[node].update(data)
        return graph

    def without(self, removed: Iterable[str]) -> Network:
        """The network with these nodes (and their ties) taken out."""
        gone = {self.index()[r] for r in removed if r in self.index()}
        keep = np.array([i not in gone for i in range(self.n)], dtype=bool)
        return self.induced(keep)

    def induced(self, keep: np.ndarray) -> Network:
        """The sub-network on nodes where `keep` is true (ids keep their order)."""
        new_pos = np.cumsum(keep) - 1
        mask = keep[self.src] & keep[self.dst] if self.m else np.zeros(0, dtype=bool)
        ids = [node for node, k in zip(self.ids, keep.tolist(), strict=True) if k]
        kept = set(ids)
        return Network(
            ids=ids,
            src=new_pos[self.src[mask]].astype(np.int64),
            dst=new_pos[self.dst[mask]].astype(np.int64),
            weight=self.weight[mask],
            directed=self.directed,
            weighted=self.weighted,
            attrs={k: v for k, v in self.attrs.items() if k in kept},
            name=self.name,
            meta=dict(self.meta),
        )

    def parts(self, labels: np.ndarray) -> list[Network]:
        """`induced` on each group of nodes at once: `labels[i]` is node i's group (0, 1, …; -1 in none),
        and part g is exactly `induced(labels == g)`. One pass over the ties and the nodes for all the
        groups, where one `induced` per group passed over all of them every time (finding a few hundred
        networks in the medium scenario's 60,000 people spent most of its time there)."""
        labels = np.asarray(labels, dtype=np.int64)
        count = int(labels.max()) + 1 if labels.size else 0
        if count <= 0:
            return []
        tie_labels = np.where(labels[self.src] == labels[self.dst], labels[self.src], -1)
        attr_place = {node: i for i, node in enumerate(self.attrs)}
        rank = np.empty(self.n, dtype=np.int64)  # each node's place within its group
        out: list[Network] = []
        for members, ties in zip(_groups(labels, count), _groups(tie_labels, count), strict=True):
            rank[members] = np.arange(members.size)
            ids = [self.ids[i] for i in members.tolist()]
            with_attrs = sorted((node for node in ids if node in attr_place), key=attr_place.__getitem__)
            out.append(
                Network(
                    ids=ids,
                    src=rank[self.src[ties]],
                    dst=rank[self.dst[ties]],
                    weight=self.weight[ties],
                    directed=self.directed,
                    weighted=self.weighted,
                    attrs={node: self.attrs[node] for node in with_attrs},
                    name=self.name,
                    meta=dict(self.meta),
                )
            )
        return out

    def degree(self) -> np.ndarray:
        """Number of distinct neighbours per node (in + out for directed networks)."""
        if self.directed:
            pairs = {
                (min(a, b), max(a, b)) for a, b in zip(self.src.tolist(), self.dst.tolist(), strict=True)
            }
            deg = np.zeros(self.n, dtype=np.int64)
            for a, b in pairs:
                deg[a] += 1
                deg[b] += 1
            return deg
        return np.bincount(self.src, minlength=self.n) + np.bincount(self.dst, minlength=self.n)

    def weighted_degree(self) -> np.ndarray:
        """Sum of tie strengths per node."""
        w = self.weight
        return np.bincount(self.src, weights=w, minlength=self.n) + np.bincount(
            self.dst, weights=w, minlength=self.n
        )


def from_arrays(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray | None = None,
    directed: bool = False,
    ids: Sequence[str] | None = None,
    name: str = "network",
) -> Network:
    """A network from index arrays (for large synthetic or bulk-loaded graphs); no merging done."""
    return Network(
        ids=list(ids) if ids is not None else [str(i) for i in range(n)],
        src=np.asarray(src, dtype=np.int64),
        dst=np.asarray(dst, dtype=np.int64),
        weight=np.ones(len(src)) if weight is None else np.asarray(weight, dtype=np.float64),
        directed=directed,
        weighted=weight is not None,
        name=name,
    )


def build_network(
    ties: Iterable[Tie],
    weights: Mapping[str, float] | None = None,
    directed: bool = False,
    weighted: bool = True,
    nodes: Iterable[str] = (),
    attrs: Mapping[str, Mapping[str, Any]] | None = None,
    name: str = "network",
) -> Network:
    """Merge ties into a network; `weights` says how much each kind of tie counts (0 = ignore).

    Kinds missing from `weights` count 1. Self-ties are dropped (a person is not their own contact).
    Node order is first appearance (listed `nodes` first), which keeps results reproducible.
    """
    factor = dict(weights or {})
    order: dict[str, int] = {}
    for node in nodes:
        order.setdefault(node, len(order))
    merged: dict[tuple[int, int], float] = {}
    for tie in ties:
        w = tie.weight * factor.get(tie.kind, 1.0)
        if w <= 0 or tie.source == tie.target:
            continue
        a = order.setdefault(tie.source, len(order))
        b = order.setdefault(tie.target, len(order))
        key = (a, b) if directed or a < b else (b, a)
        merged[key] = merged.get(key, 0.0) + w
    ids = list(order)
    pairs = np.array(list(merged.keys()), dtype=np.int64).reshape(-1, 2)
    net = Network(
        ids=ids,
        src=pairs[:, 0].copy(),
        dst=pairs[:, 1].copy(),
        weight=np.array(list(merged.values()), dtype=np.float64),
        directed=directed,
        weighted=weighted,
        name=name,
    )
    if attrs:
        net.attrs = {k: dict(v) for k, v in attrs.items() if k in order}
    return net


def from_networkx(graph: nx.Graph, weight: str | None = "weight", name: str = "network") -> Network:
    """A network from a networkx graph (node ids become strings; `weight` is read as strength)."""
    ties = (
        Tie(str(a), str(b), weight=float(d.get(weight, 1.0)) if weight else 1.0)
        for a, b, d in graph.edges(data=True)
    )
    attrs = {str(n): dict(d) for n, d in graph.nodes(data=True) if d}
    return build_network(
        ties,
        directed=graph.is_directed(),
        weighted=weight is not None,
        nodes=(str(n) for n in graph.nodes),
        attrs=attrs,
        name=name,
    )


def collapse(net: Network, entity_of: Mapping[str, str], name: str = "hub-entities") -> Network:
    """One node per resolved entity (`entity_of`: node -> entity; others stay themselves): ties
    re-pointed, evidence summed, lists joined, the first known value of every other attribute kept."""
    ent = entity_of.get
    ties = [
        Tie(ent(t.source, t.source), ent(t.target, t.target), t.kind, t.weight, t.at, t.ref)
        for t in net.meta["ties"]
    ]
    attrs: dict[str, dict[str, Any]] = {}
    for node in net.ids:
        a = net.attrs.get(node, {})
        merged = attrs.setdefault(entity_of.get(node, node), {"evidence": Counter()})
        for key, value in a.items():
            if key == "evidence":
                merged["evidence"].update(value or {})
            elif isinstance(value, list):
                merged[key] = sorted(set(merged.get(key) or []) | set(value))
            elif merged.get(key) is None:
                merged[key] = value
    nodes = list(dict.fromkeys(entity_of.get(n, n) for n in net.ids))
    out = build_network(ties, None, nodes=nodes, attrs=attrs, name=name)
    for a in out.attrs.values():
        a["evidence"] = dict(a["evidence"])
    out.meta.update({k: v for k, v in net.meta.items() if k != "ties"}, ties=ties)
    return out
