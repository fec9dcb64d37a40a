"""End to end: `mare serve` on a tiny demo hub, driven through its pages in Debian's chromium.

Every main screen is checked for console errors, CSP violations and axe-core's serious or critical
findings, and saved as a screenshot under test-artifacts/screens/."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from browser.conftest import Watched, watch
from mare.hub import accounts
from mare.scenario.agencies import AGENCIES
from mare.store.db import open_store

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
MARE = Path(sys.executable).with_name("mare")
# The pages name no icon, so chromium asks for /favicon.ico and logs its 404.
ALLOWED: tuple[str, ...] = ("/favicon.ico]",)


@dataclass
class App:
    url: str
    home: Path
    transliterated: tuple[str, str]  # (record uid, the Latin spelling of a name stored in another script)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def transliterated_name(home: Path) -> tuple[str, str]:
    """A person record whose name the hub transliterated, and its Latin spelling (read once, for the test)."""
    with open_store(home) as store:
        rows = store.con.execute(
            "SELECT record_uid, original, extra FROM record_values "
            "WHERE field = 'name' AND list_contains(flags, 'transliterated') ORDER BY record_uid"
        ).fetchall()
    assert rows, "the demo hub holds no transliterated name to search for"
    uid, _original, extra = max(rows, key=lambda r: sum(1 for ch in r[1] if ord(ch) > 0x24F))
    return str(uid), str(json.loads(extra)["latin"])


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    home = tmp_path_factory.mktemp("web-app") / "hub"
    subprocess.run(
        [str(MARE), "demo", "--scale", "tiny", "--seed", "7", "--no-serve", "--home", str(home)],
        check=True,
        capture_output=True,
    )
    countries = {a.id: a.country for a in AGENCIES}
    with open_store(home) as store:
        if accounts.get_agency(store, "IT-SCO") is None:
            accounts.add_agency(store, "IT-SCO", "IT-SCO", countries["IT-SCO"], "member_state")
        accounts.add_user(store, "web-hub", "HUB", ["analyst", "supervisor"], PASSWORD)
        accounts.add_user(store, "web-it", "IT-SCO", ["analyst", "contributor"], PASSWORD)
    found = transliterated_name(home)
    port = free_port()
    # The server's log goes to a file: a pipe nobody reads fills up and blocks the server mid-request.
    log = home.parent / "serve.log"
    server = subprocess.Popen(
        [str(MARE), "serve", "--home", str(home), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/login", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    err = log.read_text(encoding="utf-8", errors="replace")
                    pytest.fail(f"mare serve did not start on {url}: {err[-2000:]}")
                time.sleep(0.3)
        yield App(url, home, found)
    finally:
        server.terminate()
        server.wait(timeout=20)


def sign_in(w: Watched, app: App, user: str) -> None:
    w.page.goto(f"{app.url}/login")
    w.page.get_by_label("User name").fill(user)
    w.page.get_by_label("Password").fill(PASSWORD)
    w.page.get_by_role("button", name="Sign in").click()
    w.page.wait_for_url(re.compile(r"/dashboard"))


@pytest.fixture(scope="module")
def hub_session(browser: Any, app: App) -> Iterator[Watched]:
    """One signed-in hub analyst for the module's screens, in order."""
    w = watch(browser)
    sign_in(w, app, "web-hub")
    yield w
    w.page.context.close()


@pytest.fixture
def hub(hub_session: Watched) -> Watched:
    """The hub analyst's page, with the errors of earlier tests forgotten."""
    hub_session.console_errors.clear()
    hub_session.dialogs.clear()
    return hub_session


def check_screen(w: Watched, name: str) -> list[dict[str, str]]:
    """Widgets ready, a screenshot saved, no console error or CSP violation, no serious axe finding."""
    states = w.wait_widgets()
    assert all(s["state"] == "ready" for s in states), states
    w.screenshot(name)
    assert w.problems(ALLOWED) == []
    assert w.axe() == []
    return states


def test_login(browser: Any, app: App) -> None:
    w = watch(browser)
    try:
        w.page.goto(app.url)
        assert "/login" in w.page.url
        check_screen(w, "login")
        w.page.get_by_label("User name").fill("web-hub")
        w.page.get_by_label("Password").fill("not the password at all")
        w.page.get_by_role("button", name="Sign in").click()
        assert "/login" in w.page.url
        assert w.page.get_by_role("button", name="Sign in").is_visible()
        w.console_errors.clear()  # the refused sign-in answers 401 on purpose
        sign_in(w, app, "web-hub")
        assert w.page.get_by_role("button", name="Sign out").is_visible()
    finally:
        w.page.context.close()


def test_dashboard(hub: Watched, app: App) -> None:
    hub.page.goto(f"{app.url}/dashboard")
    states = check_screen(hub, "dashboard")
    assert [s["widget"] for s in states] == ["map"]


def test_search_finds_a_transliterated_name(hub: Watched, app: App) -> None:
    uid, latin = app.transliterated
    page = hub.page
    page.goto(f"{app.url}/dashboard")
    page.get_by_role("link", name="Search", exact=True).first.click()
    page.get_by_label("Search", exact=True).fill(latin)
    page.get_by_label("Search", exact=True).press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    hit = page.locator(f'main a[href="/entities/{quote(uid, safe="")}"]')
    assert hit.count() >= 1, f"{latin!r} did not find {uid}"
    check_screen(hub, "search")


def test_entity(hub: Watched, app: App) -> None:
    uid, _latin = app.transliterated
    page = hub.page
    page.goto(f"{app.url}/search?q={quote(app.transliterated[1])}")
    page.locator(f'main a[href="/entities/{quote(uid, safe="")}"]').first.click()
    page.wait_for_url(re.compile(r"/entities/"))
    states = check_screen(hub, "entity")
    assert {"network", "timeline"} <= {s["widget"] for s in states}


def test_network_expand_and_disruption(hub: Watched, app: App) -> None:
    page = hub.page
    page.goto(f"{app.url}/networks")
    check_screen(hub, "networks")
    page.locator("main a[href^='/networks/']").first.click()
    page.wait_for_url(re.compile(r"/networks/[^/?]+"))
    hub.wait_widgets()
    net = page.locator("[data-widget=network]")
    before = int(net.get_attribute("data-nodes") or 0)
    assert before > 1
    # Expand the first person from the keyboard-reachable list and the side panel.
    page.locator(".nw-list summary").click()
    page.locator(".nw-people button").first.click()
    page.locator(".nw-panel").get_by_role("button", name="Expand").click()
    page.wait_for_function(
        "() => /Expanded|Could not expand/.test(document.querySelector('.nw-status').textContent)"
    )
    status = page.locator(".nw-status").inner_text()
    assert status.startswith("Expanded"), status
    assert int(net.get_attribute("data-nodes") or 0) >= before
    check_screen(hub, "network")
    page.get_by_role("button", name="Simulate disruption").click()
    page.wait_for_load_state("networkidle")
    hub.wait_widgets()
    assert re.search(r"(?i)disrupt|removed|fragment", page.locator("main").inner_text())
    check_screen(hub, "network-disruption")


def test_review_a_hit(hub: Watched, app: App) -> None:
    page = hub.page
    page.goto(f"{app.url}/review")
    forms = page.locator("main form:has(button:text-is('Not same'))")
    count = forms.count()
    assert count >= 1, "nothing to review in the demo hub"
    check_screen(hub, "review")
    first = forms.first
    action = first.get_attribute("action")
    first.get_by_label("Reason").fill("Different birth years and no shared identifiers.")
    first.get_by_role("button", name="Not same").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(f'main form[action="{action}"]').count() == 0, "the reviewed pair is still offered"
    assert hub.problems(ALLOWED) == []


def test_map_shows_hotspots(hub: Watched, app: App) -> None:
    page = hub.page
    page.goto(f"{app.url}/map")
    check_screen(hub, "map")
    assert "Hotspot" in page.locator(".map-legend").inner_text()
    drawn = page.evaluate(
        "() => document.querySelector('[data-widget=map]').mareMap"
        ".queryRenderedFeatures({layers: ['hotspot']}).length"
    )
    assert drawn > 0


def test_money_and_adverts_pages(hub: Watched, app: App) -> None:
    page = hub.page
    page.goto(f"{app.url}/money")
    check_screen(hub, "money")
    assert page.locator("main h2").all_inner_texts()[:2] == ["Turnover", "Patterns"]
    page.goto(f"{app.url}/adverts")
    check_screen(hub, "adverts")
    assert page.locator("main a[aria-current='page']").count() == 0  # the nav is outside main
    assert page.locator("nav a[href='/adverts'][aria-current='page']").count() == 1


def test_reports_page_and_a_report(hub: Watched, app: App) -> None:
    page = hub.page
    page.goto(f"{app.url}/reports")
    check_screen(hub, "reports")
    assert page.locator("main a[href^='/reports/initiation?network=']").count() >= 1
    page.locator("main a[href='/reports/situation?format=html']").click()
    page.wait_for_url(re.compile(r"/reports/situation"))
    assert "Handling:" in page.locator("body").inner_text()
    # the report's inline style applies under its own CSP (allowed by its hash): the banner has its border
    border = page.evaluate("() => getComputedStyle(document.querySelector('.handling')).borderTopStyle")
    assert border == "solid"
    hub.screenshot("report-situation")
    assert hub.problems(ALLOWED) == []


def test_upload_a_broken_file_and_read_the_report(browser: Any, app: App, tmp_path: Path) -> None:
    broken = tmp_path / "IT-SCO-2026-990001.json"
    broken.write_text(
        json.dumps(
            {
                "format": "mare.contribution/1",
                "id": "IT-SCO-2026-990001",
                "agency": "IT-SCO",
                "sent_at": "2026-01-05T10:00:00Z",
                "handling": {"code": "H2"},
                "evaluation": {"scheme": "4x4", "source": "B", "information": "2"},
                "crime_areas": ["migrant_smuggling"],
                "records": [
                    {"id": "p1", "kind": "person", "name": "Amir Haddad", "birth_date": "1990-04-12"},
                    {"id": "p2", "kind": "person", "name": "Omar <b>Farouk</b>", "birth_date": "31/02/1990"},
                    {"id": "p3", "kind": "spaceship", "name": "Nobody"},
                ],
                "links": [{"kind": "knows", "source": "p1", "target": "p9"}],
            }
        )
    )
    w = watch(browser)
    try:
        sign_in(w, app, "web-it")
        page = w.page
        page.goto(f"{app.url}/contributions")
        check_screen(w, "contributions")
        page.locator("main input[type=file]").set_input_files(str(broken))
        # the upload is ingested and cross-checked before the report comes back: the first
        # cross-check of a server process loads the name tables, which takes a while on a busy machine
        with page.expect_navigation(timeout=180_000):
            page.get_by_role("button", name="Upload").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("main").count() == 1, page.content()[:2000]
        text = page.locator("main").inner_text()
        assert re.search(r"(?i)row|record", text) and re.search(r"(?i)spaceship|kind", text), text[:1500]
        check_screen(w, "upload-report")
    finally:
        w.page.context.close()
