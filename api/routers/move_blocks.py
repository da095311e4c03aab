"""Move blocks (§4 J15): ``POST /v1/move-blocks``, ``GET /v1/move-blocks``,
``POST /v1/move-blocks/{id}/lift``; and a service's extra questions,
``GET|PUT /v1/services/{service}/questions``.

Custodians and administrators place and lift blocks; each records the API key and the time.
A move from or to a blocked UPRN is held for review (``/v1/move-reviews``); placing a block
also puts the moves from or to it that are not yet sent in the queue. Administrators and
DPOs keep a service's questions; ``POST /v1/moves`` checks answers against them.
"""

from __future__ import annotations

from typing import Annotated, Literal

import fastapi

from api import errors
from api.deps import ClockDep, Principal, Role, SessionDep, require_roles
from api.schemas import holds as schemas
from api.schemas.types import Uprn
from notify import move_blocks, move_reviews, question_store

router = fastapi.APIRouter(prefix="/v1/move-blocks", tags=["move reviews"])
questions_router = fastapi.APIRouter(prefix="/v1/services", tags=["move reviews"])
Custodian = Annotated[Principal, require_roles(Role.CUSTODIAN, Role.ADMIN)]
Registrar = Annotated[Principal, require_roles(Role.ADMIN, Role.DPO)]


@router.post(
    "",
    status_code=201,
    response_model=schemas.MoveBlock,
    summary="Block moves from or to a UPRN",
    responses=errors.responses_for(401, 403, 422),
)
def place(
    body: schemas.BlockCreate, session: SessionDep, clock: ClockDep, principal: Custodian
) -> schemas.MoveBlock:
    block, opened = move_reviews.block(
        session=session, uprn=body.uprn, reason=body.reason, actor=principal.key_id, now=clock.now()
    )
    return schemas.MoveBlock.of(block, reviews_opened=len(opened))


@router.get(
    "",
    response_model=schemas.BlockList,
    summary="Move blocks (active by default)",
    responses=errors.responses_for(401, 403, 422),
)
def list_blocks(
    session: SessionDep,
    _principal: Custodian,
    state: Annotated[Literal["active", "lifted", "all"], fastapi.Query()] = "active",
    uprn: Annotated[Uprn | None, fastapi.Query()] = None,
    limit: Annotated[int, fastapi.Query(ge=1, le=500)] = 100,
) -> schemas.BlockList:
    active = {"active": True, "lifted": False, "all": None}[state]
    found = move_blocks.list_blocks(session=session, active=active, uprn=uprn, limit=limit)
    return schemas.BlockList(count=len(found), blocks=[schemas.MoveBlock.of(b) for b in found])


@router.post(
    "/{block_id}/lift",
    response_model=schemas.MoveBlock,
    summary="Lift a move block (moves held already still wait for their review)",
    responses=errors.responses_for(401, 403, 404, 409),
)
def lift(
    block_id: str, session: SessionDep, clock: ClockDep, principal: Custodian
) -> schemas.MoveBlock:
    block = move_blocks.lift(
        session=session, block_id=block_id, actor=principal.key_id, now=clock.now()
    )
    return schemas.MoveBlock.of(block)


@questions_router.get(
    "/{service_id:path}/questions",
    response_model=schemas.QuestionList,
    summary="A service's extra questions",
    responses=errors.responses_for(401, 403, 404),
)
def get_questions(
    service_id: str, session: SessionDep, _principal: Registrar
) -> schemas.QuestionList:
    found = question_store.get(session=session, service_id=service_id)
    return schemas.QuestionList.of(service_id, found)


@questions_router.put(
    "/{service_id:path}/questions",
    response_model=schemas.QuestionList,
    summary="Replace a service's extra questions",
    responses=errors.responses_for(401, 403, 404, 422),
)
def put_questions(
    service_id: str,
    body: schemas.QuestionsUpdate,
    session: SessionDep,
    clock: ClockDep,
    _principal: Registrar,
) -> schemas.QuestionList:
    raw = [q.model_dump() for q in body.questions]
    found = question_store.save(session=session, service_id=service_id, raw=raw, now=clock.now())
    return schemas.QuestionList.of(service_id, found)
