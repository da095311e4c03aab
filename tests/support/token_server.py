"""A real local OAuth2 token endpoint for delivery tests (RFC 6749 §4.4 client credentials).

:class:`TokenServer` listens on 127.0.0.1 (its own thread, like the receivers). It checks each
token request as a gateway's authorisation server would: a form-encoded POST with
``grant_type=client_credentials`` and the client authenticated by HTTP Basic with form-encoded
id and secret (§2.3.1); a wrong client is answered 401 ``invalid_client``, a wrong grant 400
``unsupported_grant_type``. It issues a new random token each time, valid for
:attr:`TokenServer.expires_in` seconds, and counts the requests. :meth:`fail` makes it answer
a status instead (until :meth:`recover`); :meth:`revoke` forgets every token issued so far.
:meth:`valid` is what a receiver's ``require_token`` asks.
"""

from __future__ import annotations

import base64
import secrets
import time
import urllib.parse

from aiohttp import web

from tests.support.receivers import LocalServer


class TokenServer(LocalServer):
    def __init__(self, *, client_id: str, client_secret: str, expires_in: float = 3600) -> None:
        super().__init__(path="/oauth2/token")
        self.client_id = client_id
        self.client_secret = client_secret
        self.expires_in = expires_in
        self.requests = 0
        self.refused = 0
        self.scopes: list[str | None] = []
        self._failing: int | None = None
        self._issued: dict[str, float] = {}

    def _routes(self, app: web.Application) -> None:
        app.router.add_post(self.path, self._token)

    def fail(self, status: int = 503) -> None:
        with self._lock:
            self._failing = status

    def recover(self) -> None:
        with self._lock:
            self._failing = None

    def revoke(self) -> None:
        with self._lock:
            self._issued.clear()

    def valid(self, token: str) -> bool:
        with self._lock:
            expires = self._issued.get(token)
        return expires is not None and time.monotonic() < expires

    def issued(self) -> list[str]:
        with self._lock:
            return list(self._issued)

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        with self._lock:
            self.requests += 1
            self.scopes.append(str(form["scope"]) if "scope" in form else None)
            failing = self._failing
        if failing is not None:
            return web.json_response({"error": "temporarily_unavailable"}, status=failing)
        if not self._client_ok(request.headers.get("Authorization", "")):
            with self._lock:
                self.refused += 1
            return web.json_response({"error": "invalid_client"}, status=401)
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        return web.json_response(self._issue())

    def _client_ok(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme != "Basic":
            return False
        given_id, _, given_secret = base64.b64decode(encoded).decode().partition(":")
        unquote = urllib.parse.unquote_plus
        return (unquote(given_id), unquote(given_secret)) == (self.client_id, self.client_secret)

    def _issue(self) -> dict[str, object]:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._issued[token] = time.monotonic() + self.expires_in
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
