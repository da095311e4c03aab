"""Reading and writing the versions of a corrected move (sharing-and-delivery §2.2, §3.8).

:func:`notify.stored_move.move_of` rebuilds one stored version as the move the decision reads;
:func:`priors` finds what each service was (or may have been) sent of earlier versions;
:func:`add_version` writes version + 1; :func:`close_reviews` closes the pending review of a
version replaced (status ``superseded``: reviewers act on the live version only, which is checked
again and gets its own review when a reason to hold it remains). Repositories flush; the caller
commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy import orm

from core import db, ids
from core.settings import Settings
from notify import (
    codes,
    correction,
    decision,
    holds,
    intake,
    move_blocks,
    move_domain,
    move_reviews,
    outbox,
)
from notify import repository as repo
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import review as t

FOLLOWED_UP = (codes.SUBMITTED, codes.CORRECTED)


def add_version(
    session: orm.Session,
    latest: m.ChangeSubmission,
    *,
    move: move_domain.Move,
    known: Iterable[str],
    request: intake.MoveRequest,
    consents: Sequence[move_domain.Consent],
    plan: decision.Plan,
    now: dt.datetime,
    by: correction.Corrector | None = None,
) -> tuple[str, dict[str, str]]:
    """Version + 1 (``supersedes_id`` the old one, the same submitter, ``by`` who corrected),
    its new subjects and consents, and its plan decisions; returns its id and the decision row
    id per service."""
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
        overrides={
            "supersedes_id": latest.id,
            "actor_kind": latest.actor_kind,
            "actor_ref": latest.actor_ref,
            "assurance_level": latest.assurance_level,
            "corrected_by_kind": by.kind if by else None,
            "corrected_by": by.ref if by else None,
        },
    )
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


def review_findings(
    session: orm.Session, move: move_domain.Move, *, settings: Settings, now: dt.datetime
) -> tuple[holds.Finding, ...]:
    """Move blocks and repeated or conflicting moves, as at intake; the move's own earlier
    versions are not other moves."""
    uprns = [move.old_uprn, move.new_uprn]
    days = settings.move_review_window_days
    since = now - dt.timedelta(days=days)
    earlier = move_reviews.earlier_moves(session, uprns=uprns, since=since) if days > 0 else []
    return holds.findings(
        move,
        blocks=move_blocks.active_on(session, uprns),
        earlier=[e for e in earlier if e.reference != move.reference],
        same_uprn=settings.move_review_same_uprn,
    )


def close_reviews(
    session: orm.Session,
    *,
    submission_ids: Sequence[str],
    version: int,
    actor: str,
    now: dt.datetime,
) -> list[str]:
    """Close the pending reviews of ``submission_ids`` (versions replaced by ``version``)."""
    query = sa.select(t.MoveReview).where(
        t.MoveReview.submission_id.in_(list(submission_ids)), t.MoveReview.status == "pending"
    )
    if not db.is_sqlite(session):
        query = query.with_for_update()
    rows = list(session.scalars(query.execution_options(populate_existing=True)))
    for row in rows:
        row.status, row.decided_by, row.decided_at = "superseded", actor, now
        row.note = f"superseded by version {version} of the move (a correction)"
    session.flush()
    return [row.submission_id for row in rows]
