"""A number's region, type and validity read from the metadata (`phone_digits.region_and_type`)
are what phonenumbers finds, and `normalise_phone` gives the same value, flags, extra and
reason with or without reading plain digit forms itself (issue 19).

Samples: phonenumbers' example number of every type for every region (so every country calling
code shared by several regions, +1, +7, +44, +262, +590…, picks its region as the library does),
each written as ``+CC``, ``00CC``, with the ``(0)`` habit and nationally under its own region;
and the shared random sample of written forms under several regions.
"""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

import mare.schema.types.phones as phones
from mare.schema.types.phone_digits import phone_number, possible_reason, region_and_type
from phone_samples import REGIONS, phone_sample

_KINDS = [
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.PAGER,
    PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
]


def _examples() -> list[tuple[str, phonenumbers.PhoneNumber]]:
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in _KINDS:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                found.append((region, number))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None:
            found.append(("001", number))
    return found


EXAMPLES = _examples()


def _written(region: str, number: phonenumbers.PhoneNumber) -> list[tuple[str, str | None]]:
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    nsn = phonenumbers.national_significant_number(number)
    cc = number.country_code
    own = region if region != "001" else None
    return [
        (e164, None),
        (e164, "DE"),
        (f"00{cc} {nsn}", "DE"),
        (f"00{cc}{nsn}", "GB"),
        (f"011 {cc} {nsn}", "US"),
        (f"+{cc} (0){nsn}", None),
        (national, own),
        (f"{nsn[:3]}-{nsn[3:]}", own),
        (nsn + "1", own),  # one digit too many
        (nsn[:-1], own),  # one too few
    ]


def test_examples_of_every_region_and_type() -> None:
    assert len(EXAMPLES) > 1000
    for _, number in EXAMPLES:
        nsn = phonenumbers.national_significant_number(number)
        for digits in (nsn, nsn + "1", nsn[:-1], "0" + nsn):
            if not digits:
                continue
            variant = phone_number(number.country_code, digits)  # as the digit reading builds it
            assert region_and_type(number.country_code, digits) == (
                phonenumbers.region_code_for_number(variant),
                phonenumbers.number_type(variant),
            ), (number, digits)
            assert possible_reason(number.country_code, digits) == (
                phonenumbers.is_possible_number_with_reason(variant)
            ), (number, digits)


def _both_ways(texts: list[tuple[str, str | None]], monkeypatch: pytest.MonkeyPatch) -> int:
    """Normalise each (text, region) with and without the digit reading; return how many differ
    from the phonenumbers parse path in their route (answered from the digits)."""
    fast = [phones._normalise.__wrapped__(t, r) for t, r in texts]
    routed = 0
    real = phones._from_digits

    def counting(*args: object) -> object:
        nonlocal routed
        routed += 1
        return real(*args)  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        m.setattr(phones, "_from_digits", counting)
        for t, r in texts:
            phones._normalise.__wrapped__(t, r)
    with monkeypatch.context() as m:
        m.setattr(phones, "digit_key", lambda text: None)
        slow = [phones._normalise.__wrapped__(t, r) for t, r in texts]
    for (text, region), got, want in zip(texts, fast, slow, strict=True):
        assert got == want, (text, region)
    return routed


def test_normalise_phone_same_on_examples_written_every_way(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [w for region, number in EXAMPLES for w in _written(region, number)]
    routed = _both_ways(texts, monkeypatch)
    assert routed > 0.6 * len(texts)


@pytest.mark.parametrize("seed", [11, 12])
def test_normalise_phone_same_on_random_forms(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    texts = [
        (phone_sample(rng, lambda cc, nsn: (f"{cc}{nsn}", f"00 {cc} {nsn}", f"0{cc}{nsn}")), region)
        for _ in range(300)
        for region in REGIONS
    ]
    odd = ("0049 151 23456789", "00 49 151 2345678", "0000", "00", "+49")
    texts += [(t, r) for t in odd for r in REGIONS]
    routed = _both_ways(texts, monkeypatch)
    assert routed > 0.5 * len(texts)
