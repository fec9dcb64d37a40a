"""Reader for CSV bundles: a folder with envelope.json and one CSV file per record kind."""

from __future__ import annotations

import csv
import difflib
import io
import json
from pathlib import Path
from typing import Any

from mare.ingest.decode import decode_bytes
from mare.ingest.envelope import parse_envelope
from mare.ingest.parsed import CallFile, ParsedContribution
from mare.ingest.problems import ContributionError, Problem
from mare.ingest.records import collect_records
from mare.schema.model import LINK_RESERVED, PERSON_RESERVED, RECORD_RESERVED, load_model

ENVELOPE_NAME = "envelope.json"
LINKS_NAME = "links.csv"
CALLS_NAME = "calls.csv"
MULTI_SEPARATOR = "|"
_TRUE = {"true", "1", "yes", "y", "ja", "oui", "si", "sì", "sí", "t", "x"}
_FALSE = {"false", "0", "no", "n", "nein", "non", "f", ""}
csv.field_size_limit(10_000_000)


def read_envelope_file(path: Path) -> dict[str, Any]:
    """Load an envelope JSON file (sidecar or bundle), with clear errors."""
    text, _ = decode_bytes(path.read_bytes(), path.name)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContributionError(
            [
                Problem(
                    path.name,
                    exc.lineno,
                    None,
                    f"not valid JSON: {exc.msg}",
                    "fix the envelope's JSON syntax",
                )
            ]
        ) from exc
    if not isinstance(data, dict):
        raise ContributionError(
            [Problem(path.name, None, None, "the envelope must be a JSON object")]
        )
    return data


def _boolean(value: str, file: str, row: int, column: str) -> tuple[bool | str, Problem | None]:
    low = value.strip().lower()
    if low in _TRUE:
        return True, None
    if low in _FALSE:
        return False, None
    return value, Problem(
        file, row, column, f"{value!r} is not true or false", "write true or false"
    )


def _read_rows(
    path: Path, encoding: str | None
) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[Problem]]:
    name = path.name
    text, problems = decode_bytes(path.read_bytes(), name, encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        empty = Problem(name, None, None, "the file is empty", "add a header row", "warning")
        return [], [], [*problems, empty]
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        name,
                        line,
                        None,
                        f"row has {len(cells)} cells but the header has {len(header)}",
                        "quote cells that contain commas",
                    )
                )
                continue
            rows.append((line, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        problems.append(
            Problem(
                name,
                reader.line_num,
                None,
                f"CSV syntax error: {exc}",
                "check quoting; rows after this one were not read",
            )
        )
    return header, rows, problems


def _check_columns(header: list[str], allowed: set[str], file: str) -> list[Problem]:
    problems = []
    for column in header:
        if column not in allowed:
            close = difflib.get_close_matches(column, sorted(allowed), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(
                Problem(
                    file,
                    1,
                    column,
                    f"unknown column {column!r}; its values were "
                    "not stored as fields (they remain in the raw file)",
                    f"{hint}see docs/formats/contribution.md",
                )
            )
    return problems


def _record_object(
    kind: str,
    cells: dict[str, str],
    allowed: set[str],
    file: str,
    row: int,
    problems: list[Problem],
) -> dict[str, Any]:
    spec = load_model().kinds[kind]
    obj: dict[str, Any] = {"kind": kind}
    for column, raw in cells.items():
        if column not in allowed or raw.strip() == "":
            continue
        if column in ("minor", "assessment"):
            value, problem = _boolean(raw, file, row, column)
            if problem:
                problems.append(problem)
            obj[column] = value
            continue
        fspec = spec.fields.get(column)
        if fspec is not None and fspec.multiple:
            obj[column] = [part.strip() for part in raw.split(MULTI_SEPARATOR) if part.strip()]
        elif fspec is not None and fspec.type == "boolean":
            value, problem = _boolean(raw, file, row, column)
            if problem:
                problems.append(problem)
            obj[column] = value
        else:
            obj[column] = raw.strip() if column == "id" else raw
    return obj


def read_csv_bundle(folder: Path, encoding: str | None = None) -> ParsedContribution:
    """Read a CSV bundle folder; bad rows become problems, the rest is kept."""
    envelope = parse_envelope(read_envelope_file(folder / ENVELOPE_NAME), ENVELOPE_NAME)
    model = load_model()
    files: list[tuple[str, Path]] = [(ENVELOPE_NAME, folder / ENVELOPE_NAME)]
    problems: list[Problem] = []
    objects: list[tuple[Any, str, int | None]] = []
    link_objects: list[tuple[Any, str, int | None]] = []
    calls: list[CallFile] = []
    for path in sorted(folder.iterdir()):
        if path.name == ENVELOPE_NAME or path.name.startswith("."):
            continue
        if path.suffix.lower() != ".csv":
            problems.append(
                Problem(
                    path.name,
                    None,
                    None,
                    "not a CSV file; ignored (kept in raw)",
                    "bundles hold envelope.json and <kind>.csv files",
                    "warning",
                )
            )
            continue
        files.append((path.name, path))
        stem = path.stem
        if path.name == CALLS_NAME:
            calls.append(CallFile(path=path, name=path.name, encoding=encoding or "utf-8"))
            continue
        if path.name == LINKS_NAME:
            allowed = set(LINK_RESERVED)
            for link in model.links.values():
                allowed.update(link.fields)
            header, rows, found = _read_rows(path, encoding)
            problems += found + _check_columns(header, allowed, path.name)
            for row, cells in rows:
                obj: dict[str, Any] = {k: v for k, v in cells.items() if k in allowed and v.strip() != ""}
                if "assessment" in obj:
                    value, problem = _boolean(obj["assessment"], path.name, row, "assessment")
                    obj["assessment"] = value
                    if problem:
                        problems.append(problem)
                link_objects.append((obj, path.name, row))
            continue
        if stem not in model.kinds:
            close = difflib.get_close_matches(stem, list(model.kinds), n=1)
            hint = f"did you mean {close[0]}.csv? " if close else ""
            problems.append(
                Problem(
                    path.name,
                    None,
                    None,
                    f"no record kind is called {stem!r}; the file was not read",
                    f"{hint}name files after kinds: {', '.join(model.kinds)}",
                )
            )
            continue
        allowed = set(RECORD_RESERVED) | set(model.kinds[stem].fields)
        if stem == "person":
            allowed |= set(PERSON_RESERVED)
        allowed.discard("kind")
        allowed.discard("handling")
        allowed.discard("evaluation")
        header, rows, found = _read_rows(path, encoding)
        problems += found + _check_columns(header, allowed, path.name)
        if "id" not in header and header:
            problems.append(Problem(path.name, 1, "id", "no id column", "add an id column"))
            continue
        for row, cells in rows:
            objects.append(
                (_record_object(stem, cells, allowed, path.name, row, problems), path.name, row)
            )
    records, links, found = collect_records(objects, link_objects)
    return ParsedContribution(
        envelope=envelope,
        format="csv_bundle",
        files=files,
        records=records,
        links=links,
        call_files=calls,
        problems=problems + found,
    )
