"""`mare doctor`: check a store after a crash (or any day) and repair what can be repaired safely.

Exit status of the command: 0 when nothing needs a person (what is left, `--repair` fixes), 1 when
something does. Checks: the schema migrations applied; the audit key and the audit chain; files a crash left
beside the store (orphan raw files, temporary files) and raw files recorded but gone; derived data
owed (pending jobs: cross-check, watchlist check, geocoding, a compaction after an erasure) and
persons without cross-check features. Repairs (`repair=True`): a migration the store skipped,
the pending jobs (run as the hub's named system processes, audited as such), orphan and
temporary files. Never repaired: a broken audit chain, a missing audit key, a missing raw file
(each needs a person and a backup; the check says which). Needs `audit.verify` (the hub's
supervisor, DPO or admin); the run is one audit entry with counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from mare.hub.audit import AuditLog, audit_key, audit_key_path
from mare.hub.context import HubContext
from mare.hub.intake import complete_pending
from mare.store.erasure import finish_erasure
from mare.store.health import leftovers, remove_leftovers
from mare.store.jobs import add_jobs, job_counts
from mare.store.migrations import MIGRATIONS


@dataclass(slots=True)
class Check:
    """One thing checked: ok or not, what was found, what was repaired, how to fix the rest."""

    name: str
    ok: bool
    detail: str
    repaired: str | None = None
    fix: str | None = None
    repairable: bool = False  # `mare doctor --repair` fixes it: no person is needed


@dataclass(slots=True)
class DoctorReport:
    """Every check of one run."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every check passed (after the repairs)."""
        return all(c.ok for c in self.checks)

    @property
    def sound(self) -> bool:
        """True when nothing needs a person: every problem left is one `--repair` fixes."""
        return all(c.ok or c.repairable for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"ok": self.ok, "sound": self.sound, "checks": [asdict(c) for c in self.checks]}


def _applied(ctx: HubContext) -> set[int]:
    rows = ctx.store.con.execute("SELECT version FROM schema_migrations").fetchall()
    return {int(r[0]) for r in rows}


def _skipped(ctx: HubContext) -> list[int]:
    have = _applied(ctx)
    return [m.version for m in MIGRATIONS if m.version not in have]


def _apply_skipped(ctx: HubContext) -> list[int]:
    """Apply each migration the store lacks below its version (each in its own transaction)."""
    con = ctx.store.con
    done = []
    for step in MIGRATIONS:
        if step.version in _applied(ctx):
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(step.sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)", [step.version, step.name]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            continue
        done.append(step.version)
    return done


def _migrations(ctx: HubContext, repair: bool) -> Check:
    skipped = _skipped(ctx)
    repaired = None
    if skipped and repair:
        applied = _apply_skipped(ctx)
        repaired = f"applied migration(s) {', '.join(map(str, applied))}" if applied else None
        skipped = _skipped(ctx)
    latest = MIGRATIONS[-1].version
    if skipped:
        return Check(
            "migrations",
            False,
            f"migration(s) {', '.join(map(str, skipped))} not applied (the store is at {latest})",
            repaired,
            "run `mare doctor --repair`; if it fails, restore the store from a backup",
        )
    return Check("migrations", True, f"all {len(MIGRATIONS)} applied (schema version {latest})", repaired)


def _audit(ctx: HubContext) -> tuple[Check, bool]:
    """The key and the chain; the bool says whether the key can be used for this run's own entry."""
    path = audit_key_path(ctx.store.home)
    row = ctx.store.con.execute("SELECT count(*) FROM audit_log").fetchone()
    entries = int(row[0]) if row else 0
    if not path.exists():
        if not entries:
            return Check("audit", True, "no entries yet (the key is made with the first)"), True
        return (
            Check(
                "audit",
                False,
                f"no audit key at {path}, and the trail has {entries:,} entries",
                fix="restore the key file from its backup (mode 0600) or set MARE_AUDIT_KEY_FILE; "
                "never make a new one",
            ),
            False,
        )
    result = AuditLog(ctx.store, audit_key(ctx.store.home, create=False)).verify()
    if result.ok:
        return Check("audit", True, f"chain of {result.checked:,} entries verifies"), True
    return (
        Check(
            "audit",
            False,
            f"chain broken at entry {result.first_broken}: {result.problem}",
            fix="investigate with `mare audit verify` and the last noted head; the trail is never rewritten",
        ),
        True,
    )


def _files(ctx: HubContext, repair: bool) -> Check:
    found = leftovers(ctx.store)
    repaired = None
    if repair and (found.orphans or found.temporary):
        repaired = f"removed {remove_leftovers(ctx.store)} file(s)"
        found = leftovers(ctx.store)
    if found.missing:
        return Check(
            "files",
            False,
            f"{len(found.missing)} raw file(s) recorded but missing (first: {found.missing[0]})",
            repaired,
            "restore the folder raw/ from a backup",
        )
    if found.orphans or found.temporary:
        return Check(
            "files",
            False,
            f"{len(found.orphans)} orphan raw file(s), {len(found.temporary)} temporary file(s) "
            "left by a crash",
            repaired,
            "run `mare doctor --repair`",
            repairable=True,
        )
    return Check("files", True, "no orphan or temporary files; every recorded raw file present", repaired)


def _persons_without_features(ctx: HubContext) -> list[str]:
    rows = ctx.store.con.execute(
        "SELECT DISTINCT contribution FROM records WHERE kind = 'person' "
        "AND uid NOT IN (SELECT record_uid FROM person_features) ORDER BY contribution"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _derived(ctx: HubContext, repair: bool) -> Check:
    repaired = None
    if repair:
        stale = _persons_without_features(ctx)
        if stale:
            add_jobs(ctx.store.con, "crosscheck", stale)
        before = job_counts(ctx.store.con)
        compacted = finish_erasure(ctx.store)
        complete_pending(ctx)
        after = job_counts(ctx.store.con)
        done = {k: n - after.get(k, 0) for k, n in before.items() if n > after.get(k, 0)}
        parts = [f"{n} {kind}" for kind, n in done.items() if kind != "compact"]
        parts += ["the compaction after an erasure"] if compacted else []
        repaired = ("completed " + ", ".join(parts)) if parts else None
    jobs = job_counts(ctx.store.con)
    stale = _persons_without_features(ctx)
    if jobs or stale:
        owed = ", ".join(f"{n} {kind}" for kind, n in jobs.items())
        extra = f"; persons of {len(stale)} contribution(s) lack cross-check features" if stale else ""
        return Check(
            "derived data",
            False,
            f"pending: {owed or 'no jobs'}{extra}",
            repaired,
            "run `mare doctor --repair` (or the next `mare ingest` / `mare crosscheck`)",
            repairable=True,
        )
    return Check("derived data", True, "up to date: no pending job", repaired)


def doctor(ctx: HubContext, repair: bool = False) -> DoctorReport:
    """Check this store (and repair what is safe to repair); audited with counts."""
    ctx.permit("audit.verify")
    report = DoctorReport()
    report.checks.append(_migrations(ctx, repair))
    audit_check, can_log = _audit(ctx)
    report.checks.append(audit_check)
    if repair and not can_log:
        repair = False  # the repairs write audit entries, which need the key
        audit_check.fix = (audit_check.fix or "") + "; nothing else was repaired"
    report.checks.append(_derived(ctx, repair))
    report.checks.append(_files(ctx, repair))
    if can_log:
        ctx.log(
            "administration",
            "repaired" if repair else "checked",
            resource="store",
            details={
                "ok": report.ok,
                "failed": [c.name for c in report.checks if not c.ok],
                "repaired": {c.name: c.repaired for c in report.checks if c.repaired},
            },
        )
    return report
