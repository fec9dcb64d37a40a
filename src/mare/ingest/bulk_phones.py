"""E.164 for call records' common written forms, a column at a time.

`e164_for_bulk` (phonenumbers' parse and a length check) costs ~50 µs a number; a call-records
file of a million rows holds ~100 k distinct number strings. Most are written in a handful of
forms: ``+CC…``, ``00CC…`` or a national number with the trunk prefix, with spaces, dots,
dashes, slashes or brackets between the digits. For those, the answer depends only on the
digits: Arrow reduces each string to a key (``+`` and the digits, or ``N`` and the digits of a
national number), and `mare.schema.types.phone_digits` reads each distinct key as
phonenumbers' parse would, with that library's own metadata (country codes, trunk prefixes,
possible lengths). Everything else (letters, other scripts, bare MSISDNs, a region with special
prefixes) gets no key and goes to `e164_for_bulk` as before. tests/ingest/test_bulk_phones.py
checks, over every country calling code and the forms above, that the two always agree.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from mare.schema.types.phone_digits import SHAPE, parse_digits, possible

__all__ = ["FALLBACK", "digit_keys", "e164_int_for_key"]

#: The result for a key these rules do not settle: ask `e164_for_bulk`.
FALLBACK = -1

_MIN_INVALID_NSN = 6  # as in mare.schema.types.phones
_E164 = re.compile(r"[1-9][0-9]{1,14}")


def digit_keys(values: pa.Array) -> pa.Array:
    """Per string: ``+digits`` (international), ``Ndigits`` (national) or null (not handled here).

    Only options, never Python scalars, go to Arrow here: converting a scalar makes pyarrow
    import pandas (~0.25 s of CPU once per process).
    """
    values = pc.cast(values, pa.string())
    shaped = pc.match_substring_regex(values, pattern=SHAPE)
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


def e164_int_for_key(key: str, region: str | None) -> int | None:
    """E.164 (as an integer) for a key from `digit_keys`; None: not a number; FALLBACK: ask parse.

    As `e164_for_bulk`: ``+`` forms are parsed without a region, national ones with it; then
    a national number of at least six digits (without leading zeros) and a possible length.
    """
    found = parse_digits(key, region if key[0] == "N" else None)
    if found is None:
        return FALLBACK
    if isinstance(found, str):  # FAILS
        return None
    code, national = found
    if len(national.lstrip("0") or "0") < _MIN_INVALID_NSN or not possible(code, national):
        return None
    e164 = f"{code}{national}"
    return int(e164) if _E164.fullmatch(e164) else None
