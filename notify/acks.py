"""Business acknowledgements and the partner's delivery log (sharing-and-delivery §6.14, §6.15).

* :func:`acknowledge`: a partner says what it did with one delivery it received. An identical
  repeat returns the stored ack (idempotent); ``needs_info`` may be followed by any outcome;
  ``applied``, ``not_known`` and ``rejected`` are final (a different later ack is a conflict).
  A delivery of another partner, or one never sent, is not found. A signed ack keeps its
  ``webhook-id`` (unique per partner, kept as long as the ack): the same ``webhook-id`` again
  returns that ack, with a different delivery or content it is refused (422, as a reused
  ``Idempotency-Key`` is). ``fields_applied`` lies within the groups the delivery carried.
  ``applied`` and ``not_known`` change the service's relationships (:mod:`notify.ack_effects`).
* :func:`delivery_log`: deliveries in id order (ULIDs: creation order), scoped to one partner
  or all (admin), filtered by state and creation time, with an opaque cursor.
* :func:`latest_acks`: the newest ack of each delivery (the citizen's move status shows it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from core import errors, ids
from notify import ack_effects, delivery_errors, idempotency, paging
from notify import partner_tables as pt
from notify.tables import outbox

MAX_MESSAGE = 500


class AckFinal(errors.Conflict):
    code = "ack_final"
    title = "The delivery already has a final acknowledgement"


@dataclass(frozen=True, kw_only=True, slots=True)
class AckRequest:
    delivery_id: str
    partner_id: str
    outcome: str
    reason_code: str | None = None
    message: str | None = None
    message_cy: str | None = None
    partner_case_ref: str | None = None
    fields_applied: tuple[str, ...] | None = None
    webhook_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Acked:
    ack: pt.PartnerAck
    created: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class LogEntry:
    delivery: outbox.Delivery
    ack: pt.PartnerAck | None


@dataclass(frozen=True, kw_only=True, slots=True)
class LogPage:
    items: list[LogEntry]
    next_cursor: str | None


def acknowledge(
    *, session: orm.Session, request: AckRequest, actor: str, now: dt.datetime
) -> Acked:
    """Store ``request`` unless it repeats the latest ack; refuse after a final one."""
    _check(request)
    seen = _by_webhook_id(session, request)
    if seen is not None:
        return Acked(ack=seen, created=False)
    delivery = session.get(outbox.Delivery, request.delivery_id)
    if delivery is None or delivery.partner_id != request.partner_id or not _sent(delivery):
        raise delivery_errors.DeliveryNotFound(
            "no delivery with this id was sent to this partner",
            details={"delivery_id": request.delivery_id},
        )
    _check_fields(request, delivery)
    latest = latest_acks(session, [delivery.id]).get(delivery.id)
    if latest is not None and _same(latest, request):
        return Acked(ack=latest, created=False)
    if latest is not None and latest.outcome in pt.FINAL_OUTCOMES:
        raise AckFinal(f"the delivery was already acknowledged as {latest.outcome}")
    ack = _row(request, actor, now, latest)
    session.add(ack)
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:  # the same webhook-id stored by a concurrent request
        raise idempotency.IdempotencyKeyInFlight(
            "an acknowledgement with this webhook-id was handled meanwhile"
        ) from exc
    ack_effects.apply(session, delivery=delivery, outcome=ack.outcome, now=now)
    return Acked(ack=ack, created=True)


def _check(request: AckRequest) -> None:
    if request.outcome not in pt.ACK_OUTCOMES:
        raise errors.InvalidInput(f"outcome is one of {', '.join(pt.ACK_OUTCOMES)}")
    for text in (request.message, request.message_cy):
        if text is not None and len(text) > MAX_MESSAGE:
            raise errors.InvalidInput(f"a message holds at most {MAX_MESSAGE} characters")


def _check_fields(request: AckRequest, delivery: outbox.Delivery) -> None:
    carried = set(delivery.fields_sent or delivery.fields_planned or ())
    unknown = sorted(set(request.fields_applied or ()) - carried)
    if unknown:
        raise errors.InvalidInput(
            "fields_applied names groups this delivery did not carry",
            details={"fields": unknown},
        )


def _by_webhook_id(session: orm.Session, request: AckRequest) -> pt.PartnerAck | None:
    """The ack stored under this partner's ``webhook-id``; a different request under it fails."""
    if request.webhook_id is None:
        return None
    query = sa.select(pt.PartnerAck).where(
        pt.PartnerAck.partner_id == request.partner_id,
        pt.PartnerAck.ack_webhook_id == request.webhook_id,
    )
    found = session.scalars(query).first()
    if found is None:
        return None
    if found.delivery_id != request.delivery_id or not _same(found, request):
        raise idempotency.IdempotencyKeyMismatch(
            "this webhook-id was used for a different acknowledgement",
            details={"webhook_id": request.webhook_id},
        )
    return found


def _sent(delivery: outbox.Delivery) -> bool:
    return delivery.state == "delivered" or delivery.possibly_received


def _same(ack: pt.PartnerAck, request: AckRequest) -> bool:
    applied = tuple(ack.fields_applied) if ack.fields_applied is not None else None
    return (ack.outcome, ack.reason_code, ack.message, ack.message_cy, ack.partner_case_ref,
            applied) == (request.outcome, request.reason_code, request.message,
                         request.message_cy, request.partner_case_ref,
                         request.fields_applied)  # fmt: skip


def _row(
    request: AckRequest, actor: str, now: dt.datetime, latest: pt.PartnerAck | None
) -> pt.PartnerAck:
    return pt.PartnerAck(
        id=ids.new_id(),
        delivery_id=request.delivery_id,
        partner_id=request.partner_id,
        outcome=request.outcome,
        reason_code=request.reason_code,
        message=request.message,
        message_cy=request.message_cy,
        partner_case_ref=request.partner_case_ref,
        fields_applied=list(request.fields_applied) if request.fields_applied is not None else None,
        ack_webhook_id=request.webhook_id,
        actor=actor,
        received_at=now,
        supersedes_ack_id=latest.id if latest else None,
    )


def latest_acks(session: orm.Session, delivery_ids: Iterable[str]) -> dict[str, pt.PartnerAck]:
    """The newest ack of each delivery that has one."""
    wanted = sorted(set(delivery_ids))
    if not wanted:
        return {}
    query = (
        sa.select(pt.PartnerAck)
        .where(pt.PartnerAck.delivery_id.in_(wanted))
        .order_by(pt.PartnerAck.received_at, pt.PartnerAck.id)
    )
    return {ack.delivery_id: ack for ack in session.scalars(query)}


def delivery_log(
    *,
    session: orm.Session,
    partner_id: str | None,
    state: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    endpoint_id: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> LogPage:
    """One page of deliveries in id order; ``partner_id=None`` means every partner. ``since``
    and ``until`` bound the creation time (from, before)."""
    paging.check_limit(limit)
    d = outbox.Delivery
    wanted = [
        d.partner_id == partner_id if partner_id is not None else None,
        d.endpoint_id == endpoint_id if endpoint_id is not None else None,
        d.state == state if state is not None else None,
        d.created_at >= since if since is not None else None,
        d.created_at < until if until is not None else None,
        d.id > after if after is not None else None,
    ]
    query = sa.select(d).where(*(w for w in wanted if w is not None))
    rows = list(session.scalars(query.order_by(d.id).limit(limit + 1)))
    page = rows[:limit]
    acks = latest_acks(session, [d.id for d in page])
    return LogPage(
        items=[LogEntry(delivery=d, ack=acks.get(d.id)) for d in page],
        next_cursor=page[-1].id if len(rows) > limit else None,
    )
