"""Incremental and full cross-checks: pairs with explanations, entities, judgements, hits, erasure."""

from __future__ import annotations

import json
from pathlib import Path

from mare.access.policy import Viewer
from mare.hub.context import HubContext
from mare.hub.notifications import Notification, inbox
from mare.resolve import crosscheck_all, crosscheck_contribution
from mare.resolve.judgements import ordered
from mare.resolve.model import load_model
from mare.resolve.review import apply_judgement, review_queue
from mare.store.db import Store
from mare.store.erasure import erase_records
from resolve.resolve_helpers import SCO, ingest, two_agencies


def _inbox(store: Store, agency: str, role: str = "analyst") -> list[Notification]:
    return inbox(HubContext(store, Viewer("reader", agency, frozenset({role})), "password"))


def _entity(store: Store, uid: str) -> str:
    row = store.con.execute("SELECT entity_id FROM entities WHERE record_uid = ?", [uid]).fetchone()
    assert row is not None
    return str(row[0])


def test_cross_script_person_links_with_explanation(store: Store, tmp_path: Path) -> None:
    a, b = two_agencies(store, tmp_path)
    first = crosscheck_contribution(store, a)
    assert first.persons == 3 and first.candidates == 0
    second = crosscheck_contribution(store, b)
    assert second.persons == 3 and second.links == 1
    row = store.con.execute(
        "SELECT decision, CAST(explanation AS VARCHAR) FROM candidate_pairs "
        "WHERE left_uid = ? AND right_uid = ?",
        list(ordered(f"{a}:p1", f"{b}:q1")),
    ).fetchone()
    assert row is not None and row[0] == "link"
    explanation = json.loads(row[1])
    levels = {f["feature"]: f["level"] for f in explanation["features"]}
    assert levels["birth_date"] == "same birth date with day and month swapped"
    assert "prior_match_weight" in explanation
    total = explanation["prior_match_weight"] + sum(f["match_weight"] for f in explanation["features"])
    assert abs(total - explanation["match_weight"]) < 0.01
    assert _entity(store, f"{a}:p1") == _entity(store, f"{b}:q1")
    assert _entity(store, f"{a}:p2") != _entity(store, f"{a}:p1")


def test_identifier_and_person_hits_notify_both_owners(store: Store, tmp_path: Path) -> None:
    a, b = two_agencies(store, tmp_path)
    crosscheck_contribution(store, a)
    result = crosscheck_contribution(store, b)
    assert result.identifier_hits == 1 and result.person_hits == 1 and result.notifications == 4
    bka, sco = _inbox(store, "DE-BKA"), _inbox(store, "IT-SCO")
    assert len(bka) == 2 and len(sco) == 2
    assert any("+4915112345678" in (n.body or "") for n in sco)
    again = crosscheck_contribution(store, b)
    assert again.notifications == 0  # the same hits are not told twice


def test_restricted_side_gets_hit_no_hit_only(store: Store, tmp_path: Path) -> None:
    a, b = two_agencies(store, tmp_path, sco_handling="H2")
    crosscheck_contribution(store, a)
    crosscheck_contribution(store, b)
    for note in _inbox(store, "DE-BKA"):
        text = f"{note.subject} {note.body}"
        assert "A match exists" in text
        for record in SCO:
            assert str(record["name"]) not in text
        assert "+4915112345678" not in text and f"{b}:" not in text


def test_judgements_split_merge_and_survive_reruns(store: Store, tmp_path: Path) -> None:
    a, b = two_agencies(store, tmp_path)
    crosscheck_contribution(store, a)
    crosscheck_contribution(store, b)
    apply_judgement(store, f"{a}:p1", f"{b}:q1", "not_same", "ana", "different fathers' names", "HUB")
    assert _entity(store, f"{a}:p1") != _entity(store, f"{b}:q1")
    apply_judgement(store, f"{a}:p3", f"{b}:q3", "same", "ana", "same passport photo", "HUB")
    assert _entity(store, f"{a}:p3") == _entity(store, f"{b}:q3")
    full = crosscheck_all(store, train=False)
    assert full.persons == 6
    assert _entity(store, f"{a}:p1") != _entity(store, f"{b}:q1")
    assert _entity(store, f"{a}:p3") == _entity(store, f"{b}:q3")
    assert store.con.execute("SELECT count(*) FROM judgements").fetchone() == (2,)
    assert load_model(store)[0] == 1


def test_review_queue_shows_unjudged_pairs_in_the_band(store: Store, tmp_path: Path) -> None:
    a = ingest(
        store,
        tmp_path,
        "A",
        [{"id": "p", "kind": "person", "name": "Hasan Ali", "birth_date": "1980-05-05"}],
        agency="DE-BKA",
    )
    b = ingest(
        store,
        tmp_path,
        "B",
        [{"id": "q", "kind": "person", "name": "Hassan Aly", "birth_date": "1980-05-05"}],
        agency="IT-SCO",
    )
    crosscheck_contribution(store, a)
    crosscheck_contribution(store, b)
    queue = review_queue(store)
    assert [(p.left_uid, p.right_uid) for p in queue] == [ordered(f"{a}:p", f"{b}:q")]
    apply_judgement(store, f"{a}:p", f"{b}:q", "unsure", "ana", None, "HUB")
    assert review_queue(store) == []


def test_erasure_removes_cross_check_data(store: Store, tmp_path: Path) -> None:
    a, b = two_agencies(store, tmp_path)
    crosscheck_contribution(store, a)
    crosscheck_contribution(store, b)
    apply_judgement(store, f"{a}:p1", f"{b}:q1", "same", "ana", "confirmed", "HUB")
    erased = f"{b}:q1"
    held = store.con.execute(
        "SELECT count(*) FROM person_name_tokens WHERE record_uid = ?", [erased]
    ).fetchone()
    assert held is not None and held[0] > 0  # the name's tokens were indexed
    report = erase_records(store, [erased], "dpo", "court order")
    assert report.derived["person_name_tokens"] > 0 and report.derived["entities"] > 0
    for table, cols in (
        ("person_features", ["record_uid"]),
        ("person_keys", ["record_uid"]),
        ("person_name_tokens", ["record_uid"]),
        ("identifier_index", ["record_uid"]),
        ("entities", ["record_uid"]),
        ("candidate_pairs", ["left_uid", "right_uid"]),
        ("judgements", ["left_uid", "right_uid"]),
        ("hits", ["left_uid", "right_uid"]),
    ):
        where = " OR ".join(f"{c} = ?" for c in cols)
        count = store.con.execute(
            f"SELECT count(*) FROM {table} WHERE {where}", [erased] * len(cols)
        ).fetchone()
        assert count == (0,), table
    bodies = " ".join(f"{n.subject} {n.body}" for n in _inbox(store, "DE-BKA"))
    assert "محمد" not in bodies


def test_crosscheck_after_a_half_read_result(store: Store, tmp_path: Path) -> None:
    """A contribution whose persons find no candidate, after a bulk cross-check (issue 20): the
    model's one-row read stayed open (DuckDB 2) and storing pairs raised ResourceInUseException,
    leaving the contribution stored but never cross-checked."""
    a, b = two_agencies(store, tmp_path)
    crosscheck_all(store)
    lone = ingest(
        store, tmp_path, "XX-1", [{"id": "p1", "kind": "person", "name": "Jane Doe"}], agency="IT-SCO"
    )
    result = crosscheck_contribution(store, lone)
    assert result.persons == 1 and result.candidates == 0
    store.con.execute("SELECT uid FROM records").fetchone()  # a half-read result left by a caller
    assert crosscheck_contribution(store, b).persons == 3
    assert _entity(store, f"{a}:p1") == _entity(store, f"{b}:q1")
