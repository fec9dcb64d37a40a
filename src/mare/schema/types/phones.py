"""Phone numbers to E.164, with region, line type and validity.

Policy: a number that phonenumbers finds *possible* (right length for its
country) but not *valid* (no such number range) still gets a value, flagged
``not_valid_for_region`` with ``extra["valid"] = False``: seized phones and
smugglers' contact lists hold new ranges and typos alike, and dropping them
would lose links. A number that is not even possible gets no value and a reason.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

from mare.schema.types.phone_digits import (
    digit_key,
    parse_digits,
    parse_idd,
    phone_number,
    possible_reason,
    region_and_type,
)
from mare.schema.types.result import EMPTY_CONTEXT, NormaliseContext, Normalised, failed
from mare.schema.types.simple import ascii_digits

__all__ = ["int_to_phone", "normalise_phone", "phone_to_int"]

_TYPES: dict[int, str] = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}
_POSSIBLE_REASONS: dict[int, str] = {
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country calling code",
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "wrong number of digits",
}
_PREFIX = re.compile(r"^(?:tel|callto|sip|phone|fax|tlf|tel\.|mob|mobile|cell)\s*[:.]?\s*", re.I)
_TRUNK_ZERO = re.compile(r"\(\s*0\s*\)")  # "+49 (0)151": the (0) is dropped after +CC
_PLUS = str.maketrans({"＋": "+", "\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00a0": " "})
_HAS_DIGIT = re.compile(r"\d")
_E164 = re.compile(r"\+?[1-9][0-9]{1,14}")
_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)
_MIN_INVALID_NSN = 6  # shorter numbers are kept only when phonenumbers finds them valid


def _reason_for_parse_error(exc: NumberParseException, s: str, region: str | None) -> str:
    et = exc.error_type
    if et == NumberParseException.INVALID_COUNTRY_CODE:
        if s.startswith("+"):
            return "unknown country calling code after '+': check the first digits"
        if region is None:
            return "no country code and the agency's region is unknown: send it in +CC form"
        return "unknown country calling code: send it in +CC form"
    if et == NumberParseException.TOO_SHORT_NSN or et == NumberParseException.TOO_SHORT_AFTER_IDD:
        return "too short to be a phone number"
    if et == NumberParseException.TOO_LONG:
        return "too long to be a phone number"
    return "not a phone number"


def _parse(s: str, region: str | None) -> phonenumbers.PhoneNumber | str:
    key = digit_key(s)
    if key is not None:  # plain digits and separators: read from the digits (same result, faster)
        found = parse_digits(key, region)
        if isinstance(found, tuple):
            return phone_number(*found)
    try:
        return phonenumbers.parse(s, region, keep_raw_input=False)
    except NumberParseException as exc:
        # International prefix "00" when the region is unknown or dials abroad another way.
        if s.startswith("00") and not s.startswith("000"):
            try:
                return phonenumbers.parse("+" + s[2:], None)
            except NumberParseException:
                pass
        return _reason_for_parse_error(exc, s, region)


@lru_cache(maxsize=262144)
def _normalise(
    text: str, region: str | None
) -> tuple[str | None, str | None, tuple[str, ...], tuple[tuple[str, Any], ...]]:
    if len(text) > 64:
        return None, "too long to be a phone number (over 64 characters)", (), ()
    s = ascii_digits(text).translate(_PLUS).strip()
    s = _PREFIX.sub("", s)
    if not _HAS_DIGIT.search(s):
        return None, "no digits: not a phone number" if s else "empty phone number", (), ()
    if "+" in s or s.startswith("00"):
        s = _TRUNK_ZERO.sub(" ", s, count=1)
    if region is not None:
        region = region.upper()
        if region not in _REGIONS:
            region = None
    if region is None and s.startswith("00") and not s.startswith("000"):
        s = "+" + s[2:].lstrip()
    key = digit_key(s)
    if key is not None:  # plain digits and separators: read from the digits (the same, faster)
        found = parse_digits(key, region)
        if found is None and region is not None:
            found = parse_idd(key, region)
        if isinstance(found, tuple):
            return _from_digits(*found, s, region)
    parsed = _parse(s, region)
    if isinstance(parsed, str):
        return None, parsed, (), ()
    flags: list[str] = []
    num_region = phonenumbers.region_code_for_number(parsed)
    # number_type is UNKNOWN exactly when is_valid_number is False; one call does both.
    number_type = phonenumbers.number_type(parsed)
    valid = number_type != PhoneNumberType.UNKNOWN
    if not valid:
        possible = phonenumbers.is_possible_number_with_reason(parsed)
        if possible not in (
            ValidationResult.IS_POSSIBLE,
            ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
        ):
            why = _POSSIBLE_REASONS.get(possible, "impossible number")
            where = f" for {num_region}" if num_region and num_region != "001" else ""
            return None, f"{why}{where}: +{parsed.country_code} {parsed.national_number}", (), ()
        if possible == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
            return None, "looks like a local number without its area code: add it", (), ()
        if len(str(parsed.national_number)) < _MIN_INVALID_NSN:
            return (
                None,
                (
                    f"too short: {parsed.national_number} is not a subscriber number "
                    "(short codes such as 112 are not kept)"
                ),
                (),
                (),
            )
        flags.append("not_valid_for_region")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if not _E164.fullmatch(e164):  # "possible" by length, yet over E.164's 15 digits
        return None, f"too long: +{parsed.country_code} {parsed.national_number} has over 15 digits", (), ()
    if region is not None and not s.lstrip().startswith("+") and not s.startswith("00"):
        flags.append("default_region_applied")
    kind = _TYPES.get(number_type, "unknown")
    extra: list[tuple[str, Any]] = [
        ("region", num_region if num_region and num_region != "001" else None),
        ("type", kind),
        ("valid", valid),
        ("country_code", parsed.country_code),
    ]
    if parsed.extension:
        extra.append(("extension", parsed.extension))
    return e164, None, tuple(flags), tuple(extra)


def _from_digits(
    code: int, national: str, s: str, region: str | None
) -> tuple[str | None, str | None, tuple[str, ...], tuple[tuple[str, Any], ...]]:
    """What `_normalise` gives for the number parse reads as this country code and national
    number, without building it: region and type from the library's metadata (`phone_digits`)."""
    num_region, number_type = region_and_type(code, national)
    valid = number_type != PhoneNumberType.UNKNOWN
    flags: list[str] = []
    digits = str(int(national))  # the PhoneNumber's national_number, as messages show it
    if not valid:
        possible = possible_reason(code, national)
        if possible not in (
            ValidationResult.IS_POSSIBLE,
            ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
        ):
            why = _POSSIBLE_REASONS.get(possible, "impossible number")
            where = f" for {num_region}" if num_region and num_region != "001" else ""
            return None, f"{why}{where}: +{code} {digits}", (), ()
        if possible == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
            return None, "looks like a local number without its area code: add it", (), ()
        if len(digits) < _MIN_INVALID_NSN:
            return (
                None,
                f"too short: {digits} is not a subscriber number (short codes such as 112 are not kept)",
                (),
                (),
            )
        flags.append("not_valid_for_region")
    e164 = f"+{code}{national}"
    if not _E164.fullmatch(e164):
        return None, f"too long: +{code} {digits} has over 15 digits", (), ()
    if region is not None and not s.lstrip().startswith("+") and not s.startswith("00"):
        flags.append("default_region_applied")
    extra: tuple[tuple[str, Any], ...] = (
        ("region", num_region if num_region and num_region != "001" else None),
        ("type", _TYPES.get(number_type, "unknown")),
        ("valid", valid),
        ("country_code", code),
    )
    return e164, None, tuple(flags), extra


_MSISDN = re.compile(r"[1-9]\d{9,14}")


@lru_cache(maxsize=262144)
def _normalise_any(
    text: str, region: str | None
) -> tuple[str | None, str | None, tuple[str, ...], tuple[tuple[str, Any], ...]]:
    """As `_normalise`, but digits that fail as a national number are tried as international.

    Call records and many registers write international numbers without '+' or '00'
    (MSISDN form, e.g. 4915123456789); read nationally they are too long or invalid.
    """
    result = _normalise(text, region)
    digits = re.sub(r"[\s.\-/()]", "", ascii_digits(text))
    if not _MSISDN.fullmatch(digits):
        return result
    value, _, flags, _ = result
    national_reading_ok = value is not None and "not_valid_for_region" not in flags
    if national_reading_ok and not _dials_with_trunk_prefix(region):
        return result
    alt_value, _, alt_flags, alt_extra = _normalise("+" + digits, None)
    if alt_value is None or "not_valid_for_region" in alt_flags:
        return result
    return alt_value, None, (*alt_flags, "international_without_plus"), alt_extra


@lru_cache(maxsize=512)
def _dials_with_trunk_prefix(region: str | None) -> bool:
    """True where national numbers are written with a trunk prefix (0 in DE, FR, UK, TR...).

    There, a long run of digits without that prefix is almost surely an international number.
    """
    if not region:
        return False
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper())
    return bool(metadata and metadata.national_prefix)


def normalise_phone(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise a phone number to E.164, using the agency's region for national numbers."""
    value, reason, flags, extra = _normalise_any(text, ctx.default_region)
    if value is None:
        return failed(text, reason or "not a phone number")
    return Normalised(text, value, None, flags, dict(extra))


def phone_to_int(e164: str) -> int:
    """E.164 string ("+4915123456789") to its digits as an integer for BIGINT storage."""
    if not _E164.fullmatch(e164):
        raise ValueError(f"not an E.164 number: {e164!r}")
    return int(e164.lstrip("+"))


def int_to_phone(n: int) -> str:
    """Integer from :func:`phone_to_int` back to its E.164 string."""
    if n <= 0 or n >= 10**15:
        raise ValueError(f"not an E.164 number: {n}")
    return f"+{n}"


@lru_cache(maxsize=1 << 20)
def e164_for_bulk(text: str, region: str | None) -> str | None:
    """E.164 for call records, fast: parse and a length check only (no number-type matching).

    Used on millions of call-detail rows, where numbers come from operators' systems. Returns
    None when the text is not a possible number; `normalise_phone` then gives the reason.
    Digits written without '+' in a country that dials nationally with a trunk prefix are read
    as international first, as in `normalise_phone`.
    """
    s = ascii_digits(text).strip()
    if not s or len(s) > 64:
        return None
    digits = re.sub(r"[\s.\-/()]", "", s)
    if s.startswith("+"):
        attempts: list[tuple[str, str | None]] = [(s, None)]
    elif digits.startswith("00") and not digits.startswith("000"):
        attempts = [("+" + digits[2:], None)]
    elif _MSISDN.fullmatch(digits):
        national = (s, region.upper() if region else None)
        attempts = (
            [("+" + digits, None), national]
            if _dials_with_trunk_prefix(region)
            else [national, ("+" + digits, None)]
        )
    else:
        attempts = [(s, region.upper() if region else None)]
    for candidate, where in attempts:
        try:
            parsed = phonenumbers.parse(candidate, where)
        except NumberParseException:
            continue
        if len(str(parsed.national_number)) >= _MIN_INVALID_NSN and phonenumbers.is_possible_number(parsed):
            e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            if _E164.fullmatch(e164):
                return e164
    return None
