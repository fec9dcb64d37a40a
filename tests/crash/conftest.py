"""Fixtures of the crash suite (the harness is crash/harness.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crash.harness import Zygote


@pytest.fixture(scope="session")
def zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    """The helper that forks `mare` processes."""
    helper = Zygote(tmp_path_factory.mktemp("crash-logs"))
    yield helper
    helper.close()
