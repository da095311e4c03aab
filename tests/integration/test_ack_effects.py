"""A partner's acknowledgement changes what the hub knows the service holds (§6.14), on both
engines: ``applied`` records the people at the move's new UPRN (and ends their rows
elsewhere), which a later move out of that UPRN can rely on; ``not_known`` ends the rows naming
them; an erased person, another outcome or a repeated ack records nothing."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from notify import acks, checks, move_domain, repository
from notify.tables import moves as m
from notify.tables import outbox
from tests.support import outbox_world

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
OLD, NEW, ELSEWHERE = 100000000001, 100000000002, 100000000003
SERVICE = "P0/COUNCIL_TAX"


def _sent(
    session: orm.Session, subject: str, world: outbox_world.World | None = None
) -> outbox.Delivery:
    world = world or outbox_world.build(session, ["https://p0.example/h"], now=NOW)
    delivery = world.enqueue(session, partner="P0", subject_id=subject, now=NOW)
    delivery.state = "delivered"
    submission = session.get(m.ChangeSubmission, delivery.submission_id)
    assert submission is not None
    submission.old_uprn, submission.new_uprn = OLD, NEW
    session.flush()
    return delivery


def _ack(session: orm.Session, delivery: outbox.Delivery, outcome: str) -> acks.Acked:
    request = acks.AckRequest(
        delivery_id=delivery.id, partner_id="P0", outcome=outcome, reason_code=None,
        message=None, message_cy=None, partner_case_ref=None, fields_applied=None,
        webhook_id=None,
    )  # fmt: skip
    return acks.acknowledge(session=session, request=request, actor="k1", now=NOW)


def _rows(session: orm.Session) -> list[tuple[str | None, int | None, str, bool]]:
    r = m.Relationship
    query = sa.select(r).order_by(r.uprn)
    return [(x.subject_id, x.uprn, x.evidence, x.valid_to is None) for x in session.scalars(query)]


def _held(session: orm.Session, service: str, subject: str, at: dt.datetime) -> bool:
    return (
        session.scalar(
            sa.select(sa.func.count()).where(
                m.Relationship.partner_service_id == service,
                m.Relationship.subject_id == subject,
                sa.or_(m.Relationship.valid_to.is_(None), m.Relationship.valid_to > at),
            )
        )
        != 0
    )


def _earlier(session: orm.Session, subject: str, uprn: int) -> None:
    session.add(m.Relationship(id=ids.new_id(), partner_service_id=SERVICE, subject_id=subject,
                               uprn=uprn, kind="holds_subject_at_uprn",
                               evidence="partner_uprn_register", valid_from=None,
                               valid_to=None))  # fmt: skip
    session.flush()


def test_applied_records_the_person_at_the_new_uprn_for_the_next_move_out_of_it(
    session: orm.Session,
) -> None:
    delivery = _sent(session, "s1")
    _earlier(session, "s1", ELSEWHERE)
    assert _ack(session, delivery, "needs_info").created  # no effect yet
    assert _rows(session) == [("s1", ELSEWHERE, "partner_uprn_register", True)]
    assert _ack(session, delivery, "applied").created
    session.commit()
    assert _rows(session) == [
        ("s1", NEW, "ack_applied", True),
        ("s1", ELSEWHERE, "partner_uprn_register", False),  # they have moved on from there
    ]
    assert not _ack(session, delivery, "applied").created  # the same ack again: nothing more
    assert len(_rows(session)) == 2
    later = move_domain.Move(  # someone else moving out of the new address later
        reference="COA-0000-0001", person=move_domain.Person(id="s9", given_name="A",
        family_name="B"), old_uprn=NEW, new_uprn=OLD, move_date=NOW.date(),
        submitter=move_domain.Submitter(kind="citizen"),
    )  # fmt: skip
    found = repository.relationships_of(session, subject_ids=["s9"], uprns=[NEW])
    assert checks.relationship_ok(move=later, relationships=found, service_id=SERVICE,
                                  requirement="holds_subject_at_old_uprn",
                                  now=NOW + dt.timedelta(days=1))  # fmt: skip


def test_not_known_ends_the_rows_naming_the_person(session: orm.Session) -> None:
    delivery = _sent(session, "s2")
    _earlier(session, "s2", OLD)
    assert _held(session, SERVICE, "s2", NOW)
    _ack(session, delivery, "not_known")
    session.commit()
    assert _rows(session) == [("s2", OLD, "partner_uprn_register", False)]
    assert not _held(session, SERVICE, "s2", NOW + dt.timedelta(seconds=1))


def test_an_erased_person_and_a_rejection_record_nothing(session: orm.Session) -> None:
    world = outbox_world.build(session, ["https://p0.example/h"], now=NOW)
    erased = _sent(session, "s3", world)
    subject = session.get(m.Subject, "s3")
    assert subject is not None
    subject.erased_at = NOW
    _ack(session, erased, "applied")
    rejected = _sent(session, "s4", world)
    _ack(session, rejected, "rejected")
    session.commit()
    assert _rows(session) == []
