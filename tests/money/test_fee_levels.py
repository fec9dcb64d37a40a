"""Fee levels per route: derived from fees recorded and prices advertised, matched by the route."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builders import write_contribution
from mare.access.policy import Viewer
from mare.analyse.money.fee_levels import (
    FEE_LEVELS,
    basis_of,
    is_fee,
    level_of,
    read_fee_levels,
    route_levels,
)
from mare.analyse.money.patterns import find_patterns
from mare.analyse.money.transactions import TransactionsFileError, Transfer, read_transactions
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
    advertised = [("LY", None, 2500.0 + 100 * k) for k in range(6)] + [("TR", None, 1000.0)]
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
    (turkey,) = [lv for lv in levels if lv.country == "TR" and lv.destination is None]
    assert turkey.name == "advertised price from TR" and 1000 <= turkey.low < turkey.high <= 1500
    assert "6 prices advertised from TR" in turkey.source
    (crossing,) = [lv for lv in levels if lv.country == "TR" and lv.destination == "GR"]  # Kos: Greece
    assert crossing.name == "advertised price TR>GR" and "6 prices advertised for TR>GR" in crossing.source


def _routed(eur: float, origin: str | None, to: str | None, purpose: str | None = None) -> Transfer:
    return Transfer("a", "b", eur, "EUR", eur, None, "DE", "TR", None, purpose, f"r{eur}", origin, to)


def test_levels_per_whole_route_then_origin_then_general() -> None:
    """Fees for legs TR>GR (about 900) and TR>BG (about 2,000), all received in Turkey: the whole
    route's level is used where the route is known and has one, else Turkey's, else the general."""
    recorded = [_routed(850 + 10 * k, "TR", "GR", "fee") for k in range(10)]
    recorded += [_routed(1950 + 10 * k, "TR", "BG", "fee") for k in range(10)]
    levels = (*FEE_LEVELS, *route_levels(recorded))
    by = {lv.route: lv for lv in levels}
    assert {"TR>GR", "TR>BG", "TR", "every route"} <= set(by)
    assert "10 fees recorded for legs TR>GR" in by["TR>GR"].source
    assert level_of(_routed(900, "TR", "GR"), levels) == by["TR>GR"]
    assert level_of(_routed(2000, "TR", "GR"), levels) is None  # not the TR>GR fee, though Turkey's range
    assert level_of(_routed(2000, "TR", "BG"), levels) == by["TR>BG"]
    # no level for TR>IT: Turkey's (fees received there) is used, and the reason says so
    assert level_of(_routed(2000, "TR", "IT"), levels) == by["TR"]
    assert basis_of(_routed(2000, "TR", "IT"), levels)[1] == "no level for route TR>IT; origin's"
    assert basis_of(_routed(900, "TR", "GR"), levels)[1] == "whole route"
    # received elsewhere, no route: the general level
    elsewhere = Transfer("a", "b", 4000, "EUR", 4000.0, None, "DE", "FR", None, None, "x")
    assert level_of(elsewhere, levels) == FEE_LEVELS[0]
    assert basis_of(elsewhere, levels)[1] == "no level for FR; general"


def test_fee_level_pattern_states_the_fallback() -> None:
    recorded = [_routed(850 + 10 * k, "TR", "GR", "fee") for k in range(10)]
    levels = (*FEE_LEVELS, *route_levels(recorded))
    paid = [
        Transfer(f"p{k}", "c", 900, "EUR", 900.0, None, "DE", "TR", None, None, f"x{k}", "TR", "GR")
        for k in range(3)
    ]
    paid += [
        Transfer(f"q{k}", "c", 900, "EUR", 900.0, None, "DE", "TR", None, None, f"y{k}", "TR", "IT")
        for k in range(2)
    ]
    (pattern,) = find_patterns(paid, None, None, levels).of_kind("fee-level")
    text = " ".join(pattern.reasons)
    assert "fee for route TR>GR" in text and "level by whole route: 3" in text
    assert "no level for route TR>IT; origin's: 2" in text


def test_file_route_columns_and_bad_routes(tmp_path: Path) -> None:
    path = tmp_path / "tx.csv"
    path.write_text(
        "source,target,amount,route\n"
        "a,b,900,Izmir>Kos\n"
        "a,b,900,Izmir - Kos\n"
        "a,b,900,Izmir\n"
        "a,b,900,>Kos\n"
        "a,b,900,\n",
        encoding="utf-8",
    )
    data = read_transactions(path)
    assert [(t.origin, t.destination) for t in data.transfers] == [
        ("Izmir", "Kos"),
        ("Izmir", "Kos"),
        ("Izmir", None),
        (None, None),
        (None, None),
    ]
    (bad,) = data.problems
    assert bad.where.endswith("row 5") and bad.field == "route" and "origin>destination" in bad.reason
    assert bad.action == "kept without a route"
    two = tmp_path / "od.csv"
    two.write_text("source,target,amount,origin,destination\na,b,9,LY,IT\na,b,9,,IT\n", encoding="utf-8")
    data = read_transactions(two)
    assert [(t.origin, t.destination) for t in data.transfers] == [("LY", "IT"), (None, None)]
    assert data.problems[0].field == "origin" and "give the origin too" in data.problems[0].reason


def test_stated_levels_file(tmp_path: Path) -> None:
    good = tmp_path / "levels.csv"
    good.write_text(
        "origin,destination,low,high,source\n"
        "izmir,kos,800,1200,interviews 2024\n"
        "Tripoli,,3000,5000,case file\n",
        encoding="utf-8",
    )
    levels = read_fee_levels(good)
    assert [(lv.country, lv.destination, lv.low, lv.high) for lv in levels] == [
        ("izmir", "kos", 800, 1200),
        ("Tripoli", None, 3000, 5000),
    ]
    assert levels[0].source == "interviews 2024 (levels.csv)"
    # matched ignoring case against the route as written
    assert level_of(_routed(1000, "Izmir", "Kos"), levels) == levels[0]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "origin,destination,low,high,source\nA,B,ten,1000,x\nA,B,2000,1000,x\n,B,1,2,x\nA,,1,2,\n",
        encoding="utf-8",
    )
    with pytest.raises(TransactionsFileError) as err:
        read_fee_levels(bad)
    text = str(err.value)
    assert f"{bad}: row 2, low: 'ten' is not an amount" in text
    assert "row 3, low: 2000 is above high 1000; swap them" in text
    assert "row 4, origin: a destination ('B') without an origin" in text
    assert "row 5, source: empty" in text
    missing = tmp_path / "missing.csv"
    missing.write_text("origin,low,high\nA,1,2\n", encoding="utf-8")
    with pytest.raises(TransactionsFileError, match="no column destination, source"):
        read_fee_levels(missing)


def test_the_hub_keys_fees_by_the_payers_leg(store: Store, tmp_path: Path) -> None:
    """Six migrants each pay a fee received in Turkey and then travel Turkey -> Greece: the hub makes
    a level for the whole route TR>GR besides Turkey's, and each transfer carries its route; a payer
    with no leg has none (matched by the country the fee is received in)."""
    records: list[dict[str, Any]] = [
        {"id": "org", "kind": "person", "name": "Omar Organiser", "category": "suspect"}
    ]
    links: list[dict[str, Any]] = []
    for k in range(7):
        records.append({"id": f"m{k}", "kind": "person", "name": f"Migrant Number{k}", "category": "contact"})
        records.append(
            {
                "id": f"pay{k}",
                "kind": "payment",
                "amount": 900 + 20 * k,
                "currency": "EUR",
                "paid_at": f"2026-03-0{k + 1}T10:00:00Z",
                "purpose": "smuggling fee",
                "from_country": "TR",
                "to_country": "TR",
            }
        )
        links += [
            {"kind": "paid", "source": f"m{k}", "target": f"pay{k}"},
            {"kind": "received", "source": "org", "target": f"pay{k}"},
        ]
        if k < 6:
            records.append(
                {
                    "id": f"leg{k}",
                    "kind": "journey_leg",
                    "from_country": "TR",
                    "to_country": "GR",
                    "departed_at": f"2026-03-1{k}T02:00:00Z",
                    "persons_count": 1,
                }
            )
            links.append({"kind": "travelled_on", "source": f"m{k}", "target": f"leg{k}"})
    path = write_contribution(tmp_path / "legs.json", records, links, id="LEGS-1", agency="IT-SCO")
    assert ingest_file(store, path).status == "stored"
    with HubContext(store, Viewer("bob", "IT-SCO", frozenset({"analyst"})), "password") as ctx:
        result = hub_money(ctx)
    routes = [(t.origin, t.destination) for t in result.transfers]
    assert routes.count(("TR", "GR")) == 6 and routes.count((None, None)) == 1
    by = {lv.route: lv for lv in result.levels}
    assert "6 fees recorded for legs TR>GR" in by["TR>GR"].source and "7 fees recorded" in by["TR"].source
