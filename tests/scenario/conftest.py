"""A tiny scenario generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from mare.scenario import generate


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny scenario (seed 7)."""
    out = tmp_path_factory.mktemp("scenario") / "tiny"
    generate("tiny", 7, out)
    return out
