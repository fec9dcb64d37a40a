"""The pages: the views of `mare.server.views` rendered with Jinja2 (autoescaped), sign-in and sign-out.

No inline script or style anywhere (the Content-Security-Policy forbids them): widgets read their data
from `data-*` attributes and fetch it from /api; htmx comes in the widgets' bundle.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mare.hub import admin
from mare.hub.audit import APPEND_LOCK, AuditLog
from mare.hub.identity import Credentials, SignInError, open_context
from mare.server.access import BadInput, Caller, caller, state, write
from mare.server.session import CSRF_COOKIE, SESSION_COOKIE, SESSION_SECONDS, Session, same_token
from mare.server.views import PageView

NAV = (
    ("/dashboard", "Dashboard"),
    ("/search", "Search"),
    ("/review", "Review"),
    ("/networks", "Networks"),
    ("/map", "Map"),
    ("/vessels", "Vessels"),
    ("/money", "Money"),
    ("/adverts", "Adverts"),
    ("/reports", "Reports"),
    ("/contributions", "Contributions"),
    ("/alerts", "Alerts"),
    ("/notifications", "Notifications"),
    ("/consent", "Consent"),
    ("/retention", "Retention"),
    ("/audit", "Audit"),
)


def _csrf(request: Request) -> tuple[str, str | None]:
    """The CSRF token for this page's forms, and a new signed cookie to set when there was none."""
    signer = state(request).signer
    session = signer.load_session(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        return session.csrf, None
    existing = signer.load_csrf(request.cookies.get(CSRF_COOKIE))
    if existing:
        return existing, None
    return signer.new_csrf()


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=state(request).secure_cookies,
        samesite="strict",
        path="/",
    )


def render(
    request: Request, template: str, data: dict[str, Any], status: int = 200, **extra: Any
) -> Response:
    """A page from its template and data (the signed-in user, CSRF token and navigation added)."""
    token, cookie = _csrf(request)
    session = state(request).signer.load_session(request.cookies.get(SESSION_COOKIE))
    response = state(request).templates.TemplateResponse(
        request,
        template,
        {
            "data": data,
            "csrf": token,
            "user": session.user if session else None,
            "nav": NAV,
            "path": request.url.path,
            "query": request.query_params,
            **extra,
        },
        status_code=status,
    )
    if cookie is not None:
        _cookie(response, request, CSRF_COOKIE, cookie, SESSION_SECONDS)
    return response


def html(entry: PageView) -> Any:
    """The HTML route of a page: the same view, rendered."""

    @functools.wraps(entry.view)
    def show(request: Request, **kwargs: Any) -> Response:
        data = entry.view(request, **kwargs)
        return render(request, entry.template, data, title=entry.title)

    return show


async def check_csrf(request: Request) -> None:
    """A POST signed in by the session cookie must carry its CSRF token (form field or header)."""
    if request.headers.get("authorization"):
        return  # a bearer token: no cookie involved
    session = state(request).signer.load_session(request.cookies.get(SESSION_COOKIE))
    expected = session.csrf if session else None
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form(max_files=1, max_fields=50)
        value = form.get("csrf")
        given = value if isinstance(value, str) else None
    if session is not None and not same_token(expected, given):
        raise CsrfError("the form's CSRF token is missing or stale: reload the page and try again")


class CsrfError(BadInput):
    """A POST without the session's CSRF token (403)."""


def _local(path: str | None, default: str) -> str:
    """A redirect target on this site only."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return default


def after_action(request: Request, name: str, data: dict[str, Any], back: str) -> Response:
    """What a browser gets after an action: an htmx fragment, the upload report, or a redirect."""
    if name == "disruption_action":
        return render(request, "fragments/disruption.html", data)
    if name == "upload_action":
        return render(request, "upload_report.html", data, title="Upload report")
    target = back
    if name == "disruption_action":
        target = f"/networks/{data.get('network')}"
    return RedirectResponse(_local(request.query_params.get("next"), target), status_code=303)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def add_routes(app: FastAPI) -> None:
    """Sign-in, sign-out and the front page."""

    @app.get("/", include_in_schema=False)
    def front(request: Request) -> Response:
        return RedirectResponse("/dashboard", status_code=303)

    @app.get("/login", include_in_schema=False, response_class=HTMLResponse)
    def login_page(request: Request) -> Response:
        return render(request, "login.html", {}, title="Sign in")

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=10)
        username = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        given = form.get("csrf")
        expected = state(request).signer.load_csrf(request.cookies.get(CSRF_COOKIE))
        if not same_token(expected, given if isinstance(given, str) else None):
            return render(
                request,
                "login.html",
                {"error": "The form expired: please sign in again."},
                403,
                title="Sign in",
            )
        if not username or not password or len(username) > 200 or len(password) > 1000:
            return render(
                request, "login.html", {"error": "Give your user name and password."}, 400, title="Sign in"
            )
        limiter, address = state(request).limiter, _address(request)
        blocked = limiter.blocked(username, address)
        with state(request).store.reading() as store:
            if blocked:
                AuditLog(store).append(
                    actor=username,
                    actor_agency=None,
                    action="login",
                    outcome="refused",
                    details={"reason": blocked, "address": address, "via": "web"},
                )
                return render(
                    request, "login.html", {"error": blocked.capitalize() + "."}, 429, title="Sign in"
                )
            try:
                with APPEND_LOCK:
                    ctx = open_context(
                        store, Credentials(user=username, ask_password=lambda _: password), what="web sign-in"
                    )
            except SignInError:
                limiter.failed(username, address)
                return render(
                    request, "login.html", {"error": "Wrong user name or password."}, 401, title="Sign in"
                )
        limiter.succeeded(username)
        expires = datetime.now(UTC) + timedelta(seconds=SESSION_SECONDS)
        with ctx:
            token_id, token = await write(
                request,
                ctx,
                lambda c: admin.issue_token(c, username, label="web session", expires_at=expires),
            )
        session = Session(username, token, token_id, state(request).signer.new_csrf()[0])
        response = RedirectResponse(_local(str(form.get("next") or ""), "/dashboard"), status_code=303)
        _cookie(
            response, request, SESSION_COOKIE, state(request).signer.dump_session(session), SESSION_SECONDS
        )
        response.delete_cookie(CSRF_COOKIE, path="/")
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        await check_csrf(request)
        try:
            found: Caller | None = caller(request)
        except SignInError:
            found = None
        if found is not None and found.session is not None:
            session = found.session
            with state(request).store.reading() as store:
                try:
                    with APPEND_LOCK:
                        ctx = open_context(store, Credentials(token=session.token), what="web sign-out")
                except SignInError:
                    ctx = None
                if ctx is not None:
                    with ctx:
                        await write(request, ctx, lambda c: admin.revoke_token(c, session.token_id))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
