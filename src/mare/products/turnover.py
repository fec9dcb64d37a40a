"""Turnover of migrant smuggling: arrivals × facilitated share × fee per person, with its uncertainty.

Each input is a stated range with a distribution over it (`Input`). The estimate gives:

- the **interval**: the product of the lower bounds and of the upper bounds (interval arithmetic:
  every input is positive, so these are the extremes);
- a **Monte Carlo** over the stated distributions (seeded, so a report is reproducible): mean, median
  and the central 50 % and 90 % ranges;
- the **central** value: the product of the inputs' midpoints (or their fixed values).

`REPORT_2016` holds the inputs of the 2016 Europol-INTERPOL report (seeds/004: "approximately 1 million
people entered the EU, most of whom were facilitated [more than 90 %], and who paid an average of USD
3,200 – 6,500"), whose stated result is USD 5 to 6 billion; docs/reports.md writes the arithmetic out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Distribution = Literal["fixed", "uniform", "triangular"]
DRAWS = 100_000


class TurnoverError(ValueError):
    """An input that cannot be used, with what to give instead."""


@dataclass(frozen=True, slots=True)
class Input:
    """One input: a range, how values are spread over it, and where the figure comes from."""

    name: str
    low: float
    high: float
    distribution: Distribution = "uniform"
    unit: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not (np.isfinite(self.low) and np.isfinite(self.high)) or self.low < 0 or self.high < self.low:
            raise TurnoverError(
                f"{self.name}: the range must be 0 <= low <= high, not {self.low}–{self.high}"
            )
        if self.distribution == "fixed" and self.low != self.high:
            raise TurnoverError(f"{self.name}: a fixed input has one value (low = high)")

    @property
    def mid(self) -> float:
        """The middle of the range (its value when fixed)."""
        return (self.low + self.high) / 2

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` values from the stated distribution (triangular: its mode at the middle)."""
        if self.distribution == "fixed" or self.low == self.high:
            return np.full(n, self.low)
        if self.distribution == "triangular":
            return rng.triangular(self.low, self.mid, self.high, n)
        return rng.uniform(self.low, self.high, n)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "name": self.name,
            "low": self.low,
            "high": self.high,
            "distribution": self.distribution,
            "unit": self.unit,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Turnover:
    """The estimate: interval bounds, central value and the Monte Carlo summary, with its inputs."""

    inputs: tuple[Input, Input, Input]
    low: float
    high: float
    central: float
    mean: float
    median: float
    p05: float
    p25: float
    p75: float
    p95: float
    draws: int
    seed: int
    currency: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (amounts in the fee's currency)."""
        return {
            "formula": "arrivals × facilitated share × fee per person",
            "currency": self.currency,
            "inputs": [i.as_dict() for i in self.inputs],
            "interval": [self.low, self.high],
            "central": self.central,
            "monte_carlo": {
                "draws": self.draws,
                "seed": self.seed,
                "mean": self.mean,
                "median": self.median,
                "p05": self.p05,
                "p25": self.p25,
                "p75": self.p75,
                "p95": self.p95,
            },
        }

    def text(self) -> str:
        """One sentence: the central estimate, the 90 % range and the interval."""
        return (
            f"{self.currency} {money(self.median)} (median; 90 % of draws between {money(self.p05)} and "
            f"{money(self.p95)}; all inputs at their bounds: {money(self.low)} – {money(self.high)})"
        )


def money(amount: float) -> str:
    """An amount in words' units: billions (bn), millions (m), else whole units."""
    if abs(amount) >= 1e9:
        return f"{amount / 1e9:.2f} bn"
    if abs(amount) >= 1e6:
        return f"{amount / 1e6:.2f} m"
    return f"{amount:,.0f}"


def estimate(
    arrivals: Input, share: Input, fee: Input, currency: str = "USD", seed: int = 2016, draws: int = DRAWS
) -> Turnover:
    """Turnover = arrivals × facilitated share × fee per person, with interval and Monte Carlo."""
    if share.high > 1:
        raise TurnoverError(f"{share.name}: a share lies between 0 and 1, not up to {share.high}")
    if draws < 1000:
        raise TurnoverError(f"draws: at least 1000 for stable percentiles, not {draws}")
    rng = np.random.default_rng(seed)
    values = arrivals.draw(rng, draws) * share.draw(rng, draws) * fee.draw(rng, draws)
    p05, p25, p50, p75, p95 = (float(v) for v in np.percentile(values, [5, 25, 50, 75, 95]))
    return Turnover(
        inputs=(arrivals, share, fee),
        low=arrivals.low * share.low * fee.low,
        high=arrivals.high * share.high * fee.high,
        central=arrivals.mid * share.mid * fee.mid,
        mean=float(values.mean()),
        median=p50,
        p05=p05,
        p25=p25,
        p75=p75,
        p95=p95,
        draws=draws,
        seed=seed,
        currency=currency,
    )


def implied_fee(turnover: float, arrivals: float, share: float) -> float:
    """The average fee a stated turnover implies for these arrivals and share."""
    if arrivals <= 0 or share <= 0:
        raise TurnoverError("arrivals and share must be positive to imply a fee")
    return turnover / (arrivals * share)


SEED_REPORT = "seeds/004 (Europol-INTERPOL, Migrant Smuggling Networks, May 2016)"
#: The 2016 report's own inputs, as stated: ~1 million arrivals (2015), more than 90 % facilitated,
#: USD 3,200–6,500 (EUR 3,000–6,000) per person.
REPORT_2016 = (
    Input("arrivals", 1_000_000, 1_000_000, "fixed", "people", f"{SEED_REPORT}: 'approximately 1 million'"),
    Input("facilitated share", 0.90, 1.00, "uniform", "share", f"{SEED_REPORT}: 'more than 90%'"),
    Input("fee per person", 3_200, 6_500, "uniform", "USD", f"{SEED_REPORT}: 'USD 3,200 – 6,500'"),
)
#: The report's stated result: USD 5 to 6 billion in 2015.
REPORT_2016_RESULT = (5e9, 6e9)
