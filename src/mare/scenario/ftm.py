"""Map a contribution's records and links to FollowTheMoney entities."""

from __future__ import annotations

from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from mare.scenario.records import Contribution

_SCHEMA = {
    "person": "Person",
    "vehicle": "Vehicle",
    "vessel": "Vessel",
    "document": "Passport",
    "financial_account": "BankAccount",
    "organisation": "Organization",
    "account": "UserAccount",
    "location": "Address",
    "event": "Event",
    "payment": "Payment",
    "journey_leg": "Event",
    "communication": "Call",
}
_PROPS: dict[str, dict[str, str]] = {
    "person": {
        "name": "name",
        "given_name": "firstName",
        "family_name": "lastName",
        "alias": "alias",
        "birth_date": "birthDate",
        "nationality": "nationality",
        "gender": "gender",
        "residence_country": "country",
    },
    "vehicle": {"plate": "registrationNumber", "country": "country", "make": "model", "vehicle_type": "type"},
    "vessel": {
        "name": "name",
        "imo": "imoNumber",
        "mmsi": "mmsi",
        "flag": "flag",
        "call_sign": "callSign",
        "vessel_type": "type",
    },
    "document": {
        "number": "number",
        "issuing_country": "country",
        "holder_name": "summary",
        "birth_date": "birthDate",
        "expiry_date": "endDate",
        "fraud": "description",
    },
    "financial_account": {
        "iban": "iban",
        "account_number": "accountNumber",
        "institution": "bankName",
        "country": "country",
        "account_type": "accountType",
    },
    "organisation": {
        "name": "name",
        "country": "country",
        "registration_number": "idNumber",
        "business_type": "sector",
    },
    "account": {"service": "service", "handle": "username", "display_name": "name"},
    "location": {"name": "name", "city": "city", "country": "country", "lat": "latitude", "lon": "longitude"},
    "event": {
        "event_type": "name",
        "occurred_at": "date",
        "place": "location",
        "country": "country",
        "description": "description",
    },
    "payment": {
        "amount": "amount",
        "currency": "currency",
        "paid_at": "date",
        "purpose": "purpose",
        "method": "description",
    },
    "journey_leg": {
        "conveyance": "name",
        "departed_at": "startDate",
        "arrived_at": "endDate",
        "to_country": "country",
        "to_place": "location",
    },
    "communication": {
        "caller": "callerNumber",
        "callee": "receiverNumber",
        "started_at": "date",
        "duration_s": "duration",
    },
}


def _values(v: Any) -> list[str]:
    if isinstance(v, list):
        return [str(x) for x in v]
    return [str(v)]


def _make(schema: str, eid: str) -> EntityProxy:
    e = model.make_entity(schema)
    e.id = eid
    return e


def to_ftm(c: Contribution) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """FtM entity dicts of the contribution and, for each, the true id it stands for."""
    ents: dict[str, EntityProxy] = {}
    truth: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for rec in c.records:
        kind = rec["kind"]
        kinds[rec["id"]] = kind
        schema = _SCHEMA.get(kind)
        if schema is None:
            continue
        e = _make(schema, f"{c.id}-{rec['id']}")
        for fld, prop in _PROPS.get(kind, {}).items():
            if fld in rec:
                for v in _values(rec[fld]):
                    e.add(prop, v, quiet=True)
        if kind == "journey_leg":
            e.add("summary", f"{rec.get('from_place')} -> {rec.get('to_place')}", quiet=True)
        ents[rec["id"]] = e
        truth[e.id or ""] = c.truth[rec["id"]]
    numbers = {r["id"]: r["number"] for r in c.records if r["kind"] == "phone"}
    extra: list[EntityProxy] = []
    for i, ln in enumerate(c.links):
        src, dst, kind = ln["source"], ln["target"], ln["kind"]
        a, b = ents.get(src), ents.get(dst)
        if kind == "uses_phone" and a is not None and dst in numbers:
            a.add("phone", numbers[dst], quiet=True)
        elif kind in ("associate_of", "family_of") and a is not None and b is not None:
            rel = _make("Associate" if kind == "associate_of" else "Family", f"{c.id}-l{i + 1}")
            rel.add("person", a.id)
            rel.add("associate" if kind == "associate_of" else "relative", b.id)
            if ln.get("relation"):
                rel.add("relationship", ln["relation"])
            extra.append(rel)
            truth[rel.id or ""] = f"{c.truth[src]}|{c.truth[dst]}"
        elif kind == "owns_vehicle" and a is not None and b is not None:
            b.add("owner", a.id)
        elif kind in ("drives_vehicle", "operates_vessel") and a is not None and b is not None:
            b.add("operator", a.id, quiet=True)
        elif kind == "holds_document" and a is not None and b is not None:
            b.add("holder", a.id)
        elif kind in ("paid", "received") and b is not None and a is not None:
            account = kinds.get(src) == "financial_account"
            prop = ("payer" if kind == "paid" else "beneficiary") + ("Account" if account else "")
            b.add(prop, a.id, quiet=True)
        elif kind == "involved_in" and a is not None and b is not None:
            b.add("involved", a.id, quiet=True)
        elif kind == "member_of" and a is not None and src in kinds and kinds[dst] == "organisation":
            mem = _make("Membership", f"{c.id}-l{i + 1}")
            mem.add("member", a.id)
            mem.add("organization", f"{c.id}-{dst}")
            extra.append(mem)
            truth[mem.id or ""] = f"{c.truth[src]}|{c.truth[dst]}"
        elif kind == "located_at" and a is not None and b is not None and a.schema.name == "Person":
            a.add("addressEntity", b.id)
    out = [e.to_dict() for e in ents.values()] + [e.to_dict() for e in extra]
    return out, truth
