"""Signing in: a user's secret, a token, or the store's local operator; refusals audited, nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import HUB_AGENCY
from mare.cli import app
from mare.hub.accounts import add_agency, add_user, issue_token, revoke_token
from mare.hub.identity import OPERATOR_ROLES, Credentials, SignInError, is_operator, sign_in
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store, open_store, os_account

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(store: Store) -> Store:
    add_agency(store, "IT-SCO", "Servizio Centrale Operativo", "IT", "member_state")
    add_user(store, "bob", "IT-SCO", ["analyst"], PASSWORD)
    add_user(store, "cleo", "IT-SCO", ["contributor"], PASSWORD)
    return store


def _said(password: str | None) -> Callable[[str], str | None]:
    return lambda user: password


def _login_entries(store: Store) -> list[tuple[str, str, str]]:
    rows = store.con.execute(
        "SELECT actor, outcome, details FROM audit_log WHERE action = 'login' ORDER BY seq"
    ).fetchall()
    return [(a, o, json.loads(d).get("reason", "")) for a, o, d in rows]


def test_the_operator_acts_as_the_hub_without_a_secret(store: Store) -> None:
    assert is_operator(store)
    viewer, via = sign_in(store, Credentials())
    assert (viewer.user, viewer.agency, viewer.roles, via) == (
        os_account()[0],
        HUB_AGENCY,
        OPERATOR_ROLES,
        "operator",
    )
    preview, via = sign_in(store, Credentials(as_agency="IT-SCO", role="contributor"))
    assert (preview.agency, preview.roles, via) == ("IT-SCO", frozenset({"contributor"}), "preview")
    assert sign_in(store, Credentials(as_agency="IT-SCO"))[0].roles == frozenset({"analyst"})


def test_the_operator_is_known_by_uid_not_by_environment(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "mallory")
    monkeypatch.setenv("USER", "mallory")
    assert is_operator(store)  # LOGNAME does not make anyone else the operator, nor unmake the real one
    store.con.execute("UPDATE store_operator SET os_user = 'mallory', os_uid = -1")
    assert not is_operator(store)


def test_the_data_folder_is_private(store: Store) -> None:
    assert store.home.stat().st_mode & 0o077 == 0


def test_someone_else_on_the_host_must_sign_in(accounts: Store) -> None:
    accounts.con.execute("UPDATE store_operator SET os_user = 'somebody-else', os_uid = -1")
    assert not is_operator(accounts)
    with pytest.raises(SignInError, match=r"not this store's operator.*--user NAME"):
        sign_in(accounts, Credentials())
    with pytest.raises(SignInError, match="not this store's operator"):
        sign_in(accounts, Credentials(as_agency="IT-SCO", role="analyst"))  # no previews either
    viewer, via = sign_in(accounts, Credentials(user="bob", ask_password=_said(PASSWORD)))
    assert (viewer.user, viewer.agency, via) == ("bob", "IT-SCO", "password")
    refused = [e for e in _login_entries(accounts) if e[1] == "refused"]
    assert len(refused) == 2 and all("operator" in reason for _, _, reason in refused)


def test_a_user_name_alone_is_refused(accounts: Store) -> None:
    with pytest.raises(SignInError, match=r"needs bob's password .* MARE_TOKEN"):
        sign_in(accounts, Credentials(user="bob"))
    with pytest.raises(SignInError, match="needs bob's password"):
        sign_in(accounts, Credentials(user="bob", ask_password=_said(None)))
    with pytest.raises(SignInError, match="wrong password for bob"):
        sign_in(accounts, Credentials(user="bob", ask_password=_said("guess")))
    with pytest.raises(SignInError, match=r"no active user 'otto'.*mare users"):
        sign_in(accounts, Credentials(user="otto", ask_password=_said(PASSWORD)))
    with pytest.raises(SignInError, match="operator only"):
        sign_in(accounts, Credentials(user="bob", as_agency="HUB", ask_password=_said(PASSWORD)))
    outcomes = [(actor, outcome) for actor, outcome, _ in _login_entries(accounts)]
    assert outcomes == [
        ("bob", "refused"),
        ("bob", "refused"),
        ("bob", "failure"),
        ("otto", "refused"),
        ("bob", "refused"),
    ]


def test_tokens_unknown_expired_revoked(accounts: Store) -> None:
    token_id, token = issue_token(accounts, "bob")
    viewer, via = sign_in(accounts, Credentials(token=token))
    assert (viewer.user, via) == ("bob", "token")
    with pytest.raises(SignInError, match="belongs to bob, not cleo"):
        sign_in(accounts, Credentials(token=token, user="cleo"))
    with pytest.raises(SignInError, match="operator only"):
        sign_in(accounts, Credentials(token=token, role="admin"))
    with pytest.raises(SignInError, match=r"unknown, expired or revoked.*mare users token"):
        sign_in(accounts, Credentials(token="mare_" + "x" * 40))
    expiring_id, expiring = issue_token(accounts, "bob", expires_at=datetime.now(UTC) + timedelta(days=1))
    accounts.con.execute(
        "UPDATE api_tokens SET expires_at = ? WHERE id = ?",
        [datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1), expiring_id],
    )
    with pytest.raises(SignInError, match="expired"):
        sign_in(accounts, Credentials(token=expiring))
    revoke_token(accounts, token_id)
    with pytest.raises(SignInError, match="revoked"):
        sign_in(accounts, Credentials(token=token))
    reasons = [reason for _, outcome, reason in _login_entries(accounts) if outcome == "failure"]
    assert reasons == ["unknown token", "token expired", "token revoked"]


runner = CliRunner()


def test_cli_refusals_are_one_line_and_write_nothing(accounts: Store, tmp_path: Path) -> None:
    report = ingest_file(
        accounts,
        write_contribution(tmp_path / "c.json", [{"id": "p1", "kind": "person", "name": "Keep Me"}]),
    )
    uid = f"{report.contribution}:p1"
    home = str(accounts.home)
    accounts.close()

    def run(*args: str, password: str = PASSWORD, env: dict[str, str] | None = None) -> tuple[int, str]:
        result = runner.invoke(app, [*args, "--home", home], input=password + "\n", env=env)
        return result.exit_code, result.output

    code, out = run("stats", "--user", "bob", password="guess")
    assert code == 1 and "wrong password for bob" in out and "Traceback" not in out
    code, out = run("stats", "--user", "nobody")
    assert code == 1 and "no active user 'nobody'" in out
    code, out = run("stats", "--json", env={"MARE_TOKEN": "mare_revoked-or-made-up-token-000000000"})
    assert code == 1 and "MARE_TOKEN" in out
    # a role that may not act: refused before anything is written
    code, out = run("erase", uid, "--reason", "no longer needed at all", "--user", "cleo")
    assert code == 1 and "refused" in out and "erase needs one of the roles" in out
    code, out = run(
        "erase", uid, "--reason", "no longer needed at all", "--as-agency", "IT-SCO", "--role", "dpo"
    )
    assert code == 1 and "DE-BKA" in out
    with open_store(Path(home)) as reopened:
        assert reopened.con.execute("SELECT count(*) FROM records WHERE uid = ?", [uid]).fetchone() == (1,)
        assert reopened.con.execute("SELECT count(*) FROM erasures").fetchone() == (0,)
        denied = reopened.con.execute(
            "SELECT actor, resource, details FROM audit_log "
            "WHERE action = 'authorisation' AND outcome = 'denied' ORDER BY seq"
        ).fetchall()
        assert [(a, r, json.loads(d)["rule"]) for a, r, d in denied] == [
            ("cleo", "erase", "action-role"),
            (os_account()[0], "erase", "own-agency"),
        ]
        assert json.loads(denied[1][2])["via"] == "preview"
