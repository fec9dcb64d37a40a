"""Row-level security, the second wall: raw SQL as each viewer returns exactly what the policy allows.

The store is filled as the owner role; then the application role (NOSUPERUSER NOBYPASSRLS) runs
deliberately faulty queries (no WHERE clause at all) under every class of viewer, and what comes
back is compared, row by row, with `mare.access.policy.decide()` on the same rows.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from builders import write_contribution
from mare.access.policy import PURPOSES, DataMeta, Purpose, Viewer, decide
from mare.hub.accounts import ensure_hub_agency
from mare.hub.server_store import secure_store, viewer_settings
from mare.ingest.pipeline import ingest_file
from mare.store.migrations import DERIVED_TABLES
from mare.store.postgres import PostgresConnection, PostgresError, parse_url
from mare.store.postgres_rls import READ_RULES

SECRET = "Quixbury"  # in every withheld record's name: must never come back to a viewer denied it

CONTRIBUTIONS: list[tuple[str, str, dict[str, Any], list[dict[str, Any]]]] = [
    ("A", "DE-BKA", {"code": "H0"},
     [{"id": "p", "kind": "person", "name": "Open Person", "phone": ["+49 151 1"]}]),
    ("B", "DE-BKA", {"code": "H2"}, [{"id": "p", "kind": "person", "name": f"H2 {SECRET}"}]),
    ("C", "DE-BKA", {"code": "H3", "restrictions": {"agencies_denied": ["IT-SCO"]}},
     [{"id": "p", "kind": "person", "name": f"Denied {SECRET}"}]),
    ("D", "DE-BKA", {"code": "H3", "restrictions": {"agencies_allowed": ["GR-HP"]}},
     [{"id": "p", "kind": "person", "name": f"Allowed {SECRET}"}]),
    ("E", "DE-BKA", {"code": "H1"}, [{"id": "p", "kind": "person", "name": "Judicial Person"}]),
    ("F", "DE-BKA", {"code": "H0"}, [{"id": "m", "kind": "person", "name": f"Minor {SECRET}", "minor": True,
                                      "category": "victim"}]),
    ("G", "IT-SCO", {"code": "H0"}, [{"id": "p", "kind": "person", "name": "Italian Person"}]),
    ("H", "DE-BKA", {"code": "H3", "restrictions": {"expires": "2020-01-01"}},
     [{"id": "p", "kind": "person", "name": f"Expired {SECRET}"}]),
    ("I", "DE-BKA", {"code": "H3", "restrictions": {"ask_first": True}},
     [{"id": "p", "kind": "person", "name": f"Ask {SECRET}"}]),
    ("J", "GR-HP", {"code": "H2"}, [{"id": "p", "kind": "person", "name": f"Greek {SECRET}"},
                                    {"id": "q", "kind": "person", "name": "Greek Open"}]),
]  # fmt: skip
AGENCIES = ("DE-BKA", "IT-SCO", "GR-HP", "HUB")
ROLE_SETS = (frozenset({"analyst"}), frozenset({"viewer"}), frozenset({"dpo"}), frozenset({"supervisor"}))


@dataclass
class World:
    app: PostgresConnection
    rows: list[tuple[str, DataMeta]]  # each record uid and what the policy reads of it
    consented: dict[str, set[str]]  # agency -> record uids released to it
    values_of: set[str]  # records that have values


@pytest.fixture(scope="module")
def world(pg_cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from mare.store.db import open_store
    from pgcluster import APP, APP_PASSWORD, OWNER, OWNER_PASSWORD

    base = tmp_path_factory.mktemp("rls")
    name = pg_cluster.new_database("rls")
    with open_store(
        base / "home", url=pg_cluster.url(OWNER, OWNER_PASSWORD, name) + f"&app_role={APP}"
    ) as owner:
        ensure_hub_agency(owner)
        for sender, agency, handling, records in CONTRIBUTIONS:
            path = write_contribution(
                base / f"{sender}.json", records, id=sender, agency=agency, handling=handling
            )
            report = ingest_file(owner, path)
            assert report.status == "stored", report
        # an open contribution sent again: its first version is history, seen for oversight only
        for version, label in enumerate((f"Replaced {SECRET}", "Renewed Person")):
            path = write_contribution(
                base / f"K{version}.json",
                [{"id": "p", "kind": "person", "name": label, "phone": ["+49 151 7"]}],
                id="K",
                agency="DE-BKA",
                handling={"code": "H0"},
                **({"supersedes": "K"} if version else {}),
            )
            report = ingest_file(owner, path)
            assert report.status == "stored", report
        released = owner.con.execute("SELECT uid FROM records WHERE label = ?", [f"H2 {SECRET}"]).fetchone()
        assert released
        owner.con.execute(
            "INSERT INTO consent_requests VALUES ('c1', 'ana', 'IT-SCO', ?, 'DE-BKA', 'crime_fighting', "
            "'case', FALSE, 'granted', now()::TIMESTAMP, 'owner', now()::TIMESTAMP, NULL, NULL)",
            [released[0]],
        )
        secure_store(owner)
        rows = [
            (uid, DataMeta(agency, code, json.loads(r) if r else None, bool(minor), superseded=bool(old)))
            for uid, agency, code, r, minor, old in owner.con.execute(
                "SELECT uid, agency, handling_code, CAST(restrictions AS VARCHAR), minor, contribution IN "
                "(SELECT uid FROM contributions WHERE superseded_by IS NOT NULL) FROM records"
            ).fetchall()
        ]
        assert sum(meta.superseded for _, meta in rows) == 1
        values_of = {
            r[0] for r in owner.con.execute("SELECT DISTINCT record_uid FROM record_values").fetchall()
        }
    app = PostgresConnection(parse_url(pg_cluster.url(APP, APP_PASSWORD, name)))
    yield World(app, rows, {"IT-SCO": {released[0]}}, values_of)
    app.close()


def expected(world: World, viewer: Viewer, purpose: Purpose) -> dict[str, str]:
    return {
        uid: decide(
            viewer,
            meta,
            purpose,
            today=date.today(),
            consented=uid in world.consented.get(viewer.agency, set()),
        ).visibility
        for uid, meta in world.rows
    }


VIEWERS = [
    (Viewer("v", agency, roles), purpose)
    for agency, roles, purpose in itertools.product(AGENCIES, ROLE_SETS, PURPOSES)
]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("viewer", "purpose"), VIEWERS, ids=[f"{v.agency}-{min(v.roles)}-{p}" for v, p in VIEWERS]
)
def test_raw_sql_as_each_viewer_returns_what_the_policy_allows(
    world: World, viewer: Viewer, purpose: Purpose
) -> None:
    want = expected(world, viewer, purpose)
    con = world.app
    con.set_viewer(viewer_settings(viewer, purpose, scope="strict"))
    try:
        known = {r[0] for r in con.execute("SELECT uid FROM records").fetchall()}  # no WHERE: a faulty query
        assert known == {u for u, v in want.items() if v != "none"}
        content = {r[0] for r in con.execute("SELECT record_uid FROM record_values").fetchall()}
        assert content == {u for u, v in want.items() if v == "full"} & world.values_of
        for uid, text in con.execute("SELECT record_uid, original FROM record_values").fetchall():
            assert SECRET not in text or want[uid] == "full", (uid, text)
        for table in ("person_features", "identifier_index", "person_keys", "entities", "place_geocodes"):
            uids = {r[0] for r in con.execute(f"SELECT record_uid FROM {table}").fetchall()}
            assert uids <= {u for u, v in want.items() if v == "full"}, table
        con.set_viewer(viewer_settings(viewer, purpose, scope="match"))
        matched = {r[0] for r in con.execute("SELECT DISTINCT record_uid FROM record_values").fetchall()}
        assert matched == {u for u, v in want.items() if v != "none"} & world.values_of
    finally:
        con.set_viewer(None)


MARITIME_VIEWERS = [(Viewer("v", agency, frozenset({"analyst"})), "crime_fighting") for agency in AGENCIES]


@pytest.mark.postgres
@pytest.mark.parametrize(("viewer", "purpose"), MARITIME_VIEWERS, ids=[v.agency for v, _ in MARITIME_VIEWERS])
def test_derived_maritime_events_need_every_source_contribution(
    world: World, viewer: Viewer, purpose: Purpose
) -> None:
    """An event built from several agencies' AIS is seen only by a viewer who may see all of them."""
    con = world.app
    system = Viewer("s", "HUB", frozenset({"system"}))
    con.set_viewer(viewer_settings(system, "crime_fighting"))
    try:
        contributions = con.execute(
            "SELECT uid, agency, handling_code, CAST(restrictions AS VARCHAR), sender_id FROM contributions"
        ).fetchall()
        by_sender = {str(r[4]): str(r[0]) for r in contributions}
        sets = [["A"], ["C"], ["A", "C"], ["G"], ["A", "J"]]
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM maritime_events WHERE stamp = 'rls-test'")
        for seq, senders in enumerate(sets):
            con.execute(
                "INSERT INTO maritime_events VALUES "
                "('rls-test', ?, 'gap', 1, 0, 1, NULL, NULL, 's', '{}', NULL, ?)",
                [seq, [by_sender[s] for s in senders]],
            )
        con.execute("COMMIT")
    finally:
        con.set_viewer(None)
    full = {
        str(uid)
        for uid, agency, code, restrictions, _ in contributions
        if decide(
            viewer,
            DataMeta(agency, code, json.loads(restrictions) if restrictions else None, False),
            purpose,
            today=date.today(),
        ).visibility
        == "full"
    }
    want = {seq for seq, senders in enumerate(sets) if all(by_sender[s] in full for s in senders)}
    con.set_viewer(viewer_settings(viewer, purpose, scope="strict"))
    try:
        seen = {
            int(r[0])
            for r in con.execute("SELECT seq FROM maritime_events WHERE stamp = 'rls-test'").fetchall()
        }
    finally:
        con.set_viewer(None)
    assert seen == want
    if viewer.agency == "IT-SCO":  # C is denied to IT-SCO: the event from C alone and the mixed one withheld
        assert {0, 3} <= want and not {1, 2} & want


@pytest.mark.postgres
def test_the_policy_is_inlined_not_called_per_row(world: World) -> None:
    """`mare_visibility` reads its consent argument once, so the planner inlines it into the policies
    (a call per row made `stats` on PostgreSQL ×124 slower than DuckDB: docs/benchmarks.md)."""
    from mare.hub.server_store import viewer_settings

    con = world.app
    con.set_viewer(viewer_settings(Viewer("ana", "IT-SCO", frozenset({"analyst"})), "crime_fighting"))
    for table in ("records", "record_values", "links"):
        plan = "\n".join(
            str(r[0]) for r in con.execute_native(f"EXPLAIN SELECT count(*) FROM {table}").fetchall()
        )
        assert "mare_visibility(" not in plan, (table, plan[:2000])
        assert "current_setting('mare.viewer_class'" in plan, (table, plan[:2000])  # the policy is there


@pytest.mark.postgres
def test_no_viewer_no_rows(world: World) -> None:
    con = world.app
    con.set_viewer(None)
    for table in READ_RULES:
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE records DISABLE ROW LEVEL SECURITY",
        "DROP POLICY mare_read ON records",
        "SET ROLE mare_owner",
        "CREATE POLICY mine ON records FOR SELECT USING (true)",
        "ALTER ROLE mare_app BYPASSRLS",
    ],
)
def test_the_application_role_cannot_take_the_wall_down(world: World, sql: str) -> None:
    with pytest.raises(PostgresError):
        world.app.execute(sql)


@pytest.mark.postgres
def test_row_security_off_is_refused_not_bypassed(world: World) -> None:
    con = world.app
    con.set_viewer(viewer_settings(Viewer("v", "IT-SCO"), "crime_fighting"))
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute_native("SET LOCAL row_security = off")
        with pytest.raises(PostgresError, match="row-level security"):
            con.execute("SELECT original FROM record_values")
    finally:
        con.execute("ROLLBACK")
        con.set_viewer(None)


def test_every_derived_table_is_under_a_policy() -> None:
    derived = {d.table for d in DERIVED_TABLES}
    missing = derived - set(READ_RULES)
    assert not missing, f"derived tables without a row-level security rule: {sorted(missing)}"


def test_the_policy_compiles_for_every_class() -> None:
    from mare.hub.server_store import policy_cases

    classes = [c for group, _ in policy_cases() for c in group]
    assert len(classes) == len(set(classes)) == 2 * 2 * 2 * len(PURPOSES)
    assert all("$1" not in body for _, body in policy_cases())  # the viewer comes from settings
    assert any("current_setting('mare.viewer_agency', true)" in body.lower() for _, body in policy_cases())


#: Tables that name a record or contribution but hold no content of it (the policy's own inputs, the
#: trail of what was done to it): not under a row-level rule.
NOT_CONTENT = {
    "consent_requests": "the policy reads it (consent grants); who asked whom, not the record",
    "erasures": "what was erased, when and why: the erasure's own record, no content",
    "retention_decisions": "review decisions on a record: dates and reasons, no content",
}


@pytest.mark.postgres
def test_every_table_naming_a_record_or_contribution_has_a_rule(world: World) -> None:
    """A migration that adds such a table (another helper's, say) must add its rule, or say why not."""
    con = world.app
    con.set_viewer(viewer_settings(Viewer("s", "HUB", frozenset({"system"})), "crime_fighting"))
    try:
        rows = con.execute(
            "SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND column_name IN ('record_uid', 'contribution', 'contributions', 'sources', 'left_uid', "
            "'source_uid')"
        ).fetchall()
    finally:
        con.set_viewer(None)
    tables = {str(r[0]) for r in rows}
    missing = sorted(tables - set(READ_RULES) - set(NOT_CONTENT))
    assert not missing, f"tables naming records or contributions without a row-level security rule: {missing}"
