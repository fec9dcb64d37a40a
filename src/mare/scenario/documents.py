"""Document checks at airports, as border police contribute them, with their own ground truth.

Border police at the departure and arrival airports of the world's flights record the travel
documents presented (from passenger data and gate checks: number, issuing country, holder as
written, the machine-read MRZ), one contribution per agency and week. On a document's last trip
an impostor may be detected: the person using it is recorded under their own identity, linked to
the document (`holds_document`), and the document is seized. Genuine travellers fly on the same
flights and back again (their outbound and return flights checked like any other), so the
analysis has genuine documents to tell apart from rented ones. Now and then a gate reader misreads
a character of the MRZ, or cuts a line short: that MRZ reaches the hub as read.

Everything here draws on its own random stream, after the rest of the scenario is written, so the
other contributions, calls and AIS stay exactly as they were. `truth/documents.csv` lists every
document checked (rented or genuine, uses, seized, MRZ corrupted).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mare.scenario.agencies import Agency
from mare.scenario.countries import mrz_check
from mare.scenario.fleet import _ISO3, _mrz_name
from mare.scenario.noise import Noise
from mare.scenario.params import DAY
from mare.scenario.people import iso_date, iso_datetime
from mare.scenario.places import PLACES
from mare.scenario.records import Builder, Contribution
from mare.scenario.world import Person, Trip, World
from mare.scenario.writers import envelope, grade_records, write

#: The agency that checks documents at a country's airports (else the first agency of the country).
BORDER_AGENCY = {"DE": "DE-BPOL", "NL": "NL-KMAR", "GR": "GR-HP"}
P_REPORTED = 0.75  # a flight's check reaches the hub from one side
P_DETECTED = 0.35  # an impostor caught at the check of the document's last trip
P_MRZ_READ = 0.85  # the MRZ was machine-read
P_MRZ_MISREAD = 0.04  # one character misread (a check digit fails)
P_MRZ_CUT = 0.01  # a line cut short (no layout fits)
GENUINE_PER_FLIGHT = (1, 4)
GENUINE_POOL = 25  # frequent travellers per airport pair
_ALNUM = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


@dataclass
class _Traveller:
    """A genuine traveller with their own document, flying out and back."""

    key: str
    fields: dict[str, Any]
    home_at: int = 0  # back home from the last trip (free to fly out again)


@dataclass(frozen=True)
class _Check:
    """One flight checked by one agency: the leg, and the documents presented on it."""

    agency: Agency
    at: int
    place: str  # the airport (place id) where the documents were checked
    leg: str  # true id of the leg (a world trip, or 'GL:...' for a genuine return flight)
    leg_fields: dict[str, Any] | None  # fields of a genuine return flight
    docs: tuple[
        tuple[str, str, dict[str, Any], str | None], ...
    ]  # (true doc id, kind, fields, detected person)


def _checker(agencies: tuple[Agency, ...], country: str) -> Agency | None:
    by_id = {a.id: a for a in agencies}
    preferred = by_id.get(BORDER_AGENCY.get(country, ""))
    return preferred or next((a for a in agencies if a.country == country), None)


def _mrz(rng: np.random.Generator, fields: dict[str, Any], name: tuple[str, str], sex: str) -> str:
    iso3 = _ISO3.get(str(fields["issuing_country"]), "XXX")
    number = str(fields["number"])
    birth = str(fields["birth_date"]).replace("-", "")[2:]
    exp = str(fields["expiry_date"]).replace("-", "")[2:]
    line1 = f"P<{iso3}{_mrz_name(name[0])}<<{_mrz_name(name[1])}".ljust(44, "<")[:44]
    body = f"{number}{mrz_check(number)}{iso3}{birth}{mrz_check(birth)}{sex}{exp}{mrz_check(exp)}"
    personal = "<" * 14
    body += personal + mrz_check(personal)
    return f"{line1}\n{body}{mrz_check(body[0:10] + body[13:20] + body[21:43])}"


def _genuine(rng: np.random.Generator, persons: list[Person], n: int, src: str) -> _Traveller:
    """A traveller of made-up identity: the given name of one person, the family name of another."""
    a, b = persons[int(rng.integers(len(persons)))], persons[int(rng.integers(len(persons)))]
    country = PLACES[src].country if rng.random() < 0.5 else b.nationality
    issued = int(rng.integers(0, 3000)) * DAY
    birth = f"{int(rng.integers(1955, 2002))}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
    fields: dict[str, Any] = {
        "document_type": "passport",
        "document_class": "travel",
        "number": "".join(_ALNUM[int(i)] for i in rng.integers(0, len(_ALNUM), 9)),
        "issuing_country": country,
        "holder_name": f"{a.given.variants[0]} {b.family.variants[0]}",
        "birth_date": birth,
        "nationality": country,
        "expiry_date": iso_date(1_600_000_000 + issued + 10 * 365 * DAY),
    }
    fields["mrz"] = _mrz(
        rng, fields, (b.family.variants[0], a.given.variants[0]), "M" if a.gender == "male" else "F"
    )
    return _Traveller(f"G:{src}:{n}", fields)


def _rented_fields(world: World, doc: str) -> dict[str, Any]:
    """The rented document's fields as a check reads them (its status is not known there)."""
    return {k: v for k, v in world.things[doc].fields.items() if k not in ("uses", "fraud")}


def _read_mrz(rng: np.random.Generator, mrz: str, log: dict[str, str], key: str) -> str | None:
    """The MRZ as the gate reader read it (None: not read)."""
    if rng.random() >= P_MRZ_READ:
        return None
    roll = rng.random()
    if roll < P_MRZ_CUT:
        log[key] = "cut"
        return mrz[: len(mrz) - int(rng.integers(2, 9))]
    if roll < P_MRZ_CUT + P_MRZ_MISREAD:
        lines = mrz.split("\n")
        pos = int(rng.integers(0, 9))
        c = lines[1][pos]
        swap = {"0": "O", "O": "0", "1": "I", "I": "1", "8": "B", "B": "8", "5": "S", "S": "5"}.get(c)
        swap = swap or ("7" if c != "7" else "1")
        lines[1] = lines[1][:pos] + swap + lines[1][pos + 1 :]
        log[key] = "misread"
        return "\n".join(lines)
    return mrz


def _plan(
    world: World, rng: np.random.Generator, agencies: tuple[Agency, ...]
) -> tuple[list[_Check], dict[str, dict[str, Any]]]:
    """Every check made, and the ground truth of each document checked."""
    air = sorted(
        (t for t in world.trips.values() if t.conveyance == "plane" and t.documents), key=lambda t: t.depart
    )
    last_trip: dict[str, str] = {}
    for t in air:
        for d in t.documents:
            last_trip[d] = t.id
    persons = [
        p for p in world.persons.values() if p.kind in ("contact", "relative") and not p.minor
    ] or list(world.persons.values())
    pools: dict[tuple[str, str], list[_Traveller]] = defaultdict(list)
    truth: dict[str, dict[str, Any]] = {}
    checks: list[_Check] = []
    for t in air:
        sides = [
            (_checker(agencies, PLACES[t.src].country), t.depart, t.src),
            (_checker(agencies, PLACES[t.dst].country), t.arrive, t.dst),
        ]
        reporting = [
            (ag, at, place) for ag, at, place in sides if ag is not None and rng.random() < P_REPORTED
        ]
        docs: list[tuple[str, str, dict[str, Any], str | None]] = []
        for migrant, doc in zip(t.migrants, t.documents, strict=False):
            row = truth.setdefault(
                doc, {"kind": "rented", "legs": 0, "seized": "", "holder": world.things[doc].owner}
            )
            row["legs"] += 1
            docs.append((doc, "rented", _rented_fields(world, doc), migrant))
        pool = pools[(t.src, t.dst)]
        for _ in range(int(rng.integers(*GENUINE_PER_FLIGHT))):
            free = [x for x in pool if x.home_at < t.depart and x.key not in {d[0] for d in docs}]
            if len(pool) < GENUINE_POOL and (not free or rng.random() < 0.5):
                free = [_genuine(rng, persons, len(pool), t.src)]
                pool.append(free[0])
            if not free:
                continue
            trav = free[int(rng.integers(len(free)))]
            truth.setdefault(trav.key, {"kind": "genuine", "legs": 0, "seized": "", "holder": ""})[
                "legs"
            ] += 2
            docs.append((trav.key, "genuine", dict(trav.fields), None))
            back = t.arrive + int(rng.uniform(2, 40) * DAY)
            trav.home_at = back + int(t.arrive - t.depart)
            return_leg = _return_leg(t, back, f"GL:{t.id}:{trav.key}")
            for place in (t.dst, t.src):
                ag = _checker(agencies, PLACES[place].country)
                if ag is not None and rng.random() < P_REPORTED:
                    shown = ((trav.key, "genuine", dict(trav.fields), None),)
                    checks.append(_Check(ag, back, place, return_leg["id"], return_leg, shown))
        caught = {
            d
            for d, k, _, _ in docs
            if k == "rented" and last_trip.get(d) == t.id and rng.random() < P_DETECTED
        }
        for ag, at, place in reporting:  # the first check that catches an impostor seizes the document
            presented = tuple((d, k, f, m if d in caught else None) for d, k, f, m in docs)
            for d in caught:
                truth[d]["seized"] = ag.id
            checks.append(_Check(ag, at, place, t.id, None, presented))
            docs = [x for x in docs if x[0] not in caught]
            caught = set()
    return checks, truth


def _return_leg(t: Trip, back: int, key: str) -> dict[str, Any]:
    a, b = PLACES[t.dst], PLACES[t.src]
    return {
        "id": key,
        "from_place": a.name,
        "from_country": a.country,
        "from_lat": a.lat,
        "from_lon": a.lon,
        "to_place": b.name,
        "to_country": b.country,
        "to_lat": b.lat,
        "to_lon": b.lon,
        "departed_at": iso_datetime(back),
        "arrived_at": iso_datetime(back + int(t.arrive - t.depart)),
        "mode": "air",
        "conveyance": "plane",
    }


def document_check_contributions(
    world: World,
    agencies: tuple[Agency, ...],
    noise: dict[str, Noise],
    seed: int,
    next_n: Callable[[Agency], int],
    truth_folder: Path,
) -> list[Contribution]:
    """One contribution per border agency and week of checks; writes truth/documents.csv."""
    rng = np.random.Generator(np.random.PCG64([seed, 17_017]))
    checks, truth = _plan(world, rng, agencies)
    misread: dict[str, str] = {}
    weeks: dict[tuple[str, int], list[_Check]] = defaultdict(list)
    for check in checks:
        weeks[(check.agency.id, check.at // (7 * DAY))].append(check)
    out: list[Contribution] = []
    for (_, week), group in sorted(weeks.items()):
        ag = group[0].agency
        last = max(c.at for c in group)
        sent = last + int(rng.uniform(1, 10) * DAY)
        year = iso_date(sent)[:4]
        c = Contribution(
            agency=ag, id=f"{ag.id}-{year}-{next_n(ag):06d}", case_ref=f"{ag.id}-DOC-W{week}", sent_at=sent
        )
        c.fmt = "json" if rng.random() < 0.7 else "csv"
        c.crime_areas.update(("migrant_smuggling", "document_fraud"))
        b = Builder(world, rng, noise[ag.id], c)
        case_id = b.case()
        for check in sorted(group, key=lambda x: (x.at, x.leg)):
            _contribute(b, rng, check, case_id, misread)
        out.append(c)
    truth_folder.mkdir(parents=True, exist_ok=True)
    with (truth_folder / "documents.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("id", "kind", "legs", "seized_by", "holder", "mrz_corrupted"))
        for key in sorted(truth):
            row = truth[key]
            w.writerow((key, row["kind"], row["legs"], row["seized"], row["holder"], misread.get(key, "")))
    return out


def _contribute(
    b: Builder, rng: np.random.Generator, check: _Check, case_id: str, misread: dict[str, str]
) -> None:
    if check.leg_fields is None:
        leg = b.leg(check.leg)
    elif check.leg in b.c.by_true:
        leg = b.c.by_true[check.leg]
    else:
        fields = {k: v for k, v in check.leg_fields.items() if k != "id"}
        leg = b._new("journey_leg", check.leg, fields)
    b.link("part_of", leg, case_id)
    place = PLACES[check.place]
    for true_id, _kind, fields, person in check.docs:
        key = f"{true_id}@{check.leg}"
        if key in b.c.by_true:
            continue
        written = dict(fields)
        mrz = _read_mrz(rng, str(written.pop("mrz", "")), misread, true_id) if written.get("mrz") else None
        if mrz:
            written["mrz"] = mrz
        if person is not None:
            written.update(
                fraud="impostor",
                seized_at=iso_datetime(check.at),
                seized_place=place.name,
                seized_country=place.country,
            )
        doc = b._new("document", key, written)
        b.c.truth[doc] = true_id  # the document itself, whichever leg it was checked on
        b.link("leg_used", leg, doc)
        if person is not None:
            local = b.person(person, "suspect", "", 1.0)
            b.link("holds_document", local, doc)
            b.link("travelled_on", local, leg)


def write_document_checks(
    contributions: list[Contribution],
    out: Path,
    all_ids: list[str],
    seed: int,
    record_map: list[tuple[str, ...]],
    count: Callable[[Contribution, dict[str, Any], int], None],
) -> None:
    """Write the document-check contributions like the others (own random stream), map their records."""
    rng = np.random.Generator(np.random.PCG64([seed, 17_018]))
    for c in contributions:
        if not c.records:
            continue
        grade_records(c, rng)
        env = envelope(c, rng, all_ids)
        main, _files, tmap = write(c, env, out / "contributions" / c.agency.id)
        rel = main.relative_to(out).as_posix()
        kinds = {r["id"]: str(r["kind"]) for r in c.records}
        for rid in sorted(tmap):
            record_map.append((c.agency.id, c.id, c.fmt, rel, rid, kinds.get(rid, "link"), tmap[rid]))
        count(c, env, len(c.records) + len(c.links))
