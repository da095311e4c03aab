"""A move's first reads in one pipeline on PostgreSQL (:mod:`notify.intake_reads`) give what
the separate reads give: the stored facts of both UPRNs (with and without a stored document)
and the review check's blocks, earlier moves, areas and the registry's version; and a submitted
move sends none of those reads again."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import repository as gazetteer_repository
from gazetteer.search_tables import AddressDocument
from notify import (
    decision,
    gazetteer_facts,
    intake,
    intake_reads,
    move_blocks,
    move_review_reads,
    service,
)
from tests.integration import sharing_world as w

WINDOW = 30


def _world(session: orm.Session) -> str:
    """Two earlier moves (one with a household member) and a block on the new UPRN."""
    w.seed(session)
    for n, household in enumerate([(), (w.PARTNER_MEMBER,)]):
        service.submit_move(session=session, request=w.request(household=household),
                            settings=w.SETTINGS, now=w.NOW + dt.timedelta(hours=n))  # fmt: skip
    block = move_blocks.place(session=session, uprn=w.NEW_UPRN, reason=None, actor="dpo",
                              now=w.NOW)  # fmt: skip
    session.commit()
    return block.id


def _kept(session: orm.Session) -> dict[int, Any]:
    return dict(gazetteer_facts._kept(session))


@pytest.mark.parametrize(
    "uprns",
    [(w.OLD_UPRN, w.NEW_UPRN), (None, w.NEW_UPRN), (w.OLD_UPRN, 999_999_999)],
)
def test_the_reads_ahead_equal_the_separate_reads(
    session: orm.Session, uprns: tuple[int | None, int]
) -> None:
    block_id = _world(session)
    now = w.NOW + dt.timedelta(hours=3)
    request = w.request(old_uprn=uprns[0], new_uprn=uprns[1])
    ahead = intake_reads.prefetch(session, request=request, now=now, window_days=WINDOW)
    if session.get_bind().dialect.name == "sqlite":
        assert ahead is None and not _kept(session)
        return
    assert ahead is not None and ahead.uprns == uprns
    kept = _kept(session)
    session.commit()
    for uprn in (u for u in uprns if u is not None):
        assert kept.get(uprn) == gazetteer_repository.address_facts(session, uprn)
    since = now - dt.timedelta(days=WINDOW)
    expected = move_review_reads.blocks_earlier_and_areas(session, uprns=uprns, since=since)
    assert ahead.reads == expected
    assert [b.id for b in ahead.reads.blocks] == ([block_id] if w.NEW_UPRN in uprns else [])
    assert len(ahead.reads.earlier) == 2 and ahead.reads.registry_mark is not None
    if uprns[0] == w.OLD_UPRN:  # the areas of both: two districts
        assert ahead.reads.codes and len(ahead.reads.codes) == 1 + (uprns[1] == w.NEW_UPRN)


def test_facts_without_a_stored_document_are_read_live(session: orm.Session) -> None:
    w.seed(session)
    session.execute(sa.delete(AddressDocument).where(AddressDocument.uprn == w.OLD_UPRN))
    session.commit()
    expected = gazetteer_repository.address_facts(session, w.OLD_UPRN)
    session.commit()
    ahead = intake_reads.prefetch(session, request=w.request(), now=w.NOW, window_days=WINDOW)
    if session.get_bind().dialect.name == "sqlite":
        assert ahead is None
        return
    assert expected is not None and _kept(session)[w.OLD_UPRN] == expected


def test_a_move_reads_nothing_twice(session: orm.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """The review check and the facts are not read again after the pipeline, and the move is
    the same as one submitted with the reads ahead switched off."""
    _world(session)
    facts_reads: list[int] = []
    reviews: list[object] = []
    original_facts = gazetteer_repository.address_facts
    original_review = move_review_reads.blocks_earlier_and_areas

    def facts(s: orm.Session, uprn: int) -> object:
        facts_reads.append(uprn)
        return original_facts(s, uprn)

    def review(s: orm.Session, **kwargs: Any) -> move_review_reads.IntakeReads:
        reviews.append(kwargs)
        return original_review(s, **kwargs)

    monkeypatch.setattr(gazetteer_repository, "address_facts", facts)
    monkeypatch.setattr(move_review_reads, "blocks_earlier_and_areas", review)
    now = w.NOW + dt.timedelta(hours=3)
    ahead = service.submit_move(session=session, request=w.request(), settings=w.SETTINGS, now=now)
    session.rollback()
    postgresql = session.get_bind().dialect.name == "postgresql"
    assert (facts_reads, reviews) == (([], []) if postgresql else (facts_reads, reviews))
    assert postgresql or (len(facts_reads) == 2 and len(reviews) == 1)
    monkeypatch.setattr(intake_reads, "prefetch", lambda *a, **k: None)
    plain = service.submit_move(session=session, request=w.request(), settings=w.SETTINGS, now=now)
    assert plain.plan is not None and ahead.plan is not None
    assert _decisions(plain.plan) == _decisions(ahead.plan)
    assert len(plain.delivery_ids) == len(ahead.delivery_ids)


def _decisions(plan: decision.Plan) -> list[decision.Decision]:
    """The decisions without the ids of the consents and people each move recorded."""
    return [dataclasses.replace(d, consent_id=None, member_ids=()) for d in plan.decisions]


def test_a_new_uprn_not_held_is_read_again_without_it(session: orm.Session) -> None:
    """A new UPRN the gazetteer does not hold is taken off the request, so the review reads
    ahead (for both UPRNs) are not used: the check reads the old UPRN's alone."""
    _world(session)
    request = w.request(new_uprn=999_999_999)
    ahead = intake_reads.prefetch(session, request=request, now=w.NOW, window_days=WINDOW)
    resolved = intake.MoveRequest(**{**_fields(request), "new_uprn": None})
    reads = intake_reads.review_reads(
        session, request=resolved, prefetched=ahead, now=w.NOW, window_days=WINDOW
    )
    since = w.NOW - dt.timedelta(days=WINDOW)
    expected = move_review_reads.blocks_earlier_and_areas(
        session, uprns=[w.OLD_UPRN, None], since=since
    )
    assert reads == expected and reads.blocks == []


def _fields(request: intake.MoveRequest) -> dict[str, Any]:
    return {name: getattr(request, name) for name in request.__dataclass_fields__}
