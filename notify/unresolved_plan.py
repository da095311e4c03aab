"""Planning a move again once the custodian has given its new address a UPRN (§3.2).

Only the services whose plan decision for this version is the routing hold
``NEW_UPRN_PENDING`` are planned, with the normal decision procedure: consents the citizen
gave at submission are recorded now that the rule they rest on can be found, reasons to hold
the move for review (a move block on the new UPRN, a repeated or conflicting move) are looked
for again, and the plan decisions, outbox rows and ledger lines are written in the caller's
transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import orm

from core import ids
from core.errors import Conflict
from core.settings import Settings
from notify import (
    decision,
    holds,
    intake,
    move_domain,
    move_reviews,
    outbox,
    receipts,
    registry_repository,
    stored_move,
)
from notify import repository as repo
from notify.tables import interim as t
from notify.tables import moves as m
from notify.tables import review as rt

PENDING_CODE: Final = "NEW_UPRN_PENDING"


class RefusedOnReview(Conflict):
    code = "move_refused_on_review"
    title = "The move was refused on review"


def routing_held(session: orm.Session, submission: m.ChangeSubmission) -> frozenset[str]:
    """Services whose latest plan decision for this version is the ``NEW_UPRN_PENDING`` hold."""
    latest: dict[str, Any] = {}
    for row in repo.decisions_of(session, submission.id):
        if row.phase == "plan" and row.submission_version == submission.version:
            latest[row.partner_service_id] = row
    return frozenset(
        service
        for service, row in latest.items()
        if row.decision == "hold" and any(r.get("code") == PENDING_CODE for r in row.reasons)
    )


def _consent_request(move: move_domain.Move, services: Sequence[str]) -> intake.MoveRequest:
    """The citizen's consent answers as a request, for :func:`intake.consents_to_record`."""
    return intake.MoveRequest(
        submitter=move.submitter,
        person=intake.PersonDetails(
            given_name=move.person.given_name, family_name=move.person.family_name
        ),
        new_uprn=move.new_uprn,
        move_date=move.move_date,
        recipients=tuple(
            intake.RecipientAnswer(partner_service_id=s, selected=True, consent=True)
            for s in services
        ),
    )


def _record_consents(
    session: orm.Session,
    submission: m.ChangeSubmission,
    situation: decision.Situation,
    services: Sequence[str],
) -> list[move_domain.Consent]:
    """The consents the citizen gave at submission, against the rules found now, as given then."""
    consents = intake.consents_to_record(
        request=_consent_request(situation.move, services),
        move=situation.move,
        preview=decision.plan(situation),
        now=submission.submitted_at,
        new_id=ids.new_id,
    )
    repo.add_consents(session, consents, submission_id=submission.id, move=situation.move)
    return consents


def _situation(
    session: orm.Session, move: move_domain.Move, settings: Settings, now: dt.datetime
) -> decision.Situation:
    registry = registry_repository.load(session)
    return stored_move.situation(session, move, registry=registry, settings=settings, now=now)


def replan(
    session: orm.Session,
    *,
    submission: m.ChangeSubmission,
    interim: t.InterimAddress,
    settings: Settings,
    now: dt.datetime,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Plan the routing-held services of ``submission`` again; returns (services, deliveries,
    consents recorded). Consents given at submission are recorded as of that time."""
    held = routing_held(session, submission)
    move = stored_move.move_of(session, submission)
    situation = dataclasses.replace(
        _situation(session, move, settings, now),
        move_holds=review_holds(
            session, submission_id=submission.id, move=move, settings=settings, now=now
        ),
    )
    waiting = [s for s in interim.pending_consents if s in held]
    consents = _record_consents(session, submission, situation, waiting)
    situation = dataclasses.replace(
        situation, consents=(*situation.consents, *consents), phase="plan"
    )
    full = decision.plan(situation)
    plan = dataclasses.replace(
        full, decisions=tuple(d for d in full.decisions if d.partner_service_id in held)
    )
    decision_ids = repo.add_decisions(session, plan, submission_id=submission.id)
    ctx = outbox.Context(
        submission_id=submission.id,
        move=move,
        facts=situation.facts,
        registry=situation.registry,
        keys=outbox.Keys.from_settings(settings),
        now=now,
    )
    deliveries = outbox.enqueue_plan(session, ctx, plan, decision_ids)
    if consents:
        receipts.reissue(session, submission.id, now)
    planned = tuple(d.partner_service_id for d in plan.decisions)
    return planned, tuple(deliveries), tuple(c.id for c in consents)


def review_holds(
    session: orm.Session,
    *,
    submission_id: str,
    move: move_domain.Move,
    settings: Settings,
    now: dt.datetime,
) -> tuple[str, ...]:
    """Reasons to hold the move for review, looked for again with its new UPRN.

    New findings join a review still open (or open one); a review already released stays
    released, and a move refused on review is not planned."""
    found = move_reviews.detect(
        session,
        move=move,
        now=now,
        window_days=settings.move_review_window_days,
        same_uprn=settings.move_review_same_uprn,
    )
    review = session.get(rt.MoveReview, submission_id)
    if review is None:
        move_reviews.open_review(session, submission_id=submission_id, found=found, now=now)
        return holds.hold_codes(found)
    if review.status == "refused":
        raise RefusedOnReview("the move was refused on review; nothing is planned")
    if review.status != "pending":
        return ()
    known = list(review.reasons)
    review.reasons = known + [f.as_json() for f in found if f.as_json() not in known]
    session.flush()
    return tuple(c for c in holds.REVIEW_CODES if any(r.get("code") == c for r in review.reasons))
