"""The send-time gate: the decision re-run before every attempt (sharing-and-delivery §3.7).

:class:`RegistryGate` gathers what :func:`notify.recheck.recheck` reads for each delivery (the
registry as it is now, the consent planned, whether any subject is erased, the submission's
status, the endpoint's status) inside the worker's short transaction and asks the pure
recheck. On PostgreSQL the consent and subject rows are read ``FOR SHARE``: a concurrent
withdrawal or erasure (which takes ``FOR UPDATE``) either commits first and is seen here, or
waits until the ``started`` attempt row has committed.

The registry comes from a :data:`RegistrySource` (the sharing repository's loader in
production; a fixed registry in tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, cast

import sqlalchemy as sa
from sqlalchemy import orm

from notify import codes, domain, move_reviews, recheck
from notify.tables import moves, outbox, registry

RegistrySource = Callable[[orm.Session], domain.Registry]
NOTICE_RULE = "ART19_NOTICE"


class Gate(Protocol):
    def check(
        self, session: orm.Session, deliveries: Sequence[outbox.Delivery], now: dt.datetime
    ) -> dict[str, recheck.Recheck]: ...


class RegistryGate:
    def __init__(self, registry_source: RegistrySource) -> None:
        self._registry_source = registry_source

    def check(
        self, session: orm.Session, deliveries: Sequence[outbox.Delivery], now: dt.datetime
    ) -> dict[str, recheck.Recheck]:
        if not deliveries:
            return {}
        facts = _Facts.load(session, deliveries)
        current = self._registry_source(session)
        return {
            d.id: recheck.recheck(
                delivery=facts.pending(d), registry=current, consents=facts.consents, now=now
            )
            for d in deliveries
        }


class _Facts:
    """Per-batch state around the deliveries: consents, erasure, submissions, endpoints."""

    def __init__(
        self,
        consents: list[domain.Consent],
        erased: set[str],
        submissions: Mapping[str, str],
        endpoints: Mapping[str, str],
        subjects: Mapping[str, str],
        *,
        reviews: Mapping[str, tuple[str, str | None]] | None = None,
    ) -> None:
        self.consents = consents
        self._reviews = reviews or {}
        self._erased = erased
        self._submissions = submissions
        self._endpoints = endpoints
        self._subjects = subjects

    @classmethod
    def load(cls, session: orm.Session, deliveries: Sequence[outbox.Delivery]) -> _Facts:
        ids = [d.id for d in deliveries]
        return cls(
            consents=_consents(session, {d.consent_record_id for d in deliveries}),
            erased=_erased(session, ids),
            submissions=_submission_status(session, {d.submission_id for d in deliveries}),
            endpoints=_endpoint_status(session, {d.endpoint_id for d in deliveries}),
            subjects=_primary_subjects(session, ids),
            reviews=move_reviews.review_states(session, {d.submission_id for d in deliveries}),
        )

    def pending(self, d: outbox.Delivery) -> recheck.PendingDelivery:
        status = self._submissions.get(d.submission_id or "")
        endpoint = self._endpoints.get(d.endpoint_id or "")
        review, review_code = self._reviews.get(d.submission_id or "", (None, None))
        return recheck.PendingDelivery(
            id=d.id,
            partner_service_id=d.partner_service_id,
            subject_id=self._subjects.get(d.id, ""),
            event_kind=d.event_type,
            role=cast(codes.Role, d.role),
            source_channel=cast(codes.SourceChannel, d.source_channel),
            rule_id=d.rule_id,
            rule_version=d.rule_version_planned,
            consent_id=d.consent_record_id,
            fields_planned=tuple(d.fields_planned),
            expires_at=d.expires_at,
            any_subject_erased=d.id in self._erased,
            submission_status=cast(codes.MoveStatus | None, status),
            endpoint_status=cast(codes.EndpointStatus | None, endpoint),
            is_notice=d.rule_id == NOTICE_RULE,
            review_hold=review_code if review == "pending" else None,
            review_refused=review == "refused",
        )


def _consents(session: orm.Session, ids: set[str | None]) -> list[domain.Consent]:
    wanted = sorted(i for i in ids if i)
    if not wanted:
        return []
    query = (
        sa.select(moves.ConsentRecord)
        .where(moves.ConsentRecord.id.in_(wanted))
        .with_for_update(read=True)
    )
    return [_consent(row) for row in session.scalars(query)]


def _consent(row: moves.ConsentRecord) -> domain.Consent:
    return domain.Consent(
        id=row.id,
        subject_id=row.subject_id,
        partner_service_id=row.partner_service_id,
        purpose_code=row.purpose_code,
        rule_id=row.rule_id,
        rule_version=row.rule_version,
        status=cast(codes.ConsentStatus, row.status),
        given_at=row.given_at,
        withdrawn_at=row.withdrawn_at,
        expires_at=row.expires_at,
    )


def _erased(session: orm.Session, delivery_ids: list[str]) -> set[str]:
    query = (
        sa.select(outbox.DeliverySubject.delivery_id)
        .join(moves.Subject, moves.Subject.id == outbox.DeliverySubject.subject_id)
        .where(
            outbox.DeliverySubject.delivery_id.in_(delivery_ids),
            moves.Subject.erased_at.is_not(None),
        )
        .with_for_update(read=True, of=moves.Subject)
    )
    return set(session.scalars(query))


def _primary_subjects(session: orm.Session, delivery_ids: list[str]) -> dict[str, str]:
    query = sa.select(outbox.DeliverySubject.delivery_id, outbox.DeliverySubject.subject_id).where(
        outbox.DeliverySubject.delivery_id.in_(delivery_ids),
        outbox.DeliverySubject.role == "primary",
    )
    return {row.delivery_id: row.subject_id for row in session.execute(query)}


def _submission_status(session: orm.Session, ids: set[str | None]) -> dict[str, str]:
    wanted = sorted(i for i in ids if i)
    if not wanted:
        return {}
    query = sa.select(moves.ChangeSubmission.id, moves.ChangeSubmission.status).where(
        moves.ChangeSubmission.id.in_(wanted)
    )
    return {row.id: row.status for row in session.execute(query)}


def _endpoint_status(session: orm.Session, ids: set[str | None]) -> dict[str, str]:
    wanted = sorted(i for i in ids if i)
    if not wanted:
        return {}
    query = sa.select(registry.Endpoint.id, registry.Endpoint.status).where(
        registry.Endpoint.id.in_(wanted)
    )
    return {row.id: row.status for row in session.execute(query)}
