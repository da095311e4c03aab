"""The send-time gate reads every per-delivery fact in one statement: what it makes of a move's
review, block, submission, subjects and endpoint is what the per-kind reads give (the review
oracle: :func:`notify.move_reviews.review_states`), on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from notify import delivery_gate, holds, move_blocks, move_reviews
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import registry as r
from tests.integration import sharing_world as w

LATER = w.NOW + dt.timedelta(days=20)
seeded = pytest.fixture(w.seeded)


def _review(session: orm.Session, submission_id: str, how: str) -> None:
    if how in ("blocked", "pending", "released", "refused"):
        move_blocks.place(session=session, uprn=w.NEW_UPRN, reason=None, actor="k1", now=LATER)
    if how in ("pending", "released", "refused"):
        found = holds.Finding(code=holds.CONFLICTING_MOVE, detail={})
        move_reviews.open_review(session, submission_id=submission_id, found=[found], now=LATER)
    if how == "released":
        move_reviews.release(session=session, review_id=submission_id, actor="k2", note=None,
                             now=LATER)  # fmt: skip
    if how == "refused":
        move_reviews.reject(session=session, review_id=submission_id, actor="k2", note=None,
                            now=LATER)  # fmt: skip
    session.commit()


@pytest.mark.parametrize("how", ["none", "blocked", "pending", "released", "refused"])
def test_the_facts_read_in_one_statement_match_the_reads_per_kind(
    seeded: orm.Session, how: str
) -> None:
    result = w.submit(seeded)
    _review(seeded, result.submission_id, how)
    rows = list(seeded.scalars(sa.select(o.Delivery).filter_by(submission_id=result.submission_id)))
    assert rows
    facts = delivery_gate._Facts.load(seeded, rows)
    review, code = move_reviews.review_states(seeded, [result.submission_id]).get(
        result.submission_id, (None, None)
    )
    status = seeded.get(m.ChangeSubmission, result.submission_id)
    assert status is not None
    for d in rows:
        got = facts.pending(d)
        primary = seeded.scalars(
            sa.select(o.DeliverySubject.subject_id).filter_by(delivery_id=d.id, role="primary")
        ).one()
        endpoint = seeded.get(r.Endpoint, d.endpoint_id) if d.endpoint_id else None
        assert (got.review_hold, got.review_refused) == (
            code if review == "pending" else None,
            review == "refused",
        )
        assert (got.subject_id, got.submission_status, got.any_subject_erased) == (
            primary,
            status.status,
            False,
        )
        assert got.endpoint_status == (endpoint.status if endpoint else None)
        assert [c.id for c in facts.consents_of(d)] == ([d.consent_record_id]
                                                       if d.consent_record_id else [])  # fmt: skip
    expected = {"none": None, "blocked": "pending", "pending": "pending", "released": None,
                "refused": "refused"}  # fmt: skip
    assert review == expected[how]
    seeded.rollback()


def test_an_erased_subject_is_seen(seeded: orm.Session) -> None:
    result = w.submit(seeded)
    rows = list(seeded.scalars(sa.select(o.Delivery).filter_by(submission_id=result.submission_id)))
    subject = seeded.scalars(
        sa.select(o.DeliverySubject.subject_id).filter_by(delivery_id=rows[0].id)
    ).first()
    seeded.execute(sa.update(m.Subject).where(m.Subject.id == subject).values(erased_at=LATER))
    seeded.commit()
    facts = delivery_gate._Facts.load(seeded, rows)
    erased = {
        d.id
        for d in rows
        if seeded.scalars(
            sa.select(o.DeliverySubject).filter_by(delivery_id=d.id, subject_id=subject)
        ).first()
    }
    assert erased
    assert {d.id for d in rows if facts.pending(d).any_subject_erased} == erased
    seeded.rollback()
