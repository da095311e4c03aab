"""The endpoint validation handshake (§6.11): pure verdicts and the flow over a fake sender."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from notify import endpoint_validation as ev
from notify import events, signing
from notify.transports import webhook

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
HUB = "hub.example"


@pytest.mark.parametrize(
    ("status", "headers", "ok", "rate"),
    [
        (200, {"webhook-allowed-origin": "*"}, True, None),
        (200, {"webhook-allowed-origin": HUB, "webhook-allowed-rate": "120"}, True, 2.0),
        (200, {"webhook-allowed-origin": HUB, "webhook-allowed-rate": "*"}, True, None),
        (200, {"webhook-allowed-origin": "other.example"}, False, None),
        (200, {}, False, None),
        (405, {"webhook-allowed-origin": "*"}, False, None),
    ],
)
def test_handshake_verdicts(
    status: int, headers: dict[str, str], ok: bool, rate: float | None
) -> None:
    verdict = ev.handshake_verdict(webhook.WebhookResult(status=status, headers=headers), HUB)
    assert (verdict.ok, verdict.allowed_rate) == (ok, rate)


def test_the_test_event_carries_a_nonce_and_nothing_else() -> None:
    event_id, body = ev.test_event(namespace="uk.gov.example.addresshub", hub_host=HUB, now=NOW)
    event = json.loads(body)
    assert event["id"] == event_id
    assert event["type"] == "uk.gov.example.addresshub.endpoint.test"
    assert set(event["data"]) == {"nonce"}


def _run(answers: list[webhook.WebhookResult]) -> tuple[ev.Validation, webhook.FakeSender]:
    script = iter(answers)
    sender = webhook.FakeSender(lambda _request: next(script))
    secret = signing.new_secret()
    result = asyncio.run(
        ev.validate(sender=sender, url="https://p.example/hook", secrets_=[secret],
                    namespace="uk.gov.example.addresshub", hub_host=HUB, now=NOW)
    )  # fmt: skip
    return result, sender


def test_a_passed_handshake_then_a_signed_test_event_validates() -> None:
    allowed = webhook.WebhookResult(status=200, headers={"webhook-allowed-origin": HUB})
    result, sender = _run([allowed, webhook.WebhookResult(status=204)])
    assert result.ok
    options, test = sender.requests
    expected = {ev.ORIGIN_HEADER: HUB, "user-agent": webhook.USER_AGENT}
    assert (options.method, options.headers) == ("OPTIONS", expected)
    assert test.method == "POST"
    assert test.headers["webhook-id"] == "msg_" + (result.event_id or "")
    assert test.headers["user-agent"] == webhook.USER_AGENT
    assert test.headers["content-type"] == events.CONTENT_TYPE


def test_a_refused_handshake_sends_no_test_event_and_a_failed_test_event_fails() -> None:
    refused, sender = _run([webhook.WebhookResult(status=403)])
    assert not refused.ok
    assert len(sender.requests) == 1
    allowed = webhook.WebhookResult(status=200, headers={"webhook-allowed-origin": "*"})
    failed, _ = _run([allowed, webhook.WebhookResult(status=500)])
    assert not failed.ok
    assert failed.reason == "test event answered 500"
