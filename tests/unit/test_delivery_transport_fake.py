"""The sender interface: the fake records requests and answers from its script."""

from __future__ import annotations

import asyncio

import pytest

from notify.transports import webhook


def test_the_fake_records_and_answers_from_its_script() -> None:
    answers = iter([webhook.WebhookResult(status=500), webhook.WebhookResult(error_kind="timeout")])
    fake = webhook.FakeSender(lambda _request: next(answers))
    request = webhook.WebhookRequest(url="https://h.example/x", body=b"{}", headers={})

    async def run() -> list[webhook.WebhookResult]:
        results = [await fake.send(request), await fake.send(request)]
        await fake.close()
        return results

    first, second = asyncio.run(run())
    assert (first.status, second.error_kind) == (500, "timeout")
    assert fake.requests == [request, request]
    assert fake.closed


def test_a_result_has_a_status_or_an_error_kind_not_both() -> None:
    with pytest.raises(ValueError, match="either"):
        webhook.WebhookResult()
    with pytest.raises(ValueError, match="either"):
        webhook.WebhookResult(status=200, error_kind="timeout")


def test_client_exceptions_map_to_error_kinds() -> None:
    assert webhook.error_kind(TimeoutError()) == "timeout"
    assert webhook.error_kind(ValueError()) is None
