"""Fixtures of the server tests: the world (built once) and one app over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mare.server.app import create_app, new_secret
from mare.server.session import LoginLimiter
from server.support import ServerWorld, build_world


@pytest.fixture(scope="session")
def server_world(tmp_path_factory: pytest.TempPathFactory) -> ServerWorld:
    """Built once: the leak matrix's store, with users and tokens."""
    return build_world(tmp_path_factory)


@pytest.fixture(scope="session")
def client(server_world: ServerWorld) -> Iterator[TestClient]:
    """One app for the session (the store open once, as in `mare serve`)."""
    app = create_app(server_world.home, secret=new_secret(), secure_cookies=False, max_upload=1 << 20,
                     limiter=LoginLimiter(per_user=3, per_address=1000))  # fmt: skip
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client
