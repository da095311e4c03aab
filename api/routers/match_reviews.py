"""Clerical review: queue a doubtful match, list the queue, confirm or reject.

Anyone with a key may queue an address; custodians (and administrators) decide. A decision is
reused by ``POST /v1/addresses/match`` the next time the same input (in canonical form) comes.
"""

from __future__ import annotations

from typing import Annotated

import fastapi

from api import errors
from api.deps import ClockDep, Principal, PrincipalDep, Role, SessionDep, SettingsDep, require_roles
from api.schemas import match_reviews as schemas
from core.errors import Conflict
from gazetteer import find, reviews

router = fastapi.APIRouter(prefix="/v1/match-reviews", tags=["match reviews"])
Custodian = Annotated[Principal, require_roles(Role.CUSTODIAN, Role.ADMIN)]


@router.post(
    "",
    status_code=201,
    response_model=schemas.MatchReview,
    summary="Queue an address whose match needs a person",
    responses=errors.responses_for(401, 409, 422, s409="The address matched on its own."),
)
def queue(
    body: schemas.ReviewRequest,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    _principal: PrincipalDep,
) -> schemas.MatchReview:
    result = find.match_address(session=session, text=body.text, settings=settings)
    if result.status == "matched":
        raise Conflict(
            f"the address matched UPRN {result.uprn} ({result.match_reason}); nothing to review"
        )
    review = reviews.queue(session=session, text=body.text, result=result, clock=clock)
    return schemas.MatchReview.from_review(review)


@router.get(
    "",
    response_model=schemas.ReviewList,
    summary="The review queue (open by default)",
    responses=errors.responses_for(401, 403, 422),
)
def list_reviews(
    session: SessionDep,
    _principal: Custodian,
    status: Annotated[schemas.ReviewStatus | None, fastapi.Query()] = "open",
    limit: Annotated[int, fastapi.Query(ge=1, le=500)] = 100,
    offset: Annotated[int, fastapi.Query(ge=0)] = 0,
) -> schemas.ReviewList:
    found = reviews.list_reviews(session=session, status=status, limit=limit, offset=offset)
    return schemas.ReviewList(
        count=len(found), reviews=[schemas.MatchReview.from_review(r) for r in found]
    )


@router.get(
    "/{review_id}",
    response_model=schemas.MatchReview,
    summary="One review",
    responses=errors.responses_for(401, 403, 404),
)
def get_review(review_id: str, session: SessionDep, _principal: Custodian) -> schemas.MatchReview:
    return schemas.MatchReview.from_review(reviews.get_review(session=session, review_id=review_id))


@router.post(
    "/{review_id}/decision",
    response_model=schemas.MatchReview,
    summary="Confirm a UPRN, or reject every candidate (uprn null)",
    responses=errors.responses_for(401, 403, 404, 409, 422),
)
def decide(
    review_id: str,
    body: schemas.DecisionRequest,
    session: SessionDep,
    clock: ClockDep,
    principal: Custodian,
) -> schemas.MatchReview:
    review = reviews.decide(
        session=session,
        review_id=review_id,
        uprn=body.uprn,
        decided_by=principal.key_id,
        clock=clock,
    )
    return schemas.MatchReview.from_review(review)
