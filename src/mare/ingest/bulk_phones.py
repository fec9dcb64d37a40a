"""E.164 for call records' common written forms, a column at a time.

`e164_for_bulk` (phonenumbers' parse and a length check) costs ~50 µs a number; a call-records
file of a million rows holds ~100 k distinct number strings. Most are written in a handful of
forms: ``+CC…``, ``00CC…`` or a national number with the trunk prefix, with spaces, dots,
dashes, slashes or brackets between the digits. For those, the answer depends only on the
digits: Arrow reduces each string to a key (``+`` and the digits, or ``N`` and the digits of a
national number), and the steps of phonenumbers' parse that matter for such digits run here on
each distinct key, with that library's own metadata (country codes, trunk prefixes, possible
lengths). Everything else (letters, other scripts, bare MSISDNs, a region with special
prefixes) gets no key and goes to `e164_for_bulk` as before. tests/ingest/test_bulk_phones.py
checks, over every country calling code and the forms above, that the two always agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

__all__ = ["FALLBACK", "digit_keys", "e164_int_for_key"]

#: The result for a key these rules do not settle: ask `e164_for_bulk`.
FALLBACK = -1

#: The written forms handled here, at most 64 characters after the leading spaces (e164_for_bulk's limit).
_SHAPE = r"^ *(\+[0-9 ().\-/]{0,63}|[0-9(][0-9 ().\-/]{0,63})$"
_MIN_NSN, _MAX_NSN = 2, 17  # phonenumbers' bounds on a national significant number
_MIN_INVALID_NSN = 6  # as in mare.schema.types.phones
_E164 = re.compile(r"[1-9][0-9]{1,14}")
_MSISDN = re.compile(r"[1-9]\d{9,14}")
_TOO_SHORT, _LOCAL_ONLY, _INVALID = "too_short", "local_only", "invalid"


def digit_keys(values: pa.Array) -> pa.Array:
    """Per string: ``+digits`` (international), ``Ndigits`` (national) or null (not handled here).

    Only options, never Python scalars, go to Arrow here: converting a scalar makes pyarrow
    import pandas (~0.25 s of CPU once per process).
    """
    values = pc.cast(values, pa.string())
    shaped = pc.match_substring_regex(values, pattern=_SHAPE)
    digits = pc.replace_substring_regex(values, pattern="[^0-9]", replacement="")
    plus = pc.starts_with(pc.utf8_ltrim(values, characters=" "), "+")
    idd = pc.and_(pc.starts_with(digits, "00"), pc.invert(pc.starts_with(digits, "000")))
    msisdn = pc.match_substring_regex(digits, pattern=r"^[1-9][0-9]{9,14}$")
    after_idd = pc.utf8_replace_slice(digits, start=0, stop=2, replacement="+")
    international = pc.utf8_replace_slice(digits, start=0, stop=0, replacement="+")
    national = pc.utf8_replace_slice(digits, start=0, stop=0, replacement="N")
    key = pc.if_else(plus, international, pc.if_else(idd, after_idd, national))
    keep = pc.and_(shaped, pc.or_(plus, pc.or_(idd, pc.invert(msisdn))))
    return pc.if_else(keep, key, pa.nulls(len(values), pa.string()))


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
        return "possible"
    if lengths[0] > n:
        return _TOO_SHORT
    if lengths[-1] < n:
        return "too_long"
    return "possible" if n in lengths[1:] else _INVALID


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


def _finish(national: str, parse_rules: _Rules) -> int | None:
    """The E.164 digits of a national number read under these rules, as `e164_for_bulk` would give."""
    if len(national) < _MIN_NSN:
        return None
    stripped = _strip_prefix(national, parse_rules)
    if stripped is None:
        return FALLBACK
    if stripped != national and _length(stripped, parse_rules) not in (_TOO_SHORT, _LOCAL_ONLY, _INVALID):
        national = stripped
    if len(national) > _MAX_NSN:
        return None
    if len(national.lstrip("0") or "0") < _MIN_INVALID_NSN:
        return None
    main = _main_rules(parse_rules.country_code)
    if main is None or _length(national, main) not in ("possible", _LOCAL_ONLY):
        return None
    e164 = f"{parse_rules.country_code}{national}"
    return int(e164) if _E164.fullmatch(e164) else None


def _country_code(digits: str) -> tuple[int, str] | None:
    if not digits or digits[0] == "0":
        return None
    for size in (1, 2, 3):
        if len(digits) >= size and int(digits[:size]) in COUNTRY_CODE_TO_REGION_CODE:
            return int(digits[:size]), digits[size:]
    return None


def e164_int_for_key(key: str, region: str | None) -> int | None:
    """E.164 (as an integer) for a key from `digit_keys`; None: not a number; FALLBACK: ask parse."""
    if key[0] == "+":
        digits = key[1:]
        if len(digits) < 3:  # too short after the international prefix / not viable
            return None
        found = _country_code(digits)
        if found is None:
            return None
        code, national = found
        rules = _main_rules(code)
        return FALLBACK if rules is None else _finish(national, rules)
    digits = key[1:]
    if region is None or len(digits) < 3:
        return FALLBACK
    return _national(digits, region.upper())


def _national(digits: str, region: str) -> int | None:
    code = phonenumbers.country_code_for_region(region)
    if not code:
        return FALLBACK
    rules = _rules(code, region)
    if rules is None or (rules.idd is not None and rules.idd.match(digits)):
        return FALLBACK  # an international prefix other than 00: parse decides
    if digits.startswith(str(code)) or _MSISDN.fullmatch(digits):
        return FALLBACK  # maybe the country code written without a prefix
    return _finish(digits, rules)
