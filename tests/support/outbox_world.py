"""A small sharing world for delivery tests: a registry applied from YAML, and outbox rows.

* :func:`registry_yaml`: partners ``P0``, ``P1``, … each with one council-tax service whose
  webhook goes to the URL given, one active agreement and one active ``public_task`` rule per
  service (``rule-p0`` …) permitting name, new address and move date.
* :func:`build`: applies it (``notify.registry_service.apply_file``), gives every endpoint a
  ``whsec_`` secret and fast limits, and returns a :class:`World`.
* :meth:`World.enqueue`: one planned event for one person and one partner, written as the
  outbox does (subject, submission, outbox event, delivery with its ledger line, the lane and
  its next sequence number), with a real CloudEvents body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from notify import codes, endpoint_repository, events, registry_service, signing
from notify import delivery_repository as repo
from notify import delivery_tables as dt_tables
from notify.tables import moves, outbox, registry

NAMESPACE = "uk.gov.example.addresshub"
HUB_HOST = "hub.example"
FIELDS = ("MOVE_DATE", "NEW_ADDRESS", "PERSON_NAME")
EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def registry_yaml(urls: Sequence[str]) -> str:
    parties = ", ".join(f"P{i}: recipient" for i in range(len(urls)))
    lines = [
        "format: addresshub-registry/1",
        "purposes:",
        "  council_tax_liability: {label_en: Council tax liability}",
        "partners:",
    ]
    for i, url in enumerate(urls):
        lines += [
            f"  P{i}:",
            f"    name_en: Partner {i}",
            "    kind: council",
            "    services:",
            "      COUNCIL_TAX:",
            "        name_en: Council tax",
            f"        accepted_field_groups: [{', '.join(FIELDS)}]",
            "        coverage: [{area_code: E07000001}]",
            f"        subscriptions: [{{channel: webhook, url: '{url}'}}]",
        ]
    lines += [
        "agreements:",
        "  DSA-T:",
        "    - version: 1",
        "      status: active",
        "      title: Test agreement",
        "      legal_gateway_refs: [LGA1972 s.111]",
        "      effective_from: 2024-01-01T00:00:00Z",
        "      review_due: 2090-01-01",
        "      ledger_retention_months: 72",
        f"      parties: {{{parties}}}",
        "rules:",
    ]
    for i in range(len(urls)):
        lines += [
            f"  rule-p{i}:",
            "    - version: 1",
            "      status: active",
            "      agreement: DSA-T@1",
            f"      service: P{i}/COUNCIL_TAX",
            "      purpose: council_tax_liability",
            "      lawful_basis: public_task",
            "      trigger_roles: [leaving, joining, within]",
            f"      field_groups: [{', '.join(FIELDS)}]",
            "      approved_by: Data Protection Officer",
            "      approved_at: 2024-06-01T09:00:00Z",
        ]
    return "\n".join(lines) + "\n"


@dataclass(kw_only=True)
class World:
    secrets: dict[str, str]  # partner id -> whsec_
    endpoints: dict[str, str]  # partner id -> endpoint id
    subscriptions: dict[str, str]  # partner id -> subscription id
    seqs: dict[str, int] = field(default_factory=dict)

    def enqueue(
        self,
        session: orm.Session,
        *,
        partner: str,
        subject_id: str,
        now: dt.datetime,
        not_before: dt.datetime | None = None,
    ) -> outbox.Delivery:
        """One planned submitted event for ``subject_id`` at ``partner``, ready to send."""
        key = events.ordering_key(subject_id, partner)
        seq = _next_seq(session, key, self.endpoints[partner], now)
        submission = _submission(session, subject_id, now)
        event = _event(session, submission.id, now)
        delivery = _delivery(
            session,
            event_id=event.id,
            subscription_id=self.subscriptions[partner],
            endpoint_id=self.endpoints[partner],
            partner=partner,
            submission=submission,
            key=key,
            seq=seq,
            not_before=not_before or now,
            now=now,
        )
        session.add(outbox.DeliverySubject(delivery_id=delivery.id, subject_id=subject_id,
                                           role="primary"))  # fmt: skip
        _disclosure(session, delivery, now)
        session.flush()
        repo.wake_lanes(session, ordering_keys=[key], now=not_before or now)
        return delivery


def build(
    session: orm.Session,
    urls: Sequence[str],
    *,
    now: dt.datetime,
    rate_limit_per_s: float = 1000.0,
    max_in_flight: int = 16,
) -> World:
    registry_service.apply_file(session=session, text=registry_yaml(urls), actor="test", now=EPOCH)
    session.flush()
    world = World(secrets={}, endpoints={}, subscriptions={})
    for i in range(len(urls)):
        partner = f"P{i}"
        endpoint = session.scalars(
            sa.select(registry.Endpoint).where(registry.Endpoint.partner_id == partner)
        ).one()
        endpoint.allow_private_network = True
        world.endpoints[partner] = endpoint.id
        world.subscriptions[partner] = session.scalars(
            sa.select(registry.Subscription.id).where(
                registry.Subscription.endpoint_id == endpoint.id
            )
        ).one()
        world.secrets[partner] = add_secret(session, endpoint.id, now)
        state = endpoint_repository.endpoint_states(session, [endpoint.id], now=now)[endpoint.id]
        state.rate_limit_per_s, state.max_in_flight = rate_limit_per_s, max_in_flight
    session.flush()
    return world


def two_partners_fixture(now: dt.datetime) -> Callable[..., World]:
    """A pytest fixture ``world``: partners P0 and P1 (committed), for a test module to bind:
    ``world = outbox_world.two_partners_fixture(NOW)``."""

    @pytest.fixture
    def world(session: orm.Session) -> World:
        built = build(session, ["https://p0.example/h", "https://p1.example/h"], now=now)
        session.commit()
        return built

    return world


def add_secret(session: orm.Session, endpoint_id: str, now: dt.datetime) -> str:
    secret = signing.new_secret()
    session.add(
        dt_tables.EndpointSecret(
            id=ids.new_id(),
            endpoint_id=endpoint_id,
            direction="outbound",
            scheme="v1",
            secret=secret,
            state="current",
            expires_at=None,
            created_by="test",
            created_at=now,
        )
    )
    return secret


def _next_seq(session: orm.Session, key: str, endpoint_id: str, now: dt.datetime) -> int:
    lane = session.get(outbox.DeliveryLane, key)
    if lane is None:
        lane = outbox.DeliveryLane(ordering_key=key, endpoint_id=endpoint_id, last_seq=0,
                                   state="idle", next_attempt_at=now)  # fmt: skip
        session.add(lane)
    lane.last_seq += 1
    session.flush()
    return lane.last_seq


def _submission(session: orm.Session, subject_id: str, now: dt.datetime) -> moves.ChangeSubmission:
    if session.get(moves.Subject, subject_id) is None:
        session.add(moves.Subject(id=subject_id, erased_at=None, move_block=False, created_at=now))
        session.flush()
    submission = moves.ChangeSubmission(
        id=ids.new_id(),
        reference="M-" + ids.new_token(4).upper(),
        version=1,
        subject_id=subject_id,
        channel="citizen_web",
        actor_kind="citizen",
        assurance_level="low",
        source_restrictions=[],
        move_date=now.date(),
        move_date_kind="actual",
        language="en",
        status="submitted",
        submitted_at=now,
    )
    session.add(submission)
    session.flush()
    return submission


def _event(session: orm.Session, submission_id: str, now: dt.datetime) -> outbox.OutboxEvent:
    event = outbox.OutboxEvent(
        id=ids.new_id(),
        type=codes.SUBMITTED,
        source=events.person_source(HUB_HOST),
        aggregate_kind="submission",
        aggregate_id=submission_id,
        occurred_at=now,
        correlation_id=submission_id,
        fanout_done=True,
    )
    session.add(event)
    session.flush()
    return event


def _delivery(
    session: orm.Session,
    *,
    event_id: str,
    subscription_id: str,
    endpoint_id: str,
    partner: str,
    submission: moves.ChangeSubmission,
    key: str,
    seq: int,
    not_before: dt.datetime,
    now: dt.datetime,
) -> outbox.Delivery:
    delivery_id = ids.new_id()
    delivery = outbox.Delivery(
        id=delivery_id,
        outbox_event_id=event_id,
        subscription_id=subscription_id,
        endpoint_id=endpoint_id,
        partner_id=partner,
        partner_service_id=f"{partner}/COUNCIL_TAX",
        submission_id=submission.id,
        rule_id=f"rule-{partner.lower()}",
        rule_version_planned=1,
        event_type=codes.SUBMITTED,
        role="joining",
        source_channel="citizen_web",
        ordering_key=key,
        seq=seq,
        state="pending",
        not_before=not_before,
        expires_at=now + dt.timedelta(days=30),
        attempt_count=0,
        schedule_index=0,
        fields_planned=list(FIELDS),
        attributes={},
        body=_body(delivery_id, partner, submission, seq, now),
        possibly_received=False,
        created_at=now,
        updated_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery


def _body(
    delivery_id: str, partner: str, submission: moves.ChangeSubmission, seq: int, now: dt.datetime
) -> bytes:
    header = events.Header(
        id=delivery_id,
        namespace=NAMESPACE,
        kind=codes.SUBMITTED,
        source=events.person_source(HUB_HOST),
        subject=events.pseudonym(partner.encode(), submission.subject_id),
        time=now,
        recorded_time=now,
        sequence=seq,
        correlation_id=submission.reference,
        data_category="standard",
        lawful_basis="public_task",
        purpose_code="council_tax_liability",
        schema_base=events.schema_base(HUB_HOST),
    )
    data: Mapping[str, object] = {
        "submission_ref": submission.reference,
        "role": "joining",
        "fields": list(FIELDS),
        "person": {"given_name": "Ada", "family_name": "Lovelace"},
        "new_address": {
            "uprn": "100040212345",
            "single_line": "1 HIGH STREET, EXETER, EX1 1AE",
            "postcode": "EX1 1AE",
            "welsh_single_line": None,
        },
        "move_date": now.date().isoformat(),
        "move_date_kind": "actual",
    }
    return events.body(header, data)  # as the contract has it (tests.support.event_contract)


def _disclosure(session: orm.Session, delivery: outbox.Delivery, now: dt.datetime) -> None:
    session.add(
        outbox.Disclosure(
            id=ids.new_id(),
            delivery_id=delivery.id,
            submission_id=delivery.submission_id,
            subject_id=None,
            event_id=delivery.id,
            event_type=delivery.event_type,
            channel="webhook",
            partner_id=delivery.partner_id,
            partner_service_id=delivery.partner_service_id,
            purpose_code="council_tax_liability",
            lawful_basis="public_task",
            rule_id=delivery.rule_id,
            rule_version=1,
            dsa_id="DSA-T",
            dsa_version=1,
            fields=list(FIELDS),
            outcome="planned",
            planned_at=now,
            art19_status="n/a",
        )
    )
