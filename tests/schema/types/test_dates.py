"""Tests for birth dates and event timestamps (src/mare/schema/types/dates.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mare.schema.types.dates import normalise_birth_date, normalise_datetime, parse_timestamp
from mare.schema.types.result import NormaliseContext, Normalised

US = NormaliseContext(default_region="US")
DE = NormaliseContext(default_region="DE")


# --- birth dates: accepted forms ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1985-03-14",
        "14.03.1985",
        "14/03/1985",
        "14-03-1985",
        "19850314",
        "1985/03/14",
        "14 March 1985",
        "March 14, 1985",
        "14 mars 1985",
        "14. März 1985",
        "14 marzo 1985",
        "14 de marzo de 1985",
        "14 Mär 1985",
        "14th of March 1985",
        "١٤/٠٣/١٩٨٥",  # Arabic-Indic digits
        "۱۴/۰۳/۱۹۸۵",  # Persian digits
        "14.3.1985",
        " 14.03.1985 ",
        "1985-03-14T00:00:00",
        "geb. 14.03.1985",
        "1985年3月14日",
    ],
)
def test_birth_date_full_forms(text: str) -> None:
    r = normalise_birth_date(text)
    assert r.value == "1985-03-14", r.reason
    assert r.reason is None
    assert r.extra == {"year": 1985, "month": 3, "day": 14, "precision": "day"}
    assert "ambiguous_day_month" not in r.flags


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("03/1985", "1985-03", "month"),
        ("1985-03", "1985-03", "month"),
        ("March 1985", "1985-03", "month"),
        ("mars 1985", "1985-03", "month"),
        ("1985", "1985", "year"),
        ("ca. 1985", "1985", "year"),
        ("00.00.1985", "1985", "year"),
        ("XX.XX.1985", "1985", "year"),
        ("00.03.1985", "1985-03", "month"),
        ("xx.03.1985", "1985-03", "month"),
        ("1985-03-00", "1985-03", "month"),
        ("1985-00-00", "1985", "year"),
    ],
)
def test_birth_date_partial(text: str, value: str, precision: str) -> None:
    r = normalise_birth_date(text)
    assert r.value == value, r.reason
    assert r.extra["precision"] == precision
    assert r.extra["year"] == 1985
    if precision == "year":
        assert r.extra["month"] is None and r.extra["day"] is None


def test_approximate_flag() -> None:
    assert "approximate" in normalise_birth_date("ca. 1985").flags
    assert "approximate" in normalise_birth_date("circa 1985").flags
    assert "approximate" in normalise_birth_date("1985?").flags
    assert "approximate" not in normalise_birth_date("1985").flags


@pytest.mark.parametrize(
    "text",
    ["", "   ", "unknown", "Unknown", "?", "??", "N/A", "n.a.", "unbekannt", "inconnu", "-",
     "desconocido", "sconosciuto", "مجهول", "неизвестно", "xx.xx.xxxx", "00.00.0000",
     "0000-00-00"],
)  # fmt: skip
def test_unknown_birth_date(text: str) -> None:
    r = normalise_birth_date(text)
    assert r.value is None
    assert r.reason == "unknown birth date"
    assert r.flags == ("unknown",)


# --- day/month order ----------------------------------------------------------------------


def test_ambiguous_day_month() -> None:
    r = normalise_birth_date("03/04/1985")
    assert r.value == "1985-04-03"  # day first by default
    assert "ambiguous_day_month" in r.flags
    assert r.extra["alternative"] == "1985-03-04"


def test_unambiguous_day_month() -> None:
    r = normalise_birth_date("13/04/1985")
    assert r.value == "1985-04-13"
    assert "ambiguous_day_month" not in r.flags
    assert "alternative" not in r.extra


def test_same_day_and_month_is_not_ambiguous() -> None:
    r = normalise_birth_date("04/04/1985")
    assert r.value == "1985-04-04"
    assert "ambiguous_day_month" not in r.flags


def test_us_region_reads_month_first() -> None:
    r = normalise_birth_date("03/04/1985", US)
    assert r.value == "1985-03-04"
    assert "ambiguous_day_month" in r.flags
    assert r.extra["alternative"] == "1985-04-03"
    assert normalise_birth_date("03/14/1985", US).value == "1985-03-14"


def test_month_first_date_outside_us_is_swapped_and_flagged() -> None:
    r = normalise_birth_date("03/14/1985", DE)
    assert r.value == "1985-03-14"
    assert "day_month_swapped" in r.flags
    assert "ambiguous_day_month" not in r.flags


def test_iso_order_is_never_ambiguous() -> None:
    r = normalise_birth_date("1985-03-04")
    assert r.value == "1985-03-04"
    assert "ambiguous_day_month" not in r.flags


# --- placeholders, plausibility -----------------------------------------------------------


@pytest.mark.parametrize("text", ["01.01.1990", "1970-01-01", "1900", "01.01.1900", "1901-05-06"])
def test_placeholder_dates_keep_value(text: str) -> None:
    r = normalise_birth_date(text)
    assert r.value is not None, r.reason
    assert "placeholder" in r.flags


def test_ordinary_date_is_not_placeholder() -> None:
    assert "placeholder" not in normalise_birth_date("14.03.1985").flags


@pytest.mark.parametrize("text", ["01.01.2999", "2999", "12/2999"])
def test_future_birth_date_rejected(text: str) -> None:
    r = normalise_birth_date(text)
    assert r.value is None
    assert r.reason is not None and "future" in r.reason


@pytest.mark.parametrize("text", ["1850", "14.03.1850", "1899-12-31"])
def test_age_over_120_rejected(text: str) -> None:
    r = normalise_birth_date(text)
    assert r.value is None
    assert r.reason is not None and "over 120" in r.reason


def test_hijri_year_gets_a_helpful_reason() -> None:
    r = normalise_birth_date("۱۴.۰۳.۱۳۶۴")  # Solar Hijri 1364 = 1985
    assert r.value is None
    assert r.reason is not None and "Hijri" in r.reason


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("31.02.1985", "February 1985 has 28 days"),
        ("29.02.1985", "February 1985 has 28 days"),
        ("31.04.1985", "April 1985 has 30 days"),
        ("13.13.1985", "no month 13"),
    ],
)
def test_impossible_dates(text: str, fragment: str) -> None:
    r = normalise_birth_date(text)
    assert r.value is None
    assert r.reason is not None and fragment in r.reason


def test_leap_day() -> None:
    assert normalise_birth_date("29.02.2000").value == "2000-02-29"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("14.03.85", "1985-03-14"),
        ("14.03.05", "2005-03-14"),
        ("14 Mar 85", "1985-03-14"),
        ("850314", "1985-03-14"),  # YYMMDD, the only valid reading
        ("140385", "1985-03-14"),  # DDMMYY, the only valid reading
    ],
)
def test_two_digit_years(text: str, value: str) -> None:
    r = normalise_birth_date(text)
    assert r.value == value, r.reason
    assert "two_digit_year" in r.flags


def test_two_digit_year_makes_person_at_most_100() -> None:
    r = normalise_birth_date("01.06.99")
    assert r.value == "1999-06-01"
    age = datetime.now(UTC).year - r.extra["year"]
    assert 0 <= age <= 100


def test_ambiguous_six_digits_rejected() -> None:
    r = normalise_birth_date("010203")
    assert r.value is None
    assert r.reason is not None and "DD.MM.YYYY" in r.reason


@pytest.mark.parametrize("text", ["garbage", "14.03.1985 hello", "14 March", "1.2.3.4", "12345"])
def test_unreadable_birth_dates_have_reasons(text: str) -> None:
    r = normalise_birth_date(text)
    assert r.value is None
    assert r.reason


def test_original_is_kept() -> None:
    r = normalise_birth_date(" 14.03.1985 ")
    assert r.original == " 14.03.1985 "


def test_cached_results_are_independent() -> None:
    a = normalise_birth_date("14.03.1985")
    a.extra["year"] = 0  # type: ignore[index]
    assert normalise_birth_date("14.03.1985").extra["year"] == 1985


# --- datetimes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "assumed"),
    [
        ("2024-03-14T14:30:00Z", "2024-03-14T14:30:00Z", False),
        ("2024-03-14T14:30:00+02:00", "2024-03-14T12:30:00Z", False),
        ("2024-03-14T14:30:00.123456Z", "2024-03-14T14:30:00Z", False),
        ("2024-03-14 14:30", "2024-03-14T14:30:00Z", True),
        ("2024-03-14 14:30:00", "2024-03-14T14:30:00Z", True),
        ("14.03.2024 14:30", "2024-03-14T14:30:00Z", True),
        ("14.03.2024 14:30:15 +0100", "2024-03-14T13:30:15Z", False),
        ("14/03/2024 2:30 PM", "2024-03-14T14:30:00Z", True),
        ("2024-03-14 14:30 UTC", "2024-03-14T14:30:00Z", False),
        ("Thu, 14 Mar 2024 14:30:00 +0000", "2024-03-14T14:30:00Z", False),
        ("20240314143000", "2024-03-14T14:30:00Z", True),
        ("14 March 2024 14h30", "2024-03-14T14:30:00Z", True),
        ("١٤.٠٣.٢٠٢٤ ١٤:٣٠", "2024-03-14T14:30:00Z", True),
    ],
)
def test_datetime_forms(text: str, value: str, assumed: bool) -> None:
    r = normalise_datetime(text)
    assert r.value == value, r.reason
    assert ("assumed_utc" in r.flags) is assumed
    assert r.extra["precision"] == "second"


def test_epoch_seconds_and_millis() -> None:
    assert normalise_datetime("1710426600").value == "2024-03-14T14:30:00Z"
    r = normalise_datetime("1710426600123")
    assert r.value == "2024-03-14T14:30:00Z"
    assert "epoch" in r.flags


@pytest.mark.parametrize("text", ["2024-03-14", "14.03.2024", "14 March 2024", "20240314"])
def test_date_only(text: str) -> None:
    r = normalise_datetime(text)
    assert r.value == "2024-03-14"
    assert r.extra["precision"] == "day"
    assert "assumed_utc" not in r.flags


def test_datetime_ambiguous_day_month() -> None:
    r = normalise_datetime("03/04/2024 10:00")
    assert r.value == "2024-04-03T10:00:00Z"
    assert "ambiguous_day_month" in r.flags
    assert normalise_datetime("03/04/2024 10:00", US).value == "2024-03-04T10:00:00Z"


@pytest.mark.parametrize(
    "text", ["", "garbage", "14.03.2024 25:00", "31.02.2024 10:00", "2999-01-01T00:00:00Z",
             "1850-01-01", "03/2024"],
)  # fmt: skip
def test_bad_datetimes(text: str) -> None:
    r = normalise_datetime(text)
    assert r.value is None
    assert r.reason


def test_parse_timestamp() -> None:
    dt = parse_timestamp("2024-03-14T14:30:00+02:00")
    assert dt == datetime(2024, 3, 14, 12, 30, tzinfo=UTC)
    assert dt is not None and dt.tzinfo is not None
    assert parse_timestamp("2024-03-14 14:30") == datetime(2024, 3, 14, 14, 30, tzinfo=UTC)
    assert parse_timestamp("not a time") is None
    assert parse_timestamp("") is None


# --- never raises ---------------------------------------------------------------------------

ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=200)
DATEISH = st.text(alphabet="0123456789./-: xX?TZ+marchjnuyMAR", max_size=30)
LONG_TEXT = st.text(alphabet=st.characters(exclude_categories=()), min_size=1, max_size=30).map(
    lambda s: s * (10_001 // len(s) + 1)
)
NORMALISERS = [normalise_birth_date, normalise_datetime]
CONTEXTS = st.sampled_from([NormaliseContext(), US, DE, NormaliseContext(default_region="zz", language="ar")])


def _check(result: Normalised, text: str) -> None:
    assert isinstance(result, Normalised)
    assert result.original == text
    assert (result.value is None) != (result.reason is None)
    assert isinstance(result.flags, tuple)
    if result.value is not None:
        assert isinstance(result.value, str)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(ANY_TEXT, DATEISH, LONG_TEXT), ctx=CONTEXTS)
def test_never_raises(text: str, ctx: NormaliseContext) -> None:
    for fn in NORMALISERS:
        _check(fn(text, ctx), text)
    parse_timestamp(text)


@pytest.mark.parametrize(
    "text",
    ["x" * 10_000, "1" * 10_000, "\ud800", "\x00\x01\x02", "🎂 1985", "1985\u200b", "٠٠.٠٠.٠٠٠٠",
     "99999999999999999999", "9" * 20 + "-01-01", "0001-01-01T00:00:00+14:00"],
)  # fmt: skip
def test_hostile_inputs(text: str) -> None:
    for fn in NORMALISERS:
        _check(fn(text), text)
