"""Geocoding the place names of hub records (derived data, never overwriting the records).

Place texts of locations, events, journey legs and birth places are looked up in the offline
gazetteer (`geocode`); the best match above a confidence threshold is kept in
`place_geocodes` with its confidence and reason. It is derived data: erasure removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from mare.store.db import Store

#: (record kind, place field) -> the field of the same record that holds its country, if any.
PLACE_FIELDS: dict[tuple[str, str], str | None] = {
    ("location", "name"): "country",
    ("location", "city"): "country",
    ("event", "place"): "country",
    ("journey_leg", "from_place"): "from_country",
    ("journey_leg", "to_place"): "to_country",
    ("person", "birth_place"): "birth_country",
}
MIN_CONFIDENCE = 0.5


@dataclass(slots=True)
class GeocodeSummary:
    """Counts of one geocoding run."""

    texts: int = 0
    geocoded: int = 0
    unresolved: int = 0


def _pending(store: Store, contribution: str | None) -> list[tuple[str, str, str, str | None]]:
    """(record uid, field, place text, country hint) for place values not yet geocoded."""
    if contribution is not None:
        return _pending_of(store, contribution)
    rows: list[tuple[str, str, str, str | None]] = []
    for (kind, field), country_field in PLACE_FIELDS.items():
        sql = (
            "SELECT r.uid, v.original, (SELECT c.normalised FROM record_values c "
            "WHERE c.record_uid = r.uid AND c.field = ? LIMIT 1) "
            "FROM records r JOIN record_values v ON v.record_uid = r.uid "
            "WHERE r.kind = ? AND v.field = ? AND v.position = 0 AND NOT EXISTS "
            "(SELECT 1 FROM place_geocodes g WHERE g.record_uid = r.uid AND g.field = v.field)"
        )
        found = store.con.execute(sql, [country_field or "", kind, field]).fetchall()
        rows += [(uid, field, text, country) for uid, text, country in found]
    return rows


#: Record uids per statement when one contribution's values are read by uid.
UIDS_PER_READ = 2000


def _pending_of(store: Store, contribution: str) -> list[tuple[str, str, str, str | None]]:
    """`_pending` for one contribution: its records by their index, then their values and geocodes by
    uid (index lookups), not the scans of the whole hub that the hub-wide reading makes (~0.3 s per
    upload on the medium scenario, for an upload of a few persons with no place at all)."""
    kinds = {kind for kind, _ in PLACE_FIELDS}
    records = [
        (str(uid), str(kind))
        for uid, kind in store.con.execute(
            "SELECT uid, kind FROM records WHERE contribution = ?", [contribution]
        ).fetchall()
        if kind in kinds
    ]
    wanted = {field for _, field in PLACE_FIELDS} | {c for c in PLACE_FIELDS.values() if c}
    values: dict[tuple[str, str], list[tuple[int, str, str | None]]] = {}
    done: set[tuple[str, str]] = set()
    for start in range(0, len(records), UIDS_PER_READ):
        uids = [uid for uid, _ in records[start : start + UIDS_PER_READ]]
        marks = ", ".join("?" for _ in uids)
        for uid, field, position, original, normalised in store.con.execute(
            "SELECT record_uid, field, position, original, normalised FROM record_values "
            f"WHERE record_uid IN ({marks})",
            uids,
        ).fetchall():
            if field in wanted:
                values.setdefault((uid, field), []).append((position, original, normalised))
        done |= set(
            store.con.execute(
                f"SELECT record_uid, field FROM place_geocodes WHERE record_uid IN ({marks})", uids
            ).fetchall()
        )
    rows: list[tuple[str, str, str, str | None]] = []
    for (kind, field), country_field in PLACE_FIELDS.items():
        for uid, of_kind in records:
            if of_kind != kind or (uid, field) in done:
                continue
            texts = [original for position, original, _ in values.get((uid, field), []) if position == 0]
            countries = sorted(values.get((uid, country_field or ""), []), key=lambda v: v[0])
            rows += [(uid, field, text, countries[0][2] if countries else None) for text in texts]
    return rows


def geocode_records(
    store: Store, contribution: str | None = None, min_confidence: float = MIN_CONFIDENCE
) -> GeocodeSummary:
    """Geocode place texts not yet geocoded (of one contribution, or all); returns counts."""
    pending = _pending(store, contribution)
    summary = GeocodeSummary(texts=len(pending))
    if not pending:
        return summary
    from mare.analyse.geo.geocode import geocode

    cache: dict[tuple[str, str | None], tuple[object, ...] | None] = {}
    now = datetime.now(UTC).replace(tzinfo=None)
    rows: list[list[object]] = []
    for uid, field, text, country in pending:
        key = (text, country)
        if key not in cache:
            matches = geocode(text, country=country, limit=1)
            best = matches[0] if matches and matches[0].confidence >= min_confidence else None
            cache[key] = (
                None
                if best is None
                else (
                    best.place.lat,
                    best.place.lon,
                    best.place.country,
                    best.place.name,
                    best.place.kind,
                    best.confidence,
                    best.reason,
                )
            )
        found = cache[key]
        if found is None:
            summary.unresolved += 1
            rows.append([uid, field, text, None, None, None, None, None, None, "no confident match", now])
        else:
            summary.geocoded += 1
            rows.append([uid, field, text, *found, now])
    store.con.executemany("INSERT INTO place_geocodes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return summary
