"""Decision thresholds on the match probability: automatic link, analyst review, no link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Decision = Literal["link", "review", "no_link"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """At or above `link`: linked automatically; at or above `review`: an analyst decides."""

    link: float = 0.95
    review: float = 0.5
    keep: float = 0.05  # pairs below this are not stored at all

    def decide(self, probability: float) -> Decision:
        """The decision for one match probability."""
        if probability >= self.link:
            return "link"
        if probability >= self.review:
            return "review"
        return "no_link"


DEFAULT_THRESHOLDS = Thresholds()
