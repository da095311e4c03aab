"""What a business acknowledgement changes beyond itself (sharing-and-delivery §6.14).

* ``applied`` to a move (``change_of_address.submitted`` or ``.corrected``): the service now
  holds each person the delivery carried at the move's new UPRN, a ``holds_subject_at_uprn``
  relationship with evidence ``ack_applied``; its open rows for those people at other UPRNs
  end (they have moved). A later move out of that UPRN can then meet a rule that requires the
  service to hold someone at the old address.
* ``not_known``: the service's open relationship rows naming those people end now, so a rule
  that requires it to hold them no longer sends it their moves.

Erased people get no rows. Nothing changes for other outcomes or for events that carry no
person (gazetteer events). The caller commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from notify import codes
from notify.tables import moves as m
from notify.tables import outbox

MOVE_EVENTS: Final = frozenset({codes.SUBMITTED, codes.CORRECTED})


def apply(
    session: orm.Session, *, delivery: outbox.Delivery, outcome: str, now: dt.datetime
) -> None:
    """Record what ``outcome`` says about the service and the people in ``delivery``."""
    if outcome not in ("applied", "not_known") or delivery.event_type not in MOVE_EVENTS:
        return
    people = _people(session, delivery.id)
    if outcome == "not_known":
        _end(session, delivery.partner_service_id, people, now=now, keep_uprn=None)
        return
    submission = session.get(m.ChangeSubmission, delivery.submission_id or "")
    if submission is None or submission.new_uprn is None or not people:
        return
    _end(session, delivery.partner_service_id, people, now=now, keep_uprn=submission.new_uprn)
    _hold(session, delivery.partner_service_id, people, uprn=submission.new_uprn, now=now)


def _people(session: orm.Session, delivery_id: str) -> list[str]:
    """The delivery's people not erased."""
    query = (
        sa.select(outbox.DeliverySubject.subject_id)
        .join(m.Subject, m.Subject.id == outbox.DeliverySubject.subject_id)
        .where(outbox.DeliverySubject.delivery_id == delivery_id, m.Subject.erased_at.is_(None))
        .order_by(outbox.DeliverySubject.subject_id)
    )
    return list(session.scalars(query))


def _open_rows(service_id: str, people: list[str], now: dt.datetime) -> sa.ColumnElement[bool]:
    r = m.Relationship
    return sa.and_(
        r.partner_service_id == service_id,
        r.subject_id.in_(people),
        sa.or_(r.valid_to.is_(None), r.valid_to > now),
    )


def _end(
    session: orm.Session,
    service_id: str,
    people: list[str],
    *,
    now: dt.datetime,
    keep_uprn: int | None,
) -> None:
    """End the service's open rows naming ``people`` (except those at ``keep_uprn``)."""
    if not people:
        return
    r = m.Relationship
    wanted = _open_rows(service_id, people, now)
    if keep_uprn is not None:
        wanted = sa.and_(wanted, sa.or_(r.uprn.is_(None), r.uprn != keep_uprn))
    session.execute(sa.update(r).where(wanted).values(valid_to=now))


def _hold(
    session: orm.Session, service_id: str, people: list[str], *, uprn: int, now: dt.datetime
) -> None:
    """A ``holds_subject_at_uprn`` row per person, unless an open one is already there."""
    r = m.Relationship
    held = sa.select(r.subject_id).where(_open_rows(service_id, people, now), r.uprn == uprn)
    already = set(session.scalars(held))
    for subject_id in (p for p in people if p not in already):
        session.add(r(id=ids.new_id(), partner_service_id=service_id, subject_id=subject_id,
                      uprn=uprn, kind="holds_subject_at_uprn", evidence="ack_applied",
                      valid_from=now, valid_to=None))  # fmt: skip
    session.flush()
