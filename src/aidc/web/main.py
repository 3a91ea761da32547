"""The FastAPI application: :func:`create_app` wires database, security, routers and pages.

``create_app()`` with no argument uses ``$AIDC_DATABASE_URL`` or a SQLite file created on
first start; the schema is migrated to the latest revision before the app serves.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

import aidc
from aidc.errors import InputError
from aidc.i18n import N_
from aidc.web import db, limits
from aidc.web.common import render
from aidc.web.errors import InputRefused, detail_text, http_error_response
from aidc.web.lang import request_lang
from aidc.web.pdf_jobs import PdfJobs
from aidc.web.routers import auth, ops, rounds, runs, scenarios, survey, users
from aidc.web.runner import RunWorker
from aidc.web.schemas import ErrorOut
from aidc.web.security import AuthError, Busy, LoginLimiter, Passwords, Slots
from aidc.web.settings import CSP, Settings
from aidc.web.uploads import UploadParser

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
SWAGGER_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>aidc API</title>
<link rel="stylesheet" href="/assets/swagger/swagger-ui.css"></head><body><div id="swagger-ui"></div>
<script src="/assets/swagger/swagger-ui-bundle.js"></script><script src="/static/swagger-init.js"></script>
</body></html>"""


def swagger_dir() -> Path:
    """Return the folder of the Swagger UI files shipped by the ``swagger-ui-bundle-v2`` package."""
    import swagger_ui_bundle

    return Path(swagger_ui_bundle.swagger_ui_path)


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
    engine = db.make_engine(
        settings.database_url, settings.db_pool_size, settings.db_max_overflow, settings.busy_wait_s
    )
    db.migrate(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    secret = settings.secret_key or db.secret_key(settings.secret_file)
    worker = RunWorker(sessions, settings)
    worker.recover()
    uploads = UploadParser(settings)
    pdf_jobs = PdfJobs(sessions)

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        yield
        worker.shutdown()
        pdf_jobs.shutdown()
        if (ops_jobs := getattr(app_.state, "ops_jobs", None)) is not None:
            ops_jobs.shutdown()
        uploads.shutdown()
        engine.dispose()

    app = FastAPI(
        title="aidc",
        version=aidc.__version__,
        lifespan=lifespan,
        description="Demand survey portal and scenario workspace of the aidc toolkit.",
        docs_url=None,  # served below from the package: an offline network cannot reach a CDN
        redoc_url=None,
        # The refusals any route may give (sign-in, role or Origin, body size, overload); a "4XX"
        # range would hide FastAPI's own 422 schema, which clients read.
        responses={status: {"model": ErrorOut} for status in (401, 403, 413, 503)},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.worker = worker
    app.state.uploads = uploads
    app.state.pdf_jobs = pdf_jobs
    app.state.passwords = Passwords(
        settings.argon2_time_cost,
        settings.argon2_memory_kib,
        Slots(settings.n_hash_slots, settings.busy_wait_s, N_("password checks")),
    )
    app.state.limiter = LoginLimiter(
        settings.login_max_failures, settings.login_window_s, settings.login_max_failures_per_account
    )
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
        current = request.app.state.settings
        if limits.origin_problem(request, current.allowed_origins):
            response: Response = limits.origin_refused(request)
        else:
            request.state.csp_nonce = nonce = secrets.token_urlsafe(16)
            response = await call_next(request)
            response.headers["Content-Security-Policy"] = CSP.replace(
                "script-src 'self'", f"script-src 'self' 'nonce-{nonce}'"
            )
        response.headers.update(SECURITY_HEADERS)
        if current.https_only:
            response.headers["Strict-Transport-Security"] = f"max-age={current.hsts_max_age_s}"
        if not request.url.path.startswith(("/static/", "/assets/")):
            response.headers["Cache-Control"] = "no-store"
        return response

    app.add_middleware(limits.InFlight, limit=settings.max_in_flight, wait_s=settings.busy_wait_s)
    # Outermost: an oversized body is refused before sessions, authentication or any route.
    app.add_middleware(limits.BodyLimit, max_bytes=settings.max_body_bytes)

    app.add_exception_handler(AuthError, auth.auth_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, limits.validation_errors)
    app.add_exception_handler(Busy, limits.busy)
    app.add_exception_handler(PoolTimeout, limits.busy)

    async def page_errors(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith("/api/") or request.url.path.startswith("/assets/"):
            return http_error_response(request, exc)
        # The page shows the detail in its language (a catalog message, or a generic sentence).
        message = detail_text(exc, request_lang(request))
        return render(request, "error.html", status_code=exc.status_code, message=message)

    app.add_exception_handler(StarletteHTTPException, page_errors)

    async def input_errors(request: Request, exc: Exception) -> Response:
        # Bad input that a route did not name itself (a stored scenario a newer schema refuses):
        # a 422 that says what is wrong, like every other refusal, never a server error.
        assert isinstance(exc, InputError)
        return await page_errors(request, InputRefused(exc.problems))

    app.add_exception_handler(InputError, input_errors)
    for module in (auth, users, rounds, survey, scenarios, runs, ops):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/assets/swagger", StaticFiles(directory=swagger_dir()), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI over ``/openapi.json``, from files shipped in the package."""
        return HTMLResponse(SWAGGER_PAGE)

    return app
