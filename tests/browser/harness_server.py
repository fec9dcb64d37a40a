"""A tiny static server for the widget harness (web/harness), with the web app's Content-Security-Policy.

It serves /static/ from src/mare/server/static (the built widgets), /harness/ from web/harness, and a
few /api/ answers that a widget must show as errors. Run it by hand with
`uv run python tests/browser/harness_server.py [PORT]` after `npm run build`.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "mare" / "server" / "static"
HARNESS = ROOT / "web" / "harness"

# The same policy the web app sends (src/mare/server/app.py).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "worker-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

ERRORS = {
    "/api/refused": (403, "You may not see this network: it belongs to another agency."),
    "/api/signed-out": (401, "Your session has ended: sign in again."),
}


class HarnessHandler(SimpleHTTPRequestHandler):
    """Static files from two folders, JSON errors for the error page, the CSP on every answer."""

    TYPES: ClassVar[dict[str, str]] = {
        ".js": "text/javascript",
        ".json": "application/json",
        ".css": "text/css",
    }

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return self.TYPES.get(Path(path).suffix, super().guess_type(path))

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        for prefix, folder in (("/static/", STATIC), ("/harness/", HARNESS)):
            if clean.startswith(prefix):
                target = (folder / clean[len(prefix) :]).resolve()
                if folder.resolve() in target.parents or target == folder.resolve():
                    return str(target)
        return str(HARNESS / "missing")

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/":
            self.send_response(302)
            self.send_header("Location", "/harness/index.html")
            self.end_headers()
            return
        if path in ERRORS:
            status, message = ERRORS[path]
            body = json.dumps({"error": message}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def serving(port: int = 0) -> Iterator[str]:
    """Serve the harness on 127.0.0.1 in a background thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(HarnessHandler, directory=str(HARNESS)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    if not (STATIC / "dist" / "widgets.js").exists():
        sys.exit("The widgets are not built: run 'npm run build' (or 'make setup') first.")
    with serving(port) as url:
        print(f"Widget harness on {url}/harness/index.html (Ctrl-C to stop)")
        threading.Event().wait()


if __name__ == "__main__":
    main()
