"""Numbers phonenumbers finds 'possible' yet longer than E.164's 15 digits get no value."""

from __future__ import annotations

import pytest

from mare.schema.types.phones import e164_for_bulk, normalise_phone, phone_to_int
from mare.schema.types.result import NormaliseContext

DE = NormaliseContext(default_region="DE")


@pytest.mark.parametrize("text", ["10000000000000", "0100 000 000 000 00"])
def test_over_fifteen_digits_is_not_a_value(text: str) -> None:
    r = normalise_phone(text, DE)
    assert r.value is None
    assert r.reason
    assert e164_for_bulk(text, "DE") is None


def test_fifteen_digits_still_pass() -> None:
    value = e164_for_bulk("+49 151 123456789", "DE")
    assert value is None or phone_to_int(value) > 0
