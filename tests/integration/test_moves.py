"""Intake to outbox on both engines: the plan, deliveries with only permitted fields, lanes,
the ledger, withdrawal of consent, status, dry runs and idempotency."""

from __future__ import annotations

import dataclasses
import json

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from notify import citizen_status, errors, events, intake, move_domain, projection, service
from notify.tables import moves as m
from notify.tables import outbox as o
from tests.integration import sharing_world as w

seeded = pytest.fixture(w.seeded, name="seeded")
_submit = w.submit


def _deliveries(session: orm.Session, **where: object) -> list[o.Delivery]:
    statement = sa.select(o.Delivery).filter_by(**where).order_by(o.Delivery.partner_service_id)
    return list(session.scalars(statement))


def _count(session: orm.Session, table: type[object]) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def test_submission_plans_and_fans_out_in_one_transaction(seeded: orm.Session) -> None:
    result = _submit(seeded)
    assert result.reference.startswith("COA-") and len(result.reference) == 13
    decisions = {c["partner_service_id"]: c for c in result.document["candidates"]}
    assert {k: (v["role"], v["decision"]) for k, v in decisions.items()} == {
        "COUNTY-CC/ADULT_SOCIAL_CARE": ("within", "refuse"),
        "NEWTOWN-DC/COUNCIL_TAX": ("joining", "send"),
        "NEWTOWN-DC/ELECTORAL_REG": ("joining", "send"),
        "NEWTOWN-DC/LIBRARIES": ("joining", "send"),
        "OLDTOWN-BC/COUNCIL_TAX": ("leaving", "send"),
    }
    assert decisions["COUNTY-CC/ADULT_SOCIAL_CARE"]["reasons"][0]["code"] == (
        "NO_EXISTING_RELATIONSHIP"
    )
    deliveries = _deliveries(seeded)
    assert [d.partner_service_id for d in deliveries] == [
        "NEWTOWN-DC/COUNCIL_TAX",
        "NEWTOWN-DC/ELECTORAL_REG",
        "NEWTOWN-DC/LIBRARIES",
        "OLDTOWN-BC/COUNCIL_TAX",
    ]
    assert sorted(result.delivery_ids) == sorted(d.id for d in deliveries)
    assert _count(seeded, o.Disclosure) == 4
    assert _count(seeded, o.PlanDecision) == 5
    assert all(d.state == "scheduled" for d in deliveries)  # released on the move date


def test_bodies_carry_only_the_permitted_fields(seeded: orm.Session) -> None:
    _submit(seeded)
    by_service = {d.partner_service_id: d for d in _deliveries(seeded)}
    for delivery in by_service.values():
        assert delivery.body is not None
        event = json.loads(delivery.body)
        assert event["id"] == delivery.id
        assert projection.stray_paths(event["data"], delivery.fields_planned) == frozenset()
        assert event["data"]["fields"] == sorted(delivery.fields_planned)
        assert {k: v for k, v in event.items() if k != "data"} == delivery.attributes
        assert "Lovelace" not in json.dumps(delivery.attributes)
    library = json.loads(by_service["NEWTOWN-DC/LIBRARIES"].body or b"")["data"]
    assert library["partner_reference"] == "LIB-42" and "answers" not in library
    assert library["new_address"]["uprn"] == str(w.NEW_UPRN)
    assert library["new_address"]["single_line"] == "2 MILL LANE, NEWTOWN, NT1 1AA"
    assert library["new_address"]["postcode"] == "NT1 1AA"
    council_tax = json.loads(by_service["NEWTOWN-DC/COUNCIL_TAX"].body or b"")["data"]
    assert council_tax["answers"] == {"adults": 2} and "partner_reference" not in council_tax
    assert council_tax["old_address"]["uprn"] == str(w.OLD_UPRN)
    electoral = json.loads(by_service["NEWTOWN-DC/ELECTORAL_REG"].body or b"")["data"]
    assert [h["given_name"] for h in electoral["household"]] == ["Bo"]
    assert "date_of_birth" not in json.dumps(electoral)


def test_lanes_number_each_person_and_partner_in_order(seeded: orm.Session) -> None:
    _submit(seeded)
    deliveries = _deliveries(seeded)
    lanes: dict[str, list[int]] = {}
    for d in deliveries:
        lanes.setdefault(d.ordering_key, []).append(d.seq)
        assert d.attributes["sequence"] == events.format_sequence(d.seq)
    assert sorted(len(v) for v in lanes.values()) == [1, 3]  # Oldtown; Newtown's three services
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in lanes.values())
    second = _submit(seeded)
    later = _deliveries(seeded, submission_id=second.submission_id)
    assert all(d.ordering_key not in lanes for d in later)  # a new subject: new lanes


def test_ledger_lines_name_rule_agreement_and_consent(seeded: orm.Session) -> None:
    result = _submit(seeded)
    lines = {line.partner_service_id: line for line in seeded.scalars(sa.select(o.Disclosure))}
    library = lines["NEWTOWN-DC/LIBRARIES"]
    assert (library.rule_id, library.rule_version, library.dsa_id, library.dsa_version) == (
        "lib-newtown",
        1,
        "DSA-2024-011",
        2,
    )
    assert library.consent_record_id in result.consent_ids
    assert library.outcome == "planned" and library.payload_digest
    assert lines["NEWTOWN-DC/COUNCIL_TAX"].consent_record_id is None
    consents = seeded.scalars(sa.select(m.ConsentRecord)).all()
    assert {(c.partner_service_id, c.status) for c in consents} == {
        ("NEWTOWN-DC/LIBRARIES", "given")
    }
    assert len(consents) == 2  # the mover, and the declared household member
    assert all(c.receipt_id == result.receipt_id for c in consents)


def test_withdrawing_consent_cancels_queued_rows_only(seeded: orm.Session) -> None:
    result = _submit(seeded)
    submission = seeded.get(m.ChangeSubmission, result.submission_id)
    assert submission is not None
    mover_consent = next(
        c.id
        for c in seeded.scalars(sa.select(m.ConsentRecord).order_by(m.ConsentRecord.id))
        if c.subject_id == submission.subject_id
    )
    withdrawal = service.withdraw_consent(
        session=seeded, consent_id=mover_consent, channel="web", settings=w.SETTINGS, now=w.NOW
    )
    seeded.commit()
    assert len(withdrawal.cancelled) == 1 and withdrawal.notices == ()
    (library,) = _deliveries(seeded, partner_service_id="NEWTOWN-DC/LIBRARIES")
    assert (library.state, library.body, library.body_purge_reason) == (
        "cancelled",
        None,
        "cancelled",
    )
    assert library.close_reason == "cancelled:CONSENT_WITHDRAWN"
    line = seeded.scalars(sa.select(o.Disclosure).filter_by(delivery_id=library.id)).one()
    assert (line.outcome, line.close_reason) == ("not_disclosed", "cancelled:CONSENT_WITHDRAWN")
    others = [d for d in _deliveries(seeded) if d.id != library.id]
    assert all(d.state == "scheduled" and d.body for d in others)
    again = service.withdraw_consent(
        session=seeded, consent_id=mover_consent, channel="web", settings=w.SETTINGS, now=w.NOW
    )
    assert again.already_withdrawn and again.cancelled == ()
    status = citizen_status.move_status(session=seeded, reference=result.reference, now=w.NOW)
    by_service = {r["partner_service_id"]: r for r in status["recipients"]}
    assert by_service["NEWTOWN-DC/LIBRARIES"]["status"] == "not_sent"
    assert by_service["NEWTOWN-DC/COUNCIL_TAX"]["status"] == "planned"
    assert by_service["COUNTY-CC/ADULT_SOCIAL_CARE"]["status"] == "refused"


def test_withdrawal_after_disclosure_sends_a_notice_with_references_only(
    seeded: orm.Session,
) -> None:
    _submit(seeded)
    (library,) = _deliveries(seeded, partner_service_id="NEWTOWN-DC/LIBRARIES")
    line = seeded.scalars(sa.select(o.Disclosure).filter_by(delivery_id=library.id)).one()
    library.state, line.outcome = "delivered", "disclosed"
    seeded.commit()
    withdrawal = service.withdraw_consent(
        session=seeded,
        consent_id=library.consent_record_id or "",
        channel="web",
        settings=w.SETTINGS,
        now=w.NOW,
    )
    seeded.commit()
    (notice_id,) = withdrawal.notices
    notice = seeded.get(o.Delivery, notice_id)
    assert notice is not None and notice.body is not None
    data = json.loads(notice.body)["data"]
    assert data["prior_events"] == [
        {
            "id": library.id,
            "type": f"{w.SETTINGS.event_namespace}.change_of_address.submitted",
            "time": "2025-03-01T10:15:02Z",
        }
    ]
    assert "Lovelace" not in notice.body.decode() and "LIB-42" not in notice.body.decode()
    assert (notice.ordering_key, notice.seq) == (library.ordering_key, 4)  # after the three
    assert notice.rule_id == "ART19_NOTICE" and notice.fields_planned == ["PRIOR_EVENT_REFS"]
    assert json.loads(notice.body)["causationid"] == library.id


def test_explain_writes_nothing(seeded: orm.Session) -> None:
    document = service.explain_move(
        session=seeded, request=w.request(), settings=w.SETTINGS, now=w.NOW
    )
    assert document["format"] == "explain/1" and document["phase"] == "explain"
    library = next(c for c in document["candidates"] if c["service"] == "LIBRARIES")
    assert library["decision"] == "send"
    assert _count(seeded, m.ChangeSubmission) == 0 and _count(seeded, o.Delivery) == 0


def test_same_idempotency_key_gives_one_submission(seeded: orm.Session) -> None:
    first = _submit(seeded, idempotency_key="k-1")
    again = _submit(seeded, idempotency_key="k-1")
    assert again.replayed and again.reference == first.reference
    assert _count(seeded, m.ChangeSubmission) == 1 and _count(seeded, o.Delivery) == 4


def test_council_tax_reports_are_not_passed_on(seeded: orm.Session) -> None:
    submitter = move_domain.Submitter(
        kind="partner", source_partner_service_id="OLDTOWN-BC/COUNCIL_TAX"
    )
    result = _submit(seeded, submitter=submitter, household=())
    decisions = {c["partner_service_id"]: c for c in result.document["candidates"]}
    assert [r["code"] for r in decisions["NEWTOWN-DC/COUNCIL_TAX"]["reasons"]] == [
        "SOURCE_RESTRICTED"
    ]
    assert [r["code"] for r in decisions["OLDTOWN-BC/COUNCIL_TAX"]["reasons"]] == [
        "SOURCE_ECHO",
        "SOURCE_RESTRICTED",
    ]
    assert _deliveries(seeded) == []


def test_a_new_address_outside_the_gazetteer_waits(seeded: orm.Session) -> None:
    result = _submit(seeded, new_uprn=999999999)
    assert {c["decision"] for c in result.document["candidates"]} == {"hold"}
    assert _deliveries(seeded) == []


def test_invalid_requests_are_refused_before_anything_is_written(seeded: orm.Session) -> None:
    for changes in (
        {"old_uprn": w.NEW_UPRN},
        {"move_date": w.NOW.date().replace(year=2027)},
        {"household": (dataclasses.replace(w.PARTNER_MEMBER, authority=None),)},
    ):
        with pytest.raises(errors.InvalidMove):
            _submit(seeded, **changes)
    assert _count(seeded, m.ChangeSubmission) == 0


def test_a_failure_while_enqueuing_leaves_nothing_behind(
    seeded: orm.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_args: object, **_kwargs: object) -> bytes:
        raise errors.PayloadTooLarge("too large")

    monkeypatch.setattr(events, "body_of", boom)  # every body is built there
    with pytest.raises(errors.PayloadTooLarge):
        service.submit_move(session=seeded, request=w.request(), settings=w.SETTINGS, now=w.NOW)
    seeded.rollback()
    assert _count(seeded, m.ChangeSubmission) == 0 and _count(seeded, o.Delivery) == 0
    assert _count(seeded, m.ConsentRecord) == 0 and _count(seeded, o.OutboxEvent) == 0


def test_status_of_an_unknown_move(seeded: orm.Session) -> None:
    with pytest.raises(errors.MoveNotFound):
        citizen_status.move_status(session=seeded, reference="COA-0000-0000", now=w.NOW)
    assert intake.new_reference(b"\x00" * 5) == "COA-0000-0000"


def test_event_names_and_the_date_window_come_from_settings(seeded: orm.Session) -> None:
    configured = w.SETTINGS.model_copy(
        update={
            "event_namespace": "uk.gov.newshire.hub",
            "public_host": "hub.newshire.gov.uk",
            "move_window_future_days": 5,
        }
    )
    with pytest.raises(errors.InvalidMove):
        service.submit_move(session=seeded, request=w.request(), settings=configured, now=w.NOW)
    near = w.request(move_date=w.NOW.date())
    service.submit_move(session=seeded, request=near, settings=configured, now=w.NOW)
    seeded.commit()
    attributes = _deliveries(seeded)[0].attributes
    assert attributes["type"] == "uk.gov.newshire.hub.change_of_address.submitted"
    assert attributes["source"] == "https://hub.newshire.gov.uk/coa"
