"""Content-addressed archive of the raw bytes of every contribution file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class RawArchive:
    """Raw files kept under HOME/raw/ab/abcdef..., written atomically (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """Where the file with this digest lives."""
        return self.root / sha256[:2] / sha256

    def put_bytes(self, data: bytes) -> tuple[str, Path]:
        """Keep these bytes; returns their digest and path (idempotent)."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha)
        if not target.exists():
            self._write(target, [data])
        return sha, target

    def put_file(self, source: Path) -> tuple[str, Path]:
        """Keep a copy of this file; returns its digest and path (idempotent)."""
        sha = sha256_file(source)
        target = self.path_for(sha)
        if not target.exists():
            with source.open("rb") as fh:
                self._write(target, iter(lambda: fh.read(1 << 20), b""))
        return sha, target

    def read(self, sha256: str) -> bytes:
        """The bytes kept under this digest."""
        return self.path_for(sha256).read_bytes()

    def _write(self, target: Path, blocks: object) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as out:
            for block in blocks:  # type: ignore[attr-defined]
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
