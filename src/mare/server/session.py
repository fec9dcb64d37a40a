"""Sessions, CSRF tokens and the login rate limit of the web server.

A person signs in on /login with their password (checked by `mare.hub.identity`); the server then
issues them an API token for the session (`mare.hub.admin.issue_token`, for themselves, expiring with
the session) and keeps it in a signed cookie (HttpOnly, SameSite=Strict, Secure unless the server is
told it runs on plain http://127.0.0.1). Every request signs in again with that token through
`mare.hub.identity`, so a disabled user, agency or revoked token stops the session at once; logout
revokes it. Systems send `Authorization: Bearer <token>` instead.

The session secret lives in HOME/keys/session.key (0600, folder 0700), made on first use.
CSRF: every form carries the session's CSRF token (for the login form, the one in the signed
`mare_csrf` cookie: double submit); every POST signed in by cookie must send it back, as the form
field `csrf` or the header `X-CSRF-Token`.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "mare_session"
CSRF_COOKIE = "mare_csrf"
SESSION_SECONDS = 12 * 3600
SECRET_BYTES = 32


def session_secret(home: Path) -> bytes:
    """The session-signing secret of this store (HOME/keys/session.key), created 0600 on first use."""
    path = home / "keys" / "session.key"
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(SECRET_BYTES))
    secret = path.read_bytes()
    if len(secret) < SECRET_BYTES:
        raise ValueError(f"session key {path} is too short: delete it and restart (sessions end)")
    return secret


@dataclass(frozen=True, slots=True)
class Session:
    """What the session cookie holds: who, the session's token and its id, the CSRF token."""

    user: str
    token: str
    token_id: str
    csrf: str


class Signer:
    """Signs and checks the session and CSRF cookies."""

    def __init__(self, secret: bytes) -> None:
        self._session = URLSafeTimedSerializer(secret, salt="mare-session")
        self._csrf = URLSafeTimedSerializer(secret, salt="mare-csrf")

    def dump_session(self, session: Session) -> str:
        """The cookie value of a session."""
        return self._session.dumps([session.user, session.token, session.token_id, session.csrf])

    def load_session(self, value: str | None) -> Session | None:
        """The session in a cookie (None when absent, forged or older than the session's life)."""
        if not value:
            return None
        try:
            user, token, token_id, csrf = self._session.loads(value, max_age=SESSION_SECONDS)
        except (BadSignature, ValueError, TypeError):
            return None
        return Session(str(user), str(token), str(token_id), str(csrf))

    def new_csrf(self) -> tuple[str, str]:
        """A fresh CSRF token and its signed cookie value (for forms shown before sign-in)."""
        token = secrets.token_urlsafe(24)
        return token, self._csrf.dumps(token)

    def load_csrf(self, value: str | None) -> str | None:
        """The CSRF token in the signed pre-session cookie."""
        if not value:
            return None
        try:
            return str(self._csrf.loads(value, max_age=SESSION_SECONDS))
        except (BadSignature, ValueError, TypeError):
            return None


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two CSRF tokens (False when either is missing)."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


class LoginLimiter:
    """Failed logins per user and per client address in a sliding window, kept in memory."""

    def __init__(self, per_user: int = 5, per_address: int = 20, window_seconds: float = 900.0) -> None:
        self.per_user = per_user
        self.per_address = per_address
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, user: str, address: str) -> str | None:
        """Why a login attempt is refused now (None: it may go ahead)."""
        now = time.monotonic()
        with self._lock:
            if len(self._recent(f"user:{user}", now)) >= self.per_user:
                return f"too many failed sign-ins for {user}: wait {int(self.window // 60)} minutes"
            if len(self._recent(f"addr:{address}", now)) >= self.per_address:
                return f"too many failed sign-ins from your address: wait {int(self.window // 60)} minutes"
        return None

    def failed(self, user: str, address: str) -> None:
        """Count one failed attempt."""
        now = time.monotonic()
        with self._lock:
            self._recent(f"user:{user}", now).append(now)
            self._recent(f"addr:{address}", now).append(now)

    def succeeded(self, user: str) -> None:
        """A correct password clears the user's failures (not the address's)."""
        with self._lock:
            self._failures.pop(f"user:{user}", None)
