"""The result every normaliser returns: the original beside the normalised value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class NormaliseContext:
    """What a normaliser may know about where a value came from."""

    default_region: str | None = None  # ISO 3166 alpha-2 of the contributing agency
    language: str | None = None  # ISO 639-1 of the contribution, when declared


@dataclass(frozen=True, slots=True)
class Normalised:
    """A value as received and as normalised.

    `value` is None when the text could not be normalised; `reason` then says why.
    `flags` mark doubts that do not stop normalisation (e.g. ``ambiguous_day_month``).
    `extra` holds type-specific detail (script, tokens, phonetic keys, flag state...).
    """

    original: str
    value: str | None
    reason: str | None = None
    flags: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when a normalised value was produced."""
        return self.value is not None


def failed(original: str, reason: str, **extra: Any) -> Normalised:
    """A result that carries no value, only the reason why."""
    return Normalised(original=original, value=None, reason=reason, extra=extra)


Normaliser = Callable[[str, NormaliseContext], Normalised]

EMPTY_CONTEXT = NormaliseContext()
