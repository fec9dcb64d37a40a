"""Early warning on count series: a negative-binomial baseline with CUSUM on its residuals.

For each period of a monthly (or weekly) count series, a negative-binomial regression (log link:
intercept, a linear trend kept only when significant, one yearly harmonic; outlying periods
down-weighted) is fitted to the trailing window of the periods before it. Its prediction gives the
expected count (the baseline) and, with the over-dispersion and the uncertainty of the fit, a
prediction interval and a tail probability for the observed count. The count is turned into a
normal score (mid-p probability integral transform) and two one-sided CUSUMs on those scores flag
sustained rises and falls: a signal when a CUSUM exceeds the threshold `h` (it then restarts), an
alert's start the period after that CUSUM last stood at zero; signals close together extend one
alert. The method and its choices are described in docs/trends.md.

Gaps (periods without a row between a series' first and last) are counted as zero and reported.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats

Period = Literal["month", "week"]
PERIODS: tuple[Period, ...] = ("month", "week")
#: Periods in a year (the season's cycle).
CYCLE = {"month": 12.0, "week": 365.25 / 7.0}

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ].*)?\s*$")
_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})(?:-?\d)?\s*$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?\s*$")


@dataclass(frozen=True)
class Settings:
    """The detector's parameters; `for_period` gives the defaults for months or weeks."""

    period: Period = "month"
    #: Trailing window the baseline is fitted on (periods), and the least history needed.
    window: int = 36
    min_history: int = 24
    #: CUSUM reference value (half the shift, in standard units, it is tuned to) and threshold.
    k: float = 0.5
    h: float = 5.0
    #: After a signal the CUSUM restarts; a signal within `merge` periods of the last one of the same
    #: direction extends that alert instead of raising a new one.
    merge: int = 3
    #: A normal score is clipped to ±clip: one period alone cannot raise an alert.
    clip: float = 4.0
    #: Two-sided level of the prediction interval reported (0.05: the 2.5 % and 97.5 % quantiles).
    alpha: float = 0.05
    #: |z| a trend must reach to be kept in the baseline.
    trend_z: float = 2.0
    #: Periods of the window further than this many standard deviations from the fit are down-weighted
    #: (0: no down-weighting).
    robust: float = 2.0

    @classmethod
    def for_period(cls, period: Period, **overrides: Any) -> Settings:
        """Defaults: 36 months (24 at least) or 104 weeks (52 at least) of history; signals merged
        within 3 months or 13 weeks."""
        if period not in PERIODS:
            raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
        base: dict[str, Any] = {"period": period}
        if period == "week":
            base.update(window=104, min_history=52, merge=13)
        base.update(overrides)
        return cls(**base)


@dataclass(frozen=True)
class Series:
    """One group's counts on a regular calendar, from its first period to its last."""

    group: str
    period: Period
    first: int
    counts: NDArray[np.float64]
    #: Periods without a row, counted as zero.
    gaps: tuple[str, ...] = ()

    def label(self, i: int) -> str:
        """The label of the i-th period of the series."""
        return period_label(self.first + i, self.period)


@dataclass(frozen=True)
class Alert:
    """A sustained shift, with what explains it (values at the period it was detected)."""

    group: str
    start: str
    direction: Literal["up", "down"]
    detected: str
    #: Expected and observed count at detection, and the prediction interval around the former.
    baseline: float
    observed: float
    lower: float
    upper: float
    #: One-sided tail probability of the observed count under the baseline (in the alert's direction).
    p_value: float
    #: The CUSUM at detection (standard units) and the threshold it crossed.
    score: float
    threshold: float
    #: Sums from start to detection.
    observed_total: float
    baseline_total: float
    #: The trailing window the baseline was fitted on, and whether it kept a trend.
    window: str
    trend: bool
    #: The last period that signalled in this alert (signals `merge` periods apart or closer extend it).
    end: str = ""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, the required keys first."""
        return {
            "group": self.group,
            "start": self.start,
            "direction": self.direction,
            "baseline": round(self.baseline, 2),
            "observed": _number(self.observed),
            "score": round(self.score, 2),
            "detected": self.detected,
            "end": self.end,
            "lower": _number(self.lower),
            "upper": _number(self.upper),
            "p_value": float(f"{self.p_value:.3g}"),
            "threshold": self.threshold,
            "observed_total": _number(self.observed_total),
            "baseline_total": round(self.baseline_total, 1),
            "window": self.window,
            "trend": self.trend,
            "method": "negative-binomial baseline, CUSUM on its residuals",
        }


def _number(value: float) -> float | int:
    """An integer where the value is one (counts), else the value rounded to 2 decimals."""
    return int(value) if float(value).is_integer() else round(value, 2)


@dataclass
class TrendResult:
    """Alerts over all groups, the gaps filled with zero, and the groups left out and why."""

    alerts: list[Alert] = field(default_factory=list)
    gaps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


# --- calendar -------------------------------------------------------------------------------------


def period_index(text: str, period: Period) -> int:
    """A month as year*12 + month - 1, a week as the ISO week's Monday in days // 7."""
    if period == "month":
        match = _MONTH.match(text)
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"not a month (YYYY-MM or a date): {text!r}")
        return int(match.group(1)) * 12 + int(match.group(2)) - 1
    week = _WEEK.match(text)
    try:
        if week is not None:
            day = dt.date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
        else:
            match = _DATE.match(text)
            if match is None:
                raise ValueError
            day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValueError(f"not a week (YYYY-Www or a date): {text!r}") from None
    return (day.toordinal() - day.weekday()) // 7


def period_label(index: int, period: Period) -> str:
    """`2015-03` for a month, `2015-W10` for an ISO week."""
    if period == "month":
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    year, week, _ = dt.date.fromordinal(index * 7 + 1).isocalendar()
    return f"{year:04d}-W{week:02d}"


def build_series(rows: Iterable[tuple[str, str, str | float]], period: Period = "month") -> dict[str, Series]:
    """Series per group from (group, time, count) rows; counts of one group and period are summed.

    Raises ValueError naming the series for a time that is not a month/week and for a count that is
    not a non-negative number. Periods without a row between a group's first and last are zero
    (listed in `Series.gaps`)."""
    sums: dict[str, dict[int, float]] = {}
    for group, time, value in rows:
        try:
            index = period_index(str(time), period)
        except ValueError as exc:
            raise ValueError(f"series {group!r}: {exc}") from None
        number = _count(value)
        if number is None:
            raise ValueError(
                f"series {group!r}, {period} {period_label(index, period)}: count {value!r} is not a "
                "non-negative number"
            )
        cells = sums.setdefault(str(group), {})
        cells[index] = cells.get(index, 0.0) + number
    result = {}
    for group, cells in sums.items():
        first, last = min(cells), max(cells)
        counts = np.zeros(last - first + 1)
        for index, number in cells.items():
            counts[index - first] = number
        gaps = tuple(period_label(i, period) for i in range(first, last + 1) if i not in cells)
        result[group] = Series(group, period, first, counts, gaps)
    return result


def _count(value: str | float) -> float | None:
    """A finite non-negative number, or None."""
    if isinstance(value, str):
        text = value.strip().replace("\u202f", "")
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


# --- the baseline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """The prediction for one period: mean, dispersion (with the fit's own uncertainty) and trend."""

    mean: float
    alpha: float
    trend: bool


def _design(times: NDArray[np.float64], cycle: float, trend: bool) -> NDArray[np.float64]:
    """Intercept, [trend], one yearly harmonic."""
    angle = 2 * np.pi * times / cycle
    columns = [np.ones_like(times)]
    if trend:
        columns.append(times / 12.0)
    columns += [np.cos(angle), np.sin(angle)]
    return np.column_stack(columns)


def _irls(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    alpha: float,
    beta: NDArray[np.float64] | None = None,
    prior: NDArray[np.float64] | None = None,
    with_cov: bool = True,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64] | None]:
    """Negative-binomial (NB2, fixed alpha; Poisson at 0) regression with log link and prior weights:
    beta, mu, cov (None unless `with_cov`)."""
    prior = np.ones_like(y) if prior is None else prior
    if beta is None:
        beta = np.zeros(x.shape[1])
        beta[0] = math.log(float(y.mean()) + 0.5)
    eta = x @ beta
    for _ in range(50):
        mu = np.exp(np.clip(eta, -10, 30))
        weight = prior * mu / (1.0 + alpha * mu)
        working = eta + (y - mu) / mu
        xtw = x.T * weight
        try:
            new = np.asarray(np.linalg.solve(xtw @ x + 1e-9 * np.eye(x.shape[1]), xtw @ working), float)
        except np.linalg.LinAlgError:
            break
        done = bool(np.max(np.abs(new - beta)) < 1e-8)
        beta, eta = new, x @ new
        if done:
            break
    mu = np.exp(np.clip(eta, -10, 30))
    if not with_cov:
        return beta, np.asarray(mu, float), None
    weight = prior * mu / (1.0 + alpha * mu)
    cov = np.asarray(np.linalg.pinv((x.T * weight) @ x), float)
    return beta, np.asarray(mu, float), cov


def _moment_alpha(
    y: NDArray[np.float64], mu: NDArray[np.float64], params: int, prior: NDArray[np.float64]
) -> float:
    """Method-of-moments NB2 dispersion: weighted mean of ((y - mu)^2 - mu) / mu^2, at least 0."""
    free = max(float(prior.sum()) - params, 1.0)
    return max(float((prior * ((y - mu) ** 2 - mu) / np.maximum(mu, 1e-9) ** 2).sum()) / free, 0.0)


def _fit(
    x: NDArray[np.float64], y: NDArray[np.float64], robust: float
) -> tuple[NDArray[np.float64], float, NDArray[np.float64]]:
    """A robust NB2 fit: Poisson start, dispersion by moments, then periods whose Pearson residual
    exceeds `robust` standard deviations are down-weighted by (robust / residual)^2 (past surges and
    collapses must not inflate the baseline or its spread) and the fit repeated: beta, alpha, cov."""
    prior = np.ones_like(y)
    beta, mu, _ = _irls(x, y, 0.0, with_cov=False)
    alpha = _moment_alpha(y, mu, x.shape[1], prior)
    for _ in range(3):
        beta, mu, _ = _irls(x, y, alpha, beta, prior, with_cov=False)
        if robust > 0:
            residual = np.abs(y - mu) / np.sqrt(mu + alpha * mu**2)
            prior = np.minimum(1.0, (robust / np.maximum(residual, 1e-12)) ** 2)
        alpha = _moment_alpha(y, mu, x.shape[1], prior)
    beta, mu, cov = _irls(x, y, alpha, beta, prior)
    assert cov is not None
    return beta, alpha, cov


def fit_baseline(history: NDArray[np.float64], settings: Settings) -> Baseline:
    """The expected count for the period after `history` (its trailing window), from an NB2 fit."""
    y = np.asarray(history[-settings.window :], float)
    n = len(y)
    if y.sum() == 0:
        return Baseline(mean=0.1, alpha=0.0, trend=False)
    times = np.arange(n, dtype=float) - n
    cycle = CYCLE[settings.period]
    # Time runs in months in the design; weeks are rescaled so the trend is per year in both.
    scale = 12.0 / cycle
    chosen = None
    for trend in (True, False):
        x = _design(times * scale, 12.0, trend)
        beta, alpha, cov = _fit(x, y, settings.robust)
        x_next = _design(np.array([0.0]), 12.0, trend)[0]
        log_mean = float(x_next @ beta)
        if trend:
            z = beta[1] / math.sqrt(max(float(cov[1, 1]), 1e-300))
            inside = y.min() * 0.5 <= math.exp(min(log_mean, 700)) <= y.max() * 1.5
            if abs(z) < settings.trend_z or not inside:
                continue
        chosen = (log_mean, alpha, float(x_next @ cov @ x_next), trend)
        break
    assert chosen is not None
    log_mean, alpha, variance, trend = chosen
    # The fit's own uncertainty: a log-normal mean multiplies the squared CV by about exp(var) - 1.
    return Baseline(
        mean=min(max(math.exp(min(log_mean, 50.0)), 0.1), 10.0 * float(y.max()) + 1.0),
        alpha=alpha + math.expm1(min(variance, 5.0)),
        trend=trend,
    )


@dataclass(frozen=True)
class Predictive:
    """The predictive distribution: negative binomial (Poisson without over-dispersion). Calls scipy's
    distribution with its parameters rather than freezing one (freezing costs a millisecond a period)."""

    family: Any
    args: tuple[float, ...]

    def cdf(self, y: float) -> float:
        """P(Y <= y)."""
        return float(self.family.cdf(y, *self.args))

    def pmf(self, y: float) -> float:
        """P(Y = y)."""
        return float(self.family.pmf(y, *self.args))

    def sf(self, y: float) -> float:
        """P(Y > y)."""
        return float(self.family.sf(y, *self.args))

    def ppf(self, q: float) -> float:
        """The q-quantile."""
        return float(self.family.ppf(q, *self.args))


def _distribution(baseline: Baseline) -> Predictive:
    """The predictive distribution of a baseline."""
    if baseline.alpha < 1e-9:
        return Predictive(stats.poisson, (baseline.mean,))
    size = 1.0 / baseline.alpha
    return Predictive(stats.nbinom, (size, size / (size + baseline.mean)))


# --- detection ------------------------------------------------------------------------------------


def detect(series: Series, settings: Settings | None = None) -> list[Alert]:
    """Alerts of sustained rises and falls of one series.

    Raises ValueError naming the series when it is shorter than `min_history` + 1 periods."""
    settings = settings or Settings.for_period(series.period)
    if settings.period != series.period:
        raise ValueError(f"series {series.group!r} is by {series.period}, settings by {settings.period}")
    n = len(series.counts)
    if n < settings.min_history + 1:
        raise ValueError(
            f"series {series.group!r} is too short: {n} {series.period}s from {series.label(0)}; "
            f"at least {settings.min_history + 1} are needed ({settings.min_history} of history)"
        )
    counts = series.counts
    cusum = {"up": 0.0, "down": 0.0}
    onset = {"up": settings.min_history, "down": settings.min_history}
    totals: dict[str, list[float]] = {"up": [0.0, 0.0], "down": [0.0, 0.0]}
    #: Per direction: the index in `alerts` of the current episode and its last signal.
    episode: dict[str, tuple[int, int]] = {}
    alerts: list[Alert] = []
    low_q, high_q = settings.alpha / 2, 1 - settings.alpha / 2
    for t in range(settings.min_history, n):
        baseline = fit_baseline(counts[:t], settings)
        dist = _distribution(baseline)
        y = float(round(counts[t]))
        below = float(dist.cdf(y - 1)) if y > 0 else 0.0
        z = float(stats.norm.ppf(min(max(below + 0.5 * float(dist.pmf(y)), 1e-12), 1 - 1e-12)))
        z = max(-settings.clip, min(settings.clip, z))
        for direction, step in (("up", z), ("down", -z)):
            if cusum[direction] == 0.0:
                onset[direction] = t
                totals[direction] = [0.0, 0.0]
            cusum[direction] = max(0.0, cusum[direction] + step - settings.k)
            totals[direction][0] += float(counts[t])
            totals[direction][1] += baseline.mean
            if cusum[direction] <= settings.h:
                continue
            score, cusum[direction] = cusum[direction], 0.0  # signal, then restart
            current = episode.get(direction)
            if current is not None and t - current[1] <= settings.merge:
                episode[direction] = (current[0], t)
                alerts[current[0]] = replace(alerts[current[0]], end=series.label(t))
                continue
            tail = float(dist.sf(y - 1)) if direction == "up" else float(dist.cdf(y))
            episode[direction] = (len(alerts), t)
            alerts.append(
                Alert(
                    group=series.group,
                    start=series.label(onset[direction]),
                    direction="up" if direction == "up" else "down",
                    detected=series.label(t),
                    baseline=baseline.mean,
                    observed=float(counts[t]),
                    lower=float(dist.ppf(low_q)),
                    upper=float(dist.ppf(high_q)),
                    p_value=tail,
                    score=score,
                    threshold=settings.h,
                    observed_total=totals[direction][0],
                    baseline_total=totals[direction][1],
                    window=f"{series.label(max(0, t - settings.window))}..{series.label(t - 1)}",
                    trend=baseline.trend,
                    end=series.label(t),
                )
            )
    return alerts


def detect_all(series: dict[str, Series], settings: Settings | None = None) -> TrendResult:
    """Alerts of every series (by group, then detection); series too short are skipped with the reason."""
    result = TrendResult()
    for group in sorted(series):
        one = series[group]
        if one.gaps:
            result.gaps[group] = one.gaps
        try:
            result.alerts += detect(one, settings)
        except ValueError as exc:
            result.skipped[group] = str(exc)
    return result
