"""Send a test event to an endpoint now (endpoint self-service, sharing-and-delivery §6.11).

A partner checks its receiver: :func:`target` reads the endpoint's URL and signing secrets
(its own endpoint only), :func:`send` posts one signed ``{ns}.endpoint.test`` event (a nonce,
no personal data) and returns what happened: status, latency and a response excerpt. It is
not a delivery: no outbox row, no ledger line, and the endpoint's status and health are left
as they are (a paused or disabled endpoint can be tried before it is resumed or re-enabled).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import orm

from notify import (
    delivery_errors,
    endpoint_repository,
    endpoint_validation,
    endpoints,
    events,
    signing,
)
from notify.transports import mtls, oauth, webhook


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    endpoint_id: str
    url: str
    secrets: tuple[str, ...]
    timeout_s: float
    bearer_token: str | None = None
    oauth: oauth.OAuthClient | None = None
    tls: mtls.ClientTLS | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Outcome:
    endpoint_id: str
    event_id: str
    webhook_id: str
    event_type: str
    delivered: bool
    http_status: int | None
    error_kind: str | None
    latency_ms: int
    response_excerpt: str | None
    sent_at: dt.datetime


def target(
    *, session: orm.Session, endpoint_id: str, partner_id: str | None, now: dt.datetime
) -> Target:
    """The endpoint (its partner's own, or any for an admin) and its active secrets."""
    endpoint = endpoints.owned(session=session, endpoint_id=endpoint_id, partner_id=partner_id)
    found = endpoint_repository.active_secrets(session, [endpoint.id], now).get(endpoint.id, [])
    if not found:
        raise delivery_errors.InvalidSecret("the endpoint has no signing secret: rotate one first")
    return Target(endpoint_id=endpoint.id, url=endpoint.url,
                  secrets=tuple(s.secret for s in found),
                  timeout_s=float(endpoint.timeout_s),
                  bearer_token=endpoint.bearer_token,
                  oauth=endpoint.oauth_client, tls=endpoint.client_tls)  # fmt: skip


async def send(
    *, sender: webhook.Sender, target: Target, namespace: str, hub_host: str, now: dt.datetime
) -> Outcome:
    """One signed test event, sent now."""
    event_id, body = endpoint_validation.test_event(namespace=namespace, hub_host=hub_host, now=now)
    msg_id = signing.message_id(event_id)
    signed = signing.headers(msg_id=msg_id, body=body, at=now, secrets_=target.secrets)
    headers = webhook.event_headers(signed, content_type=events.CONTENT_TYPE,
                                    bearer_token=target.bearer_token)  # fmt: skip
    request = webhook.WebhookRequest(
        url=target.url, body=body, headers=headers, timeout_s=target.timeout_s,
        oauth=target.oauth, tls=target.tls,
    )  # fmt: skip
    result = await sender.send(request)
    return Outcome(
        endpoint_id=target.endpoint_id,
        event_id=event_id,
        webhook_id=msg_id,
        event_type=events.event_type(namespace, "endpoint.test"),
        delivered=result.status is not None and 200 <= result.status < 300,
        http_status=result.status,
        error_kind=result.error_kind,
        latency_ms=round(result.latency_s * 1000),
        response_excerpt=result.excerpt,
        sent_at=now,
    )
