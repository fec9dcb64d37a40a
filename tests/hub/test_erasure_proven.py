"""Erasure proven: erased persons leave nothing in any table, the WAL, the raw archive, the
notifications or the database file's bytes, except what the audit trail must keep by law (the
words people typed: a search query, a consent justification; docs/security.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import write_contribution, write_envelope
from mare.access.policy import HUB_AGENCY, Viewer
from mare.hub.audit import AuditLog
from mare.hub.consent import decide, request_consent
from mare.hub.context import HubContext
from mare.hub.erasure import erase
from mare.hub.intake import crosscheck_stored, receive
from mare.hub.notifications import inbox
from mare.hub.search import search
from mare.ingest.pipeline import IngestOptions
from mare.ingest.sources import find_sources
from mare.store.db import Store, open_store
from mare.store.jobs import pending_jobs

#: The erased persons: A's name is searched for and quoted in a consent request (so the audit trail
#: keeps it, by law); B's name, the shared phone and A's document never enter the trail.
QUOTED = ["Vexlorquat", "Brimzendt"]
UNQUOTED = ["Quillondrab", "Zarwickette", "+4915199911122", "XV9911223"]
KEPT = "Keepastayman"
DPO = Viewer("dora", HUB_AGENCY, frozenset({"dpo"}))
ASKER = Viewer("ivo", "IT-SCO", frozenset({"contributor"}))
OWNER = Viewer("otto", "DE-BKA", frozenset({"contributor"}))


def _ctx(store: Store, viewer: Viewer, purpose: str = "crime_fighting") -> HubContext:
    return HubContext(store, viewer, "password", purpose=purpose)  # type: ignore[arg-type]


def _receive(ctx: HubContext, path: Path) -> str:
    (source,), _ = find_sources([path])
    report = receive(ctx, source, IngestOptions())
    assert report.status == "stored", report.message
    return str(report.contribution)


def _world(store: Store, tmp_path: Path) -> tuple[str, str]:
    """A (DE-BKA, JSON): the quoted person, a kept person, a phone; B (IT-SCO, CSV bundle): the
    unquoted person with the same phone (an identifier hit, notified to both)."""
    a = write_contribution(
        tmp_path / "a.json",
        [
            {
                "id": "p1",
                "kind": "person",
                "name": " ".join(QUOTED),
                "phone": UNQUOTED[2],
                "document_number": UNQUOTED[3],
                "birth_date": "1981-03-04",
            },
            {"id": "p2", "kind": "person", "name": f"{KEPT} Lorrimer", "birth_date": "1975-01-01"},
            {"id": "ph1", "kind": "phone", "number": "+39 333 1234567"},
        ],
        [{"kind": "uses_phone", "source": "p1", "target": "ph1"}],
        id="A-1",
        agency="DE-BKA",
        handling={"code": "H2"},
    )
    bundle = tmp_path / "b"
    bundle.mkdir()
    write_envelope(bundle / "envelope.json", id="B-1", agency="IT-SCO")
    (bundle / "person.csv").write_text(
        f"id,name,phone,birth_date\nq1,{UNQUOTED[0]} {UNQUOTED[1]},{UNQUOTED[2]},1990-02-02\n"
        f"q2,{KEPT} Other,+393331112233,1970-07-07\n",
        encoding="utf-8",
    )
    operator = _ctx(store, Viewer("op", HUB_AGENCY, frozenset({"admin", "analyst", "dpo"})))
    ca = _receive(_ctx(store, OWNER), a)
    cb = _receive(_ctx(store, Viewer("iva", "IT-SCO", frozenset({"contributor"}))), bundle)
    crosscheck_stored(operator, [ca, cb], "each")
    return f"{ca}:p1", f"{cb}:q1"


def _table_residues(store: Store, needles: list[str]) -> dict[str, int]:
    """Rows holding a needle, per table, over every column read as text."""
    found: dict[str, int] = {}
    tables = [r[0] for r in store.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    for table in tables:
        columns = [r[0] for r in store.con.execute(f'DESCRIBE "{table}"').fetchall()]
        text = " || ' ' || ".join(f"coalesce(CAST(\"{c}\" AS VARCHAR), '')" for c in columns)
        hits = " OR ".join("contains(lower(row_text), ?)" for _ in needles)
        row = store.con.execute(
            f'SELECT count(*) FROM (SELECT {text} AS row_text FROM "{table}") WHERE {hits}',
            [n.lower() for n in needles],
        ).fetchone()
        if row and row[0]:
            found[table] = int(row[0])
    return found


def _files_with(home: Path, needles: list[str]) -> list[str]:
    """Files under HOME whose bytes hold a needle (as UTF-8, lower case or UTF-16)."""
    hits = []
    for path in sorted(home.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        lowered = data.lower()
        for needle in needles:
            forms = (needle.encode(), needle.lower().encode(), needle.encode("utf-16-le"))
            if any(form in data or form in lowered for form in forms):
                hits.append(f"{path.relative_to(home)}: {needle}")
    return hits


def test_erasure_leaves_no_residue_but_what_the_audit_trail_keeps(tmp_path: Path) -> None:
    home = tmp_path / "o'home"  # a quote in the path: the compaction must still run
    with open_store(home) as store:
        first, second = _world(store, tmp_path)
        with _ctx(store, OWNER) as ctx:  # the search's entry is written when its request ends
            search(ctx, " ".join(QUOTED))
        request = request_consent(_ctx(store, ASKER), first, f"{' '.join(QUOTED)} drives for our network")
        decide(_ctx(store, OWNER), request.id, True, f"yes, {QUOTED[1]} is yours to see")
        store.con.execute("CHECKPOINT")
        before = _table_residues(store, QUOTED + UNQUOTED)
        assert {"name_symbols", "records", "record_values", "person_features", "notifications"} <= set(before)
        assert store.con.execute("SELECT count(*) FROM hits").fetchone() != (0,)

        erase(_ctx(store, DPO, "administration"), [first, second], "LED art. 16 request 2026-77")

        assert _table_residues(store, UNQUOTED) == {}
        assert _table_residues(store, QUOTED) == {"audit_log": 3}  # the search and the two consent steps
        kept = store.con.execute(
            "SELECT action, outcome FROM audit_log WHERE contains(lower(CAST(details AS VARCHAR) || "
            "coalesce(justification, '')), lower(?)) ORDER BY seq",
            [QUOTED[1]],
        ).fetchall()
        assert kept == [("consultation", "full"), ("consent", "requested"), ("disclosure", "granted")]
        for viewer in (ASKER, OWNER, Viewer("iva", "IT-SCO", frozenset({"analyst"}))):
            for note in inbox(_ctx(store, viewer)):
                text = f"{note.subject} {note.body or ''}".lower()
                assert not any(n.lower() in text for n in QUOTED + UNQUOTED), note
        assert _table_residues(store, [KEPT]), "the other records must survive"
        assert pending_jobs(store.con, "compact") == []
        erasure = store.con.execute(
            "SELECT details FROM audit_log WHERE action = 'erasure' AND outcome = 'done'"
        ).fetchall()
        assert len(erasure) == 1 and first in erasure[0][0]
        assert AuditLog(store).verify().ok

    assert not (home / "mare.duckdb.wal").exists() or _files_with(home / "mare.duckdb.wal", QUOTED) == []
    assert _files_with(home, UNQUOTED) == []  # every file: the database, the WAL, the raw archive
    assert _files_with(home / "raw", QUOTED) == []
    assert [hit.split(":")[0] for hit in _files_with(home, QUOTED)] in ([], ["mare.duckdb", "mare.duckdb"])


@pytest.fixture
def symbols_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARE_NAME_SYMBOLS", "on")


def test_erased_names_leave_the_name_symbol_cache(store: Store, tmp_path: Path, symbols_on: None) -> None:
    first, second = _world(store, tmp_path)
    tokens = [t.lower() for t in QUOTED + UNQUOTED[:2]]
    cached = store.con.execute("SELECT token FROM name_symbols WHERE token IN (SELECT unnest(?))", [tokens])
    assert sorted(r[0] for r in cached.fetchall()) == sorted(tokens)
    erase(_ctx(store, DPO, "administration"), [first, second], "LED art. 16 request 2026-77")
    left = store.con.execute("SELECT token FROM name_symbols WHERE token IN (SELECT unnest(?))", [tokens])
    assert left.fetchall() == []
    assert store.con.execute(
        "SELECT count(*) FROM name_symbols WHERE token = ?", [KEPT.lower()]
    ).fetchone() == (1,)


def test_consent_notifications_no_longer_quote_an_erased_record(store: Store, tmp_path: Path) -> None:
    first, _ = _world(store, tmp_path)
    request = request_consent(_ctx(store, ASKER), first, f"{QUOTED[0]} drives for our network, case RM-9")
    decide(_ctx(store, OWNER), request.id, False, f"not for {QUOTED[0]}")
    bodies = store.con.execute("SELECT body FROM notifications WHERE kind LIKE 'consent%'").fetchall()
    assert any(QUOTED[0] in (b[0] or "") for b in bodies)
    erase(_ctx(store, DPO, "administration"), [first], "LED art. 16 request 2026-77")
    bodies = store.con.execute("SELECT body FROM notifications WHERE kind LIKE 'consent%'").fetchall()
    assert bodies and all(QUOTED[0] not in (b[0] or "") for b in bodies)
    reasons = store.con.execute("SELECT justification, decision_reason FROM consent_requests").fetchall()
    assert reasons == [("[erased]", "[erased]")]
