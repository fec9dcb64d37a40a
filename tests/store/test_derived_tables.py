"""Every table that refers to records is erased from by name: base tables, declared derived tables,
or accountability tables that keep no values. A new table that holds record references and is in
none of these fails here, so erasure can never miss it."""

from __future__ import annotations

from mare.store.db import Store
from mare.store.migrations import DERIVED_TABLES

RECORD_COLUMNS = ("record_uid", "left_uid", "right_uid", "source_uid", "target_uid")
#: Erased by `erase_records` itself.
BASE = {"records", "record_values", "links"}
#: Kept on erasure because they account for what was done, and hold no record values.
ACCOUNTABILITY = {
    "erasures": "what was erased, when, by whom and why",
    "consent_requests": "who asked whom; the justification is blanked on erasure",
    "retention_decisions": "who kept a record past its review, and why",
}


def test_every_table_with_record_references_is_declared(store: Store) -> None:
    rows = store.con.execute(
        "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name IN "
        f"({', '.join('?' for _ in RECORD_COLUMNS)}) AND table_schema = 'main'",
        list(RECORD_COLUMNS),
    ).fetchall()
    tables = {r[0] for r in rows}
    declared = {d.table for d in DERIVED_TABLES}
    undeclared = tables - BASE - set(ACCOUNTABILITY) - declared
    assert not undeclared, f"declare {sorted(undeclared)} in store/migrations.py DERIVED_TABLES"


def test_declared_conditions_are_valid_sql(store: Store) -> None:
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE TEMP TABLE _erase (uid VARCHAR)")
        for derived in DERIVED_TABLES:
            assert "{erased}" in derived.where, derived.table
            where = derived.where.replace("{erased}", "(SELECT uid FROM _erase)")
            con.execute(f"DELETE FROM {derived.table} WHERE {where}")
    finally:
        con.execute("ROLLBACK")
