"""An operational notice as a CloudEvent: typed by its kind under the namespace, identified by
the notice id (so ``webhook-id`` is stable across retries), carrying ids and codes only."""

from __future__ import annotations

import datetime as dt
import json

from standardwebhooks import webhooks as reference

from notify import delivery_tables as dt_tables
from notify import ops_notices, signing
from notify.transports import webhook

AT = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)


def _notice(**detail: str) -> dt_tables.OpsNotice:
    return dt_tables.OpsNotice(id="01JNOTICE", kind="endpoint.disabled", partner_id="P0",
                               endpoint_id="E1", delivery_id=None, detail=dict(detail),
                               created_at=AT, sent_at=None)  # fmt: skip


def test_the_event_is_typed_by_kind_and_carries_only_ids_and_codes() -> None:
    body = ops_notices.event_body(_notice(reason="gone_410"), namespace="ns.hub", hub_host="hub")
    event = json.loads(body)
    assert (event["type"], event["id"], event["source"]) == (
        "ns.hub.endpoint.disabled",
        "01JNOTICE",
        "https://hub/ops",
    )
    assert event["time"] == "2026-03-01T10:00:00Z"
    assert event["data"] == {
        "notice_id": "01JNOTICE",
        "kind": "endpoint.disabled",
        "partner_id": "P0",
        "endpoint_id": "E1",
        "delivery_id": None,
        "detail": {"reason": "gone_410"},
    }


def test_the_request_verifies_under_every_secret_of_its_target_and_keeps_its_id() -> None:
    secrets = (signing.new_secret(), signing.new_secret())
    target = ops_notices.Target(
        kind="endpoint", endpoint_id="E2", url="https://x/h", secrets=secrets
    )
    body = ops_notices.event_body(_notice(), namespace="ns.hub", hub_host="hub")
    outgoing = ops_notices.Outgoing(notice_id="01JNOTICE", target=target, body=body)
    first: webhook.WebhookRequest = ops_notices.request(outgoing, dt.datetime.now(dt.UTC))
    again = ops_notices.request(outgoing, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == "msg_01JNOTICE"
    for secret in secrets:
        reference.Webhook(secret).verify(first.body, dict(first.headers), json_parse=False)
    assert first.headers["content-type"].startswith("application/cloudevents+json")
