"""OAuth2 client credentials (RFC 6749 §4.4) for receivers behind an API gateway.

An endpoint may name a token endpoint, a client id and secret and an optional scope
(sharing-and-delivery §6.3: an ``authorization`` header besides the signature). The sender
asks the token endpoint for an access token (form-encoded ``grant_type=client_credentials``,
the client authenticated by HTTP Basic per §2.3.1) and sends it as ``Authorization: Bearer``.

Pure here: the client's credentials, the token answer's parsing and the expiry arithmetic,
and :class:`TokenCache`, which keeps one token per client (token URL, client id, scope and
secret) until shortly before it expires, fetches it once when several sends need it together
(a lock per key), and forgets it when a receiver refuses it. The fetch itself is the sender's
(:mod:`notify.transports.webhook`), through the same guarded session as deliveries.

Nothing here ever puts the client secret or a token into an error, a log or a repr.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import math
import re
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final

from core.errors import AddressHubError

#: Without ``expires_in`` (RFC 6749 §5.1 only recommends it) a token is kept this long.
DEFAULT_EXPIRES_IN_S: Final = 300.0
#: A token is dropped this long before it expires, or a tenth of its life when that is shorter.
MARGIN_S: Final = 60.0
MARGIN_SHARE: Final = 0.1
TOKEN_BYTES: Final = 16 * 1024
# RFC 6750 b64token: what may follow "Bearer " in a header
_B64TOKEN: Final = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_ERROR_CODE: Final = re.compile(r"[a-z_]{1,40}")

Key = tuple[str, str, str | None, str]


class TokenUnavailable(AddressHubError):
    """The token endpoint gave no usable access token; the message names only its answer."""

    code = "auth_failed"
    title = "OAuth2 token unavailable"


@dataclass(frozen=True, kw_only=True, slots=True)
class OAuthClient:
    """An endpoint's client credentials; the secret stays out of the repr."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str | None = None

    @property
    def key(self) -> Key:
        """What a cached token belongs to: the token URL, client id and scope, and a digest of
        the secret, so an endpoint naming another's client id with a wrong secret never gets
        that client's token (it must fetch, and is refused)."""
        digest = hashlib.sha256(self.client_secret.encode()).hexdigest()
        return (self.token_url, self.client_id, self.scope, digest)


@dataclass(frozen=True, kw_only=True, slots=True)
class Token:
    value: str = field(repr=False)
    expires_at: float  # on the cache's clock


def client(
    token_url: str | None, client_id: str | None, secret: str | None, scope: str | None
) -> OAuthClient | None:
    """The client an endpoint's stored fields describe; None when it has none."""
    if not (token_url and client_id and secret):
        return None
    return OAuthClient(token_url=token_url, client_id=client_id, client_secret=secret, scope=scope)


def basic_auth(oauth: OAuthClient) -> str:
    """RFC 6749 §2.3.1: id and secret form-encoded, then HTTP Basic."""
    pair = f"{_form(oauth.client_id)}:{_form(oauth.client_secret)}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")


def _form(value: str) -> str:
    return urllib.parse.quote_plus(value, safe="")


def form_body(oauth: OAuthClient) -> bytes:
    """The token request's body: the grant type, and the scope when there is one."""
    fields = {"grant_type": "client_credentials"}
    if oauth.scope:
        fields["scope"] = oauth.scope
    return urllib.parse.urlencode(fields).encode("ascii")


def lifetime(expires_in: float | None) -> float:
    """How long a token is used: its ``expires_in`` less a safety margin (never negative)."""
    life = DEFAULT_EXPIRES_IN_S if expires_in is None else max(expires_in, 0.0)
    return life - min(MARGIN_S, life * MARGIN_SHARE)


def parse_token(status: int, raw: bytes, *, now: float) -> Token:
    """The token endpoint's answer as a token, or :class:`TokenUnavailable` naming its
    status (and the RFC 6749 §5.2 ``error`` code when it gives a well-formed one)."""
    answer = _json(raw)
    if not 200 <= status < 300:
        raise TokenUnavailable(f"token endpoint answered {status}{_error_code(answer)}")
    value = answer.get("access_token")
    if not isinstance(value, str) or not _B64TOKEN.fullmatch(value):
        raise TokenUnavailable(f"token endpoint answered {status} without a usable access_token")
    if str(answer.get("token_type", "bearer")).lower() != "bearer":
        raise TokenUnavailable(f"token endpoint answered {status} with a token type not bearer")
    return Token(value=value, expires_at=now + lifetime(_expires_in(answer.get("expires_in"))))


def _json(raw: bytes) -> dict[str, object]:
    try:
        answer = json.loads(raw)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _error_code(answer: dict[str, object]) -> str:
    code = answer.get("error")
    return f" ({code})" if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else ""


def _expires_in(value: object) -> float | None:
    """``expires_in`` in seconds: a finite number, or a string of digits (some servers send
    one)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    return float(value) if isinstance(value, str) and value.isdigit() else None


Fetch = Callable[[OAuthClient], Awaitable[Token]]


class TokenCache:
    """One token per client key, fetched once at a time, kept until it is nearly expired."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._tokens: dict[Key, Token] = {}
        self._locks: dict[Key, asyncio.Lock] = {}

    async def token(self, oauth: OAuthClient, fetch: Fetch) -> str:
        held = self._fresh(oauth.key)
        if held is not None:
            return held
        async with self._locks.setdefault(oauth.key, asyncio.Lock()):
            held = self._fresh(oauth.key)
            if held is not None:
                return held
            token = await fetch(oauth)
            self._tokens[oauth.key] = token
            return token.value

    def _fresh(self, key: Key) -> str | None:
        token = self._tokens.get(key)
        return token.value if token is not None and self._clock() < token.expires_at else None

    def drop(self, oauth: OAuthClient, value: str) -> None:
        """Forget the token a receiver refused (unless a newer one has replaced it)."""
        token = self._tokens.get(oauth.key)
        if token is not None and token.value == value:
            del self._tokens[oauth.key]
