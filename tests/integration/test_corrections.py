"""Correcting a move on both engines (§3.8): version + 1 with the same reference, the old one
superseded, queued rows replaced, earlier recipients sent a ``corrected`` event or a
``withdrawn`` notice, new recipients the normal event, and a ledger line for every delivery."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import search_index
from notify import (
    codes,
    correction,
    corrections,
    decision,
    errors,
    intake,
    move_blocks,
    move_reviews,
    projection,
    service,
)
from notify.address_input import AddressInput
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import review as review_tables
from tests.integration import sharing_world as w

LATER = w.NOW + dt.timedelta(hours=2)
NEW_DATE = dt.date(2025, 3, 21)


@pytest.fixture
def seeded(session: orm.Session) -> orm.Session:
    w.seed(session)
    return session


def _request(**changes: object) -> intake.MoveRequest:
    """The world's move, with recipients that answer no service questions."""
    recipients = tuple(dataclasses.replace(r, answers={}) for r in w.request().recipients)
    return w.request(**({"recipients": recipients} | changes))


def _submit(session: orm.Session, **changes: object) -> service.Submitted:
    result = service.submit_move(
        session=session, request=_request(**changes), settings=w.SETTINGS, now=w.NOW
    )
    session.commit()
    return result


def _correct(session: orm.Session, reference: str, **changes: Any) -> corrections.Corrected:
    result = corrections.correct_move(
        session=session,
        reference=reference,
        change=correction.Correction(**changes),
        settings=w.SETTINGS,
        now=LATER,
    )
    session.commit()
    return result


def _deliver(session: orm.Session, service_id: str) -> str:
    """What the worker does on a 2xx: the delivery is delivered and its line disclosed."""
    delivery = session.scalars(
        sa.select(o.Delivery).where(
            o.Delivery.partner_service_id == service_id, o.Delivery.state != "cancelled"
        )
    ).one()
    delivery.state = "delivered"
    line = session.scalars(
        sa.select(o.Disclosure).where(o.Disclosure.delivery_id == delivery.id)
    ).one()
    line.outcome, line.disclosed_at = "disclosed", w.NOW
    session.commit()
    return delivery.id


def _deliveries(session: orm.Session, submission_id: str) -> dict[str, o.Delivery]:
    rows = session.scalars(sa.select(o.Delivery).where(o.Delivery.submission_id == submission_id))
    return {d.partner_service_id: d for d in rows}


def _body(delivery: o.Delivery) -> dict[str, object]:
    assert delivery.body is not None
    event: dict[str, object] = json.loads(delivery.body)
    return event


def test_a_correction_before_anything_was_sent_replaces_the_queued_rows(
    seeded: orm.Session,
) -> None:
    first = _submit(seeded)
    result = _correct(seeded, first.reference, move_date=NEW_DATE)
    assert (result.reference, result.version) == (first.reference, 2)
    versions = seeded.scalars(
        sa.select(m.ChangeSubmission).where(m.ChangeSubmission.reference == first.reference)
    ).all()
    by_version = {v.version: v for v in versions}
    assert by_version[1].status == "superseded" and by_version[2].status == "submitted"
    assert by_version[2].supersedes_id == by_version[1].id
    assert by_version[2].move_date == NEW_DATE
    assert by_version[2].subject_id == by_version[1].subject_id
    old = _deliveries(seeded, first.submission_id)
    assert {d.state for d in old.values()} == {"cancelled"}
    assert {d.close_reason for d in old.values()} == {"cancelled:SUBMISSION_SUPERSEDED"}
    assert {d.body for d in old.values()} == {None}
    new = _deliveries(seeded, result.submission_id)
    assert sorted(new) == sorted(old)
    assert {d.event_type for d in new.values()} == {codes.SUBMITTED}
    assert result.corrected == () and result.notices == ()
    assert sorted(result.cancelled) == sorted(d.id for d in old.values())
    lines = seeded.scalars(sa.select(o.Disclosure)).all()
    assert {ln.delivery_id for ln in lines} == {d.id for d in [*old.values(), *new.values()]}
    assert {ln.outcome for ln in lines if ln.submission_id == first.submission_id} == {
        "not_disclosed"
    }


def test_an_earlier_recipient_gets_a_corrected_event_with_only_its_fields(
    seeded: orm.Session,
) -> None:
    first = _submit(seeded)
    sent_id = _deliver(seeded, "NEWTOWN-DC/COUNCIL_TAX")
    result = _correct(seeded, first.reference, move_date=NEW_DATE)
    new = _deliveries(seeded, result.submission_id)
    tax = new["NEWTOWN-DC/COUNCIL_TAX"]
    assert result.corrected == (tax.id,)
    assert tax.event_type == codes.CORRECTED
    event = _body(tax)
    data = event["data"]
    assert isinstance(data, dict)
    assert event["causationid"] == sent_id and data["corrects"] == sent_id
    assert data["move_date"] == NEW_DATE.isoformat()
    assert data["changed_fields"] == ["MOVE_DATE"]
    assert projection.stray_paths(data, tax.fields_planned) == frozenset()
    earlier = seeded.get(o.Delivery, sent_id)
    assert earlier is not None and earlier.state == "delivered"  # nothing to cancel
    assert int(tax.seq) > int(earlier.seq) and tax.ordering_key == earlier.ordering_key
    others = {k: v.event_type for k, v in new.items() if k != "NEWTOWN-DC/COUNCIL_TAX"}
    assert set(others.values()) == {codes.SUBMITTED}
    line = seeded.scalars(sa.select(o.Disclosure).where(o.Disclosure.delivery_id == tax.id)).one()
    assert line.event_type == codes.CORRECTED and line.submission_id == result.submission_id


def test_a_recipient_no_longer_in_scope_gets_a_notice_with_references_only(
    seeded: orm.Session,
) -> None:
    first = _submit(seeded)
    sent_id = _deliver(seeded, "NEWTOWN-DC/COUNCIL_TAX")
    result = _correct(seeded, first.reference, new_uprn=w.ELSEWHERE_UPRN)
    notices = seeded.scalars(
        sa.select(o.Delivery).where(o.Delivery.event_type == codes.WITHDRAWN)
    ).all()
    assert [n.id for n in notices] == list(result.notices)
    (notice,) = notices
    assert notice.partner_service_id == "NEWTOWN-DC/COUNCIL_TAX"
    data = _body(notice)["data"]
    assert isinstance(data, dict)
    assert data["reason"] == "rectified_out_of_scope"
    assert [p["id"] for p in data["prior_events"]] == [sent_id]
    assert "Lovelace" not in json.dumps(data)
    new = _deliveries(seeded, result.submission_id)
    assert "NEWTOWN-DC/COUNCIL_TAX" not in new  # out of area now
    line = seeded.scalars(
        sa.select(o.Disclosure).where(o.Disclosure.delivery_id == notice.id)
    ).one()
    assert line.rule_id == "ART19_NOTICE" and line.fields == ["PRIOR_EVENT_REFS"]


def test_the_corrected_plan_is_the_plan_of_a_fresh_submission(seeded: orm.Session) -> None:
    first = _submit(seeded)
    _deliver(seeded, "NEWTOWN-DC/LIBRARIES")
    changes = {"move_date": NEW_DATE, "contact": None}
    result = _correct(seeded, first.reference, **changes)
    corrections.withdraw_submission(  # so that the fresh move is not a repeat held for review
        session=seeded, reference=first.reference, settings=w.SETTINGS, now=LATER
    )
    fresh = service.submit_move(
        session=seeded,
        request=_request(**changes),
        settings=w.SETTINGS,
        now=LATER,
    )
    assert result.plan is not None and fresh.plan is not None

    def shape(plan: decision.Plan) -> dict[str, tuple[object, ...]]:
        return {
            d.partner_service_id: (d.outcome, d.role, d.fields, d.codes, d.rule_id)
            for d in plan.decisions
        }

    assert shape(result.plan) == shape(fresh.plan)
    library = result.plan.for_service("NEWTOWN-DC/LIBRARIES")
    assert library is not None and library.consent_id  # the consent given before still counts


def test_a_new_household_member_and_a_name_fix_keep_the_subjects(seeded: orm.Session) -> None:
    first = _submit(seeded)
    fixed = intake.PersonDetails(given_name="Augusta Ada", family_name="King")
    child = intake.MemberDetails(
        person=intake.PersonDetails(given_name="Byron", family_name="King"),
        role="child",
        relationship="son",
        authority="parental_responsibility",
        statement_version="decl-2025-01",
    )
    result = _correct(seeded, first.reference, person=fixed, household=(w.PARTNER_MEMBER, child))
    old = seeded.get(m.ChangeSubmission, first.submission_id)
    new = seeded.get(m.ChangeSubmission, result.submission_id)
    assert old is not None and new is not None and new.person is not None
    assert new.subject_id == old.subject_id and new.person["given_name"] == "Augusta Ada"
    members = seeded.scalars(
        sa.select(m.HouseholdMember)
        .where(m.HouseholdMember.submission_id.in_([old.id, new.id]))
        .order_by(m.HouseholdMember.submission_id, m.HouseholdMember.position)
    ).all()
    first_member = [x.subject_id for x in members if x.submission_id == old.id]
    now_members = [x.subject_id for x in members if x.submission_id == new.id]
    assert now_members[0] == first_member[0] and len(set(now_members)) == 2


def test_replays_withdrawn_moves_and_empty_corrections(seeded: orm.Session) -> None:
    first = _submit(seeded)
    once = _correct(seeded, first.reference, move_date=NEW_DATE, idempotency_key="fix-1")
    again = _correct(seeded, first.reference, move_date=NEW_DATE, idempotency_key="fix-1")
    assert again.replayed and again.version == once.version == 2
    count = seeded.scalar(
        sa.select(sa.func.count())
        .select_from(m.ChangeSubmission)
        .where(m.ChangeSubmission.reference == first.reference)
    )
    assert count == 2
    with pytest.raises(corrections.NothingToCorrect):
        _correct(seeded, first.reference)
    with pytest.raises(errors.InvalidMove):
        _correct(seeded, first.reference, new_uprn=w.OLD_UPRN)
    seeded.rollback()
    corrections.withdraw_submission(
        session=seeded, reference=first.reference, settings=w.SETTINGS, now=LATER
    )
    seeded.commit()
    with pytest.raises(corrections.MoveNotCorrectable):
        _correct(seeded, first.reference, move_date=NEW_DATE)
    with pytest.raises(errors.MoveNotFound):
        _correct(seeded, "COA-0000-0000", move_date=NEW_DATE)


def test_a_correction_is_held_for_review_like_a_new_move_but_never_as_its_own_repeat(
    seeded: orm.Session,
) -> None:
    first = _submit(seeded)
    plain = _correct(seeded, first.reference, move_date=NEW_DATE)
    assert plain.plan is not None
    assert not {c for d in plain.plan.decisions for c in d.codes} & {
        "REPEATED_MOVE",
        "CONFLICTING_MOVE",
    }
    move_blocks.place(session=seeded, uprn=w.NEW_UPRN, reason="check", actor="officer", now=LATER)
    seeded.commit()
    held = _correct(seeded, first.reference, contact=None)
    assert held.plan is not None
    told = [d for d in held.plan.decisions if d.creates_delivery]
    assert told and {d.outcome for d in told} == {"hold"}
    assert all("MOVE_BLOCKED" in d.codes for d in told)
    review = seeded.get(review_tables.MoveReview, held.submission_id)
    assert review is not None and review.status == "pending"
    new = _deliveries(seeded, held.submission_id)
    assert new and {d.state for d in new.values()} == {"held"}


def test_a_correction_records_who_made_it_and_supersedes_a_pending_review(
    seeded: orm.Session,
) -> None:
    move_blocks.place(session=seeded, uprn=w.NEW_UPRN, reason="check", actor="officer", now=w.NOW)
    seeded.commit()
    first = _submit(seeded)
    opened = seeded.get(review_tables.MoveReview, first.submission_id)
    assert opened is not None and opened.status == "pending"
    result = corrections.correct_move(
        session=seeded,
        reference=first.reference,
        change=correction.Correction(move_date=NEW_DATE),
        settings=w.SETTINGS,
        now=LATER,
        by=correction.Corrector(kind="agent", ref="key-7"),
    )
    seeded.commit()
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None and (row.corrected_by_kind, row.corrected_by) == ("agent", "key-7")
    original = seeded.get(m.ChangeSubmission, first.submission_id)
    assert original is not None and original.corrected_by_kind is None
    closed = seeded.get(review_tables.MoveReview, first.submission_id)
    assert closed is not None
    assert (closed.status, closed.decided_by, closed.decided_at) == (
        "superseded",
        "agent:key-7",
        LATER,
    )
    assert closed.note is not None and "version 2" in closed.note
    live = seeded.get(review_tables.MoveReview, result.submission_id)  # still blocked: held again
    assert live is not None and live.status == "pending"
    queue = [r.id for r in move_reviews.list_reviews(session=seeded)]
    assert queue == [result.submission_id]
    with pytest.raises(move_reviews.MoveReviewDecided):
        move_reviews.release(
            session=seeded, review_id=first.submission_id, actor="r", note=None, now=LATER
        )


def test_a_typed_new_address_is_matched_like_a_new_moves(seeded: orm.Session) -> None:
    search_index.rebuild(seeded)
    seeded.commit()
    first = _submit(seeded, new_uprn=w.ELSEWHERE_UPRN)
    typed = AddressInput(text="2 Mill Lane, Newtown, NT1 1AA")
    result = _correct(seeded, first.reference, new_address=typed)
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None and row.new_uprn == w.NEW_UPRN and row.new_match
    assert result.plan is not None
    joining = result.plan.for_service("NEWTOWN-DC/COUNCIL_TAX")
    assert joining is not None and (joining.role, joining.outcome) == ("joining", "send")
