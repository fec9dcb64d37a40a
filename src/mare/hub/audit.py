"""The tamper-evident audit trail (Law Enforcement Directive art. 25).

Every collection, alteration, consultation (with its justification), disclosure (with recipients),
combination, erasure, login and authorisation decision (denials too) is one row of ``audit_log``:
who, when (UTC), what, why and the outcome. The rows form a hash chain: each entry holds the hash
of the entry before it (``prev_hash``) and its own ``hash``, an HMAC-SHA256 over its fields and
``prev_hash``.

Why a keyed hash. A plain SHA-256 chain proves nothing against someone who can write the DuckDB
file: they edit an entry and recompute every hash after it. The chain is therefore keyed with a
secret kept *outside* the database, in ``HOME/keys/audit.key`` (32 random bytes, mode 0600, folder
0700; ``$MARE_AUDIT_KEY_FILE`` points elsewhere, e.g. to a mount only the hub service can read).
Whoever can edit the database but not read the key cannot produce a chain that verifies: any edit,
deletion, reordering or forged re-chaining makes :meth:`AuditLog.verify` fail and name the first
broken entry. Keep the key out of database backups handed to others, and back it up separately:
without it the trail can no longer be verified.

What no chain can detect alone: cutting entries off the *end*. A log truncated after entry N is a
valid chain of N entries. :meth:`AuditLog.head` gives the last entry's sequence number and hash;
note it down outside the system (a daily report, a ticket, the supervisory authority's mailbox).
Anyone can later check that the noted entry still exists with the noted hash
(``verify(anchor=(seq, hash))``); if the tail was cut or rewritten, it does not.

``append`` never opens or commits a transaction: inside a caller's transaction the entry commits
or rolls back with the caller's work; outside one, DuckDB's autocommit stores it at once.
Reading (``verify``, ``entries``, ``export_jsonl``) uses a separate cursor and sees committed
entries only, streamed in batches so the trail can grow to millions of entries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TextIO, get_args

from mare.access.policy import Decision, Viewer
from mare.store.db import Store

Action = Literal[
    "collection",
    "alteration",
    "consultation",
    "disclosure",
    "combination",
    "erasure",
    "login",
    "authorisation",
    "consent",
    "override",
    "retention",
    "administration",
    "processing",
]
ACTIONS: tuple[Action, ...] = get_args(Action)

GENESIS = "0" * 64
KEY_BYTES = 32
KEY_ENV = "MARE_AUDIT_KEY_FILE"
#: One append at a time in this process: the web server's request threads and its writer share the chain.
APPEND_LOCK = threading.RLock()


_HELD = threading.local()


@contextmanager
def appends_held(on_append: bool = False) -> Iterator[Callable[[], None]]:
    """For a transaction that chains audit entries before its COMMIT while other threads append (the
    server's upload job, beside the reads' consultation entries): call `hold()` just before its first
    entry (or give `on_append`: this thread's first append in the block holds it); the append lock is
    then kept until this block ends, after the COMMIT or ROLLBACK, so no other entry takes the same
    number or chains onto one that may yet be rolled back. Before that first entry the others append
    freely: a long transaction (geocoding, a watchlist check) holds up no reader's entry until its end."""
    held = 0

    def hold() -> None:
        nonlocal held
        APPEND_LOCK.acquire()
        held += 1

    def once() -> None:
        if not held:
            hold()

    before = getattr(_HELD, "hook", None)
    if on_append:
        _HELD.hook = once
    try:
        yield hold
    finally:
        _HELD.hook = before
        for _ in range(held):
            APPEND_LOCK.release()


BATCH = 10_000
COLUMNS = (
    "seq, logged_at, actor, actor_agency, action, resource, ref, purpose, justification, outcome, "
    "details, prev_hash, hash"
)


def audit_key_path(home: Path) -> Path:
    """Where the audit key lives: $MARE_AUDIT_KEY_FILE, else HOME/keys/audit.key."""
    env = os.environ.get(KEY_ENV)
    return Path(env) if env else home / "keys" / "audit.key"


class AuditKeyMissing(FileNotFoundError):
    """The audit trail has entries but its key is not where it should be (never silently replaced)."""


def missing_key_message(path: Path, entries: int | None = None) -> str:
    """What to say when the key is missing: the file, why no new one is made, and the fix."""
    held = f"the audit trail's {entries:,} entries were chained with it" if entries else "the trail needs it"
    return (
        f"no audit key at {path}, and {held}: restore the file from its backup (mode 0600), or point "
        f"${KEY_ENV} at it; a new key would make the whole trail unverifiable, so none is made"
    )


def audit_key(home: Path, *, create: bool = True) -> bytes:
    """The secret HMAC key of the audit chain, created (0600, folder 0700) when `create` is true.

    Only `mare init` and a store whose trail is still empty may create it (`AuditLog.key` decides):
    a key made while entries exist would make every earlier entry fail verification."""
    path = audit_key_path(home)
    if not path.exists():
        if not create:
            raise AuditKeyMissing(missing_key_message(path))
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: read theirs
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
    key = path.read_bytes()
    if len(key) < KEY_BYTES:
        raise ValueError(f"audit key {path} is too short ({len(key)} bytes, need {KEY_BYTES})")
    return key


def trail_key(store: Store) -> bytes:
    """The store's audit key: read; created only when the trail has no entry yet."""
    path = audit_key_path(store.home)
    if path.exists():
        return audit_key(store.home, create=False)
    cursor = store.con.cursor()  # committed entries: a key made inside a rolled-back first write is harmless
    try:
        row = cursor.execute("SELECT count(*) FROM audit_log").fetchone()
    finally:
        cursor.close()
    entries = int(row[0]) if row else 0
    if entries:
        raise AuditKeyMissing(missing_key_message(path, entries))
    return audit_key(store.home, create=True)


def _canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _iso(moment: datetime) -> str:
    """A naive-UTC timestamp as ISO 8601 UTC with microseconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _naive_utc(moment: datetime) -> datetime:
    """A datetime as naive UTC (naive input is taken to be UTC already)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _digest(key: bytes, row: tuple[Any, ...], details: Any) -> str:
    """The HMAC-SHA256 of one entry: its fields, parsed details and prev_hash."""
    seq, logged_at, actor, agency, action, resource, ref, purpose, justification, outcome = row[:10]
    prev_hash = row[11]
    payload = [
        seq,
        _iso(logged_at),
        actor,
        agency,
        action,
        resource,
        ref,
        purpose,
        justification,
        outcome,
        details,
        prev_hash,
    ]
    return hmac.new(key, _canonical(payload).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of checking the chain: ok, or the first broken entry and what is wrong."""

    ok: bool
    checked: int
    first_broken: int | None = None
    problem: str | None = None
    head: str | None = None


HEAD = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"


def _committed_head(con: Any) -> tuple[Any, ...] | None:
    """The last committed entry, read on a fresh cursor (outside the caller's transaction)."""
    cursor = con.cursor()
    try:
        row = cursor.execute(HEAD).fetchone()
        return tuple(row) if row else None
    finally:
        cursor.close()


@dataclass(frozen=True, slots=True)
class Entry:
    """One audit entry to chain (`AuditLog.append`'s fields)."""

    actor: str
    actor_agency: str | None
    action: str
    outcome: str
    resource: str | None = None
    ref: str | None = None
    purpose: str | None = None
    justification: str | None = None
    details: dict[str, Any] | None = None
    at: datetime | None = None


def _prepared(entry: Entry) -> tuple[tuple[Any, ...], str | None, Any]:
    """(logged_at … outcome as stored, the details as canonical text, and parsed back), or ValueError."""
    if entry.action not in ACTIONS:
        raise ValueError(f"unknown audit action {entry.action!r}; use one of {', '.join(ACTIONS)}")
    if not entry.actor:
        raise ValueError("an audit entry needs an actor")
    try:
        details_text = None if entry.details is None else _canonical(entry.details)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"audit details must be JSON-serialisable: {exc}") from exc
    parsed = None if details_text is None else json.loads(details_text)
    logged_at = _naive_utc(entry.at) if entry.at is not None else datetime.now(UTC).replace(tzinfo=None)
    fields = (
        logged_at,
        entry.actor,
        entry.actor_agency,
        entry.action,
        entry.resource,
        entry.ref,
        entry.purpose,
        entry.justification,
        entry.outcome,
    )
    return fields, details_text, parsed


class AuditLog:
    """The hash-chained audit trail of one store."""

    def __init__(self, store: Store, key: bytes | None = None) -> None:
        self.store = store
        self._key = key

    @property
    def key(self) -> bytes:
        """The HMAC key, read from outside the database on first use; created only while the trail is
        empty (a new store), never when entries exist (`AuditKeyMissing` names the file and the fix)."""
        if self._key is None:
            self._key = trail_key(self.store)
        return self._key

    def append(
        self,
        *,
        actor: str,
        actor_agency: str | None,
        action: str,
        outcome: str,
        resource: str | None = None,
        ref: str | None = None,
        purpose: str | None = None,
        justification: str | None = None,
        details: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> int:
        """Chain one entry onto the trail (in the caller's transaction, if any) and return its seq."""
        entry = Entry(
            actor, actor_agency, action, outcome, resource, ref, purpose, justification, details, at
        )
        return self.append_many([entry])[0]

    def append_many(self, entries: Sequence[Entry]) -> list[int]:
        """Chain entries onto the trail in this order, in one statement (in the caller's transaction, if
        any; otherwise committed, so durable, before this returns), and return their seqs. One request's
        consultation entry and its denials go together: one read of the head, one commit."""
        prepared = [_prepared(entry) for entry in entries]
        if not prepared:
            return []
        hook = getattr(_HELD, "hook", None)
        if hook is not None:  # inside `appends_held(on_append=True)`: held from here to its end
            hook()
        with APPEND_LOCK:
            con = self.store.con
            last = con.execute(HEAD).fetchone()
            # Inside a transaction the snapshot may predate entries other cursors committed since
            # (the reads beside a server's upload): the chain continues from the newer head.
            committed = _committed_head(con)
            if committed is not None and (last is None or int(committed[0]) > int(last[0])):
                last = committed
            seq = int(last[0]) if last else 0
            prev_hash = str(last[1]) if last else GENESIS
            rows: list[Any] = []
            for fields, details_text, parsed in prepared:
                seq += 1
                row = (seq, *fields, None, prev_hash)
                digest = _digest(self.key, row, parsed)
                rows += [*row[:10], details_text, prev_hash, digest]
                prev_hash = digest
            marks = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(prepared))
            con.execute(f"INSERT INTO audit_log ({COLUMNS}) VALUES {marks}", rows)
            return list(range(seq - len(prepared) + 1, seq + 1))

    def _stream(self, sql: str, params: list[Any] | None = None) -> Iterator[tuple[Any, ...]]:
        """Rows of a query on a separate cursor, fetched in batches."""
        cursor = self.store.con.cursor()
        try:
            cursor.execute(sql, params or [])
            while rows := cursor.fetchmany(BATCH):
                yield from rows
        finally:
            cursor.close()

    def verify(self, anchor: tuple[int, str] | None = None) -> VerifyResult:
        """Walk the chain in seq order and report the first entry edited, missing or out of place."""
        expected, prev_seq, prev_hash, checked = 1, 0, GENESIS, 0
        key = self.key
        for row in self._stream(f"SELECT {COLUMNS} FROM audit_log ORDER BY seq"):
            seq, text, stored_prev, stored_hash = int(row[0]), row[10], row[11], row[12]
            checked += 1
            if seq < expected:
                return self._broken(checked, seq, f"entry {seq} appears more than once")
            if seq > expected:
                problem = f"entry {expected} is missing (the next entry is {seq})"
                return self._broken(checked, expected, problem)
            try:
                details = None if text is None else json.loads(text)
            except ValueError:
                return self._broken(checked, seq, f"entry {seq} was altered (its details are not JSON)")
            rewritten = text is not None and text != _canonical(details)
            if rewritten or stored_hash != _digest(key, row, details):
                return self._broken(checked, seq, self._altered(row, details, prev_hash))
            if stored_prev != prev_hash:
                what = f"does not follow entry {prev_seq}" if prev_seq else "does not start the chain"
                return self._broken(checked, seq, f"entry {seq} {what}")
            expected, prev_seq, prev_hash = seq + 1, seq, stored_hash
        if anchor is not None:
            anchor_seq, anchor_hash = anchor
            if anchor_seq > prev_seq:
                return self._broken(
                    checked,
                    prev_seq + 1,
                    f"entry {prev_seq + 1} is missing: the noted head is entry {anchor_seq} but the trail "
                    f"ends at entry {prev_seq} (its tail was cut)",
                )
            noted = self._one("SELECT hash FROM audit_log WHERE seq = ?", [anchor_seq])
            if noted is None or noted[0] != anchor_hash:
                return self._broken(
                    checked,
                    anchor_seq,
                    f"entry {anchor_seq} differs from the noted head (the trail was rewritten from there)",
                )
        return VerifyResult(True, checked, None, None, prev_hash if prev_seq else None)

    def _broken(self, checked: int, seq: int, problem: str) -> VerifyResult:
        """A failed verification, with the log's current head."""
        head = self.head()
        return VerifyResult(False, checked, seq, problem, head[1] if head else None)

    def _altered(self, row: tuple[Any, ...], details: Any, prev_hash: str) -> str:
        """Say how an entry whose hash does not match was changed: moved, or edited."""
        seq, stored_prev, stored_hash = int(row[0]), row[11], row[12]
        if stored_prev != prev_hash and stored_prev != GENESIS:
            found = self._one("SELECT seq FROM audit_log WHERE hash = ? ORDER BY seq LIMIT 1", [stored_prev])
            if found is not None:
                origin = int(found[0]) + 1
                if origin != seq and _digest(self.key, (origin, *row[1:]), details) == stored_hash:
                    return f"entry {seq} is out of place: it holds entry {origin} (the trail was reordered)"
                return (
                    f"entry {seq} is out of place: it claims to follow the entry now numbered {found[0]} "
                    "(the trail was reordered or edited)"
                )
        hint = " (or the audit key is not the one the trail was written with)" if seq == 1 else ""
        return f"entry {seq} was altered{hint}"

    def _one(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
        """The first row of a query on a separate cursor (committed entries only)."""
        cursor = self.store.con.cursor()
        try:
            return cursor.execute(sql, params or []).fetchone()
        finally:
            cursor.close()

    def head(self) -> tuple[int, str] | None:
        """Seq and hash of the last committed entry: note it outside the system to detect a cut tail."""
        row = self._one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        return (int(row[0]), str(row[1])) if row else None

    def entries(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        *,
        action: str | None = None,
        newest_first: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Entries logged in [since, until), in seq order (or newest first), with their hashes."""
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append("logged_at >= ?")
            params.append(_naive_utc(since))
        if until is not None:
            where.append("logged_at < ?")
            params.append(_naive_utc(until))
        if action is not None:
            where.append("action = ?")
            params.append(action)
        sql = f"SELECT {COLUMNS} FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq DESC" if newest_first else " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        names = [c.strip() for c in COLUMNS.split(",")]
        for row in self._stream(sql, params):
            entry = dict(zip(names, row, strict=True))
            entry["logged_at"] = row[1].replace(tzinfo=UTC)
            entry["details"] = None if row[10] is None else json.loads(row[10])
            yield entry

    def export_jsonl(self, out: TextIO, since: datetime | None = None, until: datetime | None = None) -> int:
        """Write the entries of [since, until) as JSON lines plus a summary line; return the count."""
        count = 0
        for entry in self.entries(since, until):
            line = {"type": "entry", **entry, "logged_at": _iso(_naive_utc(entry["logged_at"]))}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
        head = self.head()
        result = self.verify()
        summary = {
            "type": "export_summary",
            "from": None if since is None else _iso(_naive_utc(since)),
            "to": None if until is None else _iso(_naive_utc(until)),
            "count": count,
            "head_seq": head[0] if head else None,
            "head": head[1] if head else None,
            "verified": result.ok,
            "problem": result.problem,
            "exported_at": _iso(datetime.now(UTC).replace(tzinfo=None)),
        }
        out.write(json.dumps(summary, ensure_ascii=False) + "\n")
        return count


def record_decision(
    log: AuditLog,
    viewer: Viewer,
    resource: str,
    ref: str,
    decision: Decision,
    purpose: str,
    justification: str | None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Log one authorisation decision (granted or denied) with its rule and reason."""
    log.append_many([_decision_entry(viewer, resource, ref, decision, purpose, justification, extra)])


def _decision_entry(
    viewer: Viewer,
    resource: str,
    ref: str,
    decision: Decision,
    purpose: str,
    justification: str | None,
    extra: dict[str, Any] | None,
) -> Entry:
    return Entry(
        actor=viewer.user,
        actor_agency=viewer.agency,
        action="authorisation",
        outcome=decision.visibility,
        resource=resource,
        ref=ref,
        purpose=purpose,
        justification=justification,
        details={**(extra or {}), "rule": decision.rule, "reason": decision.reason},
    )


class ConsultationBatch:
    """The decisions of one request: one consultation entry, plus one authorisation entry per denial."""

    def __init__(
        self,
        log: AuditLog,
        viewer: Viewer,
        purpose: str,
        justification: str | None,
        what: str = "mare records",
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.log = log
        self.extra = extra or {}
        self._bulk: dict[str, dict[str, Any]] = {}
        self.viewer = viewer
        self.purpose = purpose
        self.justification = justification
        self.what = what
        self._items: list[tuple[str, str, Decision]] = []
        self._ahead: list[Entry] = []
        self._flushed = False

    def ahead(self, entry: Entry) -> None:
        """An entry of this request written just before its consultation entry, in the same statement
        (the sign-in's `login` entry, a search's own entry): one head read and one commit per request."""
        self._ahead.append(entry)

    def add(self, resource: str, ref: str, decision: Decision) -> None:
        """Note one decision of this request."""
        self._items.append((resource, ref, decision))

    def add_bulk(self, resource: str, shown: int, withheld: dict[str, int]) -> None:
        """Note a read filtered in the database: rows shown, and rows withheld by rule."""
        entry = self._bulk.setdefault(resource, {"shown": 0, "withheld": Counter()})
        entry["shown"] += shown
        entry["withheld"].update(withheld)

    def flush(self) -> int | None:
        """Write the consultation entry and the denials; return its seq (None when nothing is new)."""
        if self._flushed and not self._items and not self._bulk and not self._ahead:
            return None
        ahead, self._ahead = self._ahead, []
        if ahead and not self._items and not self._bulk:  # nothing (new) consulted: the entries ahead
            self.log.append_many(ahead)
            return None
        items, self._items, self._flushed = self._items, [], True
        bulk, self._bulk = self._bulk, {}
        refs: dict[str, list[str]] = {"full": [], "hit": [], "none": []}
        rules: Counter[str] = Counter()
        resources: Counter[str] = Counter()
        for resource, ref, decision in items:
            refs[decision.visibility].append(ref)
            rules[decision.rule] += 1
            resources[resource] += 1
        shown_bulk = sum(b["shown"] for b in bulk.values())
        withheld_bulk = sum(sum(b["withheld"].values()) for b in bulk.values())
        if bulk and not items:
            outcome = (
                "empty"
                if not (shown_bulk or withheld_bulk)
                else ("full" if not withheld_bulk else "partial" if shown_bulk else "denied")
            )
        elif not items:
            outcome = "empty"
        elif len(refs["full"]) == len(items):
            outcome = "full"
        elif refs["full"]:
            outcome = "partial"
        else:
            outcome = "denied"
        consultation = Entry(
            actor=self.viewer.user,
            actor_agency=self.viewer.agency,
            action="consultation",
            outcome=outcome,
            resource=self.what,
            purpose=self.purpose,
            justification=self.justification,
            details={
                **self.extra,
                **refs,
                "rules": dict(rules),
                "resources": dict(resources),
                **(
                    {
                        "bulk": {
                            k: {"shown": v["shown"], "withheld": dict(v["withheld"])} for k, v in bulk.items()
                        }
                    }
                    if bulk
                    else {}
                ),
            },
        )
        denials = [
            _decision_entry(
                self.viewer, resource, ref, decision, self.purpose, self.justification, self.extra
            )
            for resource, ref, decision in items
            if not decision.full
        ]
        # The entries ahead, the consultation entry and its denials in one statement: one read of the head,
        # one commit.
        return self.log.append_many([*ahead, consultation, *denials])[len(ahead)]

    def __enter__(self) -> ConsultationBatch:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.flush()
