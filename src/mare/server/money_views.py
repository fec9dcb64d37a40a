"""The Money page and its JSON twin (`/money`, `/api/money`): flows by corridor and month, the
patterns found with their reasons and parties, and the turnover with its inputs and uncertainty.

One view computes one dict through the hub layer (`hub.money.hub_money`, filtered by the read policy in
SQL, withheld counts noted in the request's consultation entry) and `products.money` (turnover); the
page renders the same dict. Registered with the other pages on import (`mare.server.app`).
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import Query, Request

from mare.analyse.money.patterns import KINDS
from mare.server.access import BadInput, hub_context
from mare.server.views import page


@page("/money", "money.html", "Money")
def money_view(
    request: Request,
    kind: Annotated[str | None, Query(max_length=20, description="Only patterns of this kind.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Patterns listed.")] = 100,
    top: Annotated[int, Query(ge=1, le=1000, description="Party-to-party flows listed.")] = 20,
) -> dict[str, Any]:
    """Payments you may see as money flows (by corridor and month), patterns with reasons, turnover."""
    if kind is not None and kind not in KINDS:
        raise BadInput(f"no pattern kind {kind!r}: give one of {', '.join(KINDS)}")
    from mare.hub.money import hub_money
    from mare.products.money import turnover_section

    with hub_context(request, f"{request.method} {request.url.path}") as ctx:
        result = hub_money(ctx)
    data = result.as_dict(top=top)
    patterns = data.pop("patterns")
    chosen = [p for p in patterns if kind is None or p["kind"] == kind]
    return {
        **data,
        "kinds": dict(sorted(Counter(p["kind"] for p in patterns).items())),
        "kind": kind,
        "patterns": chosen[:limit],
        "patterns_listed": min(limit, len(chosen)),
        "patterns_found": len(chosen),
        "turnover": turnover_section(result.fees, result.networks, result.journeys_on_legs),
    }
