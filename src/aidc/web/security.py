"""Passwords, sessions, CSRF tokens, API tokens, roles and the sign-in rate limit.

- Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106).
  At most ``Settings.n_hash_slots`` hashes run at once (each holds Argon2's memory); a request
  that finds no free slot within ``busy_wait_s`` gets 503 with ``Retry-After``.
- Browsers get a signed session cookie (Starlette's ``SessionMiddleware``: HttpOnly,
  SameSite=Lax) holding a random session id and a CSRF token. The session itself is a
  :class:`~aidc.web.db.WebSession` row, so logout, a password change or deactivation ends it
  on the server. Every unsafe request authenticated by that cookie must echo the CSRF token,
  as the form field ``csrf_token`` or the header ``X-CSRF-Token``; otherwise it is refused (403).
- Scripts use ``Authorization: Bearer <token>`` from ``POST /api/auth/token``: a random token
  stored only as its SHA-256 (:class:`~aidc.web.db.ApiToken`), expiring, revocable; a browser
  never sends that header by itself, so bearer requests need no CSRF token.
- Roles are checked by the dependency :func:`require` on every route.
- The sign-in limit counts an attempt *before* the password is hashed, per (address, e-mail),
  per e-mail and per address; the address comes from ``X-Forwarded-For`` only when the peer is
  one of ``Settings.trusted_proxies``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from sqlalchemy import update
from sqlalchemy.orm import Session

from aidc.errors import Note
from aidc.i18n import N_
from aidc.web.db import ApiToken, User, WebSession, get_one, utcnow

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MIN_PASSWORD_LENGTH = 10


class AuthError(Exception):
    """Not signed in (401) or not allowed (403); rendered as JSON for the API, a page otherwise.

    ``code`` names the refusal for API clients; ``detail`` is a catalog message with its parameters.
    """

    def __init__(self, status_code: int, code: str, detail: Note) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.code = code
        self.detail = detail


#: The answer of a server too busy to take a request now.
BUSY = N_("the server is busy; try again in a few seconds")


class Busy(Exception):
    """A bounded resource (hash slots, parse workers, database connections) stayed full: 503.

    ``what`` is a catalog id (``N_("password checks")``), said in the reader's language.
    """

    def __init__(self, what: str | Note, retry_after_s: float) -> None:
        shown = what if isinstance(what, Note) else Note(what)
        self.message = Note(N_("the server is busy ({what}); try again in a few seconds"), what=shown)
        super().__init__(self.message)
        self.retry_after_s = retry_after_s


class Slots:
    """At most ``n`` holders at once; a caller waits up to ``wait_s`` for a slot, else :class:`Busy`."""

    def __init__(self, n: int, wait_s: float, what: str) -> None:
        self._sem = threading.BoundedSemaphore(max(n, 1))
        self.wait_s = wait_s
        self.what = what

    def __enter__(self) -> Slots:
        if not self._sem.acquire(timeout=self.wait_s):
            raise Busy(self.what, self.wait_s)
        return self

    def __exit__(self, *exc: object) -> None:
        self._sem.release()


class Passwords:
    """Argon2id hashing with the app's cost parameters (argon2-cffi's defaults unless tests lower them)."""

    def __init__(
        self,
        time_cost: int | None = None,
        memory_kib: int | None = None,
        slots: Slots | None = None,
    ) -> None:
        self.slots = slots or Slots(4, 5.0, N_("password checks"))
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
        with self.slots:
            return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password against its hash (the same work when there is no hash)."""
        with self.slots:
            try:
                return (
                    self._hasher.verify(password_hash or self._dummy, password) and password_hash is not None
                )
            except (VerificationError, InvalidHashError):
                return False


def password_problem(password: str) -> Note | None:
    """Return why a new password is refused (a catalog message), or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Note(N_("the password must have at least {n} characters"), n=MIN_PASSWORD_LENGTH)
    return None


def token_sha256(token: str) -> str:
    """Return the SHA-256 hex digest under which an invitation token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """Return a fresh random URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def issue_token(s: Session, user_id: int, max_age_s: int, name: str = "") -> str:
    """Create an API token for ``user_id`` (stored hashed) and return the token itself, shown once."""
    token = new_token()
    s.add(
        ApiToken(
            token_sha256=token_sha256(token),
            user_id=user_id,
            name=name[:100],
            expires_at=utcnow() + timedelta(seconds=max_age_s),
        )
    )
    return token


def start_session(request: Request, s: Session, user_id: int) -> None:
    """Start a fresh server-side session for ``user_id`` (new id and CSRF token: no session fixation)."""
    sid = new_token()
    s.add(
        WebSession(
            sid_sha256=token_sha256(sid),
            user_id=user_id,
            user_agent=request.headers.get("user-agent", "")[:200],
            expires_at=utcnow() + timedelta(seconds=request.app.state.settings.session_max_age_s),
        )
    )
    request.session.clear()
    request.session["sid"] = sid


def end_session(request: Request, s: Session) -> None:
    """Revoke the session of this request's cookie and clear the cookie."""
    sid = request.session.get("sid")
    if isinstance(sid, str):
        s.execute(
            update(WebSession)
            .where(WebSession.sid_sha256 == token_sha256(sid), WebSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    request.session.clear()


def revoke_all(s: Session, user_id: int, keep_sid: str | None = None) -> None:
    """Revoke every session and API token of a user (password change, deactivation)."""
    now = utcnow()
    q = update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    if keep_sid is not None:
        q = q.where(WebSession.sid_sha256 != token_sha256(keep_sid))
    s.execute(q.values(revoked_at=now))
    s.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _live(row: WebSession | ApiToken | None) -> bool:
    from aidc.web.common import aware_utc

    return row is not None and row.revoked_at is None and aware_utc(row.expires_at) > utcnow()


class LoginLimiter:
    """Sliding-window limit of sign-in attempts per (address, e-mail), per e-mail and per address.

    An attempt is counted when it starts, before the password is hashed, so a burst of
    concurrent attempts is limited like a sequence; a success takes its own attempt back.
    State lives in the app (not in a module global), so two apps in one process do not share it.
    """

    def __init__(self, max_failures: int, window_s: float, max_per_account: int | None = None) -> None:
        self.max_failures = max_failures
        self.max_per_account = max_per_account or 4 * max_failures
        self.window_s = window_s
        self._attempts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, client: str, email: str) -> list[tuple[str, int]]:
        email = email.strip().lower()
        # One address may try a few e-mails, but not hammer many: 4x the per-pair limit.
        return [
            (f"pair|{client}|{email}", self.max_failures),
            (f"account|{email}", self.max_per_account),
            (f"address|{client}", 4 * self.max_failures),
        ]

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._attempts.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def attempt(self, client: str, email: str) -> float:
        """Count an attempt and return 0, or return how long to wait [s] when over a limit (not counted)."""
        now = time.monotonic()
        with self._lock:
            queues = [(self._recent(key, now), limit) for key, limit in self._keys(client, email)]
            waits = [self.window_s - (now - q[0]) for q, limit in queues if len(q) >= limit]
            if waits:
                return max(max(waits), 1.0)
            for q, _ in queues:
                q.append(now)
        return 0.0

    def succeeded(self, client: str, email: str) -> None:
        """Forget the attempts of this (address, e-mail) pair and take this attempt back from the others."""
        with self._lock:
            keys = self._keys(client, email)
            self._attempts.pop(keys[0][0], None)
            for key, _ in keys[1:]:
                if q := self._attempts.get(key):
                    q.pop()


def _in(address: str, networks: Iterable[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def client_address(request: Request) -> str:
    """Return the client's address: the peer, or the last untrusted hop of ``X-Forwarded-For``.

    The header is believed only when the peer is a trusted proxy, and read from the right: a
    client can prepend anything.
    """
    peer = request.client.host if request.client else "unknown"
    trusted = request.app.state.settings.trusted_proxies
    if not trusted or not _in(peer, trusted):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted):
            return hop
    return peer


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
        refusal = Note(N_("missing or wrong CSRF token; reload the page and try again"))
        raise AuthError(403, "csrf_token", refusal)


#: A session's last-seen time is written at most this often (a write per request would load the database).
LAST_SEEN_EVERY = timedelta(minutes=1)


def _bearer_user(s: Session, token: str) -> int | None:
    row = get_one(s, ApiToken, token_sha256=token_sha256(token))
    if not _live(row):
        return None
    assert row is not None
    now = utcnow()
    from aidc.web.common import aware

    seen = aware(row.last_used_at)
    if seen is None or now - seen > LAST_SEEN_EVERY:
        row.last_used_at = now
        s.commit()
    return row.user_id


def _session_user(s: Session, sid: str) -> int | None:
    row = get_one(s, WebSession, sid_sha256=token_sha256(sid))
    if not _live(row):
        return None
    assert row is not None
    from aidc.web.common import aware_utc

    now = utcnow()
    if now - aware_utc(row.last_seen_at) > LAST_SEEN_EVERY:
        row.last_seen_at = now
        s.commit()
    return row.user_id


async def authenticate(request: Request) -> User | None:
    """Return the signed-in user (bearer token or session cookie), checking CSRF for cookies."""
    state = request.app.state
    header = request.headers.get("authorization", "")
    bearer = header.lower().startswith("bearer ")
    sid = request.session.get("sid")
    if not bearer and not isinstance(sid, str):
        return None
    if not bearer:
        await check_csrf(request)
    with state.sessions() as s:
        uid = _bearer_user(s, header[7:].strip()) if bearer else _session_user(s, str(sid))
        if uid is None:
            if bearer:
                raise AuthError(401, "token_invalid", Note(N_("invalid, expired or revoked bearer token")))
            request.session.clear()
            return None
        user = s.get(User, uid)
        if user is None or not user.active:
            request.session.clear()
            return None
        s.expunge(user)
    return user


def role_refusal(roles: tuple[str, ...], role: str) -> Note:
    """Return why ``role`` may not do what needs one of ``roles``, roles named by their labels."""
    wanted = tuple(Note(f"role.{r}") for r in roles)  # labels of the catalog, joined where shown
    return Note(N_("this needs the role {roles}; you are {role}"), roles=wanted, role=Note(f"role.{role}"))


def require(*roles: str) -> Callable[..., Any]:
    """Return a dependency that yields the signed-in user if their role is one of ``roles``."""

    async def dependency(request: Request) -> User:
        user = await authenticate(request)
        if user is None:
            raise AuthError(401, "sign_in_required", Note(N_("sign in first")))
        if user.role not in roles:
            raise AuthError(403, "role_required", role_refusal(roles, user.role))
        request.state.user = user
        return user

    dependency.__name__ = f"require_{'_'.join(roles)}"
    return dependency
