"""Normalising every field value of the records read from a contribution."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from mare.ingest.normalise.registry import normalise_value
from mare.ingest.normalise.result import NormaliseContext
from mare.ingest.parsed import RawRecord
from mare.ingest.problems import Problem
from mare.schema.model import load_model

#: The field shown as a record's label, first present wins.
LABEL_FIELDS = (
    "name",
    "number",
    "plate",
    "handle",
    "email",
    "iban",
    "imo",
    "mmsi",
    "reference",
    "holder_name",
    "account_number",
    "title",
    "place",
    "event_type",
    "to_place",
    "amount",
    "caller",
    "url",
)

_REGION_ALIASES = {"UK": "GB", "EL": "GR"}


def agency_region(agency: str) -> str | None:
    """The country an agency id starts with ('DE-BKA' -> 'DE', 'UK-NCA' -> 'GB'), if any."""
    head = agency.split("-", 1)[0].upper()
    if len(head) != 2 or not head.isalpha():
        return None
    return _REGION_ALIASES.get(head, head)


@dataclass(slots=True)
class ValueRow:
    """One stored value: the original beside the normalised form."""

    field: str
    position: int
    value_type: str
    original: str
    normalised: str | None
    reason: str | None
    flags: list[str]
    extra: str | None  # JSON


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalise_record(
    record: RawRecord, ctx: NormaliseContext
) -> tuple[list[ValueRow], str | None, list[Problem]]:
    """Normalise a record's values; returns the value rows, a label and warnings."""
    spec = load_model().kinds[record.kind]
    rows: list[ValueRow] = []
    problems: list[Problem] = []
    for field_name, values in record.fields.items():
        fspec = spec.fields[field_name]
        for position, value in enumerate(values):
            text = _as_text(value)
            result = normalise_value(fspec.type, text, ctx)
            extra = (
                json.dumps(dict(result.extra), ensure_ascii=False, default=str)
                if result.extra
                else None
            )
            rows.append(
                ValueRow(
                    field_name,
                    position,
                    fspec.type,
                    text,
                    result.value,
                    result.reason,
                    list(result.flags),
                    extra,
                )
            )
            if result.value is None:
                problems.append(
                    Problem(
                        record.file,
                        record.row,
                        field_name,
                        f"kept as given but not normalised: {result.reason}",
                        "correct the value if it is a mistake",
                        "warning",
                    )
                )
    label = None
    for name in LABEL_FIELDS:
        for row in rows:
            if row.field == name:
                label = (
                    row.normalised
                    if name in ("number", "caller") and row.normalised
                    else row.original
                )
                break
        if label is not None:
            break
    if label is None and "given_name" in record.fields:
        parts = [
            str(record.fields.get("given_name", [""])[0]),
            str(record.fields.get("family_name", [""])[0]),
        ]
        label = " ".join(p for p in parts if p)
    return rows, (label[:200] if label else None), problems


# --- the fast path: each distinct value normalised once per contribution -------------------

#: Types whose result depends on the current time, not only on the text (``future``): never memoised.
UNMEMOISED_TYPES = frozenset({"datetime"})
#: Distinct values remembered per contribution; beyond this, values are normalised one by one.
MEMO_LIMIT = 1 << 20

#: (normalised, reason, flags, extra as JSON): what a value row stores besides its original.
Entry = tuple[str | None, str | None, list[str], str | None]


def _entry(value_type: str, text: str, ctx: NormaliseContext) -> Entry:
    result = normalise_value(value_type, text, ctx)
    extra = json.dumps(dict(result.extra), ensure_ascii=False, default=str) if result.extra else None
    return result.value, result.reason, list(result.flags), extra


class ValueMemo:
    """The normalised form of each distinct (type, text) of one contribution, computed once.

    Nationalities, genders, birth dates, places and names repeat heavily within a
    contribution; normalising each distinct text once gives every value exactly what
    `normalise_value` gives it (the normalisers are pure functions of the text and the
    context), at the cost of a dictionary lookup. Birth dates depend on the UTC day, so the
    memo starts afresh when the day changes; timestamps (`future`) are never memoised.
    The flag lists are shared between the rows of equal values: read them, never change them.
    """

    __slots__ = ("_by_type", "_day", "_size", "ctx")

    def __init__(self, ctx: NormaliseContext) -> None:
        self.ctx = ctx
        self._by_type: dict[str, dict[str, Entry]] = {}
        self._size = 0
        self._day = int(time.time() // 86400)

    def new_record(self) -> None:
        """Forget everything when the UTC day has changed (birth dates depend on today)."""
        day = int(time.time() // 86400)
        if day != self._day:
            self._day, self._by_type, self._size = day, {}, 0

    def table(self, value_type: str) -> dict[str, Entry] | None:
        """The memo of one type (None for types never memoised)."""
        if value_type in UNMEMOISED_TYPES:
            return None
        found = self._by_type.get(value_type)
        if found is None:
            found = self._by_type[value_type] = {}
        return found

    def get(self, value_type: str, text: str) -> Entry:
        """What normalising this text gives (normalised, reason, flags, extra JSON)."""
        table = self.table(value_type)
        if table is None:
            return _entry(value_type, text, self.ctx)
        entry = table.get(text)
        if entry is None:
            entry = _entry(value_type, text, self.ctx)
            if self._size < MEMO_LIMIT:
                table[text] = entry
                self._size += 1
        return entry


class ValueColumns:
    """The value rows of many records, column by column (as `ValueRow` fields, plus the record)."""

    __slots__ = (
        "extra",
        "field",
        "flags",
        "normalised",
        "original",
        "position",
        "reason",
        "record_uid",
        "value_type",
    )
    #: The columns in the order of the record_values table.
    NAMES = (
        "record_uid",
        "field",
        "position",
        "value_type",
        "original",
        "normalised",
        "reason",
        "flags",
        "extra",
    )

    def __init__(self) -> None:
        self.record_uid: list[str] = []
        self.field: list[str] = []
        self.position: list[int] = []
        self.value_type: list[str] = []
        self.original: list[str] = []
        self.normalised: list[str | None] = []
        self.reason: list[str | None] = []
        self.flags: list[list[str]] = []
        self.extra: list[str | None] = []

    def as_dict(self) -> dict[str, list[Any]]:
        """Column name -> values, in the order of the record_values table."""
        return {name: getattr(self, name) for name in self.NAMES}

    def __len__(self) -> int:
        return len(self.record_uid)


_TYPES_BY_KIND: dict[str, dict[str, str]] = {}


def _field_types(kind: str) -> dict[str, str]:
    found = _TYPES_BY_KIND.get(kind)
    if found is None:
        found = {name: f.type for name, f in load_model().kinds[kind].fields.items()}
        _TYPES_BY_KIND[kind] = found
    return found


def normalise_record_into(
    record: RawRecord, record_uid: str, memo: ValueMemo, out: ValueColumns
) -> tuple[str | None, list[Problem]]:
    """As `normalise_record`, appending the value rows to `out`; returns the label and warnings.

    Gives exactly the rows, label and warnings `normalise_record` gives (tested).
    """
    types = _field_types(record.kind)
    problems: list[Problem] = []
    memo.new_record()
    for field_name, values in record.fields.items():
        value_type = types[field_name]
        table = memo.table(value_type)
        for position, value in enumerate(values):
            text = value if type(value) is str else _as_text(value)
            entry = None if table is None else table.get(text)
            if entry is None:
                entry = memo.get(value_type, text)
            normalised, reason, flags, extra = entry
            out.record_uid.append(record_uid)
            out.field.append(field_name)
            out.position.append(position)
            out.value_type.append(value_type)
            out.original.append(text)
            out.normalised.append(normalised)
            out.reason.append(reason)
            out.flags.append(flags)
            out.extra.append(extra)
            if normalised is None:
                problems.append(
                    Problem(
                        record.file,
                        record.row,
                        field_name,
                        f"kept as given but not normalised: {reason}",
                        "correct the value if it is a mistake",
                        "warning",
                    )
                )
    return _label(record, types, memo), problems


def _label(record: RawRecord, types: dict[str, str], memo: ValueMemo) -> str | None:
    """The label `normalise_record` picks, from the record's first values."""
    fields = record.fields
    label = None
    for name in LABEL_FIELDS:
        values = fields.get(name)
        if values:
            text = _as_text(values[0])
            if name in ("number", "caller"):
                normalised = memo.get(types[name], text)[0]
                label = normalised if normalised else text
            else:
                label = text
            break
    if label is None and "given_name" in fields:
        parts = [
            str(fields.get("given_name", [""])[0]),
            str(fields.get("family_name", [""])[0]),
        ]
        label = " ".join(p for p in parts if p)
    return label[:200] if label else None
