"""Helpers for the maritime tests: NMEA sentences built with pyais, with tag blocks."""

from __future__ import annotations

from functools import reduce
from typing import Any

from pyais.encode import encode_dict


def tag(ts: int) -> str:
    """An NMEA 4.0 tag block with receiver time `ts` (UNIX seconds)."""
    body = f"s:TEST,c:{ts}"
    cs = reduce(lambda a, ch: a ^ ord(ch), body, 0)
    return f"\\{body}*{cs:02X}\\"


def position(mmsi: int, ts: int | None, lat: float, lon: float, speed: float = 5.0, **more: Any) -> str:
    """One type 1 sentence (with a tag block when ts is given)."""
    fields: dict[str, Any] = {
        "msg_type": 1,
        "mmsi": mmsi,
        "lat": lat,
        "lon": lon,
        "speed": speed,
        "course": 90.0,
    }
    fields.update(more)
    (sentence,) = encode_dict(fields, talker_id="AI", sentence_type="VDM")
    return (tag(ts) if ts is not None else "") + sentence


def static(
    mmsi: int, ts: int, name: str, imo: int | None = None, ship_type: int = 70, seq: int = 1
) -> list[str]:
    """A type 5 message (two sentences), the first with a tag block."""
    fields: dict[str, Any] = {
        "msg_type": 5,
        "mmsi": mmsi,
        "shipname": name,
        "callsign": "ABCD",
        "ship_type": ship_type,
        "to_bow": 50,
        "to_stern": 20,
        "to_port": 5,
        "to_starboard": 5,
        "destination": "VALLETTA",
    }
    if imo:
        fields["imo"] = imo
    parts = encode_dict(fields, talker_id="AI", sentence_type="VDM", seq_id=seq)
    return [(tag(ts) if i == 0 else "") + s for i, s in enumerate(parts)]
