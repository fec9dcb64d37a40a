"""The situation report's turnover is the one `mare money --hub` gives (products.money), not its own."""

from __future__ import annotations

from pathlib import Path

from mare.hub.context import HubContext
from mare.hub.money import hub_money
from mare.products.money import hub_turnover
from mare.products.situation import situation_report
from mare.store.db import Store
from money.test_cli import VIEWER, load


def test_situation_uses_the_money_turnover(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    with HubContext(store, VIEWER, "password") as ctx:
        result = hub_money(ctx)
        assert result.fees is not None
        expected = hub_turnover(result.fees, result.journeys_on_legs)
        report = situation_report(ctx)
    assert expected is not None
    (money,) = [s for s in report.sections if s.key == "money"]
    assert money.data["hub"] == expected.as_dict()
    assert any("as mare money --hub" in (t.title or "") for t in money.tables)
    assert any("fees observed from" in p for p in money.paragraphs)
