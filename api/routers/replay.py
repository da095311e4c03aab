"""Dead letters, replayed by their partner (or an admin) as an operator would from the command
line (sharing-and-delivery §6.7), each audited with the API key that asked:

* ``POST /v1/deliveries/{id}/resend``: one dead delivery, from attempt 1 (same id, webhook-id
  and sequence; the recheck runs again before it goes);
* ``POST /v1/endpoints/{id}/recover``: every dead delivery of an endpoint, or those that died
  at or after ``since``, in lane order.

A partner key reaches only its own deliveries and endpoints (another's is 404).
"""

from __future__ import annotations

from typing import Annotated

import fastapi

from api import errors
from api.deps import ClockDep, Principal, Role, SessionDep, partner_scope, require_roles
from api.schemas import partner as schemas
from notify import delivery_errors, delivery_service
from notify import endpoints as endpoint_service
from notify.tables import outbox

router = fastapi.APIRouter(prefix="/v1", tags=["partner"])
Caller = Annotated[Principal, require_roles(Role.ADMIN, Role.PARTNER)]


@router.post(
    "/deliveries/{delivery_id}/resend",
    response_model=schemas.Resent,
    summary="Resend a dead delivery from attempt 1 (same id and webhook-id)",
    responses=errors.responses_for(401, 403, 404, 409),
)
def resend(
    *, session: SessionDep, clock: ClockDep, principal: Caller, delivery_id: str
) -> schemas.Resent:
    delivery = session.get(outbox.Delivery, delivery_id)
    scope = partner_scope(principal)
    if delivery is None or scope not in (None, delivery.partner_id):
        raise delivery_errors.DeliveryNotFound(f"no delivery {delivery_id}")
    delivery_service.resend(session=session, delivery_id=delivery_id, actor=principal.key_id,
                            reason="asked through the API", now=clock.now())  # fmt: skip
    return schemas.Resent(resent=[delivery_id])


@router.post(
    "/endpoints/{endpoint_id}/recover",
    response_model=schemas.Resent,
    summary="Resend every dead delivery of an endpoint (since a time, or all), in order",
    responses=errors.responses_for(401, 403, 404, 422),
)
def recover(
    *,
    session: SessionDep,
    clock: ClockDep,
    principal: Caller,
    endpoint_id: str,
    body: schemas.Recover,
) -> schemas.Resent:
    endpoint_service.owned(
        session=session, endpoint_id=endpoint_id, partner_id=partner_scope(principal)
    )
    resent = delivery_service.recover(session=session, endpoint_id=endpoint_id, since=body.since,
                                      actor=principal.key_id, reason="asked through the API",
                                      now=clock.now())  # fmt: skip
    return schemas.Resent(resent=resent)
