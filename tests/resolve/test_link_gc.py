"""`mare link` runs with fewer garbage collections: the same links, and the thresholds restored."""

from __future__ import annotations

import contextlib
import csv
import gc
from pathlib import Path
from typing import Any

import pytest

import mare.resolve.flatfile as flatfile
from builders import load_benchmark


def _write(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _outcome(path: Path) -> tuple[Any, ...]:
    out = flatfile.link_csv(path, symbols=False)
    return out.rows, sorted(out.result.pairs), sorted(out.result.clusters.items()), out.accuracy


def test_link_with_fewer_collections_gives_the_same_links_and_restores_the_thresholds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = load_benchmark("crosscheck")._noisy_rows(400, names="scaled")
    path = _write(rows, tmp_path / "persons.csv")
    seen: list[tuple[int, int, int]] = []
    read = flatfile.read_records

    def spying(p: Path) -> Any:
        seen.append(gc.get_threshold())
        return read(p)

    monkeypatch.setattr(flatfile, "read_records", spying)
    before = gc.get_threshold()
    new = _outcome(path)
    assert gc.get_threshold() == before
    assert seen == [(max(flatfile.GC_YOUNG, before[0]), max(50, before[1]), max(100, before[2]))]
    flatfile._value.cache_clear()  # the old run normalises every value again
    flatfile._normalised.cache_clear()
    monkeypatch.setattr(flatfile, "_fewer_collections", contextlib.nullcontext)
    assert _outcome(path) == new
    assert new[1] and len({c for _, c in new[2]}) < len(new[2])  # some records were linked


def test_thresholds_are_restored_when_the_link_fails(tmp_path: Path) -> None:
    before = gc.get_threshold()
    with pytest.raises(flatfile.LinkInputError):
        flatfile.link_csv(_write([{"record_id": "1", "other": "x"}], tmp_path / "bad.csv"))
    assert gc.get_threshold() == before
