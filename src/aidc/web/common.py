"""What every router shares: the database session, page rendering, redirects, round state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from aidc.errors import Problem
from aidc.i18n import N_, use_lang
from aidc.scenario import Scenario
from aidc.web.db import SurveyRound, utcnow
from aidc.web.errors import ApiError
from aidc.web.lang import helpers, request_lang
from aidc.web.security import csrf_token


def db(request: Request) -> Iterator[Session]:
    """Yield a database session for one request (closed afterwards)."""
    with request.app.state.sessions() as s:
        yield s


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a Jinja2 page in the request's language, with the signed-in user and the CSRF token.

    The page gets ``_`` (the catalog in the page's language) and the number, money and time
    formatters of :func:`aidc.web.lang.helpers`; a router's own context wins over them.
    """
    lang = context.get("lang") or request_lang(request)  # a page with its own ?lang= (ops) speaks it whole
    context = helpers(lang) | context
    context |= {
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
    }
    with use_lang(lang):
        return request.app.state.templates.TemplateResponse(
            request, template, context, status_code=status_code
        )


def lang_of(request: Request) -> str:
    """Return the request's language (see :func:`aidc.web.lang.request_lang`)."""
    return request_lang(request)


def redirect(url: str) -> RedirectResponse:
    """Redirect after a form POST (303 See Other, so the browser GETs the target)."""
    return RedirectResponse(url, status_code=303)


def aware(when: datetime | None) -> datetime | None:
    """Return ``when`` with UTC attached (SQLite gives naive datetimes back)."""
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def aware_utc(when: datetime) -> datetime:
    """Return ``when`` with UTC attached (for a column that is never NULL)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def round_open(r: SurveyRound) -> bool:
    """Return whether institutions may still change answers in round ``r``."""
    closes_at = aware(r.closes_at)
    return not r.closed and (closes_at is None or utcnow() < closes_at)


def get_or_404(s: Session, model: type[Any], id_: int, what: str) -> Any:
    """Return the row ``id_`` of ``model`` or raise 404 naming ``what``."""
    row = s.get(model, id_)
    if row is None:
        raise ApiError(404, f"{what.replace(' ', '_')}_not_found", NOT_FOUND.get(what, N_("not found")))
    return row


#: The message of a missing row by what is missing: catalog ids, which the error page translates.
NOT_FOUND = {
    "run": N_("no such run"),
    "scenario": N_("no such scenario"),
    "survey round": N_("no such survey round"),
    "user": N_("no such user"),
    "token": N_("no such token"),
}


#: A row id in a path or query: positive and within a 32-bit integer (PostgreSQL's ``integer``).
MAX_ID = 2**31 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Query(ge=1, le=MAX_ID)]


#: Scenario fields that name a file on the machine that runs it. Through the web they must stay
#: empty: the survey comes from a linked round, the weather is the shipped Jeonju year, and no
#: user of the web service can make the server read one of its files.
FILE_FIELDS = (("demand", "survey"), ("energy", "weather"))


def server_file_problems(scenario: Scenario) -> list[Problem]:
    """Return a problem for each file-naming field the scenario sets (see :data:`FILE_FIELDS`)."""
    return [
        Problem(
            "the web service does not read files named in a scenario; leave this empty",
            field=f"{section}.{name}",
            found=value,
            expected="null (link a survey round instead)",
        )
        for section, name in FILE_FIELDS
        if (value := getattr(getattr(scenario, section), name)) is not None
    ]
