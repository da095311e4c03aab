"""Validate an endpoint over the network and, when it passes, make it active (§6.11).

One path for the operator's ``addresshub endpoints enable`` and the partner's
``POST /v1/endpoints/{id}/validate``: read what the handshake needs, send the handshake and a
signed test event through the guarded sender (no transaction open meanwhile), then record the
result (:func:`notify.delivery_service.record_validation`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import orm

from core.settings import Settings
from notify import delivery_service, endpoint_validation, ssrf
from notify.transports import mtls, oauth, webhook


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    url: str
    secrets: list[str]
    bearer_token: str | None
    oauth: oauth.OAuthClient | None = None
    tls: mtls.ClientTLS | None = None


def target(*, session: orm.Session, endpoint_id: str, now: dt.datetime) -> Target:
    """What the handshake needs: the URL, the active outbound secrets, the bearer token or
    the OAuth2 client, and the client certificate."""
    url, secrets, endpoint = delivery_service.validation_target(
        session=session, endpoint_id=endpoint_id, now=now
    )
    return Target(url=url, secrets=secrets, bearer_token=endpoint.bearer_token,
                  oauth=endpoint.oauth_client, tls=endpoint.client_tls)  # fmt: skip


async def run(
    target: Target, *, settings: Settings, now: dt.datetime
) -> endpoint_validation.Validation:
    """The handshake and the test event, through the deployment's target guard."""
    policy = ssrf.TargetPolicy.for_deployment(
        allow_private_targets=settings.allow_private_webhook_targets
    )
    sender = webhook.AiohttpSender(policy=policy)
    try:
        return await endpoint_validation.validate(
            sender=sender,
            url=target.url,
            secrets_=target.secrets,
            namespace=settings.event_namespace,
            hub_host=settings.public_host,
            now=now,
            bearer_token=target.bearer_token,
            oauth_=target.oauth,
            tls=target.tls,
        )
    finally:
        await sender.close()
