"""Who asks, for what: one `HubContext` per request, signed in from the session cookie or a bearer token.

The purpose and the justification come from the query (`purpose`, `why`), a header (`X-Mare-Purpose`,
`X-Mare-Why`) or a form field of the same name; the default purpose is crime fighting. A request with
no credentials is refused (401) — never treated as the store's local operator, whatever account runs
the server. Reads run on the request's own cursor; `write` hands work to the writer thread with a
context for the same viewer there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import Request

from mare.access.policy import PURPOSES, Purpose
from mare.hub.context import HubContext
from mare.hub.identity import Credentials, SignInError, open_context
from mare.server.session import SESSION_COOKIE, Session
from mare.store.db import Store

if TYPE_CHECKING:
    from mare.server.app import ServerState

T = TypeVar("T")


class BadInput(ValueError):
    """A request the server cannot take as given (400), with what to send instead."""


@dataclass(frozen=True, slots=True)
class Caller:
    """How a request proves who it is: a bearer token, or a session."""

    token: str
    session: Session | None


def state(request: Request) -> ServerState:
    """The server's shared state."""
    found: ServerState = request.app.state.mare
    return found


def caller(request: Request) -> Caller:
    """The request's credentials, or SignInError (401) when it brings none."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return Caller(value.strip(), None)
    if header:
        raise SignInError("send `Authorization: Bearer <token>` (tokens: `mare users token NAME`)")
    session = state(request).signer.load_session(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise SignInError("sign in first: /login (people) or `Authorization: Bearer <token>` (systems)")
    return Caller(session.token, session)


def _field(request: Request, name: str, form: dict[str, Any] | None) -> str | None:
    value = request.query_params.get(name) or request.headers.get(f"x-mare-{name}")
    if value is None and form is not None:
        found = form.get(name)
        value = found if isinstance(found, str) else None
    return value or None


def purpose_of(
    request: Request, form: dict[str, Any] | None = None, default: Purpose | None = None
) -> Purpose:
    """The purpose the request states (default: crime fighting, or the view's own)."""
    value = _field(request, "purpose", form)
    if value is None:
        return default or "crime_fighting"
    for purpose in PURPOSES:
        if purpose == value:
            return purpose
    raise BadInput(f"unknown purpose {value!r}: use one of {', '.join(PURPOSES)}")


@contextmanager
def hub_context(
    request: Request,
    what: str,
    form: dict[str, Any] | None = None,
    purpose: Purpose | None = None,
) -> Iterator[HubContext]:
    """Sign in and yield the request's context on its own cursor; its consultation entry is written
    when the block ends."""
    found = caller(request)
    stated = purpose_of(request, form, purpose)
    why = _field(request, "why", form)
    if why is not None and len(why) > 2000:
        raise BadInput("the justification (why) is longer than 2,000 characters: shorten it")
    with state(request).store.reading() as store:
        # the sign-in's `login` entry goes with the request's consultation entry: one append, one commit
        ctx = open_context(
            store, Credentials(token=found.token), purpose=stated, why=why, what=what, together=True
        )
        try:
            yield ctx
        finally:
            ctx.close()


async def write(
    request: Request,
    ctx: HubContext,
    work: Callable[[HubContext], T],
    serial: bool = True,
    adds_only: bool = False,
) -> T:
    """Run `work` on the writer thread, as the same viewer in a context of its own (closed there).
    Awaited, never waited on: the event loop goes on serving other requests while a long upload
    ingests and cross-checks (waiting on it blocked every page until the upload ended)."""

    def job(store: Store) -> T:
        inner = HubContext(store, ctx.viewer, ctx.via, ctx.purpose, ctx.why, ctx.what, ctx.today)
        try:
            return work(inner)
        finally:
            inner.close()

    return await asyncio.wrap_future(state(request).store.writer.submit(job, serial, adds_only))
