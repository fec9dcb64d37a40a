"""Place names of hub records are geocoded into derived data, which erasure removes."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import write_contribution
from mare.analyse.geo.enrich import geocode_records
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store
from mare.store.erasure import erase_records


@pytest.fixture
def stored(store: Store, tmp_path: Path) -> str:
    records = [
        {
            "id": "e1",
            "kind": "event",
            "event_type": "interception",
            "place": "off Lampedusa",
            "country": "IT",
        },
        {"id": "l1", "kind": "journey_leg", "from_place": "Zuwara", "to_place": "Lampedusa"},
        {"id": "p1", "kind": "person", "name": "Ali", "birth_place": "Aleppo"},
        {"id": "x1", "kind": "location", "name": "Qwxzv Nowhere"},
    ]
    report = ingest_file(store, write_contribution(tmp_path / "c.json", records))
    return str(report.contribution)


def test_geocodes_with_confidence(store: Store, stored: str) -> None:
    summary = geocode_records(store, stored)
    assert summary.texts == 5 and summary.geocoded == 4 and summary.unresolved == 1
    rows = {
        (f, t): (c, conf, reason)
        for f, t, c, conf, reason in store.con.execute(
            "SELECT field, text, country, confidence, reason FROM place_geocodes"
        ).fetchall()
    }
    assert rows[("place", "off Lampedusa")][0] == "IT"
    assert rows[("from_place", "Zuwara")][0] == "LY"
    assert rows[("birth_place", "Aleppo")][0] == "SY"
    assert rows[("name", "Qwxzv Nowhere")][0] is None
    assert all(0 < conf <= 1 for c, conf, _ in rows.values() if c)
    assert geocode_records(store, stored).texts == 0  # done once


def test_erasure_removes_geocodes(store: Store, stored: str) -> None:
    geocode_records(store, stored)
    erase_records(store, [f"{stored}:p1"], "dpo", "test")
    left = store.con.execute("SELECT count(*) FROM place_geocodes WHERE text = 'Aleppo'").fetchone()
    assert left == (0,)


def test_one_contributions_pending_places_are_the_hub_wide_readings(store: Store, tmp_path: Path) -> None:
    """The reading by one contribution's uids gives what the hub-wide reading gives for its records."""
    from mare.analyse.geo.enrich import _pending

    first = [
        {"id": "l1", "kind": "journey_leg", "from_place": "Zuwara", "to_place": "Lampedusa",
         "from_country": "LY", "to_country": "IT"},
        {"id": "p1", "kind": "person", "name": "Ali", "birth_place": "Aleppo", "birth_country": "SY"},
        {"id": "p2", "kind": "person", "name": "Omar"},
        {"id": "x1", "kind": "location", "name": "Tripoli", "city": "Tripoli", "country": "LY"},
        {"id": "e1", "kind": "event", "event_type": "interception", "place": "off Lampedusa"},
    ]  # fmt: skip
    second = [{"id": "l9", "kind": "journey_leg", "from_place": "Izmir", "to_place": "Chios"}]
    c1 = str(ingest_file(store, write_contribution(tmp_path / "a.json", first)).contribution)
    c2 = str(ingest_file(store, write_contribution(tmp_path / "b.json", second, id="TEST-2")).contribution)
    everything = _pending(store, None)
    assert len(everything) == 8
    for contribution in (c1, c2):
        ours = [row for row in everything if row[0].startswith(f"{contribution}:")]
        assert sorted(_pending(store, contribution)) == sorted(ours)
    assert (f"{c1}:l1", "from_place", "Zuwara", "LY") in _pending(store, c1)
    geocode_records(store, c1)
    assert _pending(store, c1) == [] and len(_pending(store, c2)) == 2
