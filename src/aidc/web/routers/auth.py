"""Signing in and out (pages and API tokens), the home page, ``/api/me``, tokens and password change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from aidc import units
from aidc.i18n import LANGS, N_
from aidc.web.common import PathId, aware, aware_utc, db, get_or_404, redirect, render
from aidc.web.db import ApiToken, User, get_one, utcnow
from aidc.web.errors import ApiError, body, detail_text, note_text
from aidc.web.lang import LANG_COOKIE, request_lang
from aidc.web.schemas import ApiTokenOut, Credentials, PasswordChange, TokenOut, UserOut
from aidc.web.security import (
    AuthError,
    authenticate,
    check_csrf,
    client_address,
    end_session,
    issue_token,
    password_problem,
    require,
    revoke_all,
    start_session,
)

router = APIRouter()
#: How long the language choice is kept: a year. [s]
LANG_COOKIE_MAX_AGE_S = int(units.H_PER_YEAR * units.S_PER_H)
ANY_ROLE = require("admin", "planner", "institution")


def _check_credentials(request: Request, s: Session, email: str, password: str) -> User:
    limiter = request.app.state.limiter
    client = client_address(request)
    # Counted before the hash: a burst of concurrent guesses is limited like a sequence of them.
    wait_s = limiter.attempt(client, email)
    if wait_s > 0:
        raise ApiError(
            429, "too_many_sign_ins", N_("too many sign-in attempts; try again later"),
            headers={"Retry-After": str(int(wait_s) + 1)},
        )
    user = get_one(s, User, email=email.strip().lower())
    s.commit()  # give the connection back to the pool while the hash runs
    if (
        not request.app.state.passwords.verify(user.password_hash if user else None, password)
        or not user.active
    ):
        raise ApiError(401, "wrong_credentials", N_("wrong e-mail or password"))
    limiter.succeeded(client, email)
    return user


def _safe_next(target: str | None) -> str:
    # Only local paths: "//evil.example" or "https://..." would be an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home(request: Request) -> Response:
    """Send each role to its start page."""
    user = await authenticate(request)
    if user is None:
        return redirect("/login")
    return redirect("/survey" if user.role == "institution" else "/rounds")


@router.get("/lang/{lang}", include_in_schema=False)
def choose_lang(lang: str, next: str = "/") -> Response:
    """Remember the user's choice of language (a cookie, kept across sign-ins) and go back."""
    if lang not in LANGS:
        raise ApiError(404, "unknown_language", N_("unknown language"))
    response = redirect(_safe_next(next))
    response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_MAX_AGE_S, samesite="lax")
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """Show the sign-in form."""
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
async def login(
    request: Request,
    s: Annotated[Session, Depends(db)],
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the credentials (rate-limited) and start a session."""
    await check_csrf(request)
    try:
        # Argon2 takes tens of milliseconds of CPU: never on the event loop.
        user = await run_in_threadpool(_check_credentials, request, s, email, password)
    except HTTPException as exc:
        return render(
            request, "login.html", status_code=exc.status_code, next=_safe_next(next),
            error=detail_text(exc, request_lang(request)),
        )
    start_session(request, s, user.id)  # a fresh session (and CSRF token): no session fixation
    s.commit()
    return redirect(_safe_next(next))


@router.post("/logout", include_in_schema=False)
async def logout(
    request: Request, user: Annotated[User, Depends(ANY_ROLE)], s: Annotated[Session, Depends(db)]
) -> Response:
    """End the session on the server (the cookie no longer works, even if kept)."""
    end_session(request, s)
    s.commit()
    return redirect("/login")


def token_out(s: Session, request: Request, user_id: int, name: str = "") -> TokenOut:
    """Issue an API token for ``user_id`` and return it (shown only this once)."""
    max_age_s = request.app.state.settings.session_max_age_s
    token = issue_token(s, user_id, max_age_s, name)
    s.commit()
    return TokenOut(access_token=token, expires_in_s=max_age_s)


@router.post("/api/auth/token", tags=["auth"])
def token(request: Request, body: Credentials, s: Annotated[Session, Depends(db)]) -> TokenOut:
    """Exchange e-mail and password for a bearer token (rate-limited like the sign-in page)."""
    user = _check_credentials(request, s, body.email, body.password)
    return token_out(s, request, user.id, body.name)


@router.get("/api/tokens", tags=["auth"])
def list_tokens(
    user: Annotated[User, Depends(ANY_ROLE)], s: Annotated[Session, Depends(db)]
) -> list[ApiTokenOut]:
    """List API tokens: one's own, or (admins) everyone's; never the tokens themselves."""
    q = select(ApiToken).order_by(ApiToken.id)
    if user.role != "admin":
        q = q.where(ApiToken.user_id == user.id)
    now = utcnow()
    return [
        ApiTokenOut(
            id=t.id,
            user_id=t.user_id,
            name=t.name,
            created_at=aware_utc(t.created_at),
            last_used_at=aware(t.last_used_at),
            expires_at=aware_utc(t.expires_at),
            revoked_at=aware(t.revoked_at),
            live=t.revoked_at is None and aware_utc(t.expires_at) > now,
        )
        for t in s.scalars(q)
    ]


@router.delete("/api/tokens/{token_id}", status_code=204, tags=["auth"])
def revoke_token(
    token_id: PathId, user: Annotated[User, Depends(ANY_ROLE)], s: Annotated[Session, Depends(db)]
) -> Response:
    """Revoke an API token (its owner or an admin); it stops working at once."""
    t = get_or_404(s, ApiToken, token_id, "token")
    if t.user_id != user.id and user.role != "admin":
        raise ApiError(404, "token_not_found", N_("no such token"))  # do not reveal others' tokens
    if t.revoked_at is None:
        t.revoked_at = utcnow()
        s.commit()
    return Response(status_code=204)


@router.post("/api/me/password", status_code=204, tags=["auth"])
def change_password(
    request: Request,
    body: PasswordChange,
    user: Annotated[User, Depends(ANY_ROLE)],
    s: Annotated[Session, Depends(db)],
) -> Response:
    """Change one's password; every other session and every API token of the account ends."""
    stored = s.get(User, user.id)
    assert stored is not None
    if not request.app.state.passwords.verify(stored.password_hash, body.current_password):
        raise ApiError(403, "wrong_current_password", N_("the current password is wrong"))
    if (problem := password_problem(body.new_password)) is not None:
        raise ApiError(422, "weak_password", problem)
    stored.password_hash = request.app.state.passwords.hash(body.new_password)
    sid = request.session.get("sid")
    revoke_all(s, user.id, keep_sid=sid if isinstance(sid, str) else None)
    s.commit()
    return Response(status_code=204)


@router.get("/api/me", tags=["auth"])
def me(user: Annotated[User, Depends(ANY_ROLE)]) -> UserOut:
    """Return the signed-in account."""
    return UserOut.model_validate(user)


def auth_error_response(request: Request, exc: AuthError) -> Response:
    """Render an :class:`AuthError`: JSON for the API, a redirect or an error page for browsers."""
    from fastapi.responses import JSONResponse

    detail = note_text(exc.detail, request_lang(request))
    if request.url.path.startswith("/api/"):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(body(exc.code, detail), status_code=exc.status_code, headers=headers)
    if exc.status_code == 401 and request.method == "GET":
        from urllib.parse import quote

        return redirect(f"/login?next={quote(request.url.path)}")
    return render(request, "error.html", status_code=exc.status_code, message=detail)
