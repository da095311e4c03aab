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
from core.errors import InvalidInput
from gazetteer import find, service, spatial
from gazetteer.errors import AddressNotFound

router = fastapi.APIRouter(tags=["addresses"])


def filters(
    *,
    classification: Annotated[
        str | None,
        fastapi.Query(description="Classification code prefix, e.g. `RD` or `RD*` (residential)."),
    ] = None,
    logical_status: Annotated[
        str | None,
        fastapi.Query(
            pattern="^[156789]$",
            description="BLPU logical status: `1` approved, `5` candidate, `6` provisional, "
            "`7` rejected (internal), `8` historical, `9` rejected.",
        ),
    ] = None,
    include_historical: Annotated[
        bool, fastapi.Query(description="Include historical labels and retired properties.")
    ] = False,
    custodian: Annotated[
        int | None, fastapi.Query(description="Local custodian code of the BLPU.")
    ] = None,
    language: Annotated[
        types.Language | None,
        fastapi.Query(
            description="Label language: `ENG`, `CYM` (Welsh), `GAE` (Scottish Gaelic), or the "
            "older `COR`, `GLE`, `ULL`; any case."
        ),
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
    "/v1/addresses",
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
    "/v1/addresses/search",
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
    "/v1/addresses/match",
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
    "/v1/addresses/lookup",
    response_model=schemas.LookupResponse,
    summary="Many addresses by UPRN (up to 100)",
    responses=errors.responses_for(401, 422),
)
def lookup(
    body: schemas.LookupRequest,
    session: SessionDep,
    settings: SettingsDep,
    _principal: PrincipalDep,
    language: Annotated[types.Language, fastapi.Query()] = "ENG",
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


Srs = Annotated[
    int,
    fastapi.Query(
        description="27700: eastings/northings in metres; 4326: longitude/latitude.",
        json_schema_extra={"enum": [27700, 4326]},
    ),
]


def _placed(found: list[spatial.PlacedAddress]) -> schemas.PlacedList:
    return schemas.PlacedList(
        count=len(found), addresses=[schemas.PlacedAddress.from_placed(p) for p in found]
    )


@router.get(
    "/v1/addresses/nearest",
    response_model=schemas.PlacedList,
    summary="The addresses nearest a point, optionally within a radius",
    responses=errors.responses_for(401, 422),
)
def nearest(
    session: SessionDep,
    _principal: PrincipalDep,
    chosen: FiltersDep,
    *,
    x: Annotated[float | None, fastapi.Query(description="Easting (27700) or longitude.")] = None,
    y: Annotated[float | None, fastapi.Query(description="Northing (27700) or latitude.")] = None,
    lat: Annotated[float | None, fastapi.Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, fastapi.Query(ge=-180, le=180)] = None,
    n: Annotated[int, fastapi.Query(ge=1, le=100)] = 10,
    radius: Annotated[float | None, fastapi.Query(gt=0, le=50_000, description="Metres.")] = None,
    srs: Srs = 27700,
) -> schemas.PlacedList:
    if lat is not None and lon is not None:
        point, input_srid = (lon, lat), 4326
    elif x is not None and y is not None:
        point, input_srid = (x, y), srs
    else:
        raise InvalidInput("give x and y, or lat and lon")
    east, north = spatial.to_bng(*point, input_srid)
    found = spatial.nearest(
        session=session, x=east, y=north, srid=27700, limit=n, radius=radius, filters=chosen
    )
    return _placed([spatial.reproject(p, srs) for p in found])


@router.get(
    "/v1/addresses/within",
    response_model=schemas.PlacedList,
    summary="The addresses inside a bounding box",
    responses=errors.responses_for(401, 422),
)
def within_bbox(
    bbox: Annotated[str, fastapi.Query(description="min x, min y, max x, max y in `srs`.")],
    session: SessionDep,
    _principal: PrincipalDep,
    chosen: FiltersDep,
    *,
    srs: Srs = 27700,
    limit: Annotated[int, fastapi.Query(ge=1, le=spatial.MAX_RESULTS)] = 100,
) -> schemas.PlacedList:
    try:
        box = [float(part) for part in bbox.split(",")]
    except ValueError as exc:
        raise InvalidInput("bbox must be four numbers separated by commas") from exc
    found = spatial.within_bbox(session=session, bbox=box, srid=srs, limit=limit, filters=chosen)
    return _placed(found)


@router.post(
    "/v1/addresses/within",
    response_model=schemas.PlacedList,
    summary="The addresses inside a GeoJSON polygon",
    responses=errors.responses_for(401, 422),
)
def within_polygon(
    body: schemas.PolygonQuery,
    session: SessionDep,
    _principal: PrincipalDep,
    chosen: FiltersDep,
) -> schemas.PlacedList:
    found = spatial.within_polygon(
        session=session, polygon=body.geometry, srid=body.srs, limit=body.limit, filters=chosen
    )
    return _placed(found)


@router.get(
    "/v1/addresses/{uprn}/areas",
    response_model=schemas.AreaList,
    summary="Every loaded boundary containing the address",
    responses=errors.responses_for(401, 404, 422),
)
def areas(
    uprn: Annotated[types.Uprn, fastapi.Path()], session: SessionDep, _principal: PrincipalDep
) -> schemas.AreaList:
    found = spatial.areas_of(session=session, uprn=uprn)
    return schemas.AreaList(
        uprn=uprn, areas=[schemas.Area(type=a.type, code=a.code, name=a.name) for a in found]
    )


@router.get(
    "/v1/streets/{usrn}",
    response_model=schemas.StreetWithAddresses,
    summary="A street with its addresses in natural order",
    tags=["streets"],
    responses=errors.responses_for(401, 404, 422),
)
def street(
    usrn: Annotated[types.Usrn, fastapi.Path()],
    session: SessionDep,
    _principal: PrincipalDep,
    chosen: FiltersDep,
) -> schemas.StreetWithAddresses:
    return schemas.StreetWithAddresses.from_street(
        find.street(session=session, usrn=usrn, filters=chosen)
    )


@router.get(
    "/v1/areas/{area_type}/{code}/addresses",
    response_model=schemas.PlacedList,
    summary="The addresses inside a loaded boundary",
    tags=["areas"],
    responses=errors.responses_for(401, 404, 422),
)
def area_addresses(
    area_type: Annotated[str, fastapi.Path(max_length=40, description="ward, parish ...")],
    code: Annotated[str, fastapi.Path(max_length=40)],
    session: SessionDep,
    _principal: PrincipalDep,
    chosen: FiltersDep,
    *,
    srs: Srs = 27700,
    limit: Annotated[int, fastapi.Query(ge=1, le=spatial.MAX_RESULTS)] = 100,
) -> schemas.PlacedList:
    found = spatial.addresses_in_area(
        session=session, area_type=area_type, code=code, srid=srs, limit=limit, filters=chosen
    )
    return _placed(found)
