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
import functools
from collections.abc import Callable, Sequence
from typing import Any, Protocol, cast

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from notify import codes, delivery_sql, domain, holds, move_domain, recheck
from notify.tables import moves, outbox, registry
from notify.tables import review as review_tables

RegistrySource = Callable[[orm.Session], domain.Registry]
NOTICE_RULE = "ART19_NOTICE"


class Pending(Protocol):
    """What the gate reads of a delivery: an ORM ``delivery`` or the worker's plain head
    (:class:`notify.dispatch.heads.Head`)."""

    @property
    def id(self) -> str: ...
    @property
    def partner_service_id(self) -> str: ...
    @property
    def event_type(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def source_channel(self) -> str: ...
    @property
    def rule_id(self) -> str: ...
    @property
    def rule_version_planned(self) -> int: ...
    @property
    def consent_record_id(self) -> str | None: ...
    @property
    def fields_planned(self) -> list[str]: ...
    @property
    def expires_at(self) -> dt.datetime: ...


class Gate(Protocol):
    def check(
        self, session: orm.Session, deliveries: Sequence[Pending], now: dt.datetime
    ) -> dict[str, recheck.Recheck]: ...


class RegistryGate:
    def __init__(self, registry_source: RegistrySource) -> None:
        self._registry_source = registry_source

    def check(
        self, session: orm.Session, deliveries: Sequence[Pending], now: dt.datetime
    ) -> dict[str, recheck.Recheck]:
        if not deliveries:
            return {}
        facts = _Facts.load(session, deliveries)
        current = self._registry_source(session)
        return {
            d.id: recheck.recheck(
                delivery=facts.pending(d), registry=current, consents=facts.consents_of(d), now=now
            )
            for d in deliveries
        }


class _Facts:
    """Per-batch state around the deliveries, read in one statement (:func:`_facts_query`):
    the consent planned, erasure, the primary subject, the submission's status and review,
    the endpoint's status."""

    def __init__(self, rows: Sequence[sa.Row[Any]]) -> None:
        self._rows: dict[str, sa.Row[Any]] = {}
        self._reviews: dict[str, tuple[str, str | None]] = {}
        self._consents: dict[str, move_domain.Consent] = {}
        for row in rows:
            self._rows.setdefault(row.id, row)
            if row.c_id is not None:
                self._consents.setdefault(row.c_id, _consent(row))
            _note_review(self._reviews, row)

    def consents_of(self, d: Pending) -> list[move_domain.Consent]:
        """The consent planned for ``d`` (the recheck looks it up by id), if it exists."""
        found = self._consents.get(d.consent_record_id or "")
        return [found] if found is not None else []

    @classmethod
    def load(cls, session: orm.Session, deliveries: Sequence[Pending]) -> _Facts:
        ids = sorted({d.id for d in deliveries})
        query = _facts_query(db.is_sqlite(session))
        return cls(list(session.execute(query, {"ids": ids})))

    def pending(self, d: Pending) -> recheck.PendingDelivery:
        row = self._rows[d.id]
        review, review_code = self._reviews.get(d.id, (None, None))
        return recheck.PendingDelivery(
            id=d.id,
            partner_service_id=d.partner_service_id,
            subject_id=row.primary_subject or "",
            event_kind=d.event_type,
            role=cast(codes.Role, d.role),
            source_channel=cast(codes.SourceChannel, d.source_channel),
            rule_id=d.rule_id,
            rule_version=d.rule_version_planned,
            consent_id=d.consent_record_id,
            fields_planned=tuple(d.fields_planned),
            expires_at=d.expires_at,
            any_subject_erased=bool(row.erased),
            submission_status=cast(codes.MoveStatus | None, row.submission_status),
            endpoint_status=cast(codes.EndpointStatus | None, row.endpoint_status),
            is_notice=d.rule_id == NOTICE_RULE,
            review_hold=review_code if review == "pending" else None,
            review_refused=review == "refused",
        )


def _note_review(reviews: dict[str, tuple[str, str | None]], row: sa.Row[Any]) -> None:
    """As :func:`notify.move_reviews.review_states`: an open review of any version of the move
    holds it; its own refused review refuses it; a move never reviewed waits on a block."""
    if row.review_status == "pending":
        reviews[row.id] = ("pending", _first_code(row.review_reasons))
    elif row.review_status == "refused" and row.review_submission_id == row.submission_id:
        reviews.setdefault(row.id, ("refused", None))
    elif row.review_status is None and row.blocked:
        reviews[row.id] = ("pending", holds.MOVE_BLOCKED)


def _first_code(reasons: list[dict[str, Any]]) -> str | None:
    return next((str(r["code"]) for r in reasons if r.get("code")), None)


_D = cast(sa.Table, outbox.Delivery.__table__)
_DS = cast(sa.Table, outbox.DeliverySubject.__table__)
_SUBJECT = cast(sa.Table, moves.Subject.__table__)
_CONSENT = cast(sa.Table, moves.ConsentRecord.__table__)
_SUBMISSION = cast(sa.Table, moves.ChangeSubmission.__table__)
_REVIEW = cast(sa.Table, review_tables.MoveReview.__table__)
_BLOCK = cast(sa.Table, review_tables.MoveBlock.__table__)
_ENDPOINT = cast(sa.Table, registry.Endpoint.__table__)
_CONSENT_COLUMNS = ("id", "subject_id", "partner_service_id", "purpose_code", "rule_id",
                    "rule_version", "status", "given_at", "withdrawn_at", "expires_at")  # fmt: skip


@functools.cache
def _facts_query(sqlite: bool) -> sa.Select[Any]:
    """One row per delivery of ``:ids`` (one per review of its move, if any) with every fact
    the gate reads. The consents planned and the erased subjects are read ``FOR SHARE``
    (PostgreSQL). Built once per engine kind: building it costs more than running it. The
    ids are one array parameter on PostgreSQL (:func:`notify.delivery_sql.among`)."""
    d, sub, other, review, endpoint = (
        _D,
        _SUBMISSION,
        _SUBMISSION.alias("other"),
        _REVIEW,
        _ENDPOINT,
    )
    mine = delivery_sql.among(d.c.id, "ids", sqlite=sqlite)
    consents = (
        sa.select(*(_CONSENT.c[name] for name in _CONSENT_COLUMNS))
        .where(_CONSENT.c.id.in_(sa.select(d.c.consent_record_id).where(mine)))
        .with_for_update(read=True)
        .cte("consent")
    )
    erased = (
        sa.select(_DS.c.delivery_id)
        .join(_SUBJECT, _SUBJECT.c.id == _DS.c.subject_id)
        .where(
            delivery_sql.among(_DS.c.delivery_id, "ids", sqlite=sqlite),
            _SUBJECT.c.erased_at.is_not(None),
        )
        .with_for_update(read=True, of=_SUBJECT)
        .cte("erased")
    )
    primary = (
        sa.select(sa.func.min(_DS.c.subject_id))
        .where(_DS.c.delivery_id == d.c.id, _DS.c.role == "primary")
        .scalar_subquery()
    )
    blocked = sa.exists().where(
        _BLOCK.c.lifted_at.is_(None), _BLOCK.c.uprn.in_((sub.c.old_uprn, sub.c.new_uprn))
    )
    reviewed = other.join(review, review.c.submission_id == other.c.id)
    columns = (
        d.c.id, d.c.submission_id, primary.label("primary_subject"),
        d.c.id.in_(sa.select(erased.c.delivery_id)).label("erased"),
        sub.c.status.label("submission_status"), endpoint.c.status.label("endpoint_status"),
        review.c.status.label("review_status"), review.c.reasons.label("review_reasons"),
        review.c.submission_id.label("review_submission_id"), blocked.label("blocked"),
        *(consents.c[name].label(f"c_{name}") for name in _CONSENT_COLUMNS),
    )  # fmt: skip
    return (
        sa.select(*columns)
        .select_from(
            d.outerjoin(sub, sub.c.id == d.c.submission_id)
            .outerjoin(reviewed, other.c.reference == sub.c.reference)
            .outerjoin(endpoint, endpoint.c.id == d.c.endpoint_id)
            .outerjoin(consents, consents.c.id == d.c.consent_record_id)
        )
        .where(mine)
    )


def _consent(row: sa.Row[Any]) -> move_domain.Consent:
    return move_domain.Consent(
        id=row.c_id,
        subject_id=row.c_subject_id,
        partner_service_id=row.c_partner_service_id,
        purpose_code=row.c_purpose_code,
        rule_id=row.c_rule_id,
        rule_version=row.c_rule_version,
        status=cast(codes.ConsentStatus, row.c_status),
        given_at=row.c_given_at,
        withdrawn_at=row.c_withdrawn_at,
        expires_at=row.c_expires_at,
    )
