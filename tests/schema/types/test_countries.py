"""Tests for countries (src/mare/schema/types/countries.py)."""

from __future__ import annotations

import csv
from importlib.resources import files

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mare.schema.types.countries import country_name, normalise_country
from mare.schema.types.result import NormaliseContext, Normalised

NONE = NormaliseContext()


def country(text: str, ctx: NormaliseContext = NONE) -> str | None:
    return normalise_country(text, ctx).value


# --- codes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "matched"),
    [
        ("SY", "SY", "alpha2"),
        ("SYR", "SY", "alpha3"),
        (" syr ", "SY", "alpha3"),
        ("760", "SY", "numeric"),
        ("4", "AF", "numeric"),
        ("004", "AF", "numeric"),
        ("D", "DE", "icao"),
        ("GBR", "GB", "alpha3"),
        ("GBD", "GB", "icao"),
        ("XK", "XK", "alpha2"),
        ("XKX", "XK", "alpha3"),
        ("RKS", "XK", "alpha3"),
        ("UK", "GB", "alpha2"),
        ("EL", "GR", "alpha2"),
        ("GB-SCT", "GB", "alpha2"),
    ],
)
def test_codes(text: str, expected: str, matched: str) -> None:
    r = normalise_country(text)
    assert r.value == expected, r.reason
    assert r.extra["matched"] == matched


def test_extra_fields() -> None:
    r = normalise_country("Syrian Arab Republic")
    assert r.extra == {
        "alpha3": "SYR",
        "name": "Syrian Arab Republic",
        "matched": "name",
        "language": "en",
    }
    assert normalise_country("XK").extra["alpha3"] == "XKX"
    assert country_name("xk") == "Kosovo"
    assert country_name("QQ") is None


@pytest.mark.parametrize(
    ("code", "flag"),
    [("XXA", "stateless"), ("XXB", "refugee"), ("XXC", "refugee"), ("XXX", "unspecified"),
     ("UTO", "specimen"), ("UNO", "organisation"), ("XPO", "organisation")],
)  # fmt: skip
def test_icao_non_countries(code: str, flag: str) -> None:
    r = normalise_country(code)
    assert r.value is None
    assert flag in r.flags
    assert r.extra["icao"] == code
    assert r.reason and code in r.reason


def test_historic_codes() -> None:
    zaire = normalise_country("ZAR")
    assert zaire.value == "CD" and "historic" in zaire.flags
    yug = normalise_country("YUG")
    assert yug.value is None and "historic" in yug.flags and "Yugoslavia" in (yug.reason or "")


def test_lowercase_codes_are_flagged() -> None:
    r = normalise_country("de")
    assert r.value == "DE" and "lowercase_code" in r.flags
    assert "lowercase_code" not in normalise_country("DE").flags


# --- names -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Syria", "SY"),
        ("Syrian Arab Republic", "SY"),
        ("Ivory Coast", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d’Ivoire", "CI"),
        ("COTE DIVOIRE", "CI"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("turkiye", "TR"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Congo-Kinshasa", "CD"),
        ("DRC", "CD"),
        ("Democratic Republic of the Congo", "CD"),
        ("Congo", "CG"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("USA", "US"),
        ("United States of America", "US"),
        ("Kosovo", "XK"),
        ("The Gambia", "GM"),
        ("Iran, Islamic Republic of", "IR"),
        ("Islamic Republic of Iran", "IR"),
        ("Russia", "RU"),
        ("Palestine", "PS"),
        ("Burma", "MM"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("Germania", "DE"),
        ("Alemania", "DE"),
        ("ألمانيا", "DE"),
        ("Elfenbeinküste", "CI"),
        ("Costa d'Avorio", "CI"),
        ("العراق", "IQ"),
        ("عراق", "IQ"),
        ("أفغانستان", "AF"),
        ("افغانستان", "AF"),
    ],
)
def test_names(text: str, expected: str) -> None:
    assert country(text) == expected, normalise_country(text).reason


# --- demonyms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "language"),
    [
        ("Syrian", "SY", "en"),
        ("Syrians", "SY", "en"),
        ("syrienne", "SY", "fr"),
        ("Syrer", "SY", "de"),
        ("Syrerin", "SY", "de"),
        ("syrisch", "SY", "de"),
        ("siriano", "SY", "it"),
        ("sirio", "SY", "es"),
        ("سوري", "SY", "ar"),
        ("سورية", "SY", "ar"),
        ("سوريا", "SY", "ar"),
        ("سوريّة", "SY", "ar"),  # with shadda
        ("السوري", "SY", "ar"),
        ("Afghan", "AF", "en"),
        ("afghane", "AF", "fr"),
        ("afgano", "AF", "it"),
        ("أفغاني", "AF", "ar"),
        ("افغاني", "AF", "ar"),
        ("Eritrean", "ER", "en"),
        ("érythréen", "ER", "fr"),
        ("ERYTHREENNE", "ER", "fr"),
        ("eritreo", "ER", "it"),
        ("إريتري", "ER", "ar"),
        ("Iraqi", "IQ", "en"),
        ("irakien", "IQ", "fr"),
        ("Pakistani", "PK", "en"),
        ("Bangladeshi", "BD", "en"),
        ("Nigerian", "NG", "en"),
        ("Nigerien", "NE", "en"),
        ("nigérien", "NE", "fr"),
        ("nigérian", "NG", "fr"),
        ("Ivorian", "CI", "en"),
        ("ivoirienne", "CI", "fr"),
        ("marocain", "MA", "fr"),
        ("مغربي", "MA", "ar"),
        ("Kuwaiti", "KW", "en"),
        ("Vietnamese", "VN", "en"),
        ("Kosovar", "XK", "en"),
        ("Türke", "TR", "de"),
        ("Weißrusse", "BY", "de"),
        ("Ukrainian", "UA", "en"),
        ("Somali", "SO", "en"),
        ("somalí", "SO", "es"),
        ("Sudanese", "SD", "en"),
        ("South Sudanese", "SS", "en"),
        ("British", "GB", "en"),
        ("Dutch", "NL", "en"),
    ],
)
def test_demonyms(text: str, expected: str, language: str) -> None:
    r = normalise_country(text)
    assert r.value == expected, r.reason
    assert r.extra["matched"] in ("demonym", "name")
    assert r.extra["language"] == language


def test_declared_language_is_reported() -> None:
    assert normalise_country("Afghane").extra["language"] in ("fr", "de")
    assert normalise_country("Afghane", NormaliseContext(language="de")).extra["language"] == "de"


def test_ambiguous_demonym() -> None:
    r = normalise_country("Congolese")
    assert r.value == "CD"
    assert "ambiguous" in r.flags
    assert set(r.extra["candidates"]) == {"CD", "CG"}


def test_stateless_and_bidoon() -> None:
    for text in ("stateless", "Apatride", "staatenlos", "عديم الجنسية"):
        r = normalise_country(text)
        assert r.value is None and "stateless" in r.flags, text
    bidoon = normalise_country("Bidoon")
    assert "stateless" in bidoon.flags and bidoon.extra["related_alpha2"] == "KW"


def test_filler_words_and_parts() -> None:
    assert country("Syrian national") == "SY"
    assert country("nationalité syrienne") == "SY"
    assert country("SY (Syria)") == "SY"
    both = normalise_country("Syria / Turkey")
    assert both.value is None and both.extra["candidates"] == ("SY", "TR")
    assert country("Bosnia and Herzegovina") == "BA"


def test_unknown() -> None:
    r = normalise_country("Narnia")
    assert r.value is None
    assert r.reason and "Narnia" in r.reason and "ISO 3166 code" in r.reason


# --- the data file ------------------------------------------------------------------------------------

MULTILINGUAL = (  # noqa: SIM905
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO CH GB "
    "AL BA ME MK RS XK TR BY UA RU MD GE SY AF IQ IR PK BD IN LK ER ET SD SS SO NG NE TD GN ML SN GM "
    "CI GH CM BF MR MA DZ TN LY EG PS LB JO YE KW VN CN CD SL LR KM"
).split()


def _rows() -> list[dict[str, str]]:
    text = files("mare.schema.types").joinpath("data/country_names.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_data_file_coverage() -> None:
    rows = _rows()
    assert set(rows[0]) == {"alpha2", "language", "kind", "text"}
    have = {(r["alpha2"], r["language"], r["kind"]) for r in rows}
    for c in pycountry.countries:
        assert (c.alpha_2, "en", "name") in have, c.alpha_2
    uninhabited = {"BV", "HM", "GS", "SJ", "UM"}
    for c in pycountry.countries:
        if c.alpha_2 not in uninhabited:
            assert (c.alpha_2, "en", "demonym") in have, c.alpha_2
    for code in MULTILINGUAL:
        for lang in ("en", "fr", "de", "it", "es", "ar"):
            assert (code, lang, "name") in have, (code, lang)
            assert (code, lang, "demonym") in have, (code, lang)


def test_every_row_resolves_to_its_country() -> None:
    for row in _rows():
        r = normalise_country(row["text"])
        if "ambiguous" in r.flags:
            assert row["alpha2"] in r.extra["candidates"]
            continue
        if len(row["text"]) <= 3 and row["text"].isascii():
            continue  # short texts are read as codes first (e.g. "USA", "UAE")
        assert r.value == row["alpha2"], row


# --- properties --------------------------------------------------------------------------------------

ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60)
COUNTRYISH = st.sampled_from(["SY", "syr", "760", "Syria", "سوري", "XXA", "Congolese", "D"]).map(
    lambda s: s
) | st.text(alphabet=st.sampled_from(list("aeiouSYRX -/(),'ـًّ0123456789سوريا")), max_size=20)
LONG_TEXT = st.text(min_size=150, max_size=10_000)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(ANY_TEXT, COUNTRYISH, LONG_TEXT))
def test_never_raises(text: str) -> None:
    r = normalise_country(text)
    assert isinstance(r, Normalised)
    assert r.original == text
    assert (r.value is None) != (r.reason is None)
    if r.value is not None:
        assert len(r.value) == 2 and r.value.isupper()
        assert country_name(r.value)
    for key in ("alpha3", "name", "matched", "language"):
        assert key in r.extra
