"""Queries and writes for moves, consents, plans, the outbox and the ledger.

Repositories flush; the caller (request, command, worker iteration) commits. Personal values
are written only to the erasable JSON columns (``person``, ``answers``, ``partner_reference``).
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from core import db, ids
from core.errors import StorageError
from notify import decision, delivery_sql, intake, move_domain, move_rows, row_batch, sql
from notify.tables import moves as m
from notify.tables import outbox as o

NON_TERMINAL = ("scheduled", "pending", "in_flight", "retry_wait", "held", "dead")


# Subjects, submissions, consents -----------------------------------------------------------------


def add_subjects(session: orm.Session, subject_ids: Iterable[str], now: dt.datetime) -> None:
    batch = row_batch.Batch()
    move_rows.add_subjects(batch, subject_ids, now)
    row_batch.write(session, batch)


def add_submission(
    session: orm.Session,
    *,
    submission_id: str,
    move: move_domain.Move,
    request: intake.MoveRequest,
    registry_digest: str,
    now: dt.datetime,
    overrides: Mapping[str, Any] | None = None,
) -> None:
    """The submission, its declarations, household members and recipient choices (Core
    inserts in one statement on PostgreSQL: see :mod:`notify.row_batch`); ``overrides`` as in
    :func:`notify.move_rows.add_submission`."""
    batch = row_batch.Batch()
    move_rows.add_submission(
        batch,
        submission_id=submission_id,
        move=move,
        request=request,
        registry_digest=registry_digest,
        now=now,
        overrides=overrides,
    )
    row_batch.write(session, batch)


def find_by_idempotency(
    session: orm.Session, *, channel: str, actor_ref: str | None, key: str
) -> m.ChangeSubmission | None:
    statement = sa.select(m.ChangeSubmission).where(
        m.ChangeSubmission.channel == channel,
        m.ChangeSubmission.idempotency_key == key,
        m.ChangeSubmission.actor_ref.is_(None)
        if actor_ref is None
        else m.ChangeSubmission.actor_ref == actor_ref,
    )
    return session.scalars(statement).first()


def latest_submission(session: orm.Session, reference: str) -> m.ChangeSubmission | None:
    statement = (
        sa.select(m.ChangeSubmission)
        .where(m.ChangeSubmission.reference == reference)
        .order_by(m.ChangeSubmission.version.desc())
    )
    return session.scalars(statement).first()


def add_consents(
    session: orm.Session,
    consents: Sequence[move_domain.Consent],
    *,
    submission_id: str,
    move: move_domain.Move,
) -> None:
    batch = row_batch.Batch()
    move_rows.add_consents(batch, consents, submission_id=submission_id, move=move)
    row_batch.write(session, batch)


def consent_of(row: m.ConsentRecord) -> move_domain.Consent:
    return move_domain.Consent(
        id=row.id,
        subject_id=row.subject_id,
        partner_service_id=row.partner_service_id,
        purpose_code=row.purpose_code,
        rule_id=row.rule_id,
        rule_version=row.rule_version,
        status=row.status,  # type: ignore[arg-type]
        given_at=row.given_at,
        withdrawn_at=row.withdrawn_at,
        expires_at=row.expires_at,
    )


def consents_of(session: orm.Session, subject_ids: Iterable[str]) -> list[move_domain.Consent]:
    statement = sa.select(m.ConsentRecord).where(m.ConsentRecord.subject_id.in_(list(subject_ids)))
    return [consent_of(row) for row in session.scalars(statement)]


def lock_consent(session: orm.Session, consent_id: str) -> m.ConsentRecord | None:
    """The consent row, locked against a concurrent send-time recheck (``FOR UPDATE``)."""
    statement = sa.select(m.ConsentRecord).where(m.ConsentRecord.id == consent_id)
    if not db.is_sqlite(session):
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def relationships_of(
    session: orm.Session, *, subject_ids: Iterable[str], uprns: Iterable[int]
) -> list[move_domain.Relationship]:
    statement = sa.select(m.Relationship).where(
        sa.or_(
            m.Relationship.subject_id.in_(list(subject_ids)),
            m.Relationship.uprn.in_(list(uprns)),
        )
    )
    return [
        move_domain.Relationship(
            partner_service_id=row.partner_service_id,
            kind=row.kind,  # type: ignore[arg-type]
            subject_id=row.subject_id,
            uprn=row.uprn,
            evidence=row.evidence,  # type: ignore[arg-type]
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )
        for row in session.scalars(statement)
    ]


# Plan, outbox, ledger ------------------------------------------------------------------------


def add_decisions(
    session: orm.Session, plan: decision.Plan, *, submission_id: str
) -> dict[str, str]:
    """Every decision of the plan (``plan_decision``, one statement); the row id per service."""
    batch = row_batch.Batch()
    decision_ids = move_rows.add_decisions(batch, plan, submission_id=submission_id)
    row_batch.write(session, batch)
    return decision_ids


def add_outbox_event(
    session: orm.Session,
    *,
    type_: str,
    source: str,
    aggregate_kind: str,
    aggregate_id: str,
    occurred_at: dt.datetime,
    correlation_id: str,
    causation_id: str | None = None,
) -> str:
    event_id = ids.new_id()
    session.add(
        o.OutboxEvent(
            id=event_id,
            type=type_,
            source=source,
            aggregate_kind=aggregate_kind,
            aggregate_id=aggregate_id,
            occurred_at=occurred_at,
            correlation_id=correlation_id,
            causation_id=causation_id,
            fanout_done=True,
        )
    )
    session.flush()
    if not db.is_sqlite(session):
        session.execute(delivery_sql.ANNOUNCE)  # wakes listening workers when this commits
    return event_id


def next_seq(session: orm.Session, *, ordering_key: str, endpoint_id: str | None) -> int:
    """The lane's next sequence number, allocated in this transaction (§6.9)."""
    try:
        value = session.execute(
            sql.NEXT_SEQ, {"ordering_key": ordering_key, "endpoint_id": endpoint_id}
        ).scalar_one()
    except sa.exc.DBAPIError as exc:
        raise StorageError("cannot allocate a delivery sequence number") from exc
    return int(value)


def next_seqs(session: orm.Session, lanes: Sequence[tuple[str, str | None]]) -> list[int]:
    """The next ``seq`` of each lane, in order, allocated in one statement (§6.9); a lane named
    twice gets two numbers."""
    if not lanes:
        return []
    wanted = collections.Counter(key for key, _ in lanes)
    endpoints = {key: endpoint for key, endpoint in reversed(lanes)}
    insert = (sqlite.insert if db.is_sqlite(session) else postgresql.insert)(o.DeliveryLane)
    statement = (
        insert.values(
            [
                {"ordering_key": k, "endpoint_id": endpoints[k], "last_seq": n, "state": "idle"}
                for k, n in wanted.items()
            ]
        )
        .on_conflict_do_update(
            index_elements=["ordering_key"],
            set_={"last_seq": o.DeliveryLane.last_seq + insert.excluded.last_seq},
        )
        .returning(o.DeliveryLane.ordering_key, o.DeliveryLane.last_seq)
    )
    try:
        last = {key: int(seq) for key, seq in session.execute(statement)}
    except sa.exc.DBAPIError as exc:
        raise StorageError("cannot allocate delivery sequence numbers") from exc
    handed = {key: last[key] - n for key, n in wanted.items()}
    seqs = []
    for key, _ in lanes:
        handed[key] += 1
        seqs.append(handed[key])
    return seqs


def wake_lanes(session: orm.Session, lanes: Sequence[tuple[str, str | None, dt.datetime]]) -> None:
    """:func:`wake_lane` for each (ordering key, endpoint, not before), in one round trip."""
    if lanes:
        session.execute(
            sql.WAKE_LANE,
            [{"ordering_key": k, "endpoint_id": e, "not_before": nb} for k, e, nb in lanes],
        )


def wake_lane(
    session: orm.Session, *, ordering_key: str, endpoint_id: str | None, not_before: dt.datetime
) -> None:
    session.execute(
        sql.WAKE_LANE,
        {"ordering_key": ordering_key, "endpoint_id": endpoint_id, "not_before": not_before},
    )


def add_rows(session: orm.Session, rows: Iterable[Any]) -> None:
    session.add_all(rows)
    session.flush()


def decisions_of(session: orm.Session, submission_id: str) -> list[o.PlanDecision]:
    statement = sa.select(o.PlanDecision).where(o.PlanDecision.submission_id == submission_id)
    return list(session.scalars(statement.order_by(o.PlanDecision.id)))


def deliveries_where(session: orm.Session, *conditions: Any) -> list[o.Delivery]:
    statement = (
        sa.select(o.Delivery).where(*conditions).order_by(o.Delivery.ordering_key, o.Delivery.seq)
    )
    return list(session.scalars(statement))


def ledger_where(session: orm.Session, *conditions: Any) -> list[o.Disclosure]:
    statement = sa.select(o.Disclosure).where(*conditions).order_by(o.Disclosure.planned_at)
    return list(session.scalars(statement))


def disclosure_of(session: orm.Session, delivery_id: str) -> o.Disclosure | None:
    statement = sa.select(o.Disclosure).where(o.Disclosure.delivery_id == delivery_id)
    return session.scalars(statement).first()


def receipts_of(session: orm.Session, submission_id: str) -> list[m.ConsentReceipt]:
    statement = sa.select(m.ConsentReceipt).where(m.ConsentReceipt.submission_id == submission_id)
    return list(session.scalars(statement.order_by(m.ConsentReceipt.issued_at)))


def consent_records_of(session: orm.Session, submission_id: str) -> list[m.ConsentRecord]:
    statement = sa.select(m.ConsentRecord).where(m.ConsentRecord.submission_id == submission_id)
    return list(session.scalars(statement.order_by(m.ConsentRecord.id)))
