"""Tests for phone numbers (src/mare/schema/types/phones.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mare.schema.types.phones import int_to_phone, normalise_phone, phone_to_int
from mare.schema.types.result import NormaliseContext, Normalised

DE = NormaliseContext(default_region="DE")
IT = NormaliseContext(default_region="IT")
NONE = NormaliseContext()


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("0151 23456789", DE),
        ("0151/23456789", DE),
        ("0151-234-567-89", DE),
        ("+49 151 23456789", NONE),
        ("+49 (0)151 2345 6789", NONE),
        ("+49(0)15123456789", IT),
        ("0049 151 23456789", NONE),
        ("0049 151 23456789", DE),
        ("0049 151 23456789", IT),
        ("+49.151.2345.6789", NONE),
        ("tel:+4915123456789", NONE),
        ("Tel.: +49 151 23456789", NONE),
        ("٠١٥١٢٣٤٥٦٧٨٩", DE),  # Arabic-Indic digits
        ("۰۰۴۹۱۵۱۲۳۴۵۶۷۸۹", NONE),  # Persian digits
        ("＋49 151 23456789", NONE),  # full-width plus
        ("0151 23456789", NormaliseContext(default_region="de")),  # lower-case region
    ],
)
def test_german_mobile(text: str, ctx: NormaliseContext) -> None:
    r = normalise_phone(text, ctx)
    assert r.value == "+4915123456789", r.reason
    assert r.extra["region"] == "DE"
    assert r.extra["type"] == "mobile"
    assert r.extra["valid"] is True
    assert "not_valid_for_region" not in r.flags


def test_default_region_applied_flag() -> None:
    assert "default_region_applied" in normalise_phone("0151 23456789", DE).flags
    assert "default_region_applied" not in normalise_phone("+49 151 23456789", DE).flags


def test_international_00_prefix_without_region() -> None:
    r = normalise_phone("00 964 770 123 4567")
    assert r.value == "+9647701234567"
    assert r.extra["region"] == "IQ"
    assert r.extra["type"] == "mobile"


@pytest.mark.parametrize(
    ("text", "value", "region", "kind"),
    [
        ("+39 06 1234 5678", "+390612345678", "IT", "fixed_line"),
        ("+218 91 234 5678", "+218912345678", "LY", "mobile"),
        ("+1 202 555 0100", "+12025550100", "US", "fixed_line_or_mobile"),
        ("+90 532 123 45 67", "+905321234567", "TR", "mobile"),
    ],
)
def test_other_countries(text: str, value: str, region: str, kind: str) -> None:
    r = normalise_phone(text)
    assert r.value == value
    assert r.extra["region"] == region
    assert r.extra["type"] == kind


@pytest.mark.parametrize(
    "text", ["+4915123456789 ext. 12", "+49 151 23456789 x12", "+49 151 23456789 ext 12"]
)
def test_extension(text: str) -> None:
    r = normalise_phone(text)
    assert r.value == "+4915123456789"
    assert r.extra["extension"] == "12"


def test_possible_but_not_valid_keeps_value() -> None:
    r = normalise_phone("+49 151 234567")  # right length for DE, no such mobile range
    assert r.value == "+49151234567"
    assert "not_valid_for_region" in r.flags
    assert r.extra["valid"] is False
    assert r.extra["type"] == "unknown"


def test_no_region_no_country_code() -> None:
    r = normalise_phone("0151 23456789")
    assert r.value is None
    assert r.reason == "no country code and the agency's region is unknown: send it in +CC form"


def test_unknown_region_in_context_treated_as_none() -> None:
    r = normalise_phone("0151 23456789", NormaliseContext(default_region="ZZ"))
    assert r.value is None
    assert r.reason is not None and "+CC" in r.reason


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("hello", "no digits"),
        ("+999 123456", "country calling code"),
        ("+49 151 2345678901234", "too long"),
        ("+49 1512", "too short"),
        ("112", "area code"),
        ("1" * 70, "too long"),
    ],
)
def test_impossible_numbers(text: str, fragment: str) -> None:
    r = normalise_phone(text, DE)
    assert r.value is None
    assert r.reason is not None and fragment in r.reason


def test_phone_int_round_trip() -> None:
    assert phone_to_int("+4915123456789") == 4915123456789
    assert int_to_phone(4915123456789) == "+4915123456789"
    for e164 in ["+12025550100", "+9647701234567", "+390612345678"]:
        assert int_to_phone(phone_to_int(e164)) == e164
        assert phone_to_int(e164) < 2**63  # fits a BIGINT


@pytest.mark.parametrize("bad", ["", "+", "0049151", "+49 151", "abc", "+0123", "+" + "1" * 16])
def test_phone_to_int_rejects_non_e164(bad: str) -> None:
    with pytest.raises(ValueError):
        phone_to_int(bad)


@pytest.mark.parametrize("bad", [0, -1, 10**15])
def test_int_to_phone_rejects_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError):
        int_to_phone(bad)


def test_results_are_independent_copies() -> None:
    a = normalise_phone("+4915123456789")
    a.extra["region"] = "XX"  # type: ignore[index]
    assert normalise_phone("+4915123456789").extra["region"] == "DE"


# --- never raises ---------------------------------------------------------------------------

ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=100)
PHONEISH = st.text(alphabet="+0123456789 ()-./extEXT:#٠١٢٣", max_size=40)
LONG_TEXT = st.text(alphabet=st.characters(exclude_categories=()), min_size=1, max_size=30).map(
    lambda s: s * (10_001 // len(s) + 1)
)
CONTEXTS = st.sampled_from([NONE, DE, IT, NormaliseContext(default_region="zz")])


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(ANY_TEXT, PHONEISH, LONG_TEXT), ctx=CONTEXTS)
def test_never_raises(text: str, ctx: NormaliseContext) -> None:
    r = normalise_phone(text, ctx)
    assert isinstance(r, Normalised)
    assert r.original == text
    assert (r.value is None) != (r.reason is None)
    if r.value is not None:
        assert r.value.startswith("+")
        assert int_to_phone(phone_to_int(r.value)) == r.value


@pytest.mark.parametrize(
    "text", ["x" * 10_000, "9" * 10_000, "\ud800+49", "\x00+49151", "📞 +49 151 23456789"]
)
def test_hostile_inputs(text: str) -> None:
    r = normalise_phone(text, DE)
    assert isinstance(r, Normalised)
    assert (r.value is None) != (r.reason is None)


@pytest.mark.parametrize(
    ("text", "region", "e164"),
    [
        ("4916027866654", "HU", "+4916027866654"),
        ("381624514159", "HU", "+381624514159"),
        ("4915123456789", "DE", "+4915123456789"),
    ],
)
def test_international_numbers_written_without_plus(text: str, region: str, e164: str) -> None:
    result = normalise_phone(text, NormaliseContext(default_region=region))
    assert result.value == e164
    assert "international_without_plus" in result.flags or "default_region_applied" in result.flags


def test_national_numbers_still_read_nationally() -> None:
    result = normalise_phone("06 20 123 4567", NormaliseContext(default_region="HU"))
    assert result.value == "+36201234567"


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("+49 151 23456789", "DE"),
        ("0151 23456789", "DE"),
        ("4915123456789", "DE"),
        ("0049 151 23456789", None),
        ("06 20 123 4567", "HU"),
        ("4916027866654", "HU"),
        ("333 1234567", "IT"),
        ("393331234567", "IT"),
        ("+393331234567", None),
    ],
)
def test_bulk_path_agrees_with_full_normaliser(text: str, region: str | None) -> None:
    from mare.schema.types.phones import e164_for_bulk

    assert e164_for_bulk(text, region) == normalise_phone(text, NormaliseContext(default_region=region)).value


def test_bulk_path_rejects_what_is_not_a_number() -> None:
    from mare.schema.types.phones import e164_for_bulk

    assert e164_for_bulk("not a number", "DE") is None
    assert e164_for_bulk("12", "DE") is None
