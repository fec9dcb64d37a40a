"""The Adverts page and its JSON twin (`/adverts`, `/api/adverts`): posters grouped by shared phones
and handles, what was read from each advert (phones, handles, prices, routes, services, with their
triggers), the persons a poster leads to (hits where a match is seen only as hit), and the price series
by month and per destination.

One view computes one dict through the hub layer (`hub.adverts.hub_adverts`: adverts read with the
read policy in SQL, persons decided one by one); the page renders the same dict. Registered with the
other pages on import (`mare.server.app`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request

from mare.server.access import hub_context
from mare.server.views import page


@page("/adverts", "adverts.html", "Adverts")
def adverts_view(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000, description="Posters and adverts listed.")] = 100,
    networks: Annotated[bool, Query(description="Also the network of each linked person (slower).")] = False,
) -> dict[str, Any]:
    """Adverts you may see, their posters and what they offer, the persons they lead to, price series."""
    from mare.hub.adverts import hub_adverts

    with hub_context(request, f"{request.method} {request.url.path}") as ctx:
        result = hub_adverts(ctx, networks=networks)
    data = result.as_dict()
    posters, adverts = data.pop("posters"), data.pop("adverts")
    return {
        **data,
        "advert_count": len(adverts),
        "poster_count": len(posters),
        "linked_posters": sum(1 for p in posters if p["persons"]),
        "posters": posters[:limit],
        "adverts": adverts[:limit],
        "listed": limit,
    }
