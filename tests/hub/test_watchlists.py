"""Watchlists and alerts: every exact identifier alerts (recall 1.0), persons by name across spellings, each
(entry, record) once, restricted matches as hit/no-hit, the list owner's only, refusals audited, erasure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from builders import write_contribution
from mare.access.policy import Viewer
from mare.hub import watchlists as wl
from mare.hub.context import HubContext, Refused
from mare.hub.erasure import erase
from mare.hub.intake import crosscheck_everything, crosscheck_stored, receive
from mare.hub.notifications import inbox
from mare.ingest.pipeline import IngestOptions
from mare.ingest.sources import find_sources
from mare.store.db import Store


@pytest.fixture(autouse=True)
def _no_rigour_symbols(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARE_NAME_SYMBOLS", "off")


def as_(store: Store, agency: str, role: str = "analyst", user: str = "ana") -> HubContext:
    return HubContext(store, Viewer(user, agency, frozenset({role})), "password")


def _iban(bban: str) -> str:
    """A German IBAN with valid check digits, written in groups of four."""
    digits = "".join(str(int(c, 36)) for c in bban + "DE00")
    raw = f"DE{98 - int(digits) % 97:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


IBAN = _iban("370400440532013000")
#: DE-BKA's open records (H0): identifiers as DE-BKA wrote them.
OPEN: list[dict[str, Any]] = [
    {"id": "p", "kind": "person", "name": "Zaheerqa Quixbury", "birth_date": "1981-01-11",
     "phone": "0151 2224 2225", "email": "Z.Quixbury@Example.net", "document_number": "p1k11z1w1"},
    {"id": "v", "kind": "vehicle", "plate": "M-ZK 6066", "country": "DE"},
    {"id": "f", "kind": "financial_account", "iban": IBAN.replace(" ", "")},
    {"id": "s", "kind": "vessel", "name": "Sea Breeze", "imo": "9074729"},
    {"id": "a", "kind": "account", "service": "telegram", "handle": "smuggler_x"},
]  # fmt: skip
#: DE-BKA's H2 record: IT-SCO may know only that it exists.
SECRET: list[dict[str, Any]] = [
    {"id": "q", "kind": "person", "name": "Waleedon Frostvang", "birth_date": "1982-02-12",
     "phone": "0160 3336 3337"},
]  # fmt: skip
#: IT-SCO's entries, each in another format than the record's: (kind, value as IT-SCO has it).
EXACT = [
    ("phone", "+49 151 22242225"),
    ("iban", IBAN.lower()),
    ("plate", "MZK 6066"),
    ("email", "z.quixbury@example.NET"),
    ("document", "P1K 11Z 1W1"),
    ("vessel", "IMO 9074729"),
    ("handle", "@smuggler_x"),
]


def _ingest(store: Store, tmp_path: Path, name: str, records: list[dict[str, Any]], **kw: Any) -> str:
    ctx = as_(store, kw.get("agency", "DE-BKA"), "contributor", "bka")
    path = write_contribution(tmp_path / f"{name}.json", records, id=name, **kw)
    (source,), _ = find_sources([path])
    report = receive(ctx, source, IngestOptions())
    assert report.status in ("stored", "already_received"), report.message
    if report.status == "stored":
        assert report.contribution
        crosscheck_stored(ctx, [report.contribution], "each")
        return report.contribution
    return ""


def _list(store: Store, entries: list[tuple[str, str]], agency: str = "IT-SCO") -> tuple[str, list[str]]:
    with as_(store, agency) as ctx:
        made = wl.create_watchlist(ctx, "Marea targets")
        ids = [wl.add_entry(ctx, made.id, kind, value)[0].id for kind, value in entries]
    return made.id, ids


def _alerts(store: Store, agency: str = "IT-SCO", **kw: Any) -> list[wl.Alert]:
    with as_(store, agency) as ctx:
        return wl.alerts(ctx, **kw)


def test_exact_identifiers_alert_with_recall_one(store: Store, tmp_path: Path) -> None:
    """Entries listed before the records arrive alert at intake; entries added later alert at once."""
    first, second = EXACT[:4], EXACT[4:]
    list_id, _ = _list(store, first)
    contribution = _ingest(store, tmp_path, "BKA-1", OPEN)
    with as_(store, "IT-SCO") as ctx:
        raised = [wl.add_entry(ctx, list_id, kind, value)[1] for kind, value in second]
    assert raised == [1, 1, 1]
    found = _alerts(store)
    by_kind = {a.entry_kind: a for a in found}
    recall = len(by_kind) / len(EXACT)
    print(f"\nwatchlist alert recall on exact identifiers: {recall:.2f} ({len(by_kind)}/{len(EXACT)})")
    assert recall == 1.0
    expected = {"phone": "p", "iban": "f", "plate": "v", "email": "p", "document": "p", "vessel": "s",
                "handle": "a"}  # fmt: skip
    for kind, local in expected.items():
        alert = by_kind[kind]
        assert alert.record_uid == f"{contribution}:{local}" and alert.owner == "DE-BKA"
        assert alert.visibility == "full" and alert.record_uid in alert.text
    assert len(found) == len(EXACT)  # no record matched twice, nothing else matched
    assert {a.basis for a in found} <= {"identifier", "identifier_as_written"}


def test_a_person_by_name_across_spellings(store: Store, tmp_path: Path) -> None:
    contribution = _ingest(store, tmp_path, "BKA-1", OPEN)
    _ingest(
        store,
        tmp_path,
        "BKA-2",
        [{"id": "n", "kind": "person", "name": "Zaheerqa Quixbury", "birth_date": "1960-03-03"}],
    )
    with as_(store, "IT-SCO") as ctx:
        made = wl.create_watchlist(ctx, "wanted")
        # another spelling, the same birth year: the phonetic key and the year
        spelt, n1 = wl.add_entry(ctx, made.id, "person", "Quixbery Zaheerqa", birth_date="1981")
        # the same name in another order, no birth date: every namesake
        ordered, n2 = wl.add_entry(ctx, made.id, "person", "QUIXBURY, Zaheerqa")
        # the same name, another birth year: not the 1981 person
        _, n3 = wl.add_entry(ctx, made.id, "person", "Zaheerqa Quixbury", birth_date="1990-01-01")
    assert (n1, n2, n3) == (1, 2, 0)
    found = {(a.entry, a.record_uid): a for a in _alerts(store)}
    person = f"{contribution}:p"
    assert found[(spelt.id, person)].basis == "name_sound+birth_year"
    assert found[(ordered.id, person)].basis == "name"
    assert "Zaheerqa Quixbury" in found[(spelt.id, person)].text


def test_each_entry_and_record_alert_once(store: Store, tmp_path: Path) -> None:
    _list(store, EXACT)
    _ingest(store, tmp_path, "BKA-1", OPEN)
    before = len(_alerts(store))
    notes = store.con.execute("SELECT count(*) FROM notifications WHERE kind = 'alert'").fetchone()
    assert before == len(EXACT) and notes == (before,)
    _ingest(store, tmp_path, "BKA-1", OPEN)  # the same contribution again: already received
    stored = [str(r[0]) for r in store.con.execute("SELECT uid FROM contributions").fetchall()]
    crosscheck_stored(as_(store, "DE-BKA", "contributor"), stored, "each")  # checked again
    with as_(store, "HUB", "admin") as hub:
        crosscheck_everything(hub, train=False)  # a full re-run matches everything again
    assert len(_alerts(store)) == before
    assert store.con.execute("SELECT count(*) FROM notifications WHERE kind = 'alert'").fetchone() == notes
    runs = store.con.execute(
        "SELECT details FROM audit_log WHERE actor = 'system:watchlists' ORDER BY seq"
    ).fetchall()
    assert json.loads(runs[-1][0])["new_alerts"] == 0 and json.loads(runs[-1][0])["matched"] == before


def test_a_restricted_match_is_hit_no_hit_for_the_list_owner(store: Store, tmp_path: Path) -> None:
    list_id, _ = _list(store, [("phone", "+49 160 33363337"), ("person", "Frostvang Waleedon")])
    contribution = _ingest(store, tmp_path, "BKA-H2", SECRET, handling={"code": "H2"})
    found = _alerts(store)
    assert len(found) == 2
    secret = f"{contribution}:q"
    for alert in found:
        assert alert.record_uid == secret and alert.visibility == "hit" and alert.rule == "h2"
        assert "DE-BKA" in alert.text and "mare consent request" in alert.text
        for value in ("Waleedon", "Frostvang", "0160", "+4916033363337", "1982"):
            assert value not in alert.text and value not in json.dumps(alert.as_dict())
    denied = store.con.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'authorisation' AND outcome = 'hit' AND ref = ?",
        [secret],
    ).fetchone()
    assert denied is not None and denied[0] >= 1
    # the notification, stored neutral, is written for its reader the same way
    stored = store.con.execute("SELECT subject, body FROM notifications WHERE kind = 'alert'").fetchall()
    assert stored and all(s == "Watchlist alert" and b is None for s, b in stored)
    with as_(store, "IT-SCO", "contributor") as ctx:
        notes = [n for n in inbox(ctx) if n.kind == "alert"]
    assert len(notes) == 2 and all("restricted" in (n.body or "") for n in notes)
    assert not any("Frostvang" in f"{n.subject} {n.body}" for n in notes)
    # the owner (DE-BKA) itself sees its own record in full in an alert on its own list
    with as_(store, "DE-BKA") as ctx:
        own = wl.create_watchlist(ctx, "ours")
        wl.add_entry(ctx, own.id, "phone", "0160 3336 3337")
    (mine,) = _alerts(store, "DE-BKA")
    assert mine.visibility == "full" and "Waleedon Frostvang" in mine.text
    assert list_id not in {a.watchlist for a in _alerts(store, "DE-BKA")}


def test_only_the_owner_agency_sees_and_manages_its_lists(store: Store, tmp_path: Path) -> None:
    list_id, (entry, *_) = _list(store, EXACT[:2])
    _ingest(store, tmp_path, "BKA-1", OPEN)
    (alert, *_) = _alerts(store)
    for agency, role in (("FR-OCRIEST", "analyst"), ("HUB", "supervisor"), ("IT-SCO", "contributor")):
        ctx = as_(store, agency, role, user="mallory")
        for attempt in (
            lambda c=ctx: wl.watchlists(c, list_id),
            lambda c=ctx: wl.add_entry(c, list_id, "phone", "+39 333 1234567"),
            lambda c=ctx: wl.remove_entry(c, entry),
            lambda c=ctx: wl.acknowledge(c, alert.id),
        ):
            with pytest.raises(Refused):
                attempt()
        if role != "contributor":
            assert wl.alerts(ctx) == [] and wl.watchlists(ctx) == []
        ctx.close()
    refusals = store.con.execute(
        "SELECT actor_agency, resource, details->>'$.rule' FROM audit_log "
        "WHERE action = 'authorisation' AND outcome = 'denied' AND actor = 'mallory'"
    ).fetchall()
    assert len(refusals) == 12
    assert {r[2] for r in refusals} == {"list-owner", "action-role"}
    # a name another agency might guess is not found among its own lists
    with as_(store, "FR-OCRIEST") as ctx, pytest.raises(wl.WatchlistError, match="no watchlist"):
        wl.add_entry(ctx, "Marea targets", "phone", "+39 333 1234567")


def test_acknowledgement(store: Store, tmp_path: Path) -> None:
    _list(store, EXACT[:3])
    _ingest(store, tmp_path, "BKA-1", OPEN)
    first, *rest = _alerts(store)
    with as_(store, "IT-SCO", "supervisor", user="sara") as ctx:
        done = wl.acknowledge(ctx, first.id)
        again = wl.acknowledge(ctx, first.id)
    assert done.acknowledged_by == "sara" and done.acknowledged_at is not None
    assert again.acknowledged_at == done.acknowledged_at
    assert {a.id for a in _alerts(store, unacknowledged=True)} == {a.id for a in rest}
    acks = store.con.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'alteration' AND resource = 'alert' AND ref = ?",
        [first.id],
    ).fetchone()
    assert acks == (1,)


def test_entries_are_checked_and_refused_with_a_reason(store: Store) -> None:
    with as_(store, "IT-SCO") as ctx:
        made = wl.create_watchlist(ctx, "checks")
        with pytest.raises(wl.WatchlistError, match="already has"):
            wl.create_watchlist(ctx, "checks")
        for kind, value, message in (
            ("phone", "12", "not a valid phone"),
            ("iban", "DE00 1234", "not a valid IBAN"),
            ("vessel", "12345", "IMO number"),
            ("pet", "Rex", "unknown kind"),
            ("person", "  ", "give a value"),
        ):
            with pytest.raises(wl.WatchlistError, match=message):
                wl.add_entry(ctx, made.id, kind, value)
        with pytest.raises(wl.WatchlistError, match="not a date"):
            wl.add_entry(ctx, made.id, "person", "Hasan Ali", birth_date="1980-13-40")
        # a national number is read in the list owner's country (IT-SCO: Italy)
        entry, _ = wl.add_entry(ctx, made.id, "phone", "333 123 4567", note="from a seized phone")
        assert entry.key == "+393331234567" and entry.note == "from a seized phone"
        with pytest.raises(wl.WatchlistError, match="already holds"):
            wl.add_entry(ctx, made.id, "phone", "+39 333 1234567")
        (listed, entries), *_ = wl.watchlists(ctx)
        assert listed.entries == 1 and entries[0].value == "333 123 4567"
        removed = wl.remove_entry(ctx, entry.id)
        assert removed.id == entry.id and wl.watchlists(ctx, made.id)[0][1] == []


def test_erasure_removes_alerts_and_their_notifications(store: Store, tmp_path: Path) -> None:
    _list(store, EXACT)
    contribution = _ingest(store, tmp_path, "BKA-1", OPEN)
    assert len(_alerts(store)) == len(EXACT)
    with as_(store, "DE-BKA", "dpo") as ctx:
        report = erase(ctx, [f"{contribution}:p", f"{contribution}:f"], "court order 2026/117")
    assert report.derived["alerts"] == 4  # phone, e-mail and document of the person; the IBAN's account
    assert store.con.execute(
        "SELECT count(*) FROM alerts WHERE record_uid IN (?, ?)", [f"{contribution}:p", f"{contribution}:f"]
    ).fetchone() == (0,)
    assert len(_alerts(store)) == len(EXACT) - 4
    left = store.con.execute("SELECT count(*) FROM notifications WHERE kind = 'alert'").fetchone()
    assert left == (len(EXACT) - 4,)
