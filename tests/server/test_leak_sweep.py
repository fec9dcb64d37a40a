"""The API leak sweep: every data-returning /api route, called as every other agency in every role over
the leak matrix's world (tests/hub/test_leak_matrix.py: its builder, its viewers and its value checker).

No value of a record the viewer may not see in full appears in any answer (unless the viewer typed it:
a search), and every refusal (403) has its denial in the audit trail. A new /api route that is not
classified here fails `test_every_api_route_is_in_the_sweep`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from hub.test_leak_matrix import AIS_DAY, LINKED, SECRETS, TRACKED, VIEWERS, World
from mare.access.policy import Purpose
from server.support import ServerWorld, bearer


@dataclass(frozen=True)
class Call:
    """One request of the sweep: what it sends, and the forms the caller typed (not a leak when shown)."""

    url: str
    body: dict[str, object] | None = None
    echo: frozenset[str] = frozenset()


Calls = Callable[[World], list[Call]]


def _persons(w: World) -> list[str]:
    return [w.person[s.key] for s in SECRETS]


def _linked(w: World) -> list[str]:
    """The persons in networks (their look-alikes resolved to them) and an H3 one that is not."""
    return [w.person[key] for key in (*LINKED, "h3-allowed")]


def _searches(w: World) -> list[Call]:
    calls = []
    for s in SECRETS:
        uid = w.person[s.key]
        calls.append(Call(f"/api/search?q={s.name}", echo=w.value_forms(uid, "name")))
        phone = next(o for f, o, _ in w.values[uid] if f == "phone")
        calls.append(Call(f"/api/search?q={phone}", echo=w.value_forms(uid, "phone")))
    return calls


def _each(template: str, refs: Callable[[World], list[str]]) -> Calls:
    return lambda w: [Call(template.format(ref=ref)) for ref in refs(w)]


def _vessels(template: str) -> list[Call]:
    """A vessel the hub does not hold, and the world's tracked ones (their MMSI typed by the caller)."""
    return [Call(template.format(ref=m), echo=frozenset({m})) for m in ("247000111", *TRACKED)]


def _one(url: str, body: dict[str, object] | None = None) -> Calls:
    return lambda w: [Call(url, body)]


#: Every data-returning route: how it is called. The purpose it reads in, where it sets one itself.
SWEEP: dict[tuple[str, str], Calls] = {
    ("GET", "/api/search"): _searches,
    ("GET", "/api/entities"): _one("/api/entities?size=200"),
    ("GET", "/api/entities/{entity_id}"): _each("/api/entities/{ref}", lambda w: [*_persons(w), *w.entities]),
    ("GET", "/api/entities/{entity_id}/graph"): _each("/api/entities/{ref}/graph?depth=2", _linked),
    ("GET", "/api/entities/{entity_id}/timeline"): _each("/api/entities/{ref}/timeline", _persons),
    ("GET", "/api/entities/{entity_id}/places"): _each("/api/entities/{ref}/places", _persons),
    ("GET", "/api/records/{uid}"): _each("/api/records/{ref}", lambda w: w.records),
    ("GET", "/api/contributions"): _one("/api/contributions?size=200"),
    ("GET", "/api/contributions/{uid}"): _each(
        "/api/contributions/{ref}", lambda w: list(w.contribution.values())
    ),
    ("GET", "/api/hits"): _one("/api/hits"),
    ("GET", "/api/review"): _one("/api/review?limit=200"),
    ("GET", "/api/networks"): _one("/api/networks?min_size=2"),
    ("GET", "/api/networks/chart"): _one("/api/networks/chart?min_size=2"),
    ("GET", "/api/networks/{network_id}"): _each("/api/networks/{ref}?min_size=2", lambda w: ["N1", "N2"]),
    ("GET", "/api/networks/{network_id}/graph"): _each(
        "/api/networks/{ref}/graph?min_size=2", lambda w: ["N1", "N2"]
    ),
    ("GET", "/api/networks/{network_id}/chart"): _each(
        "/api/networks/{ref}/chart?min_size=2", lambda w: ["N1", "N2"]
    ),
    ("POST", "/api/networks/{network_id}/disruption"): lambda w: [
        Call(f"/api/networks/{n}/disruption", {"remove": 2, "min_size": 2}) for n in ("N1", "N2")
    ],
    ("GET", "/api/hotspots"): _one("/api/hotspots"),
    ("GET", "/api/routes"): _one("/api/routes"),
    ("GET", "/api/map"): lambda w: [
        Call("/api/map?layers=hotspots,routes,events"),
        Call("/api/map?layers=vessels"),
    ],
    ("GET", "/api/vessels"): _one("/api/vessels"),
    ("GET", "/api/vessels/{mmsi}"): lambda w: _vessels("/api/vessels/{ref}"),
    ("GET", "/api/vessels/{mmsi}/map"): lambda w: _vessels("/api/vessels/{ref}/map"),
    ("GET", "/api/money"): lambda w: [Call("/api/money?limit=1000&top=1000"), Call("/api/money?kind=broker")],
    ("GET", "/api/adverts"): _one("/api/adverts?limit=1000"),
    ("GET", "/api/notifications"): _one("/api/notifications"),
    ("GET", "/api/watchlists"): lambda w: [Call("/api/watchlists", echo=w.watched)],
    ("GET", "/api/alerts"): lambda w: [Call("/api/alerts", echo=w.watched)],
    ("GET", "/api/consent"): _one("/api/consent"),
    ("GET", "/api/retention"): _one("/api/retention"),
    ("GET", "/api/audit"): _one("/api/audit?limit=1000"),
    ("GET", "/api/stats"): _one("/api/stats"),
    ("GET", "/api/dashboard"): lambda w: [Call("/api/dashboard", echo=w.watched)],
    ("GET", "/api/reports"): _one("/api/reports"),
    ("GET", "/api/reports/{kind}"): lambda w: [
        # the day of a case's landing, its leg in the week; IT-SCO's alerts show what it typed in its list
        Call("/api/reports/daily?day=2026-03-13", echo=w.watched),
        Call(f"/api/reports/daily?day={AIS_DAY}", echo=w.watched),  # the AIS tracks' day
        Call("/api/reports/vessels"),
        Call("/api/reports/situation"),
        Call("/api/reports/initiation?network=N1&min_size=2"),
    ],
}
#: Routes that read in a purpose of their own.
PURPOSE: dict[str, Purpose] = {"/api/retention": "oversight", "/api/audit": "oversight"}
#: Routes that change data and answer with ids and statuses only (acts: tested in test_api.py), or serve
#: no hub data.
NOT_SWEPT = {
    ("POST", "/api/contributions"): "an upload: answers with its own rows' report",
    ("POST", "/api/review/{pair}"): "a judgement: answers with the pair and verdict given",
    ("POST", "/api/notifications/{notification_id}/read"): "answers read or not",
    ("POST", "/api/consent"): "answers the request's id and status",
    ("POST", "/api/consent/{request_id}/decision"): "answers the request's id and status",
    ("POST", "/api/consent/{request_id}/approve"): "answers the request's id and status",
    ("POST", "/api/retention/{uid}/extend"): "answers the record uid and date given",
    ("POST", "/api/watchlists"): "answers the new list's id and name",
    ("POST", "/api/watchlists/{watchlist_id}/entries"): "answers the new entry's id and alert count",
    ("POST", "/api/alerts/{alert_id}/ack"): "answers the alert's id",
    ("GET", "/api/openapi.json"): "the API's description",
    ("GET", "/api/docs"): "the API's documentation page",
}


def _routes(client: TestClient) -> set[tuple[str, str]]:
    found = set()
    for route in client.app.routes:  # type: ignore[attr-defined]
        path = getattr(route, "path", "")
        if not path.startswith("/api/"):
            continue
        methods = route.methods if isinstance(route, APIRoute) else getattr(route, "methods", None) or {"GET"}
        found |= {(m, path) for m in methods if m in ("GET", "POST", "PUT", "PATCH", "DELETE")}
    return found


def test_every_api_route_is_in_the_sweep(client: TestClient) -> None:
    """A new /api route must be swept or say why not; a classified route that is gone fails too."""
    routes = _routes(client)
    classified = set(SWEEP) | set(NOT_SWEPT)
    assert not routes - classified, f"not in the API leak sweep: {sorted(routes - classified)}"
    assert not classified - routes, f"classified but gone: {sorted(classified - routes)}"


def _denials(client: TestClient, after: int, agency: str) -> int:
    with client.app.state.mare.store.reading() as store:  # type: ignore[attr-defined]
        row = store.con.execute(
            "SELECT count(*) FROM audit_log WHERE seq > ? AND actor_agency = ? AND action = 'authorisation' "
            "AND outcome = 'denied'",
            [after, agency],
        ).fetchone()
    return int(row[0]) if row else 0


def _seq(client: TestClient) -> int:
    with client.app.state.mare.store.reading() as store:  # type: ignore[attr-defined]
        row = store.con.execute("SELECT coalesce(max(seq), 0) FROM audit_log").fetchone()
    return int(row[0]) if row else 0


def test_api_leak_sweep(client: TestClient, server_world: ServerWorld) -> None:
    """Every data-returning route as every viewer: nothing withheld shown, every refusal audited."""
    w = server_world.world
    problems: list[str] = []
    calls = shown = refused = 0
    for (method, route), make in SWEEP.items():
        purpose = PURPOSE.get(route.split("?")[0], "crime_fighting")
        for agency, role in VIEWERS:
            headers = bearer(server_world, agency, role)
            forbidden = w.forbidden(agency, role, purpose, False)
            for call in make(w):
                before = _seq(client)
                if method == "GET":
                    answer = client.get(call.url, headers=headers)
                else:
                    answer = client.post(call.url, json=call.body, headers=headers)
                calls += 1
                label = f"{method} {call.url} [{agency} {role}]"
                assert answer.status_code < 500, f"{label}: {answer.status_code} {answer.text[:300]}"
                text = json.dumps(answer.json(), ensure_ascii=False).lower()
                typed = "\n".join(call.echo)
                problems += [f"LEAK {label} shows {f!r}" for f in forbidden if f in text and f not in typed]
                shown += sum(1 for f in w.all_forms if f in text and f not in typed)
                if answer.status_code == 403:
                    refused += 1
                    if not _denials(client, before, agency):
                        problems.append(f"UNAUDITED {label}: refused without a denial in the audit trail")
    print(
        f"\nAPI leak sweep: {len(SWEEP)} routes, {len(VIEWERS)} viewers, {calls} calls, {refused} refused, "
        f"{shown} values shown where allowed, {sum(p.startswith('LEAK') for p in problems)} leaks"
    )
    assert not problems, "\n".join(problems[:40])
    assert refused > 0 and shown > 0, "the sweep is vacuous"
