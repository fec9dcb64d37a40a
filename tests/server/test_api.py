"""The API and pages: every route answers, sign-in and sessions, CSRF, headers, bad input, uploads."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from fastapi.testclient import TestClient

from builders import envelope
from mare.server.app import CSP
from mare.server.views import PAGES
from mare.store.db import open_store
from server.support import PASSWORD, ServerWorld, bearer

HUB = ("HUB", "analyst")


def _csrf(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found, "no CSRF field in the form"
    return found.group(1)


def _login(client: TestClient, user: str = "web-analyst", password: str = PASSWORD) -> str:
    """Sign in on /login; returns the CSRF token of the session's pages."""
    client.cookies.clear()
    form = client.get("/login")
    done = client.post(
        "/login",
        data={"username": user, "password": password, "csrf": _csrf(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return _csrf(client.get("/dashboard").text)


def test_every_page_and_its_json(client: TestClient, server_world: ServerWorld) -> None:
    """Each page answers HTML at /x and its data as JSON at /api/x (one view, two renderings)."""
    w = server_world.world
    fill = {
        "{entity_id}": w.lookalike["h2"],
        "{uid}": w.lookalike["h2"],
        "{network_id}": "N1",
        "{mmsi}": "247000111",  # the leak world holds no AIS: 404 (tests/server/test_vessels.py has AIS)
    }
    _login(client)
    for entry in PAGES:
        path = entry.path
        for key, value in fill.items():
            path = path.replace(key, value)
        if entry.path == "/contributions/{uid}":
            path = f"/contributions/{w.contribution['lookalikes']}"
        if entry.path.startswith("/networks"):
            path += "?min_size=2"  # the world's networks are pairs and triples
        page = client.get(path)
        allowed = (200, 403, 404) if entry.path == "/vessels/{mmsi}" else (200, 403)
        assert page.status_code in allowed, (path, page.status_code, page.text[:300])
        assert page.headers["content-type"].startswith("text/html")
        data = client.get("/api" + path)
        assert data.status_code == page.status_code, (path, data.text[:300])
        assert data.headers["content-type"].startswith("application/json")
        assert isinstance(data.json(), dict)


def test_widget_shapes(client: TestClient, server_world: ServerWorld) -> None:
    """Graph, timeline, chart and map answer in the shapes the widgets read."""
    headers = bearer(server_world, *HUB)
    person = server_world.world.lookalike["h2"]
    graph = client.get(f"/api/entities/{person}/graph?depth=1", headers=headers).json()
    assert graph["nodes"] and set(graph["nodes"][0]) == {
        "id",
        "label",
        "cell",
        "role",
        "score",
        "first_seen",
        "last_seen",
    }
    assert all(set(e) == {"source", "target", "weight", "kinds", "first", "last"} for e in graph["edges"])
    timeline = client.get(f"/api/entities/{person}/timeline", headers=headers).json()
    assert all(set(i) == {"time", "label", "kind", "ref"} for i in timeline["items"])
    chart = client.get("/api/networks/chart", headers=headers).json()
    assert chart["type"] == "bar" and all(len(s["values"]) == len(chart["x"]) for s in chart["series"])
    geo = client.get("/api/map?layers=hotspots,routes,events&days=3650", headers=headers).json()
    assert geo["type"] == "FeatureCollection" and geo["features"]
    kinds = {f["properties"]["kind"] for f in geo["features"]}
    assert {"route", "event"} <= kinds
    for f in geo["features"]:
        assert set(f["properties"]) == {"kind", "label", "count", "ref", "time"}
        assert f["geometry"]["type"] in ("Point", "LineString")
    net = client.get("/api/networks/N1/graph?min_size=2", headers=headers)
    assert net.status_code == 200 and net.json()["nodes"]


def test_security_headers_everywhere(client: TestClient) -> None:
    """CSP, nosniff and no referrer on pages, API answers, errors and static files."""
    for path in ("/login", "/api/stats", "/api/nothing-here", "/static/mare.css", "/dashboard"):
        answer = client.get(path, follow_redirects=False)
        assert answer.headers["content-security-policy"] == CSP, path
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"


def test_no_inline_script_or_style_in_templates() -> None:
    """The CSP forbids them; the templates must not need them."""
    from pathlib import Path

    import mare.server

    for template in (Path(mare.server.__file__).parent / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert "<style" not in text and " style=" not in text and not re.search(r"\son[a-z]+=", text), (
            template
        )


def test_signed_out_is_refused(client: TestClient) -> None:
    """No credentials: 401 for the API, the login page for pages (never the store's operator)."""
    client.cookies.clear()
    assert client.get("/api/stats").status_code == 401
    assert client.get("/api/stats").json()["error"]
    page = client.get("/dashboard", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    assert client.get("/api/stats", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/stats", headers={"Authorization": "Basic abc"}).status_code == 401


def test_login_session_cookie_and_logout(client: TestClient, server_world: ServerWorld) -> None:
    """A session cookie is HttpOnly and SameSite=Strict; logout revokes the session's token."""
    client.cookies.clear()
    form = client.get("/login")
    assert 'for="username">User name' in form.text and 'for="password">Password' in form.text
    assert ">Sign in</button>" in form.text
    fields = {"username": "web-analyst", "password": PASSWORD, "csrf": _csrf(form.text)}
    done = client.post("/login", data=fields, follow_redirects=False)
    cookie = done.headers["set-cookie"].lower()
    assert "mare_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/api/stats").status_code == 200
    csrf = _csrf(client.get("/dashboard").text)
    session = client.cookies.get("mare_session")
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    client.cookies.set("mare_session", session or "")
    assert client.get("/api/stats").status_code == 401  # the token behind the old cookie is revoked


def test_secure_cookie_by_default(server_world: ServerWorld, tmp_path: object) -> None:
    """Without secure_cookies=False the session cookie is Secure."""
    from mare.server.app import create_app, new_secret

    app = create_app(server_world.home, secret=new_secret())
    with TestClient(app, base_url="https://127.0.0.1") as secure:
        form = secure.get("/login")
        done = secure.post(
            "/login",
            data={"username": "owner-analyst", "password": PASSWORD, "csrf": _csrf(form.text)},
            follow_redirects=False,
        )
        assert "secure" in done.headers["set-cookie"].lower()


def test_login_failures_are_rate_limited_and_audited(client: TestClient, server_world: ServerWorld) -> None:
    """After 3 failures (the tests' limit) the user is refused even with the right password; audited."""
    client.cookies.clear()
    for _ in range(3):
        form = client.get("/login")
        bad = client.post(
            "/login",
            data={"username": "owner-analyst", "password": "wrong password!", "csrf": _csrf(form.text)},
        )
        assert bad.status_code == 401 and "Wrong user name or password" in bad.text
    form = client.get("/login")
    blocked = client.post(
        "/login", data={"username": "owner-analyst", "password": PASSWORD, "csrf": _csrf(form.text)}
    )
    assert blocked.status_code == 429
    entries = client.get(
        "/api/audit?action=login&limit=50", headers=bearer(server_world, "HUB", "dpo")
    ).json()
    mine = [e for e in entries["items"] if e["actor"] == "owner-analyst"]
    assert any(e["outcome"] == "refused" and "too many" in e["details"] for e in mine)
    assert sum(e["outcome"] == "failure" for e in mine) >= 3


def test_login_form_needs_its_csrf_token(client: TestClient) -> None:
    client.cookies.clear()
    client.get("/login")
    refused = client.post("/login", data={"username": "web-analyst", "password": PASSWORD, "csrf": "forged"})
    assert refused.status_code == 403


def test_posts_need_the_session_csrf_token(client: TestClient, server_world: ServerWorld) -> None:
    """A cookie-signed POST without the CSRF token is refused (403) and changes nothing."""
    csrf = _login(client)
    note = server_world.world.notification
    without = client.post(f"/api/notifications/{note}/read", data={})
    assert without.status_code == 403 and "CSRF" in without.text
    with_token = client.post(f"/api/notifications/{note}/read", headers={"X-CSRF-Token": csrf})
    assert with_token.status_code == 200 and with_token.json()["read"] in (True, False)


def test_refusal_is_403_with_the_rule_and_audited(client: TestClient, server_world: ServerWorld) -> None:
    """A contributor may not review: 403 JSON with the rule; the denial is in the audit trail."""
    answer = client.get("/api/review", headers=bearer(server_world, "IT-SCO", "contributor"))
    assert answer.status_code == 403
    body = answer.json()
    assert body["rule"] and body["error"]
    with open_store(server_world.home, read_only=False) as _:
        pass
    audit = client.get("/api/audit?action=authorisation&limit=20", headers=bearer(server_world, "HUB", "dpo"))
    assert any(e["actor"] == "it-sco-contributor" and e["outcome"] == "denied" for e in audit.json()["items"])


def test_bad_input_is_4xx_with_a_message(client: TestClient, server_world: ServerWorld) -> None:
    """Wrong types, unknown fields, huge bodies, bad purposes: 4xx and one clear message."""
    headers = bearer(server_world, *HUB)
    assert client.get("/api/entities?page=abc", headers=headers).status_code == 422
    assert "page" in client.get("/api/entities?page=abc", headers=headers).json()["error"]
    assert client.get("/api/stats?purpose=curiosity", headers=headers).status_code == 400
    pair = "x|y"
    unknown = client.post(f"/api/review/{pair}", json={"verdict": "same", "colour": "red"}, headers=headers)
    assert unknown.status_code == 400 and "colour" in unknown.json()["error"]
    wrong = client.post(f"/api/review/{pair}", json={"verdict": 3}, headers=headers)
    assert wrong.status_code == 400 and "verdict" in wrong.json()["error"]
    garbage = client.post(
        f"/api/review/{pair}", content=b"{not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert garbage.status_code == 400
    huge = client.post(f"/api/review/{pair}", content=b"x" * (2 << 20), headers=headers)
    assert huge.status_code == 413
    assert client.get("/api/map?layers=secrets", headers=headers).status_code == 400


def test_markup_in_names_is_escaped(client: TestClient, server_world: ServerWorld) -> None:
    """A watchlist named with markup comes back escaped in the page, as data in the JSON."""
    csrf = _login(client, "web-analyst")
    name = '<script>alert("x")</script><b onmouseover=1>'
    made = client.post(
        "/api/watchlists",
        data={"name": name, "csrf": csrf},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = client.get("/watchlists").text
    assert name not in page and "&lt;script&gt;" in page
    assert any(w["name"] == name for w in client.get("/api/watchlists").json()["items"])
    search = client.get("/search", params={"q": "<img src=x onerror=alert(1)>"}).text
    assert "<img src=x" not in search


def test_bidi_and_invisible_characters_are_shown_not_obeyed(
    client: TestClient, server_world: ServerWorld
) -> None:
    """A name carrying a right-to-left override and a zero-width space is shown with those characters
    written out (\\u202e), isolated in <bdi>, on the record's page; the JSON keeps the data as sent."""
    name = "Ops \u202egpj.exe \u200bVallescura"
    sent = _contribution([{"id": "b1", "kind": "person", "name": name}], "WEB-BIDI")
    headers = bearer(server_world, "IT-SCO", "analyst")
    answer = client.post("/api/contributions", files={"file": ("bidi.json", sent)}, headers=headers)
    assert answer.status_code == 200, answer.text
    uid = answer.json()["reports"][0]["contribution"] + ":b1"
    _login(client, "web-analyst")
    page = client.get(f"/records/{uid}").text
    assert "\u202e" not in page and "\u200b" not in page
    assert "<bdi>Ops \\u202egpj.exe \\u200bVallescura</bdi>" in page
    values = client.get(f"/api/records/{uid}", headers=headers).json()["values"]
    assert any(v["original"] == name for v in values)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def _contribution(records: list[dict[str, object]], sender: str, agency: str = "IT-SCO") -> bytes:
    return json.dumps({**envelope(id=sender, agency=agency), "records": records, "links": []}).encode()


def test_upload_names_with_path_tricks_are_refused(client: TestClient, server_world: ServerWorld) -> None:
    headers = bearer(server_world, "IT-SCO", "analyst")
    before = client.get("/api/contributions", headers=headers).json()["items"]
    for name in ("../evil.json", "/etc/passwd", ".hidden.json", "a\\b.json"):
        answer = client.post("/api/contributions", files={"file": (name, b"{}")}, headers=headers)
        assert answer.status_code == 400, (name, answer.text)
    for member in ("../../evil.json", "/abs.json", "ok/../../x.json"):
        answer = client.post(
            "/api/contributions", files={"file": ("c.zip", _zip({member: b"{}"}))}, headers=headers
        )
        assert answer.status_code == 400, (member, answer.text)
    assert client.get("/api/contributions", headers=headers).json()["items"] == before


def test_upload_too_large_is_413(client: TestClient, server_world: ServerWorld) -> None:
    headers = bearer(server_world, "IT-SCO", "analyst")
    answer = client.post(
        "/api/contributions", files={"file": ("big.json", b" " * (2 << 20))}, headers=headers
    )
    assert answer.status_code == 413


def test_upload_stores_whole_or_reports_rows(client: TestClient, server_world: ServerWorld) -> None:
    """A good file is stored and cross-checked; a broken row is reported by row; strict refuses it whole."""
    headers = bearer(server_world, "IT-SCO", "analyst")
    good = _contribution(
        [
            {"id": "w1", "kind": "person", "name": "Marisol Quintavalle"},
            {"id": "w2", "kind": "spaceship", "name": "x"},
        ],
        "WEB-1",
    )
    answer = client.post("/api/contributions", files={"file": ("web-1.json", good)}, headers=headers)
    assert answer.status_code == 200, answer.text
    report = answer.json()["reports"][0]
    assert report["status"] == "stored" and report["rejected"] == 1 and report["problems"]
    assert any(p["row"] is not None for p in report["problems"])
    shown = client.get(f"/api/contributions/{report['contribution']}", headers=headers).json()
    assert shown["problems"] and shown["record_count"] == 1
    strict = _contribution(
        [{"id": "s1", "kind": "person", "name": "Ottorino Vallescura"}, {"id": "s2", "kind": "spaceship"}],
        "WEB-2",
    )
    refused = client.post(
        "/api/contributions", files={"file": ("web-2.json", strict)}, data={"strict": "true"}, headers=headers
    )
    assert refused.json()["reports"][0]["status"] == "refused"
    search = client.get("/api/search", params={"q": "Ottorino Vallescura", "exact": "true"}, headers=headers)
    assert not search.json()["results"]  # nothing of the refused contribution was stored


def test_upload_for_another_agency_is_refused(client: TestClient, server_world: ServerWorld) -> None:
    headers = bearer(server_world, "FR-OCRIEST", "analyst")
    body = _contribution([{"id": "x1", "kind": "person", "name": "Gaspard Lemoinet"}], "WEB-3")
    answer = client.post("/api/contributions", files={"file": ("web-3.json", body)}, headers=headers)
    assert answer.json()["reports"][0]["status"] == "refused"


def test_review_and_disruption_from_the_page(client: TestClient, server_world: ServerWorld) -> None:
    """The review page has Same/Not same/Unsure and a Reason; a judgement goes through; disruption answers
    an htmx fragment."""
    csrf = _login(client, "web-analyst")
    page = client.get("/review").text
    for label in (">Same<", ">Not same<", ">Unsure<", ">Reason<"):
        assert label in page
    network = client.get("/networks/N1?min_size=2")
    assert network.status_code == 200 and "Simulate disruption" in network.text
    fragment = client.post(
        "/api/networks/N1/disruption",
        data={"remove": "1", "strategy": "degree", "min_size": "2", "csrf": csrf},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "fragmentation" in fragment.text and "<html" not in fragment.text
    data = client.post(
        "/api/networks/N1/disruption", json={"remove": 1, "min_size": 2}, headers=bearer(server_world, *HUB)
    )
    assert data.status_code == 200 and len(data.json()["remove"]) == 1


@pytest.mark.parametrize("verdict", ["unsure"])
def test_judging_a_pair(client: TestClient, server_world: ServerWorld, verdict: str) -> None:
    headers = bearer(server_world, *HUB)
    items = client.get("/api/review", headers=headers).json()["items"]
    if not items:
        pytest.skip("no pair the hub analyst may see in full")
    pair = items[0]["pair"]
    done = client.post(f"/api/review/{pair}", json={"verdict": verdict, "reason": "tests"}, headers=headers)
    assert done.status_code == 200 and done.json()["verdict"] == verdict


def test_reads_go_on_while_the_writer_is_busy(client: TestClient, server_world: ServerWorld) -> None:
    """A long write (held open here, as an upload's ingest is) does not stop pages and API reads; writes
    queue behind it and run in order."""
    import threading

    from mare.store.db import Store

    writer = client.app.state.mare.store.writer  # type: ignore[attr-defined]
    started, release = threading.Event(), threading.Event()

    def long_job(store: Store) -> str:
        started.set()
        assert release.wait(60), "the test never released the writer"
        return "done"

    busy = writer.submit(long_job, serial=False)
    assert started.wait(30)
    try:
        headers = bearer(server_world, *HUB)
        assert client.get("/api/stats", headers=headers).status_code == 200
        assert client.get("/api/search?q=Quixbery", headers=headers).status_code == 200
        queued = writer.submit(lambda store: "after")
        assert not busy.done() and not queued.done()
    finally:
        release.set()
    assert busy.result(30) == "done" and queued.result(30) == "after"


def test_pages_are_served_while_an_upload_waits_for_the_writer(
    client: TestClient, server_world: ServerWorld
) -> None:
    """A long write does not hold up reads: with the writer busy, an upload waits for it on the
    writer's queue while a read sent after it is answered first."""
    import threading
    import time

    headers = bearer(server_world, "IT-SCO", "analyst")
    release = threading.Event()
    # serial=False, as an upload's job: a busy job holding the append lock would hold up the read's
    # sign-in entry until the job timed out (60 s), and the order below would be left to chance.
    writer = client.app.state.mare.store.writer  # type: ignore[attr-defined]
    busy = writer.submit(lambda store: release.wait(60), serial=False)
    finished: list[str] = []

    def upload() -> None:
        sent = _contribution([{"id": "u1", "kind": "person", "name": "Ottavia Brenzoni"}], "WEB-WAIT")
        answer = client.post("/api/contributions", files={"file": ("wait.json", sent)}, headers=headers)
        finished.append(f"upload {answer.status_code}")

    uploading = threading.Thread(target=upload)
    uploading.start()
    time.sleep(0.5)  # the upload is in, waiting behind the busy writer
    answer = client.get("/api/stats", headers=headers)
    finished.append(f"read {answer.status_code}")
    release.set()
    uploading.join(120)
    busy.result(60)
    assert finished == ["read 200", "upload 200"]
