"""Resolved entities: clusters of records joined by links, never across a 'not same' judgement.

Edges are merged strongest first ('same' judgements, then automatic links by falling match
probability) with a union-find that refuses any merge joining two records an analyst judged
'not same' — so a split always holds, even when other links would chain the two together.
"""

from __future__ import annotations

from collections.abc import Iterable


class _Forest:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.apart: dict[str, set[str]] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if rb in self.apart.get(ra, set()):
            return False
        if len(self.apart.get(ra, ())) < len(self.apart.get(rb, ())):
            ra, rb = rb, ra
        self.parent[rb] = ra
        moved = self.apart.pop(rb, set())
        if moved:
            mine = self.apart.setdefault(ra, set())
            mine |= moved
            for other in moved:
                peers = self.apart.setdefault(other, set())
                peers.discard(rb)
                peers.add(ra)
        return True

    def forbid(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.apart.setdefault(ra, set()).add(rb)
            self.apart.setdefault(rb, set()).add(ra)


def cluster(
    nodes: Iterable[str],
    links: Iterable[tuple[str, str, float]],
    same: Iterable[tuple[str, str]] = (),
    not_same: Iterable[tuple[str, str]] = (),
) -> dict[str, str]:
    """Map every node to its cluster id (the smallest record uid in the cluster)."""
    forest = _Forest()
    for node in nodes:
        forest.find(node)
    for a, b in not_same:
        forest.forbid(a, b)
    for a, b in same:
        forest.union(a, b)
    for a, b, _ in sorted(links, key=lambda e: -e[2]):
        forest.union(a, b)
    members: dict[str, list[str]] = {}
    for node in list(forest.parent):
        members.setdefault(forest.find(node), []).append(node)
    return {node: min(group) for group in members.values() for node in group}
