"""Currencies and amounts: ISO 4217 codes (pycountry), amounts as written, conversion to EUR.

Conversion is for comparing amounts (fee levels, corridor volumes, turnover), not for accounting:
`EUR_RATES` holds rounded, approximate units of each currency per euro around 2025 (ECB reference
rates where the ECB publishes one; for the others, rounded market rates of the same period), stated as
such in docs/money.md. A currency with an ISO code but no rate here is kept with its amount and
reported as not converted; a code that is not ISO 4217 is refused with the fix.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

#: Units per euro, rounded and approximate (about 2025). Fixed pegs exact (BGN, BAM, XOF, XAF).
EUR_RATES: dict[str, float] = {
    "EUR": 1.0,
    "USD": 1.10,
    "USDT": 1.10,  # a dollar stablecoin, taken at the dollar's rate
    "GBP": 0.85,
    "CHF": 0.94,
    "SEK": 11.2,
    "NOK": 11.7,
    "DKK": 7.46,
    "PLN": 4.25,
    "HUF": 400.0,
    "CZK": 25.0,
    "RON": 5.0,
    "BGN": 1.95583,
    "BAM": 1.95583,
    "RSD": 117.0,
    "MKD": 61.5,
    "ALL": 100.0,
    "TRY": 42.0,
    "UAH": 46.0,
    "RUB": 95.0,
    "BYN": 3.6,
    "GEL": 3.0,
    "LYD": 6.0,
    "EGP": 54.0,
    "TND": 3.35,
    "DZD": 147.0,
    "MAD": 10.6,
    "SDG": 650.0,
    "ERN": 16.5,
    "ETB": 140.0,
    "NGN": 1700.0,
    "GHS": 16.0,
    "XOF": 655.957,
    "XAF": 655.957,
    "GMD": 78.0,
    "MRU": 43.0,
    "IQD": 1440.0,
    "IRR": 46000.0,
    "SYP": 14300.0,
    "LBP": 98000.0,
    "JOD": 0.78,
    "SAR": 4.13,
    "AED": 4.04,
    "QAR": 4.0,
    "KWD": 0.34,
    "AFN": 76.0,
    "PKR": 310.0,
    "INR": 94.0,
    "BDT": 132.0,
    "LKR": 330.0,
    "CNY": 7.9,
    "VND": 28000.0,
}

#: Symbols and words written for a currency -> its code.
ALIASES = {
    "€": "EUR",
    "EURO": "EUR",
    "EUROS": "EUR",
    "EUR€": "EUR",
    "$": "USD",
    "US$": "USD",
    "DOLLAR": "USD",
    "DOLLARS": "USD",
    "USDOLLAR": "USD",
    "£": "GBP",
    "POUND": "GBP",
    "POUNDS": "GBP",
    "₺": "TRY",
    "TL": "TRY",
    "LIRA": "TRY",
    "YTL": "TRY",
    "TETHER": "USDT",
    "دولار": "USD",
    "يورو": "EUR",
}
#: Above this many euros one transfer is taken for a mistake (an amount in cents, digits run together).
ABSURD_EUR = 1e9


class AmountError(ValueError):
    """An amount or currency that cannot be used, with the reason and the fix."""


@cache
def iso_codes() -> frozenset[str]:
    """Every ISO 4217 alphabetic code (pycountry), and USDT."""
    import pycountry

    return frozenset({c.alpha_3 for c in pycountry.currencies} | {"USDT"})


def currency_code(text: str) -> str:
    """The ISO 4217 code for a currency as written (`eur`, `€`, `Euro`); AmountError when unknown."""
    raw = text.strip()
    if not raw:
        return "EUR"
    key = re.sub(r"[\s.]", "", raw).upper()
    code = ALIASES.get(key, ALIASES.get(raw, key))
    if code in iso_codes():
        return code
    raise AmountError(f"unknown currency {raw[:20]!r}: give an ISO 4217 code such as EUR, USD, GBP or TRY")


_NUMBER = re.compile(r"^[+-]?(\d+([.,\s'’]\d+)*)$")


def parse_amount(text: str) -> float:
    """An amount as written (`4500`, `4,500.00`, `4.500,00`, `4 500`); AmountError when it is none."""
    s = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    s = re.sub(r"[€$£₺]", "", s).strip()
    if not s:
        raise AmountError("empty amount: give a number such as 4500 or 4500.00")
    if not _NUMBER.match(s):
        raise AmountError(f"not an amount: {text.strip()[:30]!r}; give digits, e.g. 4500.00")
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("+-")
    s = re.sub(r"[\s'’]", "", s)
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif "," in s:
        head, _, tail = s.rpartition(",")
        s = s.replace(",", "") if len(tail) == 3 and s.count(",") >= 1 and head else s.replace(",", ".")
    elif s.count(".") > 1:
        s = s.replace(".", "")
    value = sign * float(s)
    return value


@dataclass(frozen=True, slots=True)
class Amount:
    """A checked amount: as given, its currency and its value in euros (None where no rate is known)."""

    value: float
    currency: str
    eur: float | None


def check_amount(value: float, currency: str) -> Amount:
    """A positive, finite, plausible amount in a known currency; AmountError with the reason otherwise."""
    if not math.isfinite(value):
        raise AmountError("amount is not a finite number")
    if value < 0:
        raise AmountError(
            f"negative amount {value:,.2f}: a transfer's amount is positive; "
            "give its direction by source and target"
        )
    if value == 0:
        raise AmountError("amount is zero: leave out transfers of nothing")
    rate = EUR_RATES.get(currency)
    eur = value / rate if rate else None
    if (eur if eur is not None else value) > ABSURD_EUR:
        raise AmountError(
            f"absurd amount {value:,.0f} {currency} (over EUR {ABSURD_EUR:,.0f} in one transfer): "
            "check for cents written as units or digits run together"
        )
    return Amount(value, currency, eur)


def to_eur(value: float, currency: str) -> float | None:
    """The amount in euros at `EUR_RATES`, or None when the currency has no rate here."""
    rate = EUR_RATES.get(currency)
    return value / rate if rate else None
