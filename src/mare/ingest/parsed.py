"""A contribution as read from any format, before validation and storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mare.ingest.problems import Problem


@dataclass(frozen=True, slots=True)
class Restrictions:
    """Structured H3 rules (and optional limits on any code)."""

    agencies_allowed: tuple[str, ...] = ()
    agencies_denied: tuple[str, ...] = ()
    expires: date | None = None
    ask_first: bool = False
    text: str = ""

    def as_json(self) -> dict[str, Any]:
        """JSON-able form, as stored."""
        return {
            "agencies_allowed": list(self.agencies_allowed),
            "agencies_denied": list(self.agencies_denied),
            "expires": self.expires.isoformat() if self.expires else None,
            "ask_first": self.ask_first,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Handling:
    """A handling code with its restrictions."""

    code: str
    restrictions: Restrictions = Restrictions()


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Source and information grading, with the scheme they belong to."""

    scheme: str
    source: str
    information: str


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the sender says about the whole contribution."""

    id: str
    agency: str
    sent_at: datetime | None
    handling: Handling
    evaluation: Evaluation | None = None
    supersedes: str | None = None
    crime_areas: tuple[str, ...] = ()
    case_refs: tuple[str, ...] = ()
    language: str | None = None


@dataclass(slots=True)
class RawRecord:
    """One record as read: reserved attributes and field values (lists of raw values)."""

    local_id: str
    kind: str
    fields: dict[str, list[Any]]
    category: str | None = None
    minor: bool = False
    assessment: bool = False
    handling: Handling | None = None
    evaluation: Evaluation | None = None
    observed_at: str | None = None
    note: str | None = None
    file: str = ""
    row: int | None = None


@dataclass(slots=True)
class RawLink:
    """One link as read, between two local record ids."""

    local_id: str
    kind: str
    source: str
    target: str
    fields: dict[str, Any]
    assessment: bool = False
    handling: Handling | None = None
    file: str = ""
    row: int | None = None


@dataclass(frozen=True, slots=True)
class CallFile:
    """A call-detail-records CSV to be loaded in bulk."""

    path: Path
    name: str
    encoding: str = "utf-8"


@dataclass(slots=True)
class ParsedContribution:
    """Everything read from one contribution, with the problems met on the way."""

    envelope: Envelope
    format: str
    files: list[tuple[str, Path]]  # (name inside the contribution, path on disk)
    records: list[RawRecord] = field(default_factory=list)
    links: list[RawLink] = field(default_factory=list)
    call_files: list[CallFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
