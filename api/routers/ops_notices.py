"""Operational notices: ``GET /v1/ops-notices``.

A partner key sees its own partner's notices (an endpoint of its disabled, failing or
recovered, a delivery exhausted), an admin every one. The same notices go out as signed
operational webhooks (:mod:`notify.ops_notices`).
"""

from __future__ import annotations

from typing import Annotated

import fastapi

from api import errors
from api.deps import Principal, Role, SessionDep, require_roles
from api.schemas import ops_notices as schemas
from notify import ops_notices, paging

router = fastapi.APIRouter(prefix="/v1", tags=["partner"])
Reader = Annotated[Principal, require_roles(Role.ADMIN, Role.PARTNER)]


@router.get(
    "/ops-notices",
    response_model=schemas.OpsNoticePage,
    summary="Operational notices: a partner's own (admins see all)",
    responses=errors.responses_for(401, 403, 422),
)
def list_notices(
    *,
    session: SessionDep,
    principal: Reader,
    kind: Annotated[
        schemas.NoticeKind | None, fastapi.Query(description="Only notices of this kind.")
    ] = None,
    after: Annotated[str | None, fastapi.Query(max_length=36)] = None,
    limit: Annotated[int, fastapi.Query(ge=1, le=paging.MAX_PAGE)] = 100,
) -> schemas.OpsNoticePage:
    partner_id = (principal.partner_id or "") if principal.role == Role.PARTNER else None
    page = ops_notices.listing(
        session=session, partner_id=partner_id, kind=kind, after=after, limit=limit
    )
    return schemas.OpsNoticePage(
        items=[schemas.OpsNotice.model_validate(n, from_attributes=True) for n in page.items],
        next_cursor=page.next_cursor,
    )
