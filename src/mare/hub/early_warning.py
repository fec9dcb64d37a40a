"""Early warning: change detection on the hub's own data, run once per recipient agency.

**Policy.** A warning's numbers come only from records its recipient may see in full. A run
(`run_detectors`, `warnings.run`, the hub's staff or the scheduler) therefore runs the detectors once
per recipient — the hub and every agency with users or records — each under a system context carrying
that agency's analyst view (`system:early_warning` at that agency, audited on behalf of whoever started
the run). Each warning is stored for its recipient only, and the recipient is notified (kind
`early_warning`) with a neutral text; the warning itself is read by the recipient's analysts and
supervisors (`warnings.read`).

**Detectors** (`hub.warning_series` builds what they read):

- `series`: every count series (events and journeys per route, persons moved per route, journeys per
  crossing, events per place and per hotspot cell, persons per nationality, events per type and
  journeys per conveyance) and the median advert price and payment amount per currency, through the
  negative-binomial baseline and CUSUM of `analyse.trends` (docs/trends.md), kept when the alert still
  signalled in the last `RECENT` periods;
- `emerging_hotspot`: an H3 cell hot (Gi*, FDR) in the last `RECENT` periods and not before;
- `route_shift`: a route's share of journeys moving by `SHARE_BOUND` or more against the `BEFORE`
  periods preceding the recent ones;
- `crime_link`: a cross-crime link (`hub.polycrime`) the recipient did not see at its previous run.

A warning is unique on (agency, detector, subject, period, start): re-runs add nothing, and a weekly
and a monthly warning starting the same day are two. Series end at the last complete period before
`today` in which the recipient sees any record (a month nobody has reported yet is not a month of
zero).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from mare.access.policy import SYSTEM_ROLE, ActionTarget, Viewer, allowed
from mare.analyse.trends import PERIODS, Alert, Period, Settings, detect, period_index, period_label
from mare.hub import warning_series as ws
from mare.hub.context import HubContext
from mare.hub.notifications import notify
from mare.store.db import Store

DETECTORS = ("series", "emerging_hotspot", "route_shift", "crime_link")
#: A series alert is a warning while it signalled in the last RECENT periods; structural detectors
#: compare the last RECENT periods with the BEFORE periods preceding them.
RECENT: dict[str, int] = {"month": 3, "week": 6}
#: A series alert is a warning while its last signal lies in the last LOOKBACK periods (the CUSUM
#: restarts after a signal and the baseline adapts: a lasting shift may signal only once).
LOOKBACK: dict[str, int] = {"month": 6, "week": 13}
BEFORE: dict[str, int] = {"month": 12, "week": 26}
#: The hub's series are shorter than the statistics offices': 12 months (26 weeks) of history suffice.
MIN_HISTORY: dict[str, int] = {"month": 12, "week": 26}
#: A series needs at least this many records over its history to be tested.
MIN_RECORDS = 20
#: Periods of counts kept in a warning's evidence.
EVIDENCE_PERIODS = 24
PROCESS = "early_warning"


class EarlyWarningError(ValueError):
    """A run or a warning that cannot be made or found, with what to give instead."""


@dataclass(frozen=True, slots=True)
class EarlyWarning:
    """One warning for one recipient agency, with what explains it."""

    id: str
    agency: str
    detector: str  # 'series' | 'emerging_hotspot' | 'route_shift' | 'crime_link'
    subject: str  # e.g. "journeys on route Central Mediterranean"
    period: str  # 'month' | 'week'
    start: date
    direction: str  # 'up' | 'down'
    baseline: float
    observed: float
    score: float
    explanation: str
    evidence: dict[str, Any]
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "id": self.id,
            "agency": self.agency,
            "detector": self.detector,
            "subject": self.subject,
            "period": self.period,
            "start": self.start.isoformat(),
            "direction": self.direction,
            "baseline": self.baseline,
            "observed": self.observed,
            "score": self.score,
            "explanation": self.explanation,
            "evidence": self.evidence,
            "created_at": self.created_at.isoformat(),
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
            "acknowledged_by": self.acknowledged_by,
        }


@dataclass
class RunResult:
    """New warnings of a run, and per recipient what was tested and what was skipped (and why)."""

    period: str
    warnings: list[EarlyWarning] = field(default_factory=list)
    recipients: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_agency(self, agency: str) -> list[EarlyWarning]:
        """The new warnings of one recipient."""
        return [w for w in self.warnings if w.agency == agency]

    def as_dict(self, agency: str) -> dict[str, Any]:
        """JSON-able form for a reader of `agency`: its own new warnings and skipped series in full, of the
        other recipients only counts (their subjects come from data this reader may not see)."""
        return {
            "period": self.period,
            "agency": agency,
            "new": [w.as_dict() for w in self.for_agency(agency)],
            "recipients": {
                name: summary if name == agency else {**summary, "skipped": len(summary.get("skipped", {}))}
                for name, summary in self.recipients.items()
            },
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def recipients(store: Store) -> list[str]:
    """The hub and every agency registered or with users or records, sorted (the hub first)."""
    rows = store.con.execute(
        "SELECT agency FROM users WHERE NOT disabled UNION SELECT DISTINCT agency FROM records "
        "UNION SELECT id FROM agencies WHERE NOT coalesce(disabled, FALSE)"
    ).fetchall()
    others = sorted({str(r[0]) for r in rows} - {"HUB"})
    return ["HUB", *others]


def recipient_context(store: Store, agency: str, today: date | None = None) -> HubContext:
    """The detectors' context for one recipient: `system:early_warning` with that agency's analyst view."""
    viewer = Viewer(user=f"system:{PROCESS}", agency=agency, roles=frozenset({"analyst", SYSTEM_ROLE}))
    return HubContext(store, viewer, "system", what=PROCESS, today=today)


def _period(period: str) -> Period:
    for known in PERIODS:
        if known == period:
            return known
    raise EarlyWarningError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")


# --- a run -----------------------------------------------------------------------------------------


def run_detectors(ctx: HubContext, period: str = "month", today: date | None = None) -> list[EarlyWarning]:
    """Run every detector for every recipient (`warnings.run`); the new warnings of the caller's agency
    (each recipient's own are read with `warnings` under its own context)."""
    return run(ctx, period, today).for_agency(ctx.viewer.agency)


def run(ctx: HubContext, period: str = "month", today: date | None = None) -> RunResult:
    """Run every detector for every recipient, each under its own view; store and notify what is new."""
    ctx.permit("warnings.run")
    chosen = _period(period)
    today = today or date.today()
    result = RunResult(chosen)
    cache: dict[tuple[str, int, bytes], list[Alert]] = {}  # recipients who see the same data share series
    for agency in recipients(ctx.store):
        with recipient_context(ctx.store, agency, today) as system:
            system.permit("warnings.detect")
            new, summary = _run_for(system, chosen, today, cache)
            system.log(
                "combination",
                "done",
                resource="early_warning",
                details={"on_behalf_of": ctx.viewer.user, "process": PROCESS, "period": chosen, **summary},
            )
        result.warnings += new
        result.recipients[agency] = summary
    ctx.log(
        "combination",
        "done",
        resource="early_warning",
        details={
            "process": PROCESS,
            "period": chosen,
            "today": today.isoformat(),
            "recipients": len(result.recipients),
            "new_warnings": len(result.warnings),
        },
    )
    return result


def _run_for(
    system: HubContext,
    period: Period,
    today: date,
    cache: dict[tuple[str, int, bytes], list[Alert]] | None = None,
) -> tuple[list[EarlyWarning], dict[str, Any]]:
    """Every detector under one recipient's view; the new warnings and a summary of the run. `cache` keeps
    the series detector's alerts by subject and counts across the recipients of one run."""
    end = period_index(today.isoformat(), period) - 1  # the last complete period
    obs = ws.observe(system, period, end)
    summary: dict[str, Any] = {"series": 0, "found": 0, "new": 0, "skipped": {}}
    signals: list[ws.Signal] = []
    if obs.first is not None and obs.last is not None:
        horizon, recent = obs.last, RECENT[period]
        summary["data"] = f"{period_label(obs.first, period)}..{period_label(horizon, period)}"
        signals += _series_signals(obs, period, horizon, summary, {} if cache is None else cache)
        signals += ws.emerging_hotspots(obs, period, recent, horizon)
        signals += ws.route_shifts(obs, period, recent, horizon, BEFORE[period])
        signals = [s for s in signals if not _warned_recently(system, s, period, horizon)]
    else:
        summary["data"] = "none visible"
    signals += _link_signals(system, obs.last if obs.last is not None else end)
    summary["found"] = len(signals)
    new = [w for w in (_save(system, s, period) for s in signals) if w is not None]
    summary["new"] = len(new)
    return new, summary


def _series_signals(
    obs: ws.Observations,
    period: Period,
    horizon: int,
    summary: dict[str, Any],
    cache: dict[tuple[str, int, bytes], list[Alert]],
) -> list[ws.Signal]:
    """Series alerts still signalling in the last RECENT periods, as signals (the detector's alerts of a
    series already tested in this run come from `cache`: the detector is a function of the counts)."""
    settings = Settings.for_period(period, min_history=MIN_HISTORY[period])
    signals = []
    skipped: dict[str, str] = summary["skipped"]
    for subject in sorted(obs.tallies):
        tally = obs.tallies[subject]
        if len(tally.records) < MIN_RECORDS:
            skipped[subject] = f"too few records: {len(tally.records)} (at least {MIN_RECORDS} are needed)"
            continue
        first = min(tally.cells)
        series, empty = tally.series(period, first, horizon)
        try:
            key = (subject, series.first, series.counts.tobytes())
            alerts = cache[key] if key in cache else cache.setdefault(key, detect(series, settings))
        except ValueError as exc:
            skipped[subject] = str(exc)
            continue
        summary["series"] += 1
        for alert in alerts:
            if period_index(alert.end, period) < horizon - LOOKBACK[period] + 1:
                continue
            shown = series.counts[-EVIDENCE_PERIODS:]
            offset = len(series.counts) - len(shown)
            unit = tally.unit if tally.kind == "count" else f"median {tally.unit}"
            evidence = {
                "counts": {series.label(offset + i): _num(v) for i, v in enumerate(shown)},
                "unit": unit,
                "records": len(tally.records),
                "agencies": len(tally.agencies),
                "detected": alert.detected,
                "last_signal": alert.end,
                "interval_95": [_num(alert.lower), _num(alert.upper)],
                "p_value": float(f"{alert.p_value:.3g}"),
                "threshold": alert.threshold,
                "observed_total": _num(alert.observed_total),
                "baseline_total": round(alert.baseline_total, 1),
                "window": alert.window,
                "trend": alert.trend,
                "method": "negative-binomial baseline, CUSUM on its residuals (docs/trends.md)",
            }
            if tally.kind == "median":
                evidence["periods_without_value"] = empty
            rise = "rise" if alert.direction == "up" else "fall"
            signals.append(
                ws.Signal(
                    "series",
                    subject,
                    period_index(alert.start, period),
                    alert.direction,
                    round(alert.baseline, 2),
                    float(alert.observed),
                    round(alert.score, 2),
                    f"A sustained {rise} in {subject} since {alert.start}: {_num(alert.observed)} {unit} in "
                    f"{alert.detected} against {alert.baseline:.1f} expected (95 % interval "
                    f"{_num(alert.lower)}-{_num(alert.upper)}, one-sided p = {alert.p_value:.3g}); "
                    f"CUSUM {alert.score:.1f} over the threshold {alert.threshold:g}. From "
                    f"{len(tally.records)} records of {len(tally.agencies)} agencies.",
                    evidence,
                )
            )
    return signals


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 2)


def _warned_recently(system: HubContext, signal: ws.Signal, period: Period, horizon: int) -> bool:
    """A structural signal already warned of (same subject and direction) in the last 2 x RECENT periods:
    the recent window slides, the finding is the same."""
    if signal.detector == "series":
        return False
    since = ws.period_start(horizon - 2 * RECENT[period] + 1, period)
    return bool(
        system.store.con.execute(
            "SELECT 1 FROM early_warnings WHERE agency = ? AND detector = ? AND subject = ? "
            "AND direction = ? AND period = ? AND start >= ?",
            [system.viewer.agency, signal.detector, signal.subject, signal.direction, period, since],
        ).fetchone()
    )


def _link_signals(system: HubContext, horizon: int) -> list[ws.Signal]:
    """Cross-crime links not seen at this recipient's previous run (the first run only remembers them)."""
    con = system.store.con
    agency = system.viewer.agency
    previous = con.execute(
        "SELECT max(first_seen) FROM early_warning_seen WHERE agency = ? AND detector = 'crime_link'",
        [agency],
    ).fetchone()
    links = ws.crime_links(system)
    known = {
        str(r[0])
        for r in con.execute(
            "SELECT key FROM early_warning_seen WHERE agency = ? AND detector = 'crime_link'", [agency]
        ).fetchall()
    }
    now = _now()
    fresh = [link for link in links if ws.link_key(link) not in known]
    con.executemany(
        "INSERT OR IGNORE INTO early_warning_seen VALUES (?, 'crime_link', ?, ?)",
        [[agency, key, now] for key in ["", *(ws.link_key(link) for link in fresh)]],
    )
    if previous is None or previous[0] is None:
        return []  # the first run: what is linked now is the baseline
    agencies = dict(
        con.execute(
            "SELECT uid, agency FROM records WHERE uid IN (SELECT unnest(?::VARCHAR[]))",
            [[link.smuggling_record for link in fresh]],
        ).fetchall()
    )
    return [
        ws.link_signal(
            link,
            horizon,
            previous[0].date().isoformat(),
            len({agencies.get(link.smuggling_record), link.other_agency}),
        )
        for link in fresh
    ]


def _save(system: HubContext, signal: ws.Signal, period: Period) -> EarlyWarning | None:
    """Store a signal for the context's agency and notify it; None when it was stored before."""
    agency = system.viewer.agency
    start = ws.period_start(signal.start, period)
    warning = EarlyWarning(
        f"EW{uuid.uuid4().hex[:12]}", agency, signal.detector, signal.subject, period, start,
        signal.direction, float(signal.baseline), float(signal.observed), float(signal.score),
        signal.explanation, signal.evidence, _now(), None,
    )  # fmt: skip
    inserted = system.store.con.execute(
        "INSERT OR IGNORE INTO early_warnings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL) "
        "RETURNING id",
        [
            warning.id, agency, warning.detector, warning.subject, period, start, warning.direction,
            warning.baseline, warning.observed, warning.score, warning.explanation,
            json.dumps(warning.evidence, default=str), list(signal.records), warning.created_at,
        ],
    ).fetchall()  # fmt: skip
    if not inserted:
        return None
    notify(system.store, agency, "early_warning", "Early warning", ref=warning.id)
    return warning


# --- reading -----------------------------------------------------------------------------------------

_SQL = (
    "SELECT id, agency, detector, subject, period, start, direction, baseline, observed, score, "
    "explanation, CAST(evidence AS VARCHAR), created_at, acknowledged_at, acknowledged_by FROM early_warnings"
)


def _warning(row: tuple[Any, ...]) -> EarlyWarning:
    (wid, agency, detector, subject, period, start, direction, baseline, observed, score, explanation,
     evidence, created, ack_at, ack_by) = row  # fmt: skip
    return EarlyWarning(
        wid, agency, detector, subject, period, start, direction, baseline, observed, score, explanation,
        json.loads(evidence), created, ack_at, ack_by,
    )  # fmt: skip


def warnings(
    ctx: HubContext, since: datetime | None = None, unacknowledged: bool = False, limit: int = 500
) -> list[EarlyWarning]:
    """The warnings raised for the viewer's agency (`warnings.read`), newest first."""
    ctx.permit("warnings.read", ActionTarget(owner=ctx.viewer.agency))
    sql = _SQL + " WHERE agency = ?"
    params: list[Any] = [ctx.viewer.agency]
    if since is not None:
        sql += " AND created_at >= ?"
        params.append(since)
    if unacknowledged:
        sql += " AND acknowledged_at IS NULL"
    rows = ctx.store.con.execute(sql + " ORDER BY created_at DESC, id LIMIT ?", [*params, limit]).fetchall()
    found = [_warning(row) for row in rows]
    ctx.log("consultation", "full", resource="early_warning", details={"warnings": len(found)})
    return found


def _own(ctx: HubContext, action: str, warning_id: str) -> EarlyWarning:
    """One of the viewer's agency's warnings, or an audited refusal (another's and none look alike)."""
    ctx.permit("warnings.read" if action == "warnings.read" else "warnings.acknowledge",
               ActionTarget(owner=ctx.viewer.agency), ref=warning_id)  # fmt: skip
    row = ctx.store.con.execute(_SQL + " WHERE id = ?", [warning_id]).fetchone()
    if row is None or row[1] != ctx.viewer.agency:
        raise ctx.refuse(
            action,
            "recipient-only",
            f"no early warning {warning_id!r} for {ctx.viewer.agency}: see mare warnings list",
            ref=warning_id,
        )
    return _warning(row)


def warning(ctx: HubContext, warning_id: str) -> EarlyWarning:
    """One warning of the viewer's agency; `Refused` (audited) for any other id."""
    found = _own(ctx, "warnings.read", warning_id)
    ctx.log("consultation", "full", resource="early_warning", ref=warning_id)
    return found


def acknowledge(ctx: HubContext, warning_id: str) -> EarlyWarning:
    """Acknowledge a warning of the viewer's agency; a second time keeps the first."""
    found = _own(ctx, "warnings.acknowledge", warning_id)
    if found.acknowledged_at is None:
        ctx.store.con.execute(
            "UPDATE early_warnings SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
            [ctx.viewer.user, _now(), warning_id],
        )
        ctx.log("alteration", "acknowledged", resource="early_warning", ref=warning_id)
        row = ctx.store.con.execute(_SQL + " WHERE id = ?", [warning_id]).fetchone()
        assert row is not None
        found = _warning(row)
    return found


def warning_text(ctx: HubContext, warning_id: str) -> tuple[str, str] | None:
    """Subject and body of an early-warning notification for this reader: the warning where the reader
    may read it (its agency's analysts and supervisors), else a neutral line; None when it is gone."""
    row = ctx.store.con.execute(
        _SQL + " WHERE id = ? AND agency = ?", [warning_id, ctx.viewer.agency]
    ).fetchone()
    if row is None:
        return None
    found = _warning(row)
    if not allowed(ctx.viewer, "warnings.read", ActionTarget(owner=found.agency)):
        return (
            "Early warning",
            f"An early warning ({found.detector}) was raised for {found.agency}. Its analysts read it with "
            f"mare warnings show {found.id}.",
        )
    arrow = "rising" if found.direction == "up" else "falling"
    return (
        f"Early warning: {found.subject} {arrow} since {found.start.isoformat()}",
        f"{found.explanation} Warning {found.id}: mare warnings show {found.id}",
    )
