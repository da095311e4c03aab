"""Typed addresses on intake and the custodian's queue, on both engines: a confident match is
used; anything less holds every service (no outbox rows) until the custodian resolves the
address, when only those services are planned again (V1, V2); rejecting leaves them untold."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from core.settings import Settings
from gazetteer import search_index
from notify import (
    address_input,
    citizen_status,
    corrections,
    erasure,
    errors,
    move_blocks,
    projection,
    routing,
    service,
    unresolved,
    unresolved_plan,
)
from notify import registry_repository as registry_repo
from notify.tables import interim as t
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import review as review_tables
from tests.integration import sharing_world as w

MATCHING_NEW = address_input.AddressInput(text="2 Mill Lane, Newtown, NT1 1AA")
MATCHING_OLD = address_input.AddressInput(text="1 Mill Lane, Newtown")
UNKNOWN_NEW = address_input.AddressInput(text="7 Mill Lane Newtown", postcode="nt11aa")
LATER = w.NOW + dt.timedelta(days=1)
ALL_SERVICES = {
    "COUNTY-CC/ADULT_SOCIAL_CARE",
    "NEWTOWN-DC/COUNCIL_TAX",
    "NEWTOWN-DC/ELECTORAL_REG",
    "NEWTOWN-DC/LIBRARIES",
    "OLDTOWN-BC/COUNCIL_TAX",
}


@pytest.fixture
def seeded(session: orm.Session) -> orm.Session:
    w.seed(session)
    search_index.rebuild(session)
    session.commit()
    return session


def _submit(
    session: orm.Session, settings: Settings = w.SETTINGS, **changes: object
) -> service.Submitted:
    result = service.submit_move(
        session=session, request=w.request(**changes), settings=settings, now=w.NOW
    )
    session.commit()
    return result


def _pending(
    session: orm.Session, settings: Settings = w.SETTINGS, **changes: object
) -> service.Submitted:
    return _submit(session, settings, new_uprn=None, new_address=UNKNOWN_NEW, **changes)


def _resolve(
    session: orm.Session,
    reference: str,
    uprn: int = w.NEW_UPRN,
    settings: Settings = w.SETTINGS,
) -> unresolved.Settled:
    settled = unresolved.resolve(
        session=session,
        reference=reference,
        uprn=uprn,
        actor="key-custodian",
        settings=settings,
        now=LATER,
    )
    session.commit()
    return settled


def _count(session: orm.Session, table: type[object]) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def _deliveries(session: orm.Session) -> dict[str, o.Delivery]:
    rows = session.scalars(sa.select(o.Delivery))
    return {d.partner_service_id: d for d in rows}


def test_typed_addresses_that_match_are_used_and_their_evidence_kept(
    seeded: orm.Session,
) -> None:
    result = _submit(
        seeded, new_uprn=None, old_uprn=None, new_address=MATCHING_NEW, old_address=MATCHING_OLD
    )
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None
    assert (row.old_uprn, row.new_uprn, row.new_interim_id) == (w.OLD_UPRN, w.NEW_UPRN, None)
    assert row.old_address_text is None
    assert row.new_match is not None and row.old_match is not None
    assert (row.new_match["status"], row.new_match["uprn"]) == ("matched", w.NEW_UPRN)
    assert row.new_match["method"] == "text_match" and row.new_match["chosen_by"] == "matcher"
    assert row.new_match["candidates"][0]["uprn"] == w.NEW_UPRN
    assert set(_deliveries(seeded)) == ALL_SERVICES - {"COUNTY-CC/ADULT_SOCIAL_CARE"}
    assert _count(seeded, t.InterimAddress) == 0


def test_a_new_address_without_a_confident_match_holds_every_service(
    seeded: orm.Session,
) -> None:
    result = _pending(seeded)
    decisions = {c["partner_service_id"]: c for c in result.document["candidates"]}
    assert set(decisions) == ALL_SERVICES
    assert all(c["decision"] == "hold" for c in decisions.values())
    assert all(
        [r["code"] for r in c["reasons"]] == ["NEW_UPRN_PENDING"] for c in decisions.values()
    )
    for table in (o.Delivery, o.OutboxEvent, o.Disclosure, m.ConsentRecord):
        assert _count(seeded, table) == 0, table
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None and row.new_uprn is None and row.new_match is not None
    assert row.new_match["status"] == "review" and row.new_match["chosen_by"] is None
    interim = seeded.get(t.InterimAddress, row.new_interim_id)
    assert interim is not None
    assert (interim.origin, interim.status, interim.postcode) == (
        "no_confident_match",
        "open",
        "NT1 1AA",
    )
    assert interim.address_text == "7 Mill Lane Newtown, nt11aa"
    assert interim.pending_consents == ["NEWTOWN-DC/LIBRARIES"]
    status = citizen_status.move_status(session=seeded, reference=result.reference, now=w.NOW)
    assert status["new_address"] == "pending"
    assert {r["status"] for r in status["recipients"]} == {"waiting"}


def test_not_listed_waits_for_the_custodian_even_when_text_would_match(
    seeded: orm.Session,
) -> None:
    typed = dataclasses.replace(MATCHING_NEW, not_listed=True, latitude=50.7, longitude=-3.5)
    result = _submit(seeded, new_uprn=None, new_address=typed)
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None and row.new_uprn is None
    interim = seeded.get(t.InterimAddress, row.new_interim_id)
    assert interim is not None
    assert (interim.origin, interim.latitude, interim.longitude) == ("not_listed", 50.7, -3.5)
    assert _count(seeded, o.Delivery) == 0


def test_an_old_address_without_a_match_stays_text_and_nobody_is_leaving(
    seeded: orm.Session,
) -> None:
    old = address_input.AddressInput(text="Flat 9, Nowhere Road, Farshire")
    result = _submit(seeded, old_uprn=None, old_address=old)
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None
    assert (row.old_uprn, row.old_address_text) == (None, "Flat 9, Nowhere Road, Farshire")
    assert row.old_match is not None and row.old_match["status"] == "unmatched"
    assert row.new_interim_id is None
    decisions = {c["partner_service_id"]: c for c in result.document["candidates"]}
    oldtown = decisions["OLDTOWN-BC/COUNCIL_TAX"]
    assert (oldtown["role"], oldtown["decision"]) == ("none", "refuse")
    assert decisions["NEWTOWN-DC/COUNCIL_TAX"]["decision"] == "send"
    body = json.loads(_deliveries(seeded)["NEWTOWN-DC/COUNCIL_TAX"].body or b"")
    assert body["data"]["old_address"]["uprn"] is None


def test_resolving_plans_the_held_services_with_permitted_fields_only(
    seeded: orm.Session,
) -> None:
    result = _pending(seeded)
    settled = _resolve(seeded, result.reference)
    assert set(settled.planned) == ALL_SERVICES
    deliveries = _deliveries(seeded)
    assert set(deliveries) == ALL_SERVICES - {"COUNTY-CC/ADULT_SOCIAL_CARE"}
    assert sorted(settled.delivery_ids) == sorted(d.id for d in deliveries.values())
    registry = registry_repo.load(seeded)
    for delivery in deliveries.values():
        rule = routing.current_version(registry, delivery.rule_id)
        assert rule is not None and rule.live(w.NOW)  # V1
        assert set(delivery.fields_planned) <= rule.field_groups  # V2
        event = json.loads(delivery.body or b"")
        assert projection.stray_paths(event["data"], delivery.fields_planned) == frozenset()
        assert event["data"]["new_address"]["uprn"] == str(w.NEW_UPRN)
    library = deliveries["NEWTOWN-DC/LIBRARIES"]
    consent = seeded.get(m.ConsentRecord, library.consent_record_id)
    assert consent is not None and consent.status == "given"
    assert consent.given_at == w.NOW  # as of the submission, when the citizen gave it
    assert _count(seeded, o.Disclosure) == len(deliveries)


def test_resolving_closes_the_record_and_updates_the_citizens_status(
    seeded: orm.Session,
) -> None:
    result = _pending(seeded)
    assert unresolved.list_unresolved(session=seeded).total == 1
    _resolve(seeded, result.reference)
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None and row.new_uprn == w.NEW_UPRN and row.new_match is not None
    assert (row.new_match["chosen_by"], row.new_match["status"]) == ("custodian", "matched")
    assert row.new_match["candidate_count"] >= 1  # the matcher's evidence is kept
    interim = seeded.get(t.InterimAddress, row.new_interim_id)
    assert interim is not None
    assert (interim.status, interim.resolved_uprn, interim.closed_by) == (
        "resolved",
        w.NEW_UPRN,
        "key-custodian",
    )
    assert unresolved.list_unresolved(session=seeded).total == 0
    status = citizen_status.move_status(session=seeded, reference=result.reference, now=w.NOW)
    by_service = {r["partner_service_id"]: r for r in status["recipients"]}
    assert status["new_address"] == "known" and len(by_service) == len(ALL_SERVICES)
    assert by_service["NEWTOWN-DC/COUNCIL_TAX"]["status"] == "planned"
    assert by_service["COUNTY-CC/ADULT_SOCIAL_CARE"]["status"] == "refused"


def test_resolving_matches_a_move_given_the_uprn_at_once(seeded: orm.Session) -> None:
    alone = w.SETTINGS.model_copy(update={"move_review_window_days": 0})  # not a repeat
    direct = _submit(seeded, alone)
    pending = _pending(seeded, alone)
    _resolve(seeded, pending.reference, settings=alone)
    rows = list(seeded.scalars(sa.select(o.Delivery)))

    def shape(submission_id: str) -> set[tuple[str, tuple[str, ...], str]]:
        return {
            (d.partner_service_id, tuple(sorted(d.fields_planned)), d.state)
            for d in rows
            if d.submission_id == submission_id
        }

    assert shape(pending.submission_id) == shape(direct.submission_id)


def test_resolve_checks_the_uprn_and_settles_once(seeded: orm.Session) -> None:
    result = _pending(seeded)
    with pytest.raises(unresolved.UprnNotInGazetteer):
        _resolve(seeded, result.reference, uprn=999999999)
    seeded.rollback()
    with pytest.raises(unresolved.UnresolvedMoveNotFound):
        _resolve(seeded, "COA-0000-0000")
    seeded.rollback()
    _resolve(seeded, result.reference)
    with pytest.raises(unresolved.InterimClosed):
        _resolve(seeded, result.reference)
    seeded.rollback()
    direct = _submit(seeded)
    with pytest.raises(unresolved.UnresolvedMoveNotFound):
        _resolve(seeded, direct.reference)


def test_rejecting_closes_the_record_and_the_services_stay_untold(seeded: orm.Session) -> None:
    result = _pending(seeded)
    settled = unresolved.reject(
        session=seeded,
        reference=result.reference,
        reason="no such property",
        actor="key-custodian",
        now=w.NOW,
    )
    seeded.commit()
    assert (settled.entry.status, settled.entry.reason) == ("rejected", "no such property")
    assert unresolved.list_unresolved(session=seeded).total == 0
    assert _count(seeded, o.Delivery) == 0
    status = citizen_status.move_status(session=seeded, reference=result.reference, now=w.NOW)
    assert status["new_address"] == "rejected"
    assert {r["status"] for r in status["recipients"]} == {"not_sent"}
    assert {r["status_text"] for r in status["recipients"]} == {unresolved.REJECTED_TEXT}
    with pytest.raises(unresolved.InterimClosed):
        _resolve(seeded, result.reference)


def test_the_queue_pages_oldest_first_and_leaves_out_withdrawn_moves(
    seeded: orm.Session,
) -> None:
    first, second, third = (_pending(seeded) for _ in range(3))
    corrections.withdraw_submission(
        session=seeded, reference=second.reference, settings=w.SETTINGS, now=w.NOW
    )
    seeded.commit()
    page = unresolved.list_unresolved(session=seeded, limit=1, offset=0)
    assert page.total == 2 and [e.reference for e in page.items] == [first.reference]
    rest = unresolved.list_unresolved(session=seeded, limit=5, offset=1)
    assert [e.reference for e in rest.items] == [third.reference]
    entry = page.items[0]
    assert entry.origin == "no_confident_match" and entry.candidates
    assert entry.candidates[0]["uprn"] == w.NEW_UPRN
    with pytest.raises(unresolved.InterimClosed):
        _resolve(seeded, second.reference)


def test_the_same_uprn_typed_for_both_sides_is_refused(seeded: orm.Session) -> None:
    request = w.request(old_uprn=None, new_uprn=w.NEW_UPRN, old_address=MATCHING_NEW)
    with pytest.raises(errors.InvalidMove):
        service.submit_move(session=seeded, request=request, settings=w.SETTINGS, now=w.NOW)


def test_erasing_the_mover_clears_the_typed_address(seeded: orm.Session) -> None:
    result = _pending(seeded)
    row = seeded.get(m.ChangeSubmission, result.submission_id)
    assert row is not None
    erasure.erase_subject(
        session=seeded, subject_id=row.subject_id, authorised_by="dpo", now=LATER,
        settings=w.SETTINGS,
    )  # fmt: skip
    seeded.commit()
    seeded.expire_all()
    interim = seeded.get(t.InterimAddress, row.new_interim_id)
    assert interim is not None and interim.status == "open"
    assert (interim.address_text, interim.postcode, interim.latitude) == (None, None, None)
    assert unresolved.list_unresolved(session=seeded).total == 0  # erased: nothing to settle


def test_a_block_on_the_resolved_uprn_holds_the_move_for_review(seeded: orm.Session) -> None:
    result = _pending(seeded)
    move_blocks.place(session=seeded, uprn=w.NEW_UPRN, reason=None, actor="dpo", now=w.NOW)
    seeded.commit()
    _resolve(seeded, result.reference)
    deliveries = _deliveries(seeded)
    assert deliveries and {d.state for d in deliveries.values()} == {"held"}
    assert {d.hold_reason for d in deliveries.values()} == {"MOVE_BLOCKED"}
    review = seeded.get(review_tables.MoveReview, result.submission_id)
    assert review is not None and review.status == "pending"
    assert [r["code"] for r in review.reasons] == ["MOVE_BLOCKED"]


def test_a_move_refused_on_review_is_not_planned(seeded: orm.Session) -> None:
    result = _pending(seeded)
    seeded.add(
        review_tables.MoveReview(
            submission_id=result.submission_id, reasons=[], status="refused", held_at=w.NOW
        )
    )
    seeded.commit()
    with pytest.raises(unresolved_plan.RefusedOnReview):
        _resolve(seeded, result.reference)
    seeded.rollback()
    assert _count(seeded, o.Delivery) == 0


def test_resolving_to_where_the_person_already_moved_is_held_as_a_repeat(
    seeded: orm.Session,
) -> None:
    _submit(seeded)
    pending = _pending(seeded)  # the same person: held at intake as a conflicting move
    _resolve(seeded, pending.reference)
    review = seeded.get(review_tables.MoveReview, pending.submission_id)
    assert review is not None and review.status == "pending"
    assert {r["code"] for r in review.reasons} == {"CONFLICTING_MOVE", "REPEATED_MOVE"}
    held = list(
        seeded.scalars(sa.select(o.Delivery).filter_by(submission_id=pending.submission_id))
    )
    assert held and {d.state for d in held} == {"held"}
