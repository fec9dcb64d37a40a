"""The scheduled run with its products: the hub's scheduled work, then each recipient's daily report.

`mare schedule run` (cron, daily) calls `scheduled_run`: `hub.schedule.run_schedule` (early-warning
detectors, retention due check), then for the hub and every agency the daily monitoring report of
`today`'s previous day, built under that agency's own view (`system:daily_report` with the agency's
analyst view, as the detectors run), written as HTML to
`<home>/reports/daily/<day>/<AGENCY>.html` and audited as every report is (`report.generate`).
Re-running the same day rewrites the same files: the run is idempotent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from mare.access.policy import SYSTEM_ROLE, Viewer
from mare.hub.context import HubContext
from mare.hub.early_warning import recipients
from mare.hub.schedule import ScheduleResult, run_schedule
from mare.products.generate import generate
from mare.products.render import render_html
from mare.store.db import Store

PROCESS = "daily_report"


@dataclass
class ScheduledRun:
    """The scheduled work's result and the daily reports written, per recipient."""

    schedule: ScheduleResult
    day: date
    reports: dict[str, Path] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        data = self.schedule.as_dict()
        data["daily_report"] = {
            "day": self.day.isoformat(),
            "written": {agency: str(path) for agency, path in self.reports.items()},
        }
        return data


def daily_folder(store: Store, day: date) -> Path:
    """Where the daily reports of `day` are written."""
    return store.home / "reports" / "daily" / day.isoformat()


def scheduled_run(
    store: Store, on_behalf_of: str, today: date | None = None, period: str = "month"
) -> ScheduledRun:
    """The scheduled work, then yesterday's daily report for every recipient under its own view."""
    today = today or datetime.now(UTC).date()
    schedule = run_schedule(store, on_behalf_of, today, period)
    day = today - timedelta(days=1)
    done = ScheduledRun(schedule, day)
    folder = daily_folder(store, day)
    folder.mkdir(parents=True, exist_ok=True)
    for agency in recipients(store):
        viewer = Viewer(user=f"system:{PROCESS}", agency=agency, roles=frozenset({"analyst", SYSTEM_ROLE}))
        with HubContext(store, viewer, "system", what=f"{PROCESS} {day.isoformat()}", today=today) as ctx:
            report = generate(ctx, "daily", day=day)
        path = folder / f"{agency}.html"
        partial = path.with_suffix(".html.part")
        partial.write_text(render_html(report), encoding="utf-8")
        os.replace(partial, path)  # a reader never sees half a report
        done.reports[agency] = path
    schedule.daily_report = f"{len(done.reports)} written to {folder}"
    return done
