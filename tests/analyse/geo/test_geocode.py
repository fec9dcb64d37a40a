"""Geocoding free text in several languages, fuzzy, with a confidence that means something."""

from __future__ import annotations

import pytest

from mare.analyse.geo.gazetteer import curated_gazetteer, fold, fold_many, gazetteer
from mare.analyse.geo.geocode import geocode

CASES = [
    ("Lampedusa", "Lampedusa", "IT"),
    ("Off the coast of Zuwara, Libya", "Zuwara", "LY"),
    ("زوارة", "Zuwara", "LY"),
    ("Μυτιλήνη", "Lesvos", "GR"),
    ("Midilli", "Lesvos", "GR"),
    ("près de Calais", "Calais", "FR"),
    ("Kuznica", "Kuźnica / Bruzgi", "PL"),
    ("Horgoš", "Horgoš / Röszke", "HU"),
    ("Велика Кладуша", "Velika Kladuša", "BA"),
    ("ITLMP", "Lampedusa", "IT"),
    ("Lampeduza", "Lampedusa", "IT"),  # misspelt: fuzzy
    ("Sfaks", "Sfax", "TN"),  # transliterated: fuzzy
]


@pytest.mark.parametrize(("text", "name", "country"), CASES, ids=[c[0] for c in CASES])
def test_names_in_many_languages(text: str, name: str, country: str) -> None:
    best = geocode(text)[0]
    assert best.place.country == country and fold(name) in {
        fold(best.place.name),
        fold(best.place.name.split(" (")[0]),
    }
    assert 0.5 <= best.confidence <= 1.0 and best.reason


def test_ambiguous_names_are_unsure_until_a_country_is_named() -> None:
    alone = geocode("Tripoli")
    assert alone[0].confidence < 0.6
    lebanon = geocode("Tripoli, Lebanon")[0]
    assert lebanon.place.country == "LB" and lebanon.confidence >= 0.85 and "agrees" in lebanon.reason
    hinted = geocode("Tripoli", country="LB")[0]
    assert hinted.place.country == "LB"


def test_exact_beats_fuzzy_and_nonsense_finds_nothing() -> None:
    assert geocode("Lampedusa")[0].confidence > geocode("Lampeduza")[0].confidence
    assert geocode("xqzzyv plorf") == []


def test_cities_from_geonames_with_alternate_names() -> None:
    best = geocode("Agadez")[0]
    assert best.place.kind == "city" and best.place.country == "NE" and best.confidence >= 0.9
    assert geocode("Каланчак")[0].place.country == "UA"


def test_curated_gazetteer_alone_and_folding() -> None:
    small = curated_gazetteer()
    assert geocode("Storskog", index=small)[0].place.kind == "border_crossing"
    names = ["Ayvalık", "Mytilène", "Kuźnica / Bruzgi", "Łódź", "St. Petersburg"]
    assert (
        fold_many(names)
        == [fold(n) for n in names]
        == ["ayvalik", "mytilene", "kuznica bruzgi", "lodz", "st petersburg"]
    )
    assert len(gazetteer().places) > 60000
