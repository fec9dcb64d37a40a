"""Erasure: remove records from the store, from derived data and from the kept raw files.

After `erase_records`, `compact` rewrites the DuckDB file so that no erased byte survives in
freed pages. What remains is an `erasures` row and an audit entry without the erased content.

Crash safety: the erasure, its audit entry (written by the caller's `before_commit`) and a pending
`compact` job commit together; redacted raw copies are written before the commit and the old
files deleted after it, and `compact` ends the job only once the new file is in place. An
interrupted erasure is therefore either not done at all, or done and audited with its compaction
pending: `finish_erasure` (run by the next erasure, retention run or `mare doctor --repair`) does
the rest and removes any raw file the crash left behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from mare.store.db import DB_NAME, Store, as_processing
from mare.store.health import COMPACT_NAME, remove_leftovers
from mare.store.jobs import STORE, add_jobs, finish_jobs, pending_jobs
from mare.store.migrations import DERIVED_TABLES

#: What replaces text that quoted an erased record (consent justifications, their notifications).
ERASED = "[erased]"


@dataclass(slots=True)
class ErasureReport:
    """What an erasure removed (counts only: never the content)."""

    records: int = 0
    values: int = 0
    links: int = 0
    problems: int = 0
    raw_files_rewritten: int = 0
    derived: dict[str, int] = field(default_factory=dict)


def _redact_json(data: bytes, local_ids: set[str]) -> bytes:
    doc = json.loads(
        data.decode("utf-8-sig") if not data.startswith((b"\xff\xfe", b"\xfe\xff")) else data.decode("utf-16")
    )
    doc["records"] = [r for r in doc.get("records", []) if str(r.get("id")) not in local_ids]
    doc["links"] = [
        link
        for link in doc.get("links", [])
        if str(link.get("source")) not in local_ids and str(link.get("target")) not in local_ids
    ]
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _redact_csv(data: bytes, local_ids: set[str], columns: tuple[str, ...]) -> bytes:
    text = data.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return data
    header = rows[0]
    idx = [header.index(c) for c in columns if c in header]
    kept = [rows[0]] + [r for r in rows[1:] if not any(i < len(r) and r[i].strip() in local_ids for i in idx)]
    out = io.StringIO(newline="")
    csv.writer(out).writerows(kept)
    return out.getvalue().encode("utf-8")


def _mentions(value: object, ids: set[str]) -> bool:
    """True when a parsed JSON value holds one of these ids (as a whole string, at any depth)."""
    if isinstance(value, str):
        return value in ids
    if isinstance(value, list):
        return any(_mentions(v, ids) for v in value)
    if isinstance(value, dict):
        return any(_mentions(v, ids) for v in value.values())
    return False


def _redact_jsonl(data: bytes, local_ids: set[str]) -> bytes:
    """Drop the FtM entities with these ids and every entity whose properties point at them."""
    kept = []
    for line in data.decode("utf-8-sig", errors="replace").splitlines():
        try:
            entity = json.loads(line)
        except json.JSONDecodeError:
            kept.append(line)  # a line that was never read as an entity holds no erased record
            continue
        if isinstance(entity, dict) and (
            str(entity.get("id")) in local_ids or _mentions(entity.get("properties"), local_ids)
        ):
            continue
        kept.append(line)
    return ("\n".join(kept) + "\n").encode("utf-8")


def _rewrite_raw(store: Store, contribution: str, fmt: str, local_ids: set[str], unused: list[Path]) -> int:
    files = store.con.execute(
        "SELECT name, sha256 FROM contribution_files WHERE contribution = ?", [contribution]
    ).fetchall()
    rewritten = 0
    for name, sha in files:
        path = store.archive.path_for(sha)
        if not path.exists():
            continue
        data = path.read_bytes()
        if name.endswith(".envelope.json") or name == "envelope.json":
            continue
        if fmt == "json":
            new = _redact_json(data, local_ids)
        elif fmt == "csv_bundle" and name.endswith(".csv"):
            new = _redact_csv(data, local_ids, ("id", "source", "target"))
        elif fmt == "ftm":
            new = _redact_jsonl(data, local_ids)
        else:
            continue
        new_sha, _ = store.archive.put_bytes(new)
        store.con.execute(
            "UPDATE contribution_files SET sha256 = ? WHERE contribution = ? AND name = ?",
            [new_sha, contribution, name],
        )
        store.con.execute(
            "INSERT INTO raw_files SELECT ?, ?, ? WHERE NOT EXISTS "
            "(SELECT 1 FROM raw_files WHERE sha256 = ?)",
            [new_sha, len(new), str(store.archive.path_for(new_sha).relative_to(store.home)), new_sha],
        )
        still_used = store.con.execute(
            "SELECT count(*) FROM contribution_files WHERE sha256 = ?", [sha]
        ).fetchone()
        if still_used and still_used[0] == 0:
            store.con.execute("DELETE FROM raw_files WHERE sha256 = ?", [sha])
            unused.append(path)  # deleted after the commit: a rollback must find it still there
        rewritten += 1
    return rewritten


def _erase_name_symbols(con: duckdb.DuckDBPyConnection) -> int:
    """Drop the cached name symbols of tokens only the erased records' names used."""
    tokens = (
        "SELECT DISTINCT unnest(from_json(extra->'tokens', '[\"VARCHAR\"]')) AS token FROM record_values "
        "WHERE extra IS NOT NULL AND json_type(extra->'tokens') = 'ARRAY' AND record_uid {scope} "
        "UNION SELECT DISTINCT unnest(name_parts).t FROM person_features WHERE record_uid {scope}"
    )
    erased = tokens.format(scope="IN (SELECT uid FROM _erase)")
    kept = tokens.format(scope="NOT IN (SELECT uid FROM _erase)")
    return _count(
        con,
        f"DELETE FROM name_symbols WHERE token IN ({erased}) AND token NOT IN ({kept}) RETURNING 1",
    )


def _redact_consent(con: duckdb.DuckDBPyConnection) -> int:
    """Consent requests on erased records keep who asked whom and when, not the words that may quote them."""
    requests = "SELECT id FROM consent_requests WHERE record_uid IN (SELECT uid FROM _erase)"
    redacted = _count(
        con,
        "UPDATE notifications SET body = ? WHERE kind IN ('consent_request', 'consent_decision', "
        f"'override') AND body IS NOT NULL AND ref IN ({requests}) RETURNING 1",
        [ERASED],
    )
    con.execute(
        "UPDATE consent_requests SET justification = ?, "
        "decision_reason = CASE WHEN decision_reason IS NULL THEN NULL ELSE ? END "
        "WHERE record_uid IN (SELECT uid FROM _erase)",
        [ERASED, ERASED],
    )
    return redacted


def erase_records(
    store: Store,
    uids: Iterable[str],
    erased_by: str,
    reason: str,
    before_commit: Callable[[ErasureReport], None] | None = None,
) -> ErasureReport:
    """Erase these records, their values and links, derived data and raw copies, in one transaction.

    `before_commit(report)` runs last in it (the caller's audit entry), with a pending `compact` job.
    On PostgreSQL it runs as the store's own processing (`as_processing`): every row is reached."""
    with as_processing(store):
        return _erase_records(store, uids, erased_by, reason, before_commit)


def _erase_records(
    store: Store,
    uids: Iterable[str],
    erased_by: str,
    reason: str,
    before_commit: Callable[[ErasureReport], None] | None,
) -> ErasureReport:
    targets = sorted(set(uids))
    report = ErasureReport()
    if not targets:
        return report
    con = store.con
    unused: list[Path] = []
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _erase (uid VARCHAR)")
        con.executemany("INSERT INTO _erase VALUES (?)", [[u] for u in targets])
        rows = con.execute(
            "SELECT r.uid, r.kind, r.agency, r.contribution, r.local_id, r.row_ref, c.format "
            "FROM records r JOIN contributions c ON c.uid = r.contribution "
            "WHERE r.uid IN (SELECT uid FROM _erase)"
        ).fetchall()
        now = datetime.now(UTC).replace(tzinfo=None)
        by_contribution: dict[tuple[str, str], set[str]] = {}
        for uid, kind, agency, contribution, local_id, row_ref, fmt in rows:
            con.execute(
                "INSERT INTO erasures VALUES (?, ?, ?, ?, ?, ?, ?)",
                [uid, kind, agency, contribution, now, erased_by, reason],
            )
            by_contribution.setdefault((contribution, fmt), set()).add(local_id)
            if row_ref and ":" in row_ref:
                file, _, row = row_ref.rpartition(":")
                if row.isdigit():
                    report.problems += _count(
                        con,
                        "DELETE FROM ingest_problems WHERE contribution = ? "
                        "AND file = ? AND row_number = ? RETURNING 1",
                        [contribution, file, int(row)],
                    )
        report.derived["name_symbols"] = _erase_name_symbols(con)
        report.derived["consent_notifications"] = _redact_consent(con)
        report.values = _count(
            con, "DELETE FROM record_values WHERE record_uid IN (SELECT uid FROM _erase) RETURNING 1"
        )
        report.links = _count(
            con,
            "DELETE FROM links WHERE source_uid IN (SELECT uid FROM _erase) "
            "OR target_uid IN (SELECT uid FROM _erase) RETURNING 1",
        )
        report.records = _count(con, "DELETE FROM records WHERE uid IN (SELECT uid FROM _erase) RETURNING 1")
        for derived in DERIVED_TABLES:
            where = derived.where.replace("{erased}", "(SELECT uid FROM _erase)")
            removed = _count(con, f"DELETE FROM {derived.table} WHERE {where} RETURNING 1")
            report.derived[derived.table] = report.derived.get(derived.table, 0) + removed
        for (contribution, fmt), local_ids in by_contribution.items():
            report.raw_files_rewritten += _rewrite_raw(store, contribution, fmt, local_ids, unused)
        con.execute("DROP TABLE _erase")
        add_jobs(con, "compact", [STORE])
        if before_commit is not None:
            before_commit(report)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    for path in unused:
        path.unlink(missing_ok=True)
    return report


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    return len(con.execute(sql, params or []).fetchall())


def _quoted(text: str) -> str:
    """A SQL string literal (DuckDB's ATTACH takes no parameters for its path)."""
    return "'" + text.replace("'", "''") + "'"


def compact(store: Store) -> None:
    """Rewrite the DuckDB file so freed pages holding erased data are gone (swaps files), remove raw
    files no row names any more, and end the pending `compact` job.

    On PostgreSQL (docs/server_store.md) the erased rows are dead tuples until vacuumed: `VACUUM FULL`
    rewrites every table the connected role owns (run as the application role, the server skips
    the tables with a warning and autovacuum reclaims the space later; the owner's `VACUUM FULL`
    rewrites them at once)."""
    if store.url is not None:
        with as_processing(store):
            store.con.execute_native("VACUUM FULL")  # type: ignore[attr-defined]
            remove_leftovers(store)
            finish_jobs(store.con, "compact")
        return
    db = store.home / DB_NAME
    fresh = store.home / COMPACT_NAME
    fresh.unlink(missing_ok=True)
    Path(str(fresh) + ".wal").unlink(missing_ok=True)
    con = store.con
    con.execute("CHECKPOINT")
    catalog = con.execute("SELECT current_database()").fetchone()
    assert catalog is not None
    con.execute(f"ATTACH {_quoted(str(fresh))} AS _fresh")
    con.execute(f'COPY FROM DATABASE "{catalog[0].replace(chr(34), chr(34) * 2)}" TO _fresh')
    con.execute("DETACH _fresh")
    con.close()
    os.replace(fresh, db)
    Path(str(db) + ".wal").unlink(missing_ok=True)
    store.con = duckdb.connect(str(db))
    store.con.execute("SET preserve_insertion_order = false")
    remove_leftovers(store)
    finish_jobs(store.con, "compact")


def finish_erasure(store: Store) -> bool:
    """Compact the store when an erasure's compaction is still pending (a crash cut it short)."""
    if not pending_jobs(store.con, "compact"):
        return False
    compact(store)
    return True
