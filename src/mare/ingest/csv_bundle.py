"""Reader for CSV bundles: a folder with envelope.json and one CSV file per record kind."""

from __future__ import annotations

import csv
import difflib
import heapq
import io
import json
from pathlib import Path
from typing import Any

from mare.ingest.csv_text import csv_rows, header_problems
from mare.ingest.decode import NESTING_FIX, NestingError, decode_bytes, load_json, read_limited
from mare.ingest.envelope import parse_envelope
from mare.ingest.fastcheck import ENUM, LOOSE, MAX_ITEMS, MAX_TEXT, NUMBER, TEXT, record_rules
from mare.ingest.parsed import (
    BOOLEAN,
    MULTI,
    PLAIN,
    BlockField,
    CallFile,
    ParsedContribution,
    RawRecord,
    RecordBlock,
)
from mare.ingest.problems import ContributionError, Problem
from mare.ingest.records import collect_records
from mare.schema.limits import MAX_ENVELOPE_BYTES, MAX_ID_CHARS, MAX_VALUE_CHARS
from mare.schema.model import LINK_RESERVED, PERSON_RESERVED, RECORD_RESERVED, load_model

ENVELOPE_NAME = "envelope.json"
LINKS_NAME = "links.csv"
CALLS_NAME = "calls.csv"
MULTI_SEPARATOR = "|"
_TRUE = {"true", "1", "yes", "y", "ja", "oui", "si", "sì", "sí", "t", "x"}
_FALSE = {"false", "0", "no", "n", "nein", "non", "f", ""}


def read_envelope_file(path: Path) -> dict[str, Any]:
    """Load an envelope JSON file (sidecar or bundle), with clear errors."""
    text, _ = decode_bytes(read_limited(path, path.name, MAX_ENVELOPE_BYTES), path.name)
    try:
        data = load_json(text)
    except NestingError as exc:
        raise ContributionError([Problem(path.name, None, None, str(exc), NESTING_FIX)]) from None
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
            [
                Problem(
                    path.name,
                    None,
                    None,
                    "the envelope must be a JSON object",
                    "send an object with format, id, agency, sent_at, handling",
                )
            ]
        )
    return data


def _boolean(value: str, file: str, row: int, column: str) -> tuple[bool | str, Problem | None]:
    low = value.strip().lower()
    if low in _TRUE:
        return True, None
    if low in _FALSE:
        return False, None
    return value, Problem(file, row, column, f"{value!r} is not true or false", "write true or false")


def _read_rows(
    path: Path, encoding: str | None
) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[Problem]]:
    header, rows, problems = _read_cells(path, encoding)
    return header, [(line, dict(zip(header, cells, strict=True))) for line, cells in rows], problems


def _read_cells(
    path: Path, encoding: str | None
) -> tuple[list[str], list[tuple[int, list[str]]], list[Problem]]:
    """The header and the (line, cells) of each non-blank row with as many cells as the header."""
    name = path.name
    text, problems = decode_bytes(read_limited(path, name), name, encoding)
    return _cells_of(text, name, problems)


def _plain_rows(text: str) -> list[tuple[int, int, list[str]]] | None:
    """Every row as `csv_rows` gives it when the file has no syntax error, else None.

    One pass of the csv module's reader over the whole text (the line each row began on from
    its line count): a file read here gives exactly the rows `csv_rows` gives; at the first
    error the caller reads the file again with `csv_rows`, which rejects broken rows alone.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, int, list[str]]] = []
    add = rows.append
    before = 0
    try:
        for cells in reader:
            after = reader.line_num
            add((before + 1, after - before, cells))
            before = after
    except csv.Error:
        return None
    return rows


def _cells_of(
    text: str, name: str, problems: list[Problem], plain: bool = False
) -> tuple[list[str], list[tuple[int, list[str]]], list[Problem]]:
    read = _plain_rows(text) if plain else None
    rows_read = (
        iter(read)
        if read is not None
        else ((r.line, r.lines, r.cells) for r in csv_rows(io.StringIO(text, newline=""), name, problems))
    )
    first = next(rows_read, None)
    if first is None:
        empty = Problem(name, None, None, "the file is empty", "add a header row", "warning")
        return [], [], [*problems, empty]
    header = [h.strip() for h in first[2]]
    wrong = header_problems(header, name)
    if wrong:
        return [], [], [*problems, *wrong]
    rows: list[tuple[int, list[str]]] = []
    width = len(header)
    for line, lines, cells in rows_read:
        if not "".join(cells).strip():  # blank row (no cell with a non-space character)
            continue
        if len(cells) != width:
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
        if lines > 1:
            problems += _spanning(name, line, lines, header, cells)
        rows.append((line, cells))
    return header, rows, problems


#: Columns whose values may run over several lines: free text, and an MRZ (2 or 3 lines, ICAO 9303).
MULTILINE_COLUMNS = frozenset({"note", "mrz"})


def _spanning(name: str, line: int, lines: int, header: list[str], cells: list[str]) -> list[Problem]:
    """Warn about values over several lines (legal in a note and an MRZ, else a sign of an open quote)."""
    return [
        Problem(
            name,
            line,
            column,
            f"the value runs over several lines (lines {line}–{line + lines - 1}); it was kept as given",
            "check that no quote was left open; line breaks belong only in notes and MRZs",
            "warning",
        )
        for column, cell in zip(header, cells, strict=True)
        if column not in MULTILINE_COLUMNS and ("\n" in cell or "\r" in cell)
    ]


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


_MAX_CHARS = min(MAX_TEXT, MAX_VALUE_CHARS)  # longer values take the general path (it explains)
# How the fast row builder treats a column.
_ID, _FLAG, _CATEGORY, _OBSERVED, _NOTE, _MULTI, _BOOLEAN, _PLAIN = range(8)


class _RowPlan:
    """Turns a CSV row straight into a RawRecord when it is certainly valid.

    Gives exactly the RawRecord that `_record_object` then `record_from_dict` would give
    (tested), without the per-row dictionaries; whenever a row has anything the schema might
    reject or that needs a message (a bad boolean, a missing required field, a value out of
    range), `record` returns None and the row takes the general path, which says why.
    """

    __slots__ = ("columns", "kind", "required")

    def __init__(
        self,
        kind: str,
        columns: list[tuple[int, str, int, int, frozenset[str]]],
        required: frozenset[str],
    ) -> None:
        self.kind = kind
        self.columns = columns  # (cell index, column, how, fastcheck mode, allowed values)
        self.required = required

    def record(self, cells: list[str], file: str, row: int) -> RawRecord | None:
        """The row as a RawRecord, or None when it must take the general path."""
        fields: dict[str, list[Any]] = {}
        present = {"kind"}
        local_id = category = observed_at = note = None
        minor = assessment = False
        for index, column, how, mode, allowed in self.columns:
            raw = cells[index]
            if not raw.strip():
                continue
            present.add(column)
            if how == _PLAIN:
                if len(raw) > _MAX_CHARS or (mode == ENUM and raw not in allowed):
                    return None
                fields[column] = [raw]
            elif how == _MULTI:
                parts = [part.strip() for part in raw.split(MULTI_SEPARATOR) if part.strip()]
                if len(parts) > MAX_ITEMS:
                    return None
                for part in parts:
                    if len(part) > _MAX_CHARS or (mode == ENUM and part not in allowed):
                        return None
                if parts:
                    fields[column] = parts
            elif how == _ID:
                local_id = raw.strip()
                if len(local_id) > MAX_ID_CHARS:
                    return None
            elif how in (_BOOLEAN, _FLAG):
                low = raw.strip().lower()
                if low in _TRUE:
                    value = True
                elif low in _FALSE:
                    value = False
                else:
                    return None
                if how == _BOOLEAN:
                    fields[column] = [value]
                elif column == "minor":
                    minor = value
                else:
                    assessment = value
            elif how == _CATEGORY:
                if raw not in allowed:
                    return None
                category = raw
            elif how == _OBSERVED:
                if len(raw) > _MAX_CHARS:
                    return None
                observed_at = raw
            else:  # _NOTE
                if len(raw) > MAX_TEXT:
                    return None
                note = raw
        if local_id is None or not self.required.issubset(present):
            return None
        return RawRecord(
            local_id=local_id,
            kind=self.kind,
            fields=fields,
            category=category,
            minor=minor,
            assessment=assessment,
            observed_at=observed_at,
            note=note,
            file=file,
            row=row,
        )


def _row_plan(kind: str, header: list[str], allowed: set[str]) -> _RowPlan | None:
    """The fast builder for a file's rows, or None when every row must take the general path."""
    if len(set(header)) != len(header):
        return None  # repeated columns: the general path decides which cell counts
    rules, required = record_rules(kind)
    spec = load_model().kinds[kind]
    columns: list[tuple[int, str, int, int, frozenset[str]]] = []
    for index, column in enumerate(header):
        if column not in allowed:
            continue
        rule = rules.get(column)
        if rule is None:
            return None
        mode, values, _ = rule
        fspec = spec.fields.get(column)
        if column == "id":
            how = _ID
        elif column in ("minor", "assessment"):
            how = _FLAG
        elif column == "category":
            how = _CATEGORY
        elif column == "observed_at":
            how = _OBSERVED
        elif column == "note":
            how = _NOTE
        elif fspec is None:
            return None
        elif fspec.multiple:
            how = _MULTI
        elif fspec.type == "boolean":
            how = _BOOLEAN
        else:
            how = _PLAIN
        if how in (_PLAIN, _MULTI) and mode not in (TEXT, ENUM, NUMBER, LOOSE):
            return None
        columns.append((index, column, how, mode, values))
    return _RowPlan(kind, columns, required)


def _blank(cells: tuple[str, ...]) -> list[int]:
    """The rows whose cell holds nothing but spaces."""
    return [i for i, raw in enumerate(cells) if not raw.strip()]


def _flags(cells: tuple[str, ...], bad: bytearray) -> list[bool | None]:
    """Each cell as a boolean (None where blank); a cell that is neither marks its row bad."""
    out: list[bool | None] = []
    add = out.append
    for i, raw in enumerate(cells):
        low = raw.strip().lower()
        if not low:
            add(None)
        elif low in _TRUE:
            add(True)
        elif low in _FALSE:
            add(False)
        else:
            add(None)
            bad[i] = 1
    return out


def _multi(cells: tuple[str, ...], bad: bytearray, enum: bool, allowed: frozenset[str]) -> list[Any]:
    """Each cell's parts as `_RowPlan.record` splits them: the one part itself (a cell without a
    separator), a list of parts, or None where blank; rows with a part out of bounds marked bad."""
    out: list[Any] = [raw.strip() or None for raw in cells]
    joined = "\x00".join(cells)  # no cell holds a NUL (the plan is not used then)
    split = [i for i, raw in enumerate(cells) if MULTI_SEPARATOR in raw] if MULTI_SEPARATOR in joined else []
    for i in split:
        parts = [part.strip() for part in cells[i].split(MULTI_SEPARATOR) if part.strip()]
        out[i] = parts
        if len(parts) > MAX_ITEMS or any(
            len(part) > _MAX_CHARS or (enum and part not in allowed) for part in parts
        ):
            bad[i] = 1
    if enum or max(map(len, cells), default=0) > _MAX_CHARS:
        for i, part in enumerate(out):
            if type(part) is str and (len(part) > _MAX_CHARS or (enum and part not in allowed)):
                bad[i] = 1
    return out


def _block(
    plan: _RowPlan, cell_rows: list[tuple[int, list[str]]], file: str
) -> tuple[RecordBlock | None, list[int]]:
    """The rows `plan.record` would build, column by column, and the indices of all the others.

    A row is left out (for the general path, which says why) exactly where `plan.record`
    gives None, and a kept row is exactly the RawRecord it gives (tests/ingest).
    """
    n = len(cell_rows)
    planned = {column for _, column, _, _, _ in plan.columns}
    if not n or "id" not in planned or not plan.required - {"kind"} <= planned:
        return None, list(range(n))
    columns = list(zip(*[cells for _, cells in cell_rows], strict=True))
    bad = bytearray(n)
    local_ids: list[str] = []
    categories: list[str | None] = [None] * n
    minor: list[bool] = [False] * n
    assessment: list[bool] = [False] * n
    observed: list[str | None] = [None] * n
    notes: list[str | None] = [None] * n
    fields: list[BlockField] = []
    for index, column, how, mode, allowed in plan.columns:
        cells = columns[index]
        if column in plan.required and column != "id":  # a blank id is checked below
            for i in _blank(cells):
                bad[i] = 1
        if how == _PLAIN:
            values: list[Any] = [raw if raw.strip() else None for raw in cells]
            if mode == ENUM or max(map(len, cells)) > _MAX_CHARS:
                for i, value in enumerate(values):
                    if value is not None and (
                        len(value) > _MAX_CHARS or (mode == ENUM and value not in allowed)
                    ):
                        bad[i] = 1
            fields.append(BlockField(column, PLAIN, values))
        elif how == _MULTI:
            fields.append(BlockField(column, MULTI, _multi(cells, bad, mode == ENUM, allowed)))
        elif how == _ID:
            local_ids = [raw.strip() for raw in cells]
            for i in [i for i, local_id in enumerate(local_ids) if not 0 < len(local_id) <= MAX_ID_CHARS]:
                bad[i] = 1
        elif how == _BOOLEAN:
            fields.append(BlockField(column, BOOLEAN, _flags(cells, bad)))
        elif how == _FLAG:
            flags = [value is True for value in _flags(cells, bad)]
            if column == "minor":
                minor = flags
            else:
                assessment = flags
        else:
            kept = [raw if raw.strip() else None for raw in cells]
            if how == _CATEGORY:
                wrong = [i for i, value in enumerate(kept) if value is not None and value not in allowed]
            else:
                limit = _MAX_CHARS if how == _OBSERVED else MAX_TEXT
                wrong = [i for i, value in enumerate(kept) if value is not None and len(value) > limit]
            for i in wrong:
                bad[i] = 1
            if how == _CATEGORY:
                categories = kept
            elif how == _OBSERVED:
                observed = kept
            else:
                notes = kept
    rows = [line for line, _ in cell_rows]
    others = [i for i in range(n) if bad[i]]
    if others:
        keep = [i for i in range(n) if not bad[i]]

        def only(values: list[Any]) -> list[Any]:
            return [values[i] for i in keep]

        rows, local_ids, categories = only(rows), only(local_ids), only(categories)
        minor, assessment, observed, notes = only(minor), only(assessment), only(observed), only(notes)
        fields = [BlockField(f.name, f.how, only(f.values)) for f in fields]
    block = RecordBlock(
        plan.kind, file, rows, local_ids, categories, minor, assessment, observed, notes, fields
    )
    return (block if len(block) else None), others


def _ids_collide(blocks: list[RecordBlock], objects: list[tuple[Any, str, int | None]]) -> bool:
    """True when an id is used twice among the blocks, or by a blocked and a row-read record."""
    ids: set[str] = set()
    for block in blocks:
        ids.update(block.local_ids)
    if len(ids) != sum(len(block) for block in blocks):
        return True
    return any(isinstance(obj, dict) and obj.get("id") in ids for obj, _, _ in objects)


def _row_by_row(
    blocks: list[RecordBlock], objects: list[tuple[Any, str, int | None]], order: dict[str, int]
) -> list[tuple[Any, str, int | None]]:
    """The blocks' records among the other objects, in file and row order (as read row by row)."""
    blocked = [(record, block.file, record.row) for block in blocks for record in block.records()]
    return list(heapq.merge(objects, blocked, key=lambda item: (order[item[1]], item[2] or 0)))


def _not_a_file(path: Path) -> Problem:
    """A bundle entry that is a link or a folder: never followed, read or kept."""
    if path.is_symlink():
        return Problem(
            path.name,
            None,
            None,
            "a symbolic link; it was not followed, and nothing it points to was read or kept",
            "copy the file itself into the bundle",
        )
    return Problem(
        path.name,
        None,
        None,
        "not a regular file (a folder or a device); it was not read",
        "bundles hold envelope.json and <kind>.csv files only",
        "warning",
    )


def read_csv_bundle(folder: Path, encoding: str | None = None, columnar: bool = False) -> ParsedContribution:
    """Read a CSV bundle folder; bad rows become problems, the rest is kept.

    With `columnar`, the certainly valid rows of each record file (not payments, which
    `screen_payments` checks one by one) come back as `RecordBlock`s, the others as records
    read row by row; the ingest pipeline reads bundles so. Without, every record is a
    RawRecord (the reference the columnar reading is tested against)."""
    envelope = parse_envelope(read_envelope_file(folder / ENVELOPE_NAME), ENVELOPE_NAME)
    model = load_model()
    files: list[tuple[str, Path]] = [(ENVELOPE_NAME, folder / ENVELOPE_NAME)]
    problems: list[Problem] = []
    objects: list[tuple[Any, str, int | None]] = []
    link_objects: list[tuple[Any, str, int | None]] = []
    calls: list[CallFile] = []
    blocks: list[RecordBlock] = []
    order: dict[str, int] = {}
    for path in sorted(folder.iterdir()):
        if path.name == ENVELOPE_NAME or path.name.startswith("."):
            continue
        if path.is_symlink() or not path.is_file():
            problems.append(_not_a_file(path))
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
        text, found = decode_bytes(read_limited(path, path.name), path.name, encoding)
        header, cell_rows, found = _cells_of(text, path.name, found, columnar)
        problems += found + _check_columns(header, allowed, path.name)
        if "id" not in header and header:
            problems.append(Problem(path.name, 1, "id", "no id column", "add an id column"))
            continue
        # a NUL anywhere sends every row the general way, which rejects the fields holding one
        plan = _row_plan(stem, header, allowed) if "\x00" not in text else None
        order[path.name] = len(order)
        if columnar and plan is not None and stem != "payment":
            block, others = _block(plan, cell_rows, path.name)
            if block is not None:
                blocks.append(block)
            for i in others:
                row, row_cells = cell_rows[i]
                cell_map = dict(zip(header, row_cells, strict=True))
                objects.append(
                    (_record_object(stem, cell_map, allowed, path.name, row, problems), path.name, row)
                )
            continue
        for row, row_cells in cell_rows:
            record = plan.record(row_cells, path.name, row) if plan is not None else None
            if record is not None:
                objects.append((record, path.name, row))
                continue
            cell_map = dict(zip(header, row_cells, strict=True))
            objects.append(
                (_record_object(stem, cell_map, allowed, path.name, row, problems), path.name, row)
            )
    if blocks and _ids_collide(blocks, objects):  # which record keeps the id: as read row by row
        objects, blocks = _row_by_row(blocks, objects, order), []
    records, links, found = collect_records(objects, link_objects, blocks)
    return ParsedContribution(
        envelope=envelope,
        format="csv_bundle",
        files=files,
        records=records,
        links=links,
        call_files=calls,
        problems=problems + found,
        blocks=blocks,
    )
