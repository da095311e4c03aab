"""Plan, outbox and ledger tables (sharing-and-delivery §2.4, §2.5).

``outbox_event`` is one occurrence, written in the business transaction. ``delivery`` is the
fan-out row: one per event × subscription (a partner service's endpoint or feed), carrying the
CloudEvents attributes and the body built from the projected field groups only, and its place
(``seq``) in the lane of its ordering key (person × partner). ``disclosure`` is the ledger
line, exactly one per delivery.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.tables import Base
from notify.tables.common import CODE, ID, JSON, KEY, NAME, TEXT, one_of

DELIVERY_STATES = (
    "scheduled", "pending", "in_flight", "retry_wait", "held", "dead", "delivered", "cancelled",
    "expired", "abandoned",
)  # fmt: skip
TERMINAL_STATES = ("delivered", "cancelled", "expired", "abandoned")
OUTCOMES = ("planned", "disclosed", "possibly_disclosed", "not_disclosed")


class PlanDecision(Base):
    __tablename__ = "plan_decision"
    __table_args__ = (
        one_of("phase", ("plan", "explain")),
        one_of("decision", ("send", "refuse", "hold", "ask")),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    submission_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("change_submission.id"), index=True
    )
    submission_version: Mapped[int] = mapped_column(sa.Integer())
    phase: Mapped[str] = mapped_column(CODE)
    partner_service_id: Mapped[str] = mapped_column(ID)
    role: Mapped[str] = mapped_column(CODE)
    decision: Mapped[str] = mapped_column(CODE)
    rule_id: Mapped[str | None] = mapped_column(KEY)
    rule_version: Mapped[int | None] = mapped_column(sa.Integer())
    dsa_id: Mapped[str | None] = mapped_column(KEY)
    dsa_version: Mapped[int | None] = mapped_column(sa.Integer())
    lawful_basis: Mapped[str | None] = mapped_column(CODE)
    purpose_code: Mapped[str | None] = mapped_column(KEY)
    consent_record_id: Mapped[str | None] = mapped_column(ID)
    fields: Mapped[list[str]] = mapped_column(JSON)
    fields_dropped: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    data_category: Mapped[str | None] = mapped_column(CODE)
    channel: Mapped[str | None] = mapped_column(CODE)
    not_before: Mapped[dt.datetime | None]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    registry_digest: Mapped[str] = mapped_column(sa.String(80))
    evaluated_at: Mapped[dt.datetime]


class OutboxEvent(Base):
    __tablename__ = "outbox_event"
    __table_args__ = (one_of("aggregate_kind", ("submission", "consent", "erasure", "gazetteer")),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    type: Mapped[str] = mapped_column(NAME)
    source: Mapped[str] = mapped_column(NAME)
    aggregate_kind: Mapped[str] = mapped_column(CODE)
    aggregate_id: Mapped[str] = mapped_column(ID)  # no query reads by it (0018)
    occurred_at: Mapped[dt.datetime]
    correlation_id: Mapped[str] = mapped_column(KEY)
    causation_id: Mapped[str | None] = mapped_column(ID)
    fanout_done: Mapped[bool]


class Delivery(Base):
    """One event for one subscription: the outbox fan-out row and its retry state. On
    PostgreSQL a row of up to a page is stored uncompressed (migration 0020); no index holds
    ``state``, so the worker's updates can stay on their page (migration 0022)."""

    __tablename__ = "delivery"
    __table_args__ = (
        sa.UniqueConstraint("outbox_event_id", "subscription_id"),
        sa.UniqueConstraint("ordering_key", "seq"),
        one_of("state", DELIVERY_STATES),
        one_of("body_purge_reason", ("retention", "erasure", "cancelled"), nullable=True),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    outbox_event_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("outbox_event.id"))
    subscription_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("subscription.id"))
    endpoint_id: Mapped[str | None] = mapped_column(ID, index=True)
    partner_id: Mapped[str] = mapped_column(ID, index=True)
    partner_service_id: Mapped[str] = mapped_column(ID)
    submission_id: Mapped[str | None] = mapped_column(ID, index=True)
    plan_decision_id: Mapped[str | None] = mapped_column(ID)
    rule_id: Mapped[str] = mapped_column(KEY)
    rule_version_planned: Mapped[int] = mapped_column(sa.Integer())
    consent_record_id: Mapped[str | None] = mapped_column(ID, index=True)
    event_type: Mapped[str] = mapped_column(NAME)
    role: Mapped[str] = mapped_column(CODE)
    source_channel: Mapped[str] = mapped_column(CODE)
    ordering_key: Mapped[str] = mapped_column(KEY)
    seq: Mapped[int]
    state: Mapped[str] = mapped_column(CODE)
    not_before: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime]
    attempt_count: Mapped[int] = mapped_column(sa.Integer())
    schedule_index: Mapped[int] = mapped_column(sa.Integer())
    fields_planned: Mapped[list[str]] = mapped_column(JSON)
    fields_sent: Mapped[list[str] | None] = mapped_column(JSON)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON)
    body: Mapped[bytes | None] = mapped_column(sa.LargeBinary())
    body_purged_at: Mapped[dt.datetime | None]
    body_purge_reason: Mapped[str | None] = mapped_column(CODE)
    possibly_received: Mapped[bool]
    feed_seq: Mapped[int | None]
    last_http_status: Mapped[int | None] = mapped_column(sa.Integer())
    last_error_kind: Mapped[str | None] = mapped_column(CODE)
    hold_reason: Mapped[str | None] = mapped_column(KEY)
    close_reason: Mapped[str | None] = mapped_column(KEY)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class DeliverySubject(Base):
    """Every person whose data is in a delivery's body."""

    __tablename__ = "delivery_subject"
    __table_args__ = (one_of("role", ("primary", "household")),)

    delivery_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("delivery.id"), primary_key=True)
    subject_id: Mapped[str] = mapped_column(ID, primary_key=True, index=True)
    role: Mapped[str] = mapped_column(CODE)


class DeliveryLane(Base):
    """The FIFO of one ordering key: ``last_seq`` hands out sequence numbers at enqueue."""

    __tablename__ = "delivery_lane"
    __table_args__ = (one_of("state", ("idle", "ready", "leased", "held", "blocked")),)

    ordering_key: Mapped[str] = mapped_column(KEY, primary_key=True)
    endpoint_id: Mapped[str | None] = mapped_column(ID)
    last_seq: Mapped[int]
    head_delivery_id: Mapped[str | None] = mapped_column(ID)
    state: Mapped[str] = mapped_column(CODE)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    lease_owner: Mapped[str | None] = mapped_column(KEY)
    lease_until: Mapped[dt.datetime | None]


class Disclosure(Base):
    """The ledger line: exactly one per delivery; values never, group codes only."""

    __tablename__ = "disclosure"
    __table_args__ = (
        sa.UniqueConstraint("notice_of", "event_type"),
        one_of("outcome", OUTCOMES),
        one_of("art19_status", ("n/a", "pending", "sent", "impossible")),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("delivery.id"), unique=True)
    submission_id: Mapped[str | None] = mapped_column(ID, index=True)
    subject_id: Mapped[str | None] = mapped_column(ID, index=True)
    event_id: Mapped[str] = mapped_column(ID)
    event_type: Mapped[str] = mapped_column(NAME)
    channel: Mapped[str] = mapped_column(CODE)
    partner_id: Mapped[str] = mapped_column(ID)  # no query reads by it (0018)
    partner_service_id: Mapped[str] = mapped_column(ID)
    purpose_code: Mapped[str | None] = mapped_column(KEY)
    lawful_basis: Mapped[str | None] = mapped_column(CODE)
    art9_condition: Mapped[str | None] = mapped_column(NAME)
    rule_id: Mapped[str] = mapped_column(KEY)
    rule_version: Mapped[int] = mapped_column(sa.Integer())
    dsa_id: Mapped[str | None] = mapped_column(KEY)
    dsa_version: Mapped[int | None] = mapped_column(sa.Integer())
    consent_record_id: Mapped[str | None] = mapped_column(ID, index=True)
    receipt_id: Mapped[str | None] = mapped_column(KEY)
    fields: Mapped[list[str]] = mapped_column(JSON)
    payload_digest: Mapped[str | None] = mapped_column(sa.String(80))
    outcome: Mapped[str] = mapped_column(CODE)
    close_reason: Mapped[str | None] = mapped_column(KEY)
    planned_at: Mapped[dt.datetime]
    disclosed_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    notice_of: Mapped[str | None] = mapped_column(ID)
    art19_status: Mapped[str] = mapped_column(CODE)
    art19_note: Mapped[str | None] = mapped_column(TEXT)
    erased_at: Mapped[dt.datetime | None]
    erasure_ref: Mapped[str | None] = mapped_column(ID)


class DisclosureHistory(Base):
    """Append-only: every change of a ledger line's outcome."""

    __tablename__ = "disclosure_history"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    disclosure_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("disclosure.id"), index=True)
    at: Mapped[dt.datetime]
    from_outcome: Mapped[str | None] = mapped_column(CODE)
    to_outcome: Mapped[str] = mapped_column(CODE)
    actor: Mapped[str] = mapped_column(NAME)
    detail: Mapped[str | None] = mapped_column(TEXT)
