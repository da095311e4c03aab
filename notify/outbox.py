"""Writing the outbox in the business transaction: events, deliveries, lanes and ledger lines.

For each decision that creates a delivery, one ``delivery`` row per target (subscription):
the CloudEvents attributes, the canonical body built from the projected groups only, its
``seq`` in the (person × partner) lane, one ``delivery_subject`` row per person in the body
and one ``disclosure`` line (``planned``). Cancelling purges the body at once and closes the
ledger line. Notices (Art. 19) carry references to earlier events only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from sqlalchemy import orm

from core import ids
from notify import codes, decision, events, outbox_rows, row_batch
from notify import repository as repo
from notify.tables import outbox as o

# What the rows are built from, and lane keys, as the rest of the package names them here.
Keys = outbox_rows.Keys
Context = outbox_rows.Context
FollowUp = outbox_rows.FollowUp
ordering_key = outbox_rows.ordering_key

NOTICE_RULE: Final = "ART19_NOTICE"  # the built-in rule of Art. 19 notices (§3.8)


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
        outbox_rows.Planned(d=d, target=t, decision_id=decision_id, follow_up=follow_up)
        for t in d.targets
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
        outbox_rows.Planned(d=d, target=t, decision_id=decision_ids.get(d.partner_service_id))
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
    batch.add(o.OutboxEvent, outbox_rows.event_row(ctx, event_id=event_id, kind=codes.SUBMITTED))
    batch.announce = True
    planned = [
        outbox_rows.Planned(d=d, target=t, decision_id=decision_ids.get(d.partner_service_id))
        for d in chosen
        for t in d.targets
    ]
    keys = [outbox_rows.ordering_key(ctx.registry, p.d, ctx.move.person.id) for p in planned]
    handed: dict[str, int] = {}
    seqs = []
    for key in keys:
        handed[key] = handed.get(key, 0) + 1
        seqs.append(handed[key])
    written = outbox_rows.rows(batch, ctx, planned, keys=keys, seqs=seqs, event_id=event_id)
    lanes: dict[str, dict[str, Any]] = {}
    for key, (endpoint_id, not_before) in zip(keys, written.values(), strict=True):
        lanes.setdefault(
            key, outbox_rows.new_lane(key, endpoint_id, not_before, last_seq=handed[key])
        )
    batch.add(o.DeliveryLane, *lanes.values())
    return list(written)


def _write(
    session: orm.Session, ctx: Context, planned: list[outbox_rows.Planned], *, event_id: str
) -> list[str]:
    """The deliveries, their subjects and ledger lines (one statement for the three tables),
    their sequence numbers in one statement, and their lanes woken in one more."""
    keys = [outbox_rows.ordering_key(ctx.registry, p.d, ctx.move.person.id) for p in planned]
    seqs = repo.next_seqs(
        session, [(k, p.target.endpoint_id) for k, p in zip(keys, planned, strict=True)]
    )
    batch = row_batch.Batch()
    written = outbox_rows.rows(batch, ctx, planned, keys=keys, seqs=seqs, event_id=event_id)
    row_batch.write(session, batch)
    wakes = [(k, e, nb) for k, (e, nb) in zip(keys, written.values(), strict=True)]
    repo.wake_lanes(session, wakes)
    return list(written)


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
        {
            "id": line.event_id,
            "type": events.event_type(keys.namespace, line.event_type),
            "time": events.rfc3339(line.planned_at),
        }
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
