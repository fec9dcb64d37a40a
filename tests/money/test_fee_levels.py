"""Fee levels per route: derived from fees recorded and prices advertised, matched by the route."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builders import write_contribution
from mare.access.policy import Viewer
from mare.analyse.money.fee_levels import FEE_LEVELS, is_fee, level_of, route_levels
from mare.analyse.money.patterns import find_patterns
from mare.analyse.money.transactions import Transfer
from mare.hub.context import HubContext
from mare.hub.money import hub_money
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store


def _t(
    eur: float, to: str | None, purpose: str | None = None, source: str = "a", target: str = "b"
) -> Transfer:
    return Transfer(source, target, eur, "EUR", eur, None, "DE", to, "hawala", purpose, f"r{eur}{source}")


def test_levels_per_country_with_their_sources() -> None:
    recorded = [_t(700 + 20 * k, "GR", "fee") for k in range(10)] + [_t(900, "RS", "fee")]
    advertised = [("LY", 2500.0 + 100 * k) for k in range(6)] + [("TR", 1000.0)]
    levels = route_levels(recorded, advertised)
    by = {(lv.country, lv.name): lv for lv in levels}
    greece = by[("GR", "fee received in GR")]
    assert 700 <= greece.low < greece.high <= 880 and "10 fees recorded" in greece.source
    libya = by[("LY", "advertised price from LY")]
    assert 2500 <= libya.low < libya.high <= 3000 and "6 prices advertised" in libya.source
    assert {lv.country for lv in levels} == {"GR", "LY"}  # RS and TR: too few to make a level


def test_a_transfer_is_matched_against_its_routes_level() -> None:
    levels = (*FEE_LEVELS, *route_levels([_t(700 + 20 * k, "GR", "fee") for k in range(10)]))
    assert level_of(_t(800, "GR"), levels) is not None  # a leg's fee in Greece, below the journey fee
    assert level_of(_t(4500, "GR"), levels) is None  # Greece has its own level: the general one is not used
    assert level_of(_t(4500, "IT"), levels) == FEE_LEVELS[0]  # no level of its own: the general one
    assert level_of(_t(800, "IT"), levels) is None
    assert not is_fee(_t(800, "GR", "other"), levels)  # an invoice at a fee's amount is not a fee
    assert not is_fee(_t(800, "GR", "payout"), levels) and is_fee(_t(50, "GR", "fee"), levels)


def test_fee_level_pattern_names_the_route_level() -> None:
    recorded = [_t(700 + 20 * k, "GR", "fee", source=f"m{k}", target="boss") for k in range(10)]
    levels = (*FEE_LEVELS, *route_levels(recorded))
    unlabelled = [_t(750 + k, "GR", None, source=f"p{k}", target="collector") for k in range(3)]
    found = find_patterns(unlabelled, levels=levels).of_kind("fee-level")
    (pattern,) = [p for p in found if p.parties[0] == "collector"]
    assert any("fee received in GR" in r and "fees recorded as received in GR" in r for r in pattern.reasons)
    assert not [p for p in find_patterns(unlabelled).of_kind("fee-level") if p.parties[0] == "collector"]


def test_the_hub_derives_a_level_from_adverts(store: Store, tmp_path: Path) -> None:
    """Adverts for crossings from Izmir (written 'Izmir - Kos' and 'Izmir>Kos') make Turkey's level."""
    records: list[dict[str, Any]] = [
        {
            "id": f"ad{k}",
            "kind": "advert",
            "text": f"Izmir to Kos, {1000 + 100 * k} euro",
            "price": 1000 + 100 * k,
            "currency": "EUR" if k % 2 else "€",
            "route_offered": "Izmir - Kos" if k % 2 else "Izmir>Kos",
        }
        for k in range(6)
    ]
    path = write_contribution(tmp_path / "ads.json", records, [], id="ADS-1", agency="IT-SCO")
    assert ingest_file(store, path).status == "stored"
    with HubContext(store, Viewer("bob", "IT-SCO", frozenset({"analyst"})), "password") as ctx:
        levels = hub_money(ctx).levels
    (turkey,) = [lv for lv in levels if lv.country == "TR"]
    assert turkey.name == "advertised price from TR" and 1000 <= turkey.low < turkey.high <= 1500
    assert "6 prices advertised from TR" in turkey.source
