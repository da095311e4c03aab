"""Operator and partner actions on delivery (sharing-and-delivery §6.3, §6.6, §6.7).

* dead letters: :func:`resend` one (a fresh schedule from attempt 1, same ``id``, ``webhook-id``
  and ``seq``), :func:`recover` every dead delivery of an endpoint (since a time, or all), in
  lane order, :func:`reroute` one to another channel of its service (a pull feed or file
  drop, same ``id``), :func:`abandon` one (terminal: its lane moves on). Each is audited.
* endpoints: :func:`record_validation` (a passed handshake, §6.11) and
  :func:`reenable_endpoint` (an operator, after a successful validation), whose held lanes
  then resume; :func:`rotate_secret` (the old secret stays valid for an overlap);
  :func:`endpoint_overview` (status, health and queue counts).

Service functions take keyword arguments; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from notify import (
    delivery_errors,
    endpoint_health,
    endpoint_repository,
    endpoint_validation,
    signing,
)
from notify import delivery_repository as repo
from notify import delivery_tables as dt_tables
from notify.tables import outbox, registry

DEFAULT_OVERLAP: Final = dt.timedelta(hours=24)
MAX_OVERLAP: Final = dt.timedelta(hours=168)


def resend(
    *, session: orm.Session, delivery_id: str, actor: str, reason: str | None, now: dt.datetime
) -> outbox.Delivery:
    """Replay a dead delivery: the recheck runs again before its first new attempt."""
    delivery = session.get(outbox.Delivery, delivery_id)
    if delivery is None:
        raise delivery_errors.DeliveryNotFound(f"no delivery {delivery_id}")
    if delivery.state != "dead":
        raise delivery_errors.ReplayRefused("only a dead delivery can be resent")
    _reopen(session, delivery, now, actor)
    _audit(session, delivery.id, "resend", actor=actor, reason=reason, now=now)
    repo.wake_lanes(session, ordering_keys=[delivery.ordering_key], now=now)
    return delivery


def recover(
    *,
    session: orm.Session,
    endpoint_id: str,
    since: dt.datetime | None,
    actor: str,
    reason: str | None,
    now: dt.datetime,
) -> list[str]:
    """Resend every dead delivery of an endpoint that died at or after ``since``."""
    if session.get(registry.Endpoint, endpoint_id) is None:
        raise delivery_errors.EndpointNotFound(f"no endpoint {endpoint_id}")
    query = (
        sa.select(outbox.Delivery)
        .where(outbox.Delivery.endpoint_id == endpoint_id, outbox.Delivery.state == "dead")
        .order_by(outbox.Delivery.ordering_key, outbox.Delivery.seq)
    )
    if since is not None:
        query = query.where(outbox.Delivery.updated_at >= since)
    dead = list(session.scalars(query))
    for delivery in dead:
        _reopen(session, delivery, now, actor)
        _audit(session, delivery.id, "recover", actor=actor, reason=reason, now=now)
    repo.wake_lanes(session, ordering_keys={d.ordering_key for d in dead}, now=now)
    return [d.id for d in dead]


def abandon(
    *, session: orm.Session, delivery_id: str, actor: str, reason: str, now: dt.datetime
) -> outbox.Delivery:
    """Give a dead or held delivery up for good; the service will be told another way."""
    delivery = session.get(outbox.Delivery, delivery_id)
    if delivery is None:
        raise delivery_errors.DeliveryNotFound(f"no delivery {delivery_id}")
    if delivery.state not in ("dead", "held"):
        raise delivery_errors.ReplayRefused("only a dead or held delivery can be abandoned")
    delivery.state, delivery.close_reason, delivery.updated_at = "abandoned", "abandoned", now
    delivery.next_attempt_at = None
    outcome = "possibly_disclosed" if delivery.possibly_received else "not_disclosed"
    repo.record_disclosure(session, delivery=delivery, outcome=outcome,
                           close_reason="abandoned", now=now, actor=actor)  # fmt: skip
    _audit(session, delivery.id, "abandon", actor=actor, reason=reason, now=now)
    repo.wake_lanes(session, ordering_keys=[delivery.ordering_key], now=now)
    return delivery


#: Where an operator may move a dead or held delivery (§6.7): channels with no endpoint to fail.
REROUTE_CHANNELS: Final = ("pull", "file_drop")


def reroute(
    *,
    session: orm.Session,
    delivery_id: str,
    subscription_id: str | None,
    actor: str,
    reason: str | None,
    now: dt.datetime,
) -> registry.Subscription:
    """Move a dead or held delivery to its service's pull feed or file drop, keeping its
    ``id`` (so its ``webhook-id``) and place in the lane; returns the subscription it went to.

    With no ``subscription_id`` the service's one active pull or file-drop subscription for
    the event type is taken. The feed or file drop rechecks it before it goes, like a resend.
    """
    delivery = session.get(outbox.Delivery, delivery_id)
    if delivery is None:
        raise delivery_errors.DeliveryNotFound(f"no delivery {delivery_id}")
    if delivery.state not in ("dead", "held"):
        raise delivery_errors.RerouteRefused("only a dead or held delivery can be rerouted")
    target = _reroute_target(session, delivery, subscription_id)
    delivery.subscription_id, delivery.endpoint_id = target.id, target.endpoint_id
    delivery.hold_reason = None
    _reopen(session, delivery, now, actor, line={"channel": target.channel})
    _audit(session, delivery.id, "reroute", actor=actor, reason=reason, now=now)
    repo.wake_lanes(session, ordering_keys=[delivery.ordering_key], now=now)
    return target


def _reroute_target(
    session: orm.Session, delivery: outbox.Delivery, subscription_id: str | None
) -> registry.Subscription:
    """The named subscription, checked; or the service's only one that can take it."""
    if subscription_id is None:
        return _only_fallback(session, delivery)
    target = session.get(registry.Subscription, subscription_id)
    if target is None:
        raise delivery_errors.SubscriptionNotFound(f"no subscription {subscription_id}")
    refusal = _reroute_refusal(session, delivery, target)
    if refusal is not None:
        raise delivery_errors.RerouteRefused(f"subscription {target.id} {refusal}")
    return target


def _only_fallback(session: orm.Session, delivery: outbox.Delivery) -> registry.Subscription:
    query = sa.select(registry.Subscription).where(
        registry.Subscription.partner_service_id == delivery.partner_service_id,
        registry.Subscription.channel.in_(REROUTE_CHANNELS),
    )
    fit = [s for s in session.scalars(query) if _reroute_refusal(session, delivery, s) is None]
    if len(fit) != 1:
        named = ", ".join(sorted(s.id for s in fit)) or "none"
        raise delivery_errors.RerouteRefused(
            f"name the subscription to reroute to: the service's active pull or file-drop "
            f"subscriptions for {delivery.event_type}: {named}"
        )
    return fit[0]


def _reroute_refusal(
    session: orm.Session, delivery: outbox.Delivery, target: registry.Subscription
) -> str | None:
    """Why ``target`` cannot take the delivery, or None."""
    if target.partner_service_id != delivery.partner_service_id:
        return "belongs to another partner service"
    if target.channel not in REROUTE_CHANNELS:
        return f"is a {target.channel} subscription; reroute to a pull feed or file drop"
    if target.status != "active" or delivery.event_type not in target.event_types:
        return f"does not take {delivery.event_type} now (paused, or not subscribed)"
    twin = sa.select(outbox.Delivery.id).where(
        outbox.Delivery.outbox_event_id == delivery.outbox_event_id,
        outbox.Delivery.subscription_id == target.id,
    )
    if session.scalar(twin) is not None:
        return "already has this event (a delivery of its own)"
    return None


def _reopen(
    session: orm.Session,
    delivery: outbox.Delivery,
    now: dt.datetime,
    actor: str,
    line: dict[str, Any] | None = None,
) -> None:
    """Back to pending from attempt 1; the ledger line reopened (and given ``line``'s values)."""
    delivery.state = "pending"
    delivery.schedule_index = 0
    delivery.next_attempt_at = now
    delivery.close_reason = None
    delivery.updated_at = now
    repo.record_disclosure(session, delivery=delivery, outcome=None, close_reason="reopened",
                           now=now, actor=actor, versions=line)  # fmt: skip


def _audit(
    session: orm.Session,
    delivery_id: str,
    action: str,
    *,
    actor: str,
    reason: str | None,
    now: dt.datetime,
) -> None:
    session.add(
        dt_tables.DeliveryAction(
            id=ids.new_id(),
            delivery_id=delivery_id,
            action=action,
            actor=actor,
            reason=reason,
            at=now,
        )
    )


def reenable_endpoint(
    *, session: orm.Session, endpoint_id: str, actor: str, now: dt.datetime
) -> registry.Endpoint:
    """Re-enable a disabled or paused endpoint; its held lanes resume (§6.6)."""
    endpoint = session.get(registry.Endpoint, endpoint_id)
    if endpoint is None:
        raise delivery_errors.EndpointNotFound(f"no endpoint {endpoint_id}")
    if endpoint.status == "disabled":  # operational event: the endpoint is back (ops_notices)
        was = {"disabled_reason": endpoint.disabled_reason}
        repo.add_notice(session, kind="endpoint.recovered", partner_id=endpoint.partner_id,
                        endpoint_id=endpoint.id, detail=was, now=now)  # fmt: skip
    endpoint.status, endpoint.disabled_reason, endpoint.updated_at = "active", None, now
    state = endpoint_repository.endpoint_states(session, [endpoint_id], now=now, lock=True)[
        endpoint_id
    ]
    endpoint_repository.save_health(state, endpoint_health.Health(), now)
    held = session.scalars(
        sa.select(outbox.DeliveryLane.ordering_key).where(
            outbox.DeliveryLane.endpoint_id == endpoint_id,
            outbox.DeliveryLane.state == "held",
        )
    )
    repo.wake_lanes(session, ordering_keys=list(held), now=now)
    return endpoint


def validation_target(
    *, session: orm.Session, endpoint_id: str, now: dt.datetime
) -> tuple[str, list[str], registry.Endpoint]:
    """What the validation handshake needs: the URL, the active outbound secrets and the
    endpoint (its bearer token or OAuth2 client)."""
    endpoint = session.get(registry.Endpoint, endpoint_id)
    if endpoint is None:
        raise delivery_errors.EndpointNotFound(f"no endpoint {endpoint_id}")
    found = endpoint_repository.active_secrets(session, [endpoint_id], now).get(endpoint_id, [])
    if not found:
        raise delivery_errors.InvalidSecret("the endpoint has no signing secret: rotate one first")
    return endpoint.url, [s.secret for s in found], endpoint


def record_validation(
    *,
    session: orm.Session,
    endpoint_id: str,
    validation: endpoint_validation.Validation,
    actor: str,
    now: dt.datetime,
) -> registry.Endpoint:
    """A passed handshake activates the endpoint (held lanes resume) and caps its rate."""
    if not validation.ok:
        raise delivery_errors.ValidationFailed(validation.reason or "validation failed")
    endpoint = reenable_endpoint(session=session, endpoint_id=endpoint_id, actor=actor, now=now)
    if validation.allowed_rate is not None:
        states = endpoint_repository.endpoint_states(session, [endpoint_id], now=now, lock=True)
        state = states[endpoint_id]
        state.rate_limit_per_s = min(state.rate_limit_per_s, validation.allowed_rate)
    return endpoint


def rotate_secret(
    *,
    session: orm.Session,
    endpoint_id: str,
    actor: str,
    now: dt.datetime,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
) -> str:
    """A new current ``whsec_`` secret (returned once); the old one stays valid for ``overlap``."""
    if not dt.timedelta(0) <= overlap <= MAX_OVERLAP:
        raise delivery_errors.InvalidSecret("the overlap lies between 0 and 168 hours")
    if session.get(registry.Endpoint, endpoint_id) is None:
        raise delivery_errors.EndpointNotFound(f"no endpoint {endpoint_id}")
    for old in _secrets(session, endpoint_id, ("current",)):
        old.state = "previous" if overlap > dt.timedelta(0) else "revoked"
        old.expires_at = now + overlap
    session.flush()
    secret = signing.new_secret()
    session.add(
        dt_tables.EndpointSecret(
            id=ids.new_id(),
            endpoint_id=endpoint_id,
            direction="outbound",
            scheme="v1",
            secret=secret,
            state="current",
            expires_at=None,
            created_by=actor,
            created_at=now,
        )
    )
    session.flush()
    return secret


def _secrets(
    session: orm.Session, endpoint_id: str, states: Sequence[str]
) -> list[dt_tables.EndpointSecret]:
    return list(
        session.scalars(
            sa.select(dt_tables.EndpointSecret).where(
                dt_tables.EndpointSecret.endpoint_id == endpoint_id,
                dt_tables.EndpointSecret.direction == "outbound",
                dt_tables.EndpointSecret.state.in_(list(states)),
            )
        )
    )


def endpoint_overview(
    *, session: orm.Session, partner_id: str | None = None
) -> list[dict[str, Any]]:
    """Every endpoint (of one partner) with its status, health and queue (ids and counts only)."""
    query = sa.select(registry.Endpoint).order_by(
        registry.Endpoint.partner_id, registry.Endpoint.id
    )
    if partner_id is not None:
        query = query.where(registry.Endpoint.partner_id == partner_id)
    endpoints = list(session.scalars(query))
    states = {
        s.endpoint_id: s
        for s in session.scalars(
            sa.select(dt_tables.EndpointState).where(
                dt_tables.EndpointState.endpoint_id.in_([e.id for e in endpoints])
            )
        )
    }
    counts = _queue_counts(session, [e.id for e in endpoints])
    return [_overview(e, states.get(e.id), counts.get(e.id, {})) for e in endpoints]


def _queue_counts(session: orm.Session, endpoint_ids: list[str]) -> dict[str, dict[str, int]]:
    query = (
        sa.select(outbox.Delivery.endpoint_id, outbox.Delivery.state, sa.func.count())
        .where(outbox.Delivery.endpoint_id.in_(endpoint_ids))
        .group_by(outbox.Delivery.endpoint_id, outbox.Delivery.state)
    )
    counts: dict[str, dict[str, int]] = {}
    for endpoint_id, state, count in session.execute(query):
        counts.setdefault(endpoint_id or "", {})[state] = int(count)
    return counts


def _overview(
    endpoint: registry.Endpoint,
    state: dt_tables.EndpointState | None,
    counts: dict[str, int],
) -> dict[str, Any]:
    return {
        "endpoint_id": endpoint.id,
        "partner_id": endpoint.partner_id,
        "url": endpoint.url,
        "status": endpoint.status,
        "disabled_reason": endpoint.disabled_reason,
        "circuit_state": state.circuit_state if state else "closed",
        "last_success_at": state.last_success_at.isoformat()
        if state and state.last_success_at
        else None,
        "deliveries": counts,
    }
