"""Delivery tables (sharing-and-delivery §2.4, §6): secrets, endpoint health, attempts, notices.

They sit beside the outbox (``notify.tables.outbox``: ``delivery`` and ``delivery_lane``) and
are created by migration ``0005_delivery``:

* ``endpoint_secret``: the ``whsec_`` secrets of an endpoint; exactly one ``current`` per
  (endpoint, direction, scheme), ``previous`` ones valid until ``expires_at`` (rotation).
* ``endpoint_state``: per-endpoint delivery limits and health (circuit breaker, throttle,
  sustained-failure clock), one row per endpoint, created when first needed.
* ``delivery_attempt``: every attempt, ``started`` committed before a byte is sent and
  ``finished`` after, with status, latency and a response excerpt (≤ 1 KiB, non-2xx only).
* ``dispatcher_lock``: SQLite's single writer (one row per lock name).
* ``ops_notice``: operational notices (``endpoint.disabled``, ``delivery.exhausted``…), ids
  and counts only.
* ``delivery_action``: operator actions on deliveries (resend, recover, abandon), audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.sealing import Sealed
from core.tables import Base
from notify import endpoint_health, response
from notify.tables.common import CODE, ID, JSON, KEY, NAME, TEXT, one_of

SECRET_STATES = ("current", "previous", "revoked")
ATTEMPT_PHASES = ("started", "finished")
NOTICE_KINDS = (
    "endpoint.disabled", "endpoint.failing", "delivery.exhausted", "delivery.recovered",
    "feed.stale", "endpoint.recovered",
)  # fmt: skip
ACTIONS = ("resend", "recover", "abandon", "reroute")


class EndpointSecret(Base):
    __tablename__ = "endpoint_secret"
    __table_args__ = (
        sa.Index(
            "uq_endpoint_secret_current",
            "endpoint_id",
            "direction",
            "scheme",
            unique=True,
            sqlite_where=sa.text("state = 'current'"),
            postgresql_where=sa.text("state = 'current'"),
        ),
        one_of("direction", ("outbound", "inbound_ack")),
        one_of("scheme", ("v1", "v1a")),
        one_of("state", SECRET_STATES),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("endpoint.id"), index=True)
    direction: Mapped[str] = mapped_column(CODE)
    scheme: Mapped[str] = mapped_column(CODE)
    secret: Mapped[str] = mapped_column(Sealed(200))  # 0026: stored sealed (core.sealing)
    state: Mapped[str] = mapped_column(CODE)
    expires_at: Mapped[dt.datetime | None]
    created_by: Mapped[str] = mapped_column(NAME)
    created_at: Mapped[dt.datetime]


class EndpointState(Base):
    """Limits and health of one endpoint (§6.6)."""

    __tablename__ = "endpoint_state"
    __table_args__ = (one_of("circuit_state", get_args(endpoint_health.CircuitState)),)

    endpoint_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("endpoint.id"), primary_key=True)
    rate_limit_per_s: Mapped[float] = mapped_column(sa.Float())
    max_in_flight: Mapped[int] = mapped_column(sa.Integer())
    retry_schedule_s: Mapped[list[float] | None] = mapped_column(JSON)
    circuit_state: Mapped[str] = mapped_column(CODE)
    circuit_until: Mapped[dt.datetime | None]
    cooldown_s: Mapped[float] = mapped_column(sa.Float())
    window_started_at: Mapped[dt.datetime | None]
    window_attempts: Mapped[int] = mapped_column(sa.Integer())
    window_failures: Mapped[int] = mapped_column(sa.Integer())
    consecutive_failures: Mapped[int] = mapped_column(sa.Integer())
    throttle_level: Mapped[int] = mapped_column(sa.Integer())
    throttled_until: Mapped[dt.datetime | None]
    first_failure_at: Mapped[dt.datetime | None]
    last_failure_at: Mapped[dt.datetime | None]
    last_failed_delivery_id: Mapped[str | None] = mapped_column(ID)
    last_success_at: Mapped[dt.datetime | None]
    failing_notified: Mapped[bool]
    updated_at: Mapped[dt.datetime]


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempt"
    __table_args__ = (
        sa.UniqueConstraint("delivery_id", "attempt_no"),
        one_of("phase", ATTEMPT_PHASES),
        one_of("error_kind", get_args(response.ErrorKind), nullable=True),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("delivery.id"))
    attempt_no: Mapped[int] = mapped_column(sa.Integer())
    phase: Mapped[str] = mapped_column(CODE)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    http_status: Mapped[int | None] = mapped_column(sa.Integer())
    error_kind: Mapped[str | None] = mapped_column(CODE)
    retry_after_s: Mapped[float | None] = mapped_column(sa.Float())
    latency_ms: Mapped[int | None] = mapped_column(sa.Integer())
    response_excerpt: Mapped[str | None] = mapped_column(TEXT)
    possibly_received: Mapped[bool]
    signature_kids: Mapped[list[str]] = mapped_column(JSON)
    recheck: Mapped[dict[str, Any]] = mapped_column(JSON)
    worker_id: Mapped[str] = mapped_column(KEY)


class DispatcherLock(Base):
    """SQLite's single writer: the dispatcher that holds a row until ``until`` (heartbeat)."""

    __tablename__ = "dispatcher_lock"

    name: Mapped[str] = mapped_column(CODE, primary_key=True)
    owner: Mapped[str] = mapped_column(KEY)
    until: Mapped[dt.datetime]


class OpsNotice(Base):
    __tablename__ = "ops_notice"
    __table_args__ = (one_of("kind", NOTICE_KINDS),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(CODE)
    partner_id: Mapped[str | None] = mapped_column(ID, index=True)
    endpoint_id: Mapped[str | None] = mapped_column(ID)
    delivery_id: Mapped[str | None] = mapped_column(ID)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    sent_at: Mapped[dt.datetime | None]


class DeliveryAction(Base):
    __tablename__ = "delivery_action"
    __table_args__ = (one_of("action", ACTIONS),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("delivery.id"), index=True)
    action: Mapped[str] = mapped_column(CODE)
    actor: Mapped[str] = mapped_column(NAME)
    reason: Mapped[str | None] = mapped_column(TEXT)
    at: Mapped[dt.datetime]
