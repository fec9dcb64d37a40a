"""Turn true entities into one contribution's records and links, as one agency writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mare.scenario.agencies import Agency
from mare.scenario.countries import imo_valid
from mare.scenario.noise import Noise, write_country
from mare.scenario.people import iso_date, iso_datetime
from mare.scenario.places import PLACES
from mare.scenario.world import World

_PREFIX = {
    "person": "p",
    "phone": "ph",
    "vehicle": "v",
    "vessel": "ves",
    "document": "d",
    "financial_account": "fa",
    "organisation": "o",
    "account": "acc",
    "location": "loc",
    "event": "e",
    "journey_leg": "leg",
    "payment": "pay",
    "communication": "c",
    "advert": "ad",
    "case": "case",
}


@dataclass(slots=True)
class Contribution:
    """Records and links of one contribution, with the true entity behind each record."""

    agency: Agency
    id: str
    case_ref: str
    sent_at: int
    crime_areas: set[str] = field(default_factory=set)
    records: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    truth: dict[str, str] = field(default_factory=dict)  # local id -> true id
    by_true: dict[str, str] = field(default_factory=dict)
    kind_count: dict[str, int] = field(default_factory=dict)
    fmt: str = "json"


class Builder:
    """Adds records to a contribution, writing values the agency's way."""

    def __init__(self, world: World, rng: np.random.Generator, noise: Noise, c: Contribution) -> None:
        self.w, self.rng, self.noise, self.c = world, rng, noise, c
        self.ag = c.agency

    def _new(self, kind: str, true_id: str, fields: dict[str, Any]) -> str:
        n = self.c.kind_count.get(kind, 0) + 1
        self.c.kind_count[kind] = n
        local = f"{_PREFIX[kind]}{n}"
        rec: dict[str, Any] = {"id": local, "kind": kind}
        rec.update({k: v for k, v in fields.items() if v is not None and v != ""})
        self.c.records.append(rec)
        self.c.truth[local] = true_id
        self.c.by_true[true_id] = local
        return local

    def _where(self, kind: str) -> tuple[str, str, str]:
        n = self.c.kind_count.get(kind, 0) + 1
        return (self.ag.id, self.c.id, f"{_PREFIX[kind]}{n}")

    def _bad(self) -> bool:
        self.noise.log.chance("bad_row")
        return bool(self.rng.random() < self.noise.p.bad_row)

    def _bad_hit(self, where: tuple[str, str, str], fld: str, value: str, reason: str) -> None:
        self.noise.log.applied["bad_row"] = self.noise.log.applied.get("bad_row", 0) + 1
        self.noise.log.bad.append((*where, fld, value, reason))

    def person(self, pid: str, category: str, role: str = "", detail: float = 1.0) -> str:
        """A person record; detail < 1 leaves out some fields (a contact seen in passing)."""
        if pid in self.c.by_true:
            return self.c.by_true[pid]
        p = self.w.persons[pid]
        where = self._where("person")
        fields: dict[str, Any] = {"category": category}
        fields.update(self.noise.names(p, self.ag, where))
        if p.minor:
            fields["minor"] = True
        elif category in ("victim", "witness", "potential_victim"):
            fields["minor"] = False
        if self.rng.random() < detail:
            if self._bad():
                bad = self.noise.bad_birth(p.birth, self.ag)
                fields["birth_date"] = bad
                self._bad_hit(where, "birth_date", bad, "impossible date")
            else:
                fields["birth_date"] = self.noise.birth(p.birth, self.ag, where)
            fields["nationality"] = self.noise.nationality(p.nationality, self.ag, where)
            fields["gender"] = self.ag.gender_style[0 if p.gender == "male" else 1]
        if p.alias and fields.get("name") != p.alias and self.rng.random() < 0.5:
            fields["alias"] = [p.alias]
        if p.residence != p.nationality and self.rng.random() < 0.5:
            fields["residence_country"] = write_country(p.residence, self.ag)
        if role:
            fields["role"] = role
            fields["assessment"] = True
        return self._new("person", pid, fields)

    def phone(self, phone_id: str) -> str:
        """A phone record (number as the agency writes it, sometimes IMEI and IMSI)."""
        if phone_id in self.c.by_true:
            return self.c.by_true[phone_id]
        ph = self.w.phones[phone_id]
        where = self._where("phone")
        number = self.noise.phone(ph.cc, ph.nsn, self.ag, where)
        if self._bad():
            number = number[:-4]
            self._bad_hit(where, "number", number, "number too short")
        fields: dict[str, Any] = {"number": number}
        if self.rng.random() < 0.3:
            fields["imei"] = ph.imei
        if self.rng.random() < 0.2:
            fields["imsi"] = ph.imsi
        return self._new("phone", phone_id, fields)

    def thing(self, tid: str) -> str:
        """A vehicle, vessel, document, account, organisation or online account."""
        if tid in self.c.by_true:
            return self.c.by_true[tid]
        t = self.w.things[tid]
        where = self._where(t.kind)
        fields = {k: v for k, v in t.fields.items() if k != "uses"}
        for key in ("country", "flag", "issuing_country", "nationality", "rental_country"):
            if key in fields and self.ag.nat_style == "iso3":
                fields[key] = write_country(str(fields[key]), self.ag)
        if t.kind == "vehicle" and self.rng.random() < 0.3:
            fields["plate"] = str(fields["plate"]).replace(" ", "").replace("-", "")
        if t.kind == "vessel" and "imo" in fields:
            if self._bad():
                bad = str(fields["imo"])[:6] + str((int(str(fields["imo"])[6]) + 3) % 10)
                assert not imo_valid(bad)
                fields["imo"] = bad
                self._bad_hit(where, "imo", bad, "IMO check digit wrong")
            elif self.rng.random() < 0.5:
                fields["imo"] = f"IMO {fields['imo']}"
        if t.kind == "financial_account" and "iban" in fields:
            iban = str(fields["iban"])
            if self._bad():
                iban = iban[:4] + iban[5:] + iban[4]
                fields["iban"] = iban
                self._bad_hit(where, "iban", iban, "IBAN check digits wrong")
            elif self.rng.random() < 0.5:
                fields["iban"] = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        if t.kind == "document":
            fields["birth_date"] = self.noise.birth(str(fields["birth_date"]), self.ag, where)
            if self.rng.random() < 0.5:
                fields.pop("mrz", None)
        return self._new(t.kind, tid, fields)

    def location(self, place_id: str) -> str:
        """A place record."""
        key = f"L:{place_id}"
        if key in self.c.by_true:
            return self.c.by_true[key]
        pl = PLACES[place_id]
        return self._new(
            "location",
            key,
            {
                "name": pl.name,
                "city": pl.city,
                "country": write_country(pl.country, self.ag),
                "lat": pl.lat,
                "lon": pl.lon,
                "place_type": pl.place_type,
            },
        )

    def event(self, eid: str) -> str:
        """An event record."""
        if eid in self.c.by_true:
            return self.c.by_true[eid]
        ev = self.w.events[eid]
        return self._new(
            "event",
            eid,
            {
                "event_type": ev.type,
                "occurred_at": iso_datetime(ev.at),
                "place": ev.place,
                "country": write_country(ev.country, self.ag),
                "lat": ev.lat,
                "lon": ev.lon,
                "persons_count": ev.persons_count or None,
                "dead": ev.dead or None,
                "missing": ev.missing or None,
                "description": ev.description,
            },
        )

    def leg(self, trip_id: str) -> str:
        """A journey leg record."""
        if trip_id in self.c.by_true:
            return self.c.by_true[trip_id]
        t = self.w.trips[trip_id]
        a, b = PLACES[t.src], PLACES[t.dst]
        mode = {"other": "sea"}.get(t.conveyance) or (
            "sea"
            if t.conveyance
            in ("rubber_dinghy", "wooden_boat", "fishing_boat", "mother_ship", "yacht", "cargo_ship")
            else "air"
            if t.conveyance == "plane"
            else "foot"
            if t.conveyance == "foot"
            else "land"
        )
        return self._new(
            "journey_leg",
            trip_id,
            {
                "from_place": a.name,
                "from_country": write_country(a.country, self.ag),
                "from_lat": a.lat,
                "from_lon": a.lon,
                "to_place": b.name,
                "to_country": write_country(b.country, self.ag),
                "to_lat": b.lat,
                "to_lon": b.lon,
                "departed_at": iso_datetime(t.depart),
                "arrived_at": iso_datetime(t.arrive),
                "mode": mode,
                "conveyance": t.conveyance,
                "persons_count": len(t.migrants),
            },
        )

    def payment(self, pay_id: str) -> str:
        """A payment record."""
        if pay_id in self.c.by_true:
            return self.c.by_true[pay_id]
        p = self.w.payments[pay_id]
        return self._new(
            "payment",
            pay_id,
            {
                "amount": p.amount,
                "currency": p.currency,
                "paid_at": iso_date(p.at),
                "method": p.method,
                "purpose": p.purpose,
                "from_country": write_country(p.src_country, self.ag),
                "to_country": write_country(p.dst_country, self.ag),
            },
        )

    def advert(self, ad_id: str) -> str:
        """An advert record."""
        if ad_id in self.c.by_true:
            return self.c.by_true[ad_id]
        ad = self.w.adverts[ad_id]
        return self._new(
            "advert",
            ad_id,
            {
                "platform": ad.platform,
                "url": ad.url,
                "posted_at": iso_datetime(ad.posted),
                "text": ad.text,
                "language": ad.language,
                "price": ad.price,
                "currency": ad.currency,
                "route_offered": ad.route_offered,
            },
        )

    def communication(self, key: str, caller: str, callee: str, at: int, dur: int) -> str:
        """One intercepted call, as a record."""
        a, b = self.w.phones[caller], self.w.phones[callee]
        where = self._where("communication")
        return self._new(
            "communication",
            key,
            {
                "comm_type": "call",
                "caller": self.noise.phone(a.cc, a.nsn, self.ag, where),
                "callee": self.noise.phone(b.cc, b.nsn, self.ag, where),
                "started_at": iso_datetime(at),
                "duration_s": dur,
            },
        )

    def case(self) -> str:
        """The case record the contribution is about."""
        return self._new(
            "case",
            f"C:{self.c.case_ref}",
            {"reference": self.c.case_ref, "country": self.ag.country or None, "status": "open"},
        )

    def link(self, kind: str, source: str, target: str, **fields: Any) -> None:
        """A link between two local records."""
        row: dict[str, Any] = {"kind": kind, "source": source, "target": target}
        row.update({k: v for k, v in fields.items() if v is not None})
        self.c.links.append(row)
