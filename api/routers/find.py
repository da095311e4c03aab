"""Finding addresses: by postcode, search, lookup of many UPRNs, and matching typed input.

Included before the ``/v1/addresses/{uprn}`` router so that ``/v1/addresses/search`` and the
other fixed paths are not read as a UPRN.
"""

from __future__ import annotations

from typing import Annotated

import fastapi

from api import errors
from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.schemas import addresses as address_schemas
from api.schemas import find as schemas
from api.schemas import types
from gazetteer import find, service
from gazetteer.errors import AddressNotFound

router = fastapi.APIRouter(prefix="/v1/addresses", tags=["addresses"])


def filters(
    *,
    classification: Annotated[
        str | None,
        fastapi.Query(description="Classification code prefix, e.g. `RD` or `RD*` (residential)."),
    ] = None,
    logical_status: Annotated[
        str | None, fastapi.Query(description="BLPU logical status, e.g. `1` (approved).")
    ] = None,
    include_historical: Annotated[
        bool, fastapi.Query(description="Include historical labels and retired properties.")
    ] = False,
    custodian: Annotated[
        int | None, fastapi.Query(description="Local custodian code of the BLPU.")
    ] = None,
    language: Annotated[
        str | None, fastapi.Query(description="Label language, `ENG` or `CYM`.")
    ] = None,
    dataset: Annotated[
        list[schemas.Dataset] | None,
        fastapi.Query(description="Label sources: `lpi` (geographic), `dpa` (postal), `listed`."),
    ] = None,
) -> find.Filters:
    return find.Filters(
        classification=classification,
        logical_status=logical_status,
        include_historical=include_historical,
        custodian=custodian,
        language=language,
        datasets=tuple(dataset) if dataset else find.Filters().datasets,
    )


FiltersDep = Annotated[find.Filters, fastapi.Depends(filters)]


@router.get(
    "",
    response_model=schemas.AddressList,
    summary="Every address at a postcode, in natural order",
    responses=errors.responses_for(401, 422),
)
def at_postcode(
    postcode: Annotated[types.Postcode, fastapi.Query(description="The postcode, any spacing.")],
    session: SessionDep,
    _principal: PrincipalDep,
    chosen: FiltersDep,
) -> schemas.AddressList:
    found = find.addresses_at_postcode(session=session, postcode=postcode, filters=chosen)
    return schemas.AddressList(
        count=len(found), addresses=[schemas.AddressSummary.from_summary(a) for a in found]
    )


@router.get(
    "/search",
    response_model=schemas.SearchPage,
    summary="Search addresses (typeahead): ranked, with highlight spans",
    responses=errors.responses_for(401, 422),
)
def search(
    q: Annotated[str, fastapi.Query(min_length=1, max_length=200, description="Typed text.")],
    *,
    session: SessionDep,
    settings: SettingsDep,
    _principal: PrincipalDep,
    chosen: FiltersDep,
    limit: Annotated[int, fastapi.Query(ge=1, le=100)] = 10,
    offset: Annotated[int, fastapi.Query(ge=0, le=1000)] = 0,
) -> schemas.SearchPage:
    page = find.search(
        session=session, q=q, settings=settings, filters=chosen, limit=limit, offset=offset
    )
    return schemas.SearchPage(
        query=q,
        total=page.total,
        limit=limit,
        offset=offset,
        results=[schemas.AddressSummary.from_summary(r) for r in page.results],
    )


@router.post(
    "/match",
    response_model=schemas.MatchResponse,
    summary="Match one typed address to a UPRN, with evidence and a status",
    responses=errors.responses_for(401, 422),
)
def match(
    body: schemas.MatchRequest,
    session: SessionDep,
    settings: SettingsDep,
    _principal: PrincipalDep,
    chosen: FiltersDep,
) -> schemas.MatchResponse:
    result = find.match_address(
        session=session, text=body.as_text(), settings=settings, filters=chosen, limit=body.limit
    )
    return schemas.MatchResponse.from_result(result)


@router.post(
    "/lookup",
    response_model=schemas.LookupResponse,
    summary="Many addresses by UPRN (up to 100)",
    responses=errors.responses_for(401, 422),
)
def lookup(
    body: schemas.LookupRequest,
    session: SessionDep,
    settings: SettingsDep,
    _principal: PrincipalDep,
    language: Annotated[address_schemas.Language, fastapi.Query()] = "ENG",
) -> schemas.LookupResponse:
    found, missing = [], []
    for uprn in dict.fromkeys(body.uprns):
        try:
            document = service.get_address(
                session=session, uprn=uprn, settings=settings, language=language
            )
        except AddressNotFound:
            missing.append(uprn)
            continue
        found.append(address_schemas.Address.from_document(document))
    return schemas.LookupResponse(addresses=found, missing=missing)
