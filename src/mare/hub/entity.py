"""One entity as a viewer may see it: its records, their hits, judgements, links, timeline and places.

An entity is what the hub's processing joined:

- a resolved **person**: the records the cross-check clustered under one entity id (`E…`, table
  `entities`);
- an **identifier** (`phone:+4915112345678`, `imo:IMO9123456`, `plate:BMH4521`, `iban:…`,
  `mmsi:…`, `email:…`, `handle:…`, `document:…`): every record that carries it (`identifier_index`),
  so a vessel, vehicle, phone or document seen by several agencies is one page;
- or the entity of a **record uid** (its person entity, else the record alone).

Every record passes the read policy (`Repository`, through the context): records the viewer may see
in full are shown with values, provenance and links; records they may see only as hit/no-hit are
listed as "held by X, restricted: why" with nothing of their content; records they may not know of
are left out without a trace. Hits, judgements, timeline and places are built only from what is
shown in full, so nothing withheld can be inferred from them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from mare.hub.context import HubContext
from mare.hub.repository import RecordView, Repository
from mare.schema.types.registry import NORMALISER_NAMES, normaliser_for
from mare.schema.types.result import EMPTY_CONTEXT

#: identifier kinds of `identifier_index` and the value type whose normaliser reads a typed value
IDENTIFIER_KINDS = {
    "phone": "phone",
    "email": "email",
    "handle": "handle",
    "plate": "plate",
    "imo": "imo",
    "mmsi": "mmsi",
    "iban": "iban",
    "document": "document_number",
}
#: dated fields that make a timeline (birth dates and expiry dates are attributes, not events)
TIMELINE_FIELDS = (
    "occurred_at",
    "departed_at",
    "arrived_at",
    "paid_at",
    "started_at",
    "posted_at",
    "observed_at",
    "detected_at",
    "reported_at",
)
MAX_RECORDS = 500


class EntityError(ValueError):
    """An entity id that cannot be read, with what to give instead."""


@dataclass(slots=True)
class EntityView:
    """What the viewer may see of one entity."""

    id: str
    kind: str
    records: list[RecordView] = field(default_factory=list)
    restricted: list[RecordView] = field(default_factory=list)
    hits: list[dict[str, Any]] = field(default_factory=list)
    hits_within: int = 0
    judgements: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "id": self.id,
            "kind": self.kind,
            "records": [r.as_dict() for r in self.records],
            "restricted": [r.as_dict() for r in self.restricted],
            "hits": self.hits,
            "hits_within": self.hits_within,
            "judgements": self.judgements,
            "timeline": self.timeline,
            "places": self.places,
        }


def parse_identifier(entity_id: str) -> tuple[str, str] | None:
    """`kind:value` for an identifier entity, the value normalised as at intake (None: not one)."""
    kind, sep, value = entity_id.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in IDENTIFIER_KINDS:
        return None
    value_type = IDENTIFIER_KINDS[kind]
    if value_type in NORMALISER_NAMES:
        done = normaliser_for(value_type)(value.strip(), EMPTY_CONTEXT)
        if done.value is None:
            raise EntityError(f"{value.strip()!r} is not a valid {kind}: {done.reason}")
        key = (done.extra or {}).get("key") if kind == "document" else None
        return kind, str(key or done.value)
    return kind, value.strip()


def _members(ctx: HubContext, entity_id: str) -> tuple[str, str, list[str]]:
    """(entity id, kind, member record uids) for any accepted form of id (an entity id is looked up in
    its index first: one read for the usual case)."""
    con = ctx.store.con
    identifier = parse_identifier(entity_id)
    if identifier is not None:
        kind, value = identifier
        rows = con.execute(
            "SELECT DISTINCT record_uid FROM identifier_index WHERE kind = ? AND value = ? "
            "ORDER BY 1 LIMIT ?",
            [kind, value, MAX_RECORDS],
        ).fetchall()
        return f"{kind}:{value}", kind, [r[0] for r in rows]
    members = "SELECT record_uid FROM entities WHERE entity_id = ? ORDER BY 1 LIMIT ?"
    rows = con.execute(members, [entity_id, MAX_RECORDS]).fetchall()
    if rows:
        return entity_id, "person", [r[0] for r in rows]
    row = con.execute("SELECT entity_id FROM entities WHERE record_uid = ?", [entity_id]).fetchone()
    if row is not None:
        rows = con.execute(members, [row[0], MAX_RECORDS]).fetchall()
        return str(row[0]), "person", [r[0] for r in rows]
    record = con.execute("SELECT kind FROM records WHERE uid = ?", [entity_id]).fetchone()
    if record is not None:
        return entity_id, str(record[0]), [entity_id]
    return entity_id, "unknown", []


def entity(ctx: HubContext, entity_id: str) -> EntityView | None:
    """The entity as the context's viewer may see it; None when there is nothing they may know of."""
    if not entity_id.strip() or len(entity_id) > 300:
        raise EntityError(
            "give an entity id (E…), a record uid, or an identifier such as phone:+4915112345678"
        )
    eid, kind, uids = _members(ctx, entity_id.strip())
    repo = Repository(ctx)
    view = EntityView(eid, kind)
    found = repo.many(uids)
    for uid in uids:
        record = found.get(uid)
        if record is None or record.decision.visibility == "none":
            continue
        (view.records if record.decision.full else view.restricted).append(record)
    if not view.records and not view.restricted:
        return None
    shown = [r.uid for r in view.records]
    hits, judgements = _pairs(ctx, shown)
    view.hits, view.hits_within = _hits(repo, hits, shown, set(uids))
    view.judgements = _judgements(judgements)
    around = _linked_visible(view.records)
    placed = list(dict.fromkeys([*shown, *around]))
    values = _dated_and_placed(ctx, placed, _kinds_and_labels(view.records))
    view.timeline = _timeline(view.records, around, values)
    view.places = _places(ctx, placed, values)
    return view


def _pairs(ctx: HubContext, shown: list[str]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The hits of the shown records (id, kind, basis, left, right, probability, created) by time, and the
    judgements on pairs of them (left, right, verdict, by, at, reason) by time: one read."""
    if not shown:
        return [], []
    marks = ", ".join("?" for _ in shown)
    # each end its own read, on its index (one `OR` of the two read every hit); a hit between two shown
    # records comes from both and is kept once
    hit = (
        "SELECT 'hit' AS part, id, kind, basis, left_uid, right_uid, match_probability, "
        "created_at AS happened, NULL AS reason FROM hits "
    )
    parts = [f"{hit} WHERE left_uid IN ({marks})", f"{hit} WHERE right_uid IN ({marks})"]
    params = [*shown, *shown]
    if len(shown) >= 2:
        parts.append(
            "SELECT 'judgement', NULL, verdict, judged_by, left_uid, right_uid, NULL, judged_at, reason "
            f"FROM judgements WHERE left_uid IN ({marks}) AND right_uid IN ({marks})"
        )
        params += [*shown, *shown]
    rows = ctx.store.con.execute(
        " UNION ALL ".join(parts) + " ORDER BY part, happened, id", params
    ).fetchall()
    hits = list(
        dict.fromkeys((h, k, b, lu, ru, p, at) for part, h, k, b, lu, ru, p, at, _ in rows if part == "hit")
    )
    judged = [(lu, ru, k, b, at, why) for part, _, k, b, lu, ru, _, at, why in rows if part != "hit"]
    return hits, judged


def _hits(
    repo: Repository, rows: list[tuple[Any, ...]], shown: list[str], members: set[str]
) -> tuple[list[dict[str, Any]], int]:
    """Hits of the shown records with records outside the entity (the other side named only where it
    too may be seen in full), and how many hits join shown records to each other (what made it)."""
    if not rows:
        return [], 0
    mine = set(shown)
    sides = [right if left in mine else left for _, _, _, left, right, _, _ in rows]
    others = repo.many([uid for uid in sides if uid not in members], content=False)
    out = []
    within = 0
    for hid, kind, basis, left, right, probability, created in rows:
        own, other = (left, right) if left in mine else (right, left)
        if other in members:
            within += other in mine
            continue
        other_view = others.get(other)
        if other_view is None or other_view.decision.visibility == "none":
            continue
        entry: dict[str, Any] = {"id": hid, "kind": kind, "record": own, "at": str(created)}
        if other_view.decision.full:
            entry.update(
                basis=basis,
                other=other,
                other_owner=other_view.owner,
                other_label=other_view.label,
                probability=probability,
            )
        else:
            entry.update(other_owner=other_view.owner, restricted=other_view.decision.reason)
        out.append(entry)
    return out, within


def _judgements(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Analysts' verdicts on pairs whose records are both shown."""
    return [
        {"left": a, "right": b, "verdict": v, "by": by, "at": str(at), "reason": reason}
        for a, b, v, by, at, reason in rows
    ]


def _linked_visible(records: list[RecordView]) -> list[str]:
    """Uids of records linked to the shown ones where the link and the other record are visible."""
    out: list[str] = []
    for record in records:
        for link in record.links:
            other = link.get("other") or {}
            if (
                link.get("visibility") == "full"
                and other.get("visibility") == "full"
                and other["uid"] not in out
            ):
                out.append(other["uid"])
    return out


def _kinds_and_labels(records: list[RecordView]) -> dict[str, tuple[str, str | None]]:
    """(kind, label) of the shown records and of the records at the other end of their visible links
    (as read with them: no second read of `records`)."""
    out: dict[str, tuple[str, str | None]] = {}
    for record in records:
        out.setdefault(record.uid, (record.kind, record.label))
        for link in record.links:
            other = link.get("other") or {}
            if link.get("visibility") == "full" and other.get("visibility") == "full":
                out.setdefault(other["uid"], (other["kind"], other.get("label")))
    return out


#: A placed record's coordinates (given values, not geocoded).
COORDINATES = ("lat", "lon")
_DATED_AND_PLACED = frozenset((*TIMELINE_FIELDS, *COORDINATES))


def _dated_and_placed(
    ctx: HubContext, uids: list[str], labels: dict[str, tuple[str, str | None]]
) -> list[tuple[str, str, int, str, str, str | None]]:
    """(uid, field, position, value, kind, label) of the dated values and coordinates of these records:
    their values read by uid alone (DuckDB looks a literal uid list up in the index, but scans every value
    once the fields are filtered beside it), the fields kept here; kind and label as read with them."""
    if not uids:
        return []
    marks = ", ".join("?" for _ in uids)
    rows = ctx.store.con.execute(
        f"SELECT record_uid, field, position, normalised FROM record_values WHERE record_uid IN ({marks})",
        uids,
    ).fetchall()
    return [
        (str(u), str(f), int(p), str(n), *labels[u])
        for u, f, p, n in rows
        if n is not None and f in _DATED_AND_PLACED and u in labels
    ]


def _timeline(
    records: list[RecordView], around: list[str], values: list[tuple[str, str, int, str, str, str | None]]
) -> list[dict[str, Any]]:
    """Dated values of the shown records and of the visible records linked to them, oldest first."""
    events: list[dict[str, Any]] = []
    for record in records:
        for value in record.values:
            if value.field in TIMELINE_FIELDS and value.normalised:
                events.append(
                    {
                        "at": value.normalised,
                        "what": f"{record.kind} {value.field}",
                        "record": record.uid,
                        "label": record.label,
                    }
                )
    linked = set(around)
    events += [
        {"at": at, "what": f"{kind} {fld}", "record": uid, "label": label}
        for uid, fld, _, at, kind, label in values
        if uid in linked and fld in TIMELINE_FIELDS
    ]
    return sorted(events, key=lambda e: (e["at"], e["record"], e["what"]))


def _degrees(text: str) -> float | None:
    try:
        return round(float(text), 3)
    except ValueError:
        return None


def _places(
    ctx: HubContext, uids: list[str], values: list[tuple[str, str, int, str, str, str | None]]
) -> list[dict[str, Any]]:
    """Places of these (visible) records: geocoded place names and given coordinates, one row per
    place with the records that name it, most named first."""
    if not uids:
        return []
    marks = ", ".join("?" for _ in uids)
    # grouped here: DuckDB scans every geocode once a GROUP BY sits over the uid list
    grouped: dict[tuple[Any, ...], tuple[list[float], set[str]]] = {}
    for text, name, country, lat, lon, confidence, uid in ctx.store.con.execute(
        "SELECT text, place_name, country, round(lat, 3), round(lon, 3), confidence, record_uid "
        f"FROM place_geocodes WHERE record_uid IN ({marks})",
        uids,
    ).fetchall():
        found = grouped.setdefault((text, name, country, lat, lon), ([], set()))
        if confidence is not None:
            found[0].append(confidence)
        found[1].add(uid)
    rows: list[tuple[Any, ...]] = [
        (*place, max(confidences) if confidences else None, sorted(named))
        for place, (confidences, named) in grouped.items()
    ]
    # given coordinates: a lat beside the lon of the same position of the same record
    ends: dict[tuple[str, int], dict[str, float | None]] = defaultdict(dict)
    for uid, fld, position, value, _, _ in values:
        if fld in COORDINATES:
            ends[(uid, position)][fld] = _degrees(value)
    given: dict[tuple[float | None, float | None], set[str]] = defaultdict(set)
    for (uid, _), end in ends.items():
        if "lat" in end and "lon" in end:
            given[(end["lat"], end["lon"])].add(uid)
    rows += [(None, None, None, lat, lon, 1.0, sorted(named)) for (lat, lon), named in given.items()]
    places = [
        {
            "text": text,
            "place": name,
            "country": country,
            "lat": lat,
            "lon": lon,
            "confidence": confidence,
            "records": list(records),
        }
        for text, name, country, lat, lon, confidence, records in rows
    ]
    return sorted(
        places, key=lambda p: (-len(p["records"]), p["text"] or "", p["lat"] or 0.0, p["lon"] or 0.0)
    )
