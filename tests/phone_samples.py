"""Phone numbers for every country calling code, written the many ways people and systems write
them: the shared sample of the digit-reading tests (`phone_digits`, `bulk_phones`)."""

from __future__ import annotations

import random
from collections.abc import Callable

from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

REGIONS = (None, "DE", "US", "GB", "IT", "FR", "BR", "AR", "MX", "RU", "IR", "CN", "TR", "SY", "AT", "GG")
CODES = sorted(COUNTRY_CODE_TO_REGION_CODE)


def spaced(rng: random.Random, digits: str) -> str:
    """DIGITS with separators dropped in here and there."""
    out = []
    for ch in digits:
        out.append(ch)
        if rng.random() < 0.15:
            out.append(rng.choice(" -./() "))
    return "".join(out)


def phone_sample(rng: random.Random, more: Callable[[str, str], tuple[str, ...]] = lambda cc, nsn: ()) -> str:
    """One number in one written form: `+CC`, `00CC`, the `(0)` habit, a trunk prefix, separators,
    leading zeros, too short and too long; `more(cc, nsn)` adds a test's own forms."""
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
        f"+{cc} {spaced(rng, nsn)}",
        spaced(rng, "0" + nsn),
        f"({spaced(rng, nsn)}",
        f"+0{nsn}",
        f"+{cc}",
        *more(cc, nsn),
    )
    return rng.choice(forms)
