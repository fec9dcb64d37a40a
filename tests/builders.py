"""Builders for test inputs: envelopes and contribution files."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mare.store.db import Store

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


def load_benchmark(name: str) -> ModuleType:
    """A script of `benchmarks/` imported as a module (registered under its own name, as the
    scripts import one another by name)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def ingested_tiny_world(base: Path, seed: int) -> tuple[Path, Store]:
    """Generate the tiny scenario under `base/world` and ingest every contribution into a new
    store at `base/home`; returns the world folder and the open store (close it)."""
    from mare.ingest.pipeline import IngestOptions, ingest_source
    from mare.ingest.sources import find_sources
    from mare.scenario import generate
    from mare.store.db import open_store

    world = base / "world"
    generate("tiny", seed, world)
    sources, _ = find_sources([world / "contributions"])
    store = open_store(base / "home")
    for source in sources:
        ingest_source(store, source, IngestOptions())
    return world, store
