"""`mare serve`: the web app and the JSON API on an existing store (uvicorn); `mare demo`'s users."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mare.cli.common import HomeOpt, console, fail

if TYPE_CHECKING:
    from mare.hub.context import HubContext

HostOpt = Annotated[
    str, typer.Option("--host", help="Address to listen on (keep 127.0.0.1 unless behind TLS).")
]
PortOpt = Annotated[int, typer.Option("--port", help="Port to listen on.")]
InsecureOpt = Annotated[
    bool,
    typer.Option(
        "--insecure-cookies",
        help="Send the session cookie over plain http (the default on 127.0.0.1 only).",
    ),
]
ThreadsOpt = Annotated[
    int,
    typer.Option(
        "--db-threads",
        min=1,
        help="DuckDB threads per statement (default 1: concurrent requests use the cores; raise it for "
        "one user on many cores).",
    ),
]

#: The demo's people: (user name, agency, roles). Passwords are generated on each `mare demo` run.
DEMO_USERS = (
    ("de-analyst", "DE-BKA", ["analyst"]),
    ("it-analyst", "IT-SCO", ["analyst", "contributor"]),
    ("gr-supervisor", "GR-HP", ["supervisor", "contributor"]),
    ("hub-analyst", "HUB", ["analyst", "supervisor"]),
    ("hub-dpo", "HUB", ["dpo"]),
)


def serve(
    home: Path | None, host: str, port: int, secure_cookies: bool | None = None, db_threads: int = 1
) -> None:
    """Serve the store in HOME until interrupted."""
    import uvicorn

    from mare.server.app import create_app
    from mare.store.db import DB_NAME, mare_home

    root = mare_home(home)
    if not (root / DB_NAME).is_file():
        raise fail(f"no Mare store at {root / DB_NAME}: run `mare init` or `mare demo` first")
    local = host in ("127.0.0.1", "localhost", "::1")
    secure = (not local) if secure_cookies is None else secure_cookies
    app = create_app(root, secure_cookies=secure, db_threads=db_threads)
    console.print(f"Mare at [bold]http://{host}:{port}/[/] (API docs at /api/docs); Ctrl-C stops it")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def serve_command(
    home: HomeOpt = None,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    insecure_cookies: InsecureOpt = False,
    db_threads: ThreadsOpt = 1,
) -> None:
    """Serve the web app and the JSON API on an existing store."""
    serve(home, host, port, False if insecure_cookies else None, db_threads)


def demo_users(ctx: HubContext) -> list[tuple[str, str, str, str]]:
    """Create (or reset) the demo users as the store's operator; returns (user, agency, roles, password).
    Each run gives new passwords, printed once."""
    from mare.hub import accounts, admin
    from mare.scenario.agencies import AGENCIES

    countries = {a.id: a.country for a in AGENCIES}
    made = []
    for username, agency, roles in DEMO_USERS:
        if accounts.get_agency(ctx.store, agency) is None and agency in countries:
            admin.add_agency(ctx, agency, f"{agency} (demo)", countries[agency], "member_state")
        password = "demo-" + secrets.token_urlsafe(9)
        if accounts.get_user(ctx.store, username) is None:
            admin.add_user(ctx, username, agency, roles, password, full_name=f"Demo {username}")
        else:
            ctx.permit("accounts.manage", None, ref=username)
            accounts.set_password(
                ctx.store,
                username,
                password,
                on_event=lambda a, o, d: ctx.log(a, o, resource="account", details=d),  # type: ignore[arg-type]
            )
        made.append((username, agency, ", ".join(roles), password))
    return made
