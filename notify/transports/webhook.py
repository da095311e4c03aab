"""The webhook sender behind a narrow interface, with a fake beside it for unit tests.

:class:`AiohttpSender` is the real one. aiohttp was chosen by measurement (``bench/
delivery_client.py``, docs/benchmarks.md "Delivery"): it sends signed POSTs an order of
magnitude faster than ``httpx.AsyncClient`` on the same sink. It connects only to addresses the
SSRF guard vetted (a resolver that refuses non-global answers, §6.10), never follows
redirects, and times out after 15 s (connect 5 s). A request for an endpoint with OAuth2
client credentials gets its access token first, through the same session and guard
(:mod:`notify.transports.oauth`; a token endpoint failure is the attempt's ``auth_failed``,
and a 401 from the receiver drops the token so the next attempt fetches a fresh one). A
request for an endpoint with a client certificate goes with that endpoint's own TLS context
(:mod:`notify.transports.mtls`: the chain and key presented, the receiver verified against the
endpoint's CA certificates when it has them; contexts kept per material); a handshake the
receiver refuses, or a certificate that cannot be loaded, is the attempt's ``tls``.
Results carry the status, the headers the retry logic needs and, for non-2xx answers, a
response excerpt of at most 1 KiB (asked for uncompressed: ``accept-encoding: identity``).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Final, Protocol

import aiohttp
from aiohttp import abc as aiohttp_abc

from notify import delivery_errors, response, ssrf
from notify.transports import mtls, oauth

DEFAULT_TIMEOUT_S: Final = 15.0
MAX_TIMEOUT_S: Final = 30.0
CONNECT_TIMEOUT_S: Final = 5.0
EXCERPT_BYTES: Final = 1024
KEPT_HEADERS: Final = frozenset({"retry-after", "webhook-allowed-origin", "webhook-allowed-rate"})


USER_AGENT: Final = "addresshub-webhooks/1"
#: Answers are not decompressed (the excerpt is at most 1 KiB), so none are asked for compressed.
PLAIN_ANSWERS: Final = {"accept-encoding": "identity"}


def bearer(token: str | None) -> dict[str, str]:
    """The ``authorization`` header an endpoint's bearer token asks for (none without one)."""
    return {"authorization": f"Bearer {token}"} if token else {}


def event_headers(
    signed: Mapping[str, str], *, content_type: str, bearer_token: str | None
) -> dict[str, str]:
    """A signed event's request headers: the signature's, the content type, the hub's user
    agent and the endpoint's bearer token (deliveries, test events, operational events)."""
    return {**signed, "content-type": content_type, "user-agent": USER_AGENT} | bearer(bearer_token)


@dataclass(frozen=True, kw_only=True, slots=True)
class WebhookRequest:
    url: str
    body: bytes
    headers: Mapping[str, str]
    timeout_s: float = DEFAULT_TIMEOUT_S
    method: str = "POST"  # OPTIONS for the validation handshake
    oauth: oauth.OAuthClient | None = None  # resolved to ``authorization`` by the sender
    tls: mtls.ClientTLS | None = None  # the client certificate presented in the handshake


@dataclass(frozen=True, kw_only=True, slots=True)
class WebhookResult:
    """What came back: an HTTP status, or the kind of failure before any answer."""

    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    excerpt: str | None = None
    error_kind: response.ErrorKind | None = None
    latency_s: float = 0.0

    def __post_init__(self) -> None:
        if (self.status is None) == (self.error_kind is None):
            raise ValueError("a result has either a status or an error kind")


class Sender(Protocol):
    async def send(self, request: WebhookRequest) -> WebhookResult: ...

    async def close(self) -> None: ...


class GuardedResolver(aiohttp_abc.AbstractResolver):
    """Resolves with the system resolver, then refuses unless every answer is vetted."""

    def __init__(self, policy: ssrf.TargetPolicy) -> None:
        self._policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[aiohttp_abc.ResolveResult]:
        try:
            addresses = await ssrf.vetted(
                ssrf.Target(url="", scheme="", host=host, port=port), self._policy
            )
        except delivery_errors.HostNotResolved as exc:
            raise OSError(f"cannot resolve {host}") from exc
        return [_result(host, a, port) for a in addresses]

    async def close(self) -> None:
        return None


def _result(host: str, address: str, port: int) -> aiohttp_abc.ResolveResult:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return {"hostname": host, "host": address, "port": port, "family": family,
            "proto": 0, "flags": socket.AI_NUMERICHOST}  # fmt: skip


class AiohttpSender:
    """Posts signed events with one pooled aiohttp session (created in the running loop)."""

    def __init__(
        self,
        *,
        policy: ssrf.TargetPolicy,
        limit: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._policy = policy
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None
        self._clock = clock
        self._tokens = oauth.TokenCache(clock)
        self._contexts = mtls.ContextCache()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self._policy), limit=self._limit, ttl_dns_cache=10
            )
            self._session = aiohttp.ClientSession(
                connector=connector, auto_decompress=False, headers=PLAIN_ANSWERS
            )
        return self._session

    async def send(self, request: WebhookRequest) -> WebhookResult:
        started = time.perf_counter()
        try:
            ssrf.check_url(request.url, self._policy)
            tls = self._contexts.get(request.tls) if request.tls is not None else True
            authorised = await self._authorised(request)
            status, headers, excerpt = await self._post(authorised, tls)
        except oauth.TokenUnavailable as exc:
            return _failed("auth_failed", started, excerpt=str(exc))
        except mtls.ClientCertificateUnusable as exc:
            return _failed("tls", started, excerpt=str(exc))
        except (delivery_errors.TargetNotAllowed, aiohttp.InvalidURL):
            return _failed("ssrf_block", started)
        except Exception as exc:
            kind = error_kind(exc)
            if kind is None:
                raise
            return _failed(kind, started)
        latency = time.perf_counter() - started
        if status == 401 and request.oauth is not None:
            self._tokens.drop(request.oauth, authorised.headers["authorization"][len("Bearer ") :])
        return WebhookResult(status=status, headers=headers, excerpt=excerpt, latency_s=latency)

    async def _authorised(self, request: WebhookRequest) -> WebhookRequest:
        """The request with its OAuth2 access token in ``authorization`` (as is without)."""
        if request.oauth is None:
            return request
        token = await self._tokens.token(request.oauth, self._fetch)
        return replace(request, headers={**request.headers, **bearer(token)})

    async def _fetch(self, client: oauth.OAuthClient) -> oauth.Token:
        """A new access token; any failure is :class:`oauth.TokenUnavailable`, naming only
        what the token endpoint answered (never the secret, never a token)."""
        try:
            ssrf.check_url(client.token_url, self._policy)
            status, raw = await self._token_post(client)
        except (delivery_errors.TargetNotAllowed, aiohttp.InvalidURL):
            raise oauth.TokenUnavailable("token endpoint not allowed (ssrf_block)") from None
        except Exception as exc:
            kind = error_kind(exc)
            if kind is None:
                raise
            raise oauth.TokenUnavailable(f"token endpoint unreachable ({kind})") from None
        return oauth.parse_token(status, raw, now=self._clock())

    async def _token_post(self, client: oauth.OAuthClient) -> tuple[int, bytes]:
        headers = {"authorization": oauth.basic_auth(client), "user-agent": USER_AGENT,
                   "content-type": "application/x-www-form-urlencoded",
                   "accept": "application/json"}  # fmt: skip
        timeout = aiohttp.ClientTimeout(total=DEFAULT_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
        async with self._client().post(
            client.token_url, data=oauth.form_body(client), headers=headers,
            allow_redirects=False, timeout=timeout,
        ) as resp:  # fmt: skip
            return resp.status, await resp.content.read(oauth.TOKEN_BYTES)

    async def _post(
        self, request: WebhookRequest, tls: ssl.SSLContext | bool
    ) -> tuple[int, dict[str, str], str | None]:
        timeout = aiohttp.ClientTimeout(
            total=min(request.timeout_s, MAX_TIMEOUT_S), connect=CONNECT_TIMEOUT_S
        )
        async with self._client().request(
            request.method,
            request.url,
            data=request.body or None,
            headers=dict(request.headers),
            allow_redirects=False,
            timeout=timeout,
            ssl=tls,
        ) as resp:
            raw = await resp.content.read(EXCERPT_BYTES)
            kept = {k.lower(): v for k, v in resp.headers.items() if k.lower() in KEPT_HEADERS}
            excerpt = None if 200 <= resp.status < 300 else response.excerpt(raw, EXCERPT_BYTES)
            return resp.status, kept, excerpt

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _failed(
    kind: response.ErrorKind, started: float, *, excerpt: str | None = None
) -> WebhookResult:
    return WebhookResult(error_kind=kind, excerpt=excerpt, latency_s=time.perf_counter() - started)


def error_kind(exc: BaseException) -> response.ErrorKind | None:
    """The §6.4 kind of a client exception; None for exceptions that are not about the send.

    A TLS alert from the receiver is ``tls`` whatever aiohttp wraps it in: under TLS 1.3 a
    refused client certificate arrives after the client's side of the handshake, as the
    lost connection's cause."""
    if isinstance(exc, aiohttp.ClientConnectionError) and _tls_cause(exc):
        return "tls"
    checks: tuple[tuple[type[BaseException], response.ErrorKind], ...] = (
        (aiohttp.ClientConnectorDNSError, "dns"),
        (aiohttp.ClientSSLError, "tls"),
        (aiohttp.ClientConnectorCertificateError, "tls"),
        (aiohttp.ConnectionTimeoutError, "connect"),
        (aiohttp.ClientConnectorError, "connect"),
        (asyncio.TimeoutError, "timeout"),
        (aiohttp.ServerDisconnectedError, "reset"),
        (aiohttp.ClientPayloadError, "reset"),
        (aiohttp.ClientConnectionError, "reset"),
        (aiohttp.ClientResponseError, "reset"),
    )
    return next((kind for cls, kind in checks if isinstance(exc, cls)), None)


def _tls_cause(exc: BaseException) -> bool:
    cause = exc.__cause__
    for _ in range(8):  # a chain is short; never follow a loop
        if cause is None or isinstance(cause, ssl.SSLError):
            break
        cause = cause.__cause__
    return isinstance(cause, ssl.SSLError)


Script = Callable[[WebhookRequest], WebhookResult]


class FakeSender:
    """Records every request and answers from a script (unit tests only)."""

    def __init__(self, script: Script | None = None) -> None:
        self.requests: list[WebhookRequest] = []
        self._script = script or (lambda _request: WebhookResult(status=204))
        self.closed = False

    async def send(self, request: WebhookRequest) -> WebhookResult:
        self.requests.append(request)
        return self._script(request)

    async def close(self) -> None:
        self.closed = True
