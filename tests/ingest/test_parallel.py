"""Large contributions are normalised in worker processes, with the same result as in one."""

from __future__ import annotations

from pathlib import Path

import pytest

import mare.ingest.pipeline as pipeline
from builders import write_contribution
from mare.ingest.pipeline import ingest_file
from mare.store.db import open_store


def _records(n: int) -> list[dict[str, object]]:
    names = ["Mohammed Al-Hassan", "محمد الحسن", "Ivan Petrov", "ALI, Hasan", "Aman Tesfay"]
    return [{"id": f"p{i}", "kind": "person", "name": f"{names[i % 5]} {i}", "birth_date": "03.04.1985",
             "nationality": ["Syrian", "ER"][i % 2], "phone": f"+4915{i:08d}",
             "category": "victim" if i % 7 == 0 else "suspect", "minor": i % 11 == 0}
            for i in range(n)]


def _dump(home: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with open_store(home) as store:
        records = store.con.execute(
            "SELECT local_id, kind, label, category, minor, review_at, row_ref FROM records ORDER BY local_id"
        ).fetchall()
        values = store.con.execute(
            "SELECT r.local_id, v.field, v.position, v.original, v.normalised, v.flags, v.extra::VARCHAR "
            "FROM record_values v JOIN records r ON r.uid = v.record_uid ORDER BY 1, 2, 3").fetchall()
    return records, values


def test_workers_give_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_contribution(tmp_path / "big.json", _records(600))
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_RECORDS", 100)
    monkeypatch.setattr(pipeline, "CHUNK_RECORDS", 70)
    monkeypatch.setenv("MARE_WORKERS", "2")
    with open_store(tmp_path / "parallel") as store:
        assert ingest_file(store, path).status == "stored"
    monkeypatch.setenv("MARE_WORKERS", "1")
    with open_store(tmp_path / "serial") as store:
        assert ingest_file(store, path).status == "stored"
    parallel, serial = _dump(tmp_path / "parallel"), _dump(tmp_path / "serial")
    assert len(parallel[0]) == 600 and len(parallel[1]) > 2000
    assert parallel == serial
