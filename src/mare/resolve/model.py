"""The person model kept in the store: versioned Splink settings JSON (engine-free)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from mare.resolve.settings import default_settings
from mare.store.db import Store


def save_model(store: Store, settings: dict[str, Any], persons: int, trained: bool) -> int:
    """Keep a new model version; returns its version number."""
    row = store.con.execute("SELECT coalesce(max(version), 0) + 1 FROM resolve_model").fetchone()
    version = int(row[0]) if row else 1
    store.con.execute(
        "INSERT INTO resolve_model VALUES (?, ?, ?, ?, ?)",
        [version, datetime.now(UTC).replace(tzinfo=None), persons, trained, json.dumps(settings)],
    )
    return version


def load_model(store: Store) -> tuple[int, dict[str, Any]]:
    """The latest model (version 0 and the untrained defaults when none was trained yet)."""
    row = store.con.execute(
        "SELECT version, settings FROM resolve_model ORDER BY version DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return 0, default_settings()
    return int(row[0]), json.loads(row[1])
