"""Moves held for review: ``GET /v1/move-reviews``, ``GET /v1/move-reviews/{id}``,
``POST /v1/move-reviews/{id}/release`` and ``POST /v1/move-reviews/{id}/reject``.

A move is held at intake when a UPRN of it is under a move block, or another move for the
same person or to the same new UPRN came within the review window. Custodians, administrators
and DPOs read the queue; custodians and administrators decide. Releasing lets the held
deliveries go (every other send-time check still applies); rejecting cancels them and the
citizen's status shows them refused. The decision records the API key, the time and a note.
"""

from __future__ import annotations

from typing import Annotated

import fastapi

from api import errors
from api.deps import ClockDep, Principal, Role, SessionDep, require_roles
from api.schemas import holds as schemas
from notify import move_reviews

router = fastapi.APIRouter(prefix="/v1/move-reviews", tags=["move reviews"])
Reader = Annotated[Principal, require_roles(Role.CUSTODIAN, Role.ADMIN, Role.DPO)]
Reviewer = Annotated[Principal, require_roles(Role.CUSTODIAN, Role.ADMIN)]
Decision = Annotated[schemas.ReviewDecision | None, fastapi.Body()]


@router.get(
    "",
    response_model=schemas.ReviewList,
    summary="Moves held for review (pending by default, oldest first)",
    responses=errors.responses_for(401, 403, 422),
)
def list_reviews(
    session: SessionDep,
    _principal: Reader,
    status: Annotated[schemas.ReviewStatus, fastapi.Query()] = "pending",
    limit: Annotated[int, fastapi.Query(ge=1, le=500)] = 100,
    offset: Annotated[int, fastapi.Query(ge=0)] = 0,
) -> schemas.ReviewList:
    found = move_reviews.list_reviews(session=session, status=status, limit=limit, offset=offset)
    return schemas.ReviewList(count=len(found), reviews=[schemas.MoveReview.of(r) for r in found])


@router.get(
    "/{review_id}",
    response_model=schemas.MoveReview,
    summary="One move review",
    responses=errors.responses_for(401, 403, 404),
)
def get_review(review_id: str, session: SessionDep, _principal: Reader) -> schemas.MoveReview:
    return schemas.MoveReview.of(move_reviews.get_review(session=session, review_id=review_id))


@router.post(
    "/{review_id}/release",
    response_model=schemas.MoveReview,
    summary="Release a held move: its deliveries may go",
    responses=errors.responses_for(401, 403, 404, 409),
)
def release(
    review_id: str, session: SessionDep, clock: ClockDep, principal: Reviewer, body: Decision = None
) -> schemas.MoveReview:
    review = move_reviews.release(
        session=session,
        review_id=review_id,
        actor=principal.key_id,
        note=body.note if body else None,
        now=clock.now(),
    )
    return schemas.MoveReview.of(review)


@router.post(
    "/{review_id}/reject",
    response_model=schemas.MoveReview,
    summary="Refuse a held move: its deliveries are cancelled",
    responses=errors.responses_for(401, 403, 404, 409),
)
def reject(
    review_id: str, session: SessionDep, clock: ClockDep, principal: Reviewer, body: Decision = None
) -> schemas.MoveReview:
    review = move_reviews.reject(
        session=session,
        review_id=review_id,
        actor=principal.key_id,
        note=body.note if body else None,
        now=clock.now(),
    )
    return schemas.MoveReview.of(review)
