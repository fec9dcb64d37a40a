"""Point-in-country on Natural Earth 10 m: the hard places, islets, coasts and the missing file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analyse.geo.geo_helpers import needs_atlas
from mare.analyse.geo.atlas import AtlasMissing, alpha2_for, find_atlas, load_countries
from mare.analyse.geo.countries import countries_of, country_at
from mare.analyse.geo.tables import read_table

pytestmark = needs_atlas

HARD_PLACES = [
    ("Lampedusa", 35.5011, 12.6050, "IT"),
    ("Linosa", 35.8625, 12.8617, "IT"),
    ("Ceuta", 35.8894, -5.3213, "ES"),
    ("Melilla", 35.2923, -2.9381, "ES"),
    ("Kirkenes", 69.7271, 30.0450, "NO"),
    ("Nikel (Russian side of Storskog)", 69.4110, 30.2190, "RU"),
    ("Gibraltar", 36.1408, -5.3536, "GI"),
    ("Pristina", 42.6629, 21.1655, "XK"),
    ("North Nicosia", 35.2000, 33.3600, "CY"),
    ("Valletta", 35.8989, 14.5146, "MT"),
    ("Mytilene", 39.1077, 26.5553, "GR"),
    ("Ayvalik", 39.3185, 26.6934, "TR"),
    ("Calais", 50.9513, 1.8587, "FR"),
    ("Dover", 51.1279, 1.3134, "GB"),
]


@pytest.mark.parametrize(("name", "lat", "lon", "alpha2"), HARD_PLACES, ids=[p[0] for p in HARD_PLACES])
def test_hard_places(name: str, lat: float, lon: float, alpha2: str) -> None:
    hit = country_at(lat, lon)
    assert hit.alpha2 == alpha2, f"{name}: {hit}"


def test_open_sea_has_no_country() -> None:
    hit = country_at(35.0, 15.0)
    assert not hit.found and hit.alpha2 == ""


def test_islets_missing_from_natural_earth_come_from_the_table() -> None:
    hit = country_at(36.147, 29.588)  # Kastellorizo: 2 km off Türkiye, Greek
    assert (hit.alpha2, hit.method) == ("GR", "island-table")
    assert country_at(35.94, -3.035).alpha2 == "ES"  # Alborán


def test_islet_table_rows_are_really_missing_and_in_reach() -> None:
    for row in read_table("islands"):
        strict = country_at(float(row["lat"]), float(row["lon"]), coast_km=0)
        assert strict.method == "island-table", f"{row['name']} is in the polygons: drop it from islands.csv"
        assert strict.alpha2 == row["alpha2"]


def test_nearest_coast_fallback_is_flagged_and_bounded() -> None:
    hit = country_at(27.6385, -17.98)  # La Restinga harbour, just off the generalised coast
    assert (hit.alpha2, hit.method) == ("ES", "nearest-coast") and 0 < hit.distance_km <= 5
    assert not country_at(35.3, 12.0, coast_km=5).found  # 40 km at sea stays at sea


def test_vectorised_matches_scalar() -> None:
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(30, 60, 300), rng.uniform(-10, 40, 300)
    many = countries_of(lat, lon)
    assert [country_at(a, b).alpha2 for a, b in zip(lat, lon, strict=True)] == many.tolist()
    assert countries_of([np.nan], [1.0]).tolist() == [""]


def test_every_unit_with_an_iso_id_gets_an_alpha2() -> None:
    shapes = load_countries()
    missing = [s.name for s in shapes if s.numeric and not s.alpha2]
    assert missing == []
    assert alpha2_for(None, "Kosovo") == "XK" and alpha2_for("380", "Italy") == "IT"


def test_missing_atlas_names_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MARE_WORLD_ATLAS", str(tmp_path / "nope.json"))
    with pytest.raises(AtlasMissing, match="MARE_WORLD_ATLAS"):
        find_atlas()
    monkeypatch.delenv("MARE_WORLD_ATLAS")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("mare.analyse.geo.atlas.__file__", str(tmp_path / "x" / "atlas.py"))
    with pytest.raises(AtlasMissing, match=r"make setup.*npm ci"):
        find_atlas()
