"""Trying to make the server's new caches leak (issue 14): the networks and the map served across
additions (`hub.kept`), the search's in-memory slice (`hub.search.refresh_slice`), token sign-in with its
last use written once a minute. Each test runs through the real app over its own copy of the leak
matrix's world, and makes its changes as the server makes them: uploads through POST /api/contributions
(additions), every other write through the server's writer thread (a withholding change), then asks
again at once. Nothing erased or withheld may appear, not even for one request."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from builders import envelope
from mare.access.policy import Viewer
from mare.hub import accounts
from mare.hub.context import HubContext
from mare.hub.erasure import erase
from mare.server.app import create_app, new_secret
from mare.server.session import LoginLimiter
from mare.store.db import Store, open_store
from server.support import ServerWorld

#: (user, agency, roles) of this module's own users, each with a token.
USERS = (
    ("sco-analyst", "IT-SCO", ["analyst"]),
    ("fr-analyst", "FR-OCRIEST", ["analyst"]),
    ("es-analyst", "ES-CGI", ["analyst"]),
    ("bka-analyst", "DE-BKA", ["analyst", "contributor"]),
    ("bka-dpo", "DE-BKA", ["dpo"]),
    ("doomed", "IT-SCO", ["analyst"]),
    ("doomed-user", "IT-SCO", ["analyst"]),
)
BKA_DPO = Viewer("bka-dpo", "DE-BKA", frozenset({"dpo"}))


@dataclass
class App:
    """The app over this module's copy of the world, and a token (id, secret) per user."""

    client: TestClient
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user][1]}"}

    def get(self, user: str, path: str) -> Any:
        answer = self.client.get(path, headers=self.headers(user))
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        return answer.json()

    def upload(self, sender: str, records: list[dict[str, Any]], links: list[dict[str, Any]] | None = None,
               handling: str = "H0") -> list[str]:  # fmt: skip
        """DE-BKA's analyst uploads a contribution (an addition); its record uids."""
        body = {**envelope(id=sender, agency="DE-BKA", handling={"code": handling}), "records": records,
                "links": links or []}  # fmt: skip
        answer = self.client.post(
            "/api/contributions",
            files={"file": (f"{sender}.json", json.dumps(body).encode())},
            headers=self.headers("bka-analyst"),
        )
        assert answer.status_code == 200, answer.text
        report = answer.json()["reports"][0]
        assert report["status"] == "stored", report
        return [f"{report['contribution']}:{r['id']}" for r in records]

    def write(self, work: Any) -> Any:
        """A write through the server's own writer thread (anything but an upload: a withholding change)."""
        return self.client.app.state.mare.store.write(work)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def app(server_world: ServerWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    home = tmp_path_factory.mktemp("cache-leaks") / "hub"
    shutil.copytree(server_world.world.template, home)
    tokens: dict[str, tuple[str, str]] = {}
    with open_store(home) as store:
        for name, agency, roles in USERS:
            accounts.add_user(store, name, agency, roles, None)
            tokens[name] = accounts.issue_token(store, name, label="tests")
    made = create_app(home, secret=new_secret(), secure_cookies=False, max_upload=1 << 20,
                      limiter=LoginLimiter(per_user=3, per_address=1000))  # fmt: skip
    with TestClient(made, base_url="http://127.0.0.1") as client:
        yield App(client, tokens)


def _event(eid: str, place: str, lat: float, lon: float) -> dict[str, Any]:
    return {"id": eid, "kind": "event", "event_type": "landing", "occurred_at": "2026-06-20T04:00:00Z",
            "place": place, "lat": lat, "lon": lon}  # fmt: skip


def _erase(app: App, uids: list[str]) -> None:
    """The owner's DPO erases these records through the server's writer."""

    def work(store: Store) -> None:
        with HubContext(store, BKA_DPO, "token") as ctx:
            erase(ctx, uids, "uploaded by mistake, erased at the owner's request")

    app.write(work)


def _network_text(app: App, user: str) -> str:
    """Everything the networks pages answer for this user (the list, each network, its graph and chart)."""
    listed = app.get(user, "/api/networks?min_size=2")
    texts = [json.dumps(listed)]
    for item in listed["networks"]:
        nid = item.get("id") or item.get("network_id")
        for tail in ("", "/graph", "/chart"):
            texts.append(json.dumps(app.get(user, f"/api/networks/{nid}{tail}?min_size=2")))
    return "\n".join(texts)


def _refs(drawn: dict[str, Any]) -> set[str]:
    return {f["properties"]["ref"] for f in drawn["features"]}


def _results(app: App, user: str, query: str) -> dict[str, Any]:
    found = app.get(user, f"/api/search?q={query}")
    found.pop("query")  # the viewer typed it
    return found


# --- the map served across an upload, then the upload erased -------------------------------------------


def test_an_erased_upload_never_returns_to_the_map(app: App) -> None:
    """IT-SCO's map key is taken before an upload (a map of vessels only builds no layer), the events are
    then read under that key while served across the upload, and the upload is erased through the writer:
    the stamps are back where they were before the upload, so the next map request finds that old key
    kept, with the erased event in it. Reproduce: GET /api/map?layers=vessels, upload, GET /api/map,
    erase, GET /api/map: the erased event was still drawn (found at 57160d9, fixed in 7b3034c/1c72934:
    what is missing under a key served across additions is read now and kept under no key)."""
    # the hub as it runs: an earlier upload geocoded every place text already stored (else the erasure
    # leaves the geocodes the upload added for other records, and the stamps differ)
    app.upload("MAP-EARLIER", [_event("w1", "Marina di Ieri", 36.6, 14.9)])
    app.write(lambda store: None)
    app.get("sco-analyst", "/api/map?layers=vessels")
    uids = app.upload("MAP-MISTAKE", [_event("m1", "Porto Erratico", 36.1, 15.2)])
    during = app.get("sco-analyst", "/api/map?layers=events")  # before the fix: across, under the old key
    assert set(uids) <= {f["properties"]["ref"] for f in during["features"]}  # an addition: fine
    _erase(app, uids)
    after = app.get("sco-analyst", "/api/map?layers=events")
    assert not after["served"]["across_additions"]
    assert "Porto Erratico" not in json.dumps(after), "an erased event is on the map"
    assert not {f["properties"]["ref"] for f in after["features"]} & set(uids)


def test_an_erased_upload_never_returns_to_the_networks(app: App) -> None:
    """The networks' equivalent of the test above: nothing erased in any networks answer at once."""
    app.get("sco-analyst", "/api/networks?min_size=2")
    uids = app.upload(
        "NET-MISTAKE",
        [
            {"id": "p1", "kind": "person", "name": "Ermenegildo Sbagliato"},
            {"id": "p2", "kind": "person", "name": "Gualtiero Sbagliato"},
        ],
        [{"kind": "associate_of", "source": "p1", "target": "p2"}],
    )
    app.get("sco-analyst", "/api/networks?min_size=2")
    app.write(lambda store: None)  # any other write: the stamps are read again, the upload built in
    assert "Sbagliato" in _network_text(app, "sco-analyst")
    _erase(app, uids)
    assert "Sbagliato" not in _network_text(app, "sco-analyst")
    assert "Sbagliato" not in json.dumps(_results(app, "sco-analyst", "Ermenegildo Sbagliato"))


# --- a handling change through the writer, then every page at once -------------------------------------


def test_a_narrowed_handling_code_applies_at_once_everywhere(app: App) -> None:
    """DE-BKA uploads an open pair with an event; IT-SCO sees them on the networks, the map, the search and
    the record page. The owner narrows them to H2 through the writer (no slice refilled yet when the write
    returns: the writer refills after handing back its answer). At once: names nowhere, the search says
    hit only, the record page is refused or shows no content."""
    uids = app.upload(
        "NARROW-1",
        [
            {"id": "p1", "kind": "person", "name": "Quirino Vescovalli"},
            {"id": "p2", "kind": "person", "name": "Ettore Vescovalli"},
            _event("e1", "Cala Vescovalli", 37.9, 12.4),
        ],
        [{"kind": "associate_of", "source": "p1", "target": "p2"}],
    )
    app.write(lambda store: None)  # built in from here on
    assert "Quirino Vescovalli" in _network_text(app, "sco-analyst")
    drawn = app.get("sco-analyst", "/api/map?layers=events")
    assert uids[2] in {f["properties"]["ref"] for f in drawn["features"]}
    shown = _results(app, "sco-analyst", "Quirino Vescovalli")["results"]
    assert any(r["uid"] == uids[0] and r["visibility"] == "full" for r in shown)

    def narrow(store: Store) -> None:
        marks = ", ".join("?" for _ in uids)
        store.con.execute(f"UPDATE records SET handling_code = 'H2' WHERE uid IN ({marks})", uids)
        store.con.execute(
            f"UPDATE links SET handling_code = 'H2' WHERE source_uid IN ({marks}) OR target_uid IN ({marks})",
            [*uids, *uids],
        )

    app.write(narrow)
    assert "Vescovalli" not in _network_text(app, "sco-analyst")
    drawn = app.get("sco-analyst", "/api/map")
    assert "Vescovalli" not in json.dumps(drawn)
    assert not {f["properties"]["ref"] for f in drawn["features"]} & set(uids)
    found = _results(app, "sco-analyst", "Quirino Vescovalli")
    assert "Vescovalli" not in json.dumps(found)
    assert all(r["visibility"] != "full" for r in found["results"] if r["uid"] in uids)
    for uid in uids:
        answer = app.client.get(f"/api/records/{uid}", headers=app.headers("sco-analyst"))
        assert "Vescovalli" not in answer.text, (uid, answer.status_code)
    assert "Quirino Vescovalli" in _network_text(app, "bka-analyst")  # the owner still sees them


# --- two agencies back to back -------------------------------------------------------------------------


def test_back_to_back_agencies_never_share_a_build(app: App, server_world: ServerWorld) -> None:
    """After an upload, the owner, an agency granted the H2 person by consent (FR), and one that may see
    neither H2 nor the H3 denied to it (IT-SCO) ask for the same networks and map, back to back, twice
    (the second time served across additions): IT-SCO never gets the owner's or FR's build."""
    from hub.test_leak_matrix import SECRETS

    names = {s.key: s.name for s in SECRETS}
    app.upload("BACK-1", [{"id": "p1", "kind": "person", "name": "Lazzaro Nuovissimo"}])
    secret = app.upload("BACK-H2", [_event("s1", "Approdo Segreto", 35.8, 14.4)], handling="H2")[0]
    app.write(lambda store: None)  # built in from here on
    app.upload("BACK-2", [_event("o1", "Approdo Aperto", 35.9, 14.5)])  # served across this one
    for turn in range(2):
        owner = _network_text(app, "bka-analyst")
        fr = _network_text(app, "fr-analyst")
        sco = _network_text(app, "sco-analyst")
        assert names["h2"] in owner and names["h3-denied"] in owner
        assert names["h3-denied"] not in fr
        assert names["h2"] not in sco and names["h3-denied"] not in sco
        assert secret in _refs(app.get("bka-analyst", "/api/map"))
        for user in ("fr-analyst", "sco-analyst"):
            drawn = app.get(user, "/api/map")
            assert secret not in _refs(drawn) and "Approdo Segreto" not in json.dumps(drawn), user
            assert drawn["served"]["across_additions"] == (turn == 1), user


# --- an upload replacing an earlier contribution ------------------------------------------------------


def test_an_upload_replacing_another_is_never_served_across(app: App) -> None:
    """A new version of a contribution may withhold what the old one showed: the next network and map
    requests read the stamps again (never served across it), and what they show is the store as it is."""
    app.upload("REPL-1", [_event("v1", "Secca del Vecchio", 36.4, 15.0)])
    app.write(lambda store: None)
    app.get("sco-analyst", "/api/map")
    app.get("sco-analyst", "/api/networks?min_size=2")
    assert app.get("sco-analyst", "/api/map")["served"]["across_additions"]
    body = {
        **envelope(id="REPL-1", agency="DE-BKA", handling={"code": "H0"}, supersedes="REPL-1"),
        "records": [_event("v1", "Secca del Nuovo", 36.4, 15.0)],
        "links": [],
    }
    answer = app.client.post(
        "/api/contributions",
        files={"file": ("repl-2.json", json.dumps(body).encode())},
        headers=app.headers("bka-analyst"),
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()["reports"][0]
    assert report["status"] == "stored" and report["version"] == 2, report
    drawn = app.get("sco-analyst", "/api/map")
    assert not drawn["served"]["across_additions"]
    assert not app.get("sco-analyst", "/api/networks?min_size=2")["served"]["across_additions"]
    assert f"{report['contribution']}:v1" in _refs(drawn)  # the new version is in it at once


# --- a cursor handed on ---------------------------------------------------------------------------------


def test_a_cursor_left_in_a_transaction_shows_nothing_of_it(app: App) -> None:
    """A request that leaves a transaction open on its cursor (here: one that widened an H2 record to H0
    and never committed) hands the cursor on rolled back: the next requests, which take that same kept
    cursor, see the record as the store has it (H2: not on IT-SCO's map, hit only in its search)."""
    secret = app.upload("TX-H2", [_event("t1", "Baia Nascosta", 35.7, 14.7)], handling="H2")[0]
    app.write(lambda store: None)
    assert secret not in _refs(app.get("sco-analyst", "/api/map"))
    server = app.client.app.state.mare.store  # type: ignore[attr-defined]
    with server.reading() as store:
        store.con.execute("BEGIN TRANSACTION")
        store.con.execute("UPDATE records SET handling_code = 'H0' WHERE uid = ?", [secret])
        assert store.con.execute("SELECT handling_code FROM records WHERE uid = ?", [secret]).fetchall() == [
            ("H0",)
        ]
    app.write(lambda store: None)  # the stamps read again on the next request, on that cursor
    drawn = app.get("sco-analyst", "/api/map")
    assert secret not in _refs(drawn) and "Baia Nascosta" not in json.dumps(drawn)
    found = _results(app, "sco-analyst", "Baia Nascosta")
    assert all(r["visibility"] != "full" for r in found["results"]) and "Nascosta" not in json.dumps(found)
    with server.reading() as store:
        assert store.con.execute("SELECT handling_code FROM records WHERE uid = ?", [secret]).fetchall() == [
            ("H2",)
        ]


# --- tokens and users ----------------------------------------------------------------------------------


def test_a_revoked_token_is_refused_at_once(app: App) -> None:
    """A token used a moment ago (its last use not written again within the minute) and then revoked
    through the writer is refused on the very next request; so is a disabled user's."""
    for _ in range(3):
        app.get("doomed", "/api/networks?min_size=2")
    token_id = app.tokens["doomed"][0]
    app.write(lambda store: accounts.revoke_token(store, token_id))
    for path in ("/api/networks?min_size=2", "/api/map", "/api/search?q=Vescovalli", "/api/dashboard"):
        assert app.client.get(path, headers=app.headers("doomed")).status_code == 401, path
    app.get("doomed-user", "/api/map")
    app.write(lambda store: accounts.disable_user(store, "doomed-user"))
    for path in ("/api/networks?min_size=2", "/api/map", "/api/search?q=Vescovalli"):
        assert app.client.get(path, headers=app.headers("doomed-user")).status_code == 401, path


# --- "as of" -------------------------------------------------------------------------------------------


def test_as_of_says_the_truth(app: App) -> None:
    """Served across additions, the answer says so and gives a time before the upload it may lack; after
    a withholding change it is built again, as of now."""
    app.write(lambda store: None)
    built = app.get("es-analyst", "/api/networks?min_size=2")["served"]
    assert not built["across_additions"]
    before = datetime.now(UTC).replace(microsecond=0)
    app.upload("ASOF-1", [{"id": "p1", "kind": "person", "name": "Teodolinda Asoffi"}])
    served = app.get("es-analyst", "/api/networks?min_size=2")["served"]
    assert served["across_additions"] and served["as_of"] == built["as_of"]
    assert datetime.fromisoformat(served["as_of"]) <= before
    app.write(lambda store: None)
    fresh = app.get("es-analyst", "/api/networks?min_size=2")["served"]
    assert not fresh["across_additions"] and datetime.fromisoformat(fresh["as_of"]) >= before
