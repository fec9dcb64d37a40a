"""Reader for FollowTheMoney (FtM) entity streams: one FtM entity JSON object per line.

Each line ``{"id", "schema", "properties": {prop: [values]}}`` is parsed with the
``followthemoney`` package and mapped to Mare's records and links; the result is then
checked by :func:`mare.ingest.records.collect_records`, exactly like the JSON format.

Mapping (FtM schema -> Mare):

* Person -> person; Organization, Company, LegalEntity, PublicBody -> organisation;
  Vessel -> vessel; Vehicle -> vehicle; Passport, Identification -> document;
  UserAccount -> account; BankAccount -> financial_account; Address -> location;
  Event -> event; Trip -> journey_leg; Call -> communication; Payment -> payment.
* Entity references become links: Passport/Identification ``holder`` -> holds_document,
  UserAccount ``owner`` -> uses_account, Vehicle ``owner``/``operator`` -> owns_vehicle /
  drives_vehicle, Vessel ``owner``/``operator`` -> operates_vessel, Event ``involved``/
  ``organizer`` -> involved_in, Trip ``involved`` -> travelled_on and ``vehicle`` -> leg_used,
  Call ``caller``/``receiver`` -> communicated_with, Payment ``payer``/``payerAccount`` -> paid
  and ``beneficiary``/``beneficiaryAccount`` -> received, ``addressEntity`` -> located_at.
* Relationship schemata become links only: Associate -> associate_of, Family -> family_of
  (``relationship`` mapped to parent/child/sibling/spouse/cousin, else other; FtM words it
  as what the ``relative`` is to the ``person``, and so does ``relation`` here, from target
  to source), Membership, Directorship and Employment -> member_of, Ownership -> owns_vehicle,
  operates_vessel, holds_financial_account or member_of, by the kind of the asset (FtM 4 has
  no holder on BankAccount: an Ownership of it is how its holder is given).

Person category: FtM has no such thing, and no victim or witness topic. A person whose
``topics`` include a ``crime*`` topic or ``wanted`` is taken as a ``suspect`` (and
``crime.boss`` sets the role ``leader``); ``role.rca`` (close associate) gives ``contact``;
otherwise the category is left empty, for the analyst to set.

Values are kept as written (the proxy is built with ``cleaned=True``): Mare's normalisers
clean them later and keep the original beside the normalised form. A person's FtM ``country``
is read as the country of residence. Description, summary and notes become the record's note.
Single-valued Mare fields keep the first of several FtM values, with a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthemoney import model as ftm_model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy

from mare.ingest.decode import NESTING_FIX, NestingError, decode_bytes, load_json, read_limited
from mare.ingest.parsed import Envelope, ParsedContribution
from mare.ingest.problems import Problem
from mare.ingest.records import collect_records
from mare.schema.model import load_model

#: FtM schemata read as records, and the Mare kind each becomes.
RECORD_SCHEMATA: dict[str, str] = {
    "Person": "person",
    "Organization": "organisation",
    "Company": "organisation",
    "LegalEntity": "organisation",
    "PublicBody": "organisation",
    "Vessel": "vessel",
    "Vehicle": "vehicle",
    "Passport": "document",
    "Identification": "document",
    "UserAccount": "account",
    "BankAccount": "financial_account",
    "Address": "location",
    "Event": "event",
    "Trip": "journey_leg",
    "Call": "communication",
    "Payment": "payment",
}
#: FtM relationship schemata read as links only.
LINK_SCHEMATA = ("Associate", "Family", "Membership", "Directorship", "Employment", "Ownership")
SUPPORTED_SCHEMATA = (*RECORD_SCHEMATA, *LINK_SCHEMATA)

#: Bookkeeping properties dropped without a warning.
_SILENT = frozenset({"indexText", "alephUrl", "modifiedAt", "retrievedAt"})
_NOTE_PROPS = ("description", "summary", "notes")

_VESSEL_TYPES = (
    (("rubber", "dinghy", "inflatable", "rib"), "rubber_dinghy"),
    (("wooden", "wood"), "wooden_boat"),
    (("fishing", "trawler", "fisher"), "fishing_boat"),
    (("cargo", "container", "bulk", "tanker", "freighter"), "cargo_ship"),
    (("yacht", "sailboat", "sailing"), "yacht"),
    (("speedboat", "speed", "motorboat"), "speedboat"),
    (("iron", "metal", "steel"), "iron_boat"),
    (("mother",), "mother_ship"),
)
_VEHICLE_TYPES = (
    (("minibus", "minivan"), "minibus"),
    (("car", "sedan", "suv", "saloon", "estate", "hatchback"), "car"),
    (("van",), "van"),
    (("lorry", "truck", "hgv", "trailer", "semi"), "lorry"),
    (("bus", "coach"), "bus"),
    (("motorbike", "motorcycle", "scooter", "moped"), "motorbike"),
    (("train", "rail"), "train"),
)
_DOCUMENT_TYPES = (
    (("passport",), "passport"),
    (("identity", "id", "idcard", "national"), "identity_card"),
    (("visa",), "visa"),
    (("residence",), "residence_permit"),
    (("work",), "work_permit"),
    (("travel",), "travel_document"),
    (("driving", "driver", "drivers", "licence", "license"), "driving_licence"),
    (("birth",), "birth_certificate"),
    (("marriage",), "marriage_certificate"),
)
_DOCUMENT_CLASSES = {
    "passport": "travel",
    "travel_document": "travel",
    "identity_card": "identity",
    "birth_certificate": "breeder",
    "marriage_certificate": "breeder",
}
_SERVICES = (
    (("whatsapp",), "whatsapp"),
    (("telegram",), "telegram"),
    (("viber",), "viber"),
    (("signal",), "signal"),
    (("facebook", "fb", "messenger"), "facebook"),
    (("instagram", "ig"), "instagram"),
    (("tiktok",), "tiktok"),
    (("x", "twitter"), "x"),
    (("snapchat",), "snapchat"),
    (("imo",), "imo"),
    (("email", "e", "mail", "gmail", "outlook", "hotmail", "yahoo"), "email"),
)
_EVENT_TYPES = (
    (("intercepted", "interception", "intercept"), "interception"),
    (("rescue", "rescued", "sar"), "rescue"),
    (("arrest", "arrested", "arrests", "detained", "detention"), "arrest"),
    (("seizure", "seized", "confiscated"), "seizure"),
    (("death", "dead", "died", "drowned", "drowning", "shipwreck"), "death"),
    (("departure", "departed"), "departure"),
    (("landing", "landed", "arrival", "arrived", "disembarkation"), "landing"),
    (("sighting", "sighted", "spotted"), "sighting"),
    (("crossing", "crossed"), "crossing"),
)
_RELATIONS = (
    (("father", "mother", "parent", "stepfather", "stepmother", "dad", "mum", "mom"), "parent"),
    (("son", "daughter", "child", "stepson", "stepdaughter"), "child"),
    (("brother", "sister", "sibling", "stepbrother", "stepsister", "half"), "sibling"),
    (("husband", "wife", "spouse", "married"), "spouse"),
    (("cousin",), "cousin"),
)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def _match(text: str, table: tuple[tuple[tuple[str, ...], str], ...]) -> str | None:
    """The first table value whose keywords share a word with the text (or equal it)."""
    words = _words(text)
    squashed = re.sub(r"[^a-z]", "", text.lower())
    for keys, value in table:
        if squashed == value.replace("_", "") or words.intersection(keys):
            return value
    return None


def relation_from(relationship: str) -> str:
    """FtM Family ``relationship`` as Mare's family_of ``relation``."""
    return _match(relationship, _RELATIONS) or "other"


def category_from_topics(topics: Iterable[str]) -> str | None:
    """A person category from FtM topics: crime or wanted -> suspect, role.rca -> contact."""
    topics = list(topics)
    if any(t == "wanted" or t == "crime" or t.startswith("crime.") for t in topics):
        return "suspect"
    if "role.rca" in topics:
        return "contact"
    return None


@dataclass(slots=True)
class _Line:
    """One entity read from a line."""

    row: int
    proxy: EntityProxy
    kind: str | None


@dataclass(slots=True)
class _Mapper:
    """Turns one FtM entity into a Mare record dict and link dicts."""

    line: _Line
    file: str
    kinds: dict[str, str]
    entities: dict[str, EntityProxy]
    record: dict[str, Any] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    @property
    def proxy(self) -> EntityProxy:
        """The entity being mapped."""
        return self.line.proxy

    @property
    def schema(self) -> str:
        """Its FtM schema name."""
        return str(self.proxy.schema.name)

    def get(self, *props: str) -> list[str]:
        """The values of the given properties, in order, without repeats; marks them used."""
        values: list[str] = []
        for prop in props:
            if prop not in self.proxy.schema.properties:
                continue
            self.used.add(prop)
            for value in self.proxy.get(prop, quiet=True):
                text = value.strip()
                if text and text not in values:
                    values.append(text)
        return values

    def warn(self, prop: str | None, reason: str, fix: str = "") -> None:
        """Record a warning for this line."""
        self.problems.append(Problem(self.file, self.line.row, prop, reason, fix, "warning"))

    def error(self, prop: str | None, reason: str, fix: str = "") -> None:
        """Record an error for this line."""
        self.problems.append(Problem(self.file, self.line.row, prop, reason, fix, "error"))

    def put(self, name: str, values: list[Any], source: str) -> None:
        """Set a Mare field; a single-valued field keeps the first value, with a warning."""
        if not values:
            return
        spec = load_model().kinds[self.record["kind"]].fields[name]
        if spec.multiple:
            have = self.record.setdefault(name, [])
            have.extend(v for v in values if v not in have)
            return
        if name in self.record:
            return
        self.record[name] = values[0]
        if len(values) > 1:
            rest = ", ".join(repr(v) for v in values[1:])
            self.warn(
                source,
                f"{self.schema}.{source} has {len(values)} values but Mare's "
                f"{self.record['kind']} field {name!r} takes one: kept first of "
                f"{len(values)} values ({values[0]!r}); dropped {rest}",
                "send one entity per value if the others matter",
            )

    def take(self, name: str, *props: str) -> None:
        """Copy the values of FtM properties into a Mare field."""
        self.put(name, self.get(*props), "/".join(props))

    def take_enum(self, name: str, prop: str, table: tuple[tuple[tuple[str, ...], str], ...]) -> None:
        """Map a free-text FtM property onto a Mare enum field ('other' when unknown)."""
        values = self.get(prop)
        mapped: list[str] = []
        for value in values:
            found = _match(value, table)
            allowed = load_model().kinds[self.record["kind"]].fields[name].values
            if found is None and "other" in allowed:
                self.warn(
                    prop,
                    f"{self.schema}.{prop} {value!r} has no match in Mare's {name}; read as 'other'",
                    f"use one of: {', '.join(allowed)}",
                )
                found = "other"
            if found is not None and found not in mapped:
                mapped.append(found)
        self.put(name, mapped, prop)

    def link(self, kind: str, source: str, target: str, **fields: Any) -> None:
        """Add a link dict; its id is made from the entity's."""
        obj: dict[str, Any] = {
            "id": f"{self.proxy.id}~{len(self.links) + 1}",
            "kind": kind,
            "source": source,
            "target": target,
        }
        obj.update({k: v for k, v in fields.items() if v not in (None, "")})
        self.links.append(obj)

    def link_from(self, prop: str, kind: str, *, into: bool = True, **fields: Any) -> None:
        """A link from each referenced entity to this one (or from this one when not into)."""
        for ref in self.get(prop):
            if into:
                self.link(kind, ref, str(self.proxy.id), **fields)
            else:
                self.link(kind, str(self.proxy.id), ref, **fields)

    def note(self) -> None:
        """Description, summary and notes as the record's note."""
        texts = self.get(*(p for p in _NOTE_PROPS if p not in self.used))
        if texts:
            self.record["note"] = "\n".join(texts)

    def addresses(self) -> None:
        """``addressEntity`` as located_at links, where the kind may have them."""
        kind = self.record.get("kind")
        if kind in load_model().links["located_at"].source:
            self.link_from("addressEntity", "located_at", into=False)

    def place(self, ref: str, prefix: str, prop: str) -> None:
        """Fill a journey leg's from_/to_ fields from a referenced Address entity."""
        address = self.entities.get(ref)
        if address is None or address.schema.name != "Address":
            self.warn(
                prop,
                f"{self.schema}.{prop} {ref!r} is not an Address of this file",
                "send the Address entity in the same file",
            )
            return
        full = _address_text(address)
        self.put(f"{prefix}_place", [full] if full else [], prop)
        self.put(f"{prefix}_country", address.get("country"), prop)
        self.put(f"{prefix}_lat", address.get("latitude"), prop)
        self.put(f"{prefix}_lon", address.get("longitude"), prop)

    def interval_dates(self) -> dict[str, str]:
        """startDate/endDate (or date) of a relationship entity as since/until."""
        since = self.get("startDate", "date")
        until = self.get("endDate")
        out: dict[str, str] = {}
        if since:
            out["since"] = since[0]
        if until:
            out["until"] = until[0]
        return out

    def pairs(self, kind: str, source_prop: str, target_prop: str, **fields: Any) -> None:
        """A link for each (source, target) pair of a relationship entity."""
        sources, targets = self.get(source_prop), self.get(target_prop)
        for prop, values in ((source_prop, sources), (target_prop, targets)):
            if not values:
                self.error(
                    prop,
                    f"{self.schema} has no {prop}, so no {kind} link can be made",
                    f"give the {prop} entity id",
                )
        for source in sources:
            for target in targets:
                self.link(kind, source, target, **self.interval_dates(), **fields)
        if len(self.links) == 1:
            self.links[0]["id"] = str(self.proxy.id)

    def leftovers(self) -> None:
        """Warn about properties with values that no Mare field took."""
        unused = sorted(p for p in self.proxy.properties if p not in self.used and p not in _SILENT)
        if unused:
            self.warn(
                ", ".join(unused),
                f"{self.schema} properties not carried over: {', '.join(unused)}",
                "Mare has no field for them; they are not stored",
            )


def _address_text(address: EntityProxy) -> str:
    full = address.get("full")
    if full:
        return str(full[0])
    parts = [
        v
        for p in ("street", "street2", "postalCode", "city", "region", "state")
        for v in address.get(p, quiet=True)
    ]
    return ", ".join(parts)


def _person(m: _Mapper) -> None:
    names = m.get("name")
    m.put("name", names[:1], "name")
    m.put("alias", names[1:], "name")
    m.take("given_name", "firstName")
    m.take("family_name", "lastName")
    m.take("alias", "alias", "weakAlias", "previousName")
    m.take("birth_date", "birthDate")
    m.take("birth_place", "birthPlace")
    m.take("birth_country", "birthCountry")
    m.take("nationality", "nationality", "citizenship")
    m.take("gender", "gender")
    m.take("residence_country", "country")
    m.take("phone", "phone")
    m.take("email", "email")
    m.take("document_number", "passportNumber", "idNumber")
    m.take("occupation", "profession", "position")
    topics = m.get("topics")
    category = category_from_topics(topics)
    if category:
        m.record["category"] = category
    if "crime.boss" in topics:
        m.record["role"] = "leader"


def _organisation(m: _Mapper) -> None:
    m.take("name", "name")
    m.take("country", "country", "jurisdiction", "mainCountry")
    m.take("registration_number", "registrationNumber")
    m.take("address", "address")


def _vessel(m: _Mapper) -> None:
    m.take("name", "name")
    m.take("imo", "imoNumber")
    m.take("mmsi", "mmsi")
    m.take("call_sign", "callSign")
    m.take("flag", "flag", "country")
    m.take_enum("vessel_type", "type", _VESSEL_TYPES)
    m.link_from("owner", "operates_vessel")
    m.link_from("operator", "operates_vessel")


def _vehicle(m: _Mapper) -> None:
    m.take("plate", "registrationNumber")
    m.take("country", "country")
    m.take("model", "model")
    m.take_enum("vehicle_type", "type", _VEHICLE_TYPES)
    m.link_from("owner", "owns_vehicle")
    m.link_from("operator", "drives_vehicle")


def _document(m: _Mapper) -> None:
    if m.schema == "Passport":
        m.record["document_type"] = "passport"
        m.get("type")
    else:
        m.take_enum("document_type", "type", _DOCUMENT_TYPES)
    doc_class = _DOCUMENT_CLASSES.get(m.record.get("document_type", ""))
    if doc_class:
        m.record["document_class"] = doc_class
    m.take("number", "number", "passportNumber")
    m.take("issuing_country", "country")
    m.take("birth_date", "birthDate")
    m.take("expiry_date", "endDate")
    parts = m.get("givenName", "surname")
    m.put("holder_name", [" ".join(parts)] if parts else [], "givenName/surname")
    m.link_from("holder", "holds_document")


def _account(m: _Mapper) -> None:
    m.take_enum("service", "service", _SERVICES)
    m.take("handle", "username")
    m.take("email", "email")
    m.take("display_name", "name")
    m.link_from("owner", "uses_account")


def _financial_account(m: _Mapper) -> None:
    m.take("iban", "iban")
    m.take("account_number", "accountNumber")
    m.take("bic", "bic")
    m.take("institution", "bankName")
    m.take("country", "country")
    m.record["account_type"] = "bank"
    m.link_from("holder", "holds_financial_account")  # not in FtM 4; kept for other versions


def _location(m: _Mapper) -> None:
    m.take("name", "name")
    full = m.get("full") or ([_address_text(m.proxy)] if _address_text(m.proxy) else [])
    m.get("street", "street2", "postalCode", "region", "state")
    m.put("address", full, "full")
    m.take("city", "city")
    m.take("country", "country")
    m.take("lat", "latitude")
    m.take("lon", "longitude")


def _event(m: _Mapper) -> None:
    texts = m.get("name", "summary", "description")
    m.record["event_type"] = _match(" ".join(texts), _EVENT_TYPES) or "other"
    if texts:
        m.record["description"] = "\n".join(texts)
    m.take("occurred_at", "date", "startDate")
    m.take("place", "location")
    m.take("country", "country")
    m.link_from("involved", "involved_in")
    m.link_from("organizer", "involved_in")


def _journey_leg(m: _Mapper) -> None:
    for prop, prefix in (("startLocation", "from"), ("endLocation", "to")):
        for ref in m.get(prop)[:1]:
            m.place(ref, prefix, prop)
    m.take("departed_at", "startDate", "date")
    m.take("arrived_at", "endDate")
    m.link_from("involved", "travelled_on")
    m.link_from("vehicle", "leg_used", into=False)


def _communication(m: _Mapper) -> None:
    m.record["comm_type"] = "call"
    m.take("caller", "callerNumber")
    m.take("callee", "receiverNumber")
    m.take("started_at", "date", "startDate")
    m.take("duration_s", "duration")
    first = m.record.get("started_at")
    for caller in m.get("caller"):
        for receiver in m.get("receiver"):
            m.link("communicated_with", caller, receiver, first_at=first, last_at=first)


def _payment(m: _Mapper) -> None:
    amount, currency, eur = m.get("amount"), m.get("currency"), m.get("amountEur")
    if amount and (currency or not eur):
        m.put("amount", amount, "amount")
        m.put("currency", currency, "currency")
    elif eur:
        m.put("amount", eur, "amountEur")
        m.record["currency"] = "EUR"
    m.take("paid_at", "date", "startDate")
    m.take("purpose", "purpose")
    m.link_from("payer", "paid")
    m.link_from("payerAccount", "paid")
    m.link_from("beneficiary", "received")
    m.link_from("beneficiaryAccount", "received")


def _associate(m: _Mapper) -> None:
    notes = m.get("relationship", "description", "summary")
    m.pairs("associate_of", "person", "associate", note="\n".join(notes))


def _family(m: _Mapper) -> None:
    words = m.get("relationship")
    relation = relation_from(words[0]) if words else None
    notes = m.get(*_NOTE_PROPS)
    if relation == "other":
        notes.insert(0, f"relationship: {words[0]}")
    m.pairs("family_of", "person", "relative", relation=relation, note="\n".join(notes))


def _role_note(m: _Mapper, what: str) -> str:
    roles = m.get("role")
    return "\n".join([f"{what}: {', '.join(roles)}" if roles else what, *m.get("status", *_NOTE_PROPS)])


def _membership(m: _Mapper) -> None:
    m.pairs("member_of", "member", "organization", note=_role_note(m, "member"))


def _directorship(m: _Mapper) -> None:
    m.pairs("member_of", "director", "organization", note=_role_note(m, "director"))


def _employment(m: _Mapper) -> None:
    m.pairs("member_of", "employee", "employer", note=_role_note(m, "employee"))


_OWNERSHIP_LINKS = {
    "vehicle": "owns_vehicle",
    "vessel": "operates_vessel",
    "financial_account": "holds_financial_account",
    "organisation": "member_of",
}


def _ownership(m: _Mapper) -> None:
    assets = m.get("asset")
    asset_kinds = {m.kinds.get(a) for a in assets}
    unsupported = sorted(k for k in asset_kinds if k is not None and k not in _OWNERSHIP_LINKS)
    if unsupported:
        m.error(
            "asset",
            f"an Ownership of a {unsupported[0]} cannot be expressed in Mare",
            "Mare links owners to vehicles, vessels, financial accounts and organisations",
        )
        return
    kinds = {_OWNERSHIP_LINKS.get(k or "", "member_of") for k in asset_kinds} or {"member_of"}
    if len(kinds) > 1:
        m.error(
            "asset",
            "an Ownership of assets of different kinds cannot be read",
            "send one Ownership per asset",
        )
        return
    extra = m.get("percentage", "ownershipType")
    what = "owner" + (f" ({', '.join(extra)})" if extra else "")
    m.pairs(kinds.pop(), "owner", "asset", note=_role_note(m, what))


_MAPPERS: dict[str, Callable[[_Mapper], None]] = {
    "person": _person,
    "organisation": _organisation,
    "vessel": _vessel,
    "vehicle": _vehicle,
    "document": _document,
    "account": _account,
    "financial_account": _financial_account,
    "location": _location,
    "event": _event,
    "journey_leg": _journey_leg,
    "communication": _communication,
    "payment": _payment,
    "Associate": _associate,
    "Family": _family,
    "Membership": _membership,
    "Directorship": _directorship,
    "Employment": _employment,
    "Ownership": _ownership,
}


def _clean_properties(
    raw: Any, schema: str, file: str, row: int
) -> tuple[dict[str, list[str]] | None, list[Problem]]:
    """Check the ``properties`` object: known names, lists of scalar values."""
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return None, [
            Problem(
                file,
                row,
                "properties",
                "'properties' must be a JSON object",
                'write {"properties": {"name": ["..."]}}',
            )
        ]
    known = ftm_model.get(schema)
    assert known is not None
    problems: list[Problem] = []
    clean: dict[str, list[str]] = {}
    for prop, values in raw.items():
        if prop not in known.properties:
            problems.append(
                Problem(
                    file,
                    row,
                    prop,
                    f"FtM schema {schema} has no property {prop!r}; its values were dropped",
                    "check the property name against the FtM schema",
                    "warning",
                )
            )
            continue
        items = values if isinstance(values, list) else [values]  # tolerate a bare value
        texts: list[str] = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                if item is not None:
                    problems.append(
                        Problem(
                            file,
                            row,
                            prop,
                            f"a value of {prop!r} is not text or a number; it was dropped",
                            "give property values as lists of strings",
                            "warning",
                        )
                    )
                continue
            texts.append(str(item))
        if texts:
            clean[prop] = texts
    return clean, problems


def _read_line(text: str, file: str, row: int) -> tuple[_Line | None, list[Problem]]:
    """Parse one line into an entity proxy, or problems saying why not."""
    try:
        data = load_json(text)
    except NestingError as exc:
        return None, [Problem(file, row, None, f"{exc}; the entity was not read", NESTING_FIX)]
    except json.JSONDecodeError as exc:
        return None, [
            Problem(
                file,
                row,
                None,
                f"not valid JSON: {exc.msg} (column {exc.colno})",
                "write one complete FtM entity JSON object per line",
            )
        ]
    if not isinstance(data, dict):
        return None, [
            Problem(
                file,
                row,
                None,
                "an FtM entity must be a JSON object",
                'write {"id": ..., "schema": ..., "properties": {...}}',
            )
        ]
    schema = data.get("schema")
    if not isinstance(schema, str) or not schema:
        return None, [
            Problem(
                file,
                row,
                "schema",
                "the entity has no schema",
                'add the FtM schema name, e.g. "schema": "Person"',
            )
        ]
    supported = ", ".join(SUPPORTED_SCHEMATA)
    if ftm_model.get(schema) is None:
        return None, [
            Problem(file, row, "schema", f"unknown FtM schema {schema!r}", f"supported schemata: {supported}")
        ]
    if schema not in SUPPORTED_SCHEMATA:
        return None, [
            Problem(
                file,
                row,
                "schema",
                f"FtM schema {schema!r} is not supported by Mare; the entity was not read",
                f"supported schemata: {supported}",
            )
        ]
    entity_id = data.get("id")
    if not isinstance(entity_id, str | int) or isinstance(entity_id, bool) or not str(entity_id):
        return None, [Problem(file, row, "id", "the entity has no id", "give every entity a unique id")]
    properties, problems = _clean_properties(data.get("properties"), schema, file, row)
    if properties is None:
        return None, problems
    try:
        proxy = ftm_model.get_proxy(
            {"id": str(entity_id), "schema": schema, "properties": properties}, cleaned=True
        )
    except InvalidData as exc:
        return None, [
            *problems,
            Problem(
                file, row, None, f"not a valid FtM entity: {exc}", "check the entity against its FtM schema"
            ),
        ]
    return _Line(row, proxy, RECORD_SCHEMATA.get(schema)), problems


def read_ftm_contribution(path: Path, envelope: Envelope, encoding: str | None = None) -> ParsedContribution:
    """Read an FtM JSON-lines file as a contribution; bad lines become problems."""
    name = path.name
    text, problems = decode_bytes(read_limited(path, name), name, encoding)
    lines: list[_Line] = []
    for row, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        line, found = _read_line(raw, name, row)
        problems += found
        if line is not None:
            lines.append(line)
    kinds = {str(ln.proxy.id): ln.kind for ln in lines if ln.kind is not None}
    entities = {str(ln.proxy.id): ln.proxy for ln in lines}
    objects: list[tuple[Any, str, int | None]] = []
    link_objects: list[tuple[Any, str, int | None]] = []
    for line in lines:
        mapper = _Mapper(line, name, kinds, entities)
        if line.kind is not None:
            mapper.record = {"id": str(line.proxy.id), "kind": line.kind}
            _MAPPERS[line.kind](mapper)
            mapper.note()
            mapper.addresses()
            objects.append((mapper.record, name, line.row))
        else:
            _MAPPERS[line.proxy.schema.name](mapper)
            mapper.get("startDate", "endDate", "date")
        mapper.leftovers()
        problems += mapper.problems
        link_objects += [(obj, name, line.row) for obj in mapper.links]
    records, links, found = collect_records(objects, link_objects)
    problems = sorted([*problems, *found], key=lambda p: p.row or 0)
    return ParsedContribution(
        envelope=envelope, format="ftm", files=[(name, path)], records=records, links=links, problems=problems
    )
