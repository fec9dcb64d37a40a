"""Hits: matches between records of different contributions, told to the owners of both sides.

A hit is either an exact identifier match (same phone, document number and issuing country,
plate, IMO/MMSI, IBAN, e-mail or handle) or a person link (automatic or judged 'same').
Each owner is notified once per hit. What the notification says about the other side is
decided by the access policy: the other record's label and the matching value only where the
recipient may see that record in full; otherwise hit/no-hit (that a match exists, whom to ask,
and why no more is said) — restricted content never goes into a notification.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from mare.access.policy import DataMeta, Viewer, decide
from mare.products.notifications import notify
from mare.store.db import Store


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
    where = "AND (a.contribution = ? OR b.contribution = ?)" if contribution else ""
    rows = store.con.execute(
        "SELECT a.kind, a.value, a.record_uid, b.record_uid, a.agency, b.agency "
        "FROM identifier_index a JOIN identifier_index b ON a.kind = b.kind AND a.value = b.value "
        "AND a.record_uid < b.record_uid AND a.contribution <> b.contribution "
        "AND (a.country IS NULL OR b.country IS NULL OR a.country = b.country) " + where,
        [contribution, contribution] if contribution else []).fetchall()
    return [Hit("identifier", f"{k}:{v}", a, b, aa, ba) for k, v, a, b, aa, ba in rows]


def person_hits(store: Store, uids: list[str] | None = None) -> list[Hit]:
    """Person links (automatic, or judged same) between different contributions."""
    store.con.execute("CREATE OR REPLACE TEMP TABLE _hit_scope (uid VARCHAR)")
    if uids is not None:
        store.con.executemany("INSERT INTO _hit_scope VALUES (?)", [[u] for u in uids])
    scope = ("WHERE (e.l IN (SELECT uid FROM _hit_scope) OR e.r IN (SELECT uid FROM _hit_scope))"
             if uids is not None else "")
    rows = store.con.execute(
        "WITH verdicts AS (SELECT left_uid, right_uid, arg_max(verdict, judged_at) AS verdict "
        "FROM judgements GROUP BY 1, 2), "
        "e AS (SELECT c.left_uid AS l, c.right_uid AS r, c.match_probability AS p, 'link' AS basis "
        "FROM candidate_pairs c LEFT JOIN verdicts v USING (left_uid, right_uid) "
        "WHERE c.decision = 'link' AND coalesce(v.verdict, '') <> 'not_same' "
        "UNION ALL SELECT left_uid, right_uid, NULL, 'judged_same' FROM verdicts WHERE verdict = 'same') "
        "SELECT e.basis, e.l, e.r, a.agency, b.agency, e.p FROM e "
        "JOIN person_features a ON a.record_uid = e.l JOIN person_features b ON b.record_uid = e.r "
        f"{scope} {'AND' if scope else 'WHERE'} a.contribution <> b.contribution").fetchall()
    store.con.execute("DROP TABLE _hit_scope")
    return [Hit("person", basis, left, right, la, ra, p) for basis, left, right, la, ra, p in rows]


def _meta(store: Store, uid: str) -> tuple[DataMeta, str | None] | None:
    row = store.con.execute("SELECT agency, handling_code, restrictions, minor, kind, label FROM records "
                            "WHERE uid = ?", [uid]).fetchone()
    if row is None:
        return None
    meta = DataMeta(owner=row[0], handling_code=row[1], restrictions=json.loads(row[2]) if row[2] else None,
                    minor=bool(row[3]), kind=row[4])
    return meta, row[5]


def _message(store: Store, hit: Hit, own: str, other: str, agency: str) -> tuple[str, str] | None:
    mine, theirs = _meta(store, own), _meta(store, other)
    if mine is None or theirs is None:
        return None
    own_meta, own_label = mine
    other_meta, other_label = theirs
    who = "another of your contributions" if other_meta.owner == agency else other_meta.owner
    what = "shares an identifier with" if hit.kind == "identifier" else "matches"
    subject = f"Cross-check hit: your {own_meta.kind} {own_label or own} {what} a record of {who}"
    decision = decide(Viewer(user="crosscheck", agency=agency, roles=frozenset({"analyst"})), other_meta)
    if decision.full:
        detail = (f"Shared {hit.basis.split(':', 1)[0]}: {hit.basis.split(':', 1)[1]}"
                  if hit.kind == "identifier" else
                  f"Person match ({'confirmed by an analyst' if hit.basis == 'judged_same' else 'automatic'}"
                  + (f", probability {hit.match_probability:.3f}" if hit.match_probability else "") + ")")
        body = (f"{detail}. Matched record: {other} ({other_label or other_meta.kind}), held by "
                f"{other_meta.owner}. " + " ".join(decision.caveats))
    else:
        body = (f"A match exists with data held by {other_meta.owner}. Those data are restricted, so only "
                f"the hit is reported: {decision.reason}. "
                f"Quote hit {hit.id} when you ask {other_meta.owner}.")
    return subject, body.strip()


def record_hits(store: Store, hits: list[Hit]) -> tuple[int, int]:
    """Store new hits and notify both owners of each; returns (new hits, notifications sent)."""
    new_hits = notes = 0
    now = datetime.now(UTC).replace(tzinfo=None)
    for hit in hits:
        inserted = store.con.execute(
            "INSERT OR IGNORE INTO hits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING 1",
            [hit.id, hit.kind, hit.basis, hit.left_uid, hit.right_uid, hit.left_agency, hit.right_agency,
             hit.match_probability, now]).fetchall()
        if not inserted:
            continue
        new_hits += 1
        sides = [(hit.left_uid, hit.right_uid, hit.left_agency),
                 (hit.right_uid, hit.left_uid, hit.right_agency)]
        if hit.left_agency == hit.right_agency:
            sides = sides[:1]
        for own, other, agency in sides:
            message = _message(store, hit, own, other, agency)
            if message:
                notify(store, agency, "hit", message[0], message[1], ref=hit.id)
                notes += 1
    return new_hits, notes
