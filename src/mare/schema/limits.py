"""The limits on what a contribution may hold, in one place (stated in docs/formats/contribution.md).

Every reader checks its input against these before or while parsing it, and says which limit
was passed, by how much and how to stay within it; nothing beyond them reaches the store.
"""

from __future__ import annotations

#: Characters in one value (a field value or a note).
MAX_VALUE_CHARS = 100_000
#: Characters in a record or link id.
MAX_ID_CHARS = 200
#: Values in one field that takes several.
MAX_ITEMS = 1_000
#: Levels of nesting in a JSON document or an FtM line (a valid contribution needs 6).
MAX_NESTING = 32
#: Columns in one CSV file (a CSV bundle's files and call records).
MAX_COLUMNS = 1_000
#: Bytes in one file read whole: a JSON contribution, a CSV bundle's file, an FtM file.
MAX_FILE_BYTES = 2 << 30
#: Bytes in one envelope file (envelope.json, FILE.envelope.json).
MAX_ENVELOPE_BYTES = 1 << 20
#: Characters in one line of call records (they are streamed, so the file itself has no limit).
MAX_CALL_ROW_CHARS = 1 << 20


def too_long(length: int, limit: int = MAX_VALUE_CHARS, unit: str = "characters") -> str:
    """The one wording of a limit passed: "too long (N characters; limit L)"."""
    return f"too long ({length:,} {unit}; limit {limit:,})"


def json_depth_exceeds(data: object, limit: int = MAX_NESTING) -> bool:
    """True when parsed JSON nests containers deeper than `limit` levels (checked without recursion)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: object = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        for child in children:  # type: ignore[attr-defined]
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return False
