"""Shared fixtures: a fresh store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mare.store.db import Store, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated store in a temporary folder."""
    with open_store(tmp_path / "home") as opened:
        yield opened
