"""What people and systems change through the server: uploads, judgements, disruption simulations,
notifications read, consent, retention extensions, watchlist entries, alert acknowledgements.

Each action validates its body (JSON, or the same fields from a form; unknown fields refused), signs
in, and runs the hub function on the writer thread (`mare.server.access.write`); a refusal is the
hub's `Refused` (403, already audited). Browser forms get a redirect (or, from htmx, a fragment).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Path, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from mare.access.retention_rules import RetentionError
from mare.hub import consent, retention
from mare.hub import watchlists as wl
from mare.hub.notifications import mark_read
from mare.hub.review import judge
from mare.server.access import BadInput, hub_context, write

M = TypeVar("M", bound=BaseModel)
IdPath = Annotated[str, Path(min_length=1, max_length=300)]
#: Form fields every form may carry besides its own.
FORM_EXTRAS = ("csrf", "purpose", "why", "next")
MAX_JSON = 1 << 20


class Body(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Judgement(Body):
    """same / not same / unsure, with a reason."""

    verdict: Literal["same", "not_same", "unsure"]
    reason: str | None = Field(default=None, max_length=2000)


class Disruption(Body):
    """Remove K people chosen by a strategy, or the named people; see who could stand in."""

    remove: int = Field(default=3, ge=1, le=50)
    strategy: Literal["kpp", "betweenness", "degree", "katz", "collective_influence", "pagerank"] = "kpp"
    people: list[Annotated[str, Field(max_length=300)]] = Field(default_factory=list, max_length=50)
    min_size: int = Field(default=3, ge=2, le=1000)


class ConsentAsk(Body):
    """Ask a record's owner to release it (or, with override, a threat-to-life override)."""

    record: str = Field(min_length=1, max_length=300)
    justification: str = Field(min_length=3, max_length=2000)
    override: bool = False


class ConsentDecision(Body):
    """The owner's decision on a request."""

    grant: bool
    reason: str = Field(default="", max_length=2000)


class Extension(Body):
    """Keep a record until a later review."""

    until: date
    reason: str = Field(min_length=3, max_length=2000)


class NewWatchlist(Body):
    """A new watchlist of your agency."""

    name: str = Field(min_length=1, max_length=200)


class NewEntry(Body):
    """An entry on a watchlist."""

    kind: str = Field(min_length=1, max_length=40)
    value: str = Field(min_length=1, max_length=500)
    birth_date: str | None = Field(default=None, max_length=10)
    note: str | None = Field(default=None, max_length=1000)


def is_form(request: Request) -> bool:
    """True for a browser form (urlencoded or multipart) rather than JSON."""
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


async def read_body(request: Request, model: type[M]) -> tuple[M, dict[str, Any] | None]:
    """The body as `model` (JSON, or a form's fields without the common extras), and the form if any."""
    form: dict[str, Any] | None = None
    if is_form(request):
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        data: Any = {k: v for k, v in form.items() if k not in FORM_EXTRAS and v != ""}
        if model is Disruption and "people" in data:
            data["people"] = [p.strip() for p in str(data["people"]).split(",") if p.strip()]
    else:
        raw = await request.body()
        if len(raw) > MAX_JSON:
            raise BadInput(f"the body is larger than {MAX_JSON:,} bytes")
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadInput(f"the body is not JSON: {exc}; send application/json") from None
    try:
        return model.model_validate(data), form
    except ValidationError as exc:
        raise BadInput(_problems(exc)) from None


def _problems(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(x) for x in error["loc"]) or "body"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


async def review_action(request: Request, pair: IdPath) -> dict[str, Any]:
    """Judge a candidate pair (`LEFT|RIGHT` as listed by /api/review)."""
    body, form = await read_body(request, Judgement)
    left, sep, right = pair.partition("|")
    if not sep or not left or not right:
        raise BadInput(f"pair {pair!r} is not LEFT_UID|RIGHT_UID: take it from /api/review")
    with hub_context(request, f"POST review {pair}", form) as ctx:
        await write(request, ctx, lambda c: judge(c, left, right, body.verdict, body.reason))
    return {"pair": pair, "verdict": body.verdict}


async def disruption_action(request: Request, network_id: IdPath) -> dict[str, Any]:
    """Simulate removing people from a network: what is left, and who could stand in."""
    from mare.analyse.network.disruption import fragmentation, lcc_size
    from mare.analyse.network.report import disruption_plan
    from mare.analyse.network.resilience import resilience
    from mare.hub.networks import NetworkError, network

    body, form = await read_body(request, Disruption)

    def simulate() -> dict[str, Any]:
        with hub_context(request, f"POST networks/{network_id}/disruption", form) as ctx:
            try:
                net = network(ctx, network_id, body.min_size)
            except NetworkError as exc:
                raise BadInput(str(exc)) from None
        labels = {node: a.get("label") for node, a in net.attrs.items()}
        if body.people:
            unknown = [p for p in body.people if p not in net.index()]
            if unknown:
                raise BadInput(f"{unknown[0]!r} is not in network {network_id}: use the ids of its graph")
            after = net.without(body.people)
            plan: dict[str, Any] = {
                "remove": body.people,
                "method": "chosen by you",
                "fragmentation": round(fragmentation(after), 6),
                "fragmentation_before": round(fragmentation(net), 6),
                "lcc_fraction": round(lcc_size(after) / max(lcc_size(net), 1), 6),
                "resilience": resilience(net, body.people).as_dict(),
            }
        else:
            plan = disruption_plan(net, min(body.remove, max(net.n - 1, 1)), body.strategy)
            plan.pop("curves", None)
        stand_ins = plan.get("resilience", {}).get("stand_ins", {})
        return {
            "network": network_id.strip().upper(),
            "remove": [{"id": p, "label": labels.get(p)} for p in plan["remove"]],
            "method": plan["method"],
            "fragmentation_before": plan["fragmentation_before"],
            "fragmentation": plan["fragmentation"],
            "lcc_fraction": plan["lcc_fraction"],
            "stand_ins": [
                {
                    "for": {"id": gone, "label": labels.get(gone)},
                    "people": [{**s, "label": labels.get(s.get("id"))} for s in found[:3]],
                }
                for gone, found in stand_ins.items()
            ],
        }

    # the network's analysis is CPU work: on a worker thread, not the event loop
    return await run_in_threadpool(simulate)


async def notification_read_action(request: Request, notification_id: IdPath) -> dict[str, Any]:
    """Mark one of your agency's notifications read."""
    form = await _form_only(request)
    with hub_context(request, f"POST notifications/{notification_id}/read", form) as ctx:
        done = await write(request, ctx, lambda c: mark_read(c, notification_id))
    return {"id": notification_id, "read": done}


async def _form_only(request: Request) -> dict[str, Any] | None:
    if is_form(request):
        return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    raw = await request.body()
    if raw.strip() not in (b"", b"{}"):
        raise BadInput("this action takes no body")
    return None


async def consent_request_action(request: Request) -> dict[str, Any]:
    """Ask an owner to release a record to your agency (override: threat to life, four eyes)."""
    body, form = await read_body(request, ConsentAsk)
    with hub_context(request, "POST consent", form) as ctx:
        try:
            made = await write(
                request,
                ctx,
                lambda c: (consent.request_override if body.override else consent.request_consent)(
                    c, body.record, body.justification
                ),
            )
        except consent.ConsentError as exc:
            raise BadInput(str(exc)) from None
    return {"id": made.id, "status": made.status, "owner_agency": made.owner_agency}


async def consent_decide_action(request: Request, request_id: IdPath) -> dict[str, Any]:
    """As the owner, grant or refuse a request."""
    body, form = await read_body(request, ConsentDecision)
    with hub_context(request, f"POST consent/{request_id}/decision", form) as ctx:
        try:
            done = await write(request, ctx, lambda c: consent.decide(c, request_id, body.grant, body.reason))
        except consent.ConsentError as exc:
            raise BadInput(str(exc)) from None
    return {"id": done.id, "status": done.status}


async def consent_approve_action(request: Request, request_id: IdPath) -> dict[str, Any]:
    """Approve another person's threat-to-life override (four eyes)."""
    form = await _form_only(request)
    with hub_context(request, f"POST consent/{request_id}/approve", form) as ctx:
        try:
            done = await write(request, ctx, lambda c: consent.approve_override(c, request_id))
        except consent.ConsentError as exc:
            raise BadInput(str(exc)) from None
    return {"id": done.id, "status": done.status}


async def retention_extend_action(request: Request, uid: IdPath) -> dict[str, Any]:
    """Keep a record until a later review; the reason is recorded."""
    body, form = await read_body(request, Extension)
    with hub_context(request, f"POST retention/{uid}/extend", form, purpose="administration") as ctx:
        try:
            kept = await write(request, ctx, lambda c: retention.extend(c, uid, body.until, body.reason))
        except RetentionError as exc:
            raise BadInput(str(exc)) from None
    return {"record": uid, "until": kept.isoformat()}


async def watchlist_create_action(request: Request) -> dict[str, Any]:
    """Create a watchlist of your agency."""
    body, form = await read_body(request, NewWatchlist)
    with hub_context(request, "POST watchlists", form) as ctx:
        try:
            made = await write(request, ctx, lambda c: wl.create_watchlist(c, body.name))
        except wl.WatchlistError as exc:
            raise BadInput(str(exc)) from None
    return {"id": made.id, "agency": made.agency, "name": made.name}


async def watchlist_add_action(request: Request, watchlist_id: IdPath) -> dict[str, Any]:
    """Add an entry to a watchlist; it is checked at once against everything held."""
    body, form = await read_body(request, NewEntry)
    with hub_context(request, f"POST watchlists/{watchlist_id}/entries", form) as ctx:
        try:
            entry, raised = await write(
                request,
                ctx,
                lambda c: wl.add_entry(
                    c, watchlist_id, body.kind, body.value, birth_date=body.birth_date, note=body.note
                ),
            )
        except wl.WatchlistError as exc:
            raise BadInput(str(exc)) from None
    return {"id": entry.id, "watchlist": entry.watchlist, "kind": entry.kind, "alerts": raised}


async def alert_ack_action(request: Request, alert_id: IdPath) -> dict[str, Any]:
    """Acknowledge an alert of your agency."""
    form = await _form_only(request)
    with hub_context(request, f"POST alerts/{alert_id}/ack", form) as ctx:
        try:
            done = await write(request, ctx, lambda c: wl.acknowledge(c, alert_id))
        except wl.WatchlistError as exc:
            raise BadInput(str(exc)) from None
    return {"id": done.id, "acknowledged_by": done.acknowledged_by}


#: (method, path under /api, action, the page a browser form returns to)
ACTIONS: list[tuple[str, str, Any, str]] = [
    ("POST", "/review/{pair}", review_action, "/review"),
    ("POST", "/networks/{network_id}/disruption", disruption_action, "/networks"),
    ("POST", "/notifications/{notification_id}/read", notification_read_action, "/notifications"),
    ("POST", "/consent", consent_request_action, "/consent"),
    ("POST", "/consent/{request_id}/decision", consent_decide_action, "/consent"),
    ("POST", "/consent/{request_id}/approve", consent_approve_action, "/consent"),
    ("POST", "/retention/{uid}/extend", retention_extend_action, "/retention"),
    ("POST", "/watchlists", watchlist_create_action, "/watchlists"),
    ("POST", "/watchlists/{watchlist_id}/entries", watchlist_add_action, "/watchlists"),
    ("POST", "/alerts/{alert_id}/ack", alert_ack_action, "/alerts"),
]
