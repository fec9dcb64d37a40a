"""The column-wise phone reader (`bulk_phones`) agrees with `e164_for_bulk` wherever it decides.

Numbers for every country calling code, written the ways call records write them (``+CC``,
``00CC``, the ``(0)`` habit, national with a trunk prefix, separators anywhere, leading zeros,
too short and too long), read under several agency regions. Where the fast reader gives
an answer (not FALLBACK), it must be `e164_for_bulk`'s; and it must decide most common forms,
or it would be no faster.
"""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from mare.ingest.bulk_phones import FALLBACK, digit_keys, e164_int_for_key
from mare.schema.types.phones import e164_for_bulk, phone_to_int
from phone_samples import REGIONS, phone_sample, spaced


def _sample(rng: random.Random) -> str:
    return phone_sample(
        rng,
        lambda cc, nsn: (
            f" 00 {cc} {spaced(rng, nsn)} ",
            f"000{nsn}",
            f"(+{cc}) {nsn}",
            f"+{cc}\t{nsn}",
            f"tel: +{cc}{nsn}",
        ),
    )


def _expected(text: str, region: str | None) -> int | None:
    e164 = e164_for_bulk(text, region)
    return phone_to_int(e164) if e164 else None


@pytest.mark.parametrize("seed", [1, 2])
def test_fast_reader_agrees_with_e164_for_bulk(seed: int) -> None:
    rng = random.Random(seed)
    texts = [_sample(rng) for _ in range(1500)]
    keys = digit_keys(pa.array(texts)).to_pylist()
    decided = 0
    for region in REGIONS:
        for text, key in zip(texts, keys, strict=True):
            if key is None:
                continue
            got = e164_int_for_key(key, region)
            if got == FALLBACK:
                continue
            decided += 1
            assert got == _expected(text, region), (text, key, region)
    assert decided > 0.5 * len(REGIONS) * len(
        texts
    )  # about 2 in 3 of these forms (the rest are odd on purpose)


def test_keys_leave_unusual_forms_to_the_parser() -> None:
    keys = digit_keys(
        pa.array(
            ["+49 151 2345678", "0049-151-2345678", "0151/2345678", "4915123456789", "tel:+4915123456789"]
        )
    ).to_pylist()
    assert keys == ["+491512345678", "+491512345678", "N01512345678", None, None]
    assert digit_keys(pa.array(["+49\t151", "١٥١٢٣٤", "+49 151 " + "1" * 60, "(+49) 151"])).null_count == 4


def test_common_forms_read_without_the_parser() -> None:
    for text in (
        "+4915123456789",
        "0049 151 23456789",
        "0151 23456789",
        "+49 (0)151 23456789",
        "+39 333 123 45 67",
    ):
        key = digit_keys(pa.array([text])).to_pylist()[0]
        assert key is not None
        got = e164_int_for_key(key, "DE")
        assert got != FALLBACK and got == _expected(text, "DE")
