"""Write the ground truth to OUT/truth/ (kept apart from the contributions)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mare.scenario.noise import NoiseLog
from mare.scenario.people import iso_date, iso_datetime
from mare.scenario.places import EU_COUNTRIES, PLACES
from mare.scenario.world import World


def _csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def write_truth(
    world: World,
    folder: Path,
    log: NoiseLog,
    record_map: list[tuple[str, ...]],
    cdr_numbers: list[tuple[str, ...]],
    ais: dict[str, Any],
    noise_rates: dict[str, float],
) -> dict[str, Any]:
    """Write every truth file; return the noise summary."""
    folder.mkdir(parents=True, exist_ok=True)
    _csv(
        folder / "persons.csv",
        (
            "id",
            "kind",
            "name",
            "native_name",
            "gender",
            "birth_date",
            "nationality",
            "residence",
            "place",
            "role",
            "network",
            "alias",
            "minor",
            "crime_areas",
            "phones",
        ),
        (
            (
                p.id,
                p.kind,
                p.name,
                p.native_name,
                p.gender,
                p.birth,
                p.nationality,
                p.residence,
                p.place,
                p.role,
                p.network,
                p.alias,
                int(p.minor),
                " | ".join(p.crime_areas),
                " | ".join(p.phones),
            )
            for p in world.persons.values()
        ),
    )
    _csv(
        folder / "phones.csv",
        ("id", "person", "e164", "imei", "imsi", "from", "to"),
        (
            (ph.id, ph.person, ph.e164, ph.imei, ph.imsi, iso_date(ph.start), iso_date(ph.end))
            for ph in world.phones.values()
        ),
    )
    _csv(
        folder / "memberships.csv",
        ("person", "network", "role", "place", "boss", "from", "to"),
        (
            (m.person, m.network, m.role, m.place, m.boss, iso_date(m.start), iso_date(m.end))
            for m in world.memberships
        ),
    )
    nets = [
        {
            "id": n.id,
            "name": n.name,
            "segment": n.segment,
            "route": n.route,
            "leader": n.leader,
            "line": n.line,
            "start": iso_date(n.start),
            "end": iso_date(n.end),
            "absorbed_by": n.absorbed_by,
            "absorbed_at": iso_date(n.absorbed_at) if n.absorbed_at else "",
            "size": len({m.person for m in n.members}),
            "vehicles": n.vehicles,
            "vessels": n.vessels,
            "hawaladars": n.hawaladars,
            "forgers": n.forgers,
            "businesses": n.businesses,
            "rented_documents": n.documents,
        }
        for n in world.networks.values()
    ]
    coop = [{"from": a, "to": b, "handovers": k} for (a, b), k in sorted(world.cooperation.items())]
    _json(folder / "networks.json", {"networks": nets, "cooperation": coop})
    _csv(
        folder / "things.csv",
        ("id", "kind", "owner", "network", "fields"),
        (
            (t.id, t.kind, t.owner, t.network, json.dumps(t.fields, ensure_ascii=False, sort_keys=True))
            for t in world.things.values()
        ),
    )
    _csv(
        folder / "legs.csv",
        (
            "id",
            "segment",
            "route",
            "from",
            "to",
            "departed",
            "arrived",
            "conveyance",
            "facilitated",
            "network",
            "organiser",
            "crew",
            "conveyor",
            "tow",
            "documents",
            "outcome",
            "migrants",
        ),
        (
            (
                t.id,
                t.segment,
                t.route,
                t.src,
                t.dst,
                iso_datetime(t.depart),
                iso_datetime(t.arrive),
                t.conveyance,
                int(t.facilitated),
                t.network,
                t.organiser,
                " | ".join(t.crew),
                t.conveyor,
                t.tow,
                " | ".join(t.documents),
                t.outcome,
                " | ".join(t.migrants),
            )
            for t in world.trips.values()
        ),
    )
    _csv(
        folder / "journeys.csv",
        ("migrant", "itinerary", "route", "fee_eur", "timing", "relative", "destination", "legs"),
        (
            (j.migrant, j.itinerary, j.route, j.fee, j.timing, j.relative, j.destination, " | ".join(j.trips))
            for j in world.journeys.values()
        ),
    )
    _csv(
        folder / "payments.csv",
        (
            "id",
            "amount",
            "currency",
            "at",
            "method",
            "purpose",
            "from_country",
            "to_country",
            "payer",
            "payee",
            "payer_account",
            "payee_account",
            "network",
            "migrant",
        ),
        (
            (
                p.id,
                p.amount,
                p.currency,
                iso_datetime(p.at),
                p.method,
                p.purpose,
                p.src_country,
                p.dst_country,
                p.payer,
                p.payee,
                p.payer_account,
                p.payee_account,
                p.network,
                p.migrant,
            )
            for p in world.payments.values()
        ),
    )
    _csv(
        folder / "events.csv",
        (
            "id",
            "type",
            "at",
            "place",
            "country",
            "lat",
            "lon",
            "persons_count",
            "dead",
            "missing",
            "leg",
            "persons",
            "things",
        ),
        (
            (
                e.id,
                e.type,
                iso_datetime(e.at),
                e.place,
                e.country,
                e.lat,
                e.lon,
                e.persons_count,
                e.dead,
                e.missing,
                e.trip,
                " | ".join(e.persons),
                " | ".join(e.things),
            )
            for e in world.events.values()
        ),
    )
    _csv(
        folder / "adverts.csv",
        ("id", "network", "poster", "phone", "account", "language", "price", "currency", "url"),
        (
            (a.id, a.network, a.poster, a.phone, a.account, a.language, a.price, a.currency, a.url)
            for a in world.adverts.values()
        ),
    )
    _csv(folder / "relations.csv", ("a", "b", "relation"), world.relations)
    _json(folder / "hotspots.json", hotspots(world))
    _json(folder / "ais.json", ais)
    _csv(
        folder / "records.csv",
        ("agency", "contribution", "format", "path", "record", "kind", "true_id"),
        record_map,
    )
    _csv(
        folder / "cdr_numbers.csv",
        ("agency", "contribution", "path", "number", "phone", "person"),
        cdr_numbers,
    )
    _csv(
        folder / "noise.csv",
        ("agency", "contribution", "record", "field", "noise", "true", "written"),
        log.rows,
    )
    _csv(folder / "bad_rows.csv", ("agency", "contribution", "record", "field", "value", "reason"), log.bad)
    summary = {
        k: {
            "rate": noise_rates.get(k, 0.0),
            "eligible": log.eligible.get(k, 0),
            "applied": log.applied.get(k, 0),
            "realised": round(log.applied.get(k, 0) / log.eligible[k], 5) if log.eligible.get(k) else 0.0,
        }
        for k in sorted(set(log.eligible) | set(noise_rates))
    }
    _json(folder / "noise_summary.json", summary)
    return summary


def hotspots(world: World) -> list[dict[str, Any]]:
    """True hotspots: places with the most facilitated departures and events, and when new."""
    count: dict[str, int] = {}
    first: dict[str, int] = {}
    for t in world.trips.values():
        if t.facilitated:
            count[t.src] = count.get(t.src, 0) + 1
            first[t.src] = min(first.get(t.src, t.depart), t.depart)
    out = []
    for pid in sorted(count, key=lambda p: (-count[p], p)):
        pl = PLACES[pid]
        out.append(
            {
                "place": pid,
                "name": pl.name,
                "country": pl.country,
                "lat": pl.lat,
                "lon": pl.lon,
                "type": pl.place_type,
                "departures": count[pid],
                "in_eu": pl.country in EU_COUNTRIES,
                "first_seen": iso_date(first[pid]),
            }
        )
    return out
