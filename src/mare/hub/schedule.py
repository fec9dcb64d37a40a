"""The hub's scheduled work, run as its own processing (`system:schedule`), e.g. daily from cron.

1. the early-warning detectors for every recipient (`hub.early_warning.run`);
2. the retention due check: each agency with records whose review date has passed is notified
   (kind `retention`, metadata only: how many records, since when), once a day;
3. the daily monitoring reports are products, written after this by `products.scheduled` (which
   `mare schedule run` calls); `daily_report` says what was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from mare.hub.context import system_context
from mare.hub.early_warning import RunResult, run
from mare.hub.notifications import notify
from mare.hub.retention import _due
from mare.store.db import Store

PROCESS = "schedule"


@dataclass
class ScheduleResult:
    """What one scheduled run did."""

    today: date
    warnings: RunResult
    retention: dict[str, int] = field(default_factory=dict)
    daily_report: str = "not produced (only `products.scheduled.scheduled_run` writes them)"

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "today": self.today.isoformat(),
            "warnings": {
                "new": len(self.warnings.warnings),
                "by_agency": {a: s.get("new", 0) for a, s in self.warnings.recipients.items()},
            },
            "retention_due": self.retention,
            "daily_report": self.daily_report,
        }


def run_schedule(
    store: Store, on_behalf_of: str, today: date | None = None, period: str = "month"
) -> ScheduleResult:
    """Run the scheduled work as `system:schedule`, on behalf of whoever started it (cron's user)."""
    today = today or datetime.now(UTC).date()
    with system_context(store, PROCESS) as system:
        system.log("processing", "started", resource=PROCESS, details={"on_behalf_of": on_behalf_of})
        warnings = run(system, period, today)
        result = ScheduleResult(today, warnings, _retention_check(system.store, today, on_behalf_of))
        system.log("processing", "done", resource=PROCESS, details=result.as_dict())
    return result


def _retention_check(store: Store, today: date, on_behalf_of: str) -> dict[str, int]:
    """Notify each agency with records due for review (once a day); the counts per agency."""
    with system_context(store, "retention") as system:
        system.permit("retention.run")
        counts: dict[str, int] = {}
        for record in _due(system, today, None):
            counts[record.agency] = counts.get(record.agency, 0) + 1
        for agency, n in sorted(counts.items()):
            already = store.con.execute(
                "SELECT 1 FROM notifications WHERE agency = ? AND kind = 'retention' "
                "AND CAST(created_at AS DATE) = ?",
                [agency, datetime.now(UTC).date()],
            ).fetchone()
            if not already:
                notify(
                    store,
                    agency,
                    "retention",
                    f"Retention: {n} record(s) of {agency} due for review on or before {today.isoformat()}",
                    "Review them: mare retention due (extend what must be kept: mare retention extend).",
                )
        system.log(
            "retention",
            "checked",
            resource="retention due",
            details={"on_behalf_of": on_behalf_of, "agencies": len(counts), "records": sum(counts.values())},
        )
    return counts
