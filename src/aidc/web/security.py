"""Passwords, sessions, CSRF tokens, API tokens, roles and the sign-in rate limit.

- Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106).
- Browsers get a signed session cookie (Starlette's ``SessionMiddleware``: HttpOnly,
  SameSite=Lax) holding the user id and a CSRF token. Every unsafe request authenticated by
  that cookie must echo the token, as the form field ``csrf_token`` or the header
  ``X-CSRF-Token``; otherwise it is refused with 403.
- Scripts use ``Authorization: Bearer <token>`` from ``POST /api/auth/token``; a browser
  never sends that header by itself, so bearer requests need no CSRF token.
- Roles are checked by the dependency :func:`require` on every route.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from aidc.web.db import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MIN_PASSWORD_LENGTH = 10


class AuthError(Exception):
    """Not signed in (401) or not allowed (403); rendered as JSON for the API, a page otherwise."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


class Passwords:
    """Argon2id hashing with the app's cost parameters (argon2-cffi's defaults unless tests lower them)."""

    def __init__(self, time_cost: int | None = None, memory_kib: int | None = None) -> None:
        defaults = PasswordHasher()
        self._hasher = PasswordHasher(
            time_cost=time_cost or defaults.time_cost,
            memory_cost=memory_kib or defaults.memory_cost,
            parallelism=1 if memory_kib else defaults.parallelism,
        )
        # Verifying against a hash of a random password when the e-mail is unknown costs the
        # same time as a real check, so response time does not reveal which e-mails exist.
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        """Return the Argon2id hash of a password."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password against its hash (the same work when there is no hash)."""
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def password_problem(password: str) -> str | None:
    """Return why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    return None


def token_sha256(token: str) -> str:
    """Return the SHA-256 hex digest under which an invitation token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """Return a fresh random URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


class TokenSigner:
    """Signs API bearer tokens (user id + issue time) with the server's secret."""

    def __init__(self, secret: str, max_age_s: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="aidc-api-token")
        self.max_age_s = max_age_s

    def issue(self, user_id: int) -> str:
        """Return a bearer token for ``user_id``."""
        return self._serializer.dumps({"uid": user_id})

    def user_id(self, token: str) -> int | None:
        """Return the user id of a valid, unexpired token, else None."""
        try:
            payload = self._serializer.loads(token, max_age=self.max_age_s)
        except BadSignature:
            return None
        uid = payload.get("uid") if isinstance(payload, dict) else None
        return uid if isinstance(uid, int) else None


class LoginLimiter:
    """Sliding-window limit of failed sign-ins per (client, e-mail) and per client.

    State lives in the app (not in a module global), so two apps in one process do not share it.
    """

    def __init__(self, max_failures: int, window_s: float) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, client: str, email: str) -> list[tuple[str, int]]:
        # One client may try a few e-mails, but not hammer many: 4x the per-pair limit.
        return [(f"{client}|{email.lower()}", self.max_failures), (client, 4 * self.max_failures)]

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def blocked_for_s(self, client: str, email: str) -> float:
        """Return how long the client must wait before trying again (0 when it may try now)."""
        now = time.monotonic()
        with self._lock:
            waits = [
                self.window_s - (now - q[0])
                for key, limit in self._keys(client, email)
                if len(q := self._recent(key, now)) >= limit
            ]
        return max(waits, default=0.0)

    def failed(self, client: str, email: str) -> None:
        """Record a failed attempt."""
        now = time.monotonic()
        with self._lock:
            for key, _ in self._keys(client, email):
                self._recent(key, now).append(now)

    def succeeded(self, client: str, email: str) -> None:
        """Forget the failures of this (client, e-mail) pair."""
        with self._lock:
            self._failures.pop(self._keys(client, email)[0][0], None)


def client_address(request: Request) -> str:
    """Return the client's address (the direct peer; no proxy header is trusted)."""
    return request.client.host if request.client else "unknown"


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating one for a new session."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe cookie-authenticated request whose CSRF token is missing or wrong."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not (isinstance(expected, str) and sent and hmac.compare_digest(expected, sent)):
        raise AuthError(403, "missing or wrong CSRF token; reload the page and try again")


async def authenticate(request: Request) -> User | None:
    """Return the signed-in user (bearer token or session cookie), checking CSRF for cookies."""
    state = request.app.state
    header = request.headers.get("authorization", "")
    uid: Any
    if header.lower().startswith("bearer "):
        uid = state.tokens.user_id(header[7:].strip())
        if uid is None:
            raise AuthError(401, "invalid or expired bearer token")
    else:
        uid = request.session.get("uid")
        if not isinstance(uid, int):
            return None
        await check_csrf(request)
    with state.sessions() as s:
        user = s.get(User, uid)
        if user is None or not user.active:
            request.session.pop("uid", None)
            return None
        s.expunge(user)
    return user


def require(*roles: str) -> Callable[..., Any]:
    """Return a dependency that yields the signed-in user if their role is one of ``roles``."""

    async def dependency(request: Request) -> User:
        user = await authenticate(request)
        if user is None:
            raise AuthError(401, "sign in first")
        if user.role not in roles:
            raise AuthError(403, f"this needs the role {' or '.join(roles)}; you are {user.role}")
        request.state.user = user
        return user

    dependency.__name__ = f"require_{'_'.join(roles)}"
    return dependency
