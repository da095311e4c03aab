"""Real local webhook receivers for delivery tests (an aiohttp server on its own thread).

Each :class:`Receiver` listens on 127.0.0.1, VERIFIES every request with the reference
``standardwebhooks`` library under any of its secrets (a request that fails verification is
answered 400 and counted in :attr:`Receiver.rejected`), records every request in arrival
order, and answers as told:

* :meth:`Receiver.answer` sets the default behaviour; :meth:`Receiver.script` queues
  behaviours for the next requests (then the default resumes).
* behaviours: :func:`ok`, :func:`status` (500, 410, 429 with ``Retry-After`` …),
  :func:`redirect` (a 3xx with ``Location``),
  :func:`hang` (answer after a long sleep: the sender times out), :func:`slow` (answer 2xx
  late), :func:`close` (drop the connection without an answer).

``OPTIONS`` answers the validation handshake (``allowed_origin``, ``allowed_rate``; None
refuses it; ``handshake_redirect`` answers it with a 307 there instead). Questions a test
asks: :meth:`accepted` (requests answered 2xx), :meth:`unique_ids`,
:meth:`first_seen_sequences` (per ``partitionkey``, the ``sequence`` of each webhook-id the
first time it arrived, in arrival order), :meth:`wait_until`. With :attr:`Receiver.require_token`
set (e.g. to a :class:`tests.support.token_server.TokenServer`'s ``valid``), a request without a
valid ``Authorization: Bearer`` token is answered 401, as a gateway would.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, Self

from aiohttp import web
from standardwebhooks import webhooks as reference

Kind = Literal["ok", "status", "hang", "slow", "close"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Behaviour:
    kind: Kind
    status: int = 204
    delay_s: float = 0.0
    headers: Mapping[str, str] = field(default_factory=dict)
    text: str = ""
    raw: bytes | None = None  # a body sent as is (binary, not UTF-8), instead of ``text``
    compress: bool = False  # gzip or deflate the body when the request accepts it


def ok(code: int = 204) -> Behaviour:
    return Behaviour(kind="ok", status=code)


def status(
    code: int,
    *,
    retry_after: str | None = None,
    body: str = "",
    raw: bytes | None = None,
    compress: bool = False,
) -> Behaviour:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Behaviour(
        kind="status", status=code, headers=headers, text=body, raw=raw, compress=compress
    )


def redirect(code: int, location: str) -> Behaviour:
    return Behaviour(kind="status", status=code, headers={"Location": location})


def hang(seconds: float = 60.0) -> Behaviour:
    return Behaviour(kind="hang", delay_s=seconds)


def slow(seconds: float, code: int = 204) -> Behaviour:
    return Behaviour(kind="slow", status=code, delay_s=seconds)


def close() -> Behaviour:
    return Behaviour(kind="close")


@dataclass(frozen=True, kw_only=True, slots=True)
class Received:
    webhook_id: str
    timestamp: str
    signatures: tuple[str, ...]
    body: bytes
    event: Mapping[str, Any]
    answered: int | None  # None: the connection was dropped or the answer never completed
    at: float
    authorization: str | None = None  # the Authorization header, if one came

    @property
    def sequence(self) -> str | None:
        value = self.event.get("sequence")
        return value if isinstance(value, str) else None

    @property
    def partition(self) -> str | None:
        value = self.event.get("partitionkey")
        return value if isinstance(value, str) else None


class LocalServer:
    """An aiohttp server on 127.0.0.1 on its own thread; use as a context manager or call
    start() and stop(). Subclasses add their routes in :meth:`_routes`."""

    def __init__(self, *, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def _routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the server did not start")
        return self

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        loop.run_until_complete(self._open())
        ready.set()
        loop.run_forever()
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()

    async def _open(self) -> None:
        app = web.Application()
        self._routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.base_events.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class Receiver(LocalServer):
    """One webhook receiver; use as a context manager or call start() and stop()."""

    def __init__(self, secrets: Sequence[str], *, path: str = "/hook") -> None:
        super().__init__(path=path)
        self.secrets: list[str] = list(secrets)
        self.path = path
        self.rejected = 0
        self.handshakes = 0
        # The validation handshake's answer (§6.11): None refuses it.
        self.allowed_origin: str | None = "*"
        self.allowed_rate: str | None = None
        self.handshake_redirect: str | None = None
        # When set, every request must carry ``Authorization: Bearer <t>`` for a token ``t``
        # it calls valid; any other is answered 401 (recorded, counted in ``unauthorised``).
        self.require_token: Callable[[str], bool] | None = None
        self.unauthorised = 0
        self._requests: list[Received] = []
        self._queue: list[Behaviour] = []
        self._default = ok()

    # -- control ------------------------------------------------------------------------

    def answer(self, behaviour: Behaviour) -> None:
        with self._lock:
            self._default = behaviour

    def script(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._queue.extend(behaviours)

    def rotate(self, secrets: Sequence[str]) -> None:
        with self._lock:
            self.secrets = list(secrets)

    def _next(self) -> Behaviour:
        with self._lock:
            return self._queue.pop(0) if self._queue else self._default

    # -- questions ----------------------------------------------------------------------

    def requests(self) -> list[Received]:
        with self._lock:
            return list(self._requests)

    def accepted(self) -> list[Received]:
        return [r for r in self.requests() if r.answered is not None and 200 <= r.answered < 300]

    def unique_ids(self, *, accepted_only: bool = True) -> set[str]:
        chosen = self.accepted() if accepted_only else self.requests()
        return {r.webhook_id for r in chosen}

    def first_seen_sequences(self) -> dict[str, list[str]]:
        """Per partition key, the sequence of each webhook-id at its first arrival, in order."""
        seen: set[str] = set()
        lanes: dict[str, list[str]] = {}
        for request in self.requests():
            if request.webhook_id in seen or request.partition is None:
                continue
            seen.add(request.webhook_id)
            lanes.setdefault(request.partition, []).append(request.sequence or "")
        return lanes

    def wait_until(self, condition: Callable[[Receiver], bool], *, timeout_s: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if condition(self):
                return True
            time.sleep(0.02)
        return condition(self)

    # -- the server ---------------------------------------------------------------------

    def _routes(self, app: web.Application) -> None:
        app.router.add_post(self.path, self._handle)
        app.router.add_route("OPTIONS", self.path, self._handshake)

    def _authorised(self, headers: Mapping[str, str]) -> bool:
        """Whether the request carries a token the receiver takes (any, when none is asked)."""
        if self.require_token is None:
            return True
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme == "Bearer" and self.require_token(token):
            return True
        with self._lock:
            self.unauthorised += 1
        return False

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        if not self._verified(body, headers):
            with self._lock:
                self.rejected += 1
            return web.Response(status=400, text="signature verification failed")
        behaviour = self._next() if self._authorised(headers) else status(401)
        index = self._record(body, headers, behaviour)
        return await self._respond(request, behaviour, index)

    async def _handshake(self, request: web.Request) -> web.Response:
        with self._lock:
            self.handshakes += 1
        if not self._authorised({k.lower(): v for k, v in request.headers.items()}):
            return web.Response(status=401)
        if self.handshake_redirect is not None:
            return web.Response(status=307, headers={"Location": self.handshake_redirect})
        if self.allowed_origin is None or "WebHook-Request-Origin" not in request.headers:
            return web.Response(status=403)
        headers = {"WebHook-Allowed-Origin": self.allowed_origin}
        if self.allowed_rate is not None:
            headers["WebHook-Allowed-Rate"] = self.allowed_rate
        return web.Response(status=200, headers=headers)

    def _verified(self, body: bytes, headers: dict[str, str]) -> bool:
        for secret in list(self.secrets):
            try:
                reference.Webhook(secret).verify(body, headers, json_parse=False)
            except reference.WebhookVerificationError:
                continue
            return True
        return False

    def _record(self, body: bytes, headers: dict[str, str], behaviour: Behaviour) -> int:
        answered = None if behaviour.kind in {"close", "hang"} else behaviour.status
        item = Received(
            webhook_id=headers["webhook-id"],
            timestamp=headers["webhook-timestamp"],
            signatures=tuple(headers["webhook-signature"].split(" ")),
            body=body,
            event=_parse(body),
            answered=answered,
            at=time.monotonic(),
            authorization=headers.get("authorization"),
        )
        with self._lock:
            self._requests.append(item)
            return len(self._requests) - 1

    async def _respond(
        self, request: web.Request, behaviour: Behaviour, index: int
    ) -> web.StreamResponse:
        if behaviour.kind == "close":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        if behaviour.kind in {"hang", "slow"}:
            await asyncio.sleep(behaviour.delay_s)
        if behaviour.kind == "hang":
            return web.Response(status=204)
        answer = web.Response(status=behaviour.status, headers=dict(behaviour.headers))
        if behaviour.raw is not None:
            answer.body = behaviour.raw
        elif behaviour.text:
            answer.text = behaviour.text
        if behaviour.compress:
            answer.enable_compression()
        return answer


def _parse(body: bytes) -> Mapping[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@contextmanager
def receivers(*secret_lists: Sequence[str]) -> Iterator[list[Receiver]]:
    """Several receivers at once, stopped afterwards."""
    started = [Receiver(secrets).start() for secrets in secret_lists]
    try:
        yield started
    finally:
        for receiver in started:
            receiver.stop()
