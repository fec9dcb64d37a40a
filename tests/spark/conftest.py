"""Spark in local mode, started once per test session (the JVM costs 10-40 s), and a tiny
scenario world ingested once; each test works on its own copy of that store."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mare.store.db import Store, open_store


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The process's Spark session (local[2])."""
    from mare.resolve.spark.session import spark_session, stop

    session = spark_session("local[2]")
    yield session
    stop()


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the generated world, a store home with its contributions ingested, not cross-checked)."""
    from mare.ingest.pipeline import IngestOptions, ingest_paths
    from mare.ingest.sources import find_sources
    from mare.scenario import generate

    os.environ["MARE_NAME_SYMBOLS"] = "off"  # rigour's tagger: slow to load, and the same for both engines
    base = tmp_path_factory.mktemp("tiny")
    generate("tiny", 1, base / "world")
    home = base / "home"
    with open_store(home) as store:
        sources, _ = find_sources([base / "world" / "contributions"])
        ingest_paths(store, sources, IngestOptions())
    return base / "world", home


@pytest.fixture
def tiny_store(tiny_world: tuple[Path, Path], tmp_path: Path) -> Iterator[Store]:
    """A copy of the tiny world's store, for one test."""
    home = tmp_path / "home"
    shutil.copytree(tiny_world[1], home)
    with open_store(home) as store:
        yield store
