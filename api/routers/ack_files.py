"""``POST /v1/acks/import``: business acknowledgements as a CSV (``notify.ack_import``), for a
back office that takes its events by file drop. A partner key only (its own deliveries); the
file applies whole or not at all, every failed row listed with its line.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final

import fastapi
from sqlalchemy import orm

from api import errors
from api.deps import ClockDep, Principal, Role, SessionDep, require_roles
from api.schemas import partner as schemas
from notify import ack_import

router = fastapi.APIRouter(prefix="/v1", tags=["partner"])
PartnerKey = Annotated[Principal, require_roles(Role.PARTNER)]
MAX_BYTES: Final = 10 * 1024 * 1024
_CSV_BODY: Final = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "Header row with event_id and outcome; reason_code, message, message_cy "
        "and partner_case_ref may follow.",
    }
}


@router.post(
    "/acks/import",
    response_model=schemas.AcksImported,
    summary="Acknowledge many deliveries from a CSV (all rows or none)",
    responses=errors.responses_for(401, 403, 413, 422),
    openapi_extra=_CSV_BODY,
)
async def import_acks(
    *, request: fastapi.Request, session: SessionDep, clock: ClockDep, principal: PartnerKey
) -> schemas.AcksImported:
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise fastapi.HTTPException(status_code=413, detail="the file is larger than 10 MiB")
    done = await fastapi.concurrency.run_in_threadpool(_import, session, body, principal,
                                                       clock.now())  # fmt: skip
    return schemas.AcksImported(created=done.created, unchanged=done.unchanged)


def _import(
    session: orm.Session, body: bytes, principal: Principal, now: dt.datetime
) -> ack_import.Imported:
    rows = ack_import.parse(_text(body), partner_id=principal.partner_id or "")
    return ack_import.apply(session, rows=rows, actor=principal.key_id, now=now)


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ack_import.AckFileRefused("the file is not UTF-8 text") from exc
