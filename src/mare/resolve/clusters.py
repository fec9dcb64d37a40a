"""Resolved entities: clusters of records joined by links, never across a 'not same' judgement.

Edges are merged strongest first ('same' judgements, then automatic links by falling match
probability) with a union-find that refuses any merge joining two records an analyst judged
'not same' — so a split always holds, even when other links would chain the two together.
An automatic link from or to a record without a full birth date also never joins two clusters whose
full birth dates all conflict (no date of one equals a date of the other, its day/month swap, or
lies one digit away): such a record that resembles two namesakes joins the likelier one, and does
not chain the namesakes together. (A link between two dated records was scored on their dates and
stands.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def _near(a: str, b: str) -> bool:
    """Same date, or one character changed, or two neighbouring characters swapped."""
    if a == b:
        return True
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _compatible(left: frozenset[str], right: frozenset[str]) -> bool:
    return not left or not right or any(_near(x, y) for x in left for y in right)


class _Forest:
    def __init__(self, dates: Mapping[str, Iterable[str]] | None = None) -> None:
        self.parent: dict[str, str] = {}
        self.apart: dict[str, set[str]] = {}
        self.dates: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in (dates or {}).items() if v}
        self.own_dates = frozenset(self.dates)

    def find(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str, check_dates: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if rb in self.apart.get(ra, set()):
            return False
        da, db = self.dates.get(ra, frozenset()), self.dates.get(rb, frozenset())
        # a link between two dated records was scored on those dates: it stands (typos happen);
        # a link through an undated record must not join clusters with conflicting dates
        direct = a in self.own_dates and b in self.own_dates
        if check_dates and not direct and not _compatible(da, db):
            return False
        if len(self.apart.get(ra, ())) < len(self.apart.get(rb, ())):
            ra, rb = rb, ra
        self.parent[rb] = ra
        if da or db:
            self.dates.pop(rb, None)
            self.dates[ra] = da | db
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
    dates: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, str]:
    """Map every node to its cluster id (the smallest record uid in the cluster).

    `dates`: each record's full birth dates (with the day/month alternative); automatic links
    never join clusters whose dates all conflict ('same' judgements always join)."""
    forest = _Forest(dates)
    for node in nodes:
        forest.find(node)
    for a, b in not_same:
        forest.forbid(a, b)
    for a, b in same:
        forest.union(a, b)
    for a, b, _ in sorted(links, key=lambda e: (-e[2], e[0], e[1])):  # ties in a fixed order: reproducible
        forest.union(a, b, check_dates=True)
    members: dict[str, list[str]] = {}
    for node in list(forest.parent):
        members.setdefault(forest.find(node), []).append(node)
    return {node: min(group) for group in members.values() for node in group}
