"""Guards in front of every route: request-body limit, Origin check, error bodies that never echo input.

- :class:`BodyLimit` is a pure ASGI middleware: a body larger than the limit is refused (413)
  from its ``Content-Length`` or, for a chunked body, as soon as the count passes the limit,
  before any route (or authentication) reads it.
- :func:`origin_problem` refuses an unsafe request whose ``Origin`` (or ``Referer``) is another
  site: a second line behind the CSRF token and SameSite cookie.
- :func:`validation_errors` answers 422 with where and why, never the input itself: echoing a
  NaN would make the JSON answer fail (500), and echoing a large body doubles it.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aidc.errors import Note
from aidc.i18n import N_
from aidc.web.errors import body, note_text, validation_items
from aidc.web.lang import request_lang, scope_lang
from aidc.web.security import BUSY, SAFE_METHODS, Busy

ORIGIN_REFUSED = N_("a request from another site is refused (Origin check)")


class InFlight:
    """At most ``limit`` requests are worked on at once; the next waits up to ``wait_s``, then 503.

    Without it a burst queues inside the server (threads, connections, the GIL) and every request
    gets slow; with it the ones admitted finish quickly and the rest are told when to come back.
    A counter under a thread lock, not an asyncio semaphore: test clients run each request on an
    event loop of its own.
    """

    POLL_S = 0.02

    def __init__(self, app: ASGIApp, limit: int, wait_s: float) -> None:
        self.app = app
        self.limit = limit
        self.wait_s = wait_s
        self.active = 0
        self._lock = threading.Lock()

    def _enter(self) -> bool:
        with self._lock:
            if self.active >= self.limit:
                return False
            self.active += 1
            return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Admit the request when a place is free within ``wait_s``, else answer 503."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.wait_s
        while not self._enter():
            if time.monotonic() > deadline:
                response = JSONResponse(
                    body("busy", note_text(BUSY, scope_lang(scope))),
                    status_code=503,
                    # The body was not read: the connection cannot carry another request.
                    headers={"Retry-After": str(max(int(math.ceil(self.wait_s)), 1)), "Connection": "close"},
                )
                await response(scope, receive, send)
                return
            await asyncio.sleep(self.POLL_S)
        try:
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self.active -= 1


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` (413) before the app reads them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting its body; answer 413 instead once it passes the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = refused = False

        async def counted() -> Message:
            # A chunked body has no length up front: once past the limit, answer 413 and tell the
            # app the client left, so whatever it answers after is dropped.
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    refused = True
                    if not started:
                        await self._refuse(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, tracked)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = Note("web_limit.body_too_large", limit=self.max_bytes // 1024)
        response = JSONResponse(
            body("body_too_large", note_text(detail, scope_lang(scope))),
            status_code=413,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


def origin_refused(request: Request) -> Response:
    """Answer 403 to a request :func:`origin_problem` refuses, in its language."""
    detail = note_text(ORIGIN_REFUSED, request_lang(request))
    return JSONResponse(body("origin_refused", detail), status_code=403)


def origin_problem(request: Request, allowed: tuple[str, ...]) -> str | None:
    """Return why an unsafe request from another site is refused, or None when it may go on.

    A request without ``Origin`` and ``Referer`` (a script, curl) is let through: it cannot
    carry a browser's cookie by accident, and bearer tokens are never sent by browsers.
    """
    if request.method in SAFE_METHODS:
        return None
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent:
        return None
    own = _origin_of(str(request.base_url))
    origin = _origin_of(sent)
    if origin is not None and (origin == own or origin in {a.lower().rstrip("/") for a in allowed}):
        return None
    return ORIGIN_REFUSED


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


async def validation_errors(request: Request, exc: Exception) -> Response:
    """Answer a request that failed validation: 422 with location, message and type of each error.

    The message is in the request's language and names the field (:mod:`aidc.web.fields`).
    """
    assert isinstance(exc, RequestValidationError)
    errors = [item | {"loc": _finite(item["loc"])} for item in validation_items(exc, request_lang(request))]
    return Response(
        json.dumps(body("validation_error", errors), allow_nan=False, ensure_ascii=False).encode("utf-8"),
        status_code=422,
        media_type="application/json",
    )


async def busy(request: Request, exc: Exception) -> Response:
    """Answer 503 with ``Retry-After`` when a bounded resource stayed full (never a 500)."""
    wait_s = exc.retry_after_s if isinstance(exc, Busy) else 5.0
    message = exc.message if isinstance(exc, Busy) else BUSY
    return JSONResponse(
        body("busy", note_text(message, request_lang(request))),
        status_code=503,
        headers={"Retry-After": str(max(int(math.ceil(wait_s)), 1))},
    )
