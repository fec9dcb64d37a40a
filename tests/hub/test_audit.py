"""The audit trail: keyed hash chain, tamper detection, export, CLI and consultation batches."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mare.access.policy import Decision, Viewer
from mare.cli.audit import audit_app
from mare.hub.audit import ACTIONS, GENESIS, AuditLog, ConsultationBatch, audit_key, record_decision
from mare.store.db import Store

KEY = b"k" * 32
START = datetime(2025, 3, 1, tzinfo=UTC)
ANALYST = Viewer("ivo", "IT-SCO", frozenset({"analyst"}))
runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_key_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MARE_AUDIT_KEY_FILE", raising=False)


def fill(log: AuditLog, n: int = 50) -> None:
    """N entries, one an hour from START, each a little different."""
    for i in range(n):
        log.append(
            actor=f"user{i % 3}",
            actor_agency="IT-SCO" if i % 2 else None,
            action=ACTIONS[i % len(ACTIONS)],
            outcome="full",
            resource="record",
            ref=f"R-{i + 1}",
            purpose="crime_fighting",
            justification=f"case {i}",
            details={"n": i, "name": "Müller"},
            at=START + timedelta(hours=i),
        )


def rows(store: Store) -> list[tuple]:
    return store.con.execute(
        "SELECT seq, logged_at, actor, actor_agency, action, resource, ref, purpose, justification, outcome, "
        "details, prev_hash, hash FROM audit_log ORDER BY seq"
    ).fetchall()


def rehash(key: bytes, row: tuple, prev: str) -> str:
    """The documented formula, written independently of the module."""
    payload = [
        row[0],
        row[1].strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        *row[2:10],
        None if row[10] is None else json.loads(row[10]),
        prev,
    ]
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def test_chain_verifies_and_head_matches(store: Store) -> None:
    log = AuditLog(store, KEY)
    assert log.head() is None
    assert log.verify() == log.verify().__class__(True, 0, None, None, None)
    fill(log)
    result = log.verify()
    assert result.ok and result.checked == 50 and result.first_broken is None
    table = rows(store)
    assert log.head() == (50, table[-1][12]) and result.head == table[-1][12]
    prev = GENESIS
    for row in table:
        assert row[11] == prev and rehash(KEY, row, prev) == row[12]
        prev = row[12]
    assert log.verify(anchor=log.head()).ok


SWAP = [
    "UPDATE audit_log SET seq = -1 WHERE seq = 17",
    "UPDATE audit_log SET seq = 17 WHERE seq = 18",
    "UPDATE audit_log SET seq = 18 WHERE seq = -1",
]


@pytest.mark.parametrize(
    ("statements", "broken", "problem"),
    [
        (["UPDATE audit_log SET justification = 'x' WHERE seq = 17"], 17, "entry 17 was altered"),
        (["UPDATE audit_log SET details = '{\"n\":999}' WHERE seq = 17"], 17, "entry 17 was altered"),
        (["UPDATE audit_log SET details = NULL WHERE seq = 17"], 17, "entry 17 was altered"),
        (["UPDATE audit_log SET outcome = 'none' WHERE seq = 30"], 30, "entry 30 was altered"),
        (["UPDATE audit_log SET logged_at = logged_at + INTERVAL 1 SECOND WHERE seq = 17"], 17, "entry 17"),
        (["UPDATE audit_log SET actor = 'nobody' WHERE seq = 1"], 1, "entry 1 was altered"),
        (["DELETE FROM audit_log WHERE seq = 17"], 17, "entry 17 is missing"),
        (["DELETE FROM audit_log WHERE seq = 1"], 1, "entry 1 is missing"),
        (["DELETE FROM audit_log WHERE seq BETWEEN 17 AND 20"], 17, "entry 17 is missing"),
        (SWAP, 17, "entry 17 is out of place"),
        (
            ["DELETE FROM audit_log WHERE seq = 17", "UPDATE audit_log SET seq = seq - 1 WHERE seq > 17"],
            17,
            "entry 17",
        ),
        (
            ["UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE seq = 15) WHERE seq = 17"],
            17,
            "entry 17",
        ),
    ],
    ids=[
        "edit-justification",
        "edit-details",
        "drop-details",
        "edit-outcome",
        "edit-time",
        "edit-first",
        "delete",
        "delete-first",
        "delete-range",
        "swap",
        "delete-renumber",
        "relink",
    ],
)
def test_tampering_is_detected(store: Store, statements: list[str], broken: int, problem: str) -> None:
    log = AuditLog(store, KEY)
    fill(log)
    for sql in statements:
        store.con.execute(sql)
    result = log.verify()
    assert not result.ok
    assert result.first_broken == broken
    assert result.problem is not None and result.problem.startswith(problem), result.problem


def test_reformatting_details_is_detected(store: Store) -> None:
    log = AuditLog(store, KEY)
    fill(log)
    text = store.con.execute("SELECT details FROM audit_log WHERE seq = 17").fetchone()[0]
    store.con.execute("UPDATE audit_log SET details = ? WHERE seq = 17", [json.dumps(json.loads(text))])
    assert log.verify().first_broken == 17


def test_rechaining_without_the_key_is_detected(store: Store) -> None:
    log = AuditLog(store, KEY)
    fill(log)
    store.con.execute("UPDATE audit_log SET justification = 'nothing to see' WHERE seq = 17")
    prev = GENESIS
    for row in rows(store):
        digest = rehash(b"x" * 32, row, prev)
        store.con.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", [prev, digest, row[0]]
        )
        prev = digest
    result = log.verify()
    assert not result.ok and result.first_broken == 1
    assert result.problem is not None and "entry 1 was altered" in result.problem
    assert AuditLog(store, b"x" * 32).verify().ok  # the forger's own key would accept it: keep the key secret


def test_a_cut_tail_is_caught_only_against_a_noted_head(store: Store) -> None:
    log = AuditLog(store, KEY)
    fill(log)
    noted = log.head()
    assert noted is not None
    store.con.execute("DELETE FROM audit_log WHERE seq > 45")
    assert log.verify().ok  # no chain can see its own end cut off
    result = log.verify(anchor=noted)
    assert not result.ok and result.first_broken == 46 and "tail was cut" in (result.problem or "")
    assert not log.verify(anchor=(40, "0" * 64)).ok


def test_append_follows_the_callers_transaction(store: Store) -> None:
    log = AuditLog(store, KEY)
    fill(log, 5)
    head = log.head()
    store.con.execute("BEGIN TRANSACTION")
    assert log.append(actor="ivo", actor_agency="IT-SCO", action="collection", outcome="ok") == 6
    assert log.append(actor="ivo", actor_agency="IT-SCO", action="alteration", outcome="ok") == 7
    store.con.execute("ROLLBACK")
    assert log.head() == head and log.verify().ok and log.verify().checked == 5
    store.con.execute("BEGIN TRANSACTION")
    log.append(actor="ivo", actor_agency="IT-SCO", action="collection", outcome="ok")
    store.con.execute("COMMIT")
    assert log.head() is not None and log.head()[0] == 6 and log.verify().ok  # type: ignore[index]


def test_append_validates(store: Store) -> None:
    log = AuditLog(store, KEY)
    with pytest.raises(ValueError, match="unknown audit action"):
        log.append(actor="ivo", actor_agency=None, action="peeking", outcome="ok")
    with pytest.raises(ValueError, match="JSON-serialisable"):
        log.append(actor="ivo", actor_agency=None, action="login", outcome="ok", details={"x": object()})
    with pytest.raises(ValueError, match="JSON-serialisable"):
        log.append(actor="ivo", actor_agency=None, action="login", outcome="ok", details={"x": float("nan")})
    assert log.head() is None


def test_times_are_utc(store: Store) -> None:
    log = AuditLog(store, KEY)
    local = datetime(2025, 3, 1, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    log.append(actor="ivo", actor_agency=None, action="login", outcome="ok", at=local)
    entry = next(log.entries())
    assert entry["logged_at"] == datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    assert log.verify().ok


def test_export_between_two_dates(store: Store) -> None:
    log = AuditLog(store, KEY)
    fill(log)
    out = io.StringIO()
    since, until = START + timedelta(days=1), START + timedelta(days=2)
    assert log.export_jsonl(out, since, until) == 24
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    entries, summary = lines[:-1], lines[-1]
    assert [e["seq"] for e in entries] == list(range(25, 49))
    assert all(e["type"] == "entry" and e["hash"] and e["prev_hash"] for e in entries)
    assert all("2025-03-02T" in e["logged_at"] for e in entries)
    assert entries[0]["details"] == {"n": 24, "name": "Müller"}
    assert summary["type"] == "export_summary" and summary["count"] == 24
    assert summary["from"].startswith("2025-03-02T00:00:00")
    assert summary["to"].startswith("2025-03-03T00:00:00")
    assert summary["head"] == log.head()[1] and summary["verified"] is True  # type: ignore[index]
    prev = entries[0]["hash"]
    for entry in entries[1:]:
        assert entry["prev_hash"] == prev
        prev = entry["hash"]


def test_entries_filters(store: Store) -> None:
    log = AuditLog(store, KEY)
    fill(log)
    assert [e["seq"] for e in log.entries(limit=3)] == [1, 2, 3]
    assert [e["seq"] for e in log.entries(limit=2, newest_first=True)] == [50, 49]
    assert {e["action"] for e in log.entries(action="erasure")} == {"erasure"}


def test_key_lives_outside_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    key = audit_key(home)
    path = home / "keys" / "audit.key"
    assert len(key) == 32 and path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert audit_key(home) == key
    elsewhere = tmp_path / "vault" / "mare.key"
    monkeypatch.setenv("MARE_AUDIT_KEY_FILE", str(elsewhere))
    assert audit_key(home) != key and elsewhere.exists()
    monkeypatch.delenv("MARE_AUDIT_KEY_FILE")
    with pytest.raises(FileNotFoundError, match="no audit key"):
        audit_key(tmp_path / "nowhere", create=False)
    assert not (tmp_path / "nowhere").exists()
    short = tmp_path / "short" / "keys" / "audit.key"
    short.parent.mkdir(parents=True)
    short.write_bytes(b"tiny")
    with pytest.raises(ValueError, match="too short"):
        audit_key(tmp_path / "short")


def test_default_key_is_created_in_the_home(store: Store) -> None:
    log = AuditLog(store)
    fill(log, 3)
    assert (store.home / "keys" / "audit.key").exists()
    assert AuditLog(store).verify().ok
    assert not AuditLog(store, KEY).verify().ok


def test_cli_verify_export_show_head(store: Store, tmp_path: Path) -> None:
    log = AuditLog(store)
    fill(log)
    home = str(store.home)
    ok = runner.invoke(audit_app, ["verify", "--home", home])
    assert ok.exit_code == 0, ok.output
    assert "50 entries" in ok.output
    head = runner.invoke(audit_app, ["head", "--home", home])
    assert head.exit_code == 0 and head.stdout.strip() == "{}:{}".format(*log.head())  # type: ignore[str-format]
    assert head.stdout.startswith("51:")  # the verification itself is the 51st entry
    anchored = runner.invoke(audit_app, ["verify", "--home", home, "--anchor", head.stdout.strip()])
    assert anchored.exit_code == 0, anchored.output
    shown = runner.invoke(audit_app, ["show", "--home", home, "--limit", "5", "--action", "consultation"])
    assert shown.exit_code == 0 and "Audit trail" in shown.output
    out = tmp_path / "export.jsonl"
    exported = runner.invoke(
        audit_app, ["export", "--from", "2025-03-02", "--to", "2025-03-02", "-o", str(out), "--home", home]
    )
    assert exported.exit_code == 0, exported.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 25 and json.loads(lines[-1])["count"] == 24

    store.con.execute("UPDATE audit_log SET justification = 'x' WHERE seq = 17")
    broken = runner.invoke(audit_app, ["verify", "--home", home])
    assert broken.exit_code == 1
    assert "entry 17" in broken.output and "altered" in broken.output


def test_cli_needs_a_store_and_its_key(tmp_path: Path, store: Store) -> None:
    missing = runner.invoke(audit_app, ["verify", "--home", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "no Mare store" in missing.output
    nokey = runner.invoke(audit_app, ["verify", "--home", str(store.home)])
    assert nokey.exit_code == 2 and "no audit key" in nokey.output
    assert not (store.home / "keys" / "audit.key").exists()  # verify never invents a key


def test_record_decision(store: Store) -> None:
    log = AuditLog(store, KEY)
    denied = Decision("hit", "h2", "ask DE-BKA")
    record_decision(log, ANALYST, "record", "R-1", denied, "crime_fighting", "op X")
    entry = next(log.entries())
    assert entry["action"] == "authorisation" and entry["outcome"] == "hit"
    assert entry["actor"] == "ivo" and entry["actor_agency"] == "IT-SCO" and entry["ref"] == "R-1"
    assert entry["details"] == {"rule": "h2", "reason": "ask DE-BKA"} and entry["justification"] == "op X"


def test_consultation_batch_writes_one_entry_plus_denials(store: Store) -> None:
    log = AuditLog(store, KEY)
    batch = ConsultationBatch(log, ANALYST, "crime_fighting", "operation Delta", what="records")
    for i in range(1000):
        batch.add("record", f"R-{i}", Decision("full", "h0-analyst", "open"))
    batch.add("record", "M-1", Decision("hit", "minor", "minors: hit/no-hit"))
    batch.add("record", "H-2", Decision("hit", "h2", "ask DE-BKA"))
    batch.add("record", "O-3", Decision("none", "purpose", "no"))
    seq = batch.flush()
    assert seq == 1 and batch.flush() is None
    entries = list(log.entries())
    assert [e["action"] for e in entries] == ["consultation"] + ["authorisation"] * 3
    consultation = entries[0]
    assert consultation["outcome"] == "partial" and consultation["justification"] == "operation Delta"
    assert consultation["resource"] == "records"
    details = consultation["details"]
    assert len(details["full"]) == 1000 and details["hit"] == ["M-1", "H-2"] and details["none"] == ["O-3"]
    assert details["rules"] == {"h0-analyst": 1000, "minor": 1, "h2": 1, "purpose": 1}
    denials = [(e["ref"], e["outcome"], e["details"]["rule"]) for e in entries[1:]]
    assert denials == [("M-1", "hit", "minor"), ("H-2", "hit", "h2"), ("O-3", "none", "purpose")]
    assert all(e["purpose"] == "crime_fighting" for e in entries)
    assert log.verify().ok

    with ConsultationBatch(log, ANALYST, "crime_fighting", "nothing found") as empty:
        pass
    assert empty.flush() is None
    last = next(iter(log.entries(newest_first=True, limit=1)))
    assert last["action"] == "consultation" and last["outcome"] == "empty"


def test_entries_beside_an_open_transaction_keep_one_chain(store: Store) -> None:
    """As in the server: an upload's transaction chains its entry before COMMIT while reads on other
    cursors append theirs. The entry continues from the newest committed head, not from its snapshot,
    and the append lock held until COMMIT keeps the chain whole."""
    from mare.hub.audit import appends_held

    writer = Store(home=store.home, con=store.con.cursor(), archive=store.archive)
    reader = Store(home=store.home, con=store.con.cursor(), archive=store.archive)

    def read_entry(log: AuditLog) -> int:
        return log.append(actor="reader", actor_agency="IT-SCO", action="consultation", outcome="done")

    read_entry(AuditLog(reader))
    writer.con.execute("BEGIN TRANSACTION")
    writer.con.execute("SELECT count(*) FROM audit_log").fetchone()  # the writer's snapshot
    after_snapshot = read_entry(AuditLog(reader))  # committed, unseen by the writer's snapshot
    with appends_held() as hold:
        hold()
        own = AuditLog(writer).append(
            actor="system:ingest", actor_agency=None, action="collection", outcome="stored"
        )
        writer.con.execute("COMMIT")
    assert own == after_snapshot + 1
    read_entry(AuditLog(reader))
    result = AuditLog(store).verify()
    assert result.ok and result.checked == 4, result


def test_entries_chained_together_are_one_chain_or_none(store: Store) -> None:
    """`append_many` (a request's consultation entry and its denials): chained in order after the head,
    each one's prev_hash its predecessor's hash; one bad entry and none is written."""
    from mare.hub.audit import Entry

    log = AuditLog(store, KEY)
    fill(log, 3)
    seqs = log.append_many(
        [Entry("ana", "DE-BKA", "consultation", "partial", ref=f"R-{i}") for i in range(5)]
    )
    assert seqs == [4, 5, 6, 7, 8]
    chained = rows(store)
    assert all(chained[i][11] == chained[i - 1][12] for i in range(1, len(chained)))
    assert log.verify().ok and log.verify().checked == 8
    with pytest.raises(ValueError, match="unknown audit action"):
        log.append_many([Entry("ana", "DE-BKA", "consultation", "full"), Entry("ana", None, "peek", "full")])
    assert len(rows(store)) == 8 and log.append_many([]) == []
