"""Address history: ``GET /v1/addresses/{uprn}/history`` (the gazetteer change log)."""

from __future__ import annotations

from typing import Annotated

import fastapi

from api import errors
from api.deps import PrincipalDep, SessionDep
from api.schemas import loads as schemas
from api.schemas import types
from loaders import changes

router = fastapi.APIRouter(prefix="/v1/addresses", tags=["addresses"])


@router.get(
    "/{uprn}/history",
    response_model=schemas.History,
    summary="What loads did to one address",
    responses=errors.responses_for(
        401, 404, s404="No address has this UPRN and no change names it (`address_not_found`)."
    ),
)
def get_history(
    uprn: Annotated[types.Uprn, fastapi.Path(description="The address's UPRN.")],
    session: SessionDep,
    _principal: PrincipalDep,
) -> schemas.History:
    """Every change loads recorded for the UPRN, oldest first."""
    entries = changes.address_history(session=session, uprn=uprn)
    return schemas.History(
        uprn=uprn, changes=[schemas.Change.model_validate(entry) for entry in entries]
    )
