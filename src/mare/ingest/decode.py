"""Turning the bytes of an input file into text, with BOMs and legacy encodings handled."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

from mare.ingest.problems import ContributionError, Problem
from mare.schema.limits import MAX_FILE_BYTES, MAX_NESTING, json_depth_exceeds, too_long

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _arabic_share(text: str) -> float:
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return 0.0
    arabic = sum(1 for c in non_ascii if "\u0600" <= c <= "\u06ff")
    return arabic / len(non_ascii)


def decode_bytes(data: bytes, name: str, encoding: str | None = None) -> tuple[str, list[Problem]]:
    """Decode a file: an explicit encoding, else a BOM, else UTF-8, else UTF-16 or Windows-1256.

    Returns the text and warnings; raises ContributionError when no encoding fits.
    """
    warnings: list[Problem] = []
    if encoding:
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ContributionError(
                [
                    Problem(
                        name,
                        None,
                        None,
                        f"cannot decode as {encoding}: {exc}",
                        "check the --encoding you gave",
                    )
                ]
            ) from exc
        return text.lstrip("\ufeff"), warnings
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc), warnings
            except UnicodeDecodeError as exc:
                raise ContributionError(
                    [
                        Problem(
                            name,
                            None,
                            None,
                            f"starts with a {enc} byte-order mark but is not valid {enc} (byte {exc.start})",
                            "re-export the file as UTF-8",
                        )
                    ]
                ) from exc
    guessed16 = _looks_utf16(data)
    if guessed16:
        try:
            text = data.decode(guessed16)
            warnings.append(
                Problem(
                    name,
                    None,
                    None,
                    f"read as {guessed16} (no byte-order mark)",
                    "send UTF-8 to avoid guessing",
                    "warning",
                )
            )
            return text, warnings
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError as exc:
        utf8_error = exc
    legacy = data.decode("cp1256", errors="replace")
    if "\ufffd" not in legacy and _arabic_share(legacy) > 0.8:
        warnings.append(
            Problem(
                name,
                None,
                None,
                "not UTF-8; read as Windows-1256 (Arabic)",
                "send UTF-8, or pass --encoding cp1256 to confirm",
                "warning",
            )
        )
        return legacy, warnings
    raise ContributionError(
        [
            Problem(
                name,
                None,
                None,
                f"not valid UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start})",
                "re-export as UTF-8 or give the encoding with --encoding (e.g. cp1256, latin-1)",
            )
        ]
    )


def read_limited(path: Path, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file no bigger than `limit`; anything else is a clear refusal."""
    if path.is_symlink() or not path.is_file():
        what = "a symbolic link" if path.is_symlink() else "not a regular file"
        raise ContributionError(
            [Problem(name, None, None, f"{what}; it was not read", "send the file itself, not a link to it")]
        )
    size = path.stat().st_size
    if size > limit:
        raise ContributionError(
            [
                Problem(
                    name,
                    None,
                    None,
                    f"the file is {too_long(size, limit, 'bytes')}",
                    "split it into several contributions",
                )
            ]
        )
    return path.read_bytes()


class NestingError(ValueError):
    """JSON nested deeper than MAX_NESTING levels."""


NESTING_FIX = f"values are text, numbers or lists of them; nothing needs more than {MAX_NESTING} levels"


def load_json(text: str) -> Any:
    """`json.loads` with the nesting limit (raises NestingError beyond it, JSONDecodeError on bad syntax)."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise NestingError(f"JSON nested deeper than the limit of {MAX_NESTING} levels") from None
    if json_depth_exceeds(data):
        raise NestingError(f"JSON nested deeper than the limit of {MAX_NESTING} levels")
    return data
