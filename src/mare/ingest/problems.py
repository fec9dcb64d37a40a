"""Problems found while reading a contribution: where, what, and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in one place of an input file.

    An ``error`` rejects the row it names (or the whole file when ``row`` is None);
    a ``warning`` keeps the row and says what could not be normalised.
    """

    file: str
    row: int | None
    field: str | None
    reason: str
    fix: str = ""
    severity: Severity = "error"

    def as_dict(self) -> dict[str, Any]:
        """Plain dict, for JSON and CSV reports."""
        return asdict(self)


class ContributionError(Exception):
    """The whole contribution cannot be taken; carries the problems that say why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        where = f"{first.file}" + (f", row {first.row}" if first.row is not None else "")
        super().__init__(f"{where}: {first.reason}" + (f" ({first.fix})" if first.fix else ""))
