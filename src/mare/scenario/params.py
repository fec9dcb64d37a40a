"""Scenario parameters: scales, world shares, noise rates (each documented in docs/scenario.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

#: The period the world covers (UTC seconds) and the date contributions are sent after it.
START = int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())
END = int(datetime(2026, 10, 31, tzinfo=UTC).timestamp())
DAY = 86_400


@dataclass(frozen=True, slots=True)
class Scale:
    """Sizes of the world at one scale."""

    name: str
    networks: int
    migrants: int
    contacts_per_member: float
    agencies: int
    call_rate: float  # multiplier on every call edge's rate
    case_p: float  # chance an agency opens a case on a network present in its country
    ais_vessels: int  # legitimate vessels transmitting AIS around the sea routes


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 8, 60, 0.5, 10, 0.25, 0.9, 1),
    "small": Scale("small", 60, 3_000, 1.0, 20, 0.6, 0.7, 10),
    "medium": Scale("medium", 450, 22_000, 1.0, 26, 0.6, 0.7, 15),
    "large": Scale("large", 2_500, 120_000, 1.0, 30, 3.5, 0.7, 40),
}


@dataclass(frozen=True, slots=True)
class WorldParams:
    """Shares that shape the world (source of each in docs/scenario.md)."""

    fee_eur: tuple[int, int] = (3_000, 6_000)
    pay_timing: tuple[tuple[str, float], ...] = (("before", 0.20), ("per_leg", 0.35), ("on_arrival", 0.45))
    pay_method: tuple[tuple[str, float], ...] = (
        ("cash", 0.45),
        ("hawala", 0.35),
        ("money_transfer", 0.10),
        ("bank_transfer", 0.05),
        ("crypto", 0.05),
    )
    polycriminal_share: float = 0.10
    poly_areas: tuple[tuple[str, float], ...] = (
        ("drug_trafficking", 0.22),
        ("trafficking_in_human_beings", 0.20),
        ("property_crime", 0.20),
        ("document_fraud", 0.18),
        ("money_laundering", 0.10),
        ("firearms", 0.05),
        ("corruption", 0.05),
    )
    minor_share: float = 0.18
    female_share: float = 0.22
    absorb_share: float = 0.15  # networks absorbed by a larger one during the period
    burner_days: tuple[int, int] = (20, 90)  # leaders and organisers change SIM this often
    foreign_plate_share: float = 0.6
    rented_share: float = 0.3
    sea_intercept: float = 0.2
    land_arrest: float = 0.04
    death_share: float = 0.01
    air_doc_reuse: tuple[int, int] = (2, 6)


@dataclass(frozen=True, slots=True)
class NoiseParams:
    """Per-record noise rates applied by agencies (realised rates are logged in truth)."""

    translit: float = 0.35  # a name token spelled with another transliteration
    native_script: float = 0.05  # name written in its native script
    name_order: float = 0.15  # family name first
    middle_dropped: float = 0.25  # the middle name (father's, second given or family name) left out
    typo: float = 0.05  # one character dropped, doubled or swapped
    alias_only: float = 0.03  # only the alias (kunya) given as name
    birth_missing: float = 0.25
    birth_partial: float = 0.10  # year or year-month only
    day_month_swap: float = 0.04  # day and month swapped (only where both are <= 12)
    phone_local_foreign: float = 0.03  # a foreign number written without its country code
    phone_typo: float = 0.01
    nationality_wrong: float = 0.02  # nationality recorded as a neighbour's
    bad_row: float = 0.004  # genuinely invalid value (impossible date, bad check digit)


@dataclass(frozen=True, slots=True)
class Params:
    """All parameters of one run."""

    scale: Scale
    seed: int
    world: WorldParams = field(default_factory=WorldParams)
    noise: NoiseParams = field(default_factory=NoiseParams)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for scenario.json."""
        return {
            "scale": asdict(self.scale),
            "seed": self.seed,
            "world": asdict(self.world),
            "noise": asdict(self.noise),
            "period": {"start": START, "end": END},
        }
