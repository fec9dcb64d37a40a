"""The web server: the JSON API under /api (OpenAPI at /api/docs) and the pages, over the hub layer.

`create_app(home)` opens the store once for the process (`ServerStore`: reads on per-request cursors,
writes through one writer thread). Conventions (docs/web.md):

- every page `/x` answers with HTML; the same view's data is JSON at `/api/x`;
- actions are `POST /api/...`; from a browser form they answer with a redirect to the page (from htmx,
  with an HTML fragment), from a program with JSON;
- errors: JSON `{"error": …}` with 400 (bad input), 401 (sign in), 403 (refused, with the rule), 404,
  413 (too large), 422 (fields), 429 (too many sign-ins); pages show a short page saying the same.
"""

from __future__ import annotations

import functools
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread
import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mare import __version__
from mare.hub.context import Refused
from mare.hub.identity import SignInError
from mare.server import adverts_views, money_views, pages, reports
from mare.server.access import BadInput
from mare.server.actions import ACTIONS
from mare.server.json_body import answers_json
from mare.server.session import LoginLimiter, Signer, session_secret
from mare.server.store import DB_THREADS, ServerStore
from mare.server.upload import MAX_UPLOAD, TooLarge, upload_action
from mare.server.views import DATA_ROUTES, PAGES
from mare.visible_text import template_value

HERE = Path(__file__).parent
#: Page modules beside `views`: their `@page` views join PAGES when imported.
PAGE_MODULES = (money_views, adverts_views)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "worker-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
#: Largest body outside uploads.
MAX_BODY = 1 << 20
#: Views run at once (worker threads; the others wait on the event loop, in order).
VIEW_THREADS = 8


@dataclass
class ServerState:
    """What every request shares: the store, the cookie signer, the login limiter, the settings."""

    store: ServerStore
    signer: Signer
    limiter: LoginLimiter
    secure_cookies: bool
    max_upload: int
    templates: Jinja2Templates


class Guard:
    """ASGI middleware: security headers on every response; bodies over the limit refused (413)."""

    def __init__(self, app: ASGIApp, max_upload: int) -> None:
        self.app = app
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["path"].rstrip("/") in ("/api/contributions", "/contributions")
        limit = self.max_upload + (1 << 20) if upload else MAX_BODY
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(scope, send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge(f"the body is larger than {limit:,} bytes")
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                # A report page brings a CSP of its own (stricter: its inline style by hash, no script).
                own = any(name.lower() == b"content-security-policy" for name, _ in headers)
                added = [h for h in SECURITY_HEADERS if not (own and h[0] == b"content-security-policy")]
                message["headers"] = [*headers, *added]
            await send(message)

        await self.app(scope, counted, with_headers)


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    body = JSONResponse({"error": f"the body is larger than {limit:,} bytes: send less"}, status_code=413)
    await body({**scope}, _no_receive, lambda m: send(_secure(m)))


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _template_json(value: Any, **kwargs: Any) -> str:
    """JSON for a template's `tojson`: FastAPI's encoding (decimals as numbers, dates as ISO text)."""
    return json.dumps(jsonable_encoder(value), **kwargs)


def _secure(message: Message) -> Message:
    if message["type"] == "http.response.start":
        message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
    return message


def _wants_json(request: Request) -> bool:
    """JSON for programs; HTML for a browser (it asks for text/html) and for htmx."""
    if request.headers.get("hx-request"):
        return False
    return request.url.path.startswith("/api/") and "text/html" not in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str, **extra: Any) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message, **extra}, status_code=status)
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    return pages.render(request, "error.html", {"status": status, "message": message, **extra}, status)


def create_app(
    home: Path,
    *,
    secret: bytes | None = None,
    secure_cookies: bool = True,
    max_upload: int = MAX_UPLOAD,
    limiter: LoginLimiter | None = None,
    db_threads: int = DB_THREADS,
) -> FastAPI:
    """The app over the store in HOME (one open store for the process; closed at shutdown)."""
    store = ServerStore(home, db_threads)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the views run on worker threads: a few, not anyio's 40, so that the threads sharing the
        # interpreter do not queue behind each other for it and for the audit chain's append lock
        anyio.to_thread.current_default_thread_limiter().total_tokens = VIEW_THREADS
        yield
        store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Mare",
        version=__version__,
        description="The hub's JSON API: every response through the access policy, every call audited.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    # Every value printed by a template: escaped for HTML, its control and bidi characters made visible.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, finalize=template_value
    )
    # `tojson` in templates encodes what the JSON twin would (decimals, dates) the same way.
    env.policies["json.dumps_function"] = _template_json
    templates = Jinja2Templates(env=env)
    app.state.mare = ServerState(
        store=store,
        signer=Signer(secret or session_secret(store.home)),
        limiter=limiter or LoginLimiter(),
        secure_cookies=secure_cookies,
        max_upload=max_upload,
        templates=templates,
    )
    app.add_middleware(Guard, max_upload=max_upload)
    app.mount("/static", StaticFiles(directory=str(HERE / "static"), check_dir=False), name="static")

    @app.exception_handler(SignInError)
    async def sign_in_failed(request: Request, exc: SignInError) -> Response:
        return _error(request, 401, str(exc))

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        return _error(request, 403, str(exc), rule=exc.permission.rule)

    @app.exception_handler(pages.CsrfError)
    async def csrf_failed(request: Request, exc: pages.CsrfError) -> Response:
        return _error(request, 403, str(exc), rule="csrf")

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, exc: TooLarge) -> Response:
        return _error(request, 413, str(exc))

    @app.exception_handler(BadInput)
    async def bad_input(request: Request, exc: BadInput) -> Response:
        return _error(request, 400, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]]
        return _error(request, 422, "; ".join(problems) or "invalid request", problems=problems)

    for path, view in [*DATA_ROUTES, *reports.DATA_ROUTES]:
        app.add_api_route("/api" + path, answers_json(view), methods=["GET"], tags=["data"])
    for path, document in reports.DOCUMENT_ROUTES:
        app.add_api_route(path, document, methods=["GET"], include_in_schema=False)
    for entry in PAGES:
        app.add_api_route("/api" + entry.path, answers_json(entry.view), methods=["GET"], tags=["pages"])
        app.add_api_route(
            entry.path,
            pages.html(entry),
            methods=["GET"],
            include_in_schema=False,
            response_class=HTMLResponse,
        )
    app.add_api_route(
        "/api/contributions",
        _action(upload_action, "/contributions"),
        methods=["POST"],
        tags=["actions"],
        status_code=200,
    )
    for method, path, action, back in ACTIONS:
        app.add_api_route("/api" + path, _action(action, back), methods=[method], tags=["actions"])
    pages.add_routes(app)
    return app


def _action(action: Callable[..., Awaitable[dict[str, Any]]], back: str) -> Callable[..., Awaitable[Any]]:
    """An action with the CSRF check for cookie sessions, and the answer a browser form expects."""

    @functools.wraps(action)
    async def run(request: Request, **kwargs: Any) -> Any:
        await pages.check_csrf(request)
        data = await action(request, **kwargs)
        if _wants_json(request):
            return data
        return pages.after_action(request, action.__name__, data, back)

    return run


def new_secret() -> bytes:
    """A random secret (tests)."""
    return secrets.token_bytes(32)
