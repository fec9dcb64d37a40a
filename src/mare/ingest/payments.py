"""Payments checked at intake: a payment whose currency or amount cannot be used is refused.

A payment record in an unknown currency (not ISO 4217, nor a symbol or word for one), or with an
amount that is not a number, negative, zero or absurd (over EUR 1 billion in one transfer), is left
out with an error naming its file, row and field, the reason and the fix; the links to it go with it
(they are counted among the problems, not reported one by one). The rest of the contribution is
stored. A payment with no amount at all is kept (a seizure may record a payment whose sum is unknown).
The rules are those of `mare money` (`mare.schema.types.currency`), so what is stored can be summed.
"""

from __future__ import annotations

from mare.ingest.parsed import ParsedContribution, RawRecord
from mare.ingest.problems import Problem
from mare.schema.types.currency import AmountError, check_amount, currency_code
from mare.schema.types.simple import normalise_number

_FIX = {
    "currency": "give an ISO 4217 code such as EUR, USD, GBP or TRY (or €, $, £, ₺)",
    "amount": "give the amount paid as a positive number, e.g. 4500.00; its direction is given by "
    "who paid and who received it",
}


def _refused(record: RawRecord, field: str, reason: str) -> Problem:
    return Problem(record.file, record.row, field, f"{reason}; the payment was rejected", _FIX[field])


def payment_problem(record: RawRecord) -> Problem | None:
    """Why this payment cannot be stored (currency or amount), or None when it can."""
    currencies = record.fields.get("currency") or [""]
    try:
        codes = [currency_code(str(c)) for c in currencies]
    except AmountError as exc:
        return _refused(record, "currency", str(exc))
    for written in record.fields.get("amount", []):
        text = str(written)
        parsed = normalise_number(text)
        if parsed.value is None:
            return _refused(record, "amount", f"not an amount: {text.strip()[:30]!r} ({parsed.reason})")
        try:
            check_amount(float(parsed.value), codes[0])
        except (AmountError, ValueError) as exc:
            return _refused(record, "amount", str(exc))
    return None


def screen_payments(parsed: ParsedContribution) -> None:
    """Leave out payments that cannot be used, and the links to them; add a problem for each."""
    refused: set[str] = set()
    kept: list[RawRecord] = []
    for record in parsed.records:
        problem = payment_problem(record) if record.kind == "payment" else None
        if problem is None:
            kept.append(record)
        else:
            refused.add(record.local_id)
            parsed.problems.append(problem)
    if not refused:
        return
    parsed.records = kept
    parsed.links = [
        link for link in parsed.links if link.source not in refused and link.target not in refused
    ]
