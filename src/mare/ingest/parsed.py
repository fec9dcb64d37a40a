"""A contribution as read from any format, before validation and storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mare.ingest.problems import Problem

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa


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


#: How a block's field column holds its values: texts as read, parts of cells, booleans.
PLAIN, MULTI, BOOLEAN = "plain", "multi", "boolean"


@dataclass(slots=True)
class BlockField:
    """One field column of a `RecordBlock`, value by value: the row (index in the block) and
    position of each value, in row order, and its text: the cell as read (PLAIN), a part of
    it (MULTI: stripped, as split at "|"), or "true" / "false" (BOOLEAN). A blank cell has
    no value."""

    name: str
    how: str
    rows: np.ndarray
    positions: np.ndarray
    texts: pa.Array  # string


@dataclass(slots=True)
class RecordBlock:
    """The rows of one CSV file that are certainly valid, column by column (a bundle's fast path).

    Row i stands for exactly the RawRecord `records()[i]` is: envelope handling and
    evaluation, its id, reserved attributes and fields (in header order); tested against the
    row-by-row reading.
    """

    kind: str
    file: str
    rows: list[int]
    local_ids: list[str]
    categories: list[str | None]
    minor: list[bool]
    assessment: list[bool]
    observed_at: list[str | None]
    notes: list[str | None]
    fields: list[BlockField]

    def __len__(self) -> int:
        return len(self.local_ids)

    def records(self) -> list[RawRecord]:
        """Every row as a RawRecord."""
        values: list[dict[str, list[Any]]] = [{} for _ in self.local_ids]
        for column in self.fields:
            texts = column.texts.to_pylist()
            if column.how == BOOLEAN:
                texts = [text == "true" for text in texts]
            name = column.name
            for row, text in zip(column.rows.tolist(), texts, strict=True):
                found = values[row].get(name)
                if found is None:
                    values[row][name] = [text]
                else:
                    found.append(text)
        return [
            RawRecord(
                local_id=self.local_ids[i],
                kind=self.kind,
                fields=values[i],
                category=self.categories[i],
                minor=self.minor[i],
                assessment=self.assessment[i],
                observed_at=self.observed_at[i],
                note=self.notes[i],
                file=self.file,
                row=self.rows[i],
            )
            for i in range(len(self))
        ]


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
    #: Records read column-wise (CSV bundles): every row certainly valid, none in `records`.
    blocks: list[RecordBlock] = field(default_factory=list)

    @property
    def record_count(self) -> int:
        """Records read, row by row and in blocks."""
        return len(self.records) + sum(len(block) for block in self.blocks)
