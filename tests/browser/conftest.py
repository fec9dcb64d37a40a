"""Browser tests: Playwright (the Python driver only) driving Debian's chromium, never a downloaded one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
WIDGETS = ROOT / "src" / "mare" / "server" / "static" / "dist" / "widgets.js"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ROOT / "test-artifacts" / "screens"

# Software WebGL (SwiftShader) so that sigma.js and MapLibre draw without a GPU.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]

# Runs before the page's own scripts (DevTools injection is not subject to the page's CSP):
# records CSP violations, and loads axe-core from node_modules.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""

AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
}"""


@dataclass
class Watched:
    """A page with what went wrong on it: console errors, uncaught errors, CSP violations, dialogs."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("() => window.__csp || []"))

    def problems(self, allow: tuple[str, ...] = ()) -> list[str]:
        errors = [e for e in self.console_errors if not any(a in e for a in allow)]
        return errors + [f"CSP: {v}" for v in self.csp_violations()] + [f"dialog: {d}" for d in self.dialogs]

    def wait_widgets(self, timeout_ms: int = 30_000) -> list[dict[str, str]]:
        """Wait until every widget on the page is ready or shows an error; returns their states."""
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('.widget[data-widget]')]"
            ".every((w) => w.dataset.state === 'ready' || w.dataset.state === 'error')",
            timeout=timeout_ms,
        )
        return list(
            self.page.evaluate(
                "() => [...document.querySelectorAll('.widget[data-widget]')].map((w) => "
                "({widget: w.dataset.widget, state: w.dataset.state, text: w.innerText.slice(0, 200)}))"
            )
        )

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the page as it stands."""
        found = self.page.evaluate(AXE_RUN)
        return [v for v in found if v["impact"] in ("serious", "critical")]

    def screenshot(self, name: str) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium: run 'make chromium'")
    if not WIDGETS.exists():
        pytest.fail("The browser widgets are not built: run 'make setup' (or 'npm run build')")
    if not AXE.exists():
        pytest.fail("axe-core is missing from node_modules: run 'make setup' (npm ci)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()


def watch(browser: Any, **context_args: Any) -> Watched:
    """A fresh context and page, watched for console errors, CSP violations and dialogs."""
    viewport = {"width": 1280, "height": 860}
    context = browser.new_context(viewport=viewport, accept_downloads=True, **context_args)
    context.add_init_script(WATCH)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    watched = Watched(page)

    def on_console(message: Any) -> None:
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            watched.console_errors.append(f"{message.text} [{where}]" if where else message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: watched.console_errors.append(f"uncaught: {e}"))

    def on_dialog(dialog: Any) -> None:
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return watched


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    w = watch(browser)
    yield w
    w.page.context.close()
