"""`mare store copy` (DuckDB to PostgreSQL and back, checked by counts and the audit chain), and the
messages for a wrong URL, refused credentials or a server that does not answer (never a traceback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from builders import write_contribution
from mare.cli import app
from mare.store.postgres import StoreUnavailable, parse_url, translate

runner = CliRunner()


# --- URLs and unreachable servers (no cluster needed) -------------------------------------------


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://u:p@host/db", "must start with postgresql://"),
        ("postgresql://u:p@host:5432/", "names no database"),
        ("postgresql://u:p@host:port/db", "malformed"),
        ("postgresql://u:p@host/db?sslmode=require", "unknown parameter(s) sslmode"),
        ("postgresql://u;drop:p@host/db", "role name"),
        ("postgresql://u:p@/db?host=/run/pg&app_role=app;x", "role name"),
    ],
)
def test_a_wrong_url_says_what_is_expected(url: str, says: str) -> None:
    with pytest.raises(StoreUnavailable, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_url(url)


def test_a_url_names_a_socket_or_a_host() -> None:
    sock = parse_url("postgresql://mare:pw@/hub?host=/run/postgresql&app_role=mare_app")
    assert sock.unix_sock == "/run/postgresql/.s.PGSQL.5432" and sock.host is None
    assert sock.app_roles == ("mare_app",) and sock.password == "pw" and sock.database == "hub"
    tcp = parse_url("postgresql://mare:p%40ss@db.example:6543/hub")
    assert (tcp.host, tcp.port, tcp.password, tcp.unix_sock) == ("db.example", 6543, "p@ss", None)
    assert "p@ss" not in tcp.describe()


@pytest.mark.parametrize(
    "env",
    ["mysql://x", "postgresql://mare_app:pw@/mare?host={nowhere}", "postgresql://mare_app:pw@/"],
)
def test_the_cli_names_what_to_fix_without_a_traceback(tmp_path: Path, env: str) -> None:
    nowhere = tmp_path / "no-server"
    nowhere.mkdir()
    result = runner.invoke(
        app, ["stats", "--home", str(tmp_path / "h")], env={"MARE_STORE": env.format(nowhere=nowhere)}
    )
    assert result.exit_code == 1
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(
        result.exception, SystemExit
    )
    assert any(hint in result.output for hint in ("postgresql://", "start the server", "names no database"))


def test_translation_numbers_placeholders_as_written_and_overrides_duckdb_only_forms() -> None:
    (one,) = translate("INSERT OR IGNORE INTO t SELECT ?, ? WHERE list_contains(x, ?) AND y = '?'")
    assert one.params == 3 and "ON CONFLICT DO NOTHING" in one.sql
    assert (
        "$1" in one.sql and "$3" in one.sql and "'?'" in one.sql and "mare_list_contains" in one.sql.lower()
    )
    (cast,) = translate("SELECT TRY_CAST(json_extract(r, '$.a') AS VARCHAR[]), TRY_CAST(d AS DATE) FROM t")
    assert "mare_text_array" in cast.sql.lower() and "mare_try_date" in cast.sql.lower()
    assert translate("SET memory_limit = '4GB'") == ()
    (struct,) = translate("CREATE TABLE f (n STRUCT(t VARCHAR)[])")
    assert "JSONB" in struct.sql.upper()
    (replace,) = translate("CREATE OR REPLACE TEMPORARY TABLE v AS SELECT * FROM t WHERE a = ?")
    assert replace.before and "DROP TABLE IF EXISTS" in replace.before and replace.inline
    (grouped,) = translate("SELECT a, round(b, 3), max(c), list(DISTINCT d) FROM t GROUP BY ALL")
    assert grouped.sql.endswith("GROUP BY 1, 2")
    (ordered,) = translate("SELECT a, b, count(*) FROM t WHERE c = ? GROUP BY ALL ORDER BY ALL")
    assert ordered.sql.endswith("GROUP BY 1, 2 ORDER BY 1 ASC, 2 ASC, 3 ASC")  # NULLS LAST by default
    (backwards,) = translate("SELECT a, b FROM t ORDER BY ALL DESC")
    (anti,) = translate("SELECT c.a FROM cp c ANTI JOIN j USING (l, r) WHERE c.w > ? ORDER BY c.a")
    assert "WHERE c.w > $1 AND NOT EXISTS(SELECT 1 FROM j WHERE c.l = j.l AND c.r = j.r)" in anti.sql
    (semi,) = translate("SELECT m.id FROM mine m SEMI JOIN p ON p.id = m.id AND p.x = ?")
    assert semi.sql.endswith("FROM mine AS m WHERE EXISTS(SELECT 1 FROM p WHERE p.id = m.id AND p.x = $1)")
    (same,) = translate("SELECT k FROM t SEMI JOIN t USING (k)")  # ambiguous: left as it is
    assert "SEMI" in same.sql.upper() or "EXISTS" not in same.sql.upper()
    assert backwards.sql.endswith("ORDER BY 1 DESC NULLS LAST, 2 DESC NULLS LAST")
    (latest,) = translate("SELECT l, arg_max(v, j) FROM t GROUP BY 1")
    assert "(ARRAY_AGG(v ORDER BY j DESC NULLS LAST))[1]" in latest.sql


# --- on a throw-away cluster ---------------------------------------------------------------------


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.postgres
def test_copy_to_postgresql_and_back_keeps_counts_and_the_audit_chain(
    pg_cluster: Any, tmp_path: Path
) -> None:
    from pgcluster import APP, APP_PASSWORD, OWNER, OWNER_PASSWORD

    name = pg_cluster.new_database("copy")
    owner = pg_cluster.url(OWNER, OWNER_PASSWORD, name) + f"&app_role={APP}"
    home = str(tmp_path / "home")
    env = {"MARE_NAME_SYMBOLS": "off", "MARE_STORE": ""}
    assert runner.invoke(app, ["init", "--home", home], env=env).exit_code == 0
    for sender, code in (("A", "H0"), ("B", "H2")):
        path = write_contribution(
            tmp_path / f"{sender}.json",
            [{"id": "p", "kind": "person", "name": f"Person {sender}", "phone": ["+49 151 1234567"]},
             {"id": "v", "kind": "person", "name": f"Associate {sender}"}],
            [{"id": "k", "kind": "associate_of", "source": "p", "target": "v"}],
            id=sender, agency="HUB", handling={"code": code},
        )  # fmt: skip
        result = runner.invoke(app, ["ingest", str(path), "--home", home], env=env)
        assert result.exit_code == 0, result.output
    there = _json(runner.invoke(app, ["store", "copy", "--to", owner, "--home", home, "--json"], env=env))
    assert there["ok"] and there["counts_match"] and there["audit_chain"]["ok"] and there["head_match"]
    assert there["rows"]["records"] == 4 and there["rows"]["links"] == 2
    stats_duck = _json(runner.invoke(app, ["stats", "--home", home, "--json"], env=env))
    app_env = {**env, "MARE_STORE": pg_cluster.url(APP, APP_PASSWORD, name)}
    stats_pg = _json(runner.invoke(app, ["stats", "--home", home, "--json"], env=app_env))
    assert stats_pg == stats_duck
    back = str(tmp_path / "back")
    owner_env = {**env, "MARE_STORE": owner}
    again = _json(
        runner.invoke(app, ["store", "copy", "--to", back, "--home", home, "--json"], env=owner_env)
    )
    assert again["ok"] and again["rows"]["records"] == 4
    verify = runner.invoke(app, ["audit", "verify", "--home", back], env=env)
    assert verify.exit_code == 0 and "intact" in verify.output
    refused = runner.invoke(app, ["store", "copy", "--to", owner, "--home", home], env=env)
    assert refused.exit_code == 1 and "already holds data" in refused.output


@pytest.mark.postgres
def test_refused_credentials_and_an_unmigrated_store_are_one_line(pg_cluster: Any, tmp_path: Path) -> None:
    from pgcluster import APP

    wrong = pg_cluster.url(APP, "not-the-password", pg_cluster.database)
    result = runner.invoke(app, ["stats", "--home", str(tmp_path)], env={"MARE_STORE": wrong})
    assert result.exit_code == 1 and "check the user" in result.output
    name = pg_cluster.new_database("empty")
    app_only = pg_cluster.url(APP, "app-secret", name)
    result = runner.invoke(app, ["stats", "--home", str(tmp_path)], env={"MARE_STORE": app_only})
    assert result.exit_code == 1 and "mare init" in result.output
    missing = pg_cluster.url(APP, "app-secret", "no_such_db")
    result = runner.invoke(app, ["stats", "--home", str(tmp_path)], env={"MARE_STORE": missing})
    assert result.exit_code == 1 and "createdb" in result.output


@pytest.mark.postgres
def test_init_names_the_database_not_a_duckdb_file(pg_cluster: Any, tmp_path: Path) -> None:
    from pgcluster import OWNER, OWNER_PASSWORD

    name = pg_cluster.new_database("init")
    url = pg_cluster.url(OWNER, OWNER_PASSWORD, name)
    result = runner.invoke(app, ["init", "--home", str(tmp_path)], env={"MARE_STORE": url, "COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert f"database '{name}' as role '{OWNER}'" in result.output, result.output
    assert "mare.duckdb" not in result.output and OWNER_PASSWORD not in result.output


def test_the_url_sets_how_long_a_statement_may_run() -> None:
    assert parse_url("postgresql://u:p@host/db").timeout == 30
    assert parse_url("postgresql://u:p@host/db?timeout=2.5").timeout == 2.5
    assert parse_url("postgresql://u:p@host/db?timeout=0").timeout == 0
    for bad in ("x", "-1", "inf", "nan"):
        with pytest.raises(StoreUnavailable, match="not a number of seconds"):
            parse_url(f"postgresql://u:p@host/db?timeout={bad}")


@pytest.mark.postgres
def test_a_statement_past_the_timeout_is_named_not_a_lost_connection(pg_cluster: Any) -> None:
    from mare.store.postgres import PostgresConnection, StatementTimeout
    from pgcluster import OWNER, OWNER_PASSWORD

    url = pg_cluster.url(OWNER, OWNER_PASSWORD, pg_cluster.database)
    con = PostgresConnection(parse_url(url + "&timeout=0.2"))
    try:
        with pytest.raises(StatementTimeout) as raised:
            con.execute_native("SELECT pg_sleep(3)")
        text = str(raised.value)
        assert "timed out" in text and "0.2 s" in text and "pg_sleep(3)" in text
        assert "?timeout=" in text and "lost the connection" not in text
        assert con.execute_native("SELECT 1").fetchone() == (1,)  # the session goes on
    finally:
        con.close()
    patient = PostgresConnection(parse_url(url + "&timeout=0"))
    try:
        assert patient.execute_native("SELECT pg_sleep(0.3), 2").fetchone()[1] == 2
    finally:
        patient.close()
