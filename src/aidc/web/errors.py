"""Every error answer of the JSON API, in the reader's language, with a code that does not change.

An answer is ``{"detail": ..., "code": ...}``:

- ``detail`` is what FastAPI clients already read: a sentence in the request's language
  (:func:`aidc.web.lang.request_lang`), or for a 422 a list of ``{loc, msg, type}`` items whose
  ``msg`` is in that language;
- ``code`` is a stable machine-readable name (``run_not_found``, ``validation_error``,
  ``busy``): clients branch on it and never parse the prose, which changes with the language.

A router raises :class:`ApiError` with a code and a catalog message id with named parameters
(a :class:`aidc.errors.Note`), so the sentence is written only when the reader is known. The
detail stays a ``str`` (the English sentence), so pages that show ``exc.detail`` keep working
and translate it from its id.

Why not RFC 9457 problem details: its ``detail`` is one string, but FastAPI's 422 ``detail`` is a
list that clients and the OpenAPI schema (``HTTPValidationError``) expect, and its media type
``application/problem+json`` is not what the schema declares. ``code`` plays the part of its
``type`` without a URL that nothing would serve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from aidc import i18n
from aidc.errors import Note, Problem
from aidc.i18n import N_
from aidc.i18n.problems import describe, localise
from aidc.web.fields import field_label, validation_message
from aidc.web.lang import request_lang
from aidc.web.uploads import UploadRefused

#: Said in Korean when a detail has no catalog entry (an exception raised by the framework).
UNKNOWN_DETAIL = N_("the request could not be handled (HTTP {status})")
#: The lead-in of a refusal for bad input, before its problems.
INPUT_PROBLEMS = N_("the input has problems: {problems}")
#: The details Starlette gives the errors it raises itself (the status phrase), in the catalog.
FRAMEWORK_DETAILS = (N_("Not Found"), N_("Method Not Allowed"))


class ApiError(HTTPException):
    """An error answer: HTTP status, a stable ``code`` and a catalog message with its parameters.

    Parameters whose value is a :class:`~aidc.errors.Note` are translated too (a role, a status).

    Examples
    --------
    >>> e = ApiError(409, "scenario_name_taken", "a scenario called '{name}' exists", name="a")
    >>> e.detail, detail_text(e, "ko"), e.code
    ("a scenario called 'a' exists", "'a' 이름의 시나리오가 이미 있습니다", 'scenario_name_taken')
    """

    def __init__(
        self, status_code: int, code: str, msgid: str, /, headers: Mapping[str, str] | None = None,
        **params: Any,
    ) -> None:
        note = msgid if isinstance(msgid, Note) else Note(msgid)  # maybe written already, with parameters
        note = Note(note.msgid, **{**note.params, **params}) if params else note
        super().__init__(status_code, note, dict(headers) if headers else None)
        self.code = code

    def detail_in(self, lang: str) -> Any:
        """Return the detail in ``lang``."""
        return note_text(self.detail, lang)

    def text_in(self, lang: str) -> str:
        """Return the detail as one sentence in ``lang`` (what a page shows)."""
        return note_text(self.detail, lang)


class InvalidFields(ApiError):
    """A 422 on fields of a body the model accepted (a rule of the service): items as pydantic's."""

    def __init__(self, code: str, items: Sequence[tuple[tuple[str | int, ...], Problem]]) -> None:
        super().__init__(422, code, N_("some fields are not valid"))
        self.items = list(items)

    def detail_in(self, lang: str) -> Any:
        """Return the ``{loc, msg, type}`` items, each message in ``lang`` naming its field."""
        return [{"loc": list(loc), "msg": field_message(loc, _said(p, lang), lang), "type": "value_error"}
                for loc, p in self.items]


class InputRefused(ApiError):
    """Bad input the library found (:class:`aidc.errors.InputError`) as a 422 in the reader's language.

    The detail is one sentence listing each problem where it is and what was expected, so a page
    shows it as it is and an API client reads it like any other error; ``code`` is
    ``input_error`` unless the route names the refusal more precisely.
    """

    def __init__(self, problems: Sequence[Problem], code: str = "input_error") -> None:
        super().__init__(422, code, INPUT_PROBLEMS, problems="; ".join(str(p) for p in problems))
        self.problems = list(problems)

    def detail_in(self, lang: str) -> Any:
        """Return the sentence in ``lang``."""
        return self.text_in(lang)

    def text_in(self, lang: str) -> str:
        """Return the problems described in ``lang``, after the catalog's lead-in."""
        described = "; ".join(describe(_field_named(p, lang), lang) for p in self.problems)
        return i18n.gettext(INPUT_PROBLEMS, lang, problems=described)


def _field_named(problem: Problem, lang: str) -> Problem:
    """Return ``problem`` with its field named as the pages name it (a path of keys is code)."""
    if problem.field is None:
        return problem
    return replace(problem, field=field_label(tuple(problem.field.split(".")), lang))


def _said(problem: Problem, lang: str) -> str:
    message, expected = localise(problem, lang)
    if expected is None:
        return message
    return f"{message} ({i18n.gettext('expected {expected}', lang, expected=expected)})"


def upload_refused(exc: UploadRefused) -> ApiError:
    """Return the API error of a file over an upload limit (its code: ``upload_<limit>``)."""
    return ApiError(exc.status_code, f"upload_{exc.key}", exc.note)


def note_text(message: Any, lang: str) -> str:
    """Return a message (a :class:`Note`, a catalog id or text) in ``lang``, its Note parameters too.

    A parameter that is a tuple of Notes (the roles that may do something) is joined with a slash.
    """
    params = getattr(message, "params", None) or {}
    shown = {k: _param(v, lang) for k, v in params.items()}
    msgid = getattr(message, "msgid", message)
    return i18n.gettext(str(msgid), lang, **shown)


def _param(value: Any, lang: str) -> Any:
    if isinstance(value, Note):
        return note_text(value, lang)
    if isinstance(value, tuple) and all(isinstance(v, Note) for v in value):
        return " / ".join(note_text(v, lang) for v in value)
    return value


def detail_text(exc: HTTPException, lang: str) -> str:
    """Return the detail of an HTTP error as one sentence in ``lang`` (pages show it so)."""
    if isinstance(exc, ApiError):  # its detail is one sentence, even where the API lists items
        return exc.text_in(lang)
    detail = exc.detail
    if isinstance(detail, str) and (lang == "en" or i18n.has(getattr(detail, "msgid", detail), lang)):
        return note_text(detail, lang)
    return i18n.gettext(UNKNOWN_DETAIL, lang, status=exc.status_code)


def code_of(status_code: int) -> str:
    """Return the code of an error the framework raised: its status phrase in snake case.

    Examples
    --------
    >>> code_of(404), code_of(405)
    ('not_found', 'method_not_allowed')
    """
    try:
        return HTTPStatus(status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return f"http_{status_code}"


def body(code: str, detail: Any) -> dict[str, Any]:
    """Return the JSON body of an error answer."""
    return {"detail": detail, "code": code}


def field_message(loc: Sequence[str | int], message: str, lang: str) -> str:
    """Return ``message`` about the field at ``loc``, the field named by its label in ``lang``."""
    return i18n.gettext("{field}: {message}", lang, field=field_label(loc, lang), message=message)


def http_error_response(request: Request, exc: HTTPException) -> Response:
    """Answer an HTTP error of the API in the request's language (see the module's docstring)."""
    lang = request_lang(request)
    if isinstance(exc, ApiError):
        code, detail = exc.code, exc.detail_in(lang)
    else:
        code = code_of(exc.status_code)
        detail = detail_text(exc, lang) if isinstance(exc.detail, str) or lang != "en" else exc.detail
    return JSONResponse(body(code, detail), status_code=exc.status_code, headers=exc.headers)


def validation_items(exc: RequestValidationError, lang: str) -> list[dict[str, Any]]:
    """Return pydantic's errors as ``{loc, msg, type}`` items, ``msg`` in ``lang`` naming the field."""
    items = []
    for e in exc.errors():
        loc = tuple(e.get("loc", ()))
        msg = field_message(loc, validation_message(e, lang), lang)
        items.append({"loc": list(loc), "msg": msg, "type": str(e.get("type", ""))})
    return items
