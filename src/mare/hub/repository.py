"""Reading records and contributions for a person — every read passes the access policy.

Each method builds `DataMeta` from the store, asks the context (`HubContext.decide`, the one
policy with the consent grants in force), and returns content only where the decision is `full`;
otherwise the caller gets hit/no-hit (that a match exists and whom to ask). Every decision lands
in the request's consultation entry, every denial in its own audit entry.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from mare.access.policy import DataMeta, Decision
from mare.hub.context import HubContext, superseded_sql


@dataclass(slots=True)
class ValueView:
    """One field value as shown: original, normalised, and why it could not be normalised."""

    field: str
    original: str
    normalised: str | None
    reason: str | None
    flags: list[str]
    extra: dict[str, Any] | None


@dataclass(slots=True)
class RecordView:
    """A record as a viewer may see it."""

    uid: str
    kind: str
    owner: str
    decision: Decision
    label: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    values: list[ValueView] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (content only when the decision allows it)."""
        data: dict[str, Any] = {
            "uid": self.uid,
            "kind": self.kind,
            "owner": self.owner,
            "visibility": self.decision.visibility,
            "rule": self.decision.rule,
            "reason": self.decision.reason,
            "caveats": list(self.decision.caveats),
        }
        if self.decision.full:
            data.update(
                label=self.label,
                provenance=self.provenance,
                values=[asdict(v) for v in self.values],
                links=self.links,
            )
        return data


_RECORD_META = (
    "SELECT uid, kind, agency, handling_code, restrictions, minor, label, contribution, "
    "local_id, evaluation_scheme, source_grade, information_grade, category, assessment, "
    "observed_at, received_at, review_at, row_ref, note, "
    f"{superseded_sql('contribution')} AS superseded FROM records"
)


#: Up to this many uids are read as a literal IN list (DuckDB looks each up in the table's index; a
#: list parameter joined against the table read all of it: the entity page's four reads 3x faster).
LITERAL_IN = 512


def _within(column: str, uids: Sequence[str]) -> tuple[str, list[Any]]:
    """`column IN (…)` for these uids and its parameters (an empty list matches nothing)."""
    if not uids:
        return "FALSE", []
    if len(uids) <= LITERAL_IN:
        return f"{column} IN ({', '.join('?' for _ in uids)})", list(uids)
    return f"{column} IN (SELECT unnest(?::VARCHAR[]))", [list(uids)]


class Repository:
    """Policy-checked reads for one context (viewer, purpose, grants, audit)."""

    def __init__(self, ctx: HubContext) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.viewer = ctx.viewer

    def _decide(self, resource: str, ref: str, meta: DataMeta) -> Decision:
        return self.ctx.decide(resource, ref, meta)

    @staticmethod
    def _meta(row: tuple[Any, ...]) -> DataMeta:
        restrictions = json.loads(row[4]) if row[4] else None
        return DataMeta(
            owner=row[2],
            handling_code=row[3],
            restrictions=restrictions,
            minor=bool(row[5]),
            kind=row[1],
            superseded=bool(row[19]),
        )

    def _current(self) -> list[str]:
        """The condition a listing adds: versions their owner replaced are history, listed for oversight
        only (asked for by uid, they are decided like any record: 'none', rule superseded)."""
        return [] if self.ctx.purpose == "oversight" else [f"NOT {superseded_sql('contribution')}"]

    def record(self, uid: str) -> RecordView | None:
        """One record, with values and links where the policy allows (None if unknown)."""
        return self.many([uid]).get(uid)

    def many(self, uids: Sequence[str], content: bool = True) -> dict[str, RecordView]:
        """Records by uid, each as `record` gives it (unknown uids left out; content=False: decision,
        label and provenance only): four queries in all, not three per record and one per link (an
        entity page on the medium scenario made hundreds)."""
        if not uids:
            return {}
        within, params = _within("uid", list(dict.fromkeys(uids)))
        rows = self.store.con.execute(_RECORD_META + f" WHERE {within}", params).fetchall()
        views = {row[0]: self._record_view(row) for row in rows}
        full = [uid for uid in dict.fromkeys(uids) if uid in views and views[uid].decision.full]
        if not full or not content:
            return views
        values: dict[str, list[ValueView]] = defaultdict(list)
        within, params = _within("record_uid", full)
        for uid, f, o, n, r, fl, x in self.store.con.execute(
            "SELECT record_uid, field, original, normalised, reason, flags, extra FROM record_values "
            f"WHERE {within} ORDER BY record_uid, field, position",
            params,
        ).fetchall():
            values[uid].append(ValueView(f, o, n, r, list(fl or []), json.loads(x) if x else None))
        links = self._links_of(full)
        for uid in full:
            views[uid].values = values.get(uid, [])
            views[uid].links = links.get(uid, [])
        return views

    def _record_view(self, row: tuple[Any, ...]) -> RecordView:
        """The record's decision, and its label and provenance where it is `full` (no values, no links)."""
        decision = self._decide("record", row[0], self._meta(row))
        view = RecordView(uid=row[0], kind=row[1], owner=row[2], decision=decision)
        if not decision.full:
            return view
        view.label = row[6]
        view.provenance = {
            "contribution": row[7],
            "local_id": row[8],
            "agency": row[2],
            "handling_code": row[3],
            "restrictions": json.loads(row[4]) if row[4] else None,
            "evaluation": {"scheme": row[9], "source": row[10], "information": row[11]} if row[9] else None,
            "category": row[12],
            "minor": bool(row[5]),
            "assessment": bool(row[13]),
            "observed_at": str(row[14]) if row[14] else None,
            "received_at": str(row[15]),
            "review_at": str(row[16]),
            "row_ref": row[17],
            "note": row[18],
        }
        return view

    def _links_of(self, uids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The links of each record, each decided, with the record at its other end (no content)."""
        sources, source_params = _within("l.source_uid", uids)
        targets, target_params = _within("l.target_uid", uids)
        read = (
            "SELECT l.uid, l.kind, l.source_uid, l.target_uid, l.agency, l.handling_code, "
            f"l.restrictions, l.properties, l.assessment, {superseded_sql('l.contribution')} FROM links l"
        )
        # each end its own read, on its index (one `OR` of the two read every link); a link between two of
        # the records comes from both and is kept once
        found = self.store.con.execute(
            f"{read} WHERE {sources} UNION ALL {read} WHERE {targets} ORDER BY 1",
            [*source_params, *target_params],
        ).fetchall()
        rows = list({row[0]: row for row in found}.values())
        wanted = set(uids)
        ends = [(row, uid) for row in rows for uid in dict.fromkeys((row[2], row[3])) if uid in wanted]
        others = {dst if src == uid else src for (_, _, src, dst, *_), uid in ends}
        within, params = _within("uid", sorted(others))
        metas = {
            other[0]: other
            for other in self.store.con.execute(_RECORD_META + f" WHERE {within}", params).fetchall()
        }
        shown: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for (luid, kind, src, dst, agency, code, rules, props, assessment, superseded), uid in ends:
            meta = DataMeta(
                owner=agency,
                handling_code=code,
                restrictions=json.loads(rules) if rules else None,
                kind="link",
                superseded=bool(superseded),
            )
            decision = self._decide("link", luid, meta)
            other = metas.get(dst if src == uid else src)
            other_view = self._record_view(other) if other else None
            entry: dict[str, Any] = {"uid": luid, "kind": kind, "visibility": decision.visibility}
            if decision.full:
                entry.update(
                    direction="out" if src == uid else "in",
                    properties=json.loads(props) if props else {},
                    assessment=assessment,
                    other=other_view.as_dict() if other_view else None,
                )
            else:
                entry["reason"] = decision.reason
            shown[uid].append(entry)
        return shown

    def records(
        self, kind: str | None = None, agency: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[RecordView]:
        """Records in a stable order, each decided on its own (content only where allowed)."""
        where, params = [], []
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if agency:
            where.append("agency = ?")
            params.append(agency)
        where += self._current()
        sql = _RECORD_META + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY uid LIMIT ? OFFSET ?"
        rows = self.store.con.execute(sql, [*params, limit, offset]).fetchall()
        return [self._record_view(r) for r in rows]

    def record_values(self, kind: str, limit: int | None = None) -> list[RecordView]:
        """Records of one kind with their values, each decided alone (needs the `export` action)."""
        self.ctx.permit("export", ref=kind)
        where = " AND ".join(["kind = ?", *self._current()])
        sql = _RECORD_META + f" WHERE {where} ORDER BY uid" + (f" LIMIT {int(limit)}" if limit else "")
        views = []
        for row in self.store.con.execute(sql, [kind]).fetchall():
            view = self._record_view(row)
            if view.decision.full:
                view.values = [
                    ValueView(f, o, n, r, list(fl or []), None)
                    for f, o, n, r, fl in self.store.con.execute(
                        "SELECT field, original, normalised, reason, flags FROM "
                        "record_values WHERE record_uid = ? ORDER BY field, position",
                        [row[0]],
                    ).fetchall()
                ]
            views.append(view)
        return views

    def contribution(self, uid: str) -> dict[str, Any] | None:
        """A contribution's envelope and counts; problems and files for its owner only."""
        row = self.store.con.execute(
            "SELECT uid, agency, sender_id, version, format, sha256, size_bytes, source_name, "
            "received_at, sent_at, supersedes, superseded_by, handling_code, restrictions, "
            "evaluation_scheme, source_grade, information_grade, crime_areas, case_refs, language, "
            "record_count, link_count, call_count, rejected_count, warning_count "
            "FROM contributions WHERE uid = ? OR sender_id = ? ORDER BY version DESC LIMIT 1",
            [uid, uid],
        ).fetchone()
        if row is None:
            return None
        meta = DataMeta(
            owner=row[1],
            handling_code=row[12],
            restrictions=json.loads(row[13]) if row[13] else None,
            kind="contribution",
            superseded=row[11] is not None,
        )
        decision = self._decide("contribution", row[0], meta)
        data: dict[str, Any] = {
            "uid": row[0],
            "agency": row[1],
            "visibility": decision.visibility,
            "reason": decision.reason,
            "caveats": list(decision.caveats),
        }
        if not decision.full:
            return data
        keys = (
            "uid",
            "agency",
            "sender_id",
            "version",
            "format",
            "sha256",
            "size_bytes",
            "source_name",
            "received_at",
            "sent_at",
            "supersedes",
            "superseded_by",
            "handling_code",
            "restrictions",
            "evaluation_scheme",
            "source_grade",
            "information_grade",
            "crime_areas",
            "case_refs",
            "language",
            "record_count",
            "link_count",
            "call_count",
            "rejected_count",
            "warning_count",
        )
        data.update(
            {
                k: (str(v) if k in ("received_at", "sent_at") and v else v)
                for k, v in zip(keys, row, strict=True)
            }
        )
        if data["restrictions"]:
            data["restrictions"] = json.loads(data["restrictions"])
        if self.viewer.agency == row[1]:
            data["files"] = [
                {"name": n, "sha256": s}
                for n, s in self.store.con.execute(
                    "SELECT name, sha256 FROM contribution_files WHERE contribution = ? ORDER BY name",
                    [row[0]],
                ).fetchall()
            ]
            data["problems"] = [
                dict(zip(("file", "row", "field", "severity", "reason", "fix"), p, strict=True))
                for p in self.store.con.execute(
                    "SELECT file, row_number, field, severity, reason, fix FROM ingest_problems "
                    "WHERE contribution = ? ORDER BY file, row_number LIMIT 1000",
                    [row[0]],
                ).fetchall()
            ]
        return data

    def stats(self) -> dict[str, Any]:
        """Counts of what the viewer may see in full (by kind, agency, format, handling, category), and how
        many records were withheld by which rule. Filtered in the database; never any content."""
        con = self.store.con
        rvis, rparams = self.ctx.visibility_sql("r")
        rrule, rrule_params = self.ctx.rule_sql("r")
        cvis, cparams = self.ctx.visibility_sql("c", minor=False, consent=False, contribution="uid")
        lvis, lparams = self.ctx.visibility_sql("l", minor=False, consent=False)

        def pairs(sql: str, params: list[Any]) -> dict[str, int]:
            return {str(k): int(v) for k, v in con.execute(sql, params).fetchall()}

        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _visible AS SELECT r.uid, r.kind, r.handling_code, r.category, "
            f"r.minor, {rvis} AS visibility, {rrule} AS rule FROM records r",
            [*rparams, *rrule_params],
        )
        try:
            withheld = pairs(
                "SELECT rule, count(*) FROM _visible WHERE visibility <> 'full' GROUP BY 1 ORDER BY 1", []
            )
            shown = int(
                (con.execute("SELECT count(*) FROM _visible WHERE visibility = 'full'").fetchone() or [0])[0]
            )
            contributions = f"SELECT * FROM contributions c WHERE {cvis} = 'full'"
            one = con.execute(
                f"SELECT count(*), coalesce(sum(call_count), 0), coalesce(sum(rejected_count), 0) "
                f"FROM ({contributions})",
                cparams,
            ).fetchone()
            assert one is not None
            data: dict[str, Any] = {
                "contributions": int(one[0]),
                "agencies": pairs(
                    f"SELECT agency, count(*) FROM ({contributions}) GROUP BY 1 ORDER BY 1", cparams
                ),
                "formats": pairs(
                    f"SELECT format, count(*) FROM ({contributions}) GROUP BY 1 ORDER BY 1", cparams
                ),
                "records": pairs(
                    "SELECT kind, count(*) FROM _visible WHERE visibility = 'full' GROUP BY 1 ORDER BY 1", []
                ),
                "links": pairs(
                    f"SELECT l.kind, count(*) FROM links l WHERE {lvis} = 'full' GROUP BY 1 ORDER BY 1",
                    lparams,
                ),
                "calls": int(one[1]),
                "rejected_rows": int(one[2]),
                "handling": pairs(
                    "SELECT handling_code, count(*) FROM _visible WHERE visibility = 'full' "
                    "GROUP BY 1 ORDER BY 1",
                    [],
                ),
                "persons_by_category": pairs(
                    "SELECT coalesce(category, 'unstated'), count(*) FROM _visible WHERE visibility = 'full' "
                    "AND kind = 'person' GROUP BY 1 ORDER BY 1",
                    [],
                ),
                "minors": int(
                    (
                        con.execute(
                            "SELECT count(*) FROM _visible WHERE visibility = 'full' AND minor"
                        ).fetchone()
                        or [0]
                    )[0]
                ),
                "unnormalised_values": int(
                    (
                        con.execute(
                            "SELECT count(*) FROM record_values v JOIN _visible r ON r.uid = v.record_uid "
                            "WHERE r.visibility = 'full' AND v.normalised IS NULL"
                        ).fetchone()
                        or [0]
                    )[0]
                ),
                "withheld_records": withheld,
                "processing": self._processing(),
            }
        finally:
            con.execute("DROP TABLE IF EXISTS _visible")
        self.ctx.note_bulk("record", shown, withheld)
        return data

    def _processing(self) -> dict[str, int]:
        """What the hub's own processing made of the records in `_visible` the viewer sees in full: hits
        with at least one visible side (that a hit exists is hit/no-hit), resolution, geocoding."""
        visible = "SELECT uid FROM _visible WHERE visibility = 'full'"
        # two outer joins, not `left_uid IN (…) OR right_uid IN (…)`: PostgreSQL cannot hash a semi-join
        # under OR and checked each hit against the visible records one by one (over 30 s, medium hub)
        hits = self.store.con.execute(
            f"SELECT count(*) FROM hits h LEFT JOIN ({visible}) l ON l.uid = h.left_uid "
            f"LEFT JOIN ({visible}) r ON r.uid = h.right_uid WHERE l.uid IS NOT NULL OR r.uid IS NOT NULL"
        ).fetchone()
        entities = self.store.con.execute(
            f"SELECT count(DISTINCT entity_id), count(*) FROM entities WHERE record_uid IN ({visible})"
        ).fetchone()
        places = self.store.con.execute(
            f"SELECT count(*), count(lat) FROM place_geocodes WHERE record_uid IN ({visible})"
        ).fetchone()
        assert hits is not None and entities is not None and places is not None
        return {
            "hits": int(hits[0]),
            "entities": int(entities[0]),
            "resolved_records": int(entities[1]),
            "place_names": int(places[0]),
            "places_located": int(places[1]),
        }
