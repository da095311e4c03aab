"""Writing the outbox in the business transaction: events, deliveries, lanes and ledger lines.

For each decision that creates a delivery, one ``delivery`` row per target (subscription):
the CloudEvents attributes, the canonical body built from the projected groups only, its
``seq`` in the (person × partner) lane, one ``delivery_subject`` row per person in the body
and one ``disclosure`` line (``planned``). Cancelling purges the body at once and closes the
ledger line. Notices (Art. 19) carry references to earlier events only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import orm

from core import ids
from core.settings import Settings
from notify import codes, decision, domain, events, projection, row_batch
from notify import repository as repo
from notify.tables import outbox as o

NOTICE_RULE: Final = "ART19_NOTICE"  # the built-in rule of Art. 19 notices (§3.8)


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
    move: domain.Move
    facts: domain.GazetteerFacts
    registry: domain.Registry
    keys: Keys
    now: dt.datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class FollowUp:
    """What an event adds when it follows an earlier one up (a ``corrected`` event, §5.2)."""

    kind: str = codes.SUBMITTED
    causation_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


def add_event(session: orm.Session, ctx: Context, *, kind: str) -> str:
    """The ``outbox_event`` row of one event of this submission version."""
    return repo.add_outbox_event(
        session,
        type_=events.event_type(ctx.keys.namespace, kind),
        source=events.person_source(ctx.keys.hub_host),
        aggregate_kind="submission",
        aggregate_id=ctx.submission_id,
        occurred_at=ctx.now,
        correlation_id=ctx.move.reference,
    )


def enqueue_decision(
    session: orm.Session,
    ctx: Context,
    d: decision.Decision,
    *,
    event_id: str,
    decision_id: str | None,
    follow_up: FollowUp,
) -> list[str]:
    """One decision's deliveries (one per target), as ``follow_up`` says; returns their ids."""
    planned = [
        _Planned(d=d, target=t, decision_id=decision_id, follow_up=follow_up) for t in d.targets
    ]
    return _write(session, ctx, planned, event_id=event_id)


def enqueue_plan(
    session: orm.Session, ctx: Context, plan: decision.Plan, decision_ids: dict[str, str]
) -> list[str]:
    """Deliveries for every decision that creates one; returns their ids (CloudEvents ids)."""
    chosen = [d for d in plan.decisions if d.creates_delivery]
    if not chosen:
        return []
    event_id = repo.add_outbox_event(
        session,
        type_=events.event_type(ctx.keys.namespace, codes.SUBMITTED),
        source=events.person_source(ctx.keys.hub_host),
        aggregate_kind="submission",
        aggregate_id=ctx.submission_id,
        occurred_at=ctx.now,
        correlation_id=ctx.move.reference,
    )
    planned = [
        _Planned(d=d, target=t, decision_id=decision_ids.get(d.partner_service_id))
        for d in chosen
        for t in d.targets
    ]
    return _write(session, ctx, planned, event_id=event_id)


def enqueue_new_move(
    batch: row_batch.Batch, ctx: Context, plan: decision.Plan, decision_ids: dict[str, str]
) -> list[str]:
    """:func:`enqueue_plan` for a move whose people are all new subjects, added to ``batch``:
    the event (and the wake-up of listening workers), the deliveries, their subjects and
    ledger lines, and their lanes. Every lane is keyed by a new subject, so it is new: it is
    inserted numbered (``seq`` from 1, as the upsert of :func:`repository.next_seqs` would
    number an absent lane) and ready at its first delivery's release time, as
    :func:`repository.wake_lanes` would leave it; a lane that exists after all fails the
    insert rather than being numbered twice."""
    chosen = [d for d in plan.decisions if d.creates_delivery]
    if not chosen:
        return []
    event_id = ids.new_id()
    batch.add(o.OutboxEvent, _event_row(ctx, event_id=event_id, kind=codes.SUBMITTED))
    batch.announce = True
    planned = [
        _Planned(d=d, target=t, decision_id=decision_ids.get(d.partner_service_id))
        for d in chosen
        for t in d.targets
    ]
    keys = [ordering_key(ctx.registry, p.d, ctx.move.person.id) for p in planned]
    handed: dict[str, int] = {}
    seqs = []
    for key in keys:
        handed[key] = handed.get(key, 0) + 1
        seqs.append(handed[key])
    written = _rows(batch, ctx, planned, keys=keys, seqs=seqs, event_id=event_id)
    lanes: dict[str, dict[str, Any]] = {}
    for key, (endpoint_id, not_before) in zip(keys, written.values(), strict=True):
        lanes.setdefault(key, _new_lane(key, endpoint_id, not_before, last_seq=handed[key]))
    batch.add(o.DeliveryLane, *lanes.values())
    return list(written)


def _new_lane(
    key: str, endpoint_id: str | None, not_before: dt.datetime, *, last_seq: int
) -> dict[str, Any]:
    return {
        "ordering_key": key,
        "endpoint_id": endpoint_id,
        "last_seq": last_seq,
        "state": "ready",
        "next_attempt_at": not_before,
    }


def _event_row(ctx: Context, *, event_id: str, kind: str) -> dict[str, Any]:
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


def ordering_key(registry: domain.Registry, d: decision.Decision, subject_id: str) -> str:
    partner = registry.partners[d.partner_id]
    scope = partner.id if partner.ordering_scope == "partner" else d.partner_service_id
    return events.ordering_key(subject_id, scope)


@dataclass(frozen=True, kw_only=True, slots=True)
class _Planned:
    """One delivery to write: a decision, one of its targets, and what it follows up."""

    d: decision.Decision
    target: decision.Target
    decision_id: str | None
    follow_up: FollowUp | None = None


def _write(
    session: orm.Session, ctx: Context, planned: list[_Planned], *, event_id: str
) -> list[str]:
    """The deliveries, their subjects and ledger lines (one statement for the three tables),
    their sequence numbers in one statement, and their lanes woken in one more."""
    keys = [ordering_key(ctx.registry, p.d, ctx.move.person.id) for p in planned]
    seqs = repo.next_seqs(
        session, [(k, p.target.endpoint_id) for k, p in zip(keys, planned, strict=True)]
    )
    batch = row_batch.Batch()
    written = _rows(batch, ctx, planned, keys=keys, seqs=seqs, event_id=event_id)
    row_batch.write(session, batch)
    wakes = [(k, e, nb) for k, (e, nb) in zip(keys, written.values(), strict=True)]
    repo.wake_lanes(session, wakes)
    return list(written)


def _rows(
    batch: row_batch.Batch,
    ctx: Context,
    planned: list[_Planned],
    *,
    keys: list[str],
    seqs: list[int],
    event_id: str,
) -> dict[str, tuple[str | None, dt.datetime]]:
    """Each delivery with its subjects and ledger line added to ``batch``; per delivery id,
    in order, its endpoint and release time."""
    written = {}
    for p, key, seq in zip(planned, keys, seqs, strict=True):
        row, subjects, line = _delivery(ctx, p, key=key, seq=seq, event_id=event_id)
        batch.add(o.Delivery, row)
        batch.add(o.DeliverySubject, *subjects)
        batch.add(o.Disclosure, line)
        written[row["id"]] = (row["endpoint_id"], row["not_before"])
    return written


def _delivery(
    ctx: Context, p: _Planned, *, key: str, seq: int, event_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    move, d, target = ctx.move, p.d, p.target
    delivery_id = ids.new_id()
    header, body = _event(ctx, d, delivery_id=delivery_id, seq=seq, follow_up=p.follow_up)
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
        "attributes": events.attributes(header),
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
) -> tuple[events.Header, bytes]:
    """The header and the exact body bytes: the projected groups and nothing else."""
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
    return header, events.body(header, {**data, **follow_up.data})


def _ledger_line(
    ctx: Context, d: decision.Decision, row: dict[str, Any], body: bytes
) -> dict[str, Any]:
    rule = next(
        (r for r in ctx.registry.rules if (r.id, r.version) == (d.rule_id, d.rule_version)), None
    )
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


# Cancelling and notices ----------------------------------------------------------------------


def cancel(session: orm.Session, delivery: o.Delivery, *, reason: str, now: dt.datetime) -> None:
    """Terminal: the body is purged now and the ledger line closed (§3.7 ``Cancel``)."""
    delivery.state = "cancelled"
    delivery.close_reason = f"cancelled:{reason}"
    delivery.body, delivery.body_purged_at, delivery.body_purge_reason = None, now, "cancelled"
    delivery.next_attempt_at, delivery.updated_at = None, now
    line = repo.disclosure_of(session, delivery.id)
    if line is not None:
        before = line.outcome
        if line.outcome != "possibly_disclosed":
            line.outcome = "not_disclosed"
        line.close_reason, line.closed_at = delivery.close_reason, now
        repo.add_rows(
            session,
            [
                o.DisclosureHistory(
                    id=ids.new_id(),
                    disclosure_id=line.id,
                    at=now,
                    from_outcome=before,
                    to_outcome=line.outcome,
                    actor="hub",
                    detail=delivery.close_reason,
                )
            ],
        )
    session.flush()


_AGGREGATE_OF_NOTICE = {codes.CONSENT_WITHDRAWN: "consent", codes.ERASED: "erasure"}


def enqueue_notice(
    session: orm.Session,
    *,
    line: o.Disclosure,
    kind: str,
    data: dict[str, Any],
    keys: Keys,
    now: dt.datetime,
) -> str | None:
    """An Art. 19 notice to the recipient of an earlier line: references only, no values.

    It follows the earlier event in the same lane. Idempotent per (line, type): a second call
    returns ``None``."""
    if repo.ledger_where(
        session, o.Disclosure.notice_of == line.id, o.Disclosure.event_type == kind
    ):
        return None
    (earlier,) = repo.deliveries_where(session, o.Delivery.id == line.delivery_id)
    event_id = repo.add_outbox_event(
        session,
        type_=events.event_type(keys.namespace, kind),
        source=events.person_source(keys.hub_host),
        aggregate_kind=_AGGREGATE_OF_NOTICE.get(kind, "submission"),
        aggregate_id=line.consent_record_id or line.submission_id or line.id,
        occurred_at=now,
        correlation_id=earlier.attributes.get("correlationid", ""),
        causation_id=line.event_id,
    )
    seq = repo.next_seq(session, ordering_key=earlier.ordering_key, endpoint_id=earlier.endpoint_id)
    header = _notice_header(earlier, line, kind=kind, keys=keys, now=now, seq=seq)
    prior = [
        {"id": line.event_id, "type": line.event_type, "time": events.rfc3339(line.planned_at)}
    ]
    body = events.body(header, {**data, "prior_events": prior, "fields": ["PRIOR_EVENT_REFS"]})
    notice = _notice_row(earlier, header, body=body, event_id=event_id, now=now)
    repo.add_rows(session, [notice])
    repo.add_rows(session, [_notice_line(line, notice, body, keys, now)])
    repo.wake_lane(
        session, ordering_key=earlier.ordering_key, endpoint_id=earlier.endpoint_id, not_before=now
    )
    line.art19_status = "pending"
    session.flush()
    return notice.id


def _notice_header(
    earlier: o.Delivery,
    line: o.Disclosure,
    *,
    kind: str,
    keys: Keys,
    now: dt.datetime,
    seq: int,
) -> events.Header:
    return events.Header(
        id=ids.new_id(),
        namespace=keys.namespace,
        kind=kind,
        source=events.person_source(keys.hub_host),
        subject=earlier.attributes["subject"],
        time=now,
        recorded_time=now,
        sequence=seq,
        correlation_id=earlier.attributes.get("correlationid", ""),
        causation_id=line.event_id,
        expiry_time=now + dt.timedelta(days=30),
        data_category="standard",
        lawful_basis="legal_obligation",
        rule_label=NOTICE_RULE,
        schema_base=events.schema_base(keys.hub_host),
    )


def _notice_row(
    earlier: o.Delivery, header: events.Header, *, body: bytes, event_id: str, now: dt.datetime
) -> o.Delivery:
    return o.Delivery(
        id=header.id,
        outbox_event_id=event_id,
        subscription_id=earlier.subscription_id,
        endpoint_id=earlier.endpoint_id,
        partner_id=earlier.partner_id,
        partner_service_id=earlier.partner_service_id,
        submission_id=earlier.submission_id,
        rule_id=NOTICE_RULE,
        rule_version_planned=1,
        event_type=header.kind,
        role=earlier.role,
        source_channel=earlier.source_channel,
        ordering_key=earlier.ordering_key,
        seq=header.sequence,
        state="pending",
        not_before=now,
        next_attempt_at=now,
        expires_at=header.expiry_time or now,
        attempt_count=0,
        schedule_index=0,
        fields_planned=["PRIOR_EVENT_REFS"],
        attributes=events.attributes(header),
        body=body,
        possibly_received=False,
        created_at=now,
        updated_at=now,
    )


def _notice_line(
    line: o.Disclosure, notice: o.Delivery, body: bytes, keys: Keys, now: dt.datetime
) -> o.Disclosure:
    return o.Disclosure(
        id=ids.new_id(),
        delivery_id=notice.id,
        submission_id=line.submission_id,
        subject_id=line.subject_id,
        event_id=notice.id,
        event_type=notice.event_type,
        channel=line.channel,
        partner_id=line.partner_id,
        partner_service_id=line.partner_service_id,
        purpose_code=line.purpose_code,
        lawful_basis="legal_obligation",
        rule_id=NOTICE_RULE,
        rule_version=1,
        fields=["PRIOR_EVENT_REFS"],
        payload_digest=keys.payload_digest(body),
        outcome="planned",
        planned_at=now,
        notice_of=line.id,
        art19_status="n/a",
    )
