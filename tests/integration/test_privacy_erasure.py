"""Erasure (Art. 17, §3.9) on both engines, on moves carried through delivery.

The property (V7): after erasing a person, none of their values (name, date of birth, email,
phone, typed-in address) is left in any column of any table, in queued or dead bodies, in
attempt excerpts or in the captured logs, while every ledger line survives redacted (V5:
rule, agreement and consent versions and the payload digest kept).
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from sqlalchemy import orm

from notify import delivery_service, erasure, ledger, privacy, privacy_errors
from notify import privacy_tables as p
from notify.tables import moves as m
from notify.tables import outbox as o
from tests import strategies
from tests.strategies import Canary
from tests.support import privacy_world as pw

CT, ER, LIB = "NEWTOWN-DC/COUNCIL_TAX", "NEWTOWN-DC/ELECTORAL_REG", "NEWTOWN-DC/LIBRARIES"


@pytest.fixture
def world(session: orm.Session) -> orm.Session:
    pw.seed(session)
    return session


def _erase(
    session: orm.Session, subject_id: str, case_ref: str | None = None
) -> privacy.ErasureReport:
    report = erasure.erase_subject(
        session=session,
        subject_id=subject_id,
        authorised_by="dpo@council.example",
        now=pw.RELEASED,
        settings=pw.SETTINGS,
        case_ref=case_ref,
    )
    session.commit()
    return report


def _member_id(session: orm.Session, submission_id: str) -> str:
    query = sa.select(m.HouseholdMember.subject_id).where(
        m.HouseholdMember.submission_id == submission_id
    )
    return session.scalars(query).one()


def _mover_id(session: orm.Session, submission_id: str) -> str:
    return session.get_one(m.ChangeSubmission, submission_id).subject_id


def _lines(session: orm.Session) -> dict[str, o.Disclosure]:
    return {line.delivery_id: line for line in session.scalars(sa.select(o.Disclosure))}


def _assert_one_line_per_delivery(session: orm.Session) -> None:
    deliveries = set(session.scalars(sa.select(o.Delivery.id)))
    lines = list(session.scalars(sa.select(o.Disclosure.delivery_id)))
    assert sorted(lines) == sorted(deliveries)  # V5: exactly one line per delivery


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=strategies.canary_pairs())
def test_an_erased_person_is_found_nowhere(
    world: orm.Session, caplog: pytest.LogCaptureFixture, people: list[Canary]
) -> None:
    caplog.set_level(logging.DEBUG)
    mover, member = people
    # Examples share one database: skip values an earlier (failed) example left behind.
    assume(not pw.find_values(world, (*mover.values(), *member.values())))
    submitted = pw.submit(world, mover, member)
    pw.dispatch(world)
    mover_id, member_id = (
        _mover_id(world, submitted.submission_id),
        _member_id(world, submitted.submission_id),
    )
    assert pw.find_values(world, member.values())  # the scan finds what is there

    _erase(world, member_id)
    assert pw.find_values(world, member.values()) == set()
    assert {n for _, _, n in pw.find_values(world, mover.values())} == set(mover.values())

    before = {k: (v.rule_id, v.rule_version, v.dsa_id, v.dsa_version, v.consent_record_id,
                  v.payload_digest, v.fields) for k, v in _lines(world).items()}  # fmt: skip
    _erase(world, mover_id)
    assert pw.find_values(world, mover.values()) == set()
    assert not any(value in caplog.text for value in (*mover.values(), *member.values()))
    after = _lines(world)
    for delivery_id in pw.deliveries(world, submitted.submission_id).values():
        line = after[delivery_id.id]
        kept = (line.rule_id, line.rule_version, line.dsa_id, line.dsa_version,
                line.consent_record_id, line.payload_digest, line.fields)  # fmt: skip
        assert kept == before[delivery_id.id] and line.payload_digest
        assert line.subject_id is None and line.erasure_ref and line.erased_at
    _assert_one_line_per_delivery(world)


def test_erasure_cancels_purges_notifies_and_is_audited(world: orm.Session) -> None:
    mover, member = _people()
    submitted = pw.submit(world, mover, member)
    pw.dispatch(world)
    sent = pw.deliveries(world, submitted.submission_id)
    assert (sent[CT].state, sent[ER].state, sent[LIB].state) == ("delivered", "dead", "scheduled")
    assert _lines(world)[sent[ER].id].outcome == "possibly_disclosed"  # it timed out
    mover_id = _mover_id(world, submitted.submission_id)
    note = f"called {mover.given_name} about it"
    delivery_service.abandon(
        session=world, delivery_id=sent[ER].id, actor="ops", reason=note, now=pw.RELEASED
    )
    world.commit()

    report = _erase(world, mover_id, case_ref="DSAR-2025-014")

    sent = pw.deliveries(world, submitted.submission_id)
    assert sent[LIB].state == "cancelled" and sent[LIB].close_reason == "cancelled:SUBJECT_ERASED"
    assert all(d.body is None and d.body_purge_reason == "erasure" for d in sent.values())
    notices = world.scalars(sa.select(o.Disclosure).where(o.Disclosure.notice_of.is_not(None)))
    told = {(n.partner_service_id, n.event_type, n.fields[0]) for n in notices}
    assert told == {(CT, "personal_data.erased", "PRIOR_EVENT_REFS"),
                    (ER, "personal_data.erased", "PRIOR_EVENT_REFS")}  # fmt: skip
    assert len(report.notices) == 2 and report.counts["deliveries_cancelled"] == 1
    assert report.counts["bodies_purged"] == 3 and report.counts["notes_cleared"] == 1
    register = world.get_one(p.ErasureRegister, report.erasure_ref)
    assert (register.case_ref, register.notices_enqueued) == ("DSAR-2025-014", 2)
    assert mover_id not in json.dumps(
        [register.counts, register.impossible, register.authorised_by]
    )
    assert world.get_one(m.Subject, mover_id).erased_at is not None
    submission = world.get_one(m.ChangeSubmission, submitted.submission_id)
    assert (submission.person, submission.old_address_text, submission.new_uprn) == (None,) * 3
    assert submission.reference == submitted.reference and submission.status


def test_erasing_a_member_rebuilds_the_queued_body_without_them(world: orm.Session) -> None:
    mover, member = _people()
    submitted = pw.submit(world, mover, member)  # nothing sent yet: every delivery queued
    before = pw.deliveries(world, submitted.submission_id)[ER]
    digest = _lines(world)[before.id].payload_digest
    assert before.body and member.given_name in before.body.decode()

    report = _erase(world, _member_id(world, submitted.submission_id))

    after = pw.deliveries(world, submitted.submission_id)[ER]
    assert after.state == "scheduled" and after.body is not None
    data = json.loads(after.body)["data"]
    assert "household" not in data and "HOUSEHOLD" not in data["fields"]
    assert mover.given_name in after.body.decode()  # the mover's own delivery goes ahead
    line = _lines(world)[after.id]
    assert line.fields == after.fields_planned == data["fields"]
    assert line.payload_digest != digest and line.subject_id is not None  # the mover's line
    assert report.counts["bodies_rebuilt"] == 1 and report.notices == ()  # nothing was sent


def test_disclosures_are_exactly_the_deliveries_made(world: orm.Session) -> None:
    mover, member = _people()
    submitted = pw.submit(world, mover, member)
    pw.dispatch(world)
    sent = pw.deliveries(world, submitted.submission_id)
    mover_id = _mover_id(world, submitted.submission_id)

    found = ledger.person_disclosures(session=world, subject_id=mover_id)
    assert {e.delivery_id for e in found.entries} == {d.id for d in sent.values()}
    disclosed = {e.delivery_id for e in found.entries if e.outcome == "disclosed"}
    assert disclosed == {d.id for d in sent.values() if d.state == "delivered"} == {sent[CT].id}
    assert all(e.role == "primary" and e.rule and e.agreement for e in found.entries)
    as_member = ledger.person_disclosures(
        session=world, subject_id=_member_id(world, submitted.submission_id)
    )
    assert [(e.delivery_id, e.role) for e in as_member.entries] == [(sent[ER].id, "household")]

    _erase(world, mover_id)
    erased = ledger.person_disclosures(session=world, subject_id=mover_id)
    assert erased.entries == () and erased.erased_at is not None


def test_erasing_twice_changes_nothing_and_unknown_people_are_refused(world: orm.Session) -> None:
    mover, member = _people()
    submitted = pw.submit(world, mover, member)
    mover_id = _mover_id(world, submitted.submission_id)
    first = _erase(world, mover_id)
    again = _erase(world, mover_id)
    assert again.already_erased and again.erasure_ref is None
    assert again.executed_at == first.executed_at
    assert world.scalar(sa.select(sa.func.count()).select_from(p.ErasureRegister)) == 1
    with pytest.raises(privacy_errors.PersonNotFound):
        _erase(world, "no-such-person")
    with pytest.raises(privacy_errors.InvalidCaseRef):
        _erase(world, mover_id, case_ref="Ada Lovelace's request")


def _people() -> tuple[Canary, Canary]:
    return (
        Canary.of("moverada", dt.date(1961, 5, 17), 123456),
        Canary.of("memberbo", dt.date(1964, 8, 2), 654321),
    )
