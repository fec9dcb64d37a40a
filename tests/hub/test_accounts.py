"""Agencies, users and API tokens: validation, password sign-in, tokens, and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from mare.access.policy import HUB_AGENCY, Viewer
from mare.cli.accounts import agencies_app, users_app
from mare.hub import accounts
from mare.hub.accounts import AccountError
from mare.store.db import Store, open_store

PASSWORD = "correct horse battery staple"


@pytest.fixture
def people(store: Store) -> Store:
    """A store with two agencies and one analyst each (passwords set)."""
    accounts.add_agency(store, "DE-BKA", "Bundeskriminalamt", "DE", "member_state")
    accounts.add_agency(store, "IT-PS", "Polizia di Stato", "it", "member_state")
    accounts.add_user(store, "anna", "DE-BKA", ["analyst"], PASSWORD, full_name="Anna Schmidt")
    accounts.add_user(store, "marco", "IT-PS", ["analyst", "contributor"], PASSWORD)
    return store


# --- agencies -------------------------------------------------------------------------------


def test_add_and_list_agencies(store: Store) -> None:
    added = accounts.add_agency(store, "DE-BKA", "Bundeskriminalamt", "de", "member_state")
    assert added.country == "DE" and added.registered and not added.disabled
    accounts.add_agency(store, "UNODC", "UN Office on Drugs and Crime", None, "international_organisation")
    hub = accounts.ensure_hub_agency(store)
    assert hub.agency_type == "hub" and hub.id == HUB_AGENCY
    assert accounts.ensure_hub_agency(store) == hub
    assert [a.id for a in accounts.list_agencies(store)] == ["DE-BKA", HUB_AGENCY, "UNODC"]


def test_duplicate_agency_refused_unless_identical(store: Store) -> None:
    first = accounts.add_agency(store, "DE-BKA", "Bundeskriminalamt", "DE", "member_state")
    assert accounts.add_agency(store, "DE-BKA", "Bundeskriminalamt", "DE", "member_state") == first
    with pytest.raises(AccountError, match="already registered"):
        accounts.add_agency(store, "DE-BKA", "Another name", "DE", "member_state")


def test_agency_seen_in_contributions_gets_registered(store: Store) -> None:
    store.con.execute(
        "INSERT INTO agencies (id, registered, created_at) VALUES ('FR-PN', FALSE, now()::TIMESTAMP)"
    )
    added = accounts.add_agency(store, "FR-PN", "Police nationale", "FR", "member_state")
    assert added.registered and added.name == "Police nationale"


@pytest.mark.parametrize("agency_id", ["de-bka", "X", "-DE", "DE BKA", "A" * 65, ""])
def test_invalid_agency_id_refused(store: Store, agency_id: str) -> None:
    with pytest.raises(AccountError, match="invalid agency id"):
        accounts.add_agency(store, agency_id, "Some agency", "DE", "member_state")


@pytest.mark.parametrize("country", ["XX", "DEU", "Germany", "1"])
def test_invalid_country_refused(store: Store, country: str) -> None:
    with pytest.raises(AccountError, match="unknown country"):
        accounts.add_agency(store, "DE-BKA", "Bundeskriminalamt", country, "member_state")


def test_agency_type_and_country_rules(store: Store) -> None:
    with pytest.raises(AccountError, match="unknown agency type"):
        accounts.add_agency(store, "DE-BKA", "Bundeskriminalamt", "DE", "police")
    with pytest.raises(AccountError, match="needs a country"):
        accounts.add_agency(store, "DE-BKA", "Bundeskriminalamt", None, "member_state")
    with pytest.raises(AccountError, match="type 'hub'"):
        accounts.add_agency(store, "DE-BKA", "Bundeskriminalamt", "DE", "hub")
    with pytest.raises(AccountError, match="cannot be disabled"):
        accounts.disable_agency(store, HUB_AGENCY)
    with pytest.raises(AccountError, match="unknown agency"):
        accounts.disable_agency(store, "NOPE")


# --- users ----------------------------------------------------------------------------------


def test_add_user_refusals(people: Store) -> None:
    with pytest.raises(AccountError, match="unknown role 'boss'"):
        accounts.add_user(people, "bob", "DE-BKA", ["analyst", "boss"], PASSWORD)
    with pytest.raises(AccountError, match="at least one role"):
        accounts.add_user(people, "bob", "DE-BKA", [], PASSWORD)
    with pytest.raises(AccountError, match="unknown agency 'NL-KMAR'"):
        accounts.add_user(people, "bob", "NL-KMAR", ["analyst"], PASSWORD)
    with pytest.raises(AccountError, match="at least 12 characters"):
        accounts.add_user(people, "bob", "DE-BKA", ["analyst"], "short")
    with pytest.raises(AccountError, match="invalid username"):
        accounts.add_user(people, "Bob Smith", "DE-BKA", ["analyst"], PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        accounts.add_user(people, "anna", "DE-BKA", ["analyst"], PASSWORD)
    accounts.disable_agency(people, "IT-PS")
    with pytest.raises(AccountError, match="disabled"):
        accounts.add_user(people, "bob", "IT-PS", ["analyst"], PASSWORD)
    assert [u.username for u in accounts.list_users(people)] == ["anna", "marco"]


def test_hub_users_register_the_hub(store: Store) -> None:
    user = accounts.add_user(store, "hub-admin", HUB_AGENCY, ["admin", "dpo"], None)
    assert user.roles == ("dpo", "admin") and not user.has_password
    assert accounts.get_agency(store, HUB_AGENCY) is not None


def test_hash_is_argon2id_and_never_the_password(people: Store) -> None:
    row = people.con.execute("SELECT password_hash FROM users WHERE username = 'anna'").fetchone()
    assert row is not None
    stored = row[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)
    listed = accounts.list_users(people)
    assert all("hash" not in field for field in listed[0].__dataclass_fields__)
    assert "$argon2" not in repr(listed)


def test_password_authentication(people: Store) -> None:
    viewer = accounts.authenticate_password(people, "anna", PASSWORD)
    assert viewer == Viewer(user="anna", agency="DE-BKA", roles=frozenset({"analyst"}))
    assert accounts.authenticate_password(people, "anna", PASSWORD + "x") is None
    assert accounts.authenticate_password(people, "nobody", PASSWORD) is None
    accounts.disable_user(people, "anna")
    assert accounts.authenticate_password(people, "anna", PASSWORD) is None
    disabled = accounts.get_user(people, "anna")
    assert disabled is not None and disabled.disabled and disabled.disabled_at is not None


def test_disabled_agency_blocks_password_and_token_only_has_no_password(people: Store) -> None:
    accounts.disable_agency(people, "IT-PS")
    assert accounts.authenticate_password(people, "marco", PASSWORD) is None
    accounts.add_user(people, "robot", "DE-BKA", ["contributor"], None)
    assert accounts.authenticate_password(people, "robot", "") is None


def test_set_password(people: Store) -> None:
    accounts.set_password(people, "anna", "a brand new passphrase")
    assert accounts.authenticate_password(people, "anna", PASSWORD) is None
    assert accounts.authenticate_password(people, "anna", "a brand new passphrase") is not None
    with pytest.raises(AccountError, match="unknown user"):
        accounts.set_password(people, "nobody", "a brand new passphrase")


def test_outdated_hash_is_rehashed(people: Store) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    people.con.execute("UPDATE users SET password_hash = ? WHERE username = 'anna'", [weak])
    assert accounts.authenticate_password(people, "anna", PASSWORD) is not None
    row = people.con.execute("SELECT password_hash FROM users WHERE username = 'anna'").fetchone()
    assert row is not None and row[0] != weak and not PasswordHasher().check_needs_rehash(row[0])


# --- tokens ---------------------------------------------------------------------------------


def test_token_gives_the_right_viewer(people: Store) -> None:
    token_id, token = accounts.issue_token(people, "marco", label="scripts")
    assert token.startswith("mare_") and len(token) > 40
    viewer = accounts.viewer_for_token(people, token)
    assert viewer == Viewer(user="marco", agency="IT-PS", roles=frozenset({"analyst", "contributor"}))
    (info,) = accounts.list_tokens(people, "marco")
    assert info.id == token_id and info.label == "scripts" and info.status == "active"
    assert info.last_used_at is not None
    assert accounts.viewer_for_token(people, "mare_" + "x" * 43) is None
    assert accounts.viewer_for_token(people, "not-a-token") is None


def test_revoked_token_stops_working(people: Store) -> None:
    token_id, token = accounts.issue_token(people, "anna")
    accounts.revoke_token(people, token_id)
    assert accounts.viewer_for_token(people, token) is None
    assert accounts.list_tokens(people, "anna")[0].status == "revoked"
    accounts.revoke_token(people, token_id)  # again: no harm
    with pytest.raises(AccountError, match="unknown token id"):
        accounts.revoke_token(people, "tok_nope")


def test_expired_token_stops_working(people: Store) -> None:
    soon = datetime.now(UTC) + timedelta(hours=1)
    token_id, token = accounts.issue_token(people, "anna", expires_at=soon)
    assert accounts.viewer_for_token(people, token) is not None
    people.con.execute(
        "UPDATE api_tokens SET expires_at = now()::TIMESTAMP - INTERVAL 1 MINUTE WHERE id = ?", [token_id]
    )
    assert accounts.viewer_for_token(people, token) is None
    assert accounts.list_tokens(people, "anna")[0].status == "expired"
    with pytest.raises(AccountError, match="in the past"):
        accounts.issue_token(people, "anna", expires_at=datetime.now(UTC) - timedelta(days=1))


def test_a_disabled_users_tokens_stop_working_at_once(people: Store) -> None:
    _, token = accounts.issue_token(people, "anna")
    _, other = accounts.issue_token(people, "anna")
    assert accounts.viewer_for_token(people, token) is not None
    assert accounts.disable_user(people, "anna") == 2
    assert accounts.viewer_for_token(people, token) is None
    assert accounts.viewer_for_token(people, other) is None
    assert {t.status for t in accounts.list_tokens(people, "anna")} == {"revoked"}
    with pytest.raises(AccountError, match="disabled"):
        accounts.issue_token(people, "anna")


def test_a_disabled_user_is_refused_even_if_a_token_escaped_revocation(people: Store) -> None:
    _, token = accounts.issue_token(people, "anna")
    people.con.execute("UPDATE users SET disabled = TRUE WHERE username = 'anna'")
    assert accounts.viewer_for_token(people, token) is None


def test_disabling_an_agency_stops_its_users_tokens(people: Store) -> None:
    _, marco = accounts.issue_token(people, "marco")
    _, anna = accounts.issue_token(people, "anna")
    accounts.disable_agency(people, "IT-PS")
    assert accounts.viewer_for_token(people, marco) is None
    assert accounts.viewer_for_token(people, anna) is not None
    assert [a.disabled for a in accounts.list_agencies(people) if a.id == "IT-PS"] == [True]


def test_plaintext_token_never_stored(people: Store) -> None:
    _, token = accounts.issue_token(people, "anna", label="laptop")
    accounts.viewer_for_token(people, token)
    for table in ("users", "api_tokens", "agencies"):
        for row in people.con.execute(f"SELECT * FROM {table}").fetchall():
            assert all(token not in str(cell) and PASSWORD not in str(cell) for cell in row)
    people.con.execute("CHECKPOINT")
    assert token.encode() not in people.db_path.read_bytes()
    assert all("hash" not in field for field in accounts.TokenInfo.__dataclass_fields__)


def test_events_carry_no_secrets(store: Store) -> None:
    events: list[tuple[str, str, dict[str, Any]]] = []

    def hook(action: str, outcome: str, details: dict[str, Any]) -> None:
        events.append((action, outcome, details))

    accounts.add_agency(store, "DE-BKA", "Bundeskriminalamt", "DE", "member_state", on_event=hook)
    accounts.add_user(store, "anna", "DE-BKA", ["analyst"], PASSWORD, on_event=hook)
    with pytest.raises(AccountError):
        accounts.add_user(store, "bob", "DE-BKA", ["analyst"], "tooshort-pw", on_event=hook)
    accounts.set_password(store, "anna", PASSWORD + "!", on_event=hook)
    accounts.authenticate_password(store, "anna", PASSWORD, on_event=hook)
    accounts.authenticate_password(store, "anna", PASSWORD + "!", on_event=hook)
    token_id, token = accounts.issue_token(store, "anna", on_event=hook)
    accounts.viewer_for_token(store, token, on_event=hook)
    accounts.viewer_for_token(store, token + "x", on_event=hook)
    accounts.revoke_token(store, token_id, on_event=hook)
    accounts.disable_user(store, "anna", on_event=hook)

    assert {a for a, _, _ in events} == {"administration", "login"}
    assert ("administration", "refused") in {(a, o) for a, o, _ in events}
    logins = [(o, d["method"]) for a, o, d in events if a == "login"]
    assert logins == [
        ("failure", "password"),
        ("success", "password"),
        ("success", "token"),
        ("failure", "token"),
    ]
    dumped = json.dumps([e for e in events], default=str)
    for secret in (PASSWORD, PASSWORD + "!", "tooshort-pw", token, token[5:20]):
        assert secret not in dumped
    assert "$argon2" not in dumped


# --- CLI ------------------------------------------------------------------------------------


def test_cli_agencies_and_users(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    runner = CliRunner()

    result = runner.invoke(
        agencies_app,
        [
            "add",
            "DE-BKA",
            "--name",
            "Bundeskriminalamt",
            "--country",
            "DE",
            "--type",
            "member_state",
            "--home",
            home,
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(agencies_app, ["list", "--json", "--home", home])
    assert [a["id"] for a in json.loads(result.stdout)] == ["DE-BKA"]
    result = runner.invoke(
        agencies_app,
        ["add", "de-bka", "--name", "x", "--country", "DE", "--type", "member_state", "--home", home],
    )
    assert result.exit_code == 1 and "invalid agency id" in result.stderr

    result = runner.invoke(
        users_app,
        [
            "add",
            "anna",
            "--agency",
            "DE-BKA",
            "--role",
            "analyst",
            "--role",
            "supervisor",
            "--full-name",
            "Anna Schmidt",
            "--password-stdin",
            "--home",
            home,
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        users_app, ["add", "bob", "--agency", "DE-BKA", "--role", "boss", "--no-password", "--home", home]
    )
    assert result.exit_code == 1 and "unknown role 'boss'" in result.stderr
    result = runner.invoke(
        users_app,
        ["add", "carl", "--agency", "DE-BKA", "--role", "analyst", "--home", home],
        input="a prompted passphrase\na prompted passphrase\n",
    )
    assert result.exit_code == 0, result.output

    result = runner.invoke(users_app, ["list", "--json", "--home", home])
    listed = json.loads(result.stdout)
    assert [(u["username"], u["roles"], u["has_password"]) for u in listed] == [
        ("anna", ["analyst", "supervisor"], True),
        ("carl", ["analyst"], True),
    ]
    assert PASSWORD not in result.output and "argon2" not in result.output

    result = runner.invoke(users_app, ["token", "anna", "--label", "scripts", "--days", "30", "--home", home])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("mare_") and "not be shown again" in result.stderr
    result = runner.invoke(users_app, ["tokens", "anna", "--json", "--home", home])
    (info,) = json.loads(result.stdout)
    assert info["label"] == "scripts" and info["status"] == "active" and token not in result.output

    with open_store(Path(home)) as store:
        assert accounts.authenticate_password(store, "anna", PASSWORD) is not None
        assert accounts.authenticate_password(store, "carl", "a prompted passphrase") is not None
        assert accounts.viewer_for_token(store, token) is not None

    result = runner.invoke(users_app, ["disable", "anna", "--home", home])
    assert result.exit_code == 0 and "1 token(s) revoked" in result.output
    with open_store(Path(home)) as store:
        assert accounts.viewer_for_token(store, token) is None

    result = runner.invoke(users_app, ["revoke", "tok_nope", "--home", home])
    assert result.exit_code == 1 and "unknown token id" in result.stderr
