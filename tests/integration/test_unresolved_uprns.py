"""A move given UPRNs the gazetteer does not hold, on both engines.

A new UPRN the gazetteer lacks (a partner's new build not yet loaded, or a typo) is accepted and
waits in the custodian's queue like a "not listed" address: every candidate service is held
with ``NEW_UPRN_PENDING`` and nothing is queued. A custodian's resolution, or a later load that
creates that UPRN, plans it like any other resolved move. An old UPRN the gazetteer lacks is
kept as given and never holds the move (J2, §3.3): no service is routed as the leaving one.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import orm

from gazetteer import repository as gaz_repository
from gazetteer import tables as gaz_tables
from notify import citizen_status, correction, corrections, gazetteer_events, service, unresolved
from notify.tables import interim as t
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import registry as registry_tables
from notify.tables import review as review_tables
from tests.integration import sharing_world as w

NEW_BUILD = 10091234999  # not in the gazetteer until a later load
FAR_AWAY = 100090000001  # an old UPRN from another authority's gazetteer
LATER = w.NOW + dt.timedelta(days=1)
ALL_SERVICES = {
    "COUNTY-CC/ADULT_SOCIAL_CARE",
    "NEWTOWN-DC/COUNCIL_TAX",
    "NEWTOWN-DC/ELECTORAL_REG",
    "NEWTOWN-DC/LIBRARIES",
    "OLDTOWN-BC/COUNCIL_TAX",
}
TOLD = ALL_SERVICES - {"COUNTY-CC/ADULT_SOCIAL_CARE"}


seeded = pytest.fixture(w.seeded, name="seeded")
_submit = w.submit


def _count(session: orm.Session, table: type[object]) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def _deliveries(session: orm.Session, submission_id: str) -> dict[str, o.Delivery]:
    rows = session.scalars(sa.select(o.Delivery).filter_by(submission_id=submission_id))
    return {d.partner_service_id: d for d in rows}


def _load_new_build(session: orm.Session, *, uprn: int = NEW_BUILD) -> None:
    """What a load leaves: the address in Newtown, and its ``created`` change unpublished."""
    gaz_repository.save_records(session, w.address(uprn, 296500.0, 1110, 4))
    session.add(gaz_tables.GazetteerChange(uprn=uprn, kind="created", occurred_at=LATER))
    session.commit()


def _publish(session: orm.Session) -> None:
    gazetteer_events.enqueue_pending(session, LATER, settings=w.SETTINGS)
    session.commit()


def _interim(session: orm.Session, submission_id: str) -> t.InterimAddress:
    row = session.get(m.ChangeSubmission, submission_id)
    assert row is not None and row.new_interim_id is not None
    found = session.get(t.InterimAddress, row.new_interim_id)
    assert found is not None
    return found


def test_a_new_uprn_the_gazetteer_lacks_waits_in_the_custodians_queue(
    seeded: orm.Session,
) -> None:
    result = _submit(seeded, new_uprn=NEW_BUILD)
    decisions = {c["partner_service_id"]: c for c in result.document["candidates"]}
    assert set(decisions) == ALL_SERVICES
    assert {(c["decision"], c["reasons"][0]["code"]) for c in decisions.values()} == {
        ("hold", "NEW_UPRN_PENDING")
    }
    for table in (o.Delivery, o.OutboxEvent, o.Disclosure, m.ConsentRecord):
        assert _count(seeded, table) == 0, table
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None and row.new_uprn is None and row.new_match is not None
    assert (row.new_match["method"], row.new_match["status"]) == ("uprn", "not_in_gazetteer")
    assert row.new_match["stated_uprn"] == NEW_BUILD
    interim = _interim(seeded, result.submission_id)
    assert (interim.origin, interim.status) == ("not_listed", "open")
    assert interim.address_text == f"UPRN {NEW_BUILD} not in the gazetteer"
    assert interim.pending_consents == ["NEWTOWN-DC/LIBRARIES"]
    queue = unresolved.list_unresolved(session=seeded)
    assert [e.reference for e in queue.items] == [result.reference]
    status = citizen_status.move_status(session=seeded, reference=result.reference, now=w.NOW)
    assert status["new_address"] == "pending"
    assert {r["status"] for r in status["recipients"]} == {"waiting"}


def test_a_known_new_uprn_opens_nothing(seeded: orm.Session) -> None:
    result = _submit(seeded)
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None and (row.new_uprn, row.new_interim_id) == (w.NEW_UPRN, None)
    assert _count(seeded, t.InterimAddress) == 0
    assert set(_deliveries(seeded, result.submission_id)) == TOLD


def test_the_dry_run_of_a_new_uprn_the_gazetteer_lacks_writes_nothing(
    seeded: orm.Session,
) -> None:
    document = service.explain_move(
        session=seeded, request=w.request(new_uprn=NEW_BUILD), settings=w.SETTINGS, now=w.NOW
    )
    assert {c["decision"] for c in document["candidates"]} == {"hold"}
    assert _count(seeded, t.InterimAddress) == 0
    assert _count(seeded, m.ChangeSubmission) == 0


def test_a_custodian_corrects_a_mistyped_uprn_and_the_services_are_planned(
    seeded: orm.Session,
) -> None:
    result = _submit(seeded, new_uprn=NEW_BUILD)
    settled = unresolved.resolve(
        session=seeded, reference=result.reference, uprn=w.NEW_UPRN, actor="key-custodian",
        settings=w.SETTINGS, now=LATER,
    )  # fmt: skip
    seeded.commit()
    assert set(settled.planned) == ALL_SERVICES
    deliveries = _deliveries(seeded, result.submission_id)
    assert set(deliveries) == TOLD
    for delivery in deliveries.values():
        event = json.loads(delivery.body or b"")
        assert event["data"]["new_address"]["uprn"] == str(w.NEW_UPRN)
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None and row.new_uprn == w.NEW_UPRN and row.new_match is not None
    assert (row.new_match["chosen_by"], row.new_match["stated_uprn"]) == ("custodian", NEW_BUILD)
    assert _interim(seeded, result.submission_id).status == "resolved"


def test_a_load_that_creates_the_uprn_plans_the_waiting_move(seeded: orm.Session) -> None:
    result = _submit(seeded, new_uprn=NEW_BUILD)
    _load_new_build(seeded, uprn=NEW_BUILD + 1)  # another new build: nobody waits for it
    _publish(seeded)
    assert _interim(seeded, result.submission_id).status == "open"
    assert _count(seeded, o.Delivery) == 0
    _load_new_build(seeded)
    _publish(seeded)
    interim = _interim(seeded, result.submission_id)
    assert (interim.status, interim.resolved_uprn, interim.closed_by) == (
        "resolved",
        NEW_BUILD,
        unresolved.LOAD_ACTOR,
    )
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None and row.new_uprn == NEW_BUILD and row.new_match is not None
    assert row.new_match["chosen_by"] == unresolved.LOAD_ACTOR
    deliveries = _deliveries(seeded, result.submission_id)
    assert set(deliveries) == TOLD
    event = json.loads(deliveries["NEWTOWN-DC/COUNCIL_TAX"].body or b"")
    assert event["data"]["new_address"]["uprn"] == str(NEW_BUILD)
    library = deliveries["NEWTOWN-DC/LIBRARIES"]
    consent = seeded.get(m.ConsentRecord, library.consent_record_id)
    assert consent is not None and consent.given_at == w.NOW
    assert unresolved.list_unresolved(session=seeded).total == 0
    assert citizen_status.move_status(session=seeded, reference=result.reference, now=w.NOW)[
        "new_address"
    ] == ("known")
    _publish(seeded)  # published once: nothing more is planned
    assert set(_deliveries(seeded, result.submission_id)) == TOLD


def test_a_load_leaves_a_move_refused_on_review_in_the_queue(seeded: orm.Session) -> None:
    result = _submit(seeded, new_uprn=NEW_BUILD)
    seeded.add(
        review_tables.MoveReview(
            submission_id=result.submission_id, reasons=[], status="refused", held_at=w.NOW
        )
    )
    _load_new_build(seeded)
    _publish(seeded)
    assert _count(seeded, review_tables.GazetteerEventMark) == 1  # the change is still published
    assert _interim(seeded, result.submission_id).status == "open"
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None and row.new_uprn is None
    assert _count(seeded, o.Delivery) == 0


def test_an_old_uprn_the_gazetteer_lacks_is_kept_and_nobody_is_leaving(
    seeded: orm.Session,
) -> None:
    result = _submit(seeded, old_uprn=FAR_AWAY)
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None and (row.old_uprn, row.new_uprn) == (FAR_AWAY, w.NEW_UPRN)
    assert _count(seeded, t.InterimAddress) == 0
    decisions = {c["partner_service_id"]: c for c in result.document["candidates"]}
    oldtown = decisions["OLDTOWN-BC/COUNCIL_TAX"]
    assert (oldtown["role"], oldtown["decision"]) == ("none", "refuse")
    newtown = decisions["NEWTOWN-DC/COUNCIL_TAX"]
    assert (newtown["role"], newtown["decision"]) == ("joining", "send")
    deliveries = _deliveries(seeded, result.submission_id)
    assert "OLDTOWN-BC/COUNCIL_TAX" not in deliveries
    event = json.loads(deliveries["NEWTOWN-DC/COUNCIL_TAX"].body or b"")
    assert event["data"]["old_address"] == {
        "uprn": str(FAR_AWAY),
        "single_line": None,
        "postcode": None,
        "welsh_single_line": None,
    }
    status = citizen_status.move_status(session=seeded, reference=result.reference, now=w.NOW)
    assert status["new_address"] == "known"


def test_a_corrected_move_still_waits_in_one_queue_entry_with_its_consents(
    seeded: orm.Session,
) -> None:
    first = _submit(seeded, new_uprn=NEW_BUILD)
    fixed = corrections.correct_move(
        session=seeded,
        reference=first.reference,
        change=correction.Correction(move_date=dt.date(2025, 3, 15)),
        settings=w.SETTINGS,
        now=w.NOW,
    )
    seeded.commit()
    row = seeded.get(m.ChangeSubmission, fixed.submission_id)
    assert row is not None and (row.version, row.new_uprn) == (2, None)
    assert row.new_match is not None and row.new_match["stated_uprn"] == NEW_BUILD
    assert _count(seeded, t.InterimAddress) == 1
    queue = unresolved.list_unresolved(session=seeded)
    assert [(e.reference, e.version) for e in queue.items] == [(first.reference, 2)]
    assert _interim(seeded, fixed.submission_id).pending_consents == ["NEWTOWN-DC/LIBRARIES"]
    _load_new_build(seeded)
    _publish(seeded)
    deliveries = _deliveries(seeded, fixed.submission_id)
    assert set(deliveries) == TOLD
    assert deliveries["NEWTOWN-DC/LIBRARIES"].consent_record_id is not None
    assert _deliveries(seeded, first.submission_id) == {}


ALONE = w.SETTINGS.model_copy(update={"move_review_window_days": 0})  # examples are not repeats


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    new_uprn=st.one_of(
        st.sampled_from([w.NEW_UPRN, w.ELSEWHERE_UPRN]), st.integers(1, 999_999_999_999)
    ),
    old_uprn=st.sampled_from([None, w.OLD_UPRN, FAR_AWAY]),
)
def test_a_new_uprn_is_either_held_by_the_gazetteer_or_waits_with_nothing_queued(
    session: orm.Session, new_uprn: int, old_uprn: int | None
) -> None:
    if session.get(registry_tables.Partner, "NEWTOWN-DC") is None:
        w.seed(session)  # once per database: each example adds its own submission
    if new_uprn == old_uprn:
        return
    request = w.request(new_uprn=new_uprn, old_uprn=old_uprn)
    result = service.submit_move(session=session, request=request, settings=ALONE, now=w.NOW)
    session.commit()
    row = session.get_one(m.ChangeSubmission, result.submission_id)
    held = session.get(gaz_tables.Blpu, new_uprn) is not None
    assert (row.new_uprn == new_uprn) is held and (row.new_interim_id is None) is held
    assert row.old_uprn == old_uprn  # an old UPRN is kept as given, held or not
    reasons = {r["code"] for c in result.document["candidates"] for r in c["reasons"]}
    assert ("NEW_UPRN_PENDING" in reasons) is not held
    if held:
        return
    assert _deliveries(session, row.id) == {}
    assert row.new_match is not None and row.new_match["stated_uprn"] == new_uprn
    interim = _interim(session, row.id)
    assert interim.status == "open" and str(new_uprn) in (interim.address_text or "")
