"""The demo's partner systems: local webhook receivers that verify and print what they get.

One aiohttp server on 127.0.0.1 answers every demo subscription at its own path (the paths
come from the demo registry file). Each request is verified with the reference
``standardwebhooks`` library under the endpoint's secrets, exactly as a partner's system
would verify it: a request that fails is answered 400 and printed as rejected; one that
verifies is answered 204, recorded and printed.

The server is bound before the registry is applied (the URLs carry its port), so the inboxes
are handed over afterwards with :meth:`Receivers.open_inboxes`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib import parse

from aiohttp import web
from standardwebhooks import webhooks as standard

from api.demo import errors

PREFIX: Final = "/hooks"
Printer = Callable[[str], None]


@dataclass(frozen=True, kw_only=True, slots=True)
class Inbox:
    """One partner service's receiver: where its webhooks arrive and how they are signed."""

    service_id: str  # PARTNER/SERVICE
    url: str
    secrets: tuple[str, ...]

    @property
    def path(self) -> str:
        return parse.urlsplit(self.url).path


@dataclass(frozen=True, kw_only=True, slots=True)
class Received:
    """One verified event, as the partner's system saw it."""

    service_id: str
    webhook_id: str
    event: Mapping[str, Any]

    @property
    def event_type(self) -> str:
        return str(self.event.get("type", ""))

    @property
    def data(self) -> Mapping[str, Any]:
        data = self.event.get("data")
        return data if isinstance(data, dict) else {}

    @property
    def submission_ref(self) -> str | None:
        value = self.data.get("submission_ref")
        return value if isinstance(value, str) else None

    def as_json(self) -> dict[str, Any]:
        return {
            "webhook_id": self.webhook_id,
            "type": self.event_type,
            "verified": True,
            "fields": self.data.get("fields", []),
            "data": self.data,
        }


@dataclass(kw_only=True)
class _State:
    inboxes: dict[str, Inbox] = field(default_factory=dict)  # path -> inbox
    received: list[Received] = field(default_factory=list)
    rejected: dict[str, int] = field(default_factory=dict)  # service id -> count
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


class Receivers:
    def __init__(self, *, port: int, printer: Printer, verbose: bool = True) -> None:
        self._port = port
        self._print = printer
        self._verbose = verbose
        self._state = _State()
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}{PREFIX}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(PREFIX + "/{tail:.+}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        try:
            await site.start()
        except OSError as exc:
            await self.stop()
            raise errors.DemoFailed(
                f"the receivers cannot listen on 127.0.0.1:{self._port} ({exc.strerror}); "
                "choose another port with --receiver-port"
            ) from exc
        server = site._server
        if isinstance(server, asyncio.base_events.Server) and server.sockets:
            self._port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def open_inboxes(self, inboxes: Sequence[Inbox]) -> None:
        self._state.inboxes = {i.path: i for i in inboxes}

    # -- questions ----------------------------------------------------------------------

    def received(self, service_id: str | None = None) -> list[Received]:
        return [r for r in self._state.received if service_id in (None, r.service_id)]

    def rejected(self, service_id: str) -> int:
        return self._state.rejected.get(service_id, 0)

    async def wait_for_arrival(self, timeout_s: float) -> None:
        """Until the next request arrives, or ``timeout_s``."""
        self._state.arrived.clear()
        try:
            await asyncio.wait_for(self._state.arrived.wait(), timeout_s)
        except TimeoutError:
            return

    # -- the handler ----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        inbox = self._state.inboxes.get(request.path)
        if inbox is None:
            return web.Response(status=404, text="no demo receiver here")
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            if not verified(body, headers, inbox.secrets):
                return self._reject(inbox)
            self._accept(inbox, headers["webhook-id"], _event(body))
        finally:
            self._state.arrived.set()
        return web.Response(status=204)

    def _reject(self, inbox: Inbox) -> web.Response:
        rejected = self._state.rejected
        rejected[inbox.service_id] = rejected.get(inbox.service_id, 0) + 1
        self._print(f"[{inbox.service_id}] REJECTED a request: its signature did not verify")
        return web.Response(status=400, text="signature verification failed")

    def _accept(self, inbox: Inbox, webhook_id: str, event: Mapping[str, Any]) -> None:
        item = Received(service_id=inbox.service_id, webhook_id=webhook_id, event=event)
        repeat = any(r.webhook_id == webhook_id for r in self._state.received)
        self._state.received.append(item)
        self._print(describe(item, repeat=repeat, verbose=self._verbose))


def verified(body: bytes, headers: Mapping[str, str], secrets: Sequence[str]) -> bool:
    """Whether the request verifies under any of the secrets (the Standard Webhooks way)."""
    for secret in secrets:
        try:
            standard.Webhook(secret).verify(body, dict(headers), json_parse=False)
        except (standard.WebhookVerificationError, UnicodeDecodeError):
            continue
        return True
    return False


def describe(item: Received, *, repeat: bool = False, verbose: bool = True) -> str:
    """What a receiver prints for one verified event."""
    again = " (a retry of one already received)" if repeat else ""
    head = (
        f"[{item.service_id}] received {item.event_type} {item.webhook_id}, "
        f"signature verified{again}"
    )
    if not verbose:
        return head
    data = json.dumps(item.data, indent=2, ensure_ascii=False, sort_keys=True)
    return head + "\n" + "\n".join("    " + line for line in data.splitlines())


def _event(body: bytes) -> Mapping[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
