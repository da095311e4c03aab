"""Headers every API response carries, whatever route or error produced it.

Answers name people, their moves and what partners were told, so nothing may be kept by a
browser, a proxy or a client library's cache unless a route says it may (the public event
schemas do): a response without ``Cache-Control`` gets ``no-store``. Every response says
``X-Content-Type-Options: nosniff``, so a JSON or CSV answer is never run as something else.
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE: Final = "no-store"


class ResponseHeaders:
    """Pure ASGI middleware adding the headers to each ``http.response.start``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Cache-Control", NO_STORE)
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, receive, send_with_headers)
