"""Signing in and out (pages and API tokens), the home page and ``/api/me``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from aidc.web.common import db, redirect, render
from aidc.web.db import User, get_one
from aidc.web.schemas import Credentials, TokenOut, UserOut
from aidc.web.security import (
    AuthError,
    authenticate,
    check_csrf,
    client_address,
    require,
)

router = APIRouter()
ANY_ROLE = require("admin", "planner", "institution")


def _check_credentials(request: Request, s: Session, email: str, password: str) -> User:
    limiter = request.app.state.limiter
    client = client_address(request)
    wait_s = limiter.blocked_for_s(client, email)
    if wait_s > 0:
        raise HTTPException(
            429, "too many failed sign-ins; try again later", headers={"Retry-After": str(int(wait_s) + 1)}
        )
    user = get_one(s, User, email=email.strip().lower())
    if (
        not request.app.state.passwords.verify(user.password_hash if user else None, password)
        or not user.active
    ):
        limiter.failed(client, email)
        raise HTTPException(401, "wrong e-mail or password")
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
        user = _check_credentials(request, s, email, password)
    except HTTPException as exc:
        return render(
            request, "login.html", status_code=exc.status_code, next=_safe_next(next), error=exc.detail
        )
    request.session.clear()  # a fresh session (and CSRF token) on sign-in: no session fixation
    request.session["uid"] = user.id
    return redirect(_safe_next(next))


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, user: Annotated[User, Depends(ANY_ROLE)]) -> Response:
    """End the session."""
    request.session.clear()
    return redirect("/login")


@router.post("/api/auth/token", tags=["auth"])
def token(request: Request, body: Credentials, s: Annotated[Session, Depends(db)]) -> TokenOut:
    """Exchange e-mail and password for a bearer token (rate-limited like the sign-in page)."""
    user = _check_credentials(request, s, body.email, body.password)
    tokens = request.app.state.tokens
    return TokenOut(access_token=tokens.issue(user.id), expires_in_s=tokens.max_age_s)


@router.get("/api/me", tags=["auth"])
def me(user: Annotated[User, Depends(ANY_ROLE)]) -> UserOut:
    """Return the signed-in account."""
    return UserOut.model_validate(user)


def auth_error_response(request: Request, exc: AuthError) -> Response:
    """Render an :class:`AuthError`: JSON for the API, a redirect or an error page for browsers."""
    from fastapi.responses import JSONResponse

    if request.url.path.startswith("/api/"):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
    if exc.status_code == 401 and request.method == "GET":
        from urllib.parse import quote

        return redirect(f"/login?next={quote(request.url.path)}")
    return render(request, "error.html", status_code=exc.status_code, message=exc.detail)
