"""A plain CSV of document presentations, for `mare documents FILE` (researchers, no hub).

One row per time a document was presented: `number,country` (required), and any of
`holder_name,person,person_birth_date,departed_at,arrived_at,from_country,to_country,status,mrz`.
A row that cannot be read is reported with its row number, field and reason; the others are used.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from mare.analyse.documents.mrz_file import MrzFileError, read_text
from mare.analyse.documents.reuse import DocumentRecord, LegUse, Presenter
from mare.schema.types.countries import normalise_country
from mare.schema.types.identifiers import normalise_document_number
from mare.schema.types.registry import normalise_value

REQUIRED = ("number", "country")
OPTIONAL = (
    "holder_name",
    "person",
    "person_birth_date",
    "departed_at",
    "arrived_at",
    "from_country",
    "to_country",
    "status",
    "mrz",
)


@dataclass
class Presentations:
    """What a presentations CSV holds, and the rows that could not be read."""

    documents: list[DocumentRecord] = field(default_factory=list)
    presenters: list[Presenter] = field(default_factory=list)
    legs: list[LegUse] = field(default_factory=list)
    mrz: dict[str, tuple[str, dict[str, str | None]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _country(value: str, row: int, column: str, problems: list[str], path: Path) -> str | None:
    if not value:
        return None
    result = normalise_country(value)
    if result.value is None:
        problems.append(f"{path}: row {row}, {column} {value!r}: {result.reason}; give an ISO 3166 code")
    return result.value


def read_presentations(path: Path) -> Presentations:
    """Read the CSV; raise MrzFileError when the file itself cannot be read."""
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise MrzFileError(
            f"{path}: no column {', '.join(missing)}; the header needs {', '.join(REQUIRED)} "
            f"(and may have {', '.join(OPTIONAL)})"
        )
    out = Presentations()
    for row_number, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if isinstance(k, str)}
        number = normalise_document_number(row.get("number", "")) if row.get("number") else None
        if number is None or number.value is None:
            why = number.reason if number is not None else "empty"
            out.problems.append(
                f"{path}: row {row_number}, number {row.get('number', '')!r}: {why}; row skipped"
            )
            continue
        country = _country(row.get("country", ""), row_number, "country", out.problems, path)
        uid = f"row{row_number}"
        birth = row.get("person_birth_date") or None
        if birth:
            birth = normalise_value("date", birth).value or birth
        out.documents.append(
            DocumentRecord(
                uid,
                path.name,
                number.value,
                country,
                row.get("holder_name") or None,
                status=row.get("status") or None,
            )
        )
        if row.get("person"):
            out.presenters.append(Presenter(uid, f"{uid}:person", row["person"], birth))
        if row.get("departed_at") or row.get("from_country") or row.get("to_country"):
            out.legs.append(
                LegUse(
                    uid,
                    f"{uid}:leg",
                    _time(row.get("departed_at")),
                    _time(row.get("arrived_at")),
                    _country(row.get("from_country", ""), row_number, "from_country", out.problems, path),
                    _country(row.get("to_country", ""), row_number, "to_country", out.problems, path),
                )
            )
        if row.get("mrz"):
            visual = {
                "number": row["number"],
                "issuing_country": row.get("country"),
                "holder_name": row.get("holder_name"),
            }
            out.mrz[uid] = (row["mrz"], visual)
    return out


def _time(value: str | None) -> str | None:
    if not value:
        return None
    return normalise_value("datetime", value).value or None
