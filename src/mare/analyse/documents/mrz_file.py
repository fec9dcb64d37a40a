"""MRZ blocks in a text file: one document per blank-line-separated block (`mare mrz FILE`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mare.analyse.documents.mrz_check import MrzVerdict, check_mrz

#: A file of MRZ blocks is read whole; beyond this it is refused (a scan batch is far smaller).
MAX_BYTES = 64 * 1024 * 1024


class MrzFileError(ValueError):
    """The file cannot be read as text; the message names the file and the fix."""


@dataclass(frozen=True)
class Block:
    """One block of lines: its number (from 1), the line it starts on, its text."""

    number: int
    line: int
    text: str


@dataclass(frozen=True)
class BlockVerdict:
    """A block and the verdict on its MRZ."""

    block: Block
    verdict: MrzVerdict

    def as_dict(self, path: str) -> dict[str, Any]:
        """One JSON object per document: where it is, `valid`, and each check."""
        return {"file": path, "block": self.block.number, "line": self.block.line, **self.verdict.as_dict()}


def split_blocks(text: str) -> list[Block]:
    """Cut text into blocks separated by blank lines; lines keep their numbers."""
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            blocks.append(Block(len(blocks) + 1, start, "\n".join(current)))
            current = []
    if current:
        blocks.append(Block(len(blocks) + 1, start, "\n".join(current)))
    return blocks


def read_text(path: Path) -> str:
    """The file as text (UTF-8, a BOM allowed); MrzFileError with the fix when it is not."""
    if not path.is_file():
        raise MrzFileError(f"{path}: no such file; give the path of a text file of MRZ blocks")
    if path.stat().st_size > MAX_BYTES:
        raise MrzFileError(
            f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MiB; split it into smaller files"
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise MrzFileError(
            f"{path}: byte {err.start + 1} is not UTF-8; "
            "save the file as UTF-8 text (MRZ lines use A-Z, 0-9 and '<')"
        ) from None
    if "\x00" in text:
        raise MrzFileError(f"{path}: holds NUL characters (a binary file?); give a text file of MRZ blocks")
    return text


def check_file(path: Path, today: datetime.date | None = None) -> list[BlockVerdict]:
    """The verdict on every block of the file."""
    return [BlockVerdict(b, check_mrz(b.text, today=today)) for b in split_blocks(read_text(path))]
