"""Reading and writing the versions of a corrected move (sharing-and-delivery §2.2, §3.8).

:func:`stored_move` rebuilds one stored version as the :class:`notify.domain.Move` the decision
reads; :func:`priors` finds what each service was (or may have been) sent of earlier versions;
:func:`add_version` writes version + 1. Repositories flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from notify import codes, correction, decision, domain, intake, outbox
from notify import repository as repo
from notify.tables import moves as m
from notify.tables import outbox as o

FOLLOWED_UP = (codes.SUBMITTED, codes.CORRECTED)


# The stored version as a move ------------------------------------------------------------------


def stored_move(session: orm.Session, row: m.ChangeSubmission) -> domain.Move:
    """The move one stored version describes (its people, household, choices and status)."""
    person = row.person or {}
    contact = person.get("contact")
    erased = session.get(m.Subject, row.subject_id)
    return domain.Move(
        reference=row.reference,
        version=row.version,
        status=row.status,  # type: ignore[arg-type]
        submitter=domain.Submitter(
            kind=row.actor_kind,  # type: ignore[arg-type]
            ref=row.actor_ref,
            assurance_level=row.assurance_level,  # type: ignore[arg-type]
            source_partner_service_id=row.source_partner_service_id,
        ),
        source_restrictions=frozenset(row.source_restrictions),
        person=_person(row.subject_id, person, erased=bool(erased and erased.erased_at)),
        household=_stored_household(session, row.id),
        contact=domain.Contact(**contact) if contact else None,
        language=row.language,  # type: ignore[arg-type]
        old_uprn=row.old_uprn,
        new_uprn=row.new_uprn,
        old_address_text=row.old_address_text,
        move_date=row.move_date,
        move_date_kind=row.move_date_kind,  # type: ignore[arg-type]
        choices=_stored_choices(session, row.id),
    )


def _person(subject_id: str, values: dict[str, Any], *, erased: bool = False) -> domain.Person:
    dob = values.get("date_of_birth")
    return domain.Person(
        id=subject_id,
        given_name=values.get("given_name", ""),
        family_name=values.get("family_name", ""),
        date_of_birth=dt.date.fromisoformat(dob) if dob else None,
        erased=erased,
    )


def _stored_household(
    session: orm.Session, submission_id: str
) -> tuple[domain.HouseholdMember, ...]:
    statement = (
        sa.select(m.HouseholdMember, m.ThirdPartyDeclaration)
        .outerjoin(
            m.ThirdPartyDeclaration, m.ThirdPartyDeclaration.id == m.HouseholdMember.declaration_id
        )
        .where(m.HouseholdMember.submission_id == submission_id)
        .order_by(m.HouseholdMember.position)
    )
    return tuple(
        domain.HouseholdMember(
            person=_person(member.subject_id, member.person or {}),
            role="child" if member.role == "child" else "adult",
            relationship=member.relationship_to_submitter or "",
            moving=member.moving,
            declaration=domain.Declaration(
                authority=declared.authority,  # type: ignore[arg-type]
                statement_version=declared.statement_version,
            )
            if declared is not None
            else None,
        )
        for member, declared in session.execute(statement)
    )


def _stored_choices(session: orm.Session, submission_id: str) -> tuple[domain.RecipientChoice, ...]:
    statement = (
        sa.select(m.RecipientChoice)
        .where(m.RecipientChoice.submission_id == submission_id)
        .order_by(m.RecipientChoice.partner_service_id)
    )
    return tuple(
        domain.RecipientChoice(
            partner_service_id=c.partner_service_id,
            selected=c.selected,
            answers=dict(c.answers or {}),
            partner_reference=c.partner_reference,
        )
        for c in session.scalars(statement)
    )


def add_version(
    session: orm.Session,
    latest: m.ChangeSubmission,
    *,
    move: domain.Move,
    known: Iterable[str],
    request: intake.MoveRequest,
    consents: Sequence[domain.Consent],
    plan: decision.Plan,
    now: dt.datetime,
) -> tuple[str, dict[str, str]]:
    """Version + 1 (``supersedes_id`` the old one, the same submitter), its new subjects and
    consents, and its plan decisions; returns its id and the decision row id per service."""
    old_subjects = set(known)
    repo.add_subjects(session, [s for s in move.subject_ids() if s not in old_subjects], now)
    submission_id = ids.new_id()
    repo.add_submission(
        session,
        submission_id=submission_id,
        move=move,
        request=request,
        registry_digest=plan.registry_digest,
        now=now,
    )
    row = session.get(m.ChangeSubmission, submission_id)
    if row is not None:
        row.supersedes_id = latest.id
        row.actor_kind, row.actor_ref = latest.actor_kind, latest.actor_ref
        row.assurance_level = latest.assurance_level
    repo.add_consents(session, consents, submission_id=submission_id, move=move)
    return submission_id, repo.add_decisions(session, plan, submission_id=submission_id)


def priors(session: orm.Session, submission_ids: list[str]) -> dict[str, correction.Prior]:
    """Per service, the lines of earlier versions it was (or may have been) sent and that no
    ``withdrawn`` notice has followed up yet."""
    lines = repo.ledger_where(
        session,
        o.Disclosure.submission_id.in_(submission_ids),
        o.Disclosure.notice_of.is_(None),
        o.Disclosure.event_type.in_(FOLLOWED_UP),
        o.Disclosure.outcome.in_(("disclosed", "possibly_disclosed")),
    )
    withdrawn = set(
        session.scalars(
            sa.select(o.Disclosure.notice_of).where(
                o.Disclosure.notice_of.in_([line.id for line in lines]),
                o.Disclosure.event_type == codes.WITHDRAWN,
            )
        )
    )
    by_service: dict[str, list[o.Disclosure]] = {}
    for line in lines:
        if line.id not in withdrawn:
            by_service.setdefault(line.partner_service_id, []).append(line)
    return {service_id: _prior(found) for service_id, found in by_service.items()}


def _prior(lines: list[o.Disclosure]) -> correction.Prior:
    return correction.Prior(
        partner_service_id=lines[-1].partner_service_id,
        line_ids=tuple(line.id for line in lines),
        event_id=lines[-1].event_id,
        fields=frozenset(g for line in lines for g in line.fields),
    )


def follow_up(session: orm.Session, step: correction.Step) -> outbox.FollowUp:
    if step.prior is None:
        return outbox.FollowUp()
    for line in repo.ledger_where(session, o.Disclosure.id.in_(step.prior.line_ids)):
        line.art19_status = "pending"
    return outbox.FollowUp(
        kind=codes.CORRECTED,
        causation_id=step.prior.event_id,
        data=correction.corrected_data(step),
    )


def withdrawn_notices(
    session: orm.Session, ctx: outbox.Context, step: correction.Step
) -> list[str]:
    """A ``withdrawn`` notice (references only) for each earlier line of a service no longer
    permitted to have the move."""
    if step.prior is None:
        return []
    notices = []
    for line in repo.ledger_where(session, o.Disclosure.id.in_(step.prior.line_ids)):
        notice = outbox.enqueue_notice(
            session,
            line=line,
            kind=codes.WITHDRAWN,
            data={"reason": "rectified_out_of_scope"},
            keys=ctx.keys,
            now=ctx.now,
        )
        notices += [notice] if notice else []
    return notices
