"""The precomputed rigour territory-name table (data/territory_names.tsv.gz) is rigour's own."""

from __future__ import annotations

import gzip
from importlib.resources import files

from hypothesis import given, settings
from hypothesis import strategies as st

from mare.schema.types import countries


def test_file_is_rigours_table_for_the_installed_version() -> None:
    data = files("mare.schema.types").joinpath("data", countries.TERRITORY_NAMES_FILE).read_bytes()
    head = gzip.decompress(data).decode("utf-8").partition("\n")[0]
    assert head == f"# rigour {countries._rigour_version()}", (
        "rigour was upgraded: regenerate the table (see countries.write_territory_names)"
    )
    assert countries._territory_names() == countries.rigour_territory_names()


SAMPLES = [
    "Kurdish", "unknown", "Kurdistan", "Bavaria", "Bayern", "Scotland", "England", "Gaza",
    "Palestine", "Crimea", "Krym", "Somaliland", "Northern Cyprus", "Hong Kong", "Macau",
    "Kosovo", "Türkiye", "Côte d'Ivoire", "Cote d Ivoire", "Sao Tome", "São Tomé", "DE", "deu",
    "gb-sct", "Q183", "Deutschland", "Allemagne", "Германия", "ألمانيا", "德国", "ドイツ",
    "सीरिया", "Ελλάδα", "Sýria", "", " ", "??", "xyz", "New York", "Lampedusa", "Sicily",
]  # fmt: skip


def _same(text: str) -> None:
    from rigour.territories import lookup_territory

    assert countries._lookup_territory(text) is lookup_territory(text), text


def test_lookup_equals_rigours_on_samples() -> None:
    for text in SAMPLES:
        _same(text)


@settings(max_examples=200, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=30),
        st.sampled_from(sorted(countries.rigour_territory_names())[::97]),
    )
)
def test_lookup_equals_rigours(text: str) -> None:
    _same(text)
