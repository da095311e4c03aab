"""V1, V2 and V6 on stored rows, both engines: whatever the citizen chooses and consents to,
every outbox row carries only permitted fields under a live rule, agreement and consent, and a
withdrawn consent leaves no deliverable row behind."""

from __future__ import annotations

import json

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import orm

from notify import intake, projection, registry_repository, routing, service
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import registry as registry_tables
from tests.integration import sharing_world as w

SERVICES = (
    "NEWTOWN-DC/COUNCIL_TAX",
    "NEWTOWN-DC/ELECTORAL_REG",
    "NEWTOWN-DC/LIBRARIES",
    "OLDTOWN-BC/COUNCIL_TAX",
    "COUNTY-CC/ADULT_SOCIAL_CARE",
)
answers = st.sampled_from(SERVICES).flatmap(
    lambda service: st.builds(
        intake.RecipientAnswer,
        partner_service_id=st.just(service),
        selected=st.sampled_from([True, False, None]),
        consent=st.booleans(),
        # only council tax asks a question (w.ADULTS_QUESTION); other answers are refused
        answers=st.fixed_dictionaries({}, optional={"adults": st.integers(1, 9)})
        if service == "NEWTOWN-DC/COUNCIL_TAX"
        else st.just({}),
        partner_reference=st.none() | st.just("REF-1"),
    )
)
recipient_sets = st.lists(answers, max_size=5, unique_by=lambda a: a.partner_service_id)


def _check_stored(session: orm.Session, submission_id: str) -> None:
    registry = registry_repository.load(session)
    deliveries = session.scalars(sa.select(o.Delivery).filter_by(submission_id=submission_id))
    for d in deliveries:
        rule = routing.current_version(registry, d.rule_id)
        assert rule is not None and rule.version == d.rule_version_planned
        assert rule.status == "active" and rule.decision == "permit"
        assert set(d.fields_planned) <= rule.field_groups  # V2
        data = json.loads(d.body or b"{}")["data"]
        assert projection.stray_paths(data, d.fields_planned) == frozenset()
        assert registry.agreements[(rule.dsa_id, rule.dsa_version)].status == "active"  # V1
        if rule.lawful_basis == "consent":
            consent = session.get(m.ConsentRecord, d.consent_record_id)
            assert consent is not None and consent.status == "given"
            assert consent.partner_service_id == d.partner_service_id
        line = session.scalars(sa.select(o.Disclosure).filter_by(delivery_id=d.id)).one()
        assert (line.rule_id, line.rule_version, line.fields) == (  # V5
            d.rule_id,
            d.rule_version_planned,
            d.fields_planned,
        )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(recipients=recipient_sets, withdraw=st.booleans())
def test_v1_v2_v5_v6_on_stored_rows(
    session: orm.Session, recipients: list[intake.RecipientAnswer], withdraw: bool
) -> None:
    if session.get(registry_tables.Partner, "NEWTOWN-DC") is None:
        w.seed(session)  # once per database: each example adds its own submission
    result = service.submit_move(
        session=session,
        request=w.request(recipients=tuple(recipients)),
        settings=w.SETTINGS,
        now=w.NOW,
    )
    session.commit()
    _check_stored(session, result.submission_id)
    if not withdraw or not result.consent_ids:
        return
    service.withdraw_consent(
        session=session,
        consent_id=result.consent_ids[0],
        channel="web",
        settings=w.SETTINGS,
        now=w.NOW,
    )
    session.commit()
    open_rows = session.scalars(
        sa.select(o.Delivery).where(
            o.Delivery.consent_record_id == result.consent_ids[0],
            o.Delivery.state.not_in(("cancelled", "delivered", "expired", "abandoned")),
        )
    ).all()
    assert open_rows == []  # V6
    cancelled = session.scalars(
        sa.select(o.Delivery).where(o.Delivery.consent_record_id == result.consent_ids[0])
    ).all()
    assert all(d.body is None for d in cancelled)
