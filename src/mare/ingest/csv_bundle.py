"""Reader for CSV bundles: a folder with envelope.json and one CSV file per record kind."""

from __future__ import annotations

import csv
import difflib
import heapq
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mare.ingest.arrays import bool_array, bools, int64_array, int_values, lengths, nulls_where, strings
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


def _within(texts: pa.Array, allowed: frozenset[str]) -> np.ndarray:
    """Whether each text is one of `allowed` (exactly, as `in`)."""
    if not allowed or not len(texts):
        return np.zeros(len(texts), np.bool_)
    return bools(pc.is_in(texts, value_set=strings(sorted(allowed))))


def _flags(cells: pa.Array, bad: np.ndarray) -> np.ndarray:
    """Each cell as `_RowPlan.record` reads a boolean: 1 true, 0 false, -1 blank (or neither,
    which marks the row bad). Worked out once per distinct cell."""
    encoded = cells.dictionary_encode()
    codes = []
    for raw in encoded.dictionary.to_pylist():
        low = raw.strip().lower()
        codes.append(-1 if not low else 1 if low in _TRUE else 0 if low in _FALSE else 2)
    values = np.array(codes, np.int8)[int_values(encoded.indices)] if codes else np.zeros(0, np.int8)
    neither = values == 2
    bad |= neither
    values[neither] = -1
    return values


def _positions(rows: np.ndarray) -> np.ndarray:
    """The position of each value among its row's, for values in row order."""
    if not len(rows):
        return rows
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    return np.arange(len(rows)) - np.repeat(starts, np.diff(np.append(starts, len(rows))))


def _multi(
    name: str,
    cells: pa.Array,
    trimmed: pa.Array,
    blank: np.ndarray,
    bad: np.ndarray,
    enum: bool,
    allowed: frozenset[str],
) -> BlockField:
    """A cell's parts as `_RowPlan.record` splits them (stripped, none empty; a cell without a
    separator is its one part, stripped); rows with a part out of bounds are marked bad."""
    split = bools(pc.match_substring(cells, MULTI_SEPARATOR))
    single = ~split & ~blank
    rows = np.flatnonzero(single)
    texts = trimmed.filter(bool_array(single))
    wrong = lengths(texts) > _MAX_CHARS
    if enum:
        wrong |= ~_within(texts, allowed)
    bad[rows[wrong]] = True
    if not split.any():
        return BlockField(name, MULTI, rows, np.zeros(len(rows), np.int64), texts)
    cut = pc.split_pattern(cells.filter(bool_array(split)), MULTI_SEPARATOR)
    parts = pc.utf8_trim_whitespace(cut.flatten())
    sizes = lengths(parts)
    kept = sizes > 0
    part_rows = np.flatnonzero(split)[int_values(cut.value_parent_indices())][kept]
    parts = parts.filter(bool_array(kept))
    bad |= np.bincount(part_rows, minlength=len(cells)) > MAX_ITEMS
    wrong = sizes[kept] > _MAX_CHARS
    if enum:
        wrong |= ~_within(parts, allowed)
    bad[part_rows[wrong]] = True
    rows = np.concatenate((rows, part_rows))
    order = np.argsort(rows, kind="stable")  # a row's parts stay in order
    rows = rows[order]
    texts = pa.concat_arrays([texts, parts]).take(int64_array(order))
    return BlockField(name, MULTI, rows, _positions(rows), texts)


def _block(
    plan: _RowPlan, lines: np.ndarray, columns: list[pa.Array], file: str
) -> tuple[RecordBlock | None, np.ndarray]:
    """The rows `plan.record` would build, column by column, and the indices of all the others.

    `columns` holds each header column's cells (Arrow strings), `lines` each row's line. A row
    is left out (for the general path, which says why) exactly where `plan.record` gives None,
    and a kept row is exactly the RawRecord it gives (tests/ingest).
    """
    n = len(lines)
    planned = {column for _, column, _, _, _ in plan.columns}
    if not n or "id" not in planned or not plan.required - {"kind"} <= planned:
        return None, np.arange(n)
    bad = np.zeros(n, np.bool_)
    local_ids = strings([])
    kept: dict[str, pa.Array] = {}  # category, observed_at, note: the cell, null where blank
    flags: dict[str, np.ndarray] = {}  # minor, assessment
    fields: list[BlockField] = []
    for index, column, how, mode, allowed in plan.columns:
        cells = columns[index]
        trimmed = pc.utf8_trim_whitespace(cells)
        blank = lengths(trimmed) == 0
        if column in plan.required and column != "id":  # a blank id is checked below
            bad |= blank
        if how == _PLAIN:
            wrong = lengths(cells) > _MAX_CHARS
            if mode == ENUM:
                wrong |= ~_within(cells, allowed)
            bad |= wrong & ~blank
            rows = np.flatnonzero(~blank)
            texts = cells.filter(bool_array(~blank))
            fields.append(BlockField(column, PLAIN, rows, np.zeros(len(rows), np.int64), texts))
        elif how == _MULTI:
            fields.append(_multi(column, cells, trimmed, blank, bad, mode == ENUM, allowed))
        elif how == _ID:
            size = lengths(trimmed)
            bad |= (size == 0) | (size > MAX_ID_CHARS)
            local_ids = trimmed
        elif how in (_BOOLEAN, _FLAG):
            values = _flags(cells, bad)
            if how == _BOOLEAN:
                rows = np.flatnonzero(values >= 0)
                texts = _FALSE_TRUE.take(int64_array(values[rows]))
                fields.append(BlockField(column, BOOLEAN, rows, np.zeros(len(rows), np.int64), texts))
            else:
                flags[column] = values == 1
        else:
            if how == _CATEGORY:
                wrong = ~_within(cells, allowed)
            else:
                wrong = lengths(cells) > (_MAX_CHARS if how == _OBSERVED else MAX_TEXT)
            bad |= wrong & ~blank
            kept[column] = nulls_where(bool_array(blank), cells) if blank.any() else cells
    others = np.flatnonzero(bad)
    if len(others) == n:
        return None, others
    if len(others):
        keep = ~bad
        renumber = np.cumsum(keep) - 1
        lines, local_ids = lines[keep], local_ids.filter(bool_array(keep))
        kept = {name: values.filter(bool_array(keep)) for name, values in kept.items()}
        flags = {name: values[keep] for name, values in flags.items()}
        for f in fields:
            mine = keep[f.rows]
            f.rows, f.positions = renumber[f.rows[mine]], f.positions[mine]
            f.texts = f.texts.filter(bool_array(mine))
    m = len(lines)

    def reserved(name: str) -> list[Any]:
        return kept[name].to_pylist() if name in kept else [None] * m

    def flag(name: str) -> list[bool]:
        return flags[name].tolist() if name in flags else [False] * m

    block = RecordBlock(
        plan.kind,
        file,
        lines.tolist(),
        local_ids.to_pylist(),
        reserved("category"),
        flag("minor"),
        flag("assessment"),
        reserved("observed_at"),
        reserved("note"),
        fields,
    )
    return block, others


_FALSE_TRUE = strings(["false", "true"])  # a boolean value's text, as `_as_text` writes it


def _as_columns(cell_rows: list[tuple[int, list[str]]], width: int) -> tuple[np.ndarray, list[pa.Array]]:
    """Rows read by the csv module as the line of each and the cells of each column."""
    lines = np.fromiter((line for line, _ in cell_rows), np.int64, len(cell_rows))
    if not cell_rows:
        return lines, [strings([]) for _ in range(width)]
    return lines, [strings(cells) for cells in zip(*(cells for _, cells in cell_rows), strict=True)]


def _cells_at(columns: list[pa.Array], indices: np.ndarray) -> list[list[str]]:
    """The cells of these rows, row by row."""
    taken = int64_array(indices)
    cells = [column.take(taken).to_pylist() for column in columns]
    return [list(row) for row in zip(*cells, strict=True)]


def _arrow_rows(
    text: str, name: str, problems: list[Problem]
) -> tuple[list[str], np.ndarray, list[pa.Array], list[Problem]] | None:
    """As `_cells_of` (the header, each row's line and cells, problems), read by Arrow's CSV
    reader, column by column; None unless that is certainly what the csv module reads.

    It is where no value spans lines and every row has as many cells as the header: lines are
    then rows (an empty line none, as for the csv module), and a line without a quote is its
    cells joined by commas for both readers. Every line with a quote is read again by the csv
    module and must give the same cells. Anything else (a lone CR, a NUL, a broken or short
    row, a byte-order mark, an empty first line) is left to `_cells_of`.
    """
    if not text or text[0] in "\r\n\ufeff" or "\x00" in text:
        return None
    data = text.encode("utf-8")
    if data.count(b"\r") != data.count(b"\r\n"):
        return None
    newline = text.find("\n")
    first = (text if newline < 0 else text[:newline]).removesuffix("\r")
    try:
        head = next(csv.reader([first], strict=True))
    except (csv.Error, StopIteration):
        return None
    header = [h.strip() for h in head]
    wrong = header_problems(header, name)
    if wrong:
        return [], np.zeros(0, np.int64), [], [*problems, *wrong]
    buffer = np.frombuffer(data, np.uint8)
    ends = np.flatnonzero(buffer == 10)
    starts = np.concatenate(([0], ends + 1))
    if data.endswith(b"\n"):
        starts = starts[:-1]
    else:
        ends = np.append(ends, len(data))
    sizes = ends - starts
    sizes[(sizes > 0) & (buffer[np.maximum(ends - 1, 0)] == 13)] -= 1  # the CR of a CRLF
    rows_at = np.flatnonzero(sizes > 0)  # the lines Arrow reads as rows (the header first)
    from pyarrow import csv as arrow_csv

    try:
        table = arrow_csv.read_csv(
            pa.py_buffer(data),
            read_options=arrow_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=arrow_csv.ParseOptions(newlines_in_values=False, ignore_empty_lines=True),
            convert_options=arrow_csv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(len(head))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if table.num_columns != len(head) or table.num_rows != len(rows_at):
        return None
    columns = [column.combine_chunks() for column in table.columns]
    quoted = np.unique(np.searchsorted(starts, np.flatnonzero(buffer == 34), side="right") - 1)
    if len(quoted):
        row_of_line = np.cumsum(sizes > 0) - 1
        again = [data[starts[i] : starts[i] + sizes[i]].decode("utf-8") for i in quoted.tolist()]
        try:
            read_again = list(csv.reader(again, strict=True))
        except csv.Error:
            return None
        if read_again != _cells_at(columns, row_of_line[quoted]):
            return None
    columns = [column.slice(1) for column in columns]
    lines = rows_at[1:] + 1
    maybe = np.flatnonzero(lengths(pc.utf8_trim_whitespace(columns[0])) == 0)  # a blank row's first cell
    blank = maybe[[not "".join(cells).strip() for cells in _cells_at(columns, maybe)]]
    if len(blank):  # rows of nothing but spaces: skipped, as `_cells_of` skips them
        keep = np.ones(len(lines), np.bool_)
        keep[blank] = False
        lines, columns = lines[keep], [column.filter(bool_array(keep)) for column in columns]
    return header, lines.astype(np.int64), columns, problems


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
        read = _arrow_rows(text, path.name, found) if columnar else None
        cell_rows: list[tuple[int, list[str]]] | None = None
        if read is None:
            header, cell_rows, found = _cells_of(text, path.name, found, columnar)
            lines, columns = np.zeros(0, np.int64), list[pa.Array]()
        else:
            header, lines, columns, found = read
        problems += found + _check_columns(header, allowed, path.name)
        if "id" not in header and header:
            problems.append(Problem(path.name, 1, "id", "no id column", "add an id column"))
            continue
        # a NUL anywhere sends every row the general way, which rejects the fields holding one
        plan = _row_plan(stem, header, allowed) if "\x00" not in text else None
        order[path.name] = len(order)
        if columnar and plan is not None and stem != "payment":
            if cell_rows is not None:
                lines, columns = _as_columns(cell_rows, len(header))
            block, others = _block(plan, lines, columns, path.name)
            if block is not None:
                blocks.append(block)
            for row, row_cells in zip(lines[others].tolist(), _cells_at(columns, others), strict=True):
                cell_map = dict(zip(header, row_cells, strict=True))
                objects.append(
                    (_record_object(stem, cell_map, allowed, path.name, row, problems), path.name, row)
                )
            continue
        if cell_rows is None:
            cell_rows = list(zip(lines.tolist(), _cells_at(columns, np.arange(len(lines))), strict=True))
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
