"""Addresses: ``GET /v1/addresses/{uprn}``.

Every role may read addresses: a gazetteer entry describes a property, not a person, so it is
not personal data (the citizen journey and partners need lookups as much as staff do). A key
is still required, so use is attributable and can be revoked.
"""

from __future__ import annotations

from typing import Annotated

import fastapi

from api import errors
from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.schemas import addresses as schemas
from api.schemas import types
from gazetteer import service

router = fastapi.APIRouter(prefix="/v1/addresses", tags=["addresses"])


@router.get(
    "/{uprn}",
    response_model=schemas.Address,
    summary="One address by UPRN",
    responses=errors.responses_for(
        401,
        404,
        422,
        s404="No address has this UPRN (`address_not_found`).",
        s422="The UPRN is not 1 to 999 999 999 999 (`invalid_uprn`).",
    ),
)
def get_address(
    uprn: Annotated[types.Uprn, fastapi.Path(description="The address's UPRN.")],
    session: SessionDep,
    settings: SettingsDep,
    _principal: PrincipalDep,
    language: Annotated[
        schemas.Language,
        fastapi.Query(description="Label language: `CYM` for Welsh where the gazetteer has it."),
    ] = "ENG",
) -> schemas.Address:
    document = service.get_address(session=session, uprn=uprn, settings=settings, language=language)
    return schemas.Address.from_document(document)
