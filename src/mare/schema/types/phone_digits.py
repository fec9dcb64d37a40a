"""Reading a phone number from its digits alone, exactly as phonenumbers' parse reads it.

For a text made only of digits, one leading ``+`` and the separators `` ().-/``, phonenumbers'
`parse` depends on the digits alone: it finds the country calling code, strips a national
prefix when the rest stays viable, and keeps leading zeros. Its generic text handling (Unicode
digits, letters, extensions, RFC 3966) costs about half of a parse; these steps, with the
library's own metadata, give the same country code and national number in a few µs.
`parse_digits` answers only where it is sure; anything else (an international prefix other
than ``+``, a country code written without one, a national prefix with a transform rule, a
parse that would fail) is left to phonenumbers. tests/schema/test_phone_digits.py compares
both over every country calling code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber
from phonenumbers.phonenumberutil import (
    COUNTRY_CODE_TO_REGION_CODE,
    _set_italian_leading_zeros_for_phone_number,
)

__all__ = ["FAILS", "SHAPE", "digit_key", "parse_digits", "phone_number", "possible"]

#: The written forms read here: at most 64 characters after the leading spaces.
SHAPE = r"^ *(\+[0-9 ().\-/]{0,63}|[0-9(][0-9 ().\-/]{0,63})$"
_SHAPE = re.compile(SHAPE)
_NOT_DIGIT = re.compile(r"[^0-9]")
_MSISDN = re.compile(r"[1-9]\d{9,14}")
_MIN_NSN, _MAX_NSN = 2, 17  # phonenumbers' bounds on a national significant number
_TOO_SHORT, _LOCAL_ONLY, _INVALID, _POSSIBLE = "too_short", "local_only", "invalid", "possible"
#: `parse_digits`'s answer when phonenumbers' parse would raise.
FAILS = "fails"


@dataclass(frozen=True, slots=True)
class _Rules:
    """What parsing needs of one region's metadata."""

    country_code: int
    prefix: re.Pattern[str] | None  # national prefix for parsing
    transform: bool  # a prefix transform rule (not handled here)
    general: re.Pattern[str] | None  # the national number pattern
    lengths: tuple[int, ...]
    local_lengths: tuple[int, ...]
    idd: re.Pattern[str] | None  # the international prefix


@cache
def _rules(country_code: int, region: str) -> _Rules | None:
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if metadata is None:
        return None
    general = metadata.general_desc
    pattern = general.national_number_pattern if general is not None else None
    npfp = metadata.national_prefix_for_parsing
    return _Rules(
        country_code=metadata.country_code or country_code,
        prefix=re.compile(npfp) if npfp else None,
        transform=bool(metadata.national_prefix_transform_rule),
        general=re.compile(pattern) if pattern else None,
        lengths=tuple(general.possible_length) if general is not None else (),
        local_lengths=tuple(general.possible_length_local_only or ()) if general is not None else (),
        idd=re.compile(metadata.international_prefix) if metadata.international_prefix else None,
    )


@cache
def _main_rules(country_code: int) -> _Rules | None:
    return _rules(country_code, phonenumbers.region_code_for_country_code(country_code))


def _length(number: str, rules: _Rules) -> str:
    """phonenumbers' `_test_number_length` for the general description."""
    n, lengths = len(number), rules.lengths
    if not lengths:
        return _INVALID
    if n in rules.local_lengths:
        return _LOCAL_ONLY
    if lengths[0] == n:
        return _POSSIBLE
    if lengths[0] > n:
        return _TOO_SHORT
    if lengths[-1] < n:
        return "too_long"
    return _POSSIBLE if n in lengths[1:] else _INVALID


def _viable(number: str, rules: _Rules) -> bool:
    return rules.general is not None and rules.general.fullmatch(number) is not None


def _strip_prefix(number: str, rules: _Rules) -> str | None:
    """The number without its national prefix, as phonenumbers strips it (None: not handled here)."""
    if not number or rules.prefix is None:
        return number
    match = rules.prefix.match(number)
    if not match:
        return number
    groups = match.groups()
    if rules.transform and (not groups or groups[-1] is not None):
        return None
    rest = number[match.end() :]
    if _viable(number, rules) and not _viable(rest, rules):
        return number
    return rest


def _country_code(digits: str) -> tuple[int, str] | None:
    if not digits or digits[0] == "0":
        return None
    for size in (1, 2, 3):
        if len(digits) >= size and int(digits[:size]) in COUNTRY_CODE_TO_REGION_CODE:
            return int(digits[:size]), digits[size:]
    return None


def parse_digits(key: str, region: str | None) -> tuple[int, str] | str | None:
    """(country code, national number) as `phonenumbers.parse` gives them for a text with this key.

    The key is ``+`` and the digits of a text that starts with ``+``, or ``N`` and the digits of
    one that does not. FAILS where parse would raise; None where this cannot tell (ask parse).
    """
    digits = key[1:]
    if key[0] == "+":
        if len(digits) < 3:
            return FAILS  # too short after the '+', or not viable
        found = _country_code(digits)
        if found is None:  # with a region, parse tries the digits again as a national number
            return FAILS if region is None else None
        code, national = found
        rules = _main_rules(code)
    else:
        if region is None or len(digits) < 3:
            return None
        region = region.upper()
        code = phonenumbers.country_code_for_region(region)
        rules = _rules(code, region) if code else None
        if rules is None or (rules.idd is not None and rules.idd.match(digits)):
            return None  # an international prefix: parse decides
        if digits.startswith(str(code)) or _MSISDN.fullmatch(digits):
            return None  # maybe the country code written without a prefix
        national = digits
    if rules is None:
        return None
    if len(national) < _MIN_NSN:
        return FAILS
    stripped = _strip_prefix(national, rules)
    if stripped is None:
        return None
    if stripped != national and _length(stripped, rules) not in (_TOO_SHORT, _LOCAL_ONLY, _INVALID):
        national = stripped
    if len(national) > _MAX_NSN:
        return FAILS
    return rules.country_code, national


def possible(code: int, national: str) -> bool:
    """phonenumbers' `is_possible_number` for this country code and national number."""
    main = _main_rules(code)
    return main is not None and _length(national, main) in (_POSSIBLE, _LOCAL_ONLY)


def digit_key(text: str) -> str | None:
    """The key of one text (as `bulk_phones.digit_keys` makes them column-wise), or None."""
    if not _SHAPE.match(text):
        return None
    digits = _NOT_DIGIT.sub("", text)
    return ("+" if text.lstrip(" ").startswith("+") else "N") + digits


def phone_number(code: int, national: str) -> PhoneNumber:
    """The PhoneNumber parse builds for this country code and national number (leading zeros kept)."""
    number = PhoneNumber()
    number.country_code = code
    _set_italian_leading_zeros_for_phone_number(national, number)
    number.national_number = int(national)
    return number
