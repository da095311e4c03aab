"""A partner service's register of the UPRNs it holds (``notify.uprn_register``).

* ``PUT /v1/services/{service_id}/uprns``: the whole register as it stands (replaces it);
* ``GET /v1/services/{service_id}/uprns``: the register, in UPRN order, paged with ``after``.

A partner key works on its own partner's services (another's is 404, as for endpoints); an
admin on all.
"""

from __future__ import annotations

from typing import Annotated

import fastapi
from sqlalchemy import orm

from api import errors
from api.deps import ClockDep, Principal, Role, SessionDep, require_roles
from api.schemas import uprn_register as schemas
from notify import uprn_register

router = fastapi.APIRouter(prefix="/v1/services", tags=["partner"])
Caller = Annotated[Principal, require_roles(Role.ADMIN, Role.PARTNER)]


def _own(session: orm.Session, principal: Principal, service_id: str) -> None:
    service = uprn_register.service_of(session, service_id)
    if principal.role == Role.PARTNER and service.partner_id != principal.partner_id:
        raise uprn_register.ServiceNotFound(f"no partner service {service_id}")


@router.put(
    "/{service_id:path}/uprns",
    response_model=schemas.UprnRegister,
    summary="Replace the register of UPRNs a service holds (it then hears of their changes)",
    responses=errors.responses_for(401, 403, 404, 422),
)
def replace_uprns(
    *,
    session: SessionDep,
    clock: ClockDep,
    principal: Caller,
    service_id: str,
    body: schemas.UprnList,
) -> schemas.UprnRegister:
    _own(session, principal, service_id)
    done = uprn_register.replace(session, partner_service_id=service_id, uprns=body.uprns,
                                 actor=principal.key_id, now=clock.now())  # fmt: skip
    return schemas.UprnRegister(partner_service_id=service_id, held=done.held, added=done.added,
                                ended=done.ended)  # fmt: skip


@router.get(
    "/{service_id:path}/uprns",
    response_model=schemas.UprnPage,
    summary="The UPRNs a service holds, in order",
    responses=errors.responses_for(401, 403, 404, 422),
)
def list_uprns(
    *,
    session: SessionDep,
    principal: Caller,
    service_id: str,
    after: Annotated[int, fastapi.Query(ge=0)] = 0,
    limit: Annotated[int, fastapi.Query(ge=1, le=10_000)] = 1000,
) -> schemas.UprnPage:
    _own(session, principal, service_id)
    found = uprn_register.held(session, partner_service_id=service_id, after=after,
                               limit=limit + 1)  # fmt: skip
    page = found[:limit]
    return schemas.UprnPage(partner_service_id=service_id, uprns=page,
                            next_after=page[-1] if len(found) > limit else None)  # fmt: skip
