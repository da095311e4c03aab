"""The endpoint validation handshake (sharing-and-delivery §6.11).

Before an endpoint is active (and before an operator re-enables a disabled one) the hub sends
the CloudEvents webhook abuse-protection exchange: ``OPTIONS`` with ``WebHook-Request-Origin``
set to the hub's host, expecting 200 with ``WebHook-Allowed-Origin`` equal to that host or
``*``; a ``WebHook-Allowed-Rate`` answer caps the endpoint's request rate. Then a signed test
event (``{ns}.endpoint.test``, a nonce and nothing else: no personal data, no ledger line)
must get a 2xx.

The checks are pure; :func:`validate` carries them out through the narrow sender interface.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from core import ids
from notify import canonical, codes, event_catalog, events, signing
from notify.transports import mtls, oauth, webhook

ORIGIN_HEADER: Final = "WebHook-Request-Origin"


@dataclass(frozen=True, kw_only=True, slots=True)
class Validation:
    ok: bool
    reason: str | None = None
    allowed_rate: float | None = None
    event_id: str | None = None


def handshake_request(
    url: str,
    origin: str,
    bearer_token: str | None = None,
    oauth_: oauth.OAuthClient | None = None,
    tls: mtls.ClientTLS | None = None,
) -> webhook.WebhookRequest:
    headers = {ORIGIN_HEADER: origin, "user-agent": webhook.USER_AGENT}
    headers |= webhook.bearer(bearer_token)
    return webhook.WebhookRequest(
        url=url, body=b"", headers=headers, method="OPTIONS", oauth=oauth_, tls=tls
    )


def handshake_verdict(result: webhook.WebhookResult, origin: str) -> Validation:
    """Did the endpoint agree to receive events from ``origin``, and at what rate?"""
    if result.status != 200:
        return Validation(
            ok=False, reason=f"handshake answered {result.status or result.error_kind}"
        )
    allowed = result.headers.get("webhook-allowed-origin", "").strip()
    if allowed not in ("*", origin):
        return Validation(ok=False, reason="WebHook-Allowed-Origin does not name this hub")
    return Validation(ok=True, allowed_rate=_rate(result.headers.get("webhook-allowed-rate")))


def _rate(value: str | None) -> float | None:
    """``WebHook-Allowed-Rate``: requests per minute, or ``*`` for no limit."""
    if value is None or not value.strip().isdigit():
        return None
    return max(int(value.strip()), 1) / 60.0


def test_event(*, namespace: str, hub_host: str, now: dt.datetime) -> tuple[str, bytes]:
    """A signed-ready ``endpoint.test`` event: an id and its canonical body, a nonce only."""
    event_id = ids.new_id()
    body = canonical.dumps(
        {
            "specversion": events.SPEC_VERSION,
            "id": event_id,
            "source": f"https://{hub_host}/endpoints",
            "type": events.event_type(namespace, codes.ENDPOINT_TEST),
            "time": events.rfc3339(now),
            "datacontenttype": "application/json",
            "dataschema": event_catalog.dataschema(
                namespace=namespace, hub_host=hub_host, kind=codes.ENDPOINT_TEST
            ),
            "data": {"nonce": secrets.token_hex(16)},
        }
    )
    return event_id, body


async def validate(
    *,
    sender: webhook.Sender,
    url: str,
    secrets_: Sequence[str],
    namespace: str,
    hub_host: str,
    now: dt.datetime,
    bearer_token: str | None = None,
    oauth_: oauth.OAuthClient | None = None,
    tls: mtls.ClientTLS | None = None,
) -> Validation:
    """The handshake, then a signed test event; ok only if both succeed."""
    asked = handshake_request(url, hub_host, bearer_token, oauth_, tls)
    handshake = handshake_verdict(await sender.send(asked), hub_host)
    if not handshake.ok:
        return handshake
    event_id, body = test_event(namespace=namespace, hub_host=hub_host, now=now)
    signed = signing.headers(
        msg_id=signing.message_id(event_id), body=body, at=now, secrets_=secrets_
    )
    headers = webhook.event_headers(
        signed, content_type=events.CONTENT_TYPE, bearer_token=bearer_token
    )
    result = await sender.send(
        webhook.WebhookRequest(url=url, body=body, headers=headers, oauth=oauth_, tls=tls)
    )
    if result.status is None or not 200 <= result.status < 300:
        reason = f"test event answered {result.status or result.error_kind}"
        return Validation(ok=False, reason=reason, event_id=event_id)
    return Validation(ok=True, allowed_rate=handshake.allowed_rate, event_id=event_id)
