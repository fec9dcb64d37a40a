"""Researchers' files: edge lists (`source,target[,weight]`) and adjacency matrices (ids in row/column 1).

Separators are detected (comma, semicolon, tab or spaces). A first line whose weight column is not
a number is taken as a header. Errors name the file, the line and the fix.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Literal

from mare.analyse.network.graph import Network, Tie, build_network

FileFormat = Literal["edgelist", "matrix"]


class NetworkFileError(ValueError):
    """The file cannot be read as a network; the message says where and how to fix it."""


def _rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise NetworkFileError(f"{path}: cannot read ({exc}); give a UTF-8 text file") from exc
    sample = "\n".join(text.splitlines()[:20])
    if any(sep in sample for sep in (",", ";", "\t")):
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = list(csv.reader(io.StringIO(text), dialect))
    else:
        rows = [line.split() for line in text.splitlines()]
    return [[c.strip() for c in row] for row in rows if any(c.strip() for c in row)]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def read_edgelist(path: Path, directed: bool = False, weighted: bool = False) -> Network:
    """Read `source,target[,weight]` lines; repeated pairs add up their weights."""
    rows = _rows(path)
    if not rows:
        raise NetworkFileError(f"{path}: empty file; give one tie per line: source,target[,weight]")
    start = 0
    first = rows[0]
    if (len(first) >= 3 and _number(first[2]) is None) or first[:2] in (
        ["source", "target"],
        ["from", "to"],
        ["i", "j"],
    ):
        start = 1
    ties = []
    for line_no, row in enumerate(rows[start:], start=start + 1):
        if len(row) < 2:
            raise NetworkFileError(f"{path}, line {line_no}: expected source,target[,weight], got {row!r}")
        weight = 1.0
        if len(row) >= 3 and row[2] != "":
            value = _number(row[2])
            if value is None or value < 0:
                raise NetworkFileError(
                    f"{path}, line {line_no}: weight {row[2]!r} is not a non-negative number; "
                    "weights are tie strengths (e.g. number of calls)"
                )
            weight = value
        ties.append(Tie(row[0], row[1], weight=weight))
    return build_network(ties, directed=directed, weighted=weighted, name=path.stem)


def read_matrix(path: Path, directed: bool = False, weighted: bool = False) -> Network:
    """Read an adjacency matrix with ids in the first row and column; undirected sums a_ij + a_ji."""
    rows = _rows(path)
    if len(rows) < 2:
        raise NetworkFileError(f"{path}: a matrix needs a header row of ids and one row per id")
    cols = rows[0][1:]
    ties = []
    for line_no, row in enumerate(rows[1:], start=2):
        if len(row) != len(cols) + 1:
            raise NetworkFileError(
                f"{path}, line {line_no}: {len(row) - 1} values for {len(cols)} columns; "
                "each row is an id followed by one value per column id"
            )
        for target, cell in zip(cols, row[1:], strict=True):
            value = _number(cell) if cell else 0.0
            if value is None:
                raise NetworkFileError(f"{path}, line {line_no}: {cell!r} is not a number")
            if value > 0:
                ties.append(Tie(row[0], target, weight=value))
    nodes = [r[0] for r in rows[1:]] + cols
    return build_network(ties, directed=directed, weighted=weighted, nodes=nodes, name=path.stem)


def read_network(
    path: Path, fmt: FileFormat = "edgelist", directed: bool = False, weighted: bool = False
) -> Network:
    """Read a network file in the given format."""
    if fmt == "matrix":
        return read_matrix(path, directed, weighted)
    if fmt == "edgelist":
        return read_edgelist(path, directed, weighted)
    raise NetworkFileError(f"unknown format {fmt!r}: use edgelist or matrix")
