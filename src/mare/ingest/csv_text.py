"""Reading CSV rows strictly: a row with broken quoting is rejected alone, never merged with the next.

Python's `csv` module, left to itself, reads an unclosed quote to the end of the file (turning
every later row into one value) and goes on after a stray quote. Here each row is read with
`strict=True`; when a row fails, it is reported by the line it began on and reading starts
again on the line after, so the rows it would have swallowed are read on their own.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mare.ingest.problems import Problem
from mare.schema.limits import MAX_COLUMNS, MAX_FILE_BYTES

csv.field_size_limit(MAX_FILE_BYTES)  # cells are bounded by the file; `records` checks each value's length
QUOTE_FIX = 'close the quote, and write a quote inside a value as two quotes ("")'


class _Lines:
    """An iterator over lines that remembers the lines of the current row and can give them back."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.source = iter(lines)
        self.pending: deque[str] = deque()
        self.row: list[str] = []
        self.number = 0  # lines consumed so far

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.pending.popleft() if self.pending else next(self.source)
        self.row.append(line)
        self.number += 1
        return line

    def start_row(self) -> int:
        """Forget the previous row's lines; the number of the line the next row begins on."""
        self.row = []
        return self.number + 1

    def give_back_all_but_first(self) -> None:
        """Read the current row's lines again, except its first (the row that failed)."""
        again = self.row[1:]
        self.pending.extendleft(reversed(again))
        self.number -= len(again)


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One row read: the line it began on, how many lines it spans, its cells."""

    line: int
    lines: int
    cells: list[str]


def csv_rows(lines: Iterable[str], name: str, problems: list[Problem]) -> Iterator[CsvRow]:
    """Every syntactically sound row (the header included, at line 1); broken rows become problems."""
    source = _Lines(lines)
    reader = csv.reader(source, strict=True)
    while True:
        begin = source.start_row()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            spans = len(source.row)
            if "end of data" in str(exc) or "new-line character seen in unquoted field" in str(exc):
                reason = (
                    "a quote opened in this row is never closed"
                    + (f" (it would take in the {spans - 1:,} lines after it)" if spans > 1 else "")
                    + "; the row was rejected"
                )
            else:
                reason = f"CSV syntax error ({exc}); the row was rejected"
            problems.append(Problem(name, begin, None, reason, QUOTE_FIX))
            source.give_back_all_but_first()
            continue
        yield CsvRow(begin, len(source.row), cells)


def header_problems(header: list[str], name: str) -> list[Problem]:
    """A header too wide or with a column given twice: the file cannot be read safely."""
    if len(header) > MAX_COLUMNS:
        return [
            Problem(
                name,
                1,
                None,
                f"the header has {len(header):,} columns; the limit is {MAX_COLUMNS:,}; "
                "the file was not read",
                "send only the columns of the format (docs/formats/contribution.md)",
            )
        ]
    seen: dict[str, int] = {}
    for index, column in enumerate(header, start=1):
        if column in seen:
            return [
                Problem(
                    name,
                    1,
                    column,
                    f"column {column!r} appears twice (columns {seen[column]} and {index}); "
                    "the file was not read, so that no value is silently dropped",
                    "keep one column of each name; put several values in one cell, separated by |",
                )
            ]
        seen[column] = index
    return []
