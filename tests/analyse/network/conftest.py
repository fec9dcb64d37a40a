"""Shared helpers for the network tests: small graphs and the real-data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import SHARED_DATA

CRIMINAL = SHARED_DATA / "criminal_networks"


@pytest.fixture
def criminal() -> Path:
    """../shared/data/criminal_networks, or skip with the reason."""
    if not CRIMINAL.is_dir():
        pytest.skip(f"real networks not available at {CRIMINAL} (../shared/data is outside the repo)")
    return CRIMINAL
