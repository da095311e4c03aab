"""The rows of the outbox, built in memory: events, deliveries, their subjects, ledger lines
and new lanes, and what they are built from (:class:`Keys`, :class:`Context`, :class:`FollowUp`).

Pure apart from new ids: nothing here reads or writes the database; :mod:`notify.outbox`
decides how the rows are written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core import ids
from core.settings import Settings
from notify import codes, decision, domain, events, move_domain, projection, routing, row_batch, sql
from notify.tables import outbox as o


@dataclass(frozen=True, kw_only=True, slots=True)
class Keys:
    """Where events come from and the keys derived from the deployment secret."""

    secret: bytes
    namespace: str = "uk.gov.example.addresshub"
    hub_host: str = "localhost"

    @classmethod
    def from_settings(cls, settings: Settings) -> Keys:
        return cls(
            secret=settings.secret_key.get_secret_value().encode(),
            namespace=settings.event_namespace,
            hub_host=settings.public_host,
        )

    def partner_key(self, partner_id: str) -> bytes:
        return hmac.new(self.secret, f"pseudonym:{partner_id}".encode(), hashlib.sha256).digest()

    def payload_digest(self, body: bytes) -> str:
        ledger_key = hmac.new(self.secret, b"ledger", hashlib.sha256).digest()
        return "hmac-sha256:" + hmac.new(ledger_key, body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, kw_only=True, slots=True)
class Context:
    """The submission being enqueued and everything its bodies are built from."""

    submission_id: str
    move: move_domain.Move
    facts: move_domain.GazetteerFacts
    registry: domain.Registry
    keys: Keys
    now: dt.datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class FollowUp:
    """What an event adds when it follows an earlier one up (a ``corrected`` event, §5.2)."""

    kind: str = codes.SUBMITTED
    causation_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class Planned:
    """One delivery to write: a decision, one of its targets, and what it follows up."""

    d: decision.Decision
    target: decision.Target
    decision_id: str | None
    follow_up: FollowUp | None = None


def ordering_key(registry: domain.Registry, d: decision.Decision, subject_id: str) -> str:
    partner = registry.partners[d.partner_id]
    scope = partner.id if partner.ordering_scope == "partner" else d.partner_service_id
    return events.ordering_key(subject_id, scope)


def new_lane(
    key: str, endpoint_id: str | None, not_before: dt.datetime, *, last_seq: int
) -> dict[str, Any]:
    return {
        "ordering_key": key,
        "endpoint_id": endpoint_id,
        "last_seq": last_seq,
        "state": "ready",
        "next_attempt_at": not_before,
    }


def event_row(ctx: Context, *, event_id: str, kind: str) -> dict[str, Any]:
    """The ``outbox_event`` row :func:`repository.add_outbox_event` writes."""
    return {
        "id": event_id,
        "type": events.event_type(ctx.keys.namespace, kind),
        "source": events.person_source(ctx.keys.hub_host),
        "aggregate_kind": "submission",
        "aggregate_id": ctx.submission_id,
        "occurred_at": ctx.now,
        "correlation_id": ctx.move.reference,
        "causation_id": None,
        "fanout_done": True,
    }


def rows(
    batch: row_batch.Batch,
    ctx: Context,
    planned: list[Planned],
    *,
    keys: list[str],
    seqs: list[int],
    event_id: str,
) -> dict[str, tuple[str | None, dt.datetime]]:
    """Each delivery with its subjects and ledger line added to ``batch``; per delivery id,
    in order, its endpoint and release time."""
    written = {}
    batch.derive(o.Delivery, "attributes", sql.ATTRIBUTES_FROM_BODY)  # body = attributes + data
    for p, key, seq in zip(planned, keys, seqs, strict=True):
        row, subjects, line = _delivery(ctx, p, key=key, seq=seq, event_id=event_id)
        batch.add(o.Delivery, row)
        batch.add(o.DeliverySubject, *subjects)
        batch.add(o.Disclosure, line)
        written[row["id"]] = (row["endpoint_id"], row["not_before"])
    return written


def _delivery(
    ctx: Context, p: Planned, *, key: str, seq: int, event_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    move, d, target = ctx.move, p.d, p.target
    delivery_id = ids.new_id()
    header, attributes, body = _event(
        ctx, d, delivery_id=delivery_id, seq=seq, follow_up=p.follow_up
    )
    not_before = d.not_before or ctx.now
    state = "held" if d.outcome == "hold" else ("scheduled" if not_before > ctx.now else "pending")
    row = {
        "id": delivery_id,
        "outbox_event_id": event_id,
        "subscription_id": target.subscription_id,
        "endpoint_id": target.endpoint_id,
        "partner_id": d.partner_id,
        "partner_service_id": d.partner_service_id,
        "submission_id": ctx.submission_id,
        "plan_decision_id": p.decision_id,
        "rule_id": d.rule_id or "",
        "rule_version_planned": d.rule_version or 0,
        "consent_record_id": d.consent_id,
        "event_type": header.kind,
        "role": d.role,
        "source_channel": move.channel,
        "ordering_key": key,
        "seq": seq,
        "state": state,
        "not_before": not_before,
        "next_attempt_at": not_before,
        "expires_at": d.expires_at or not_before,
        "attempt_count": 0,
        "schedule_index": 0,
        "fields_planned": list(d.fields),
        "attributes": attributes,
        "body": body,
        "possibly_received": False,
        "hold_reason": next((r.code for r in d.reasons if r.effect == "hold"), None),
        "created_at": ctx.now,
        "updated_at": ctx.now,
    }
    subjects = [{"delivery_id": delivery_id, "subject_id": move.person.id, "role": "primary"}]
    subjects += [
        {"delivery_id": delivery_id, "subject_id": m.person.id, "role": "household"}
        for m in move.household
        if m.person.id in d.member_ids
    ]
    return row, subjects, _ledger_line(ctx, d, row, body)


def _event(
    ctx: Context,
    d: decision.Decision,
    *,
    delivery_id: str,
    seq: int,
    follow_up: FollowUp | None = None,
) -> tuple[events.Header, dict[str, str], bytes]:
    """The header, its CloudEvents attributes and the exact body bytes (the attributes and
    the projected groups, nothing else)."""
    move, keys, follow_up = ctx.move, ctx.keys, follow_up or FollowUp()
    header = events.header_for(
        d,
        delivery_id=delivery_id,
        namespace=keys.namespace,
        hub_host=keys.hub_host,
        subject=events.pseudonym(keys.partner_key(d.partner_id), move.person.id),
        occurred_at=ctx.now,
        recorded_at=ctx.now,
        sequence=seq,
        correlation_id=move.reference,
        kind=follow_up.kind,
        causation_id=follow_up.causation_id,
    )
    data = projection.build_data(
        move=move,
        facts=ctx.facts,
        service_id=d.partner_service_id,
        role=d.role,
        fields=d.fields,
        members=[m for m in move.household if m.person.id in d.member_ids],
    )
    attributes = events.attributes(header)
    return header, attributes, events.body_of(attributes, {**data, **follow_up.data})


def _ledger_line(
    ctx: Context, d: decision.Decision, row: dict[str, Any], body: bytes
) -> dict[str, Any]:
    rule = routing.rule_version(ctx.registry, d.rule_id, d.rule_version)
    return {
        "id": ids.new_id(),
        "delivery_id": row["id"],
        "submission_id": ctx.submission_id,
        "subject_id": ctx.move.person.id,
        "event_id": row["id"],
        "event_type": row["event_type"],
        "channel": _channel(d),
        "partner_id": d.partner_id,
        "partner_service_id": d.partner_service_id,
        "purpose_code": d.purpose_code,
        "lawful_basis": d.lawful_basis,
        "art9_condition": rule.art9_condition if rule else None,
        "rule_id": row["rule_id"],
        "rule_version": row["rule_version_planned"],
        "dsa_id": d.dsa_id,
        "dsa_version": d.dsa_version,
        "consent_record_id": d.consent_id,
        "fields": list(d.fields),
        "payload_digest": ctx.keys.payload_digest(body),
        "outcome": "planned",
        "planned_at": ctx.now,
        "art19_status": "n/a",
    }


def _channel(d: decision.Decision) -> str:
    return d.targets[0].channel if d.targets else "webhook"
