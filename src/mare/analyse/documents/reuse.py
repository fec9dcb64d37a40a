"""Rented and reused documents, and impostors, from documents and who presented them where.

A document is one identity (issuing country + number; the MRZ gives both when the fields are
missing) however many records and agencies hold it. It is flagged as **rented or reused** when

- it was presented by two or more different persons (names that do not match, by the project's
  name comparison, or birth dates that differ), or
- it was used on more legs than one holder could travel: two legs that overlap in time, or an
  itinerary that mostly breaks: more than half of its consecutive legs are a break, an entry into
  a country (or a departure from one) repeated within `REENTRY_DAYS` with no recorded leg back in
  between. A genuine traveller's legs alternate out and back, and a return flight missing from
  the data breaks one step in many; a rented document goes the same way again and again.

A presentation is an **impostor** when the person presenting the document is not its holder as
written (the holder's name on the document or in its MRZ against the presenter's name), or when
the document's status says so. Every finding names the persons and legs involved and its reasons.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from mare.analyse.documents.names import same_name

#: An entry into the same country again within this many days, with no exit seen, is a re-entry.
REENTRY_DAYS = 120


@dataclass(frozen=True)
class DocumentRecord:
    """One record of a document, as the hub layer (or a file) hands it over."""

    uid: str
    agency: str
    number: str | None  # normalised document number
    country: str | None  # ISO 3166 alpha-2 of the issuing country
    holder_name: str | None = None
    birth_date: str | None = None
    status: str | None = None  # the record's `fraud` field
    seized_at: str | None = None
    seized_place: str | None = None
    mrz_valid: bool | None = None
    mrz_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Presenter:
    """A person linked to a document record (holds_document): who presented or held it."""

    document_uid: str
    person_uid: str
    name: str | None
    birth_date: str | None = None


@dataclass(frozen=True)
class LegUse:
    """A journey leg on which a document record was used (leg_used)."""

    document_uid: str
    leg_uid: str
    departed_at: str | None
    arrived_at: str | None = None
    from_country: str | None = None
    to_country: str | None = None
    from_place: str | None = None
    to_place: str | None = None


@dataclass
class PersonUse:
    """A person who presented the document; `impostor` when not its holder as written."""

    person: str  # the first record uid of this person
    records: list[str]
    name: str | None
    birth_date: str | None
    impostor: bool
    reason: str


@dataclass
class Finding:
    """One document identity with what it was used for, and whether (and why) it is flagged."""

    key: str
    number: str | None
    country: str | None
    records: list[str]
    agencies: list[str]
    holder_name: str | None
    status: list[str]
    persons: list[PersonUse] = field(default_factory=list)
    legs: list[LegUse] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    rented: bool = False
    impostor: bool = False
    seized: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return asdict(self)


def document_key(number: str | None, country: str | None) -> str | None:
    """The identity of a document: 'COUNTRY/NUMBER' ('?/NUMBER' when the country is unknown)."""
    if not number:
        return None
    return f"{country or '?'}/{number.upper()}"


def _keys(documents: list[DocumentRecord]) -> dict[str, str]:
    """Record uid -> identity; a record without a country joins the one known country of its number."""
    countries: dict[str, set[str]] = defaultdict(set)
    for d in documents:
        if d.number and d.country:
            countries[d.number.upper()].add(d.country)
    out: dict[str, str] = {}
    for d in documents:
        country = d.country
        if d.number and not country and len(countries.get(d.number.upper(), ())) == 1:
            country = next(iter(countries[d.number.upper()]))
        key = document_key(d.number, country)
        if key is not None:
            out[d.uid] = key
    return out


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def _same_person(a: Presenter, b: Presenter) -> bool:
    if a.person_uid == b.person_uid:
        return True
    if (
        a.birth_date
        and b.birth_date
        and len(a.birth_date) == len(b.birth_date) == 10
        and a.birth_date != b.birth_date
    ):
        return False
    return bool(same_name(a.name, b.name))


def _persons(presenters: list[Presenter], holder: str | None, holder_birth: str | None) -> list[PersonUse]:
    groups: list[list[Presenter]] = []
    for p in presenters:
        for g in groups:
            if any(_same_person(p, q) for q in g):
                g.append(p)
                break
        else:
            groups.append([p])
    out: list[PersonUse] = []
    for g in groups:
        first = g[0]
        name = next((p.name for p in g if p.name), None)
        birth = next((p.birth_date for p in g if p.birth_date), None)
        impostor, reason = False, "no holder name to compare"
        match = same_name(holder, name)
        if match is False:
            impostor, reason = True, f"{name!r} is not the holder as written, {holder!r}"
        elif (
            match
            and birth
            and holder_birth
            and len(birth) == len(holder_birth) == 10
            and birth != holder_birth
        ):
            impostor, reason = True, f"born {birth}, the holder {holder_birth}"
        elif match:
            reason = "the holder as written"
        out.append(
            PersonUse(first.person_uid, sorted({p.person_uid for p in g}), name, birth, impostor, reason)
        )
    return out


def _distinct_legs(legs: list[LegUse]) -> list[LegUse]:
    """One leg per journey (the same from, to and day reported twice counts once), by departure."""
    seen: dict[tuple[str | None, ...], LegUse] = {}
    for leg in legs:
        when = (leg.departed_at or "")[:10] or leg.leg_uid
        seen.setdefault((leg.from_country, leg.to_country, when), leg)
    return sorted(seen.values(), key=lambda x: (x.departed_at or "", x.leg_uid))


def _impossible(legs: list[LegUse]) -> list[str]:
    """Why one holder could not have travelled these legs (overlaps; an itinerary that mostly breaks)."""
    overlaps: list[str] = []
    breaks: list[str] = []
    for a, b in itertools.pairwise(legs):
        a_dep, a_arr, b_dep = _time(a.departed_at), _time(a.arrived_at), _time(b.departed_at)
        if a_arr and b_dep and b_dep < a_arr:
            overlaps.append(f"legs {a.leg_uid} and {b.leg_uid} overlap in time")
            continue
        if not (a.to_country and b.from_country and b.from_country != a.to_country and a_dep and b_dep):
            continue
        if (b_dep - a_dep).days > REENTRY_DAYS or not (
            b.to_country == a.to_country or b.from_country == a.from_country
        ):
            continue
        first, again = (a.departed_at or "?")[:10], (b.departed_at or "?")[:10]
        breaks.append(
            f"{first} {a.from_country}->{a.to_country}, then {again} {b.from_country}->{b.to_country} "
            f"with no leg out of {a.to_country} between"
        )
    transitions = len(legs) - 1
    if breaks and 2 * len(breaks) > transitions:
        head = f"{len(breaks)} of {transitions} consecutive legs could not be one holder's journey"
        return [*overlaps, head + ": " + "; ".join(breaks[:3]) + ("; …" if len(breaks) > 3 else "")]
    return overlaps


def find_reuse(
    documents: Iterable[DocumentRecord], presenters: Iterable[Presenter], legs: Iterable[LegUse]
) -> list[Finding]:
    """Every document identity with its uses; rented/reused and impostor flags with reasons."""
    docs = list(documents)
    keys = _keys(docs)
    by_key: dict[str, list[DocumentRecord]] = defaultdict(list)
    for d in docs:
        if d.uid in keys:
            by_key[keys[d.uid]].append(d)
    pres_by_key: dict[str, list[Presenter]] = defaultdict(list)
    for p in presenters:
        if p.document_uid in keys:
            pres_by_key[keys[p.document_uid]].append(p)
    legs_by_key: dict[str, list[LegUse]] = defaultdict(list)
    for leg in legs:
        if leg.document_uid in keys:
            legs_by_key[keys[leg.document_uid]].append(leg)
    findings: list[Finding] = []
    for key in sorted(by_key):
        recs = by_key[key]
        holder = next((d.holder_name for d in recs if d.holder_name), None)
        holder_birth = next((d.birth_date for d in recs if d.birth_date and len(d.birth_date) == 10), None)
        country, _, number = key.partition("/")
        finding = Finding(
            key=key,
            number=number,
            country=None if country == "?" else country,
            records=sorted(d.uid for d in recs),
            agencies=sorted({d.agency for d in recs}),
            holder_name=holder,
            status=sorted({d.status for d in recs if d.status}),
            seized=sorted(
                f"{d.seized_at or '?'} at {d.seized_place or '?'} ({d.agency})"
                for d in recs
                if d.seized_at or d.seized_place
            ),
        )
        finding.persons = _persons(sorted(pres_by_key[key], key=lambda p: p.person_uid), holder, holder_birth)
        finding.legs = _distinct_legs(legs_by_key[key])
        if len(finding.persons) >= 2:
            names = ", ".join(repr(p.name) for p in finding.persons)
            finding.reasons.append(f"presented by {len(finding.persons)} different persons: {names}")
        finding.reasons.extend(_impossible(finding.legs))
        finding.rented = bool(finding.reasons)
        impostors = [u for u in finding.persons if u.impostor]
        finding.impostor = bool(impostors) or "impostor" in finding.status
        for u in impostors:
            finding.reasons.append(f"impostor: {u.reason}")
        if "impostor" in finding.status and not impostors:
            finding.reasons.append("impostor: so the contributing agency says (status)")
        findings.append(finding)
    return findings
