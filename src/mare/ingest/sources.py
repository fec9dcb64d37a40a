"""Finding contributions under the paths given to `mare ingest`, and their formats."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Format = Literal["json", "csv_bundle", "cdr", "ftm", "ais", "telegram", "posts"]
SIDECAR_SUFFIX = ".envelope.json"
BUNDLE_ENVELOPE = "envelope.json"


@dataclass(frozen=True, slots=True)
class Source:
    """One contribution on disk: a file or a bundle folder, with its format."""

    path: Path
    format: Format

    @property
    def sidecar(self) -> Path:
        """Where a separate envelope for this file would be (FILE.envelope.json)."""
        return self.path.with_name(self.path.name + SIDECAR_SUFFIX)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A path that is not a contribution, with the reason."""

    path: Path
    reason: str


def detect_format(path: Path, forced: Format | None = None) -> Format | None:
    """The format of one path, from its name and shape (None when not a contribution)."""
    if forced:
        return forced
    name = path.name.lower()
    if path.is_dir():
        return "csv_bundle" if (path / BUNDLE_ENVELOPE).is_file() else None
    if name.endswith(SIDECAR_SUFFIX):
        return None
    if name.endswith((".ftm.json", ".ftm.jsonl", ".jsonl", ".ijson")):
        return "ftm"
    if name.endswith(".json"):
        from mare.ingest.telegram import looks_like_telegram

        return "telegram" if looks_like_telegram(path) else "json"
    if name.endswith(".csv"):
        from mare.ingest.ais import looks_like_ais_csv
        from mare.ingest.posts_csv import looks_like_posts_csv

        if looks_like_posts_csv(path):
            return "posts"

        return "ais" if looks_like_ais_csv(path) else "cdr"
    from mare.ingest.ais import looks_like_nmea

    return "ais" if looks_like_nmea(path) else None


def find_sources(paths: list[Path], forced: Format | None = None) -> tuple[list[Source], list[Skipped]]:
    """Every contribution under the given paths (folders are searched), in a stable order."""
    sources: list[Source] = []
    skipped: list[Skipped] = []

    def visit(path: Path, top: bool) -> None:
        if not top and path.is_symlink():
            skipped.append(Skipped(path, "a symbolic link inside a folder; not followed"))
            return
        if not path.exists():
            skipped.append(Skipped(path, "no such file or folder"))
            return
        fmt = detect_format(path, forced if top else None)
        if fmt is not None:
            sources.append(Source(path, fmt))
            return
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if not child.name.startswith("."):
                    visit(child, False)
            return
        if not path.name.lower().endswith(SIDECAR_SUFFIX):
            skipped.append(
                Skipped(
                    path,
                    "not a contribution format Mare reads (json, csv bundle "
                    "folder, call records csv, FtM jsonl, AIS nmea or csv, Telegram export json, "
                    "posts csv)",
                )
            )

    for path in paths:
        visit(path, True)
    return sources, skipped
