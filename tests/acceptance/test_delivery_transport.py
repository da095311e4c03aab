"""The real webhook sender against real local receivers that verify with ``standardwebhooks``."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from notify import endpoint_validation, response, signing, ssrf
from notify.transports import webhook
from tests.support import receivers

LOCAL = ssrf.TargetPolicy.for_deployment(allow_private_targets=True)


def _request(url: str, secrets: list[str], delivery_id: str = "d1") -> webhook.WebhookRequest:
    body = json.dumps({"id": delivery_id, "partitionkey": "sp_x", "sequence": "1"}).encode()
    headers = signing.headers(
        msg_id=signing.message_id(delivery_id),
        body=body,
        at=dt.datetime.now(dt.UTC),
        secrets_=secrets,
    )
    return webhook.WebhookRequest(url=url, body=body, headers=headers, timeout_s=1.0)


def _send_all(requests: list[webhook.WebhookRequest]) -> list[webhook.WebhookResult]:
    async def run() -> list[webhook.WebhookResult]:
        sender = webhook.AiohttpSender(policy=LOCAL)
        try:
            return [await sender.send(r) for r in requests]
        finally:
            await sender.close()

    return asyncio.run(run())


def test_each_receiver_behaviour_maps_to_its_verdict() -> None:
    secret = signing.new_secret()
    script = [
        (receivers.ok(), "delivered", None),
        (receivers.status(500, body="boom"), "retry", "http_5xx"),
        (receivers.status(429, retry_after="3"), "retry", "http_4xx"),
        (receivers.status(410), "disable", "http_4xx"),
        (receivers.status(302), "retry", "redirect"),
        (receivers.close(), "retry", "reset"),
        (receivers.hang(5), "retry", "timeout"),
    ]
    with receivers.Receiver([secret]) as receiver:
        receiver.script(*(behaviour for behaviour, _, _ in script))
        results = _send_all([_request(receiver.url, [secret]) for _ in script])
        assert receiver.rejected == 0
        assert len(receiver.requests()) == len(script)
    now = dt.datetime.now(dt.UTC)
    for result, (_, outcome, kind) in zip(results, script, strict=True):
        verdict = (
            response.classify_status(result.status, result.headers, now)
            if result.status is not None
            else response.classify_error(result.error_kind or "reset")
        )
        assert (verdict.outcome, verdict.error_kind) == (outcome, kind)
    assert results[1].excerpt == "boom"
    assert results[2].headers == {"retry-after": "3"}
    assert results[0].excerpt is None


def test_an_error_page_a_gateway_would_compress_is_recorded_readable() -> None:
    """The sender asks for the identity coding (it does not decompress answers), so an
    excerpt is the receiver's words, not gzip bytes."""
    secret = signing.new_secret()
    page = "<html><body>502 Bad Gateway: upstream unavailable</body></html>\n" * 4
    with receivers.Receiver([secret]) as receiver:
        receiver.script(receivers.status(502, body=page, compress=True))
        (result,) = _send_all([_request(receiver.url, [secret])])
    assert (result.status, result.excerpt) == (502, page)


def test_a_slow_receiver_is_waited_for_within_the_timeout() -> None:
    secret = signing.new_secret()
    with receivers.Receiver([secret]) as receiver:
        receiver.answer(receivers.slow(0.3))
        (result,) = _send_all([_request(receiver.url, [secret])])
        assert result.status == 204
        assert receiver.unique_ids() == {"msg_d1"}


def test_rotation_both_signatures_verify_and_a_wrong_secret_is_rejected() -> None:
    old, new, stranger = signing.new_secret(), signing.new_secret(), signing.new_secret()
    with receivers.Receiver([old]) as receiver:
        first = _send_all([_request(receiver.url, [new, old], "a")])
        receiver.rotate([new])
        second = _send_all([_request(receiver.url, [new, old], "b")])
        third = _send_all([_request(receiver.url, [stranger], "c")])
        assert [r.status for r in (*first, *second, *third)] == [204, 204, 400]
        assert receiver.rejected == 1
        assert receiver.unique_ids() == {"msg_a", "msg_b"}


def test_failures_before_sending() -> None:
    strict = ssrf.TargetPolicy()

    async def run() -> list[webhook.WebhookResult]:
        local, guarded = webhook.AiohttpSender(policy=LOCAL), webhook.AiohttpSender(policy=strict)
        try:
            return [
                await local.send(_request("http://127.0.0.1:9/hook", [signing.new_secret()])),
                await local.send(_request("http://host.invalid/hook", [signing.new_secret()])),
                await guarded.send(_request("https://localhost/hook", [signing.new_secret()])),
                await guarded.send(_request("http://example.org/hook", [signing.new_secret()])),
            ]
        finally:
            await local.close()
            await guarded.close()

    kinds = [r.error_kind for r in asyncio.run(run())]
    assert kinds == ["connect", "dns", "ssrf_block", "ssrf_block"]


def test_redirects_are_answers_not_followed() -> None:
    """Every 3xx, Location or not, is the attempt's answer: the target it names gets nothing."""
    secret = signing.new_secret()
    codes = [301, 302, 303, 307, 308]
    with receivers.receivers([secret], [secret]) as (sink, trap):
        sink.script(*(receivers.redirect(code, trap.url) for code in codes))
        results = _send_all([_request(sink.url, [secret]) for _ in codes])
        assert trap.requests() == [] and trap.handshakes == 0
    assert [(r.status, r.excerpt is not None) for r in results] == [(c, True) for c in codes]
    now = dt.datetime.now(dt.UTC)
    kinds = {response.classify_status(r.status or 0, r.headers, now).error_kind for r in results}
    assert kinds == {"redirect"}


def test_the_validation_handshake_and_its_test_event_do_not_follow_redirects() -> None:
    secret = signing.new_secret()

    async def validate(url: str) -> endpoint_validation.Validation:
        sender = webhook.AiohttpSender(policy=LOCAL)
        try:
            return await endpoint_validation.validate(
                sender=sender, url=url, secrets_=[secret], namespace="uk.gov.example",
                hub_host="hub.example", now=dt.datetime.now(dt.UTC),
            )  # fmt: skip
        finally:
            await sender.close()

    with receivers.receivers([secret], [secret]) as (endpoint, trap):
        endpoint.handshake_redirect = trap.url
        refused = asyncio.run(validate(endpoint.url))
        endpoint.handshake_redirect = None
        endpoint.script(receivers.redirect(307, trap.url))
        redirected = asyncio.run(validate(endpoint.url))
        assert trap.requests() == [] and trap.handshakes == 0
        assert len(endpoint.requests()) == 1
    assert (refused.ok, refused.reason) == (False, "handshake answered 307")
    assert (redirected.ok, redirected.reason) == (False, "test event answered 307")


class _Listener:
    """A bare TCP listener on 127.0.0.1 that counts connections (TLS never completes)."""

    def __init__(self) -> None:
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> _Listener:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._server is not None:
            self._server.close()

    async def _accept(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.close()


def _with_dns(records: dict[str, str]) -> None:
    """Answer for these names as if their DNS records said so (other names as usual)."""
    loop = asyncio.get_running_loop()
    system = loop.getaddrinfo

    async def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode() if isinstance(host, bytes) else host
        return await system(records.get(str(name), name), *args, **kwargs)  # type: ignore[arg-type]

    loop.getaddrinfo = getaddrinfo  # type: ignore[method-assign,assignment]


async def _send_to(policy: ssrf.TargetPolicy, url: str) -> webhook.WebhookResult:
    sender = webhook.AiohttpSender(policy=policy)
    try:
        return await sender.send(_request(url, [signing.new_secret()]))
    finally:
        await sender.close()


def test_a_name_that_resolves_to_a_private_address_is_refused_at_connection_time() -> None:
    """``internal.example`` passes the URL check (a name), its DNS answer is 127.0.0.1: the
    guarded resolver refuses it and nothing connects; allowed, the same name connects."""

    async def run() -> list[tuple[response.ErrorKind | None, int]]:
        _with_dns({"internal.example": "127.0.0.1", "private.example": "10.0.0.5"})
        got = []
        async with _Listener() as listener:
            strict = ssrf.TargetPolicy(ports=frozenset({listener.port}))
            for policy, name in [(strict, "internal"), (strict, "private"), (LOCAL, "internal")]:
                url = f"https://{name}.example:{listener.port}/hook"
                assert ssrf.check_url(url, policy).host == f"{name}.example"
                result = await _send_to(policy, url)
                got.append((result.error_kind, listener.connections))
        return got

    blocked, private, allowed = asyncio.run(run())
    assert blocked == ("ssrf_block", 0)
    assert private == ("ssrf_block", 0)
    assert allowed[1] == 1 and allowed[0] != "ssrf_block"


@pytest.mark.parametrize(
    "host", ["127。0。0。1", "127．0．0．1", "2130706433", "127.1", "0x7f.0.0.1", "localhost"]
)
def test_other_spellings_of_loopback_never_connect(host: str) -> None:
    """The client folds ``127。0。0。1`` to 127.0.0.1 and connects without asking the
    resolver; the guard reads the URL the same way and refuses it before any connection."""

    async def run() -> tuple[response.ErrorKind | None, int]:
        async with _Listener() as listener:
            strict = ssrf.TargetPolicy(ports=frozenset({listener.port}))
            result = await _send_to(strict, f"https://{host}:{listener.port}/hook")
            return result.error_kind, listener.connections

    assert asyncio.run(run()) == ("ssrf_block", 0)


@pytest.mark.parametrize("count", [3])
def test_order_and_first_seen_sequences_are_recorded(count: int) -> None:
    secret = signing.new_secret()
    with receivers.Receiver([secret]) as receiver:
        receiver.script(receivers.status(500))
        _send_all([_request(receiver.url, [secret], f"e{i}") for i in [0, 0, *range(1, count)]])
        assert receiver.first_seen_sequences() == {"sp_x": ["1"] * count}
        assert receiver.unique_ids() == {f"msg_e{i}" for i in range(count)}
        assert receiver.unique_ids(accepted_only=False) == receiver.unique_ids()
