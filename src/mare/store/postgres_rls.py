"""Row-level security on a PostgreSQL store: the second wall behind the application's policy.

The store knows its tables, not the policy (`store` may not import `access`): the caller (the hub
layer, `mare.hub.server_store`) hands `secure()` the read policy compiled to one SQL `CASE` over
the function's arguments, per class of viewer. `secure()` then

- creates `mare_visibility(p_owner, p_code, p_restrictions, p_minor, p_consented, p_superseded)`
  from it (the viewer comes from the transaction's settings: `mare.viewer_class`,
  `mare.viewer_agency`), and `mare_record_visibility(uid)` / `mare_contribution_visibility(uid)` for
  rows that belong to a record or a contribution;
- creates `mare_superseded_contributions()`, the uids of the contributions replaced by a newer
  version, for the policies' `p_superseded` (SECURITY DEFINER: it reads `contributions` as their
  owner, past their own policy, which hides a replaced version from nearly everyone; it returns the
  uids alone);
- enables row-level security on every table of `READ_RULES` and (re)creates one SELECT policy
  per table, plus permissive write policies (writes are the application's business: its action
  policy decides them);
- grants the application roles reads and writes on all tables (they own none, so the policies
  apply to them: they are NOSUPERUSER NOBYPASSRLS).

A row is returned only when its policy says so for the transaction's viewer; with no viewer set
(`mare.viewer_class` empty) nothing of these tables is returned. What each level means:
`known` — the viewer may know the row exists (visibility 'full' or 'hit': the hit/no-hit answer);
`full` — the viewer may see the row's content. In the `match` scope (`mare.scope = 'match'`)
content rows of records seen as 'hit' are readable too, because hit/no-hit answers are computed
from them (docs/security.md says what this leaves to the application's wall).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: The setting naming the class of viewer (its roles and purpose), and the agency.
CLASS, AGENCY, SCOPE = "mare.viewer_class", "mare.viewer_agency", "mare.scope"
#: The class of the hub's own processing (cross-check, geocoding, …): every row.
SYSTEM = "system"

_CONSENTED = (
    "uid IN (SELECT record_uid FROM consent_requests WHERE requester_agency = "
    f"current_setting('{AGENCY}', true) AND status = 'granted')"
)
_OWN = f"{{col}} = current_setting('{AGENCY}', true)"


def _superseded(col: str) -> str:
    """SQL boolean: the contribution named in COL was replaced by a newer version (an uncorrelated
    semi-join: the list is read once per query, past the policy of `contributions`)."""
    return f"{col} IN (SELECT uid FROM mare_superseded_contributions() AS s(uid))"


#: The contribution's own row: its `superseded_by` says it.
_CONTRIBUTION_SUPERSEDED = "superseded_by IS NOT NULL"
#: The policy on a contribution aliased c (no minor flag, no consent: consent releases records).
_CONTRIBUTION_VISIBILITY = (
    f"mare_visibility(c.agency, c.handling_code, c.restrictions, false, false, c.{_CONTRIBUTION_SUPERSEDED})"
)


def _level(vis: str, level: str) -> str:
    """SQL boolean: visibility VIS reaches LEVEL (known / full; full widens to known in match scope)."""
    if level == "known":
        return f"coalesce({vis} <> 'none', false)"
    # VIS once: the policy function is inlined, and an expression written twice is evaluated twice
    return (
        f"coalesce({vis} = ANY(CASE WHEN current_setting('{SCOPE}', true) = 'match' "
        "THEN ARRAY['full', 'hit'] ELSE ARRAY['full'] END), false)"
    )


def _record(col: str, level: str) -> str:
    """The row's record (its uid in column COL of the secured table `{t}`) reaches LEVEL: a semi-join
    the planner can run as one hash join over a bulk read, rather than a lookup per row."""
    vis = (
        "mare_visibility(r.agency, r.handling_code, r.restrictions, r.minor, r.uid IN (SELECT record_uid "
        f"FROM consent_requests WHERE requester_agency = current_setting('{AGENCY}', true) "
        f"AND status = 'granted'), {_superseded('r.contribution')})"
    )
    return f"EXISTS (SELECT 1 FROM records r WHERE r.uid = {{t}}.{col} AND {_level(vis, level)})"


def _contribution(col: str, level: str) -> str:
    vis = _CONTRIBUTION_VISIBILITY
    return f"EXISTS (SELECT 1 FROM contributions c WHERE c.uid = {{t}}.{col} AND {_level(vis, level)})"


def _every_contribution(col: str, level: str) -> str:
    """Every contribution named in the row's list column COL reaches LEVEL (a derived row built
    from several agencies' contributions is seen only by a viewer who may see all of them)."""
    vis = _CONTRIBUTION_VISIBILITY
    return (
        f"NOT EXISTS (SELECT 1 FROM unnest({{t}}.{col}) AS s(uid) WHERE NOT EXISTS "
        f"(SELECT 1 FROM contributions c WHERE c.uid = s.uid AND {_level(vis, level)}))"
    )


#: Each table under row-level security and the SQL condition of its SELECT policy. A table a
#: migration adds that derives from records belongs here too (tests/postgres check DERIVED_TABLES).
READ_RULES: dict[str, str] = {
    "records": _level(
        "mare_visibility(agency, handling_code, restrictions, minor, "
        + _CONSENTED
        + ", "
        + _superseded("contribution")
        + ")",
        "known",
    ),
    "record_values": _record("record_uid", "full"),
    "links": _level(
        "mare_visibility(agency, handling_code, restrictions, false, false, "
        + _superseded("contribution")
        + ")",
        "known",
    )
    + " AND "
    + _record("source_uid", "known")
    + " AND "
    + _record("target_uid", "known"),
    "contributions": _level(
        f"mare_visibility(agency, handling_code, restrictions, false, false, {_CONTRIBUTION_SUPERSEDED})",
        "known",
    ),
    "contribution_files": _contribution("contribution", "full"),
    "calls": _contribution("contribution", "full"),
    "call_counts": _contribution("contribution", "full"),
    "ais_positions": _contribution("contribution", "full"),
    "ais_static": _contribution("contribution", "full"),
    "maritime_events": _every_contribution("sources", "full"),
    "maritime_event_builds": _every_contribution("contributions", "full"),
    "ingest_problems": _contribution("contribution", "full"),
    "person_features": _record("record_uid", "full"),
    "person_keys": _record("record_uid", "full"),
    "person_name_tokens": _record("record_uid", "full"),
    "identifier_index": _record("record_uid", "full"),
    "entities": _record("record_uid", "full"),
    "place_geocodes": _record("record_uid", "full"),
    "candidate_pairs": _record("left_uid", "full") + " AND " + _record("right_uid", "full"),
    "judgements": _record("left_uid", "known") + " AND " + _record("right_uid", "known"),
    "hits": _record("left_uid", "known") + " AND " + _record("right_uid", "known"),
    "alerts": _OWN.format(col="agency") + " AND " + _record("record_uid", "full"),
    "notifications": _OWN.format(col="agency"),
    "early_warnings": _OWN.format(col="agency"),
    "early_warning_seen": _OWN.format(col="agency"),
}


def policy_condition(table: str) -> str:
    """The full SELECT condition of TABLE: the hub's processing sees all, anyone else by the rule."""
    rule = READ_RULES[table].replace("{t}", f'"{table}"')
    return f"(current_setting('{CLASS}', true) = '{SYSTEM}' OR ({rule}))"


Cases = Iterable[tuple[Iterable[str], str]]


def _by_class(cases: Cases) -> str:
    branches = []
    for classes, body in cases:
        names = ", ".join("'" + c.replace("'", "''") + "'" for c in classes)
        branches.append(f"WHEN current_setting('{CLASS}', true) IN ({names}) THEN {body}")
    return (
        f"CASE WHEN current_setting('{CLASS}', true) = '{SYSTEM}' THEN 'full' "
        + " ".join(branches)
        + " ELSE 'none' END"
    )


def visibility_function(
    cases: Cases, not_consented: Cases | None = None, superseded: Cases | None = None
) -> str:
    """CREATE FUNCTION mare_visibility from PostgreSQL CASE bodies, one per group of viewer classes.

    Each body is an SQL expression over p_owner, p_code, p_restrictions, p_minor, p_consented,
    p_superseded and the settings, giving 'full', 'hit' or 'none'. Given `not_consented` too, CASES
    are the bodies with consent granted and NOT_CONSENTED those without, and `p_consented` is read
    once: then PostgreSQL inlines the function even where the consent argument is a subquery (as the
    policies pass it), instead of calling it per row (×100 slower: docs/benchmarks.md). Given
    `superseded` too (the bodies for a replaced version, consent irrelevant there), `p_superseded` is
    read once, first, the same way."""
    body = _by_class(cases)
    if not_consented is not None:
        body = f"CASE WHEN p_consented THEN {body} ELSE {_by_class(not_consented)} END"
    if superseded is not None:
        body = f"CASE WHEN p_superseded THEN {_by_class(superseded)} ELSE {body} END"
    return (
        "CREATE OR REPLACE FUNCTION mare_visibility(p_owner text, p_code text, p_restrictions json, "
        "p_minor boolean, p_consented boolean, p_superseded boolean) RETURNS text LANGUAGE sql STABLE "
        f"PARALLEL SAFE AS $fn$ SELECT {body} $fn$"
    )


def superseded_function(schema: str) -> str:
    """`mare_superseded_contributions()`: the uids of the contributions a newer version replaced, read
    as the tables' owner (SECURITY DEFINER), so the policies see them whatever the viewer may see of
    `contributions`. It returns nothing else (an application role may call it: it learns which
    opaque contribution uids were replaced, no content)."""
    quoted = schema.replace('"', '""')
    return (
        "CREATE OR REPLACE FUNCTION mare_superseded_contributions() RETURNS SETOF text LANGUAGE sql STABLE "
        "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$ "
        f'SELECT uid FROM "{quoted}".contributions WHERE superseded_by IS NOT NULL $fn$'
    )


#: The policy function's arguments before it set superseded versions aside (dropped once no policy uses it).
_OLD_VISIBILITY = "mare_visibility(text, text, json, boolean, boolean)"


_HELPERS = (
    "CREATE OR REPLACE FUNCTION mare_record_visibility(p_uid text) RETURNS text LANGUAGE sql STABLE "
    "PARALLEL SAFE AS $fn$ SELECT mare_visibility(r.agency, r.handling_code, r.restrictions, r.minor, "
    "r.uid IN (SELECT record_uid FROM consent_requests WHERE requester_agency = "
    f"current_setting('{AGENCY}', true) AND status = 'granted'), {_superseded('r.contribution')}) "
    "FROM records r WHERE r.uid = p_uid $fn$",
    "CREATE OR REPLACE FUNCTION mare_contribution_visibility(p_uid text) RETURNS text LANGUAGE sql STABLE "
    f"PARALLEL SAFE AS $fn$ SELECT {_CONTRIBUTION_VISIBILITY} FROM contributions c WHERE c.uid = p_uid $fn$",
)


def analyze_function(schema: str) -> str:
    """`mare_analyze(table)`: ANALYZE one of the store's tables in SCHEMA, for the application role,
    which owns none (only an owner may analyse a table; autovacuum does it a minute or so after a
    load). SECURITY DEFINER, so it runs as the owner: it refreshes statistics and does nothing else;
    they stay unreadable to the application role (`pg_stats` hides the statistics of a table under
    row-level security from a role it applies to)."""
    quoted = schema.replace("'", "''")
    return (
        "CREATE OR REPLACE FUNCTION mare_analyze(p_table text) RETURNS void LANGUAGE plpgsql "
        "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$ BEGIN "
        f"IF EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = '{quoted}' AND tablename = p_table) THEN "
        f"EXECUTE format('ANALYZE %I.%I', '{quoted}', p_table); END IF; END $fn$"
    )


def secure(
    con: Any, visibility: str, app_roles: Iterable[str] = (), functions: Iterable[str] = ()
) -> list[str]:
    """Set up row-level security (as the tables' owner); returns the tables now under a policy.

    `functions`: more functions the hub's reads call (created in the same transaction)."""
    existing = {
        str(r[0])
        for r in con.execute_native(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
    }
    con.execute("BEGIN TRANSACTION")
    try:
        schema = str(con.execute_native("SELECT current_schema()").fetchall()[0][0])
        con.execute_native(superseded_function(schema))
        con.execute_native(visibility)
        for helper in (*_HELPERS, *functions):
            con.execute_native(helper)
        con.execute_native(analyze_function(schema))
        con.execute_native("REVOKE EXECUTE ON FUNCTION mare_analyze(text) FROM PUBLIC")
        secured = []
        for table in READ_RULES:
            if table not in existing:
                continue
            con.execute_native(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            for name in ("mare_read", "mare_insert", "mare_update", "mare_delete"):
                con.execute_native(f'DROP POLICY IF EXISTS {name} ON "{table}"')
            con.execute_native(
                f'CREATE POLICY mare_read ON "{table}" FOR SELECT USING {policy_condition(table)}'
            )
            con.execute_native(f'CREATE POLICY mare_insert ON "{table}" FOR INSERT WITH CHECK (true)')
            con.execute_native(f'CREATE POLICY mare_update ON "{table}" FOR UPDATE USING (true)')
            con.execute_native(f'CREATE POLICY mare_delete ON "{table}" FOR DELETE USING (true)')
            secured.append(table)
        con.execute_native(f"DROP FUNCTION IF EXISTS {_OLD_VISIBILITY}")  # a store secured before
        for role in app_roles:
            con.execute_native(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
            )
            con.execute_native(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return secured
