"""Queries and writes for moves, consents, plans, the outbox and the ledger.

Repositories flush; the caller (request, command, worker iteration) commits. Personal values
are written only to the erasable JSON columns (``person``, ``answers``, ``partner_reference``).
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Final

import sqlalchemy as sa
from psycopg import sql as psql
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from core import db, ids
from core.errors import StorageError
from notify import decision, delivery_sql, domain, intake, sql
from notify.tables import moves as m
from notify.tables import outbox as o

NON_TERMINAL = ("scheduled", "pending", "in_flight", "retry_wait", "held", "dead")


# Subjects, submissions, consents -----------------------------------------------------------------


def add_subjects(session: orm.Session, subject_ids: Iterable[str], now: dt.datetime) -> None:
    session.add_all(m.Subject(id=s, move_block=False, created_at=now) for s in subject_ids)
    session.flush()


def _person_json(person: domain.Person, contact: domain.Contact | None = None) -> dict[str, Any]:
    dob = person.date_of_birth
    values: dict[str, Any] = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": dob.isoformat() if dob else None,
    }
    if contact is not None:
        values["contact"] = {"email": contact.email, "phone": contact.phone}
    return values


def add_submission(
    session: orm.Session,
    *,
    submission_id: str,
    move: domain.Move,
    request: intake.MoveRequest,
    registry_digest: str,
    now: dt.datetime,
) -> None:
    """The submission, its declarations, household members and recipient choices."""
    submitter = move.submitter
    session.add(
        m.ChangeSubmission(
            id=submission_id,
            reference=move.reference,
            version=move.version,
            subject_id=move.person.id,
            channel=move.channel,
            actor_kind=submitter.kind,
            actor_ref=submitter.ref,
            assurance_level=submitter.assurance_level,
            source_partner_service_id=submitter.source_partner_service_id,
            source_restrictions=sorted(move.source_restrictions),
            old_uprn=move.old_uprn,
            new_uprn=move.new_uprn,
            old_address_text=move.old_address_text,
            move_date=move.move_date,
            move_date_kind=move.move_date_kind,
            person=_person_json(move.person, move.contact),
            language=move.language,
            status=move.status,
            declaration_version=request.declaration_version,
            registry_digest=registry_digest,
            submitted_at=now,
            idempotency_key=request.idempotency_key,
        )
    )
    session.flush()
    _add_household(session, submission_id, move, now)
    for choice in move.choices:
        session.add(
            m.RecipientChoice(
                submission_id=submission_id,
                partner_service_id=choice.partner_service_id,
                selected=choice.selected,
                answers=dict(choice.answers),
                partner_reference=choice.partner_reference,
                chosen_at=now,
            )
        )
    session.flush()


def _add_household(
    session: orm.Session, submission_id: str, move: domain.Move, now: dt.datetime
) -> None:
    for position, member in enumerate(move.household):
        declaration_id = None
        if member.declaration is not None:
            declaration_id = ids.new_id()
            session.add(
                m.ThirdPartyDeclaration(
                    id=declaration_id,
                    submission_id=submission_id,
                    declarant_subject_id=move.person.id,
                    authority=member.declaration.authority,
                    statement_version=member.declaration.statement_version,
                    language=move.language,
                    accepted_at=now,
                )
            )
            session.flush()
        session.add(
            m.HouseholdMember(
                id=ids.new_id(),
                submission_id=submission_id,
                subject_id=member.person.id,
                position=position,
                role=member.role,
                relationship_to_submitter=member.relationship,
                person=_person_json(member.person),
                moving=member.moving,
                declaration_id=declaration_id,
            )
        )


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
    consents: Sequence[domain.Consent],
    *,
    submission_id: str,
    move: domain.Move,
) -> None:
    method = "web_form" if move.channel == "citizen_web" else "agent_phone"
    for consent in consents:
        actor = "self" if consent.subject_id == move.person.id else "third_party_declarant"
        if move.channel == "agent" and actor == "self":
            actor = "agent_on_behalf"
        session.add(
            m.ConsentRecord(
                id=consent.id,
                subject_id=consent.subject_id,
                submission_id=submission_id,
                partner_service_id=consent.partner_service_id,
                purpose_code=consent.purpose_code,
                rule_id=consent.rule_id,
                rule_version=consent.rule_version,
                status=consent.status,
                given_at=consent.given_at,
                expires_at=consent.expires_at,
                collection_method=method,
                actor_kind=actor,
                actor_ref=move.submitter.ref,
                language=move.language,
            )
        )
    session.flush()


def consent_of(row: m.ConsentRecord) -> domain.Consent:
    return domain.Consent(
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


def consents_of(session: orm.Session, subject_ids: Iterable[str]) -> list[domain.Consent]:
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
) -> list[domain.Relationship]:
    statement = sa.select(m.Relationship).where(
        sa.or_(
            m.Relationship.subject_id.in_(list(subject_ids)),
            m.Relationship.uprn.in_(list(uprns)),
        )
    )
    return [
        domain.Relationship(
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
    rows = [_decision_row(d, plan, submission_id) for d in plan.decisions]
    if rows:
        insert_many(session.connection(), o.PlanDecision, rows)
    return {row["partner_service_id"]: row["id"] for row in rows}


def _decision_row(d: decision.Decision, plan: decision.Plan, submission_id: str) -> dict[str, Any]:
    return {
        "id": ids.new_id(),
        "submission_id": submission_id,
        "submission_version": plan.version,
        "phase": plan.phase,
        "partner_service_id": d.partner_service_id,
        "role": d.role,
        "decision": d.outcome,
        "rule_id": d.rule_id,
        "rule_version": d.rule_version,
        "dsa_id": d.dsa_id,
        "dsa_version": d.dsa_version,
        "lawful_basis": d.lawful_basis,
        "purpose_code": d.purpose_code,
        "consent_record_id": d.consent_id,
        "fields": list(d.fields),
        "fields_dropped": [{"group": g, "reason": r} for g, r in d.fields_dropped],
        "data_category": d.data_category,
        "channel": d.targets[0].channel if d.targets else None,
        "not_before": d.not_before,
        "reasons": [_reason(r) for r in d.reasons],
        "warnings": [_reason(r) for r in d.warnings],
        "registry_digest": plan.registry_digest,
        "evaluated_at": plan.evaluated_at,
    }


def _reason(reason: decision.Reason) -> dict[str, Any]:
    return {"code": reason.code, "effect": reason.effect, "detail": reason.detail}


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


def insert_rows(session: orm.Session, rows: Sequence[Any]) -> None:
    """New model objects written with one Core statement per table, in the order their tables
    first appear (parents first), without the unit of work; the session does not track them."""
    by_model: dict[type[Any], list[dict[str, Any]]] = {}
    for row in rows:
        columns = sa.inspect(type(row)).column_attrs
        by_model.setdefault(type(row), []).append({c.key: getattr(row, c.key) for c in columns})
    connection = session.connection()
    for model, values in by_model.items():
        insert_many(connection, model, values)


def insert_many(connection: sa.Connection, model: type[Any], values: list[dict[str, Any]]) -> None:
    """``values`` (dicts keyed by column key) as new rows of ``model``: on PostgreSQL one
    ``COPY`` of the rows, each value bound as the column's type binds it; elsewhere, where a
    statement costs no round trip, ``executemany``."""
    table: sa.Table = model.__table__
    columns = [c for c in table.columns if c.key in values[0]]
    skipped = (c for c in table.columns if c.key not in values[0])
    if connection.dialect.name != "postgresql" or any(c.default is not None for c in skipped):
        connection.execute(sa.insert(model), values)
        return
    dialect = connection.dialect
    binds = [(c.key, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in columns]
    statement = psql.SQL(COPY_ROWS).format(
        psql.Identifier(table.name), psql.SQL(", ").join(psql.Identifier(c.name) for c in columns)
    )
    driver: Any = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in values:
            copy.write_row([bind(row[key]) if bind else row[key] for key, bind in binds])


#: Rows of one table from the client; table and columns are the model's, quoted as identifiers.
COPY_ROWS: Final = "COPY {} ({}) FROM STDIN"


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
