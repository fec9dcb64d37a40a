"""Work the store owes itself, kept in the store: derived data to compute, a file to compact.

A job is one row of `jobs` (kind, ref). It is added in the transaction that makes the work due (a
contribution stored owes its cross-check and geocoding; an erasure owes a compaction) and removed
in the transaction that writes the work's result, so a crash at any point leaves either the old
state with the job still pending, or the new state with the job gone. The next `mare ingest`,
`mare crosscheck` or `mare doctor --repair` does what is still pending.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

#: crosscheck, watchlists and geocode: per contribution uid; compact: ref STORE, once per store.
JOB_KINDS = ("crosscheck", "watchlists", "geocode", "compact")
STORE = "store"


def add_jobs(con: duckdb.DuckDBPyConnection, kind: str, refs: Iterable[str]) -> None:
    """Note that this work is due (in the caller's transaction; a job already pending stays one)."""
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    for ref in dict.fromkeys(refs):
        con.execute(
            "INSERT INTO jobs SELECT ?, ?, now()::TIMESTAMP "
            "WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = ? AND ref = ?)",
            [kind, ref, kind, ref],
        )


def pending_jobs(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    """The refs of this kind of job still pending, oldest first."""
    rows = con.execute("SELECT ref FROM jobs WHERE kind = ? ORDER BY created_at, ref", [kind]).fetchall()
    return [str(r[0]) for r in rows]


def finish_jobs(con: duckdb.DuckDBPyConnection, kind: str, refs: Iterable[str] | None = None) -> None:
    """Mark these jobs done (None: every job of this kind), in the transaction that did the work."""
    if refs is None:
        con.execute("DELETE FROM jobs WHERE kind = ?", [kind])
        return
    todo = list(dict.fromkeys(refs))
    if todo:
        con.execute("DELETE FROM jobs WHERE kind = ? AND ref IN (SELECT unnest(?))", [kind, todo])


def job_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Pending jobs by kind."""
    rows = con.execute("SELECT kind, count(*) FROM jobs GROUP BY kind ORDER BY kind").fetchall()
    return {str(k): int(n) for k, n in rows}
