"""Payments at intake: unknown currencies and negative, zero, absurd or unreadable amounts refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builders import write_contribution
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store


def _payment(pid: str, amount: Any, currency: str = "EUR") -> dict[str, Any]:
    return {"id": pid, "kind": "payment", "amount": amount, "currency": currency, "method": "hawala"}


@pytest.mark.parametrize(
    ("amount", "currency", "field", "reason"),
    [
        (4500, "ZZZ", "currency", "unknown currency 'ZZZ'"),
        (4500, "Dinarz", "currency", "unknown currency 'Dinarz'"),
        (-5, "EUR", "amount", "negative amount"),
        (0, "EUR", "amount", "amount is zero"),
        (1e15, "EUR", "amount", "absurd amount"),
        ("ten", "EUR", "amount", "not an amount: 'ten'"),
    ],
)
def test_bad_payment_refused_the_rest_stored(
    store: Store, tmp_path: Path, amount: Any, currency: str, field: str, reason: str
) -> None:
    records = [
        {"id": "p", "kind": "person", "name": "Ali Payer"},
        _payment("good", "4.500,00", "€"),
        _payment("bad", amount, currency),
        {"id": "unknown_sum", "kind": "payment", "method": "cash"},  # no amount: kept
    ]
    links = [
        {"kind": "paid", "source": "p", "target": "good"},
        {"kind": "paid", "source": "p", "target": "bad"},
    ]
    path = write_contribution(tmp_path / "pay.json", records, links, id="X-1", agency="IT-SCO")
    report = ingest_file(store, path)
    assert report.status == "stored" and report.rejected == 1
    (problem,) = [p for p in report.problems if p.severity == "error"]
    assert (problem.file, problem.field) == ("pay.json", field)
    assert problem.row is not None and reason in problem.reason and "rejected" in problem.reason
    assert problem.fix  # says what to send instead
    kinds = dict(store.con.execute("SELECT local_id, kind FROM records").fetchall())
    assert "bad" not in kinds and {"p", "good", "unknown_sum"} <= set(kinds)
    (links_stored,) = store.con.execute("SELECT count(*) FROM links").fetchone()
    assert links_stored == 1  # the link to the refused payment went with it


def test_csv_bundle_payment_rows(store: Store, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "envelope.json").write_text(
        '{"id": "B-1", "agency": "IT-SCO", "sent_at": "2026-01-01T00:00:00Z", "handling": {"code": "H0"}}',
        encoding="utf-8",
    )
    (bundle / "payment.csv").write_text(
        "id,amount,currency\nok,4500,USD\nneg,-3,USD\nodd,10,XYZ\n", encoding="utf-8"
    )
    report = ingest_file(store, bundle)
    assert report.status == "stored" and report.rejected == 2, report.problems
    rows = {(p.file, p.row, p.field) for p in report.problems if p.severity == "error"}
    assert rows == {("payment.csv", 3, "amount"), ("payment.csv", 4, "currency")}
