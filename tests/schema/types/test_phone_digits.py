"""Reading a number from its digits (`phone_digits`) gives what phonenumbers' parse gives.

Numbers for every country calling code, written with ``+``, ``00``, the ``(0)`` habit, a
trunk prefix, separators anywhere, leading zeros, too short and too long, parsed under
several regions: wherever `parse_digits` answers, its PhoneNumber equals `phonenumbers.parse`'s
(or parse raises where it says FAILS); and `normalise_phone` still agrees with the plain parse
on all of them. It must answer for most plain forms, or it would be no faster.
"""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import NumberParseException
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

import mare.schema.types.phones as phones
from mare.schema.types.phone_digits import FAILS, digit_key, parse_digits, phone_number

REGIONS = (None, "DE", "US", "GB", "IT", "FR", "BR", "AR", "MX", "RU", "IR", "CN", "TR", "SY", "AT", "GG")
CODES = sorted(COUNTRY_CODE_TO_REGION_CODE)


def _spaced(rng: random.Random, digits: str) -> str:
    out = []
    for ch in digits:
        out.append(ch)
        if rng.random() < 0.15:
            out.append(rng.choice(" -./() "))
    return "".join(out)


def _sample(rng: random.Random) -> str:
    cc = str(rng.choice(CODES))
    nsn = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 16)))
    if rng.random() < 0.3:
        nsn = rng.choice(("0", "00", "1", "8", "9", "15", "01")) + nsn
    forms = (
        f"+{cc}{nsn}",
        f"00{cc}{nsn}",
        f"+{cc} (0){nsn}",
        f"0{nsn}",
        nsn,
        f"+{cc} {_spaced(rng, nsn)}",
        _spaced(rng, "0" + nsn),
        f"({_spaced(rng, nsn)}",
        f"+0{nsn}",
        f"+{cc}",
        f"{cc}{nsn}",
    )
    return rng.choice(forms)


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region, keep_raw_input=False)
    except NumberParseException:
        return None


@pytest.mark.parametrize("seed", [1, 2])
def test_digits_read_as_phonenumbers_parses(seed: int) -> None:
    rng = random.Random(seed)
    texts = [_sample(rng) for _ in range(1200)]
    answered = 0
    for region in REGIONS:
        for text in texts:
            key = digit_key(text)
            if key is None:
                continue
            found = parse_digits(key, region)
            if found is None:
                continue
            answered += 1
            want = _parse(text, region)
            if found == FAILS:
                assert want is None, (text, region)
            else:
                assert isinstance(found, tuple)
                assert phone_number(*found) == want, (text, region, found)
    assert answered > 0.6 * len(REGIONS) * len(texts)


def test_normalise_phone_unchanged_by_the_digit_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    texts = [_sample(rng) for _ in range(400)] + ["+49 (0)151 23456789", "0151/2345678", "+39 06 1234 5678"]
    fast = {(t, r): phones._normalise.__wrapped__(t, r) for t in texts for r in ("DE", "US", None)}
    monkeypatch.setattr(phones, "digit_key", lambda text: None)
    slow = {(t, r): phones._normalise.__wrapped__(t, r) for t in texts for r in ("DE", "US", None)}
    assert fast == slow
