"""AIS position reports (NMEA AIVDM 1 and 5 via pyais), with rendezvous and transponder gaps."""

from __future__ import annotations

from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
from pyais.encode import encode_dict

from mare.scenario.params import DAY, END, START
from mare.scenario.places import PLACES
from mare.scenario.world import World

_STEP = 600  # seconds between reports
_SEA_PLACES = (
    "GR_PIR",
    "IT_AUG",
    "IT_POZ",
    "MT_HAL",
    "LY_TRI",
    "TN_SFX",
    "ES_ALG",
    "ES_ALM",
    "MA_TNG",
    "TR_CES",
    "TR_BOD",
    "RO_CON",
    "BG_BUR",
    "GR_CHI",
    "LY_TOB",
)
_TYPE = {"mother_ship": 30, "fishing_boat": 30, "yacht": 37, "cargo_ship": 70}


def _imo(first_six: int) -> str:
    """A valid IMO number (the seventh digit is the check digit)."""
    digits = f"{first_six:06d}"
    return digits + str(sum(int(d) * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10)


def _tag(ts: int) -> str:
    body = f"s:MARE-SAT,c:{ts}"
    cs = reduce(lambda a, ch: a ^ ord(ch), body, 0)
    return f"\\{body}*{cs:02X}\\"


def _track(
    rng: np.random.Generator, a: tuple[float, float], b: tuple[float, float], t0: int, t1: int
) -> list[tuple[int, float, float, float]]:
    n = max(2, (t1 - t0) // _STEP)
    out = []
    course = float(np.degrees(np.arctan2(b[1] - a[1], b[0] - a[0])) % 360)
    for i in range(n + 1):
        f = i / n
        lat = a[0] + (b[0] - a[0]) * f + float(rng.normal(0, 0.002))
        lon = a[1] + (b[1] - a[1]) * f + float(rng.normal(0, 0.002))
        out.append((t0 + i * _STEP, round(lat, 5), round(lon, 5), course))
    return out


def build_ais(world: World, rng: np.random.Generator, n_legit: int, out: Path) -> dict[str, Any]:
    """Write OUT/ais/YYYY-MM.nmea; return the truth (vessels, rendezvous, gaps)."""
    msgs: list[tuple[int, str]] = []
    truth: dict[str, Any] = {"vessels": [], "rendezvous": [], "gaps": []}
    seen: set[str] = set()
    for tid in sorted(world.trips):
        t = world.trips[tid]
        ship = t.tow or (t.conveyor if t.conveyor.startswith("S") else "")
        if not ship or "mmsi" not in world.things[ship].fields:
            continue
        f = world.things[ship].fields
        mmsi = int(str(f["mmsi"]))
        src, dst = PLACES[t.src], PLACES[t.dst]
        meet = ((src.lat + dst.lat) / 2, (src.lon + dst.lon) / 2)
        start = (src.lat, src.lon) if not t.tow else (src.lat + 0.8, src.lon + 1.5)
        half = t.depart + (t.arrive - t.depart) // 2
        pts = _track(rng, start, meet, t.depart - 6 * 3600, half)
        back = start if t.tow else (dst.lat, dst.lon)
        pts += _track(rng, meet, back, half + 3600, t.arrive + (12 * 3600 if t.tow else 0))
        gap0, gap1 = half - int(rng.uniform(2, 5) * 3600), half + int(rng.uniform(2, 5) * 3600)
        if t.tow or rng.random() < 0.5:
            pts = [p for p in pts if not gap0 <= p[0] < gap1]
            truth["gaps"].append({"vessel": ship, "mmsi": str(mmsi), "from": gap0, "to": gap1, "trip": tid})
        if t.tow:
            truth["rendezvous"].append(
                {
                    "mother_ship": ship,
                    "boat": t.conveyor,
                    "trip": tid,
                    "at": half,
                    "lat": round(meet[0], 4),
                    "lon": round(meet[1], 4),
                }
            )
        _emit(msgs, mmsi, pts, f, str(t.dst))
        if ship not in seen:
            seen.add(ship)
            truth["vessels"].append({"vessel": ship, "mmsi": str(mmsi), "network": t.network})
    for k in range(n_legit):  # ordinary traffic on the same seas
        mmsi = int(f"{(247, 237, 215, 256, 271, 224)[k % 6]}{int(rng.integers(0, 10**6)):06d}")
        fields: dict[str, object] = {
            "name": f"MV TRADER {k + 1}",
            "vessel_type": "cargo_ship",
            "imo": _imo(900_000 + k * 13),
            "call_sign": f"LEG{k:03d}",
        }
        truth["vessels"].append({"vessel": f"LEGIT-{k + 1}", "mmsi": str(mmsi), "network": ""})
        here = int(rng.choice(len(_SEA_PLACES)))
        t0 = START + int(rng.uniform(0, 30 * DAY))
        for _ in range(10):  # one voyage after another, each from where the last ended
            there = int(rng.choice([i for i in range(len(_SEA_PLACES)) if i != here]))
            pa, pb = PLACES[_SEA_PLACES[here]], PLACES[_SEA_PLACES[there]]
            t1 = t0 + int(rng.uniform(1, 3) * DAY)
            if t1 > END:
                break
            pts = _track(rng, (pa.lat, pa.lon), (pb.lat, pb.lon), t0, t1)
            here, t0 = there, t1 + int(rng.uniform(2, 50) * DAY)
            _emit(msgs, mmsi, pts, fields, pb.city)
    msgs.sort(key=lambda m: m[0])
    folder = out / "ais"
    folder.mkdir(parents=True, exist_ok=True)
    by_month: dict[str, list[str]] = {}
    for ts, line in msgs:
        month = str(np.datetime_as_string(np.datetime64(ts, "s"), unit="M"))
        by_month.setdefault(month, []).append(line)
    for month in sorted(by_month):
        (folder / f"{month}.nmea").write_text("\n".join(by_month[month]) + "\n", encoding="ascii")
    truth["sentences"] = len(msgs)
    return truth


def _emit(
    msgs: list[tuple[int, str]],
    mmsi: int,
    pts: list[tuple[int, float, float, float]],
    fields: dict[str, object],
    dest: str,
) -> None:
    for i, (ts, lat, lon, course) in enumerate(pts):
        if i % 36 == 0:
            static: dict[str, str | int | float | bytes | bool] = {
                "msg_type": 5,
                "mmsi": mmsi,
                "shipname": str(fields.get("name", ""))[:20],
                "callsign": str(fields.get("call_sign", ""))[:7],
                "ship_type": _TYPE.get(str(fields.get("vessel_type")), 30),
                "destination": dest[:20].upper(),
                "to_bow": 10,
                "to_stern": 10,
                "to_port": 3,
                "to_starboard": 3,
            }
            imo = str(fields.get("imo", "")).replace("IMO", "").strip()
            if imo.isdigit():
                static["imo"] = int(imo)
            for j, s in enumerate(encode_dict(static, talker_id="AI", sentence_type="VDM", seq_id=i % 10)):
                msgs.append((ts, (_tag(ts) if j == 0 else "") + s))
        pos: dict[str, str | int | float | bytes | bool] = {
            "msg_type": 1,
            "mmsi": mmsi,
            "lat": lat,
            "lon": lon,
            "speed": 7.5,
            "course": round(course, 1),
            "heading": int(course) % 360,
            "second": ts % 60,
            "status": 0,
        }
        for s in encode_dict(pos, talker_id="AI", sentence_type="VDM"):
            msgs.append((ts, _tag(ts) + s))


#: Who sends the AIS their receivers and patrols recorded: coast guards first, then maritime police.
AIS_CONTRIBUTORS = ("GR-HCG", "IT-GDF", "MT-POL", "IT-SCO", "GR-HP", "ES-CGPJ")


def ais_contributions(out: Path, agency_ids: list[str], seed: int) -> list[tuple[str, Path, dict[str, Any]]]:
    """Each month's AIS as a contribution of a coast guard (or maritime police) of the scenario.

    Writes contributions/AGENCY/AGENCY-AIS-YYYY-MM.nmea with its sidecar envelope (handling code and
    grading drawn like every other contribution's); returns (agency, path, envelope) per file.
    """
    from mare.scenario.agencies import AGENCIES
    from mare.scenario.records import Contribution
    from mare.scenario.writers import envelope, write_cdr_envelope

    by_id = {a.id: a for a in AGENCIES}
    senders = [by_id[a] for a in AIS_CONTRIBUTORS if a in agency_ids] or [by_id[agency_ids[0]]]
    rng = np.random.Generator(np.random.PCG64([seed, 16]))
    made = []
    for k, month_file in enumerate(sorted((out / "ais").glob("*.nmea"))):
        agency = senders[k % len(senders)]
        month = month_file.stem
        sent = int(np.datetime64(f"{month}-01", "s").astype(np.int64)) + 40 * DAY
        c = Contribution(
            agency=agency, id=f"{agency.id}-AIS-{month}", case_ref=f"{agency.id}-AIS", sent_at=sent
        )
        c.crime_areas.add("migrant_smuggling")
        env = envelope(c, rng, agency_ids)
        folder = out / "contributions" / agency.id
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / f"{c.id}.nmea"
        dest.write_bytes(month_file.read_bytes())
        write_cdr_envelope(dest, env)
        made.append((agency.id, dest, env))
    return made
