"""Documents in the hub, read through the access policy: MRZ checks, rented and reused documents, impostors.

Document records, the persons linked to them (`holds_document`) and the legs they were used on
(`leg_used`) are filtered in the database by the read policy compiled to SQL: only what the viewer
may see in full is read (the document, the link and the record at its other end, each decided on
its own). Counts withheld, by rule, go to the request's consultation entry. Another agency's
document the viewer may see only as hit/no-hit is reported as a hit (its owner, its record id, the
rule) when its number matches a document the viewer sees in full, and never with its values.
The analyses themselves are in `mare.analyse.documents`.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from mare.access.policy import DataMeta
from mare.analyse.documents.mrz_check import check_mrz, icao_country
from mare.analyse.documents.reuse import DocumentRecord, Finding, LegUse, Presenter, document_key, find_reuse
from mare.hub.context import HubContext, superseded_sql

DOCUMENT_FIELDS = (
    "document_type",
    "number",
    "issuing_country",
    "nationality",
    "mrz",
    "holder_name",
    "birth_date",
    "expiry_date",
    "fraud",
    "seized_at",
    "seized_place",
    "seized_country",
)
PERSON_FIELDS = ("name", "given_name", "family_name", "birth_date", "gender")
LEG_FIELDS = ("departed_at", "arrived_at", "from_country", "to_country", "from_place", "to_place")
#: Visual-zone field of the MRZ check -> document field.
_VISUAL = {
    "number": "number",
    "issuing_country": "issuing_country",
    "nationality": "nationality",
    "holder_name": "holder_name",
    "birth_date": "birth_date",
    "expiry_date": "expiry_date",
}


@dataclass(frozen=True)
class MrzProblem:
    """A document record whose MRZ fails a check: where it came from and why."""

    record: str
    agency: str
    contribution: str
    row: str | None
    reasons: list[str]


@dataclass(frozen=True)
class Hit:
    """Another agency's document seen as hit/no-hit only: whom to ask, never its values."""

    key: str
    record: str
    agency: str
    rule: str
    reason: str


@dataclass
class DocumentsResult:
    """What `mare documents --hub` shows."""

    documents: int = 0  # document identities seen in full
    records: int = 0
    with_mrz: int = 0
    mrz_valid: int = 0
    status: dict[str, int] = field(default_factory=dict)
    rented: list[Finding] = field(default_factory=list)
    impostors: list[Finding] = field(default_factory=list)
    seized: list[Finding] = field(default_factory=list)
    mrz_problems: list[MrzProblem] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    withheld: dict[str, dict[str, int]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # every identity, flagged or not

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "documents": self.documents,
            "records": self.records,
            "with_mrz": self.with_mrz,
            "mrz_valid": self.mrz_valid,
            "status": self.status,
            "rented": [f.as_dict() for f in self.rented],
            "impostors": [f.as_dict() for f in self.impostors],
            "seized": [f.as_dict() for f in self.seized],
            "mrz_problems": [asdict(p) for p in self.mrz_problems],
            "hits": [asdict(h) for h in self.hits],
            "withheld": self.withheld,
        }


def _all(cursor: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """Every row of a query (read to its end, so no result is left open)."""
    return cursor.fetchall()


def _withheld(ctx: HubContext, table: str, where: str, is_record: bool = True) -> dict[str, int]:
    """Rows of `table` (aliased r) the viewer may not see in full, by rule."""
    vis, vparams = ctx.visibility_sql("r", minor=is_record, consent=is_record)
    rule, rparams = ctx.rule_sql("r", minor=is_record, consent=is_record)
    rows = _all(
        ctx.store.con.execute(
            f"SELECT {rule}, count(*) FROM {table} r WHERE {where} AND {vis} <> 'full' GROUP BY 1 ORDER BY 1",
            [*rparams, *vparams],
        )
    )
    return {str(r): int(n) for r, n in rows}


def _values(
    ctx: HubContext, uids: list[str], fields: tuple[str, ...]
) -> dict[str, dict[str, list[tuple[str, str | None, Any]]]]:
    """(original, normalised, extra) per field of records already decided visible."""
    out: dict[str, dict[str, list[tuple[str, str | None, Any]]]] = defaultdict(lambda: defaultdict(list))
    if not uids:
        return out
    marks = ", ".join("?" for _ in fields)
    rows = _all(
        ctx.store.con.execute(
            "SELECT record_uid, field, original, normalised, extra FROM record_values "
            f"WHERE record_uid IN (SELECT unnest(?)) AND field IN ({marks}) "
            "ORDER BY record_uid, field, position",
            [uids, *fields],
        )
    )
    for uid, fld, original, normalised, extra in rows:
        out[uid][fld].append((str(original), None if normalised is None else str(normalised), extra))
    return out


def _first(
    values: dict[str, list[tuple[str, str | None, Any]]], fld: str, normalised: bool = True
) -> str | None:
    for original, norm, _ in values.get(fld, []):
        return norm if normalised and norm is not None else original
    return None


def _visible_documents(ctx: HubContext) -> list[tuple[str, str, str, str | None]]:
    vis, params = ctx.visibility_sql("r")
    return [
        (str(u), str(a), str(c), None if row is None else str(row))
        for u, a, c, row in _all(
            ctx.store.con.execute(
                f"SELECT r.uid, r.agency, r.contribution, r.row_ref FROM records r "
                f"WHERE r.kind = 'document' AND {vis} = 'full' ORDER BY r.uid",
                params,
            )
        )
    ]


def _linked(ctx: HubContext, kind: str, other_kind: str) -> list[tuple[str, str]]:
    """(document uid, source record uid) of `kind` links to documents, seen in full with both ends."""
    dvis, dparams = ctx.visibility_sql("d")
    lvis, lparams = ctx.visibility_sql("l", minor=False, consent=False)
    ovis, oparams = ctx.visibility_sql("o")
    rows = _all(
        ctx.store.con.execute(
            f"SELECT l.target_uid, l.source_uid FROM links l "
            f"JOIN records d ON d.uid = l.target_uid AND d.kind = 'document' "
            f"JOIN records o ON o.uid = l.source_uid AND o.kind = ? "
            f"WHERE l.kind = ? AND {lvis} = 'full' AND {dvis} = 'full' AND {ovis} = 'full' "
            f"ORDER BY 1, 2",
            [other_kind, kind, *lparams, *dparams, *oparams],
        )
    )
    return [(str(d), str(o)) for d, o in rows]


def _record(uid: str, agency: str, vals: dict[str, list[tuple[str, str | None, Any]]]) -> DocumentRecord:
    number, country = _first(vals, "number"), _first(vals, "issuing_country")
    mrz = vals.get("mrz", [])
    extra = mrz[0][2] if mrz else None
    parsed = json.loads(extra) if isinstance(extra, str) else extra
    if isinstance(parsed, dict):
        number = number or (str(parsed.get("document_number") or "") or None)
        country = country or icao_country(str(parsed.get("issuing_state") or ""))
    return DocumentRecord(
        uid=uid,
        agency=agency,
        number=number,
        country=country,
        holder_name=_first(vals, "holder_name", normalised=False)
        or (
            f"{parsed.get('given_names', '')} {parsed.get('surname', '')}".strip()
            if isinstance(parsed, dict)
            else None
        ),
        birth_date=_first(vals, "birth_date"),
        status=_first(vals, "fraud"),
        seized_at=_first(vals, "seized_at"),
        seized_place=_first(vals, "seized_place", normalised=False),
    )


def _person_name(vals: dict[str, list[tuple[str, str | None, Any]]]) -> str | None:
    name = _first(vals, "name", normalised=False)
    if name:
        return name
    parts = [_first(vals, f, normalised=False) for f in ("given_name", "family_name")]
    return " ".join(p for p in parts if p) or None


def _mrz_only(ctx: HubContext, vis: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Documents seen only as hit that carry an MRZ and no number: their identity as the MRZ gives it
    (number and issuing state, as `_record` reads a record seen in full)."""
    rows = _all(
        ctx.store.con.execute(
            "SELECT r.uid, r.agency, r.handling_code, r.restrictions, r.minor, "
            f"{superseded_sql('r.contribution')}, m.extra FROM records r "
            "JOIN record_values m ON m.record_uid = r.uid AND m.field = 'mrz' "
            f"WHERE r.kind = 'document' AND {vis} = 'hit' AND NOT EXISTS (SELECT 1 FROM record_values n "
            "WHERE n.record_uid = r.uid AND n.field = 'number' AND n.normalised IS NOT NULL) ORDER BY r.uid",
            params,
        )
    )
    out = []
    for uid, agency, code, restrictions, minor, superseded, extra in rows:
        parsed = json.loads(extra) if isinstance(extra, str) else extra
        if not isinstance(parsed, dict):
            continue
        country = icao_country(str(parsed.get("issuing_state") or ""))
        key = document_key(str(parsed.get("document_number") or "") or None, country)
        if key is not None:
            out.append((uid, agency, code, restrictions, minor, superseded, key))
    return out


def _hits(ctx: HubContext, keys: set[str]) -> list[Hit]:
    """Documents seen only as hit whose identity matches one seen in full (decided one by one)."""
    if not keys:
        return []
    vis, params = ctx.visibility_sql("r")
    key = "coalesce(c.normalised, '?') || '/' || upper(n.normalised)"
    rows = _all(
        ctx.store.con.execute(
            "SELECT r.uid, r.agency, r.handling_code, r.restrictions, r.minor, "
            f"{superseded_sql('r.contribution')}, {key} AS key FROM records r "
            "JOIN record_values n ON n.record_uid = r.uid AND n.field = 'number' "
            "AND n.normalised IS NOT NULL "
            "LEFT JOIN record_values c ON c.record_uid = r.uid AND c.field = 'issuing_country' "
            f"WHERE r.kind = 'document' AND {vis} = 'hit' AND {key} IN (SELECT unnest(?)) ORDER BY r.uid",
            [*params, sorted(keys)],
        )
    )
    rows += [row for row in _mrz_only(ctx, vis, params) if row[6] in keys]
    out: list[Hit] = []
    for uid, agency, code, restrictions, minor, superseded, key in rows:
        meta = DataMeta(
            owner=str(agency),
            handling_code=str(code),
            restrictions=json.loads(restrictions) if restrictions else None,
            minor=bool(minor),
            superseded=bool(superseded),
        )
        decision = ctx.decide("record", str(uid), meta)
        if decision.visibility == "hit":
            out.append(Hit(str(key), str(uid), str(agency), decision.rule, decision.reason))
    return out


def hub_documents(ctx: HubContext, today: datetime.date | None = None) -> DocumentsResult:
    """Documents the viewer may see: MRZ checks, rented/reused documents and impostors, seizures, hits."""
    docs = _visible_documents(ctx)
    result = DocumentsResult(records=len(docs))
    result.withheld["documents"] = _withheld(ctx, "records", "r.kind = 'document'")
    doc_values = _values(ctx, [d[0] for d in docs], DOCUMENT_FIELDS)
    records = [_record(uid, agency, doc_values.get(uid, {})) for uid, agency, _, _ in docs]
    for (uid, agency, contribution, row), rec in zip(docs, records, strict=True):
        vals = doc_values.get(uid, {})
        if rec.status:
            result.status[rec.status] = result.status.get(rec.status, 0) + 1
        mrz = _first(vals, "mrz", normalised=False)
        if not mrz:
            continue
        result.with_mrz += 1
        visual = {k: _first(vals, f, normalised=False) for k, f in _VISUAL.items()}
        verdict = check_mrz(mrz, visual, today)
        if verdict.valid:
            result.mrz_valid += 1
        else:
            result.mrz_problems.append(MrzProblem(uid, agency, contribution, row, verdict.reasons()))
    holders = _linked(ctx, "holds_document", "person")
    person_values = _values(ctx, sorted({p for _, p in holders}), PERSON_FIELDS)
    presenters = [
        Presenter(
            d, p, _person_name(person_values.get(p, {})), _first(person_values.get(p, {}), "birth_date")
        )
        for d, p in holders
    ]
    used = _linked(ctx, "leg_used", "journey_leg")
    leg_values = _values(ctx, sorted({leg for _, leg in used}), LEG_FIELDS)
    legs = [
        LegUse(
            d,
            leg,
            *(
                _first(leg_values.get(leg, {}), f, normalised=f not in ("from_place", "to_place"))
                for f in LEG_FIELDS
            ),
        )
        for d, leg in used
    ]
    findings = find_reuse(records, presenters, legs)
    result.findings = findings
    result.documents = len(findings)
    result.rented = [f for f in findings if f.rented]
    result.impostors = [f for f in findings if f.impostor]
    result.seized = [f for f in findings if f.seized]
    result.hits = _hits(ctx, {f.key for f in findings})
    result.withheld["links"] = _withheld(ctx, "links", "r.kind IN ('holds_document', 'leg_used')", False)
    total: Counter[str] = Counter()
    for counts in result.withheld.values():
        total.update(counts)
    ctx.note_bulk("record", len(docs) + len(holders) + len(used), dict(total))
    return result
