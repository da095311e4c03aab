"""The review check's earlier moves, read with the people's fields taken out of their JSON by
the database, equal the moves read with the whole stored people decoded (both engines)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from notify import (
    delivery_sql,
    gazetteer_facts,
    holds,
    intake,
    move_blocks,
    move_review_reads,
    move_reviews,
    service,
)
from notify.tables import moves as m
from notify.tables import registry as pt
from tests.integration import sharing_world as w


def _oracle(session: orm.Session, uprns: list[int], since: dt.datetime) -> list[holds.EarlierMove]:
    """The reading the statement replaced: whole people, decoded in Python."""
    sub, member = m.ChangeSubmission, m.HouseholdMember
    latest = (
        sa.select(
            sub.id,
            sub.reference,
            sub.old_uprn,
            sub.new_uprn,
            sub.move_date,
            sub.person,
            sub.submitted_at,
        )
        .where(
            sub.submitted_at >= since,
            sub.status.in_(move_reviews.LIVE_STATUSES),
            sub.pii_erased_at.is_(None),
            sa.or_(sub.old_uprn.in_(uprns), sub.new_uprn.in_(uprns)),
        )
        .order_by(sub.submitted_at.desc())
        .limit(move_reviews.COMPARED)
        .subquery()
    )
    query = (
        sa.select(latest, member.person.label("member"))
        .outerjoin(member, member.submission_id == latest.c.id)
        .order_by(latest.c.submitted_at.desc(), latest.c.id, member.position)
    )
    rows: dict[str, Any] = {}
    people: dict[str, list[holds.PersonKey]] = {}
    for row in session.execute(query):
        rows.setdefault(row.id, row)
        people.setdefault(row.id, []).extend(k for k in [_key(row.member)] if k)
    return [
        holds.EarlierMove(submission_id=r.id, reference=r.reference, old_uprn=r.old_uprn,
                          new_uprn=r.new_uprn, move_date=r.move_date,
                          people=tuple(k for k in [_key(r.person)] if k) + tuple(people[r.id]))
        for r in rows.values()
    ]  # fmt: skip


def _key(person: dict[str, Any] | None) -> holds.PersonKey | None:
    if not person or not person.get("given_name"):
        return None
    dob = person.get("date_of_birth")
    return holds.person_key(
        str(person["given_name"]),
        str(person.get("family_name") or ""),
        dt.date.fromisoformat(dob) if dob else None,
    )


def test_earlier_moves_equal_the_whole_people_decoded(session: orm.Session) -> None:
    w.seed(session)
    people = [
        intake.PersonDetails(given_name="Siân", family_name="Ó Briain"),
        intake.PersonDetails(
            given_name="Ada", family_name="Lovelace", date_of_birth=dt.date(1990, 12, 10)
        ),
        w.MOVER,
    ]
    for n, person in enumerate(people):
        household = () if n == 0 else (w.PARTNER_MEMBER,)
        at = w.NOW + dt.timedelta(hours=n)
        service.submit_move(session=session, request=w.request(person=person, household=household),
                            settings=w.SETTINGS, now=at)  # fmt: skip
        session.commit()
    first = session.scalars(sa.select(m.ChangeSubmission).order_by(m.ChangeSubmission.id)).first()
    assert first is not None
    first.person = {**(first.person or {}), "given_name": ""}  # a stored person with no name
    session.commit()
    since, uprns = w.NOW - dt.timedelta(days=1), [w.OLD_UPRN, w.NEW_UPRN]
    found = move_reviews.earlier_moves(session, uprns=uprns, since=since)
    assert found == _oracle(session, uprns, since)
    assert [len(e.people) for e in found] == [2, 2, 0]  # latest first; the first has no name
    assert found[1].people[0] == holds.person_key("Ada", "Lovelace", dt.date(1990, 12, 10))
    assert move_reviews.earlier_moves(session, uprns=uprns, since=w.NOW + dt.timedelta(hours=2))
    assert move_reviews.earlier_moves(session, uprns=[w.ELSEWHERE_UPRN], since=since) == []


def test_blocks_and_earlier_moves_in_one_statement_equal_the_two_reads(
    session: orm.Session,
) -> None:
    w.seed(session)
    for n, household in enumerate([(), (w.PARTNER_MEMBER,)]):
        service.submit_move(session=session, request=w.request(household=household),
                            settings=w.SETTINGS, now=w.NOW + dt.timedelta(hours=n))  # fmt: skip
    blocks = [
        move_blocks.place(session=session, uprn=u, reason=None, actor="dpo", now=w.NOW)
        for u in (w.OLD_UPRN, w.NEW_UPRN, w.NEW_UPRN, w.ELSEWHERE_UPRN)
    ]
    move_blocks.lift(session=session, block_id=blocks[1].id, actor="dpo", now=w.NOW)
    session.commit()
    since = w.NOW - dt.timedelta(days=1)
    for uprns in ([w.OLD_UPRN, w.NEW_UPRN], [w.NEW_UPRN, None], [w.ELSEWHERE_UPRN], [None]):
        found, earlier = move_review_reads.blocks_and_earlier(session, uprns=uprns, since=since)
        expected = move_blocks.active_on(session, uprns)
        assert sorted(found, key=lambda b: b.id) == sorted(expected, key=lambda b: b.id)
        assert earlier == move_reviews.earlier_moves(session, uprns=uprns, since=since)
    found, earlier = move_review_reads.blocks_and_earlier(
        session, uprns=[w.OLD_UPRN, w.NEW_UPRN], since=since
    )
    assert sorted(b.id for b in found) == sorted([blocks[0].id, blocks[2].id])
    assert [len(e.people) for e in earlier] == [2, 1]


def test_blocks_earlier_and_areas_equal_the_separate_reads(session: orm.Session) -> None:
    w.seed(session)
    service.submit_move(session=session, request=w.request(household=(w.PARTNER_MEMBER,)),
                        settings=w.SETTINGS, now=w.NOW)  # fmt: skip
    placed = move_blocks.place(session=session, uprn=w.NEW_UPRN, reason=None, actor="dpo",
                               now=w.NOW)  # fmt: skip
    session.commit()
    since = w.NOW - dt.timedelta(days=1)
    postgresql = session.get_bind().dialect.name == "postgresql"
    for uprns in ([w.OLD_UPRN, w.NEW_UPRN], [w.NEW_UPRN, None], [w.ELSEWHERE_UPRN], [None],
                  [w.OLD_UPRN, 999_999_999]):  # fmt: skip
        reads = move_review_reads.blocks_earlier_and_areas(session, uprns=uprns, since=since)
        assert (reads.blocks, reads.earlier) == move_review_reads.blocks_and_earlier(
            session, uprns=uprns, since=since
        )
        wanted = [u for u in uprns if u is not None]
        assert reads.codes == (gazetteer_facts.area_codes(session, wanted) if wanted else {})
        assert reads.registry_mark == (_version(session) if postgresql and wanted else None)
    reads = move_review_reads.blocks_earlier_and_areas(
        session, uprns=[w.OLD_UPRN, w.NEW_UPRN], since=since
    )
    codes = reads.codes
    assert [b.id for b in reads.blocks] == [placed.id]
    assert codes and codes[w.OLD_UPRN] and codes[w.NEW_UPRN] != codes[w.OLD_UPRN]
    session.execute(sa.update(pt.Partner).values(name_en=pt.Partner.name_en + "!"))
    session.commit()
    after = move_review_reads.blocks_earlier_and_areas(session, uprns=[w.OLD_UPRN], since=since)
    assert (after.registry_mark != reads.registry_mark) is postgresql
    assert after.registry_mark == (_version(session) if postgresql else None)


def _version(session: orm.Session) -> tuple[object, ...]:
    """What the registry cache reads by itself (:data:`delivery_sql.REGISTRY_VERSION`)."""
    return tuple(session.execute(delivery_sql.REGISTRY_VERSION).one())
