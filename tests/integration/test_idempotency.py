"""Idempotency records on both engines (§6.8): the same key and content replay the stored
answer, different content is refused, a record expires after 24 hours, and a live record
written meanwhile by a concurrent request is never overwritten."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import orm

from core import db
from notify import idempotency

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
FIRST = idempotency.Stored(status_code=201, response={"id": "A1", "outcome": "applied"})


def _store(session: orm.Session, sha: str, at: dt.datetime = NOW) -> None:
    idempotency.store(
        session, actor="partner:P0", key="k1", request_sha256=sha, stored=FIRST, now=at
    )


def test_the_same_content_replays_the_answer_and_other_content_is_refused(
    session: orm.Session,
) -> None:
    sha = idempotency.fingerprint({"outcome": "applied", "delivery_id": "D1"})
    assert sha == idempotency.fingerprint({"delivery_id": "D1", "outcome": "applied"})
    assert (
        idempotency.replay(session, actor="partner:P0", key="k1", request_sha256=sha, now=NOW)
        is None
    )
    _store(session, sha)
    session.commit()
    later = NOW + dt.timedelta(hours=23)
    assert (
        idempotency.replay(session, actor="partner:P0", key="k1", request_sha256=sha, now=later)
        == FIRST
    )
    other = idempotency.fingerprint({"outcome": "rejected", "delivery_id": "D1"})
    with pytest.raises(idempotency.IdempotencyKeyMismatch):
        idempotency.replay(session, actor="partner:P0", key="k1", request_sha256=other, now=later)
    assert (
        idempotency.replay(session, actor="partner:P1", key="k1", request_sha256=other, now=later)
        is None
    )
    expired = NOW + dt.timedelta(hours=25)
    assert (
        idempotency.replay(session, actor="partner:P0", key="k1", request_sha256=other, now=expired)
        is None
    )
    _store(session, other, expired)  # an expired record is replaced
    session.commit()
    assert (
        idempotency.replay(session, actor="partner:P0", key="k1", request_sha256=other, now=expired)
        == FIRST
    )


def test_a_live_record_written_meanwhile_is_not_overwritten(
    session: orm.Session, session_factory: db.SessionFactory
) -> None:
    _store(session, "a" * 64)
    session.commit()
    with session_factory() as racing:
        with pytest.raises(idempotency.IdempotencyKeyInFlight):
            _store(racing, "b" * 64)
        racing.rollback()
    session.expire_all()
    assert (
        idempotency.replay(session, actor="partner:P0", key="k1", request_sha256="a" * 64, now=NOW)
        == FIRST
    )
