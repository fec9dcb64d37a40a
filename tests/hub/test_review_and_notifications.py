"""What the hub's own processing produces reaches people only through the policy: the review queue and
hit notifications are written for each reader, and cite only what that reader may see."""

from __future__ import annotations

from pathlib import Path

import pytest

from mare.access.policy import Viewer
from mare.hub.context import HubContext, Refused
from mare.hub.notifications import Notification, inbox
from mare.hub.review import judge, queue
from mare.resolve import crosscheck_contribution
from mare.store.db import Store
from resolve.resolve_helpers import SCO, ingest, two_agencies


@pytest.fixture(autouse=True)
def _no_rigour_symbols(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in tests/resolve: without rigour's tagger these pairs land in the review band."""
    monkeypatch.setenv("MARE_NAME_SYMBOLS", "off")


def as_(store: Store, agency: str, role: str, user: str = "reader") -> HubContext:
    return HubContext(store, Viewer(user, agency, frozenset({role})), "password")


def _text(notes: list[Notification]) -> str:
    return " ".join(f"{n.subject} {n.body}" for n in notes)


def _crosschecked(store: Store, tmp_path: Path, sco_handling: str = "H0") -> tuple[str, str]:
    a, b = two_agencies(store, tmp_path, sco_handling)
    crosscheck_contribution(store, a)
    crosscheck_contribution(store, b)
    return a, b


def test_hit_notifications_are_stored_neutral(store: Store, tmp_path: Path) -> None:
    a, b = _crosschecked(store, tmp_path)
    stored = store.con.execute(
        "SELECT subject, coalesce(body, '') FROM notifications WHERE kind = 'hit'"
    ).fetchall()
    assert stored
    for subject, body in stored:
        assert body == "" and a not in subject and b not in subject
        for record in SCO:
            assert str(record["name"]) not in subject


def test_each_reader_gets_the_text_their_role_allows(store: Store, tmp_path: Path) -> None:
    _crosschecked(store, tmp_path)
    with as_(store, "DE-BKA", "analyst") as ctx:
        analyst = inbox(ctx)
    with as_(store, "DE-BKA", "contributor") as ctx:
        contributor = inbox(ctx)
    assert [n.id for n in analyst] == [n.id for n in contributor] and analyst
    names = [str(r["name"]) for r in SCO]
    # IT-SCO's H0 records: full to an analyst of DE-BKA, hit/no-hit to a contributor
    assert "Matched record" in _text(analyst) and any(n in _text(analyst) for n in names)
    assert "+4915112345678" in _text(analyst)
    text = _text(contributor)
    assert "A match exists with data held by IT-SCO" in text and "Matched record" not in text
    assert not any(n in text for n in names)
    denials = store.con.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'authorisation' AND actor_agency = 'DE-BKA'"
    ).fetchone()
    assert denials is not None and denials[0] > 0


def test_h2_other_side_is_hit_no_hit_even_for_an_analyst(store: Store, tmp_path: Path) -> None:
    _crosschecked(store, tmp_path, sco_handling="H2")
    text = _text(inbox(as_(store, "DE-BKA", "analyst")))
    assert "A match exists with data held by IT-SCO" in text
    assert not any(str(r["name"]) in text for r in SCO) and "+4915112345678" not in text


def _pair(store: Store, tmp_path: Path, handling: str) -> tuple[str, str]:
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
        handling={"code": handling},
    )
    crosscheck_contribution(store, a)
    crosscheck_contribution(store, b)
    return f"{a}:p", f"{b}:q"


def test_review_shows_only_pairs_seen_in_full(store: Store, tmp_path: Path) -> None:
    left, right = _pair(store, tmp_path, "H2")
    hub = queue(as_(store, "HUB", "analyst"))
    bka = queue(as_(store, "DE-BKA", "analyst"))
    assert (len(hub.items), hub.withheld) == (1, 0)
    # DE-BKA's analyst may see IT-SCO's H2 record only as hit/no-hit: the explanation ("same full birth
    # date") would tell them its values, so the pair is counted, never shown.
    assert (bka.items, bka.withheld) == ([], 1)
    with pytest.raises(Refused, match=r"may not see .* in full"):
        judge(as_(store, "DE-BKA", "analyst"), left, right, "same", "looks alike")
    assert store.con.execute("SELECT count(*) FROM judgements").fetchone() == (0,)


def test_contributors_may_not_review_or_judge(store: Store, tmp_path: Path) -> None:
    left, right = _pair(store, tmp_path, "H0")
    with pytest.raises(Refused, match="review needs one of the roles analyst, supervisor"):
        queue(as_(store, "HUB", "contributor"))
    with pytest.raises(Refused, match="judge needs"):
        judge(as_(store, "DE-BKA", "contributor"), left, right, "same", "looks alike")
    assert store.con.execute("SELECT count(*) FROM judgements").fetchone() == (0,)
    assert store.con.execute("SELECT count(*) FROM hits WHERE basis = 'judged_same'").fetchone() == (0,)
    judge(as_(store, "HUB", "supervisor", user="sam"), left, right, "same", "same passport photo")
    assert store.con.execute("SELECT judged_by FROM judgements").fetchall() == [("sam",)]
    denied = store.con.execute(
        "SELECT resource FROM audit_log WHERE action = 'authorisation' AND outcome = 'denied' ORDER BY seq"
    ).fetchall()
    assert denied == [("review",), ("judge",)]
