"""The server's test world: the leak matrix's store (tests/hub/test_leak_matrix.py), a user per viewer with
an API token, a user with a password for the browser, and the app over a copy of it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hub.test_leak_matrix import VIEWERS, World, _build
from mare.hub import accounts
from mare.store.db import open_store

PASSWORD = "correct horse battery staple"


@dataclass
class ServerWorld:
    """The leak world, the app's home, and a bearer token per (agency, role)."""

    world: World
    home: Path
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)


def build_world(tmp_path_factory: pytest.TempPathFactory) -> ServerWorld:
    """The world's template copied, a user and token per viewer, two users with passwords."""
    world = _build(tmp_path_factory.mktemp("server-world"))
    home = tmp_path_factory.mktemp("server-home") / "hub"
    shutil.copytree(world.template, home)
    made = ServerWorld(world, home)
    with open_store(home) as store:
        for agency, role in VIEWERS:
            name = f"{agency.lower()}-{role}"
            accounts.add_user(store, name, agency, [role], None)
            made.tokens[(agency, role)] = accounts.issue_token(store, name, label="tests")[1]
        accounts.add_user(store, "web-analyst", "IT-SCO", ["analyst"], PASSWORD)
        accounts.add_user(store, "owner-analyst", "DE-BKA", ["analyst", "contributor"], PASSWORD)
    return made


def bearer(server_world: ServerWorld, agency: str, role: str) -> dict[str, str]:
    """The Authorization header of one viewer."""
    return {"Authorization": f"Bearer {server_world.tokens[(agency, role)]}"}
