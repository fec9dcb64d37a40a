"""The widgets on their harness pages (web/harness), served with the web app's CSP."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from matplotlib import image as mpimg

from browser.conftest import Watched
from browser.harness_server import serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def harness() -> Iterator[str]:
    with serving() as url:
        yield url


def png_pixels(data: bytes) -> Any:
    """An RGB(A) array (floats 0..1) of a PNG."""
    return mpimg.imread(io.BytesIO(data), format="png")


@pytest.mark.parametrize("name", ["network", "map", "timeline", "chart"])
def test_widget_page_renders_clean_and_accessible(watched: Watched, harness: str, name: str) -> None:
    watched.page.goto(f"{harness}/harness/{name}.html")
    states = watched.wait_widgets()
    assert states and all(s["state"] == "ready" for s in states), states
    watched.screenshot(f"harness-{name}")
    assert watched.problems() == []
    assert watched.axe() == []


def node_point(w: Watched, node: str) -> tuple[float, float]:
    """Where a node is drawn, in page coordinates."""
    box = w.page.locator(".nw-canvas").bounding_box()
    assert box is not None
    at = w.page.evaluate(
        "(id) => { const {graph, renderer} = document.querySelector('[data-widget=network]').mareNetwork;"
        " return renderer.graphToViewport(graph.getNodeAttributes(id)); }",
        node,
    )
    return box["x"] + at["x"], box["y"] + at["y"]


def test_network_expand_path_time_window_and_png(watched: Watched, harness: str) -> None:
    page = watched.page
    page.goto(f"{harness}/harness/network.html")
    watched.wait_widgets()
    net = page.locator("[data-widget=network]")
    assert net.get_attribute("data-nodes") == "10"

    # Double-click a node: its neighbours join the chart (one with markup in its name, shown as text).
    x, y = node_point(watched, "p5")
    page.mouse.dblclick(x, y)
    page.wait_for_function("() => document.querySelector('[data-widget=network]').dataset.nodes === '13'")
    assert "Expanded Samir Haddad: 3 people and 3 links added." in page.locator(".nw-status").inner_text()
    page.get_by_text("People in this chart (13)").click()
    assert page.get_by_role("button", name="<script>alert(1)</script> Omar").count() == 1

    # The side panel: details, a link to the entity, expand already done.
    page.get_by_role("button", name="Ahmad Karimi").click()
    panel = page.locator(".nw-panel")
    assert "organiser" in panel.inner_text()
    link = panel.get_by_role("link", name="Open Ahmad Karimi")
    assert link.get_attribute("href") == "/harness/entity.html?id=p1"

    # Path between two people, from the selects.
    page.get_by_label("From", exact=True).nth(1).select_option(label="Olena Kovalenko")
    page.get_by_label("To", exact=True).nth(1).select_option(label="Tariq Aziz")
    page.get_by_role("button", name="Find path").click()
    assert net.get_attribute("data-path") == "p3 p1 p5 p7 p9"
    assert (
        "Olena Kovalenko → Ahmad Karimi → Samir Haddad → Ivan Petrov → Tariq Aziz"
        in page.locator(".nw-status").inner_text()
    )

    # A time window after Olena's last link: no path any more, and fewer links shown.
    start = page.locator(".nw-time input[type=range]").first
    day = page.evaluate("() => Math.floor(Date.parse('2024-10-01T00:00:00Z') / 86400000)")
    start.fill(str(day))
    assert "No path between Olena Kovalenko and Tariq Aziz" in page.locator(".nw-status").inner_text()
    assert net.get_attribute("data-path") is None
    start.fill(start.get_attribute("min") or "")

    # Shift-click two nodes: the path between them.
    page.get_by_role("button", name="Clear path").click()
    page.keyboard.down("Shift")
    page.mouse.click(*node_point(watched, "p4"))
    page.mouse.click(*node_point(watched, "p9"))
    page.keyboard.up("Shift")
    assert net.get_attribute("data-path") == "p4 p5 p7 p9"

    # Colour by role: the legend follows.
    page.get_by_label("Colour by").select_option("role")
    assert "broker" in page.locator(".nw-legend").inner_text()

    # Export PNG: a real picture of the chart, not a blank one.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export PNG").click()
    data = download.value.path().read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = png_pixels(data)
    canvas = page.locator(".nw-canvas").bounding_box()
    assert canvas is not None
    assert abs(pixels.shape[1] - canvas["width"]) <= 2
    drawn = (pixels[:, :, :3].sum(axis=2) < 2.7).mean()
    assert 0.002 < drawn < 0.5, f"share of non-white pixels in the PNG: {drawn:.4f}"
    watched.screenshot("harness-network-after")
    assert watched.problems() == []


def test_map_draws_basemap_layers_and_popups(watched: Watched, harness: str) -> None:
    page = watched.page
    page.goto(f"{harness}/harness/map.html")
    watched.wait_widgets()
    widget = page.locator("[data-widget=map]")
    assert widget.get_attribute("data-features") == "9"
    assert page.locator(".map-legend").inner_text().split("\n") == [
        "Hotspot",
        "Emerging hotspot",
        "Route",
        "Event",
        "Vessel track",
    ]
    box = page.locator(".map-canvas canvas").bounding_box()
    assert box is not None

    def project(lon: float, lat: float) -> tuple[float, float]:
        p = page.evaluate(
            "([lon, lat]) => document.querySelector('[data-widget=map]').mareMap.project([lon, lat])",
            [lon, lat],
        )
        return box["x"] + p["x"], box["y"] + p["y"]

    # The offline basemap: land (Andalusia) and sea (Ionian) in their colours.
    shot = png_pixels(page.screenshot())

    def colour(lon: float, lat: float) -> tuple[int, int, int]:
        x, y = project(lon, lat)
        r, g, b = shot[int(y), int(x), :3]
        return round(float(r) * 255), round(float(g) * 255), round(float(b) * 255)

    def near(c: tuple[int, int, int], hexcode: str) -> bool:
        want = tuple(int(hexcode[i : i + 2], 16) for i in (1, 3, 5))
        return all(abs(a - b) <= 6 for a, b in zip(c, want, strict=True))

    assert near(colour(-3.6, 37.4), "#f5f3ee"), colour(-3.6, 37.4)
    assert near(colour(18.5, 34.5), "#dbe7f0"), colour(18.5, 34.5)
    # All five layers are drawn where their features are.
    rendered = page.evaluate(
        "() => { const m = document.querySelector('[data-widget=map]').mareMap;"
        " return [...new Set(m.queryRenderedFeatures().map((f) => f.layer.id))].sort(); }"
    )
    assert set(rendered) >= {"land", "hotspot", "emerging_hotspot", "route", "event", "track"}

    # Click a hotspot: a popup with its label and count.
    page.mouse.click(*project(12.6, 35.5))
    popup = page.locator(".maplibregl-popup")
    popup.wait_for()
    assert "Lampedusa" in popup.inner_text()
    assert "24" in popup.inner_text()
    page.get_by_text("Places on this map (9)").click()
    assert page.locator(".map-list tbody tr").count() == 9
    assert watched.problems() == []
    assert watched.axe() == []


def test_timeline_keyboard_and_tooltips(watched: Watched, harness: str) -> None:
    page = watched.page
    page.goto(f"{harness}/harness/timeline.html")
    watched.wait_widgets()
    lanes = page.locator(".tl-name").all_inner_texts()
    assert lanes == ["call (2)", "meeting (1)", "money (2)", "record (1)", "trip (1)"]
    first = page.get_by_role("link", name="2024-02-01: First call with A. Karimi")
    first.focus()
    assert page.locator(".tl-tip", has_text="First call with A. Karimi").is_visible()
    page.keyboard.press("ArrowRight")

    def focused(attribute: str) -> str:
        return str(page.evaluate("(a) => document.activeElement.getAttribute(a)", attribute))

    assert focused("aria-label") == "2024-09-01: Calls with I. Petrov begin"
    assert focused("href") == "/harness/entity.html?record=rec-190"
    page.keyboard.press("Tab")
    assert focused("aria-label") == "2024-03-01 10:30: Meeting in Tripoli"


def test_chart_has_title_axes_and_table(watched: Watched, harness: str) -> None:
    page = watched.page
    page.goto(f"{harness}/harness/chart.html")
    watched.wait_widgets()
    bar = page.get_by_role("img", name="Records per agency")
    assert bar.locator("rect").count() == 8
    line = page.get_by_role("img", name="Detections per month")
    assert line.locator("circle").count() == 5
    page.get_by_text("Data table").first.click()
    table = page.get_by_role("table", name="Records per agency")
    assert table.locator("tbody tr").count() == 4
    assert table.locator("tbody tr").first.inner_text().split("\t") == ["Agency A", "1240", "120"]


def test_errors_are_shown_and_htmx_swaps_mount(watched: Watched, harness: str) -> None:
    page = watched.page
    page.goto(f"{harness}/harness/errors.html")
    states = {s["text"].strip(): s["state"] for s in watched.wait_widgets()}
    assert states == {
        "You may not see this network: it belongs to another agency.": "error",
        "Your session has ended: sign in again.": "error",
        "chart data: 'x' should be a list of labels": "error",
        'Unknown widget "pie": expected network, map, timeline or chart.': "error",
    }
    assert page.get_by_role("alert").count() == 4
    page.get_by_role("button", name="Load a chart").click()
    page.wait_for_selector("#from-htmx[data-state=ready]")
    assert page.locator("#from-htmx svg circle").count() == 5
    # The refusals answer 401 and 403 on purpose; nothing else may go wrong.
    assert watched.problems(allow=("status of 401", "status of 403")) == []
