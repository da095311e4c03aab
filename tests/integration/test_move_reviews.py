"""Moves held for review on both engines: blocks and repeated or conflicting moves hold every
service at intake (held deliveries, a review), the send-time gate keeps them held while the
review is open, and a release or a refusal settles them; answers are checked at intake."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from notify import (
    citizen_status,
    delivery_gate,
    errors,
    intake,
    move_blocks,
    move_reviews,
    registry_repository,
    service,
)
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import review as t
from tests.integration import sharing_world as w

TOLD = ["NEWTOWN-DC/COUNCIL_TAX", "NEWTOWN-DC/ELECTORAL_REG", "NEWTOWN-DC/LIBRARIES",
        "OLDTOWN-BC/COUNCIL_TAX"]  # fmt: skip
LATER = w.NOW + dt.timedelta(days=20)


@pytest.fixture
def seeded(session: orm.Session) -> orm.Session:
    w.seed(session)
    return session


def _submit(session: orm.Session, now: dt.datetime = w.NOW, **changes: object) -> service.Submitted:
    result = service.submit_move(
        session=session, request=w.request(**changes), settings=w.SETTINGS, now=now
    )
    session.commit()
    return result


def _decisions(result: service.Submitted) -> dict[str, tuple[str, list[str]]]:
    return {
        c["partner_service_id"]: (c["decision"], [r["code"] for r in c["reasons"]])
        for c in result.document["candidates"]
    }


def _deliveries(session: orm.Session, submission_id: str) -> list[o.Delivery]:
    query = sa.select(o.Delivery).filter_by(submission_id=submission_id)
    return list(session.scalars(query.order_by(o.Delivery.partner_service_id)))


def _gate(session: orm.Session, submission_id: str, now: dt.datetime) -> dict[str, str | None]:
    gate = delivery_gate.RegistryGate(registry_repository.load)
    rows = _deliveries(session, submission_id)
    verdicts = gate.check(session, rows, now)
    session.rollback()  # the gate reads FOR SHARE; nothing to keep
    return {d.partner_service_id: f"{verdicts[d.id].action}:{verdicts[d.id].reason}" for d in rows}


def test_a_blocked_uprn_holds_every_service_and_opens_a_review(seeded: orm.Session) -> None:
    block = move_blocks.place(
        session=seeded, uprn=w.NEW_UPRN, reason="reported fraud", actor="k1", now=w.NOW
    )
    seeded.commit()
    result = _submit(seeded)
    decisions = _decisions(result)
    assert {s for s, (d, _) in decisions.items() if d == "hold"} == set(TOLD)
    assert all(reasons[0] == "MOVE_BLOCKED" for s, (_, reasons) in decisions.items() if s in TOLD)
    assert decisions["COUNTY-CC/ADULT_SOCIAL_CARE"][0] == "refuse"
    rows = _deliveries(seeded, result.submission_id)
    assert [(d.partner_service_id, d.state, d.hold_reason) for d in rows] == [
        (s, "held", "MOVE_BLOCKED") for s in TOLD
    ]
    (review,) = move_reviews.list_reviews(session=seeded)
    assert (review.id, review.reference, review.status) == (
        result.submission_id,
        result.reference,
        "pending",
    )
    assert list(review.reasons) == [
        {"code": "MOVE_BLOCKED", "detail": {"block": block.id, "side": "new_uprn"}}
    ]
    assert review.held_deliveries == len(TOLD)
    status = citizen_status.move_status(session=seeded, reference=result.reference, now=w.NOW)
    told = [r for r in status["recipients"] if r["partner_service_id"] in TOLD]
    assert {(r["status"], r["status_text"]) for r in told} == {
        ("delayed", "We need to check this change before anyone is told.")
    }


def test_the_gate_holds_while_the_review_is_open_and_release_lets_them_go(
    seeded: orm.Session,
) -> None:
    move_blocks.place(session=seeded, uprn=w.OLD_UPRN, reason=None, actor="k1", now=w.NOW)
    seeded.commit()
    result = _submit(seeded)
    # even a delivery that somehow left ``held`` waits while the review is open
    seeded.execute(
        sa.update(o.Delivery)
        .where(o.Delivery.submission_id == result.submission_id)
        .values(state="pending", hold_reason=None)
    )
    seeded.commit()
    assert set(_gate(seeded, result.submission_id, LATER).values()) == {"hold:MOVE_BLOCKED"}
    seeded.execute(
        sa.update(o.Delivery)
        .where(o.Delivery.submission_id == result.submission_id)
        .values(state="held", hold_reason="MOVE_BLOCKED")
    )
    seeded.commit()
    review = move_reviews.release(
        session=seeded, review_id=result.submission_id, actor="k2", note="checked", now=LATER
    )
    seeded.commit()
    assert (review.status, review.decided_by, review.decided_at, review.note) == (
        "released",
        "k2",
        LATER,
        "checked",
    )
    rows = _deliveries(seeded, result.submission_id)
    assert {(d.state, d.hold_reason) for d in rows} == {("pending", None)}
    assert set(_gate(seeded, result.submission_id, LATER).values()) == {"proceed:None"}
    assert move_reviews.list_reviews(session=seeded) == []
    status = citizen_status.move_status(session=seeded, reference=result.reference, now=w.NOW)
    told = [r for r in status["recipients"] if r["partner_service_id"] in TOLD]
    assert {(r["status"], r["status_text"]) for r in told} == {("planned", None)}
    with pytest.raises(move_reviews.MoveReviewDecided):
        move_reviews.reject(
            session=seeded, review_id=result.submission_id, actor="k3", note=None, now=LATER
        )


def test_a_refused_move_is_cancelled_and_the_citizen_sees_it_refused(seeded: orm.Session) -> None:
    first = _submit(seeded)
    second = _submit(seeded, now=LATER, new_uprn=w.ELSEWHERE_UPRN)
    assert {d for d, _ in _decisions(first).values()} == {"send", "refuse"}
    assert ("hold", ["CONFLICTING_MOVE"]) in _decisions(second).values()
    (review,) = move_reviews.list_reviews(session=seeded)
    assert review.id == second.submission_id
    assert list(review.reasons) == [
        {"code": "CONFLICTING_MOVE", "detail": {"reference": first.reference, "match": "person"}}
    ]
    move_reviews.reject(
        session=seeded, review_id=second.submission_id, actor="k2", note="not them", now=LATER
    )
    seeded.commit()
    rows = _deliveries(seeded, second.submission_id)
    assert rows and {(d.state, d.close_reason, d.body) for d in rows} == {
        ("cancelled", "cancelled:MOVE_REFUSED_ON_REVIEW", None)
    }
    lines = seeded.scalars(
        sa.select(o.Disclosure).where(o.Disclosure.delivery_id.in_([d.id for d in rows]))
    )
    assert {line.outcome for line in lines} == {"not_disclosed"}
    status = citizen_status.move_status(session=seeded, reference=second.reference, now=w.NOW)
    texts = {
        (r["status"], r["status_text"]) for r in status["recipients"] if r["decision"] == "hold"
    }
    assert texts == {("refused", "We checked this change and did not pass it on.")}
    assert all(d.state != "cancelled" for d in _deliveries(seeded, first.submission_id))
    assert move_reviews.list_reviews(session=seeded, status="refused")[0].decided_by == "k2"


def test_repeated_conflicting_and_unrelated_moves(seeded: orm.Session) -> None:
    first = _submit(seeded)
    again = _submit(seeded, now=LATER)
    assert _decisions(again)["NEWTOWN-DC/COUNCIL_TAX"] == ("hold", ["REPEATED_MOVE"])
    other_date = _submit(seeded, now=LATER, move_date=dt.date(2025, 3, 20))
    assert _decisions(other_date)["NEWTOWN-DC/COUNCIL_TAX"][1] == ["CONFLICTING_MOVE"]
    stranger = intake.PersonDetails(given_name="Cy", family_name="Other")
    out_of_window = _submit(seeded, now=w.NOW + dt.timedelta(days=31), person=stranger,
                            household=(), old_uprn=w.ELSEWHERE_UPRN)  # fmt: skip
    decisions = _decisions(out_of_window)
    assert "REPEATED_MOVE" not in str(decisions)
    assert decisions["NEWTOWN-DC/COUNCIL_TAX"][1] == ["CONFLICTING_MOVE"]  # same new UPRN
    reviewed = {r.id for r in move_reviews.list_reviews(session=seeded)}
    assert reviewed == {again.submission_id, other_date.submission_id, out_of_window.submission_id}
    assert first.submission_id not in reviewed
    found = move_reviews.get_review(session=seeded, review_id=out_of_window.submission_id)
    assert sorted(r["detail"]["reference"] for r in found.reasons) == sorted(
        [again.reference, other_date.reference]
    )  # the first move is 31 days old: outside the window
    assert {r["detail"]["match"] for r in found.reasons} == {"new_uprn"}


def test_withdrawn_moves_and_lifted_blocks_do_not_hold(seeded: orm.Session) -> None:
    first = _submit(seeded)
    seeded.execute(
        sa.update(m.ChangeSubmission)
        .where(m.ChangeSubmission.id == first.submission_id)
        .values(status="withdrawn")
    )
    block = move_blocks.place(session=seeded, uprn=w.NEW_UPRN, reason="x", actor="k1", now=w.NOW)
    lifted = move_blocks.lift(session=seeded, block_id=block.id, actor="k2", now=w.NOW)
    seeded.commit()
    assert (lifted.active, lifted.lifted_by) == (False, "k2")
    second = _submit(seeded, now=LATER)
    assert "hold" not in {d for d, _ in _decisions(second).values()}
    assert seeded.scalar(sa.select(sa.func.count()).select_from(t.MoveReview)) == 0
    assert move_blocks.list_blocks(session=seeded) == []
    assert [b.id for b in move_blocks.list_blocks(session=seeded, active=None)] == [block.id]
    with pytest.raises(move_blocks.MoveBlockLifted):
        move_blocks.lift(session=seeded, block_id=block.id, actor="k2", now=w.NOW)


def test_answers_are_checked_before_anything_is_written(seeded: orm.Session) -> None:
    bad = intake.RecipientAnswer(
        partner_service_id="NEWTOWN-DC/COUNCIL_TAX", selected=True, answers={"adults": 99}
    )
    ok = intake.RecipientAnswer(partner_service_id="NEWTOWN-DC/LIBRARIES", selected=True)
    with pytest.raises(errors.InvalidMove) as caught:
        _submit(seeded, recipients=(ok, bad))
    assert caught.value.details["field"] == "recipients[1].answers.adults"
    assert [e["field"] for e in caught.value.details["field_errors"]] == [
        "recipients[1].answers.adults"
    ]
    seeded.rollback()
    assert seeded.scalar(sa.select(sa.func.count()).select_from(m.ChangeSubmission)) == 0


def test_a_block_placed_after_intake_puts_unsent_moves_in_review(seeded: orm.Session) -> None:
    result = _submit(seeded)
    assert set(_gate(seeded, result.submission_id, LATER).values()) == {"proceed:None"}
    block, opened = move_reviews.block(
        session=seeded, uprn=w.OLD_UPRN, reason="late report", actor="k1", now=LATER
    )
    seeded.commit()
    assert opened == (result.submission_id,)
    (review,) = move_reviews.list_reviews(session=seeded)
    assert list(review.reasons) == [
        {"code": "MOVE_BLOCKED", "detail": {"block": block.id, "side": "old_uprn"}}
    ]
    assert set(_gate(seeded, result.submission_id, LATER).values()) == {"hold:MOVE_BLOCKED"}
    assert move_reviews.block(
        session=seeded, uprn=w.OLD_UPRN, reason=None, actor="k1", now=LATER
    )[1] == ()  # fmt: skip
    move_reviews.release(
        session=seeded, review_id=result.submission_id, actor="k2", note=None, now=LATER
    )
    seeded.commit()
    assert set(_gate(seeded, result.submission_id, LATER).values()) == {"proceed:None"}


def test_a_move_never_reviewed_waits_while_its_uprn_is_blocked(seeded: orm.Session) -> None:
    result = _submit(seeded)
    block = move_blocks.place(session=seeded, uprn=w.NEW_UPRN, reason=None, actor="k1", now=LATER)
    seeded.commit()
    assert set(_gate(seeded, result.submission_id, LATER).values()) == {"hold:MOVE_BLOCKED"}
    move_blocks.lift(session=seeded, block_id=block.id, actor="k1", now=LATER)
    seeded.commit()
    assert set(_gate(seeded, result.submission_id, LATER).values()) == {"proceed:None"}


def test_a_released_review_is_not_held_again_by_its_block(seeded: orm.Session) -> None:
    move_blocks.place(session=seeded, uprn=w.NEW_UPRN, reason=None, actor="k1", now=w.NOW)
    seeded.commit()
    result = _submit(seeded)
    move_reviews.release(
        session=seeded, review_id=result.submission_id, actor="k2", note=None, now=LATER
    )
    seeded.commit()
    assert set(_gate(seeded, result.submission_id, LATER).values()) == {"proceed:None"}
