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

import mare.schema.types.phones as phones
from mare.schema.types.phone_digits import FAILS, digit_key, parse_digits, phone_number
from phone_samples import REGIONS, phone_sample


def _sample(rng: random.Random) -> str:
    return phone_sample(rng, lambda cc, nsn: (f"{cc}{nsn}",))


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
