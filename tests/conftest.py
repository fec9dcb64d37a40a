"""Shared fixtures: a fresh store per test."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mare.store.db import Store, open_store

# Rich fixes a console's width when it is made (mare.cli's consoles: on import) if COLUMNS is set, and
# the CLI tests give each run its own width (CliRunner's env). So the session takes no terminal size
# from its caller: neither a COLUMNS of the shell's nor the COLUMNS=80 and LINES=24 that readline
# (imported early by pytest) exports to every process pytest starts, its xdist workers included.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

#: Files that each run for minutes (a one-core figure: 2-3 min). `make test` deals whole files to two
#: xdist workers in collection order (--dist loadfile --no-loadscope-reorder): these go first, one to
#: each worker, so that neither is left running one of them alone at the end.
LONG_FILES = ("tests/hub/test_leak_matrix.py", "tests/server/test_leak_sweep.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, the long files first (each worker collects, and sorts, the same items)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.nodeid.split("::", 1)[0] not in LONG_FILES)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated store in a temporary folder."""
    with open_store(tmp_path / "home") as opened:
        yield opened


# --- the store on both backends (Splink's pattern: one test body, a fixture param per engine) ---
@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    """A throw-away PostgreSQL cluster for the session (tests/pgcluster.py)."""
    from pgcluster import throwaway_cluster

    with throwaway_cluster() as cluster:
        yield cluster


_PG_DATABASES = itertools.count()


def open_backend(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    """A fresh, migrated store on BACKEND ('duckdb' or 'postgres'). On PostgreSQL the owner role
    migrates it and installs the row-level security policies; the store returned is the
    application role's (NOSUPERUSER NOBYPASSRLS), as a server runs it."""
    if backend == "duckdb":
        return open_store(tmp_path / "home")
    from mare.hub.accounts import ensure_hub_agency
    from mare.hub.server_store import secure_store
    from pgcluster import APP, APP_PASSWORD, OWNER, OWNER_PASSWORD

    cluster = request.getfixturevalue("pg_cluster")
    name = cluster.new_database(f"t{os.getpid()}_{next(_PG_DATABASES)}")
    home = tmp_path / "home"
    with open_store(home, url=cluster.url(OWNER, OWNER_PASSWORD, name) + f"&app_role={APP}") as owner:
        ensure_hub_agency(owner)
        secure_store(owner)
    return open_store(home, url=cluster.url(APP, APP_PASSWORD, name))


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated store on each backend: DuckDB (default run) and PostgreSQL (-m postgres)."""
    with open_backend(request.param, tmp_path, request) as opened:
        yield opened
