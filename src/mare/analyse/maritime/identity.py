"""Identity anomalies from AIS static data: changes of name, call sign, type or flag; invalid MMSI or IMO."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from mare.analyse.maritime.events import Event
from mare.schema.types.identifiers import imo_check_digit, mid_country


@dataclass(frozen=True, slots=True)
class StaticReport:
    """One distinct static report of a vessel (as stored in ais_static), with where it came from."""

    mmsi: int
    first_seen: datetime | None
    imo: str | None
    name: str | None
    call_sign: str | None
    ship_type: int | None
    source: str


def flag_of(mmsi: int) -> str | None:
    """The flag state from a ship station MMSI's MID (first three digits), None when not a ship's."""
    text = str(mmsi)
    if len(text) != 9 or text[0] not in "234567":
        return None
    return mid_country(text[:3])


def imo_valid(imo: str) -> bool:
    """True for a 7-digit IMO number whose check digit is right."""
    return len(imo) == 7 and imo.isdigit() and imo_check_digit(imo[:6]) == int(imo[6])


def _stamp(value: datetime | None) -> int:
    return int(value.timestamp()) if value else 0


def identity_anomalies(reports: Iterable[StaticReport], mmsis: Iterable[int]) -> list[Event]:
    """Per vessel: more than one name, call sign or type; one IMO under several flags; bad MMSI or IMO."""
    by_mmsi: dict[int, list[StaticReport]] = defaultdict(list)
    by_imo: dict[str, set[int]] = defaultdict(set)
    for r in reports:
        by_mmsi[r.mmsi].append(r)
        if r.imo:
            by_imo[r.imo].add(r.mmsi)
    out: list[Event] = []
    for mmsi in sorted(set(mmsis) | set(by_mmsi)):
        rows = sorted(by_mmsi.get(mmsi, []), key=lambda r: (_stamp(r.first_seen), r.source))
        sources = sorted({r.source for r in rows})
        when = _stamp(rows[0].first_seen) if rows else 0
        for what, attr in (("name", "name"), ("call sign", "call_sign"), ("ship type", "ship_type")):
            values = []
            for r in rows:
                v = getattr(r, attr)
                if v is not None and v not in values:
                    values.append(v)
            if len(values) > 1:
                out.append(
                    Event(
                        "identity",
                        mmsi,
                        when,
                        _stamp(rows[-1].first_seen),
                        float("nan"),
                        float("nan"),
                        f"{what} changed: " + " → ".join(str(v) for v in values),
                        {"anomaly": f"{attr}_change", "values": [str(v) for v in values]},
                        sources=sources,
                    )
                )
        if flag_of(mmsi) is None:
            out.append(
                Event(
                    "identity",
                    mmsi,
                    when,
                    when,
                    float("nan"),
                    float("nan"),
                    f"MMSI {mmsi} is not a valid ship station number (9 digits, MID 201-775)",
                    {"anomaly": "invalid_mmsi"},
                    sources=sources,
                )
            )
        for imo in sorted({r.imo for r in rows if r.imo}):
            if not imo_valid(imo):
                out.append(
                    Event(
                        "identity",
                        mmsi,
                        when,
                        when,
                        float("nan"),
                        float("nan"),
                        f"IMO {imo} fails its check digit",
                        {"anomaly": "invalid_imo", "imo": imo},
                        sources=sources,
                    )
                )
    for imo, mmsis_of in sorted(by_imo.items()):
        flags = sorted({f for f in (flag_of(m) for m in mmsis_of) if f})
        if len(mmsis_of) > 1:
            for mmsi in sorted(mmsis_of):
                out.append(
                    Event(
                        "identity",
                        mmsi,
                        0,
                        0,
                        float("nan"),
                        float("nan"),
                        f"IMO {imo} broadcast under {len(mmsis_of)} MMSIs "
                        f"({', '.join(map(str, sorted(mmsis_of)))})"
                        + (f", flags {', '.join(flags)}" if len(flags) > 1 else ""),
                        {
                            "anomaly": "flag_change" if len(flags) > 1 else "mmsi_change",
                            "imo": imo,
                            "mmsis": sorted(mmsis_of),
                            "flags": flags,
                        },
                        sources=sorted({r.source for m in mmsis_of for r in by_mmsi[m]}),
                    )
                )
    return out
