"""What a crash can leave beside the store, and removing it: orphan raw files, temporary files.

Raw files are archived before the transaction that records them, and an erasure writes the
redacted copies before its commit and deletes the old ones after it; a crash in between leaves
files that no row of `raw_files` names. They hold nothing acknowledged (the contribution was not
stored, or the erasure already committed), so removing them is safe; after an erasure it is
required, since an orphan may still hold erased values. The DuckDB lock keeps any other process
from writing to the store meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mare.store.db import DB_NAME, Store

#: The temporary copy `compact` writes before it replaces the store's file.
COMPACT_NAME = f".{DB_NAME}.compact"


@dataclass(slots=True)
class Leftovers:
    """Files beside the store that no row names (paths), and recorded raw files that are missing."""

    orphans: list[Path] = field(default_factory=list)
    temporary: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def leftovers(store: Store) -> Leftovers:
    """Find orphan raw files, temporary files a crash left, and raw files recorded but gone."""
    found = Leftovers()
    known = {str(r[0]) for r in store.con.execute("SELECT sha256 FROM raw_files").fetchall()}
    root = store.archive.root
    seen: set[str] = set()
    if root.exists():
        for path in sorted(root.glob("*/*")):
            if not path.is_file():
                continue
            if path.name.startswith("."):
                found.temporary.append(path)
            elif path.name in known:
                seen.add(path.name)
            else:
                found.orphans.append(path)
    found.missing = sorted(known - seen)
    for name in (COMPACT_NAME, COMPACT_NAME + ".wal"):
        if (store.home / name).exists():
            found.temporary.append(store.home / name)
    return found


def remove_leftovers(store: Store) -> int:
    """Delete orphan raw files and temporary files; returns how many were removed."""
    found = leftovers(store)
    for path in [*found.orphans, *found.temporary]:
        path.unlink(missing_ok=True)
    return len(found.orphans) + len(found.temporary)
