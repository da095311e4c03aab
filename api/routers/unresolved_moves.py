"""The custodian's queue of unresolved moves: ``GET /v1/unresolved-moves`` (open entries,
oldest first, paged), ``POST /v1/unresolved-moves/{reference}/resolve`` with a gazetteer UPRN
(the services that waited are planned again, their outbox rows written with it) and
``.../reject`` with a reason. Custodian and admin keys only."""

from __future__ import annotations

from typing import Annotated

import fastapi

from api import errors
from api.deps import ClockDep, Principal, Role, SessionDep, SettingsDep, require_roles
from api.schemas import unresolved as schemas
from notify import unresolved

router = fastapi.APIRouter(prefix="/v1/unresolved-moves", tags=["unresolved moves"])
Custodian = Annotated[Principal, require_roles(Role.CUSTODIAN, Role.ADMIN)]


@router.get(
    "",
    response_model=schemas.UnresolvedPage,
    summary="Moves whose new address waits for a custodian (oldest first)",
    responses=errors.responses_for(401, 403, 422),
)
def list_unresolved(
    session: SessionDep,
    _principal: Custodian,
    limit: Annotated[int, fastapi.Query(ge=1, le=500)] = 50,
    offset: Annotated[int, fastapi.Query(ge=0)] = 0,
) -> schemas.UnresolvedPage:
    page = unresolved.list_unresolved(session=session, limit=limit, offset=offset)
    return schemas.UnresolvedPage(
        total=page.total,
        limit=limit,
        offset=offset,
        items=[schemas.UnresolvedMove.of(e) for e in page.items],
    )


@router.post(
    "/{reference}/resolve",
    response_model=schemas.Settled,
    summary="Give the move its new UPRN; the services that waited are planned again",
    responses=errors.responses_for(
        401, 403, 404, 409, 422, s409="The new address is already settled."
    ),
)
def resolve(
    *,
    reference: str,
    body: schemas.Resolve,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    principal: Custodian,
) -> schemas.Settled:
    settled = unresolved.resolve(
        session=session,
        reference=reference,
        uprn=body.uprn,
        actor=principal.key_id,
        settings=settings,
        now=clock.now(),
    )
    return schemas.Settled.of(settled)


@router.post(
    "/{reference}/reject",
    response_model=schemas.Settled,
    summary="The address cannot be found: close the entry (nothing is sent)",
    responses=errors.responses_for(
        401, 403, 404, 409, 422, s409="The new address is already settled."
    ),
)
def reject(
    *,
    reference: str,
    body: schemas.Reject,
    session: SessionDep,
    clock: ClockDep,
    principal: Custodian,
) -> schemas.Settled:
    settled = unresolved.reject(
        session=session,
        reference=reference,
        reason=body.reason,
        actor=principal.key_id,
        now=clock.now(),
    )
    return schemas.Settled.of(settled)
