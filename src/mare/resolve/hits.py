"""Hits: matches between records of different contributions, told to the owners of both sides.

A hit is either an exact identifier match (same phone, document number and issuing country,
plate, IMO/MMSI, IBAN, e-mail or handle) or a person link (automatic or judged 'same').
Each owner is notified once per hit (the notification written as `hub.notifications.notify`
writes one, in bulk). The stored notification holds only the hit's id: its text is written when it
is read, for that reader, through the policy (`mare.hub.notifications.inbox`), so no record content
is ever stored in a notification and nothing here decides what anyone may see.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from mare.store.db import Store
from mare.store.settle import settled


@dataclass(frozen=True, slots=True)
class Hit:
    """One match between two records held by different contributions."""

    kind: str  # "identifier" or "person"
    basis: str  # "phone:+4915..." for identifiers, "link" or "judged_same" for persons
    left_uid: str
    right_uid: str
    left_agency: str
    right_agency: str
    match_probability: float | None = None

    @property
    def id(self) -> str:
        """Deterministic id: the same match is one hit however often it is found."""
        text = "|".join((self.kind, self.basis, self.left_uid, self.right_uid))
        return "H" + hashlib.sha256(text.encode()).hexdigest()[:16]


def identifier_hits(store: Store, contribution: str | None = None) -> list[Hit]:
    """Exact identifier matches between different contributions (for one, or all)."""
    if contribution:  # the new contribution's values looked up in the index, not a full self-join
        rows = store.con.execute(
            "WITH n AS (SELECT * FROM identifier_index WHERE contribution = ?) "
            "SELECT DISTINCT n.kind, n.value, least(n.record_uid, b.record_uid), "
            "greatest(n.record_uid, b.record_uid), "
            "CASE WHEN n.record_uid < b.record_uid THEN n.agency ELSE b.agency END, "
            "CASE WHEN n.record_uid < b.record_uid THEN b.agency ELSE n.agency END "
            "FROM n JOIN identifier_index b ON b.kind = n.kind AND b.value = n.value "
            "AND b.contribution <> n.contribution "
            "AND (n.country IS NULL OR b.country IS NULL OR n.country = b.country)",
            [contribution],
        ).fetchall()
    else:
        rows = store.con.execute(
            "SELECT a.kind, a.value, a.record_uid, b.record_uid, a.agency, b.agency "
            "FROM identifier_index a JOIN identifier_index b ON a.kind = b.kind AND a.value = b.value "
            "AND a.record_uid < b.record_uid AND a.contribution <> b.contribution "
            "AND (a.country IS NULL OR b.country IS NULL OR a.country = b.country)"
        ).fetchall()
    return [Hit("identifier", f"{k}:{v}", a, b, aa, ba) for k, v, a, b, aa, ba in rows]


def person_hits(store: Store, uids: list[str] | None = None) -> list[Hit]:
    """Person links (automatic, or judged same) between different contributions."""
    if uids is not None:
        settled(store.con).register("_hit_scope", pa.table({"uid": pa.array(uids, pa.string())}))
    scope = (
        "WHERE (e.l IN (SELECT uid FROM _hit_scope) OR e.r IN (SELECT uid FROM _hit_scope))"
        if uids is not None
        else ""
    )
    try:
        rows = store.con.execute(
            "WITH verdicts AS (SELECT left_uid, right_uid, arg_max(verdict, judged_at) AS verdict "
            "FROM judgements GROUP BY 1, 2), "
            "e AS (SELECT c.left_uid AS l, c.right_uid AS r, c.match_probability AS p, 'link' AS basis "
            "FROM candidate_pairs c LEFT JOIN verdicts v USING (left_uid, right_uid) "
            "WHERE c.decision = 'link' AND coalesce(v.verdict, '') <> 'not_same' "
            "UNION ALL SELECT left_uid, right_uid, NULL, 'judged_same' FROM verdicts WHERE verdict = 'same') "
            "SELECT e.basis, e.l, e.r, a.agency, b.agency, e.p FROM e "
            "JOIN person_features a ON a.record_uid = e.l JOIN person_features b ON b.record_uid = e.r "
            f"{scope} {'AND' if scope else 'WHERE'} a.contribution <> b.contribution"
        ).fetchall()
    finally:
        if uids is not None:
            store.con.unregister("_hit_scope")
    return [Hit("person", basis, left, right, la, ra, p) for basis, left, right, la, ra, p in rows]


def record_hits(store: Store, hits: list[Hit]) -> tuple[int, int]:
    """Store new hits and notify both owners of each; returns (new hits, notifications sent).

    Set-based: the new hits are found and inserted in one statement, the records' metadata read
    in one query, and every notification written in one insert."""
    if not hits:
        return 0, 0
    now = datetime.now(UTC).replace(tzinfo=None)
    unique = list({h.id: h for h in hits}.values())
    table = pa.table(
        {
            "id": [h.id for h in unique],
            "kind": [h.kind for h in unique],
            "basis": [h.basis for h in unique],
            "left_uid": [h.left_uid for h in unique],
            "right_uid": [h.right_uid for h in unique],
            "left_agency": [h.left_agency for h in unique],
            "right_agency": [h.right_agency for h in unique],
            "match_probability": pa.array([h.match_probability for h in unique], pa.float64()),
            "created_at": pa.array([now] * len(unique), pa.timestamp("us")),
        }
    )
    con = store.con
    settled(con).register("_new_hits", table)
    try:
        inserted = {
            r[0]
            for r in con.execute(
                "INSERT INTO hits SELECT n.* FROM _new_hits n WHERE NOT EXISTS "
                "(SELECT 1 FROM hits h WHERE h.id = n.id OR (h.kind = n.kind AND h.basis = n.basis "
                "AND h.left_uid = n.left_uid AND h.right_uid = n.right_uid)) RETURNING id"
            ).fetchall()
        }
    finally:
        con.unregister("_new_hits")
    new = [h for h in unique if h.id in inserted]
    if not new:
        return 0, 0
    notes: dict[str, list[Any]] = {k: [] for k in ("id", "agency", "subject", "ref")}
    for hit in new:
        for agency in dict.fromkeys((hit.left_agency, hit.right_agency)):
            what = "an identifier" if hit.kind == "identifier" else "a person"
            for key, value in zip(
                notes,
                (f"N{uuid.uuid4().hex[:16]}", agency, f"Cross-check hit on {what} (hit {hit.id})", hit.id),
                strict=True,
            ):
                notes[key].append(value)
    if notes["id"]:
        settled(con).register("_new_notes", pa.table(notes))
        try:
            con.execute(
                "INSERT INTO notifications SELECT id, agency, 'hit', subject, NULL, ref, ?, NULL "
                "FROM _new_notes",
                [now],
            )
        finally:
            con.unregister("_new_notes")
    return len(new), len(notes["id"])
