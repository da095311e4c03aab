"""A ceiling on request bodies, so one request cannot fill the server's memory.

Every route reads its body whole (JSON, a CSV of acknowledgements), so a body larger than
``Settings.max_request_bytes`` is refused with a 413 problem (``request_entity_too_large``):
at once when its ``Content-Length`` says so, otherwise as soon as the bytes read pass the
ceiling (a chunked upload), before the route sees any of it. Supply uploads to
``POST /v1/loads`` are spooled to disk by the form parser and may be gigabytes: they are not
limited here.
"""

from __future__ import annotations

from typing import Final

import fastapi
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors

TOO_LARGE: Final = 413
UNLIMITED_PATHS: Final = frozenset({"/v1/loads"})


class BodyLimit:
    """Pure ASGI middleware: refuse request bodies over ``limit`` bytes."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        declared = content_length(scope)
        if declared is not None and declared > self.limit:
            await errors.response(self._problem(scope))(scope, receive, send)
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        """``receive``, raising a 413 once the body read passes the limit; the route's error
        mapping turns it into the problem."""
        read = 0

        async def counted() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > self.limit:
                    raise fastapi.HTTPException(TOO_LARGE, detail=self._detail())
            return message

        return counted

    def _problem(self, scope: Scope) -> errors.Problem:
        return errors.from_http_status(TOO_LARGE, detail=self._detail(), instance=scope["path"])

    def _detail(self) -> str:
        return f"the request body is larger than the {self.limit:,} bytes this server accepts"


def content_length(scope: Scope) -> int | None:
    """The request's declared ``Content-Length``, or None (absent or not a number)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return _number(value)
    return None


def _number(value: bytes) -> int | None:
    text = value.decode("latin-1").strip()
    return int(text) if text.isdigit() else None
