"""Agencies, users and API tokens: who may sign in to the hub, and as whom.

Passwords are stored only as argon2id hashes; API tokens only as their SHA-256. Every token
check reads the database afresh, so disabling a user or an agency takes effect at once.
Each function that changes accounts or signs someone in accepts an optional `on_event` hook,
called as ``on_event(action, outcome, details)`` with no secrets in `details`, so the caller
can write the audit trail.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import duckdb
import pycountry
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mare.access.policy import HUB_AGENCY, ROLES, Viewer
from mare.store.db import Store

EventHook = Callable[[str, str, dict[str, Any]], None]

AGENCY_TYPES = ("member_state", "partner", "international_organisation", "hub")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
TOKEN_PREFIX = "mare_"
#: A token's last use is recorded to this precision (the web server signs in on every request).
LAST_USED_PRECISION = timedelta(minutes=1)

_AGENCY_ID = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{1,63}$")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_HASHER = PasswordHasher()


class AccountError(ValueError):
    """A request about agencies, users or tokens that cannot be carried out, with the fix."""


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency that contributes to or works at the hub."""

    id: str
    name: str | None
    country: str | None
    agency_type: str | None
    registered: bool
    disabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class User:
    """A user account (never carries the password hash)."""

    username: str
    agency: str
    roles: tuple[str, ...]
    full_name: str | None
    has_password: bool
    disabled: bool
    created_at: datetime
    disabled_at: datetime | None


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What may be shown about an API token (never the token or its hash)."""

    id: str
    username: str
    label: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def status(self) -> str:
        """'revoked', 'expired' or 'active' as of now (UTC)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= _now():
            return "expired"
        return "active"


def _now() -> datetime:
    """The current time in UTC, naive, as DuckDB TIMESTAMP columns hold it."""
    return datetime.now(UTC).replace(tzinfo=None)


def _naive_utc(moment: datetime) -> datetime:
    """A datetime as naive UTC (aware ones are converted; naive ones are taken as UTC)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _emit(on_event: EventHook | None, action: str, outcome: str, details: dict[str, Any]) -> None:
    """Call the event hook, if any."""
    if on_event is not None:
        on_event(action, outcome, details)


@contextmanager
def _admin(on_event: EventHook | None, operation: str, **details: Any) -> Iterator[dict[str, Any]]:
    """Report an administration step as success, or as refused with the reason, to the hook."""
    info: dict[str, Any] = {"operation": operation, **details}
    try:
        yield info
    except AccountError as exc:
        _emit(on_event, "administration", "refused", {**info, "reason": str(exc)})
        raise
    _emit(on_event, "administration", "success", info)


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# --- agencies -------------------------------------------------------------------------------

_AGENCY_COLUMNS = "id, name, country, agency_type, registered, coalesce(disabled, FALSE), created_at"


def _agency(row: tuple[Any, ...]) -> Agency:
    return Agency(row[0], row[1], row[2], row[3], bool(row[4]), bool(row[5]), row[6])


def get_agency(store: Store, agency_id: str) -> Agency | None:
    """The agency with this id, or None."""
    row = store.con.execute(f"SELECT {_AGENCY_COLUMNS} FROM agencies WHERE id = ?", [agency_id]).fetchone()
    return _agency(row) if row else None


def _check_country(country: str | None, agency_type: str) -> str | None:
    """The ISO 3166-1 alpha-2 code, upper-cased, or None where an agency may have none."""
    if country is None or not country.strip():
        if agency_type in ("international_organisation", "hub"):
            return None
        raise AccountError(
            f"a {agency_type} agency needs a country: give its ISO 3166-1 alpha-2 code, e.g. --country DE"
        )
    code = country.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise AccountError(
            f"unknown country {country!r}: give an ISO 3166-1 alpha-2 code such as DE, IT or TR"
        )
    return code


def add_agency(
    store: Store,
    agency_id: str,
    name: str,
    country: str | None,
    agency_type: str,
    on_event: EventHook | None = None,
) -> Agency:
    """Register an agency (adding the same agency again with identical details changes nothing)."""
    with _admin(on_event, "add_agency", agency=agency_id) as info:
        if not _AGENCY_ID.match(agency_id):
            raise AccountError(
                f"invalid agency id {agency_id!r}: use 2-64 upper-case letters, digits, '_', '.' or '-', "
                "starting with a letter or digit (e.g. DE-BKA)"
            )
        if agency_type not in AGENCY_TYPES:
            raise AccountError(f"unknown agency type {agency_type!r}: use one of {', '.join(AGENCY_TYPES)}")
        if (agency_type == "hub") != (agency_id == HUB_AGENCY):
            raise AccountError(f"only the agency {HUB_AGENCY} has type 'hub', and it must have it")
        name = name.strip() if name else ""
        if not name:
            raise AccountError(f"agency {agency_id} needs a name: give --name")
        code = _check_country(country, agency_type)
        info.update(name=name, country=code, agency_type=agency_type)
        existing = get_agency(store, agency_id)
        if existing is not None and existing.registered:
            if (existing.name, existing.country, existing.agency_type) == (name, code, agency_type):
                info["unchanged"] = True
                return existing
            raise AccountError(
                f"agency {agency_id} is already registered as {existing.name!r} "
                f"({existing.country or 'no country'}, {existing.agency_type}): use another id"
            )
        if existing is not None:
            store.con.execute(
                "UPDATE agencies SET name = ?, country = ?, agency_type = ?, registered = TRUE WHERE id = ?",
                [name, code, agency_type, agency_id],
            )
        else:
            store.con.execute(
                "INSERT INTO agencies (id, name, country, agency_type, registered, created_at, disabled) "
                "VALUES (?, ?, ?, ?, TRUE, ?, FALSE)",
                [agency_id, name, code, agency_type, _now()],
            )
        added = get_agency(store, agency_id)
        assert added is not None
        return added


def list_agencies(store: Store) -> list[Agency]:
    """Every agency the store knows, registered or only seen in contributions, by id."""
    rows = store.con.execute(f"SELECT {_AGENCY_COLUMNS} FROM agencies ORDER BY id").fetchall()
    return [_agency(r) for r in rows]


def disable_agency(store: Store, agency_id: str, on_event: EventHook | None = None) -> None:
    """Disable an agency: its users can no longer sign in and their tokens stop working."""
    with _admin(on_event, "disable_agency", agency=agency_id):
        if agency_id == HUB_AGENCY:
            raise AccountError(f"the hub agency {HUB_AGENCY} cannot be disabled: disable its users instead")
        if get_agency(store, agency_id) is None:
            raise AccountError(f"unknown agency {agency_id!r}: see `mare agencies list`")
        store.con.execute("UPDATE agencies SET disabled = TRUE WHERE id = ?", [agency_id])


def ensure_hub_agency(store: Store, on_event: EventHook | None = None) -> Agency:
    """The hub's own agency, registered first if missing."""
    hub = get_agency(store, HUB_AGENCY)
    if hub is not None and hub.registered:
        return hub
    return add_agency(store, HUB_AGENCY, "The hub", None, "hub", on_event=on_event)


# --- users ----------------------------------------------------------------------------------

_USER_COLUMNS = (
    "username, agency, roles, full_name, password_hash IS NOT NULL, disabled, created_at, disabled_at"
)


def _user(row: tuple[Any, ...]) -> User:
    return User(row[0], row[1], tuple(row[2]), row[3], bool(row[4]), bool(row[5]), row[6], row[7])


def get_user(store: Store, username: str) -> User | None:
    """The user with this name, or None (never the hash)."""
    row = store.con.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?", [username]).fetchone()
    return _user(row) if row else None


def _require_user(store: Store, username: str) -> User:
    user = get_user(store, username)
    if user is None:
        raise AccountError(f"unknown user {username!r}: see `mare users list`")
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"password too short: use at least {MIN_PASSWORD_LENGTH} characters (a passphrase is best)"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"password too long: use at most {MAX_PASSWORD_LENGTH} characters")


def add_user(
    store: Store,
    username: str,
    agency: str,
    roles: Iterable[str],
    password: str | None,
    full_name: str | None = None,
    on_event: EventHook | None = None,
) -> User:
    """Create a user of an agency with roles; no password (None) makes a token-only account."""
    wanted = list(dict.fromkeys(roles))
    with _admin(on_event, "add_user", username=username, agency=agency, roles=wanted) as info:
        if not _USERNAME.match(username):
            raise AccountError(
                f"invalid username {username!r}: use 2-64 lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        if not wanted:
            raise AccountError(f"give {username} at least one role: {', '.join(ROLES)}")
        unknown = [r for r in wanted if r not in ROLES]
        if unknown:
            raise AccountError(f"unknown role {unknown[0]!r}: use one of {', '.join(ROLES)}")
        if agency == HUB_AGENCY:
            ensure_hub_agency(store, on_event=on_event)
        found = get_agency(store, agency)
        if found is None or not found.registered:
            raise AccountError(f"unknown agency {agency!r}: register it first with `mare agencies add`")
        if found.disabled:
            raise AccountError(f"agency {agency} is disabled: its users cannot be added")
        if get_user(store, username) is not None:
            raise AccountError(f"user {username!r} already exists: choose another username")
        if password is not None:
            _check_password(password)
        info["token_only"] = password is None
        hashed = _HASHER.hash(password) if password is not None else None
        ordered = [r for r in ROLES if r in wanted]
        store.con.execute(
            "INSERT INTO users (username, agency, roles, full_name, password_hash, disabled, created_at) "
            "VALUES (?, ?, ?, ?, ?, FALSE, ?)",
            [username, agency, ordered, full_name, hashed, _now()],
        )
        return _require_user(store, username)


def list_users(store: Store) -> list[User]:
    """Every user, by username (never the hashes)."""
    rows = store.con.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY username").fetchall()
    return [_user(r) for r in rows]


def disable_user(store: Store, username: str, on_event: EventHook | None = None) -> int:
    """Disable a user and revoke all their tokens at once; returns how many tokens were revoked."""
    with _admin(on_event, "disable_user", username=username) as info:
        _require_user(store, username)
        now = _now()
        with _transaction(store.con):
            store.con.execute(
                "UPDATE users SET disabled = TRUE, disabled_at = coalesce(disabled_at, ?) WHERE username = ?",
                [now, username],
            )
            row = store.con.execute(
                "UPDATE api_tokens SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL RETURNING id",
                [now, username],
            ).fetchall()
        info["tokens_revoked"] = len(row)
        return len(row)


def set_password(store: Store, username: str, password: str, on_event: EventHook | None = None) -> None:
    """Set (or replace) a user's password."""
    with _admin(on_event, "set_password", username=username):
        _require_user(store, username)
        _check_password(password)
        store.con.execute(
            "UPDATE users SET password_hash = ? WHERE username = ?", [_HASHER.hash(password), username]
        )


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when there is no user, so timing tells little."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate_password(
    store: Store, username: str, password: str, on_event: EventHook | None = None
) -> Viewer | None:
    """The viewer for this username and password, or None (unknown, wrong, or disabled)."""
    row = store.con.execute(
        "SELECT u.password_hash, u.agency, u.roles, u.disabled, coalesce(a.disabled, TRUE) "
        "FROM users u LEFT JOIN agencies a ON a.id = u.agency WHERE u.username = ?",
        [username],
    ).fetchone()
    details: dict[str, Any] = {"method": "password", "username": username}
    stored = row[0] if row else None
    ok = _verify(stored, password)
    reason = None
    if row is None:
        reason = "unknown user"
    elif stored is None:
        reason = "no password set (token-only account)"
    elif not ok:
        reason = "wrong password"
    elif row[3]:
        reason = "user disabled"
    elif row[4]:
        reason = "agency disabled"
    if reason is not None or row is None or stored is None:
        _emit(on_event, "login", "failure", {**details, "reason": reason})
        return None
    if _HASHER.check_needs_rehash(stored):
        store.con.execute(
            "UPDATE users SET password_hash = ? WHERE username = ?", [_HASHER.hash(password), username]
        )
    viewer = Viewer(user=username, agency=row[1], roles=frozenset(row[2]))
    _emit(on_event, "login", "success", {**details, "agency": viewer.agency})
    return viewer


# --- API tokens -----------------------------------------------------------------------------

_TOKEN_COLUMNS = "id, username, label, created_at, expires_at, revoked_at, last_used_at"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    store: Store,
    username: str,
    label: str | None = None,
    expires_at: datetime | None = None,
    on_event: EventHook | None = None,
) -> tuple[str, str]:
    """Issue an API token; returns (token id, the token itself, to be shown once and never stored)."""
    with _admin(on_event, "issue_token", username=username, label=label) as info:
        user = _require_user(store, username)
        if user.disabled:
            raise AccountError(f"user {username} is disabled: tokens cannot be issued")
        agency = get_agency(store, user.agency)
        if agency is None or agency.disabled:
            raise AccountError(f"agency {user.agency} is disabled: its users cannot get tokens")
        expiry = _naive_utc(expires_at) if expires_at is not None else None
        if expiry is not None and expiry <= _now():
            raise AccountError(f"expiry {expires_at} is in the past: give a future date")
        token_id = "tok_" + secrets.token_hex(8)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        store.con.execute(
            "INSERT INTO api_tokens (id, username, token_hash, label, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [token_id, username, _hash_token(token), label, _now(), expiry],
        )
        info.update(token_id=token_id, expires_at=expiry.isoformat() if expiry else None)
        return token_id, token


def revoke_token(store: Store, token_id: str, on_event: EventHook | None = None) -> None:
    """Revoke a token at once (revoking it again changes nothing)."""
    with _admin(on_event, "revoke_token", token_id=token_id) as info:
        row = store.con.execute(
            "SELECT username, revoked_at FROM api_tokens WHERE id = ?", [token_id]
        ).fetchone()
        if row is None:
            raise AccountError(f"unknown token id {token_id!r}: see `mare users tokens USERNAME`")
        info["username"] = row[0]
        if row[1] is None:
            store.con.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", [_now(), token_id])


def list_tokens(store: Store, username: str) -> list[TokenInfo]:
    """A user's tokens, newest first (never the tokens or their hashes)."""
    _require_user(store, username)
    rows = store.con.execute(
        f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE username = ? ORDER BY created_at DESC, id",
        [username],
    ).fetchall()
    return [TokenInfo(*r) for r in rows]


def viewer_for_token(store: Store, token: str, on_event: EventHook | None = None) -> Viewer | None:
    """The viewer this token stands for, checked afresh in the database, or None if it must not work."""
    details: dict[str, Any] = {"method": "token"}
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        _emit(on_event, "login", "failure", {**details, "reason": "malformed token"})
        return None
    row = store.con.execute(
        "SELECT t.id, t.expires_at, t.revoked_at, u.username, u.agency, u.roles, u.disabled, "
        "coalesce(a.disabled, TRUE), t.last_used_at FROM api_tokens t "
        "JOIN users u ON u.username = t.username LEFT JOIN agencies a ON a.id = u.agency "
        "WHERE t.token_hash = ?",
        [_hash_token(token)],
    ).fetchone()
    if row is None:
        _emit(on_event, "login", "failure", {**details, "reason": "unknown token"})
        return None
    token_id, expires_at, revoked_at, username, agency, roles, user_disabled, agency_disabled, used = row
    details.update(token_id=token_id, username=username)
    now = _now()
    reason = None
    if revoked_at is not None:
        reason = "token revoked"
    elif expires_at is not None and expires_at <= now:
        reason = "token expired"
    elif user_disabled:
        reason = "user disabled"
    elif agency_disabled:
        reason = "agency disabled"
    if reason is not None:
        _emit(on_event, "login", "failure", {**details, "reason": reason})
        return None
    # The last use to the minute (a write per request was a commit per API call); a read-only store
    # cannot record it: the check has passed all the same.
    if used is None or now - used >= LAST_USED_PRECISION:
        with suppress(duckdb.Error):
            store.con.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [now, token_id])
    _emit(on_event, "login", "success", {**details, "agency": agency})
    return Viewer(user=username, agency=agency, roles=frozenset(roles))
