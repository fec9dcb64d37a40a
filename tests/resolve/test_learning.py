"""Learning from judgements: labelled weights, rescoring every pair, the queue, no judgement contradicted."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from mare.access.policy import Viewer
from mare.hub.context import HubContext
from mare.hub.review import learn as hub_learn
from mare.resolve import crosscheck_all, crosscheck_contribution
from mare.resolve.judgements import ordered
from mare.resolve.learning import (
    LevelIndex,
    fit_weights,
    load_learned,
    relearn,
    scoring_model,
    with_weights,
)
from mare.resolve.model import load_model
from mare.resolve.review import apply_judgement, ranked_pairs, review_queue
from mare.resolve.settings import default_settings
from mare.resolve.sqlscore import level_weight
from mare.store.db import Store
from resolve.resolve_helpers import ingest, two_agencies


def _entity(store: Store, uid: str) -> str:
    row = store.con.execute("SELECT entity_id FROM entities WHERE record_uid = ?", [uid]).fetchone()
    assert row is not None
    return str(row[0])


def test_fit_without_labels_keeps_the_unsupervised_weights() -> None:
    index = LevelIndex.of(default_settings())
    prior, weights = fit_weights(np.zeros((0, len(index.base))), np.zeros(0), index.base, index.prior)
    assert prior == pytest.approx(index.prior) and weights == pytest.approx(index.base)


def test_fit_moves_a_level_the_way_the_judgements_point() -> None:
    index = LevelIndex.of(default_settings())
    col = next(i for i, (c, _, label) in enumerate(index.columns) if label == "names partly similar")
    x = np.zeros((60, len(index.base)))
    x[:, col] = 1.0
    y_same, y_other = np.ones(60), np.zeros(60)
    _, up = fit_weights(x, y_same, index.base, index.prior)
    _, down = fit_weights(x, y_other, index.base, index.prior)
    assert up[col] > index.base[col] > down[col]
    untouched = [i for i in range(len(index.base)) if i != col]
    assert up[untouched] == pytest.approx(index.base[untouched])  # no pair reached them


def test_with_weights_writes_the_learned_weight_into_m_and_u() -> None:
    from mare.resolve.learning import Learned

    settings = default_settings()
    learned = Learned(1, 3, 4, -10.0, {"name": {"names partly similar": 5.5, "All other comparisons": -9.0}})
    out = with_weights(settings, learned)
    levels = {lv["label_for_charts"]: lv for lv in out["comparisons"][0]["comparison_levels"]}
    assert level_weight(levels["names partly similar"]) == pytest.approx(5.5)
    assert level_weight(levels["All other comparisons"]) == pytest.approx(-9.0)
    for level in levels.values():
        if not level.get("is_null_level"):
            assert 0 < level["m_probability"] <= 1 and 0 < level["u_probability"] <= 1
    assert out["probability_two_random_records_match"] == pytest.approx(2**-10 / (1 + 2**-10))


def _pair(store: Store, a: str, b: str) -> tuple[str, float, dict[str, object]]:
    row = store.con.execute(
        "SELECT decision, match_probability, CAST(explanation AS VARCHAR) FROM candidate_pairs "
        "WHERE left_uid = ? AND right_uid = ?",
        list(ordered(a, b)),
    ).fetchone()
    assert row is not None
    return str(row[0]), float(row[1]), json.loads(row[2])


def test_relearn_rescores_every_pair_and_keeps_the_weights(store: Store, tmp_path: Path) -> None:
    a, b = two_agencies(store, tmp_path)
    crosscheck_contribution(store, a)
    crosscheck_contribution(store, b)
    before = _pair(store, f"{a}:p1", f"{b}:q1")
    assert before[0] == "link"
    apply_judgement(store, f"{a}:p1", f"{b}:q1", "not_same", "ana", "different fathers' names", "HUB")
    result = relearn(store)
    assert result.learned is not None and result.learned.not_same == 1 and result.learned.same == 0
    assert result.rescored >= 1
    _, probability, explanation = _pair(store, f"{a}:p1", f"{b}:q1")
    assert probability < before[1]  # one 'not same' pulls the levels it reached down
    assert explanation["learned"] == {"same": 0, "not_same": 1, "version": 1}
    total = explanation["prior_match_weight"] + sum(f["match_weight"] for f in explanation["features"])
    assert abs(total - explanation["match_weight"]) < 0.01  # the waterfall still adds up
    assert _entity(store, f"{a}:p1") != _entity(store, f"{b}:q1")
    stored = load_learned(store)
    assert stored is not None and stored.version == 1 and stored.model_version == load_model(store)[0]
    assert "brier_learned" in stored.calibration
    version, settings = scoring_model(store)
    assert settings["mare_learned"]["version"] == 1 and version == load_model(store)[0]


def test_unsure_teaches_nothing(store: Store, tmp_path: Path) -> None:
    a, b = two_agencies(store, tmp_path)
    crosscheck_contribution(store, a)
    crosscheck_contribution(store, b)
    apply_judgement(store, f"{a}:p1", f"{b}:q1", "unsure", "ana", None, "HUB")
    assert relearn(store).learned is None
    assert load_learned(store) is None


def _people(n: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    given, family = ["Omar", "Umar", "Ali", "Aly", "Hasan", "Hassan"], ["Haddad", "Hadad", "Kaya", "Darwish"]
    out: list[dict[str, object]] = []
    for i in range(n):
        record: dict[str, object] = {
            "id": f"p{i}",
            "kind": "person",
            "name": f"{rng.choice(given)} {rng.choice(family)}",
        }
        if rng.random() < 0.6:
            record["birth_date"] = f"19{rng.randint(80, 82)}-0{rng.randint(1, 3)}-1{rng.randint(0, 2)}"
        out.append(record)
    return out


@pytest.mark.slow
def test_no_judged_pair_is_ever_contradicted(store: Store, tmp_path: Path) -> None:
    """Random judgements that a consistent truth could give, on pairs linked and not: after each
    judgement, after refits, after a full re-run with training and a second refit, every 'same'
    pair shares an entity and no 'not same' pair does."""
    uids = [ingest(store, tmp_path, f"C{k}", _people(12, k), agency=f"A{k % 3}") for k in range(6)]
    for uid in uids:
        crosscheck_contribution(store, uid)
    pairs = store.con.execute("SELECT left_uid, right_uid FROM candidate_pairs ORDER BY 1, 2").fetchall()
    assert len(pairs) > 20
    rng = random.Random(5)
    # a truth: each record's identity is its name as written; 'same' only within one identity
    names = dict(store.con.execute("SELECT record_uid, name_latin FROM person_features").fetchall())
    judged: dict[tuple[str, str], str] = {}
    for a, b in rng.sample(pairs, 20):
        verdict = "same" if names[a] == names[b] else "not_same"
        judged[(a, b)] = verdict
        apply_judgement(store, a, b, verdict, "ana", None, "HUB")

    def check() -> None:
        for (a, b), verdict in judged.items():
            assert (_entity(store, a) == _entity(store, b)) == (verdict == "same"), (a, b, verdict)

    check()
    relearn(store)
    check()
    crosscheck_all(store, train=True)
    check()
    relearn(store)
    check()
    crosscheck_all(store, train=False)
    check()


def test_queue_offers_uncertain_pairs_with_a_reason(store: Store, tmp_path: Path) -> None:
    a, b = two_agencies(store, tmp_path)
    crosscheck_contribution(store, a)
    crosscheck_contribution(store, b)
    queue = ranked_pairs(store)
    assert queue and all(p.reason.startswith("uncertain: match weight") for p in queue)
    assert [p.priority for p in queue] == sorted((p.priority for p in queue), reverse=True)
    first = queue[0]
    apply_judgement(store, first.left_uid, first.right_uid, "same", "ana", None, "HUB")
    assert (first.left_uid, first.right_uid) not in {(p.left_uid, p.right_uid) for p in review_queue(store)}


def test_learning_needs_a_judge_and_is_audited(store: Store, tmp_path: Path) -> None:
    from mare.hub.context import Refused

    a, b = two_agencies(store, tmp_path)
    crosscheck_contribution(store, a)
    crosscheck_contribution(store, b)
    apply_judgement(store, f"{a}:p3", f"{b}:q3", "not_same", "ana", None, "HUB")
    contributor = HubContext(store, Viewer("carl", "DE-BKA", frozenset({"contributor"})), "password")
    with pytest.raises(Refused):
        hub_learn(contributor)
    analyst = HubContext(store, Viewer("ana", "HUB", frozenset({"analyst"})), "password")
    done = hub_learn(analyst)
    assert done.not_same == 1 and done.pairs >= 1
    row = store.con.execute(
        "SELECT actor, CAST(details AS VARCHAR) FROM audit_log WHERE outcome = 'learned'"
    ).fetchone()
    assert row is not None and row[0] == "system:crosscheck" and json.loads(row[1])["on_behalf_of"] == "ana"


def test_fit_stays_finite_with_never_seen_levels_and_saturated_pairs() -> None:
    """Levels at Splink's 'never seen' stand-ins (±1000 bits) and pairs they saturate: damped steps,
    capped means, no overflowing prior."""
    index = LevelIndex.of(default_settings())
    base = index.base.copy()
    base[0], base[1] = 1000.0, -1000.0
    x = np.zeros((200, len(base)))
    x[:100, 0] = 1.0
    x[100:, 1] = 1.0
    y = np.concatenate([np.zeros(100), np.ones(100)])  # the analysts say the opposite of both
    prior, weights = fit_weights(x, y, base, index.prior)
    assert np.isfinite(prior) and np.all(np.isfinite(weights))
    assert abs(prior) < 60 and weights[0] < 30 and weights[1] > -30


def test_learnt_weights_decide_at_the_calibrated_thresholds(store: Store, tmp_path: Path) -> None:
    from mare.resolve.learning import thresholds_in_force
    from mare.resolve.thresholds import CALIBRATED_THRESHOLDS, DEFAULT_THRESHOLDS

    a, b = two_agencies(store, tmp_path)
    crosscheck_contribution(store, a)
    crosscheck_contribution(store, b)
    assert thresholds_in_force(store) == DEFAULT_THRESHOLDS
    apply_judgement(store, f"{a}:p1", f"{b}:q1", "same", "ana", None, "HUB")
    relearn(store)
    assert thresholds_in_force(store) == CALIBRATED_THRESHOLDS
    rows = store.con.execute("SELECT match_probability, decision FROM candidate_pairs").fetchall()
    assert rows and all(CALIBRATED_THRESHOLDS.decide(p) == d for p, d in rows)
