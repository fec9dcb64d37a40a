"""Money patterns on small hand-made transfer sets: each kind found where it is, and not where it is not."""

from __future__ import annotations

from mare.analyse.money.flows import flows
from mare.analyse.money.networks import fee_observations
from mare.analyse.money.patterns import KINDS, Party, Thresholds, find_patterns
from mare.analyse.money.transactions import DAY, Transfer

T0 = 1_750_000_000


def tr(src: str, dst: str, amount: float, day: float | None, **kw: object) -> Transfer:
    return Transfer(src, dst, amount, "EUR", amount, None if day is None else int(T0 + day * DAY), **kw)  # type: ignore[arg-type]


def test_fan_in_and_fan_out_need_enough_counterparties_within_the_window() -> None:
    collect = [tr(f"payer{k}", "C", 4000 + 10 * k, k) for k in range(6)]
    spread = [tr(f"payer{k}", "S", 500, k * 40) for k in range(6)]  # six payers, but 40 days apart
    distribute = [tr("D", f"payee{k}", 900, k) for k in range(5)]
    a = find_patterns(collect + spread + distribute)
    assert a.flagged("fan-in") == {"C"}
    (fan,) = a.of_kind("fan-in")
    assert fan.details["counterparties"] == 6 and fan.transfers == 6
    assert any("6 distinct payers within 90 days" in r for r in fan.reasons)
    assert any("similar amounts" in r for r in fan.reasons)
    assert any("known fee level" in r for r in fan.reasons)
    assert a.flagged("fan-out") == {"D"}
    assert find_patterns(spread, thresholds=Thresholds(window_days=365)).flagged("fan-in") == {"S"}


def test_fees_from_three_payers_make_a_collector() -> None:
    fees = [tr(f"migrant{k}", "org", 1500, k, purpose="fee") for k in range(3)]
    other = [tr(f"x{k}", "y", 100, k) for k in range(3)]
    a = find_patterns(fees + other)
    assert a.flagged("fan-in") == {"org"}
    assert "fees from 3 distinct payers" in a.of_kind("fan-in")[0].reasons[0]


def test_one_reported_fee_makes_a_fee_taker_graded_below_a_fan_in() -> None:
    """A record saying a migrant paid the party a fee (a debriefing, a case file): a fee-taker, with the
    fee it rests on; one fee in two records is one fee; nothing from an amount alone, a payout or a
    share alone, and nothing more for a party a fan-in or broker pattern is already about."""
    told = tr("migrant1", "org", 2100, 1, purpose="fee", method="cash", to_country="LY", ref="debrief:3")
    again = tr("migrant1", "org", 2100, 1, purpose="fee", method="cash", to_country="LY", ref="case:7")
    a = find_patterns([told, again])
    assert not a.of_kind("fan-in")
    (taker,) = a.of_kind("fee-taker")
    assert taker.parties == ["org", "migrant1"] and taker.eur == 2100 and taker.transfers == 2
    assert taker.refs == ["debrief:3", "case:7"]
    assert taker.details == {"payers": 1, "fees": 1, "records": 2, "grade": "reported"}
    assert taker.reasons[0] == (
        "recorded as receiving 1 smuggling fee from 1 payer: EUR 2,100 from migrant1 (2025-06-16, cash, "
        "received in LY)"
    )
    assert "weaker than a fan-in (fees from 2 or more distinct payers)" in taker.reasons[1]
    assert "2 records report this fee" in taker.reasons
    on_leg = tr("m2", "courier", 4500, 3, purpose="fee", origin="TR", destination="GR")
    (leg,) = find_patterns([on_leg]).of_kind("fee-taker")
    assert "payer on leg TR>GR" in leg.reasons[0] and "at a known fee level" in leg.reasons[2]
    not_told = [
        tr("m3", "x", 4500, 1),  # a fee's amount, purpose not recorded: fee-level's business, not this
        tr("H", "y", 4400, 2, purpose="payout", method="cash"),
        tr("org2", "z", 900, 3, purpose="share"),
        tr("m4", "w", 4500, 4, purpose="other"),
    ]
    assert not find_patterns(not_told).of_kind("fee-taker")
    two = [tr(f"m{k}", "org", 4000, k, purpose="fee") for k in range(2)]
    b = find_patterns(two)
    assert b.flagged("fan-in") == {"org"} and not b.of_kind("fee-taker")  # fan-in: graded above
    hawaladar = {"H": Party("H", "person", "Recorded", "IQ", "hawaladar")}
    fee_by_hawala = [tr("m5", "H", 4000, 1, purpose="fee", method="hawala"), tr("H", "org", 3920, 2)]
    c = find_patterns(fee_by_hawala, hawaladar)
    assert c.flagged("broker") == {"H"} and "H" not in c.flagged("fee-taker")
    assert KINDS.index("broker") < KINDS.index("fan-in") < KINDS.index("fee-taker")  # listed below them


def test_cycle_only_when_each_transfer_follows_the_one_before() -> None:
    ordered = [tr("A", "B", 1000, 1), tr("B", "C", 950, 3), tr("C", "A", 900, 6)]
    a = find_patterns(ordered)
    (cycle,) = a.of_kind("cycle")
    assert cycle.parties == ["A", "B", "C"] and cycle.transfers == 3
    assert any("5 days in all" in r for r in cycle.reasons)
    backwards = [tr("A", "B", 1000, 9), tr("B", "C", 950, 5), tr("C", "A", 900, 1)]
    # B->C (5) then C->A (9)? no: C->A is on day 1; only A->B(9) ... nothing follows: no ordered loop
    assert not find_patterns(backwards).of_kind("cycle")
    too_slow = [tr("A", "B", 1000, 1), tr("B", "C", 950, 60), tr("C", "A", 900, 120)]
    assert not find_patterns(too_slow).of_kind("cycle")
    two = [tr("A", "B", 1000, 1), tr("B", "A", 1000, 2)]
    assert not find_patterns(two).of_kind("cycle")  # back and forth is not a cycle of three or more
    long = [tr(f"N{k}", f"N{(k + 1) % 8}", 1000, k) for k in range(8)]
    assert not find_patterns(long).of_kind("cycle")  # longer than cycle_max
    assert find_patterns(long, thresholds=Thresholds(cycle_max=8)).of_kind("cycle")


def test_layering_chain_through_pass_through_parties() -> None:
    chain = [
        tr("src", "L1", 10_000, 0),
        tr("L1", "L2", 9_500, 2),
        tr("L2", "L3", 9_000, 4),
        tr("L3", "dst", 8_800, 5),
    ]
    (layer,) = find_patterns(chain).of_kind("layering")
    assert layer.parties == ["src", "L1", "L2", "L3", "dst"] and layer.transfers == 4
    kept = [tr("src", "L1", 10_000, 0), tr("L1", "L2", 2_000, 2), tr("L2", "L3", 1_900, 4)]
    assert not find_patterns(kept).of_kind("layering")  # L1 keeps most of it: no pass-through


def test_layering_counts_a_transfer_reported_twice_as_one_hop() -> None:
    """The sending and the receiving country's reports both carry L1 -> L2: one hop, both records."""
    chain = [
        tr("src", "L1", 10_000, 0, ref="a"),
        tr("L1", "L2", 9_500, 2, ref="b1"),
        tr("L1", "L2", 9_500, 2, ref="b2"),
        tr("L2", "dst", 9_000, 4, ref="c"),
    ]
    (layer,) = find_patterns(chain).of_kind("layering")
    assert layer.transfers == 3 and sorted(layer.refs) == ["a", "b1", "b2", "c"]
    assert layer.parties == ["src", "L1", "L2", "dst"]


def test_layering_continues_the_payment_the_hop_forwards_most_of() -> None:
    """Two deposits in a week, only the second moved on: the hop continues the one it is closest to."""
    t = [
        tr("src", "L1", 9_500, 0, ref="kept"),  # spent by the business, not moved on
        tr("src", "L1", 9_000, 3, ref="moved"),
        tr("L1", "L2", 8_700, 4, ref="hop1"),
        tr("L2", "dst", 8_400, 6, ref="hop2"),
    ]
    (layer,) = find_patterns(t).of_kind("layering")
    assert layer.refs == ["moved", "hop1", "hop2"]


def test_hawala_broker_pays_out_abroad_and_settles_with_another() -> None:
    parties = {"H1": Party("H1", "person", "Hawaladar One", "DE"), "H2": Party("H2", "person", "Two", "TR")}
    t = []
    for k in range(4):  # H1 takes in Germany, H2 pays out in Turkey; H1 settles with H2 later
        t.append(tr(f"relative{k}", "H1", 3000, k, method="hawala", from_country="DE", to_country="DE"))
        t.append(tr("H2", f"smuggler{k % 2}", 2940, k + 1, method="cash", from_country="TR", to_country="TR"))
        t.append(tr(f"client{k}", "H2", 2000, k, method="hawala", from_country="SE", to_country="TR"))
        t.append(tr("H2", f"payee{k}", 1960, k + 2, method="cash", from_country="TR", to_country="LY"))
    t.append(tr("H1", "H2", 11_760, 10, method="hawala", from_country="DE", to_country="TR"))
    a = find_patterns(t, parties)
    assert a.flagged("broker") == {"H1", "H2"}
    h1 = next(p for p in a.of_kind("broker") if p.parties[0] == "H1")
    text = " ".join(h1.reasons)
    assert (
        "paid by hawala by 4 payers" in text and "paid out in TR" in text and "settles with broker H2" in text
    )
    assert "keeps 2.0%" in text
    (settle,) = a.of_kind("settlement")
    assert settle.parties == ["H1", "H2"] and settle.eur == 11_760
    shop = [tr(f"c{k}", "shop", 20, k) for k in range(6)]  # many payers, pays nothing on: not a broker
    assert not find_patterns(shop).of_kind("broker")
    keeps = [tr(f"c{k}", "org", 3000, k, method="hawala") for k in range(6)] + [tr("org", "boss", 5000, 9)]
    assert not find_patterns(keeps).of_kind("broker")  # paid by hawala, but keeps most of it
    recorded = {"org": Party("org", "person", "Recorded", "IQ", "hawaladar")}
    (one,) = find_patterns(keeps[:1], recorded).of_kind("broker")  # an agency recorded the role
    assert "recorded as hawaladar" in one.reasons[1]


def test_fees_taken_by_hawala_from_three_payers_make_a_broker() -> None:
    """A hawaladar abroad whose payouts the hub never sees: migrants' fees deposited with it by hawala
    from three payers are a broker's; two are not enough, nor are partners' shares or proceeds taken by
    hawala (organisers and leaders are paid so, and keep the money)."""
    fees = [
        tr(f"m{k}", "H", 3000 + k, k, method="hawala", purpose="fee", from_country=c, to_country="IQ")
        for k, c in enumerate(("DE", "SE", "DE"))
    ]
    (broker,) = find_patterns(fees).of_kind("broker")
    assert broker.parties[0] == "H"
    assert any(
        "takes migrants' fees by hawala from 3 payers (threshold 3), sent from DE, SE" in r
        for r in broker.reasons
    )
    assert not find_patterns(fees[:2]).of_kind("broker")
    shares = [tr(f"org{k}", "O", 900, k, method="hawala", purpose="share") for k in range(3)]
    proceeds = [tr(f"org{k}", "L", 5000, k, method="hawala", purpose="proceeds") for k in range(3)]
    assert not find_patterns(shares + proceeds).of_kind("broker")


def test_business_receiving_from_a_collector_and_fee_levels() -> None:
    parties = {"ORG:CARS|DE": Party("ORG:CARS|DE", "organisation", "Cars GmbH", "DE")}
    t = [tr(f"m{k}", "org", 4500, k, purpose="fee") for k in range(5)]
    t.append(tr("org", "ORG:CARS|DE", 9000, 20, method="bank_transfer"))
    a = find_patterns(t, parties)
    (biz,) = a.of_kind("business")
    assert biz.parties[0] == "ORG:CARS|DE" and "collector" in biz.reasons[0]
    (fee,) = a.of_kind("fee-level")
    assert fee.parties[0] == "org" and fee.transfers == 5 and "seeds/004" in fee.reasons[0]
    assert biz.as_dict(parties)["who"][0]["label"] == "Cars GmbH"


def test_flows_by_corridor_and_month_and_fees_per_network() -> None:
    t = [
        tr("a", "b", 100, 0, from_country="DE", to_country="TR"),
        tr("a", "b", 300, 40, from_country="DE", to_country="TR"),
        tr("c", "d", 50, 0, from_country="SE", to_country="IQ"),
        Transfer("c", "d", 1000, "XAU", None, None, "SE", "IQ"),
    ]
    f = flows(t)
    assert [(c.source, c.target, c.count, c.eur) for c in f.corridors] == [
        ("DE", "TR", 2, 400),
        ("SE", "IQ", 2, 50),
    ]
    assert f.not_converted == {"XAU": 1} and sum(n for n, _ in f.months.values()) == 3
    fees = [tr(f"m{k}", "org", 4000, k, purpose="fee") for k in range(4)] + [tr("org", "boss", 9000, 9)]
    whole, nets = fee_observations(fees, set())
    assert whole.payers == 4 and whole.eur == 16_000
    assert len(nets) == 1 and nets[0].payers == 4 and nets[0].eur_all == 25_000
