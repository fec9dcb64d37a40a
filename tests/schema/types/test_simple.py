"""Tests for text, numbers, coordinates and URLs (src/mare/schema/types/simple.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mare.schema.types.result import NormaliseContext, Normalised
from mare.schema.types.simple import (
    MAX_TEXT_LENGTH,
    ascii_digits,
    normalise_coordinate,
    normalise_latlon,
    normalise_number,
    normalise_text,
    normalise_url,
)

DE = NormaliseContext(default_region="DE", language="de")


def test_ascii_digits() -> None:
    assert ascii_digits("١٢٣") == "123"
    assert ascii_digits("۱۲۳") == "123"
    assert ascii_digits("१२३") == "123"  # Devanagari
    assert ascii_digits("１２３") == "123"  # full-width
    assert ascii_digits("abc 123") == "abc 123"


# --- text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("  hello   world  ", "hello world"),
        ("a\x00b\x07c", "abc"),
        ("line one  \r\n  line two", "line one\nline two"),
        ("tab\there", "tab\there"),
        ("non\u00a0breaking\u2003space", "non breaking space"),
        ("Cafe\u0301", "Café"),  # NFC
        ("\x85x\x9f", "x"),  # C1 controls
    ],
)
def test_text(text: str, value: str) -> None:
    r = normalise_text(text)
    assert r.value == value
    assert r.flags == ()


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "\n\n"])
def test_text_empty(text: str) -> None:
    r = normalise_text(text)
    assert r.value is None and r.reason == "empty text"


def test_text_truncated() -> None:
    r = normalise_text("x" * (MAX_TEXT_LENGTH + 5))
    assert r.value == "x" * MAX_TEXT_LENGTH
    assert "truncated" in r.flags
    assert r.extra["original_length"] == MAX_TEXT_LENGTH + 5
    assert "truncated" not in normalise_text("x" * MAX_TEXT_LENGTH).flags


def test_text_lone_surrogate_dropped() -> None:
    r = normalise_text("a\ud800b")
    assert r.value == "ab"
    assert "invalid_unicode" in r.flags
    assert r.value.encode("utf-8")


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("42", "42", "int"),
        ("-12", "-12", "int"),
        ("+3", "3", "int"),
        ("1,234.56", "1234.56", "float"),
        ("1.234,56", "1234.56", "float"),
        ("1 234,56", "1234.56", "float"),
        ("1'234.56", "1234.56", "float"),
        ("1.234.567", "1234567", "int"),
        ("1,234,567", "1234567", "int"),
        ("12,5", "12.5", "float"),
        ("12.5", "12.5", "float"),
        ("0,123", "0.123", "float"),
        (".5", "0.5", "float"),
        ("١٢٣٫٥", "123.5", "float"),
        ("1e3", "1000.0", "float"),
        ("\u22125", "-5", "int"),
    ],
)
def test_number(text: str, value: str, kind: str) -> None:
    r = normalise_number(text)
    assert r.value == value, r.reason
    assert r.extra["type"] == kind


def test_number_ambiguous_separator_uses_locale() -> None:
    r = normalise_number("1,234")
    assert r.value == "1234"
    assert "ambiguous_separator" in r.flags
    assert normalise_number("1,234", DE).value == "1.234"
    assert normalise_number("1.234", DE).value == "1234"
    assert normalise_number("1.234").value == "1.234"


@pytest.mark.parametrize("text", ["", "abc", "-", "1,2,3", "12 34", "nan", "inf", "1e999", "1" * 200])
def test_number_bad(text: str) -> None:
    r = normalise_number(text)
    assert r.value is None and r.reason


# --- coordinates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "axis"),
    [
        ("36°54'12\"N", "36.903333", "lat"),
        ("36° 54′ 12″ N", "36.903333", "lat"),
        ("36 54.2 N", "36.903333", "lat"),
        ("N 36° 54.2'", "36.903333", "lat"),
        ("36d54m12s N", "36.903333", "lat"),
        ("36 54 12 S", "-36.903333", "lat"),
        ("12°30'W", "-12.500000", "lon"),
        ("-12.5", "-12.500000", None),
        ("12,5", "12.500000", None),
        ("12.5E", "12.500000", "lon"),
        ("١٢٫٥", "12.500000", None),
    ],
)
def test_coordinate(text: str, value: str, axis: str | None) -> None:
    r = normalise_coordinate(text)
    assert r.value == value, r.reason
    assert r.extra["axis"] == axis


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("abc", "not a coordinate"),
        ("91 N", "beyond ±90"),
        ("181", "beyond ±180"),
        ("36 60 N", "below 60"),
        ("-36 S", "minus sign and a hemisphere"),
        ("N 36 S", "twice"),
    ],
)
def test_coordinate_bad(text: str, fragment: str) -> None:
    r = normalise_coordinate(text)
    assert r.value is None
    assert r.reason is not None and fragment in r.reason


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("36.9, 12.5", "36.900000,12.500000"),
        ("36.9,12.5", "36.900000,12.500000"),
        ("36.9 12.5", "36.900000,12.500000"),
        ("36.9;12.5", "36.900000,12.500000"),
        ("(36.9, 12.5)", "36.900000,12.500000"),
        ("-36.9,-12.5", "-36.900000,-12.500000"),
        ("36,9 12,5", "36.900000,12.500000"),
        ("36,9;12,5", "36.900000,12.500000"),
        ("36°54'12\"N 12°30'E", "36.903333,12.500000"),
        ("36°54'12\"N, 12°30'0\"E", "36.903333,12.500000"),
        ("N36.9 E12.5", "36.900000,12.500000"),
        ("36.9N12.5E", "36.900000,12.500000"),
        ("36.9 N, 12.5 W", "36.900000,-12.500000"),
    ],
)
def test_latlon(text: str, value: str) -> None:
    r = normalise_latlon(text)
    assert r.value == value, r.reason
    lat, lon = (float(v) for v in value.split(","))
    assert r.extra == {"lat": pytest.approx(lat, abs=1e-6), "lon": pytest.approx(lon, abs=1e-6)}


def test_latlon_swapped_by_hemisphere() -> None:
    r = normalise_latlon("12.5E 36.9N")
    assert r.value == "36.900000,12.500000"
    assert "swapped" in r.flags


def test_latlon_null_island_flag() -> None:
    assert "null_island" in normalise_latlon("0, 0").flags


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("95, 12", "lat,lon"),
        ("12, 195", "beyond ±180"),
        ("1 2 3", "cannot split"),
        ("36.9N 12.5N", "both"),
        ("foo bar", "not a coordinate"),
    ],
)
def test_latlon_bad(text: str, fragment: str) -> None:
    r = normalise_latlon(text)
    assert r.value is None
    assert r.reason is not None and fragment in r.reason


# --- URLs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("https://Example.COM/Path?q=1#frag", "https://example.com/Path?q=1#frag"),
        ("HTTP://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("example.com", "http://example.com/"),
        ("<https://example.com/x>", "https://example.com/x"),
        ("https://münchen.de/straße", "https://xn--mnchen-3ya.de/stra%C3%9Fe"),
        ("http://192.168.1.1/admin", "http://192.168.1.1/admin"),
    ],
)
def test_url(text: str, value: str) -> None:
    assert normalise_url(text).value == value


def test_url_defanged() -> None:
    r = normalise_url("hxxps://evil[.]example[.]com/payload")
    assert r.value == "https://evil.example.com/payload"
    assert "defanged" in r.flags
    assert r.extra["host"] == "evil.example.com"


def test_url_scheme_added_flag() -> None:
    assert "scheme_added" in normalise_url("t.me/foo").flags


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("http://exa mple.com", "spaces"),
        ("mailto:a@b.de", "not a web URL"),
        ("http://[::1", "malformed"),
        ("http://300.1.1.1/", "host"),
        ("gopher://example.com", "unsupported"),
        ("just words", "spaces"),
    ],
)
def test_url_bad(text: str, fragment: str) -> None:
    r = normalise_url(text)
    assert r.value is None
    assert r.reason is not None and fragment in r.reason


# --- never raises ---------------------------------------------------------------------------

NORMALISERS = [normalise_text, normalise_number, normalise_coordinate, normalise_latlon,
               normalise_url]  # fmt: skip
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=150)
NUMERICISH = st.text(alphabet="0123456789.,;:- +'\"°NSEWnsewdmDM()/ehtp[]", max_size=40)
LONG_TEXT = st.text(alphabet=st.characters(exclude_categories=()), min_size=1, max_size=30).map(
    lambda s: s * (10_001 // len(s) + 1)
)
CONTEXTS = st.sampled_from([NormaliseContext(), DE, NormaliseContext(default_region="US")])


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(ANY_TEXT, NUMERICISH, LONG_TEXT), ctx=CONTEXTS)
def test_never_raises(text: str, ctx: NormaliseContext) -> None:
    for fn in NORMALISERS:
        r = fn(text, ctx)
        assert isinstance(r, Normalised)
        assert r.original == text
        assert (r.value is None) != (r.reason is None)


@settings(max_examples=20, deadline=None)
@given(
    text=st.text(alphabet=st.characters(exclude_categories=()), min_size=1, max_size=40).map(
        lambda s: s * (10_001 // len(s) + 1)
    )
)
def test_long_strings(text: str) -> None:
    for fn in NORMALISERS:
        r = fn(text)
        assert (r.value is None) != (r.reason is None)
        if r.value is not None:
            assert len(r.value) <= max(MAX_TEXT_LENGTH, 4096 * 3)


@pytest.mark.parametrize(
    "text", ["\ud800", "\x00", "🧭 36.9, 12.5", "9" * 10_000, "°" * 10_000, "http://" + "a" * 5000]
)
def test_hostile_inputs(text: str) -> None:
    for fn in NORMALISERS:
        r = fn(text)
        assert (r.value is None) != (r.reason is None)
