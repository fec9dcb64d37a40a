"""Builders for test inputs: envelopes and contribution files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "formats" / "examples" / "contribution.json"
SHARED_DATA = ROOT.parent / "shared" / "data"


def envelope(**overrides: Any) -> dict[str, Any]:
    """A valid envelope; override any key."""
    data: dict[str, Any] = {
        "format": "mare.contribution/1",
        "id": "TEST-1",
        "agency": "DE-BKA",
        "sent_at": "2026-11-01T10:00:00Z",
        "handling": {"code": "H0"},
        "evaluation": {"scheme": "4x4", "source": "B", "information": "2"},
    }
    data.update(overrides)
    return data


def write_contribution(
    path: Path,
    records: list[dict[str, Any]],
    links: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> Path:
    """Write a JSON contribution file and return its path."""
    data = envelope(**overrides)
    data["records"] = records
    data["links"] = links or []
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def write_envelope(path: Path, **overrides: Any) -> Path:
    """Write an envelope-only JSON (bundle envelope.json or FILE.envelope.json sidecar)."""
    path.write_text(json.dumps(envelope(**overrides)), encoding="utf-8")
    return path
