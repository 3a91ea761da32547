"""The FastAPI application: :func:`create_app` wires database, security, routers and pages.

``create_app()`` with no argument uses ``$AIDC_DATABASE_URL`` or a SQLite file created on
first start; the schema is migrated to the latest revision before the app serves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

import aidc
from aidc.web import db
from aidc.web.common import render
from aidc.web.routers import auth, ops, rounds, runs, scenarios, survey, users
from aidc.web.runner import RunWorker
from aidc.web.security import AuthError, LoginLimiter, Passwords, TokenSigner
from aidc.web.settings import Settings

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def create_app(database_url: str | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the web app over the database at ``database_url`` (default: see :class:`Settings`).

    Parameters
    ----------
    database_url : str, optional
        SQLAlchemy URL; overrides ``settings.database_url``.
    settings : Settings, optional
        Limits and secrets; the defaults suit a single server.

    Returns
    -------
    fastapi.FastAPI
        The app; ``app.state`` holds the engine, session factory, worker and limiter.
    """
    settings = settings or Settings()
    if database_url is not None:
        settings = replace(settings, database_url=database_url)
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    secret = settings.secret_key or db.secret_key(sessions)
    worker = RunWorker(sessions, settings.n_run_workers)
    worker.recover()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        worker.shutdown()
        engine.dispose()

    app = FastAPI(
        title="aidc",
        version=aidc.__version__,
        lifespan=lifespan,
        description="Demand survey portal and scenario workspace of the aidc toolkit.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.worker = worker
    app.state.passwords = Passwords(settings.argon2_time_cost, settings.argon2_memory_kib)
    app.state.limiter = LoginLimiter(settings.login_max_failures, settings.login_window_s)
    app.state.tokens = TokenSigner(secret, settings.session_max_age_s)
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="aidc_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.https_only,
    )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if not request.url.path.startswith(("/static/", "/assets/")):
            response.headers["Cache-Control"] = "no-store"
        return response

    app.add_exception_handler(AuthError, auth.auth_error_response)  # type: ignore[arg-type]

    async def page_errors(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith("/api/") or request.url.path.startswith("/assets/"):
            return await http_exception_handler(request, exc)
        return render(request, "error.html", status_code=exc.status_code, message=str(exc.detail))

    app.add_exception_handler(StarletteHTTPException, page_errors)
    for module in (auth, users, rounds, survey, scenarios, runs, ops):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
