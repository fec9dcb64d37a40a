"""Helpers for the geo tests: skip marks for the Natural Earth atlas and the real-data folder."""

from __future__ import annotations

import pytest

from builders import SHARED_DATA
from mare.analyse.geo.atlas import AtlasMissing, find_atlas

IOM_INCIDENTS = SHARED_DATA / "migration" / "iom_missing_migrants_incidents.csv"


def _atlas_reason() -> str:
    """Empty when the world-atlas file is installed, else why geo tests that need it skip."""
    try:
        find_atlas()
    except AtlasMissing as exc:
        return str(exc)
    return ""


ATLAS_MISSING = _atlas_reason()
needs_atlas = pytest.mark.skipif(bool(ATLAS_MISSING), reason=ATLAS_MISSING or "atlas present")
needs_iom = pytest.mark.skipif(
    not IOM_INCIDENTS.is_file(),
    reason=f"real data absent: {IOM_INCIDENTS} (../shared/data beside the repository)",
)
