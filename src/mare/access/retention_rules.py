"""Retention rules (LED art. 5 and national law): how long records are kept before their first review.

Three years after processing starts by default, configurable per person category in
$MARE_HOME/retention.yaml, e.g.::

    default_days: 1096
    by_category: {victim: 730, witness: 730}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

DEFAULT_DAYS = 3 * 365 + 1
CONFIG_NAME = "retention.yaml"


class RetentionError(ValueError):
    """A retention request that cannot be carried out (with the fix)."""


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long records are kept before their first review."""

    default_days: int = DEFAULT_DAYS
    by_category: dict[str, int] = field(default_factory=dict)

    def review_date(self, received: date, category: str | None) -> date:
        """The review date for a record of this category received on this day."""
        days = self.by_category.get(category or "", self.default_days)
        return received + timedelta(days=days)


def load_policy(home: Path) -> RetentionPolicy:
    """The retention policy of this hub (defaults when no retention.yaml)."""
    path = home / CONFIG_NAME
    if not path.is_file():
        return RetentionPolicy()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    by_category = {str(k): int(v) for k, v in (data.get("by_category") or {}).items()}
    if any(v <= 0 for v in by_category.values()):
        raise RetentionError(f"{path}: periods must be positive numbers of days")
    return RetentionPolicy(int(data.get("default_days", DEFAULT_DAYS)), by_category)
