"""Signed business acknowledgements (sharing-and-delivery §6.14, §6.3).

A partner signs ``POST /v1/deliveries/{id}/ack`` with the Standard Webhooks scheme, using an
``inbound_ack`` secret of one of its endpoints (:func:`rotate`, shown once; the previous one
stays valid for an overlap, as outbound secrets do). The hub applies the receiver's rules:
one ``v1`` signature must match in constant time and ``webhook-timestamp`` must lie within
±5 minutes. The ``webhook-id`` de-duplicates: a request seen again returns the first answer.

Once a partner holds an acknowledgement secret, every acknowledgement it sends must be signed;
until then its API key alone authenticates one (so integrations can start unsigned).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from notify import delivery_errors, signing
from notify import delivery_tables as dt_tables
from notify.tables import registry

DIRECTION = "inbound_ack"
MAX_OVERLAP = dt.timedelta(hours=168)


def secrets(session: orm.Session, *, partner_id: str, now: dt.datetime) -> list[str]:
    """The partner's acknowledgement secrets valid now, current ones first."""
    endpoints = sa.select(registry.Endpoint.id).where(registry.Endpoint.partner_id == partner_id)
    query = sa.select(dt_tables.EndpointSecret).where(
        dt_tables.EndpointSecret.endpoint_id.in_(endpoints),
        dt_tables.EndpointSecret.direction == DIRECTION,
        dt_tables.EndpointSecret.scheme == "v1",
        dt_tables.EndpointSecret.state.in_(("current", "previous")),
    )
    live = [s for s in session.scalars(query) if s.state == "current" or _live(s.expires_at, now)]
    live.sort(key=lambda s: (s.state != "current", s.id))
    return [s.secret for s in live]


def _live(expires_at: dt.datetime | None, now: dt.datetime) -> bool:
    if expires_at is None:
        return False
    aware = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=dt.UTC)
    return aware > now


def check(
    session: orm.Session,
    *,
    partner_id: str,
    body: bytes,
    headers: Mapping[str, str],
    now: dt.datetime,
) -> str | None:
    """The verified ``webhook-id``; None for an unsigned ack of a partner without a secret."""
    found = secrets(session, partner_id=partner_id, now=now)
    lowered = {k.lower() for k in headers}
    if not found:
        if signing.SIGNATURE_HEADER in lowered:
            raise delivery_errors.SignatureMismatch(
                "this partner has no acknowledgement secret yet: issue one first"
            )
        return None
    return signing.verify(body=body, headers_=headers, secrets_=found, now=now)


def rotate(
    session: orm.Session,
    *,
    endpoint_id: str,
    actor: str,
    now: dt.datetime,
    overlap: dt.timedelta = dt.timedelta(hours=24),
) -> str:
    """A new current acknowledgement secret (returned once); the old one stays for ``overlap``."""
    if not dt.timedelta(0) <= overlap <= MAX_OVERLAP:
        raise delivery_errors.InvalidSecret("the overlap lies between 0 and 168 hours")
    query = sa.select(dt_tables.EndpointSecret).where(
        dt_tables.EndpointSecret.endpoint_id == endpoint_id,
        dt_tables.EndpointSecret.direction == DIRECTION,
        dt_tables.EndpointSecret.state == "current",
    )
    for old in session.scalars(query):
        old.state = "previous" if overlap > dt.timedelta(0) else "revoked"
        old.expires_at = now + overlap
    session.flush()
    secret = signing.new_secret()
    row = dt_tables.EndpointSecret(id=ids.new_id(), endpoint_id=endpoint_id, direction=DIRECTION,
                                   scheme="v1", secret=secret, state="current", expires_at=None,
                                   created_by=actor, created_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    return secret
