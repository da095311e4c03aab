"""Partner self-service on webhook endpoints (sharing-and-delivery §6.3, §6.10, §6.11).

* :func:`listing`: every endpoint (of one partner) with status, health, queue counts and the
  event types its subscriptions ask for.
* :func:`owned`: one endpoint, seen only by its own partner (any other is "not found").
* :func:`create`: a new endpoint behind the target guard, pending validation, with a first
  ``whsec_`` secret (returned once).
* :func:`update`: a new URL (guarded again), the event types of its subscriptions, the
  description, and whether it takes operational events (``endpoint.disabled`` … about the
  partner's other endpoints, :mod:`notify.ops_notices`).
* :func:`pause` and :func:`resume`: a partner holds its deliveries and lets them go again;
  only an active endpoint pauses and resume only lifts a pause (a new or disabled
  endpoint becomes active by a validation).

Service functions take keyword arguments; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from core import errors, ids
from notify import delivery_errors, delivery_service, endpoint_auth, endpoint_mtls, ssrf
from notify.tables import registry
from notify.transports.mtls import ClientTLS


class EndpointStateConflict(errors.Conflict):
    code = "endpoint_state_conflict"
    title = "Endpoint is not in a state for this"


class PartnerNotFound(errors.NotFound):
    code = "partner_not_found"
    title = "Partner not found"


@dataclass(frozen=True, kw_only=True, slots=True)
class Created:
    endpoint: registry.Endpoint
    secret: str


def listing(*, session: orm.Session, partner_id: str | None) -> list[dict[str, Any]]:
    """The overview rows of :func:`delivery_service.endpoint_overview` plus ``event_types``,
    ``description``, ``operational_events``, ``auth`` (``none``, ``bearer``, ``oauth2_cc`` or
    ``mtls``; no token, secret or key is ever shown), ``oauth2`` (token URL, client id, scope)
    and ``mtls`` (the client certificate's subject, issuer, expiry and fingerprint)."""
    rows = delivery_service.endpoint_overview(session=session, partner_id=partner_id)
    ids_ = [r["endpoint_id"] for r in rows]
    types = _event_types(session, ids_)
    labels = _labels(session, ids_)
    return [{**r, "event_types": types.get(r["endpoint_id"], []), **labels[r["endpoint_id"]]}
            for r in rows]  # fmt: skip


def _labels(session: orm.Session, endpoint_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    e = registry.Endpoint
    query = sa.select(e.id, e.description, e.operational_events, e.bearer_token,
                      e.oauth_token_url, e.oauth_client_id, e.oauth_scope,
                      e.mtls_certificate).where(e.id.in_(list(endpoint_ids)))  # fmt: skip
    return {
        row.id: {"description": row.description, "operational_events": bool(row.operational_events),
                 "auth": endpoint_auth.kind(row.bearer_token, row.oauth_token_url,
                                            row.mtls_certificate),
                 **endpoint_auth.view(row.oauth_token_url, row.oauth_client_id, row.oauth_scope),
                 **endpoint_mtls.view(row.mtls_certificate)}
        for row in session.execute(query)
    }  # fmt: skip


def _event_types(session: orm.Session, endpoint_ids: Sequence[str]) -> dict[str, list[str]]:
    query = sa.select(registry.Subscription.endpoint_id, registry.Subscription.event_types).where(
        registry.Subscription.endpoint_id.in_(list(endpoint_ids))
    )
    found: dict[str, set[str]] = {}
    for endpoint_id, event_types in session.execute(query):
        found.setdefault(endpoint_id or "", set()).update(event_types)
    return {k: sorted(v) for k, v in found.items()}


def owned(*, session: orm.Session, endpoint_id: str, partner_id: str | None) -> registry.Endpoint:
    """The endpoint, when ``partner_id`` is None (an admin) or owns it; else not found."""
    endpoint = session.get(registry.Endpoint, endpoint_id)
    if endpoint is None or (partner_id is not None and endpoint.partner_id != partner_id):
        raise delivery_errors.EndpointNotFound(f"no endpoint {endpoint_id}")
    return endpoint


def create(
    *,
    session: orm.Session,
    partner_id: str,
    url: str,
    max_data_category: str,
    policy: ssrf.TargetPolicy,
    actor: str,
    now: dt.datetime,
    description: str | None = None,
    operational_events: bool = False,
    bearer_token: str | None = None,
    oauth2: endpoint_auth.OAuthSettings | None = None,
    mtls: ClientTLS | None = None,
) -> Created:
    """A guarded new endpoint, pending validation, and its first secret; a bearer token or
    OAuth2 client credentials (token URL guarded too), not both; a checked client
    certificate with either or alone."""
    ssrf.check_url(url, policy)
    endpoint_auth.refuse_both(bearer_token, oauth2)
    if session.get(registry.Partner, partner_id) is None:
        raise PartnerNotFound(f"no partner {partner_id}")
    endpoint = registry.Endpoint(id=ids.new_id(), partner_id=partner_id, url=url,
                                 status="pending_validation", disabled_reason=None,
                                 max_data_category=max_data_category, timeout_s=15,
                                 allow_private_network=False, created_at=now,
                                 updated_at=now, description=description,
                                 operational_events=operational_events,
                                 bearer_token=bearer_token or None)  # fmt: skip
    endpoint_auth.set_oauth(endpoint, oauth2, policy)
    endpoint_mtls.set_mtls(endpoint, mtls, now)
    session.add(endpoint)
    session.flush()
    secret = delivery_service.rotate_secret(
        session=session, endpoint_id=endpoint.id, actor=actor, now=now
    )
    return Created(endpoint=endpoint, secret=secret)


def _move(endpoint: registry.Endpoint, url: str) -> None:
    if url != endpoint.url and endpoint.status in ("active", "paused"):
        endpoint.status = "pending_validation"
    endpoint.url = url


def update(
    *,
    session: orm.Session,
    endpoint: registry.Endpoint,
    url: str | None,
    event_types: Sequence[str] | None,
    policy: ssrf.TargetPolicy,
    now: dt.datetime,
    description: str | None = None,
    operational_events: bool | None = None,
    bearer_token: str | None = None,
    oauth2: endpoint_auth.OAuthSettings | endpoint_auth.Keep | None = endpoint_auth.KEEP,
    mtls: ClientTLS | endpoint_auth.Keep | None = endpoint_auth.KEEP,
) -> registry.Endpoint:
    """Change the URL (guarded), the event types every subscription here asks for, the
    description, whether operational events come here, the bearer token (empty: none) and the
    OAuth2 client credentials (None: none; :data:`endpoint_auth.KEEP`: unchanged). Setting
    one of token and credentials clears the other; both at once are refused. The client
    certificate (``mtls``, None and KEEP alike) is checked and changes neither.

    A new URL has not agreed to receive events (§6.11): an active or paused endpoint goes back
    to pending validation, its deliveries held until the handshake passes again."""
    if url is not None:
        ssrf.check_url(url, policy)
        _move(endpoint, url)
    if description is not None:
        endpoint.description = description or None
    if operational_events is not None:
        endpoint.operational_events = operational_events
    _auth(endpoint, bearer_token, oauth2, policy)
    if not isinstance(mtls, endpoint_auth.Keep):
        endpoint_mtls.set_mtls(endpoint, mtls, now)
    if event_types is not None:
        subscriptions = session.scalars(
            sa.select(registry.Subscription).where(registry.Subscription.endpoint_id == endpoint.id)
        )
        for subscription in subscriptions:
            subscription.event_types = sorted(set(event_types))
    endpoint.updated_at = now
    session.flush()
    return endpoint


def _auth(
    endpoint: registry.Endpoint,
    bearer_token: str | None,
    oauth2: endpoint_auth.OAuthSettings | endpoint_auth.Keep | None,
    policy: ssrf.TargetPolicy,
) -> None:
    if not isinstance(oauth2, endpoint_auth.Keep):
        endpoint_auth.refuse_both(bearer_token, oauth2)
        endpoint_auth.set_oauth(endpoint, oauth2, policy)
    if bearer_token is not None:
        endpoint_auth.set_bearer(endpoint, bearer_token)


def pause(*, session: orm.Session, endpoint: registry.Endpoint, now: dt.datetime) -> None:
    """Hold deliveries to the endpoint until :func:`resume` (idempotent)."""
    if endpoint.status not in ("active", "paused"):
        raise EndpointStateConflict(
            f"only an active endpoint pauses; this one is {endpoint.status}"
        )
    endpoint.status, endpoint.updated_at = "paused", now
    session.flush()


def resume(
    *, session: orm.Session, endpoint: registry.Endpoint, actor: str, now: dt.datetime
) -> registry.Endpoint:
    """Lift a pause: the endpoint is active again and its held lanes resume."""
    if endpoint.status != "paused":
        raise EndpointStateConflict(f"the endpoint is {endpoint.status}, not paused")
    return delivery_service.reenable_endpoint(
        session=session, endpoint_id=endpoint.id, actor=actor, now=now
    )
