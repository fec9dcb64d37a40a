"""Early warning validated on synthetic series with known shifts (issue 15).

The hub's `series` detector is `mare.analyse.trends.detect` with the hub's settings (12 months or 26
weeks of history at least, `hub.early_warning.MIN_HISTORY`). The detector is causal (the baseline of a
period is fitted on the periods before it), so running it once over a whole series raises the same
alerts, at the same periods, as a scheduled hub run after every period would. `--hub-check` shows that
the hub path gives the same alerts: it stores a few of these series as events in a new store, runs
`hub.early_warning.run` and compares its warnings with `detect` on the same counts.

Series (Poisson counts unless said; `--reps` of each, seeded): steps up by x1.25, x1.5, x2 and x3 and
down to x0.5 and x0.33 at levels 5, 20 and 100 a month; the x2 step with a yearly season (amplitude
0.4) and with over-dispersed counts (negative binomial, alpha 0.1); a trend change (flat, then +5 % a
month); flat controls at each level, seasonal, over-dispersed, and a steady trend from the start
(+2 % a month). Monthly: 48 months, the shift at month 36. Weekly (`--weeks`): 156 weeks, the shift at
week 104.

Scores, in the same run for the detector and two anchors (a plain Poisson rule: the mean of the last
12 periods +/- 3 standard deviations (sqrt of the mean); the +/-50 % period-on-period rule of
benchmarks/trends.py; each anchor's flagged periods within `merge` of the last one of the same
direction extend one alert, as the detector's do):
- recall: a shifted series whose first alert in the shift's direction is raised within 6 months
  (26 weeks) of the shift's start;
- delay: periods from the shift's first period to that alert (0: flagged in the first shifted period);
- false alarms per series-year: every other alert (before the shift, in the other direction, or more
  than 12 months (52 weeks) after it) over the years monitored (after the least history).

`--home H` also times one run of the detectors for every recipient of an existing hub (on a copy of
its store, so nothing is written there).

    uv run python benchmarks/hub_early_warning.py [--reps 20] [--weeks] [--hub-check] [--home H]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from mare.analyse.trends import Period, Series, Settings, detect, period_index, period_label
from mare.hub.early_warning import MIN_HISTORY

#: Periods of a series and the first shifted one, by period.
LENGTH = {"month": 48, "week": 156}
SHIFT = {"month": 36, "week": 104}
#: A shift is found by an alert raised within LATE periods of its start; alerts in its direction up to
#: AFTER periods after the start belong to it (not false alarms).
LATE = {"month": 6, "week": 26}
AFTER = {"month": 12, "week": 52}
#: Periods in a year.
YEAR = {"month": 12.0, "week": 52.18}
#: Relative season amplitude, trend slopes a period (monthly; weekly ones are scaled to the same yearly
#: change), over-dispersion of the negative-binomial variants.
SEASON, TREND_AFTER, TREND_STEADY, DISPERSION = 0.4, 0.05, 0.02, 0.1


@dataclass(frozen=True)
class Scenario:
    """One kind of synthetic series: level, step factor (1: none), and its shape."""

    name: str
    level: float
    factor: float = 1.0  # step: the mean after the shift over the mean before
    season: bool = False
    dispersed: bool = False
    trend_after: bool = False  # flat, then a trend from the shift on
    trend_steady: bool = False  # a trend from the start (a control)

    @property
    def direction(self) -> str | None:
        """The shift's direction, None for a control."""
        if self.trend_after or self.factor > 1:
            return "up"
        if self.factor < 1:
            return "down"
        return None


def scenarios() -> list[Scenario]:
    """Every kind of series, shifted ones first."""
    out = []
    for level in (5.0, 20.0, 100.0):
        for factor in (1.25, 1.5, 2.0, 3.0, 0.5, 0.33):
            out.append(Scenario(f"step x{factor:g} at {level:g}", level, factor))
    out += [
        Scenario("step x2 at 20, seasonal", 20.0, 2.0, season=True),
        Scenario("step x2 at 20, over-dispersed", 20.0, 2.0, dispersed=True),
        Scenario("trend change at 20 (+5 %/month)", 20.0, trend_after=True),
    ]
    for level in (5.0, 20.0, 100.0):
        out.append(Scenario(f"flat at {level:g}", level))
    out += [
        Scenario("flat at 20, seasonal", 20.0, season=True),
        Scenario("flat at 20, over-dispersed", 20.0, dispersed=True),
        Scenario("steady trend at 20 (+2 %/month)", 20.0, trend_steady=True),
    ]
    return out


def draw(s: Scenario, period: Period, rng: np.random.Generator) -> np.ndarray:
    """One series of the scenario."""
    n, at = LENGTH[period], SHIFT[period]
    per_month = YEAR[period] / 12.0  # periods per month
    t = np.arange(n, dtype=float)
    mean = np.full(n, s.level)
    if s.season:
        mean *= 1 + SEASON * np.sin(2 * np.pi * t / YEAR[period])
    if s.trend_steady:
        mean *= (1 + TREND_STEADY) ** (t / per_month)
    if s.trend_after:
        mean[at:] *= (1 + TREND_AFTER) ** ((t[at:] - at + 1) / per_month)
    mean[at:] *= s.factor
    if s.dispersed:
        size = 1.0 / DISPERSION
        return rng.negative_binomial(size, size / (size + mean)).astype(float)
    return rng.poisson(mean).astype(float)


# --- the detector and the anchors: alerts as (direction, period index where raised) ------------------

Alerts = list[tuple[str, int]]


def detector(counts: np.ndarray, period: Period) -> Alerts:
    """The hub's series detector (settings as `hub.early_warning` uses them)."""
    settings = Settings.for_period(period, min_history=MIN_HISTORY[period])
    series = Series("synthetic", period, 0, counts)
    return [(a.direction, period_index(a.detected, period)) for a in detect(series, settings)]


def _grouped(flags: list[tuple[str, int]], merge: int) -> Alerts:
    """Flagged periods within `merge` of the last one of the same direction extend one alert."""
    last: dict[str, int] = {}
    out = []
    for direction, t in flags:
        if direction not in last or t - last[direction] > merge:
            out.append((direction, t))
        last[direction] = t
    return out


def poisson_rule(counts: np.ndarray, period: Period) -> Alerts:
    """Anchor: the mean of the last 12 periods +/- 3 sqrt(mean)."""
    settings = Settings.for_period(period, min_history=MIN_HISTORY[period])
    flags = []
    for t in range(settings.min_history, len(counts)):
        m = float(counts[t - 12 : t].mean())
        spread = 3 * max(m, 1.0) ** 0.5
        if counts[t] > m + spread:
            flags.append(("up", t))
        elif counts[t] < m - spread:
            flags.append(("down", t))
    return _grouped(flags, settings.merge)


def ratio_rule(counts: np.ndarray, period: Period) -> Alerts:
    """Anchor: a period at >= 1.5x (<= 0.5x) the one before."""
    settings = Settings.for_period(period, min_history=MIN_HISTORY[period])
    flags = []
    for t in range(settings.min_history, len(counts)):
        before, now = counts[t - 1], counts[t]
        if before == now == 0:
            continue
        if now >= 1.5 * before and now > 0:
            flags.append(("up", t))
        elif now <= 0.5 * before:
            flags.append(("down", t))
    return _grouped(flags, settings.merge)


#: Short names (table columns): the detector, the Poisson 3-sigma rule, the +/-50 % rule.
METHODS: dict[str, Callable[[np.ndarray, Period], Alerts]] = {
    "detector": detector,
    "Poisson 3σ": poisson_rule,
    "±50 %": ratio_rule,
}


@dataclass
class Tally:
    """Per scenario and method: shifts found with their delays, false alarms, years monitored."""

    series: int = 0
    found: int = 0
    delays: list[int] | None = None
    false: int = 0
    years: float = 0.0

    def add(self, alerts: Alerts, direction: str | None, period: Period) -> None:
        """Score one series' alerts."""
        self.series += 1
        self.delays = self.delays if self.delays is not None else []
        at = SHIFT[period]
        own = [(d, t) for d, t in alerts if direction and d == direction and at <= t <= at + AFTER[period]]
        first = min((t for _, t in own), default=None)
        if first is not None and first - at <= LATE[period]:
            self.found += 1
            self.delays.append(first - at)
        self.false += len(alerts) - len(own)
        self.years += (LENGTH[period] - MIN_HISTORY[period]) / YEAR[period]


def validate(period: Period, reps: int, seed: int) -> tuple[dict[str, dict[str, Tally]], float]:
    """Every scenario x replicate through every method; also the detector's seconds."""
    table: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    spent = 0.0
    for k, s in enumerate(scenarios()):
        rng = np.random.default_rng([seed, k])
        for _ in range(reps):
            counts = draw(s, period, rng)
            for name, method in METHODS.items():
                began = time.perf_counter()
                alerts = method(counts, period)
                if method is detector:
                    spent += time.perf_counter() - began
                table[s.name][name].add(alerts, s.direction, period)
    return table, spent


def _cell(t: Tally, shifted: bool) -> str:
    delays = t.delays or []
    recall = f"{t.found}/{t.series}" if shifted else "—"
    delay = f"{statistics.median(delays):.0f}" if delays else "—"
    return f"{recall} | {delay} | {t.false / t.years:.2f}"


def print_table(table: dict[str, dict[str, Tally]], period: Period) -> None:
    """Markdown: per scenario, per method recall, median delay and false alarms per series-year."""
    names = list(METHODS)
    head = " | ".join(f"{n} recall | delay | false/yr" for n in names)
    print(f"| series ({period}ly) | {head} |")
    print("|---|" + "---:|---:|---:|" * len(names))
    for s in scenarios():
        cells = " | ".join(_cell(table[s.name][n], s.direction is not None) for n in names)
        print(f"| {s.name} | {cells} |")
    for label, pick in (
        ("**all shifts**", lambda s: s.direction is not None),
        ("**all controls**", lambda s: s.direction is None),
    ):
        cells = []
        for n in names:
            rows = [table[s.name][n] for s in scenarios() if pick(s)]
            found, total = sum(r.found for r in rows), sum(r.series for r in rows)
            delays = [d for r in rows for d in (r.delays or [])]
            false = sum(r.false for r in rows) / sum(r.years for r in rows)
            shifted = label == "**all shifts**"
            recall = f"**{found / total:.2f}**" if shifted else "—"
            mean_delay = f"{statistics.mean(delays):.1f}" if delays and shifted else "—"
            cells.append(f"{recall} | {mean_delay} | **{false:.2f}**")
        print(f"| {label} | {' | '.join(cells)} |")


# --- the hub path ------------------------------------------------------------------------------------


def hub_check(seed: int) -> None:
    """A few step and flat series stored as events at a place of their own (not located, so each place
    is a series); the hub's warnings against `detect` on the same counts (monthly)."""
    import json
    import os

    from mare.access.policy import Viewer
    from mare.hub import early_warning as ew
    from mare.hub.context import HubContext, system_context
    from mare.hub.intake import receive
    from mare.ingest.pipeline import IngestOptions
    from mare.ingest.sources import find_sources
    from mare.store.db import open_store

    os.environ.setdefault("MARE_NAME_SYMBOLS", "off")
    period: Period = "month"
    n = 30  # months: 2023-07 .. 2025-12, the last complete month before TODAY
    today, first = date(2026, 1, 15), period_index("2023-07", "month")
    rng = np.random.default_rng(seed)
    kinds = [(f"synth-step{i}", 12.0, 3.0) for i in range(3)] + [
        (f"synth-flat{i}", 12.0, 1.0) for i in range(3)
    ]
    counts = {}
    for name, level, factor in kinds:
        mean = np.full(n, level)
        mean[n - 3 :] *= factor  # a step in the last three months: still fresh for the hub's run
        counts[name] = rng.poisson(mean).astype(float)
    records = []
    for name, series in counts.items():
        for i, c in enumerate(series):
            month = period_label(first + i, "month")
            records += [
                {"id": f"{name}-{i}-{k}", "kind": "event", "event_type": "landing", "place": name,
                 "occurred_at": f"{month}-{1 + k % 27:02d}"}
                for k in range(int(c))
            ]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "home") as store:
        envelope = {
            "format": "mare.contribution/1", "id": "SYNTH-1", "agency": "DE-BKA",
            "sent_at": "2026-01-15T08:00:00Z", "handling": {"code": "H0"},
            "evaluation": {"scheme": "4x4", "source": "B", "information": "2"}, "records": records,
        }  # fmt: skip
        path = Path(tmp) / "synth.json"
        path.write_text(json.dumps(envelope), encoding="utf-8")
        contributor = HubContext(store, Viewer("bench", "DE-BKA", frozenset({"contributor"})), "password")
        (source,), _ = find_sources([path])
        report = receive(contributor, source, IngestOptions())
        assert report.status == "stored", report.message
        with system_context(store, "benchmark") as ctx:
            ew.run(ctx, period, today)
        with HubContext(store, Viewer("bench", "DE-BKA", frozenset({"analyst"})), "password") as ctx:
            hub = {
                (w.subject.removeprefix("events at "), w.direction, w.start.isoformat()[:7])
                for w in ew.warnings(ctx)
                if w.detector == "series" and w.subject.startswith("events at synth")
            }
    settings = Settings.for_period(period, min_history=MIN_HISTORY[period])
    direct = set()
    for name, series in counts.items():
        for a in detect(Series(name, period, first, series), settings):
            if period_index(a.end, period) >= first + n - ew.LOOKBACK[period]:
                direct.add((name, a.direction, a.start))
    print(f"hub path: {len(hub)} warnings on 6 series; detect() on the same counts: {len(direct)}; "
          f"the same: {hub == direct}")  # fmt: skip
    for row in sorted(hub | direct):
        print(f"  {row}: hub {'yes' if row in hub else 'no'}, detect {'yes' if row in direct else 'no'}")


def time_recipients(home: Path, period: Period, today: date) -> None:
    """One run of every detector for every recipient of an existing hub, on a copy of its store."""
    from mare.hub import early_warning as ew
    from mare.hub.context import system_context
    from mare.store.db import open_store

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "home"
        copy.mkdir()
        shutil.copy(home / "mare.duckdb", copy / "mare.duckdb")
        if (home / "keys").is_dir():
            shutil.copytree(home / "keys", copy / "keys")
        with open_store(copy) as store, system_context(store, "benchmark") as ctx:
            began = time.perf_counter()
            result = ew.run(ctx, period, today)
            seconds = time.perf_counter() - began
    count = len(result.recipients)
    series = sum(int(r.get("series", 0)) for r in result.recipients.values())
    print(
        f"{home}: {count} recipients, {series} series tested, {len(result.warnings)} warnings, "
        f"{seconds:.1f} s ({seconds / count:.2f} s per recipient), {period}ly, today {today}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=20, help="series drawn per scenario")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--weeks", action="store_true", help="also weekly series")
    parser.add_argument("--hub-check", action="store_true", help="compare the hub path with detect()")
    parser.add_argument("--home", type=Path, help="time a run per recipient on this hub (a copy)")
    parser.add_argument("--today", default=date.today().isoformat())
    args = parser.parse_args()
    periods: list[Period] = ["month", "week"] if args.weeks else ["month"]
    if args.reps < 1:
        periods = []
    for period in periods:
        began = time.perf_counter()
        table, spent = validate(period, args.reps, args.seed)
        count = sum(t.series for t in next(iter(table.values())).values()) // len(METHODS) * len(table)
        print(
            f"\n{period}ly: {len(table)} scenarios x {args.reps} series ({count}), {LENGTH[period]} "
            f"{period}s, shift at {SHIFT[period]}; detector {spent:.1f} s "
            f"({1000 * spent / count:.0f} ms a series), all {time.perf_counter() - began:.1f} s\n"
        )
        print_table(table, period)
    if args.hub_check:
        print()
        hub_check(args.seed)
    if args.home:
        print()
        time_recipients(args.home, "month", date.fromisoformat(args.today))


if __name__ == "__main__":
    main()
