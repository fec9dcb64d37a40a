"""Posters: adverts grouped by the phones and handles they share, and a summary of what they offer.

Two adverts naming the same phone number or handle (in their text, or as their author's account)
are taken to come from one poster; the groups are the connected components of that relation. Each
poster keeps its adverts, identifiers, platforms, prices by currency, routes and services.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from mare.analyse.adverts.extract import Extraction


@dataclass(slots=True)
class AdvertView:
    """One advert with what was read from it: record (or row) id, platform, time, author, extraction."""

    id: str
    platform: str | None
    posted_at: str | None
    author: str | None  # the author's handle (platform:name) when known
    text: str
    extraction: Extraction

    def identifiers(self) -> list[tuple[str, str]]:
        """(kind, value) of every phone and handle of the advert, its author's handle included."""
        ids = [("phone", v) for v in self.extraction.values("phones")]
        ids += [("handle", v) for v in self.extraction.values("handles")]
        if self.author:
            ids.append(("handle", self.author))
        return list(dict.fromkeys(ids))

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "id": self.id,
            "platform": self.platform,
            "posted_at": self.posted_at,
            "author": self.author,
            "text": self.text,
            **self.extraction.as_dict(),
        }


@dataclass(slots=True)
class Poster:
    """Adverts tied together by shared phones or handles."""

    id: str
    adverts: list[str]
    phones: list[str]
    handles: list[str]
    platforms: dict[str, int]
    prices: dict[str, dict[str, float]]  # currency -> n, median, min, max
    routes: dict[str, int]
    services: dict[str, int]
    languages: dict[str, int]
    first_posted: str | None
    last_posted: str | None
    persons: list[dict[str, Any]] = field(default_factory=list)  # filled by the hub
    hits: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {name: getattr(self, name) for name in self.__slots__}


def _price_summary(amounts: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {
        cur: {"n": len(v), "median": float(statistics.median(v)), "min": min(v), "max": max(v)}
        for cur, v in sorted(amounts.items())
    }


def group_posters(adverts: list[AdvertView]) -> list[Poster]:
    """Posters, the one with most adverts first (ids P1, P2, … in that order)."""
    parent = list(range(len(adverts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, str], int] = {}
    for i, ad in enumerate(adverts):
        for ident in ad.identifiers():
            if ident in owner:
                parent[root(i)] = root(owner[ident])
            else:
                owner[ident] = i
    groups: dict[int, list[AdvertView]] = defaultdict(list)
    for i, ad in enumerate(adverts):
        groups[root(i)].append(ad)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0].id))
    posters: list[Poster] = []
    for n, group in enumerate(ordered, start=1):
        amounts: dict[str, list[float]] = defaultdict(list)
        routes: Counter[str] = Counter()
        services: Counter[str] = Counter()
        for ad in group:
            for price in ad.extraction.prices:
                amounts[str(price.detail.get("currency") or "?")].append(float(price.detail["amount"]))
            if ad.extraction.route:
                routes[ad.extraction.route.value] += 1
            services.update(set(ad.extraction.values("services")))
        times = sorted(ad.posted_at for ad in group if ad.posted_at)
        ids = [i for ad in group for i in ad.identifiers()]
        posters.append(
            Poster(
                id=f"P{n}",
                adverts=[ad.id for ad in group],
                phones=list(dict.fromkeys(v for k, v in ids if k == "phone")),
                handles=list(dict.fromkeys(v for k, v in ids if k == "handle")),
                platforms=dict(Counter(ad.platform or "?" for ad in group)),
                prices=_price_summary(amounts),
                routes=dict(routes.most_common()),
                services=dict(services.most_common()),
                languages=dict(Counter(ad.extraction.language or "?" for ad in group)),
                first_posted=times[0] if times else None,
                last_posted=times[-1] if times else None,
            )
        )
    return posters
