"""Normalising every field value of the records read from a contribution."""

from __future__ import annotations

import json
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
