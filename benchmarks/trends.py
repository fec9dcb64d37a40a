"""Early-warning validation (issue 15): the trend detector on Frontex monthly detections.

Aggregates ../shared/data/migration/frontex_detections_by_route_month_nationality.csv (never copied
into the repository) to route x month, runs `mare.analyse.trends` and, in the same run, an anchor: a
fixed +/-50 % month-on-month rule (its flagged months grouped into alerts by the same rule as the
detector's signals). Prints Markdown for docs/validation.md: per route, the known shifts found, the
delay in months from the shift's start to its alert, and the other alerts per route-year.

    uv run python benchmarks/trends.py
    uv run python benchmarks/trends.py --h 4 --k 0.5 --window 36 --merge 6
"""

from __future__ import annotations

import argparse
import csv
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mare.analyse.trends import Series, Settings, build_series, detect, period_index, period_label

ROOT = Path(__file__).resolve().parents[1]
FRONTEX = ROOT.parent / "shared" / "data" / "migration" / "frontex_detections_by_route_month_nationality.csv"
EM, WB, EB, WM, WA = (
    "Eastern Mediterranean Route",
    "Western Balkan Route",
    "Eastern Borders Route",
    "Western Mediterranean Route",
    "Western African Route",
)
#: Known shifts (route, direction, month it started), from public accounts, not from this file:
#: the 2015 Aegean surge (from May 2015) and its collapse with the EU-Turkey statement (March 2016);
#: the 2015 Western Balkan surge (from June 2015); the Belarus border crisis (from June 2021); Spain
#: the main entry point (from May 2018); the Canary Islands crises of autumn 2020 and 2023.
KNOWN: tuple[tuple[str, str, str], ...] = (
    (EM, "up", "2015-05"),
    (EM, "down", "2016-03"),
    (WB, "up", "2015-06"),
    (EB, "up", "2021-06"),
    (WM, "up", "2018-05"),
    (WA, "up", "2020-09"),
    (WA, "up", "2023-09"),
)
#: An alert counts for a known shift when it is raised from 2 months before to 6 months after its start.
EARLY, LATE = 2, 6
#: Alerts up to a year after a known shift's start are not counted as other alerts.
AFTER = 12


@dataclass(frozen=True)
class Found:
    route: str
    direction: str
    detected: int


def frontex_series(path: Path = FRONTEX) -> dict[str, Series]:
    """Route x month counts (nationalities and types summed)."""
    with path.open(encoding="utf-8") as handle:
        rows = [(row["route"], row["month"], row["n"]) for row in csv.DictReader(handle)]
    return build_series(rows, "month")


def detector_alerts(series: dict[str, Series], settings: Settings) -> list[Found]:
    """The detector's alerts, at the month each was raised."""
    found = []
    for route, one in series.items():
        for alert in detect(one, settings):
            found.append(Found(route, alert.direction, period_index(alert.detected, "month")))
    return found


def anchor_alerts(series: dict[str, Series], settings: Settings) -> list[Found]:
    """The +/-50 % month-on-month rule: a month at >= 1.5x (<= 0.5x) the one before flags a rise
    (fall); flagged months within `merge` of the last one of the same direction extend that alert.
    Checked over the same months as the detector (after its history)."""
    found = []
    for route, one in series.items():
        last: dict[str, int] = {}
        counts = one.counts
        for t in range(settings.min_history, len(counts)):
            before, now = counts[t - 1], counts[t]
            for direction, flagged in (
                ("up", now >= 1.5 * before and now > 0),
                ("down", now <= 0.5 * before),
            ):
                if not flagged or before == now == 0:
                    continue
                if direction not in last or t - last[direction] > settings.merge:
                    found.append(Found(route, direction, one.first + t))
                last[direction] = t
    return found


@dataclass
class RouteScore:
    """Per route: the known shifts (direction, start) with their delays, other alerts, years monitored."""

    known: list[tuple[str, int]]
    delays: list[int | None]
    other: int
    years: float

    def delays_text(self) -> str:
        parts = []
        for (direction, start), delay in zip(self.known, self.delays, strict=True):
            shown = "missed" if delay is None else f"{delay:+d}"
            parts.append(f"{period_label(start, 'month')} {direction}: {shown}")
        return "; ".join(parts) or "—"


def score(found: list[Found], series: dict[str, Series], settings: Settings) -> dict[str, RouteScore]:
    """Per route: known shifts found with their delays, other alerts and route-years monitored."""
    table = {}
    for route, one in series.items():
        known = [(d, period_index(s, "month")) for r, d, s in KNOWN if r == route]
        mine = sorted((f for f in found if f.route == route), key=lambda f: f.detected)
        delays: list[int | None] = []
        for direction, start in known:
            hits = [f.detected - start for f in mine if f.direction == direction]
            hits = [d for d in hits if -EARLY <= d <= LATE]
            delays.append(hits[0] if hits else None)
        other = [
            f
            for f in mine
            if not any(f.direction == d and -EARLY <= f.detected - s <= AFTER for d, s in known)
        ]
        years = (len(one.counts) - settings.min_history) / 12.0
        table[route] = RouteScore(known, delays, len(other), years)
    return table


def _summary(scores: dict[str, RouteScore]) -> tuple[int, int, float, list[int]]:
    """Shifts found, known shifts, other alerts per route-year, the delays of those found."""
    delays = [d for row in scores.values() for d in row.delays if d is not None]
    known = sum(len(row.known) for row in scores.values())
    other = sum(row.other for row in scores.values()) / sum(row.years for row in scores.values())
    return len(delays), known, other, delays


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--window", type=int, default=None)
    parser.add_argument("--h", type=float, default=None)
    parser.add_argument("--k", type=float, default=None)
    parser.add_argument("--merge", type=int, default=None)
    parser.add_argument("--trend-z", dest="trend_z", type=float, default=None)
    parser.add_argument("--robust", type=float, default=None)
    args = parser.parse_args()
    if not FRONTEX.is_file():
        raise SystemExit(f"{FRONTEX} is absent: the validation needs ../shared/data")
    overrides = {k: v for k, v in vars(args).items() if v is not None}
    settings = Settings.for_period("month", **overrides)
    series = frontex_series()
    began = time.perf_counter()
    detector = score(detector_alerts(series, settings), series, settings)
    seconds = time.perf_counter() - began
    anchor = score(anchor_alerts(series, settings), series, settings)
    print(
        f"Detector: window {settings.window}, history {settings.min_history}, k {settings.k}, "
        f"h {settings.h}, merge {settings.merge}, trend |z| >= {settings.trend_z}; "
        f"{len(series)} routes in {seconds:.1f} s\n"
    )
    print(
        "| route | known shifts: delay in months (detector) | other alerts / route-year (detector) "
        "| known shifts: delay (anchor ±50 %) | other alerts / route-year (anchor) |"
    )
    print("|---|---|---:|---|---:|")
    for route in sorted(series, key=lambda r: (-float(series[r].counts.sum()), r)):
        mine, base = detector[route], anchor[route]
        print(
            f"| {route} | {mine.delays_text()} | {mine.other / mine.years:.2f} "
            f"| {base.delays_text()} | {base.other / base.years:.2f} |"
        )
    cells = []
    for scores in (detector, anchor):
        found, known, other, delays = _summary(scores)
        median = f", median delay {float(np.median(delays)):+.1f}" if delays else ""
        cells.append(f"**{found}/{known}** found{median} | **{other:.2f}**")
    print(f"| **all** | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
