"""A stored submission version read back as the :class:`notify.move_domain.Move` the decision reads
(its people, household with declarations, recipient choices and status): the one place a
stored version becomes a move again (corrections, the custodian's queue, the command line).

A version waiting for the custodian because the gazetteer did not hold the new UPRN it gave
reads back with that UPRN, as it was submitted (so a correction keeps it and is checked again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from core.settings import Settings
from notify import address_input, decision, domain, gazetteer_facts, move_domain
from notify import repository as repo
from notify.tables import moves as m


def move_of(session: orm.Session, row: m.ChangeSubmission) -> move_domain.Move:
    """The move one stored version describes."""
    values = row.person or {}
    contact = values.get("contact")
    subject = session.get(m.Subject, row.subject_id)
    return move_domain.Move(
        reference=row.reference,
        version=row.version,
        status=row.status,  # type: ignore[arg-type]
        submitter=move_domain.Submitter(
            kind=row.actor_kind,  # type: ignore[arg-type]
            ref=row.actor_ref,
            assurance_level=row.assurance_level,  # type: ignore[arg-type]
            source_partner_service_id=row.source_partner_service_id,
        ),
        source_restrictions=frozenset(row.source_restrictions),
        person=_person(row.subject_id, values, erased=bool(subject and subject.erased_at)),
        household=_household(session, row.id),
        contact=move_domain.Contact(**contact) if contact else None,
        language=row.language,  # type: ignore[arg-type]
        old_uprn=row.old_uprn,
        new_uprn=row.new_uprn
        if row.new_uprn is not None
        else address_input.stated_uprn(row.new_match),
        old_address_text=row.old_address_text,
        move_date=row.move_date,
        move_date_kind=row.move_date_kind,  # type: ignore[arg-type]
        choices=_choices(session, row.id),
    )


def _person(subject_id: str, values: dict[str, Any], *, erased: bool = False) -> move_domain.Person:
    dob = values.get("date_of_birth")
    return move_domain.Person(
        id=subject_id,
        given_name=values.get("given_name", ""),
        family_name=values.get("family_name", ""),
        date_of_birth=dt.date.fromisoformat(dob) if dob else None,
        erased=erased,
    )


def _declaration(row: m.ThirdPartyDeclaration | None) -> move_domain.Declaration | None:
    if row is None:
        return None
    return move_domain.Declaration(
        authority=row.authority,  # type: ignore[arg-type]
        statement_version=row.statement_version,
    )


def _household(session: orm.Session, submission_id: str) -> tuple[move_domain.HouseholdMember, ...]:
    statement = (
        sa.select(m.HouseholdMember, m.ThirdPartyDeclaration)
        .outerjoin(
            m.ThirdPartyDeclaration, m.ThirdPartyDeclaration.id == m.HouseholdMember.declaration_id
        )
        .where(m.HouseholdMember.submission_id == submission_id)
        .order_by(m.HouseholdMember.position)
    )
    return tuple(
        move_domain.HouseholdMember(
            person=_person(member.subject_id, member.person or {}),
            role="child" if member.role == "child" else "adult",
            relationship=member.relationship_to_submitter or "",
            moving=member.moving,
            declaration=_declaration(declared),
        )
        for member, declared in session.execute(statement)
    )


def _choices(session: orm.Session, submission_id: str) -> tuple[move_domain.RecipientChoice, ...]:
    statement = (
        sa.select(m.RecipientChoice)
        .where(m.RecipientChoice.submission_id == submission_id)
        .order_by(m.RecipientChoice.partner_service_id)
    )
    return tuple(
        move_domain.RecipientChoice(
            partner_service_id=c.partner_service_id,
            selected=c.selected,
            answers=dict(c.answers or {}),
            partner_reference=c.partner_reference,
        )
        for c in session.scalars(statement)
    )


def situation(
    session: orm.Session,
    move: move_domain.Move,
    *,
    registry: domain.Registry,
    settings: Settings,
    now: dt.datetime,
) -> decision.Situation:
    """What the decision reads to plan a move already on record again (as stored, resolved or
    corrected): its gazetteer facts, the registry, its subjects' consents and relationships."""
    return decision.Situation(
        move=move,
        facts=gazetteer_facts.facts(session, move=move, settings=settings),
        registry=registry,
        consents=tuple(repo.consents_of(session, move.subject_ids())),
        relationships=repo.relationships_of(
            session, subject_ids=move.subject_ids(), uprns=[u for u in (move.old_uprn,) if u]
        ),
        now=now,
        phase="explain",
    )
