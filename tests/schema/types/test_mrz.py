"""Tests for the ICAO 9303 MRZ parser (src/mare/schema/types/mrz.py)."""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mare.schema.types.mrz import (
    CheckResult,
    MrzError,
    MrzResult,
    check_digit,
    normalise_mrz,
    parse_mrz,
)
from mare.schema.types.result import Normalised

TODAY = datetime.date(2025, 6, 1)

# --- specimens ----------------------------------------------------------------------------
# The fictional "Utopia" specimens printed in ICAO Doc 9303 (7th edition, 2015; unchanged in
# the 8th): part 4 (TD3 passport), part 5 (TD1), part 6 (TD2), part 7 (MRV-A, MRV-B). Their
# lengths and every check digit are re-verified below against `check_digit`, so a mistyped
# specimen fails loudly instead of being trusted.
TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)
TD2 = (
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "D231458907UTO7408122F1204159<<<<<<<6",
)
MRV_A = (
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
)
MRV_B = (
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "L8988901C4XXX4009078F9612109<<<<<<<<",
)
# TD1 with a document number longer than 9 characters (rule: Doc 9303 part 5, 4.2.4): the
# STEVENSON PETER JOHN specimen, document number D23145890734, published as the worked example
# of Doc 9303 part 11, appendix D.2 (BAC key derivation). Taken from that publication as quoted
# verbatim by several independent public test suites, and its digits recomputed below.
TD1_EXTENDED = (
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
)
# The same person and number in TD2 layout (rule: Doc 9303 part 6, "document number more than
# 9 characters"). Not found in the Doc 9303 text itself: constructed by the rule (the same
# lines circulate in public test suites); all its check digits are recomputed below.
TD2_EXTENDED = (
    "I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<",
    "D23145890<UTO3407127M95071227349<<<8",
)


def _text(lines: tuple[str, ...]) -> str:
    return "\n".join(lines)


# --- check digit --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "digit"),
    [
        ("L898902C3", "6"),
        ("740812", "2"),
        ("120415", "9"),
        ("ZE184226B<<<<<", "1"),
        ("L898902C36" + "7408122" + "1204159ZE184226B<<<<<1", "0"),
        ("D23145890", "7"),
        ("D23145890734", "9"),
        ("L8988901C", "4"),
        ("<<<<<<", "0"),
        ("", "0"),
        ("A", "0"),  # 10 * 7 = 70
        ("Z", "5"),  # 35 * 7 = 245
        ("1", "7"),
        ("01", "3"),
        ("001", "1"),
    ],
)
def test_check_digit_values(data: str, digit: str) -> None:
    assert check_digit(data) == digit


@pytest.mark.parametrize("bad", ["abc", "12 3", "É", "1-2"])
def test_check_digit_rejects_non_mrz_characters(bad: str) -> None:
    with pytest.raises(ValueError, match="not in the MRZ alphabet"):
        check_digit(bad)


def test_specimens_verified_against_published_check_digits() -> None:
    """Check the specimens themselves: line lengths and every published check digit."""
    assert [len(x) for x in TD3] == [44, 44]
    assert [len(x) for x in TD1] == [30, 30, 30]
    assert [len(x) for x in TD1_EXTENDED] == [30, 30, 30]
    assert [len(x) for x in TD2] == [36, 36]
    assert [len(x) for x in TD2_EXTENDED] == [36, 36]
    assert [len(x) for x in MRV_A] == [44, 44]
    assert [len(x) for x in MRV_B] == [36, 36]

    b = TD3[1]
    assert check_digit(b[0:9]) == b[9]
    assert check_digit(b[13:19]) == b[19]
    assert check_digit(b[21:27]) == b[27]
    assert check_digit(b[28:42]) == b[42]
    assert check_digit(b[0:10] + b[13:20] + b[21:43]) == b[43]

    for top, mid in (TD1[:2], TD1_EXTENDED[:2]):
        assert check_digit(mid[0:6]) == mid[6]
        assert check_digit(mid[8:14]) == mid[14]
        assert check_digit(top[5:30] + mid[0:7] + mid[8:15] + mid[18:29]) == mid[29]
    assert check_digit(TD1[0][5:14]) == TD1[0][14]
    assert TD1_EXTENDED[0][14] == "<"
    assert check_digit(TD1_EXTENDED[0][5:14] + TD1_EXTENDED[0][15:18]) == TD1_EXTENDED[0][18]

    for b, composite in ((TD2[1], True), (TD2_EXTENDED[1], True), (MRV_A[1], False)):
        assert check_digit(b[13:19]) == b[19]
        assert check_digit(b[21:27]) == b[27]
        if composite:
            assert check_digit(b[0:10] + b[13:20] + b[21:35]) == b[35]
    assert check_digit(TD2[1][0:9]) == TD2[1][9]
    assert check_digit(TD2_EXTENDED[1][0:9] + TD2_EXTENDED[1][28:31]) == TD2_EXTENDED[1][31]
    for b in (MRV_A[1], MRV_B[1]):
        assert check_digit(b[0:9]) == b[9]
        assert check_digit(b[13:19]) == b[19]
        assert check_digit(b[21:27]) == b[27]


# --- specimens parse ----------------------------------------------------------------------


def _eriksson(r: MrzResult) -> None:
    assert r.issuing_state == "UTO"
    assert r.primary_identifier == "ERIKSSON"
    assert r.secondary_identifier == "ANNA MARIA"
    assert r.sex == "F"
    assert r.valid
    assert r.warnings == ()
    assert r.suggestions == ()


def test_td3_specimen() -> None:
    r = parse_mrz(_text(TD3), today=TODAY)
    _eriksson(r)
    assert r.format == "TD3"
    assert r.document_code == "P"
    assert r.document_number == "L898902C3"
    assert r.nationality == "UTO"
    assert (r.birth_date_raw, r.birth_date) == ("740812", datetime.date(1974, 8, 12))
    assert (r.expiry_date_raw, r.expiry_date) == ("120415", datetime.date(2012, 4, 15))
    assert r.optional_data_1 == "ZE184226B"
    assert r.optional_data_2 is None
    assert r.checks == (
        CheckResult("document_number", "6", "6", True),
        CheckResult("birth_date", "2", "2", True),
        CheckResult("expiry_date", "9", "9", True),
        CheckResult("optional_data", "1", "1", True),
        CheckResult("composite", "0", "0", True),
    )


def test_td1_specimen() -> None:
    r = parse_mrz(_text(TD1), today=TODAY)
    _eriksson(r)
    assert r.format == "TD1"
    assert r.document_code == "I"
    assert r.document_number == "D23145890"
    assert r.nationality == "UTO"
    assert r.birth_date == datetime.date(1974, 8, 12)
    assert r.expiry_date == datetime.date(2012, 4, 15)
    assert (r.optional_data_1, r.optional_data_2) == ("", "")
    assert [c.field for c in r.checks] == [
        "document_number",
        "birth_date",
        "expiry_date",
        "composite",
    ]


def test_td2_specimen() -> None:
    r = parse_mrz(_text(TD2), today=TODAY)
    _eriksson(r)
    assert r.format == "TD2"
    assert r.document_number == "D23145890"
    assert r.birth_date == datetime.date(1974, 8, 12)
    assert r.expiry_date == datetime.date(2012, 4, 15)
    assert [c.field for c in r.checks] == [
        "document_number",
        "birth_date",
        "expiry_date",
        "composite",
    ]


@pytest.mark.parametrize(("lines", "fmt", "optional"), [(MRV_A, "MRV-A", "6ZE184226B"), (MRV_B, "MRV-B", "")])
def test_mrv_specimens(lines: tuple[str, ...], fmt: str, optional: str) -> None:
    r = parse_mrz(_text(lines), today=TODAY)
    _eriksson(r)
    assert r.format == fmt
    assert r.document_code == "V"
    assert r.document_number == "L8988901C"
    assert r.nationality == "XXX"
    assert r.birth_date == datetime.date(1940, 9, 7)
    assert r.expiry_date == datetime.date(1996, 12, 10)
    assert r.optional_data_1 == optional
    # Doc 9303 part 7: no composite check digit on visas.
    assert [c.field for c in r.checks] == ["document_number", "birth_date", "expiry_date"]


@pytest.mark.parametrize(("lines", "fmt"), [(TD1_EXTENDED, "TD1"), (TD2_EXTENDED, "TD2")])
def test_extended_document_number(lines: tuple[str, ...], fmt: str) -> None:
    r = parse_mrz(_text(lines), today=TODAY)
    assert r.format == fmt
    assert r.document_number == "D23145890734"
    assert r.checks[0] == CheckResult("document_number", "9", "9", True)
    assert r.valid
    assert r.primary_identifier == "STEVENSON"
    assert r.secondary_identifier == "PETER JOHN"
    assert r.sex == "M"
    assert r.birth_date == datetime.date(1934, 7, 12)
    assert r.expiry_date == datetime.date(1995, 7, 12)
    assert r.optional_data_1 == ""


def test_extended_document_number_keeps_following_optional_data() -> None:
    top = "I<UTOD23145890<7349<ABC123<<<<"
    composite = check_digit(top[5:30] + TD1_EXTENDED[1][0:7] + "9507122" + "<" * 11)
    mid = TD1_EXTENDED[1][:29] + composite
    r = parse_mrz("\n".join((top, mid, TD1_EXTENDED[2])), today=TODAY)
    assert r.document_number == "D23145890734"
    assert r.optional_data_1 == "ABC123"
    assert r.valid


def test_filler_in_check_position_without_extension_fails_document_number() -> None:
    top = "I<UTOD23145890<<<<<<<<<<<<<<<<"
    r = parse_mrz("\n".join((top, *TD1[1:])), today=TODAY)
    assert r.document_number == "D23145890"
    assert r.checks[0] == CheckResult("document_number", "7", "<", False)


# --- input forms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "".join(TD3),
        "  \n" + _text(TD3).lower() + "\n\n  ",
        "\r\n".join(TD3),
        " ".join(TD3),
        "\t" + TD3[0] + "  \n   " + TD3[1] + "\t",
    ],
)
def test_input_forms(text: str) -> None:
    r = parse_mrz(text, today=TODAY)
    assert r.lines == TD3
    assert r.valid


@pytest.mark.parametrize("lines", [TD1, TD2, MRV_A, MRV_B, TD1_EXTENDED])
def test_single_run(lines: tuple[str, ...]) -> None:
    assert parse_mrz("".join(lines), today=TODAY).lines == lines


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (TD3[0] + "\n" + TD3[1][:-1], "2 lines of length 44, 43"),
        (TD1[0] + "\n" + TD1[1], "2 lines of length 30, 30"),
        ("P<UTO", "1 line of length 5"),
        (_text(TD3) + "\n" + TD3[1], "3 lines of length 44, 44, 44"),
    ],
)
def test_wrong_layout_message(text: str, found: str) -> None:
    with pytest.raises(MrzError) as info:
        parse_mrz(text)
    message = str(info.value)
    assert found in message
    for expected in (
        "TD1 (3 lines of 30",
        "TD2 or MRV-B (2 lines of 36",
        "TD3 or MRV-A (2 lines of 44",
    ):
        assert expected in message


def test_dropped_character_suggestion() -> None:
    with pytest.raises(MrzError) as info:
        parse_mrz(TD3[0] + "\n" + TD3[1][:-1])
    assert any("dropped" in s for s in info.value.suggestions)


def test_empty_input() -> None:
    with pytest.raises(MrzError, match="empty MRZ"):
        parse_mrz("   \n ")


def test_illegal_character_names_position() -> None:
    text = TD3[0][:11] + "«" + TD3[0][12:] + "\n" + TD3[1]
    with pytest.raises(MrzError, match=r"illegal character '«' at line 1, column 12") as info:
        parse_mrz(text)
    assert info.value.suggestions == ("'«' may be a misread '<'",)


def test_space_inside_a_line_is_not_silently_removed() -> None:
    text = TD3[0][:10] + " " + TD3[0][11:] + "\n" + TD3[1]
    with pytest.raises(MrzError, match="illegal character ' ' at line 1, column 11"):
        parse_mrz(text)


def test_document_code_must_start_with_a_letter() -> None:
    with pytest.raises(MrzError, match="document code must start with a letter"):
        parse_mrz("<" + TD3[0][1:] + "\n" + TD3[1])


def test_mrz_error_is_value_error() -> None:
    assert issubclass(MrzError, ValueError)


def test_unusual_document_code_is_flagged_not_refused() -> None:
    r = parse_mrz("X" + TD3[0][1:] + "\n" + TD3[1], today=TODAY)
    assert r.format == "TD3"
    assert "unusual_document_code" in r.warnings


# --- check-digit failures on the right field ----------------------------------------------

# (specimen, line, column, replacement, fields whose check must then fail)
ALTERATIONS = [
    (TD3, 1, 0, "M", {"document_number", "composite"}),
    (TD3, 1, 9, "7", {"document_number", "composite"}),
    (TD3, 1, 14, "5", {"birth_date", "composite"}),
    (TD3, 1, 19, "3", {"birth_date", "composite"}),
    (TD3, 1, 22, "3", {"expiry_date", "composite"}),
    (TD3, 1, 27, "0", {"expiry_date", "composite"}),
    (TD3, 1, 30, "2", {"optional_data", "composite"}),
    (TD3, 1, 42, "2", {"optional_data", "composite"}),
    (TD3, 1, 43, "1", {"composite"}),
    (TD1, 0, 6, "3", {"document_number", "composite"}),
    (TD1, 0, 14, "8", {"document_number", "composite"}),
    # optional data 1 is covered only by the composite ('<' -> 'A' would go unseen: 10 = 0 mod 10)
    (TD1, 0, 20, "B", {"composite"}),
    (TD1, 1, 1, "5", {"birth_date", "composite"}),
    (TD1, 1, 6, "3", {"birth_date", "composite"}),
    (TD1, 1, 9, "3", {"expiry_date", "composite"}),
    (TD1, 1, 14, "0", {"expiry_date", "composite"}),
    (TD1, 1, 20, "B", {"composite"}),  # optional data 2
    (TD1, 1, 29, "7", {"composite"}),
    (TD1_EXTENDED, 0, 16, "4", {"document_number", "composite"}),  # the extension
    (TD1_EXTENDED, 0, 18, "0", {"document_number", "composite"}),  # its check digit
    (TD2, 1, 3, "2", {"document_number", "composite"}),
    (TD2, 1, 15, "1", {"birth_date", "composite"}),
    (TD2, 1, 25, "2", {"expiry_date", "composite"}),
    (TD2, 1, 35, "7", {"composite"}),
    (TD2_EXTENDED, 1, 29, "4", {"document_number", "composite"}),
    (MRV_A, 1, 2, "7", {"document_number"}),
    (MRV_A, 1, 15, "1", {"birth_date"}),
    (MRV_A, 1, 27, "0", {"expiry_date"}),
    (MRV_A, 1, 30, "X", set()),  # visa optional data has no check digit
    (MRV_B, 1, 9, "5", {"document_number"}),
    (MRV_B, 1, 18, "8", {"birth_date"}),
    (MRV_B, 1, 24, "1", {"expiry_date"}),
]


@pytest.mark.parametrize(("lines", "li", "ci", "new", "failing"), ALTERATIONS)
def test_alteration_fails_the_right_check(
    lines: tuple[str, ...], li: int, ci: int, new: str, failing: set[str]
) -> None:
    assert lines[li][ci] != new
    altered = list(lines)
    altered[li] = altered[li][:ci] + new + altered[li][ci + 1 :]
    text = _text(tuple(altered))

    r = parse_mrz(text, today=TODAY)
    assert set(r.failed_checks) == failing
    assert r.valid is (not failing)

    n = normalise_mrz(text, today=TODAY)
    assert n.value == text  # forged or misread documents are kept
    assert {f for f in n.flags if f.startswith("check_digit_failed:")} == {
        f"check_digit_failed:{f}" for f in failing
    }
    assert n.extra["valid"] is (not failing)


def test_ocr_confusion_gives_suggestion_without_fixing() -> None:
    text = TD3[0] + "\n" + TD3[1][:15] + "O" + TD3[1][16:]  # 740812 read as 74O812
    r = parse_mrz(text, today=TODAY)
    assert r.birth_date_raw == "74O812"
    assert r.birth_date is None
    assert "birth_date_invalid" in r.warnings
    assert set(r.failed_checks) == {"birth_date", "composite"}
    assert r.suggestions == ("birth_date: line 2, column 16 reads 'O'; '0' would satisfy the check digit",)


def test_misread_check_digit_suggestion() -> None:
    text = TD3[0] + "\n" + TD3[1][:19] + "Z" + TD3[1][20:]  # check digit 2 read as Z
    r = parse_mrz(text, today=TODAY)
    assert r.checks[1] == CheckResult("birth_date", "2", "Z", False)
    assert any("check digit at line 2, column 20 reads 'Z'" in s for s in r.suggestions)


# --- fields -------------------------------------------------------------------------------


def _td3(
    *,
    code: str = "P<",
    state: str = "UTO",
    name: str = "ERIKSSON<<ANNA<MARIA",
    number: str = "L898902C3",
    nationality: str = "UTO",
    birth: str = "740812",
    sex: str = "F",
    expiry: str = "120415",
    personal: str = "ZE184226B",
    personal_check: str | None = None,
) -> str:
    """A TD3 MRZ with computed check digits (personal_check overrides the optional one)."""
    top = (code + state + name).ljust(44, "<")
    number = number.ljust(9, "<")
    personal = personal.ljust(14, "<")
    if personal_check is None:
        personal_check = "<" if set(personal) == {"<"} else check_digit(personal)
    bottom = (
        number
        + check_digit(number)
        + nationality
        + birth
        + check_digit(birth)
        + sex
        + expiry
        + check_digit(expiry)
        + personal
        + personal_check
    )
    bottom += check_digit(bottom[0:10] + bottom[13:20] + bottom[21:43])
    assert len(top) == len(bottom) == 44
    return top + "\n" + bottom


def test_builder_reproduces_specimen() -> None:
    assert _td3() == _text(TD3)


def test_empty_personal_number_check_is_optional() -> None:
    r = parse_mrz(_td3(personal=""), today=TODAY)
    assert [c.field for c in r.checks] == [
        "document_number",
        "birth_date",
        "expiry_date",
        "composite",
    ]
    assert r.valid
    r = parse_mrz(_td3(personal="", personal_check="0"), today=TODAY)
    assert CheckResult("optional_data", "0", "0", True) in r.checks
    r = parse_mrz(_td3(personal="", personal_check="3"), today=TODAY)
    assert r.failed_checks == ("optional_data",)


@pytest.mark.parametrize(("printed", "sex"), [("M", "M"), ("F", "F"), ("<", "X"), ("X", "X")])
def test_sex(printed: str, sex: str) -> None:
    r = parse_mrz(_td3(sex=printed), today=TODAY)
    assert r.sex == sex
    assert r.valid


def test_invalid_sex_is_flagged() -> None:
    r = parse_mrz(_td3(sex="Q"), today=TODAY)
    assert r.sex is None
    assert "sex_invalid" in r.warnings


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("740812", "1974-08-12"),
        ("250601", "2025-06-01"),  # born today
        ("250602", "1925-06-02"),  # tomorrow in 2025 would be the future
        ("000229", "2000-02-29"),
        ("991231", "1999-12-31"),
        ("<<<<<<", None),
        ("74<<<<", None),
        ("741312", None),
        ("740800", None),
    ],
)
def test_birth_date_century(raw: str, iso: str | None) -> None:
    r = parse_mrz(_td3(birth=raw), today=TODAY)
    assert r.birth_date_raw == raw
    assert (r.birth_date.isoformat() if r.birth_date else None) == iso
    assert r.valid  # unknown or impossible dates still carry a computable check digit


def test_unknown_and_invalid_dates_are_flagged() -> None:
    assert "birth_date_unknown" in parse_mrz(_td3(birth="74<<<<"), today=TODAY).warnings
    assert "birth_date_invalid" in parse_mrz(_td3(birth="741312"), today=TODAY).warnings
    assert "expiry_date_unknown" in parse_mrz(_td3(expiry="<<<<<<"), today=TODAY).warnings
    assert "expiry_date_invalid" in parse_mrz(_td3(expiry="120431"), today=TODAY).warnings


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("120415", "2012-04-15"),
        ("961210", "1996-12-10"),
        ("350101", "2035-01-01"),
        ("750101", "2075-01-01"),
        ("760101", "1976-01-01"),
    ],
)
def test_expiry_date_century(raw: str, iso: str) -> None:
    r = parse_mrz(_td3(expiry=raw), today=TODAY)
    assert r.expiry_date is not None
    assert r.expiry_date.isoformat() == iso


def test_names() -> None:
    r = parse_mrz(_td3(name="DE<BRUIJN<<WILLEKE<LISELOTTE"), today=TODAY)
    assert (r.surname, r.given_names) == ("DE BRUIJN", "WILLEKE LISELOTTE")
    r = parse_mrz(_td3(name="MONONYM"), today=TODAY)
    assert (r.surname, r.given_names) == ("MONONYM", "")
    r = parse_mrz(_td3(name="A" * 19 + "<<" + "B" * 18), today=TODAY)
    assert "name_possibly_truncated" in r.warnings


def test_issuing_state_as_printed() -> None:
    r = parse_mrz(_td3(state="D<<", nationality="D<<"), today=TODAY)
    assert (r.issuing_state, r.nationality) == ("D<<", "D<<")


# --- normalise_mrz ------------------------------------------------------------------------


def test_normalise_extra() -> None:
    n = normalise_mrz("  " + _text(TD3).lower() + " ")
    assert n.ok
    assert n.value == _text(TD3)
    assert n.flags == ()
    assert n.reason is None
    extra = dict(n.extra)
    json.dumps(extra)  # plain JSON-able values
    assert extra["format"] == "TD3"
    assert extra["document_number"] == "L898902C3"
    assert extra["issuing_state"] == "UTO"
    assert extra["nationality"] == "UTO"
    assert extra["surname"] == "ERIKSSON"
    assert extra["given_names"] == "ANNA MARIA"
    assert extra["birth_date"] == "1974-08-12"
    assert extra["sex"] == "F"
    assert extra["expiry_date"] == "2012-04-15"
    assert extra["valid"] is True
    assert extra["checks"][0] == {
        "field": "document_number",
        "expected": "6",
        "found": "6",
        "ok": True,
    }


def test_normalise_failure_has_reason() -> None:
    n = normalise_mrz("not an mrz")
    assert not n.ok
    assert n.value is None
    assert n.reason is not None and "TD1 (3 lines of 30" in n.reason
    assert n.original == "not an mrz"


def test_normalise_keeps_failed_document_with_flag() -> None:
    text = TD1[0] + "\n" + TD1[1][:29] + "0" + "\n" + TD1[2]
    n = normalise_mrz(text)
    assert n.value == text
    assert n.flags == ("check_digit_failed:composite",)
    assert n.extra["valid"] is False


# --- properties ---------------------------------------------------------------------------

MRZ_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


@given(st.text())
def test_normalise_never_raises_on_text(text: str) -> None:
    assert isinstance(normalise_mrz(text), Normalised)


@st.composite
def _mrz_shaped(draw: st.DrawFn) -> str:
    count, width = draw(st.sampled_from([(3, 30), (2, 36), (2, 44)]))
    code = draw(st.sampled_from("PIACV<0X"))
    lines = [draw(st.text(MRZ_ALPHABET, min_size=width, max_size=width)) for _ in range(count)]
    lines[0] = code + lines[0][1:]
    sep = draw(st.sampled_from(["\n", "", " ", "\r\n"]))
    return sep.join(lines)


@given(_mrz_shaped())
def test_normalise_never_raises_on_mrz_shaped_strings(text: str) -> None:
    n = normalise_mrz(text)
    assert isinstance(n, Normalised)
    if n.ok:
        json.dumps(dict(n.extra))
        assert n.value is not None
        assert n.value.replace("\n", "") == "".join(text.split())


_WORD = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10)


@st.composite
def _td3_fields(draw: st.DrawFn) -> dict[str, object]:
    surname = draw(st.lists(_WORD, min_size=1, max_size=2))
    given_names = draw(st.lists(_WORD, min_size=0, max_size=3))
    name = "<".join(surname) + ("<<" + "<".join(given_names) if given_names else "")
    if len(name) > 39:
        given_names = []
        name = "<".join(surname)
    return {
        "surname": " ".join(surname),
        "given_names": " ".join(given_names),
        "name": name,
        "state": draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)),
        "nationality": draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)),
        "number": draw(st.text(MRZ_ALPHABET[:-1], min_size=1, max_size=9)),
        "birth": draw(st.dates(datetime.date(1925, 6, 2), TODAY)),
        "expiry": draw(st.dates(datetime.date(1976, 1, 1), datetime.date(2075, 12, 31))),
        "sex": draw(st.sampled_from("MF<")),
        "personal": draw(st.text(MRZ_ALPHABET[:-1], min_size=0, max_size=14)),
    }


@settings(max_examples=200)
@given(_td3_fields())
def test_td3_round_trip(f: dict[str, object]) -> None:
    birth = f["birth"]
    expiry = f["expiry"]
    assert isinstance(birth, datetime.date) and isinstance(expiry, datetime.date)
    text = _td3(
        state=str(f["state"]),
        name=str(f["name"]),
        number=str(f["number"]),
        nationality=str(f["nationality"]),
        birth=birth.strftime("%y%m%d"),
        sex=str(f["sex"]),
        expiry=expiry.strftime("%y%m%d"),
        personal=str(f["personal"]),
    )
    r = parse_mrz(text, today=TODAY)
    assert r.valid, r.checks
    assert r.format == "TD3"
    assert r.issuing_state == f["state"]
    assert r.nationality == f["nationality"]
    assert r.primary_identifier == f["surname"]
    assert r.secondary_identifier == f["given_names"]
    assert r.document_number == f["number"]
    assert r.birth_date == birth
    assert r.expiry_date == expiry
    assert r.sex == {"<": "X"}.get(str(f["sex"]), f["sex"])
    assert r.optional_data_1 == f["personal"]
    assert parse_mrz("".join(text.split()), today=TODAY) == r
