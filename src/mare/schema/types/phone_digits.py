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

__all__ = [
    "FAILS",
    "SHAPE",
    "digit_key",
    "parse_digits",
    "parse_idd",
    "phone_number",
    "possible",
    "possible_reason",
    "region_and_type",
]

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


# --- a number's region and type, as phonenumbers' number_type finds them ----------------------

#: A number description: (possible lengths, the national number pattern or None).
_Desc = tuple[tuple[int, ...], re.Pattern[str] | None]


@dataclass(frozen=True, slots=True)
class _Types:
    """One region's number descriptions, in the order `number_type` tries them."""

    general: _Desc | None
    special: tuple[tuple[int, _Desc], ...]  # premium rate, toll free, … voicemail
    fixed: _Desc | None
    mobile: _Desc | None
    same_mobile_and_fixed: bool
    leading_digits: re.Pattern[str] | None


def _desc(desc: object) -> _Desc | None:
    if desc is None:
        return None
    pattern = getattr(desc, "national_number_pattern", None)
    return tuple(getattr(desc, "possible_length", None) or ()), re.compile(pattern) if pattern else None


@cache
def _types(country_code: int, region: str) -> _Types | None:
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if metadata is None:
        return None
    kinds = phonenumbers.PhoneNumberType
    special = (
        (kinds.PREMIUM_RATE, metadata.premium_rate),
        (kinds.TOLL_FREE, metadata.toll_free),
        (kinds.SHARED_COST, metadata.shared_cost),
        (kinds.VOIP, metadata.voip),
        (kinds.PERSONAL_NUMBER, metadata.personal_number),
        (kinds.PAGER, metadata.pager),
        (kinds.UAN, metadata.uan),
        (kinds.VOICEMAIL, metadata.voicemail),
    )
    return _Types(
        general=_desc(metadata.general_desc),
        special=tuple((kind, d) for kind, desc in special if (d := _desc(desc)) is not None),
        fixed=_desc(metadata.fixed_line),
        mobile=_desc(metadata.mobile),
        same_mobile_and_fixed=bool(metadata.same_mobile_and_fixed_line_pattern),
        leading_digits=re.compile(metadata.leading_digits) if metadata.leading_digits else None,
    )


def _matches(number: str, desc: _Desc | None) -> bool:
    """phonenumbers' `_is_number_matching_desc`."""
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(number) not in lengths:
        return False
    return pattern is not None and pattern.fullmatch(number) is not None


def _type_of(number: str, types: _Types) -> int:
    """phonenumbers' `_number_type_helper`."""
    kinds = phonenumbers.PhoneNumberType
    if not _matches(number, types.general):
        return kinds.UNKNOWN
    for kind, desc in types.special:
        if _matches(number, desc):
            return kind
    if _matches(number, types.fixed):
        if types.same_mobile_and_fixed or _matches(number, types.mobile):
            return kinds.FIXED_LINE_OR_MOBILE
        return kinds.FIXED_LINE
    if not types.same_mobile_and_fixed and _matches(number, types.mobile):
        return kinds.MOBILE
    return kinds.UNKNOWN


def region_and_type(code: int, national: str) -> tuple[str | None, int]:
    """`region_code_for_number` and `number_type` of the number parse builds from these digits.

    `national` is the national significant number with its leading zeros, as `parse_digits`
    gives it (phonenumbers' own `national_significant_number` of that number).
    """
    regions = COUNTRY_CODE_TO_REGION_CODE.get(code)
    region: str | None = None
    if regions is not None and len(regions) == 1:
        region = regions[0]
    elif regions is not None:
        for candidate in regions:
            types = _types(code, candidate.upper()) if candidate != "001" else None
            if types is None:
                continue
            if types.leading_digits is not None:
                if types.leading_digits.match(national):
                    region = candidate
                    break
            elif _type_of(national, types) != phonenumbers.PhoneNumberType.UNKNOWN:
                region = candidate
                break
    types = _types(code, region) if region is not None else None
    return region, phonenumbers.PhoneNumberType.UNKNOWN if types is None else _type_of(national, types)


#: `_length`'s answers as phonenumbers' ValidationResult values.
_VALIDATION = {
    _POSSIBLE: phonenumbers.ValidationResult.IS_POSSIBLE,
    _LOCAL_ONLY: phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    _TOO_SHORT: phonenumbers.ValidationResult.TOO_SHORT,
    "too_long": phonenumbers.ValidationResult.TOO_LONG,
    _INVALID: phonenumbers.ValidationResult.INVALID_LENGTH,
}


def possible_reason(code: int, national: str) -> int:
    """phonenumbers' `is_possible_number_with_reason` for this country code and national number."""
    main = _main_rules(code)
    if main is None:
        return phonenumbers.ValidationResult.INVALID_COUNTRY_CODE
    return _VALIDATION[_length(national, main)]


def parse_idd(key: str, region: str) -> tuple[int, str] | None:
    """(country code, national number) as parse gives them for a national key that starts with
    the region's international prefix (``N0049…`` in DE); None where this cannot tell."""
    if key[0] != "N":
        return None
    region = region.upper()
    code = phonenumbers.country_code_for_region(region)
    rules = _rules(code, region) if code else None
    if rules is None or rules.idd is None:
        return None
    digits = key[1:]
    match = rules.idd.match(digits)
    if match is None:
        return None
    rest = digits[match.end() :]
    if not rest or rest[0] == "0":  # parse does not take a prefix followed by 0 as one
        return None
    found = parse_digits("+" + rest, None)
    return found if isinstance(found, tuple) else None
