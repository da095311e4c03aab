"""Addresses: ``GET /v1/addresses/{uprn}``.

Every role may read addresses: a gazetteer entry describes a property, not a person, so it is
not personal data (the citizen journey and partners need lookups as much as staff do). A key
is still required, so use is attributable and can be revoked.

The route is the hub's busiest, so it does its blocking work (the one-statement lookup, the
document and its JSON) in one trip to the thread pool, on a bare connection (no ORM session
to open and close: about half of the lookup's time in-process), reads without a transaction
(no BEGIN and COMMIT round trips), and serialises the document once,
straight from its dataclasses: the body is byte for byte what :class:`schemas.Address` gives
(tests compare them), and the OpenAPI schema is still that model's. A lookup whose pooled
connection turns out lost (the database restarted) runs once more on a fresh one.
"""

from __future__ import annotations

from typing import Annotated, Final

import fastapi
import pydantic
import sqlalchemy as sa
from starlette import concurrency

from api import errors
from api.deps import PrincipalDep, SettingsDep
from api.schemas import addresses as schemas
from api.schemas import types
from core import db
from core.settings import Settings
from gazetteer import documents, service

router = fastapi.APIRouter(prefix="/v1/addresses", tags=["addresses"])

_DOCUMENT: Final = pydantic.TypeAdapter(documents.AddressDocument)


def document_json(document: documents.AddressDocument) -> bytes:
    """The document as ``GET /v1/addresses/{uprn}`` sends it."""
    return _DOCUMENT.dump_json(document)


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
async def get_address(
    uprn: Annotated[types.Uprn, fastapi.Path(description="The address's UPRN.")],
    request: fastapi.Request,
    settings: SettingsDep,
    _principal: PrincipalDep,
    language: Annotated[
        types.Language,
        fastapi.Query(description="Label language where the gazetteer has it (`CYM`, `GAE`)."),
    ] = "ENG",
) -> fastapi.Response:
    engine: sa.Engine = request.app.state.engine
    body = await concurrency.run_in_threadpool(
        db.retry_lost_connection, lambda: _lookup(engine, uprn, settings, language)
    )
    return fastapi.Response(content=body, media_type="application/json")


def _lookup(engine: sa.Engine, uprn: int, settings: Settings, language: str) -> bytes:
    """One read on a bare connection (no ORM session), without a transaction: its one
    statement is consistent on its own (PostgreSQL in autocommit; SQLite's driver runs it in
    a transaction of its own)."""
    with engine.connect() as connection:
        if not db.is_sqlite(connection):
            connection.execution_options(isolation_level="AUTOCOMMIT")  # this connection
        document = service.read_address(
            connection=connection, uprn=uprn, settings=settings, language=language
        )
    return document_json(document)
