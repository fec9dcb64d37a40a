"""Widget shapes: the map's window of days counts back from the newest dated item."""

from __future__ import annotations

from mare.server.shapes import since


def test_since_counts_back_from_the_newest_day() -> None:
    assert since(["2026-03-01T10:00", None, "2026-03-13", "2025-12-31T23:59"], 30) == "2026-02-11"
    assert since(["2026-03-13T23:59:59"], 1) == "2026-03-12"


def test_since_without_days_or_dates() -> None:
    assert since(["2026-01-01"], None) is None
    assert since([None, ""], 30) is None
    assert since(["not a date"], 3) is None
