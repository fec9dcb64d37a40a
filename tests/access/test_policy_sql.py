"""The policy compiled to SQL gives exactly what decide() gives, row by row, in DuckDB."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mare.access.policy import PURPOSES, ROLES, DataMeta, Purpose, Viewer, decide
from mare.access.sql import PolicyColumns, full_sql, rule_sql, visibility_sql

TODAY = date(2026, 11, 22)
AGENCIES = ("HUB", "DE-BKA", "IT-SCO", "FR-OCRIEST", "O'BRIEN")
CODES = ("H0", "H1", "H2", "H3")
COLUMNS = PolicyColumns(consented="consented", superseded="superseded")
JSON_NULL = object()  # restrictions stored as the JSON literal null (decide() sees None)


@dataclass(frozen=True)
class Row:
    owner: str
    code: str
    restrictions: Any  # None (SQL NULL), JSON_NULL, or a dict
    minor: bool | None
    consented: bool | None
    superseded: bool | None = None  # its contribution replaced by a newer version

    def meta(self) -> DataMeta:
        rules = None if self.restrictions is JSON_NULL else self.restrictions
        minor, superseded = bool(self.minor), bool(self.superseded)
        return DataMeta(self.owner, self.code, restrictions=rules, minor=minor, superseded=superseded)

    def sql_values(self) -> list[Any]:
        if self.restrictions is None:
            rules = None
        elif self.restrictions is JSON_NULL:
            rules = "null"
        else:
            rules = json.dumps(self.restrictions)
        return [self.owner, self.code, rules, self.minor, self.consented, self.superseded]


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def load(con: duckdb.DuckDBPyConnection, rows: list[Row], minor: bool = True) -> None:
    con.execute(
        "CREATE OR REPLACE TABLE rows (id INTEGER, agency VARCHAR, handling_code VARCHAR, "
        "restrictions JSON, minor BOOLEAN, consented BOOLEAN, superseded BOOLEAN)"
    )
    values: list[Any] = []
    for i, row in enumerate(rows):
        values += [i, *row.sql_values()]
    con.execute("INSERT INTO rows VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(rows)), values)
    if not minor:
        con.execute("ALTER TABLE rows DROP COLUMN minor")


agency_lists = st.one_of(st.none(), st.lists(st.sampled_from(AGENCIES), max_size=3))
restriction_objects: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {},
    optional={
        "agencies_denied": agency_lists,
        "agencies_allowed": agency_lists,
        # None, empty, or a date around TODAY (TODAY itself is not yet expired)
        "expires": st.sampled_from(
            [None, "", *((TODAY + timedelta(days=d)).isoformat() for d in range(-2, 3))]
        ),
        # the schema says boolean; other JSON values follow Python's truth as decide() does
        "ask_first": st.sampled_from([True, False, None, 0, 1, "", "yes", [], {}]),
        "text": st.one_of(st.none(), st.text(max_size=12)),
    },
)
rows_strategy = st.builds(
    Row,
    owner=st.sampled_from(AGENCIES),
    code=st.sampled_from(CODES),
    restrictions=st.one_of(st.sampled_from([None, JSON_NULL, {}]), restriction_objects),
    minor=st.one_of(st.booleans(), st.none()),
    consented=st.one_of(st.booleans(), st.none()),
    superseded=st.one_of(st.booleans(), st.none()),
)
viewers = st.builds(
    Viewer,
    user=st.just("u"),
    agency=st.sampled_from(AGENCIES),
    roles=st.frozensets(st.sampled_from(ROLES), min_size=1),
)


def compiled(
    viewer: Viewer, columns: PolicyColumns = COLUMNS, today: date | None = TODAY
) -> tuple[str, list[Any]]:
    """One SELECT list: visibility, rule and full for every purpose, with its parameters in order."""
    exprs: list[str] = []
    params: list[Any] = []
    for purpose in PURPOSES:
        for build in (visibility_sql, rule_sql, full_sql):
            sql, ps = build(viewer, purpose, columns, today)
            exprs.append(sql)
            params += ps
    return ", ".join(exprs), params


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(viewer=viewers, rows=st.lists(rows_strategy, min_size=1, max_size=50))
def test_sql_agrees_with_decide(con: duckdb.DuckDBPyConnection, viewer: Viewer, rows: list[Row]) -> None:
    load(con, rows)
    select, params = compiled(viewer)
    results = con.execute(f"SELECT id, {select} FROM rows ORDER BY id", params).fetchall()
    assert len(results) == len(rows)
    for result in results:
        row = rows[result[0]]
        for p, purpose in enumerate(PURPOSES):
            decision = decide(viewer, row.meta(), purpose, today=TODAY, consented=bool(row.consented))
            got = result[1 + 3 * p : 4 + 3 * p]
            want = (decision.visibility, decision.rule, decision.full)
            assert got == want, f"row {result[0]} {row} for {viewer} ({purpose}): SQL {got}, decide() {want}"


def fixed_rows() -> list[Row]:
    """A small spread of rows touching every rule."""
    rows = []
    for owner in ("DE-BKA", "IT-SCO", "O'BRIEN"):
        for code in CODES:
            for rules in (
                None,
                JSON_NULL,
                {},
                {"agencies_denied": ["IT-SCO", "O'BRIEN"]},
                {"agencies_allowed": ["IT-SCO"], "text": "call first"},
                {"agencies_allowed": None, "agencies_denied": None, "expires": None, "ask_first": None},
                {"expires": "2020-01-01"},
                {"expires": "2099-01-01", "ask_first": True},
            ):
                for minor in (False, True):
                    for consented in (False, True):
                        for superseded in (False, True):
                            rows.append(Row(owner, code, rules, minor, consented, superseded))
    return rows


def decisions(
    viewer: Viewer, rows: list[Row], purpose: Purpose, today: date = TODAY
) -> list[tuple[str, str]]:
    return [
        (d.visibility, d.rule)
        for d in (decide(viewer, r.meta(), purpose, today=today, consented=bool(r.consented)) for r in rows)
    ]


def evaluate(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    purpose: Purpose,
    columns: PolicyColumns = COLUMNS,
    today: date | None = TODAY,
) -> list[tuple[str, str]]:
    vis, vis_params = visibility_sql(viewer, purpose, columns, today)
    rule, rule_params = rule_sql(viewer, purpose, columns, today)
    return [
        (v, r)
        for v, r in con.execute(
            f"SELECT {vis}, {rule} FROM rows ORDER BY id", vis_params + rule_params
        ).fetchall()
    ]


@pytest.mark.parametrize("agency", ["O'BRIEN", "x' OR 1=1 --", 'IT"SCO', "'); DROP TABLE rows; --"])
def test_quotes_in_agency_cannot_break_sql(con: duckdb.DuckDBPyConnection, agency: str) -> None:
    viewer = Viewer("o", agency, frozenset({"analyst"}))
    rows = [
        *fixed_rows(),
        Row(agency, "H3", {"agencies_denied": [agency]}, True, False),
        Row("DE-BKA", "H3", {"agencies_denied": [agency]}, False, False),
        Row("DE-BKA", "H3", {"agencies_allowed": [agency]}, False, False),
    ]
    load(con, rows)
    for purpose in PURPOSES:
        sql, params = visibility_sql(viewer, purpose, COLUMNS, TODAY)
        assert agency not in sql
        assert agency in params
        assert evaluate(con, viewer, purpose) == decisions(viewer, rows, purpose)
    assert evaluate(con, viewer, "crime_fighting")[-3:] == [
        ("full", "owner"),
        ("hit", "h3-denied"),
        ("full", "h3-analyst"),
    ]


@pytest.mark.parametrize("agency", ["IT-SCO", "HUB", "FR-OCRIEST"])
@pytest.mark.parametrize("purpose", PURPOSES)
def test_full_sql_filters_exactly_the_full_rows(
    con: duckdb.DuckDBPyConnection, agency: str, purpose: Purpose
) -> None:
    rows = fixed_rows()
    load(con, rows)
    for roles in ({"analyst"}, {"contributor"}, {"dpo", "supervisor"}):
        viewer = Viewer("v", agency, frozenset(roles))
        where, params = full_sql(viewer, purpose, COLUMNS, TODAY)
        got = [i for (i,) in con.execute(f"SELECT id FROM rows WHERE {where} ORDER BY id", params).fetchall()]
        want = [
            i
            for i, r in enumerate(rows)
            if decide(viewer, r.meta(), purpose, today=TODAY, consented=bool(r.consented)).full
        ]
        assert got == want


def test_table_without_minor_column(con: duckdb.DuckDBPyConnection) -> None:
    rows = [Row(r.owner, r.code, r.restrictions, False, r.consented) for r in fixed_rows() if not r.minor]
    load(con, rows, minor=False)
    columns = PolicyColumns(minor=None, consented="consented")
    for agency in ("IT-SCO", "HUB"):
        viewer = Viewer("v", agency, frozenset({"analyst"}))
        for purpose in PURPOSES:
            assert "minor" not in visibility_sql(viewer, purpose, columns, TODAY)[0]
            assert evaluate(con, viewer, purpose, columns) == decisions(viewer, rows, purpose)


def test_consented_expression_with_parameters_and_alias(con: duckdb.DuckDBPyConnection) -> None:
    rows = [Row("DE-BKA", "H2", None, False, False), Row("DE-BKA", "H2", None, True, False)]
    load(con, rows)
    con.execute("CREATE OR REPLACE TABLE consent (row_id INTEGER, requester VARCHAR, status VARCHAR)")
    con.execute(
        "INSERT INTO consent VALUES (0, 'IT-SCO', 'granted'), (1, 'IT-SCO', 'granted'), "
        "(0, 'FR-OCRIEST', 'refused')"
    )
    columns = PolicyColumns(
        owner="t.agency",
        handling_code="t.handling_code",
        restrictions="t.restrictions",
        minor="t.minor",
        consented="t.id IN (SELECT row_id FROM consent WHERE requester = ? AND status = ?)",
    )
    for agency, want in (("IT-SCO", ["consent", "consent"]), ("FR-OCRIEST", ["h2", "minor"])):
        viewer = Viewer("v", agency, frozenset({"analyst"}))
        bound = PolicyColumns(
            owner=columns.owner,
            handling_code=columns.handling_code,
            restrictions=columns.restrictions,
            minor=columns.minor,
            consented=columns.consented,
            consented_params=(agency, "granted"),
        )
        rule, params = rule_sql(viewer, "crime_fighting", bound, TODAY)
        # the expression sits between other placeholders of the caller's query
        got = con.execute(
            f"SELECT ? AS before, {rule} AS rule, ? AS after FROM rows t ORDER BY t.id", [1, *params, 2]
        ).fetchall()
        assert [r[1] for r in got] == want
        assert {(r[0], r[2]) for r in got} == {(1, 2)}
    # without the role or for oversight, consent is never asked: its parameters drop out with it
    contributor = Viewer("c", "IT-SCO", frozenset({"contributor"}))
    sql, params = rule_sql(contributor, "crime_fighting", bound, TODAY)
    assert "consent" not in sql.replace("'consent'", "")
    assert params == ["IT-SCO"]
    with pytest.raises(ValueError, match="placeholder"):
        rule_sql(Viewer("v", "IT-SCO"), "crime_fighting", columns, TODAY)  # params missing


def test_today_defaults_to_the_real_date(con: duckdb.DuckDBPyConnection) -> None:
    real_today = date.today()
    rows = [
        Row("DE-BKA", "H3", {"expires": (real_today - timedelta(days=1)).isoformat()}, False, False),
        Row("DE-BKA", "H3", {"expires": real_today.isoformat()}, False, False),
    ]
    load(con, rows)
    viewer = Viewer("v", "IT-SCO", frozenset({"analyst"}))
    assert evaluate(con, viewer, "crime_fighting", today=None) == [
        ("hit", "h3-expired"),
        ("full", "h3-analyst"),
    ]


def test_malformed_restrictions_fail_closed(con: duckdb.DuckDBPyConnection) -> None:
    """Values the schema forbids (decide() would raise or match substrings) never open data."""
    rows = [
        Row("DE-BKA", "H0", {"expires": "not a date"}, False, False),
        Row("DE-BKA", "H0", {"expires": "2020-02-30"}, False, False),
        Row("DE-BKA", "H0", {"expires": True}, False, False),
        Row("DE-BKA", "H0", {"agencies_denied": "FR-OCRIEST"}, False, False),
        Row("DE-BKA", "H0", {"agencies_allowed": "IT-SCO"}, False, False),
        Row("DE-BKA", "H0", {"agencies_denied": ["FR", {"x": 1}, "IT-SCO"]}, False, False),
    ]
    load(con, rows)
    con.execute("INSERT INTO rows VALUES (6, 'DE-BKA', 'H0', '[\"IT-SCO\"]', FALSE, FALSE, FALSE)")
    viewer = Viewer("v", "IT-SCO", frozenset({"analyst"}))
    got = evaluate(con, viewer, "crime_fighting")
    assert [v for v, _ in got] == ["hit"] * 7
    assert [r for _, r in got] == [
        "h3-expired",
        "h3-expired",
        "h3-expired",
        "h3-denied",
        "h3-allowed",
        "h3-denied",
        "h3-denied",
    ]


def test_superseded_rows_are_history_for_oversight_only(con: duckdb.DuckDBPyConnection) -> None:
    """A replaced version: 'none' for every purpose but oversight, its owner too; NULL: not superseded."""
    rows = [
        Row("DE-BKA", "H0", None, False, False, True),
        Row("DE-BKA", "H0", None, False, True, True),
        Row("DE-BKA", "H0", None, False, False, None),
    ]
    load(con, rows)
    for agency, roles in (("DE-BKA", {"analyst"}), ("IT-SCO", {"analyst"}), ("HUB", {"dpo", "analyst"})):
        viewer = Viewer("v", agency, frozenset(roles))
        for purpose in ("crime_fighting", "judicial", "administration"):
            got = evaluate(con, viewer, purpose)
            assert got[:2] == [("none", "superseded")] * 2
            assert got[2][0] != "none" or agency != "DE-BKA"
            assert got == decisions(viewer, rows, purpose)
        assert evaluate(con, viewer, "oversight") == decisions(viewer, rows, "oversight")
    dpo = Viewer("d", "HUB", frozenset({"dpo"}))
    assert [v for v, _ in evaluate(con, dpo, "oversight")] == ["full"] * 3
    owner = Viewer("o", "DE-BKA", frozenset({"contributor"}))
    assert evaluate(con, owner, "oversight")[0] == ("full", "owner")
    # no superseded column: the branch is left out, and rows read exactly as before
    plain = PolicyColumns(consented="consented")
    assert "superseded" not in visibility_sql(owner, "crime_fighting", plain, TODAY)[0]
    with pytest.raises(ValueError, match="placeholder"):
        visibility_sql(owner, "crime_fighting", PolicyColumns(superseded="superseded = ?"), TODAY)
