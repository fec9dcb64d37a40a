"""Derived tables from the store: identifier index, person features and blocking keys.

Everything here is recomputed from `records`/`record_values`/`links` (never the reverse), for
one contribution (incremental) or for the whole store (full re-run).
"""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pyarrow as pa

from mare.resolve.blocking import key_table
from mare.resolve.features import FEATURE_FIELDS, PersonInput, Value, build_rows
from mare.resolve.namesakes import fill_name_stats, token_table
from mare.resolve.symbols import SymbolSource
from mare.resolve.table import to_arrow
from mare.store.settle import settled

#: Links that make the target's identifiers the person's own.
IDENTITY_LINKS = ("uses_phone", "uses_account", "holds_document", "holds_financial_account", "owns_vehicle")
_ID_TYPES = ("phone", "email", "handle", "plate", "imo", "mmsi", "iban", "document_number")

_INDEX_SQL = f"""
INSERT INTO identifier_index
SELECT rv.record_uid, r.contribution, r.agency, r.kind,
  CASE WHEN rv.value_type <> 'document_number' THEN rv.value_type
       WHEN rv.field IN ('number', 'document_number') THEN 'document' ELSE rv.field END,
  CASE WHEN rv.value_type = 'document_number' THEN coalesce(rv.extra->>'$.key', rv.normalised)
       ELSE rv.normalised END,
  CASE WHEN rv.value_type IN ('document_number', 'plate') THEN coalesce(
      (SELECT c.normalised FROM record_values c WHERE c.record_uid = rv.record_uid
       AND c.field IN ('document_country', 'issuing_country', 'country') AND c.normalised IS NOT NULL
       ORDER BY c.field LIMIT 1),
      CASE WHEN rv.value_type = 'plate' THEN rv.extra->>'$.country' END) END
FROM record_values rv JOIN records r ON r.uid = rv.record_uid
WHERE rv.normalised IS NOT NULL AND r.kind <> 'communication'
  AND rv.value_type IN {_ID_TYPES} AND rv.field <> 'bic' {{where}}
"""
_MRZ_SQL = """
SELECT rv.record_uid, r.contribution, r.agency, r.kind, rv.extra->>'$.document_number',
       rv.extra->>'$.issuing_state'
FROM record_values rv JOIN records r ON r.uid = rv.record_uid
WHERE rv.value_type = 'mrz' AND rv.extra->>'$.document_number' IS NOT NULL {where}
"""


def _scope(contribution: str | None, alias: str = "r") -> tuple[str, list[Any]]:
    return (f"AND {alias}.contribution = ?", [contribution]) if contribution else ("", [])


def index_identifiers(con: duckdb.DuckDBPyConnection, contribution: str | None = None) -> int:
    """(Re)build the identifier index for one contribution or the whole store; returns rows."""
    where, params = _scope(contribution)
    if contribution:
        con.execute("DELETE FROM identifier_index WHERE contribution = ?", [contribution])
    else:
        con.execute("DELETE FROM identifier_index")
    con.execute(_INDEX_SQL.format(where=where), params)
    mrz = con.execute(_MRZ_SQL.format(where=where), params).fetchall()
    if mrz:
        from mare.schema.types.countries import normalise_country
        from mare.schema.types.identifiers import normalise_document_number

        rows = []
        for uid, contrib, agency, kind, number, state in mrz:
            doc = normalise_document_number(number)
            country = normalise_country(state).value if state else None
            if doc.value:
                rows.append(
                    [
                        uid,
                        contrib,
                        agency,
                        kind,
                        "document",
                        str((doc.extra or {}).get("key") or doc.value),
                        country,
                    ]
                )
        con.executemany("INSERT INTO identifier_index VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    row = con.execute(
        "SELECT count(*) FROM identifier_index" + (" WHERE contribution = ?" if contribution else ""), params
    ).fetchone()
    return int(row[0]) if row else 0


def person_inputs(con: duckdb.DuckDBPyConnection, contribution: str | None = None) -> list[PersonInput]:
    """Every person of the contribution (or store) with its feature values and identifiers."""
    where, params = _scope(contribution)
    people: dict[str, PersonInput] = {
        uid: PersonInput(uid, contrib, agency)
        for uid, contrib, agency in con.execute(
            f"SELECT uid, contribution, agency FROM records r WHERE kind = 'person' {where} ORDER BY uid",
            params,
        ).fetchall()
    }
    values = (
        settled(con)
        .sql(
            "SELECT rv.record_uid, rv.field, rv.normalised, rv.flags, CAST(rv.extra AS VARCHAR) AS extra "
            "FROM record_values rv JOIN records r ON r.uid = rv.record_uid "
            f"WHERE r.kind = 'person' AND rv.normalised IS NOT NULL AND rv.field IN {FEATURE_FIELDS} {where} "
            "ORDER BY rv.record_uid, rv.field, rv.position",
            params=params,
        )
        .to_arrow_table()
    )
    cols = [values.column(i).to_pylist() for i in range(5)]
    for uid, fld, norm, flags, extra in zip(*cols, strict=True):
        people[uid].values.append(Value(fld, norm, tuple(flags or ()), json.loads(extra) if extra else None))
    ids = con.execute(
        "SELECT i.record_uid, i.kind, i.value FROM identifier_index i JOIN records r ON r.uid = i.record_uid "
        f"WHERE r.kind = 'person' {where} UNION ALL "
        "SELECT l.source_uid, i.kind, i.value FROM links l "
        "JOIN identifier_index i ON i.record_uid = l.target_uid "
        f"WHERE l.kind IN {IDENTITY_LINKS} {_scope(contribution, 'l')[0]}",
        params * 2,
    ).fetchall()
    for uid, kind, value in ids:
        if uid in people:
            people[uid].identifiers.append((kind, value))
    pairs = con.execute(
        "SELECT l.source_uid, l.target_uid FROM links l JOIN records a ON a.uid = l.source_uid "
        "JOIN records b ON b.uid = l.target_uid WHERE a.kind = 'person' AND b.kind = 'person' "
        f"{_scope(contribution, 'l')[0]}",
        params,
    ).fetchall()
    for source, target in pairs:
        if source in people and target in people:
            people[source].associates.append(target)
            people[target].associates.append(source)
    return list(people.values())


def _insert(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    settled(con).register("_mare_rows", data)
    con.execute(f"INSERT INTO {table} SELECT * FROM _mare_rows")
    con.unregister("_mare_rows")


def refresh_features(
    con: duckdb.DuckDBPyConnection, contribution: str | None = None, symbols: SymbolSource | None = None
) -> list[dict[str, Any]]:
    """Rebuild identifiers, person features and blocking keys; returns the feature rows."""
    index_identifiers(con, contribution)
    rows = build_rows(person_inputs(con, contribution), symbols or SymbolSource(con))
    if contribution:
        for table in ("person_keys", "person_name_tokens"):
            con.execute(
                f"DELETE FROM {table} WHERE record_uid IN "
                "(SELECT record_uid FROM person_features WHERE contribution = ?)",
                [contribution],
            )
        con.execute("DELETE FROM person_features WHERE contribution = ?", [contribution])
    else:
        for table in ("person_keys", "person_name_tokens", "person_features"):
            con.execute(f"DELETE FROM {table}")
    if rows:
        _insert(con, "person_features", to_arrow(rows))
        _insert(con, "person_keys", key_table(rows))
        _insert(con, "person_name_tokens", token_table(rows))
        if contribution:
            fill_name_stats(con, "person_features", "contribution = ?", [contribution], "person_name_tokens")
        else:
            fill_name_stats(con, "person_features", tokens="person_name_tokens")
    return rows
