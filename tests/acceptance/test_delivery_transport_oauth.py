"""The real sender with OAuth2 client credentials, against a real local token endpoint and
receivers that verify with ``standardwebhooks`` and require a current access token."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest

from notify import endpoint_validation, signing, ssrf
from notify.transports import oauth, webhook
from tests.support import receivers, token_server

LOCAL = ssrf.TargetPolicy.for_deployment(allow_private_targets=True)
T = TypeVar("T")
SECRET = "cl1ent-secret:with&odd+chars"


@pytest.fixture
def tokens() -> Iterator[token_server.TokenServer]:
    with token_server.TokenServer(client_id="addresshub", client_secret=SECRET) as server:
        yield server


def _client(server: token_server.TokenServer, scope: str | None = None) -> oauth.OAuthClient:
    return oauth.OAuthClient(token_url=server.url, client_id="addresshub",
                             client_secret=SECRET, scope=scope)  # fmt: skip


def _request(
    url: str, secrets: list[str], client: oauth.OAuthClient, n: int = 1
) -> webhook.WebhookRequest:
    body = json.dumps({"id": f"d{n}"}).encode()
    headers = signing.headers(msg_id=signing.message_id(f"d{n}"), body=body,
                              at=dt.datetime.now(dt.UTC), secrets_=secrets)  # fmt: skip
    return webhook.WebhookRequest(url=url, body=body, headers=headers, timeout_s=2.0, oauth=client)


def _guarded_receiver(secret: str, server: token_server.TokenServer) -> receivers.Receiver:
    receiver = receivers.Receiver([secret]).start()
    receiver.require_token = server.valid
    return receiver


Run = Callable[[webhook.AiohttpSender], Awaitable[T]]


def _with_sender(run: Run[T], policy: ssrf.TargetPolicy = LOCAL) -> T:
    """``run`` with a fresh sender in one event loop (a session lives in one loop)."""

    async def main() -> T:
        sender = webhook.AiohttpSender(policy=policy)
        try:
            return await run(sender)
        finally:
            await sender.close()

    return asyncio.run(main())


def test_concurrent_sends_share_one_token_that_the_receiver_takes(
    tokens: token_server.TokenServer,
) -> None:
    secret = signing.new_secret()
    receiver = _guarded_receiver(secret, tokens)
    client = _client(tokens, scope="webhooks.write")

    async def run(sender: webhook.AiohttpSender) -> list[webhook.WebhookResult]:
        batch = [_request(receiver.url, [secret], client, n) for n in range(25)]
        first = await asyncio.gather(*(sender.send(r) for r in batch))
        again = await sender.send(_request(receiver.url, [secret], client, 99))
        return [*first, again]

    try:
        results = _with_sender(run)
    finally:
        receiver.stop()
    assert [r.status for r in results] == [204] * 26
    assert tokens.requests == 1
    assert tokens.scopes == ["webhooks.write"]
    assert receiver.rejected == receiver.unauthorised == 0
    (token,) = tokens.issued()
    assert {r.authorization for r in receiver.requests()} == {f"Bearer {token}"}


def test_a_token_is_fetched_again_after_it_expires_and_after_a_401(
    tokens: token_server.TokenServer,
) -> None:
    tokens.expires_in = 1.0  # used for 0.9 s
    secret = signing.new_secret()
    receiver = _guarded_receiver(secret, tokens)
    client = _client(tokens)

    async def run(sender: webhook.AiohttpSender) -> list[int | None]:
        async def once() -> int | None:
            return (await sender.send(_request(receiver.url, [secret], client))).status

        statuses = [await once()]
        await asyncio.sleep(1.0)
        statuses.append(await once())
        tokens.revoke()  # the gateway no longer takes it: 401, then a fresh token
        statuses += [await once(), await once()]
        return statuses

    try:
        statuses = _with_sender(run)
    finally:
        receiver.stop()
    assert statuses == [204, 204, 401, 204]
    assert tokens.requests == 3
    assert receiver.unauthorised == 1


def test_a_failing_token_endpoint_fails_the_attempt_as_auth_failed_without_secrets(
    tokens: token_server.TokenServer,
) -> None:
    secret = signing.new_secret()
    receiver = _guarded_receiver(secret, tokens)
    wrong = oauth.OAuthClient(token_url=tokens.url, client_id="addresshub", client_secret="nope")
    unreachable = oauth.OAuthClient(token_url="http://127.0.0.1:9/token", client_id="a",
                                    client_secret=SECRET)  # fmt: skip

    async def run(sender: webhook.AiohttpSender) -> list[webhook.WebhookResult]:
        tokens.fail(503)
        down = await sender.send(_request(receiver.url, [secret], _client(tokens)))
        tokens.recover()
        refused = await sender.send(_request(receiver.url, [secret], wrong))
        gone = await sender.send(_request(receiver.url, [secret], unreachable))
        back = await sender.send(_request(receiver.url, [secret], _client(tokens)))
        return [down, refused, gone, back]

    try:
        down, refused, gone, back = _with_sender(run)
    finally:
        receiver.stop()
    assert (down.error_kind, down.excerpt) == (
        "auth_failed",
        "token endpoint answered 503 (temporarily_unavailable)",
    )
    assert (refused.error_kind, refused.excerpt) == (
        "auth_failed",
        "token endpoint answered 401 (invalid_client)",
    )
    assert (gone.error_kind, gone.excerpt) == (
        "auth_failed",
        "token endpoint unreachable (connect)",
    )
    assert back.status == 204
    assert receiver.requests()[-1].authorization == f"Bearer {tokens.issued()[-1]}"
    assert len(receiver.requests()) == 1  # nothing went to the receiver without a token
    for result in (down, refused, gone):
        assert SECRET not in repr(result) and "nope" not in repr(result)


def test_a_token_url_on_a_private_address_is_refused_when_private_targets_are_not_allowed(
    tokens: token_server.TokenServer,
) -> None:
    """The guard refuses the token URL before any token request is made."""
    request = _request("https://hooks.example.org/hook", [signing.new_secret()], _client(tokens))

    async def run(sender: webhook.AiohttpSender) -> webhook.WebhookResult:
        return await sender.send(request)

    result = _with_sender(run, ssrf.TargetPolicy())
    assert (result.error_kind, result.excerpt) == (
        "auth_failed",
        "token endpoint not allowed (ssrf_block)",
    )
    assert tokens.requests == 0


def test_the_validation_handshake_and_its_test_event_carry_the_token(
    tokens: token_server.TokenServer,
) -> None:
    secret = signing.new_secret()
    receiver = _guarded_receiver(secret, tokens)

    async def run(sender: webhook.AiohttpSender) -> endpoint_validation.Validation:
        return await endpoint_validation.validate(
            sender=sender, url=receiver.url, secrets_=[secret], namespace="uk.gov.test",
            hub_host="hub.example.org", now=dt.datetime.now(dt.UTC), oauth_=_client(tokens),
        )  # fmt: skip

    try:
        validation = _with_sender(run)
    finally:
        receiver.stop()
    assert validation.ok, validation.reason
    assert receiver.handshakes == 1 and receiver.unauthorised == 0
    assert receiver.requests()[0].authorization == f"Bearer {tokens.issued()[0]}"
    assert tokens.requests == 1


def test_without_a_token_the_receiver_refuses_the_handshake(
    tokens: token_server.TokenServer,
) -> None:
    """The receivers' check is real: a request without a current token gets 401."""
    secret = signing.new_secret()
    receiver = _guarded_receiver(secret, tokens)

    async def run(sender: webhook.AiohttpSender) -> endpoint_validation.Validation:
        return await endpoint_validation.validate(
            sender=sender, url=receiver.url, secrets_=[secret], namespace="uk.gov.test",
            hub_host="hub.example.org", now=dt.datetime.now(dt.UTC),
        )  # fmt: skip

    try:
        validation = _with_sender(run)
    finally:
        receiver.stop()
    assert (validation.ok, validation.reason) == (False, "handshake answered 401")
    assert not tokens.valid("made-up-token")
