"""The thresholds of every vessel-behaviour detector, with their defaults and where each comes from.

Defaults follow Global Fishing Watch's published event definitions where one exists (Miller et al.
2018, "Identifying global patterns of transshipment behavior", Frontiers in Marine Science; Welch et
al. 2022, "Hot spots of unseen fishing vessels", Science Advances; GFW's events API documentation);
where smuggling at sea differs (crossings of hours, not days) the default is shorter and says so.
docs/maritime.md lists them; `mare vessels --set NAME=VALUE` changes any of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

NM_KM = 1.852


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Every configurable threshold (units in the name)."""

    # gaps: GFW's "likely disabling" is >= 12 h starting > 50 nm from shore (Welch et al. 2022); a
    # Mediterranean crossing takes hours, so any gap >= 3 h at sea is listed and the GFW test reported.
    gap_hours: float = 3.0
    gap_min_shore_nm: float = 3.0
    gfw_disabling_hours: float = 12.0
    gfw_disabling_shore_nm: float = 50.0
    reversal_deg: float = 120.0  # course after a gap this far from the course before: went back
    rendezvous_max_hours: float = 24.0  # a longer silence is a stay (in port, at a base), not a meeting
    # loitering: GFW carrier loitering, < 2 knots for >= 3 h at >= 20 nm from shore (Miller et al. 2018)
    loiter_speed_kn: float = 2.0
    loiter_hours: float = 3.0
    loiter_min_shore_nm: float = 20.0
    # encounters: GFW, two vessels within 500 m at < 2 knots for >= 2 h, away from anchorages
    # (Miller et al. 2018: >= 10 km from a coastal anchorage; here: from the coast)
    encounter_km: float = 0.5
    encounter_speed_kn: float = 2.0
    encounter_hours: float = 2.0
    encounter_min_shore_km: float = 10.0
    slot_minutes: float = 10.0  # tracks are compared on this time grid
    # a vessel without AIS placed by other intelligence (a sighting, an interception): a broadcasting
    # vessel slow this close in space and time met it, or one dark at the time could have reached it
    # at this speed (ours: reported positions are rough; 12 kn is a fast mother ship)
    placed_km: float = 10.0
    placed_hours: float = 2.0
    placed_max_knots: float = 12.0
    # departure and landing areas of the gazetteer: time spent within this radius
    area_km: float = 20.0
    area_hours: float = 2.0
    # identity: one MMSI in two places at once (consecutive fixes needing an impossible speed)
    impossible_speed_kn: float = 60.0
    impossible_min_km: float = 10.0
    # voyages: a silence this long ends a voyage; its ends are named after places this close
    voyage_gap_hours: float = 24.0
    voyage_place_km: float = 60.0
    # vessels of interest: listed from this score (see mare.hub.maritime for the weights)
    interest_min_score: float = 3.0

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for evidence and JSON)."""
        return asdict(self)

    def with_settings(self, settings: list[str]) -> Thresholds:
        """A copy with NAME=VALUE settings applied (ValueError naming the setting and the fix)."""
        known = {f.name for f in fields(self)}
        changes: dict[str, float] = {}
        for item in settings:
            name, sep, value = item.partition("=")
            name = name.strip()
            if not sep or name not in known:
                raise ValueError(
                    f"unknown threshold {item!r}: write NAME=VALUE with NAME one of "
                    f"{', '.join(sorted(known))}"
                )
            try:
                changes[name] = float(value)
            except ValueError:
                raise ValueError(f"threshold {name} needs a number, not {value!r}") from None
            if changes[name] < 0:
                raise ValueError(f"threshold {name} cannot be negative ({value})")
        return replace(self, **changes)
