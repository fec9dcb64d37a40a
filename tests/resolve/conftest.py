"""Cross-check tests run without rigour's tagger (several seconds to load) unless they ask for it."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_rigour_symbols(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARE_NAME_SYMBOLS", "off")
