"""Data protection: the disclosure ledger (Art. 15, 19, 30), erasure (Art. 17) and retention.

* ``GET /v1/people/{subject_id}/disclosures`` (JSON, or ``?format=csv``): everything disclosed
  about a person; ``GET /v1/moves/{reference}/recipients``: whom to tell of a correction;
  ``GET /v1/agreements/{agreement_id}/processing-record``: DPO and admin keys.
* ``POST /v1/people/{subject_id}/erasure``: DPO keys only.
* ``POST /v1/retention/run``: admin keys only (the daily job, run on demand).
"""

from __future__ import annotations

from typing import Annotated, Literal

import fastapi

from api import errors
from api.deps import ClockDep, Principal, Role, SessionDep, SettingsDep, require_roles
from api.schemas import privacy as schemas
from notify import erasure, ledger, privacy, retention

router = fastapi.APIRouter(tags=["data protection"])
Reader = Annotated[Principal, require_roles(Role.DPO, Role.ADMIN)]
Dpo = Annotated[Principal, require_roles(Role.DPO)]
Admin = Annotated[Principal, require_roles(Role.ADMIN)]
SubjectId = Annotated[str, fastapi.Path(max_length=36, description="The person's subject id.")]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def _actor(principal: Principal) -> str:
    return f"api-key:{principal.key_id}"


@router.get(
    "/v1/people/{subject_id}/disclosures",
    response_model=schemas.PersonDisclosures,
    summary="Everything disclosed about a person (Art. 15)",
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        **errors.responses_for(401, 403, 404, s404="No person has this id (`person_not_found`)."),
    },
)
def get_disclosures(
    subject_id: SubjectId,
    session: SessionDep,
    _principal: Reader,
    response_format: Annotated[
        Literal["json", "csv"], fastapi.Query(alias="format", description="json or csv.")
    ] = "json",
) -> schemas.PersonDisclosures | fastapi.Response:
    """Every ledger line about the person, as the mover or a household member, oldest first."""
    found = ledger.person_disclosures(session=session, subject_id=subject_id)
    if response_format == "csv":
        return fastapi.Response(
            content=privacy.to_csv(found.entries),
            media_type=CSV_MEDIA_TYPE,
            headers={"content-disposition": f'attachment; filename="disclosures-{subject_id}.csv"'},
        )
    return schemas.PersonDisclosures.model_validate(found.as_json())


@router.get(
    "/v1/moves/{reference}/recipients",
    response_model=schemas.MoveRecipients,
    summary="Whom to tell of a correction or erasure (Art. 19)",
    responses=errors.responses_for(
        401, 403, 404, s404="No move has this reference (`move_not_found`)."
    ),
)
def get_recipients(
    reference: Annotated[str, fastapi.Path(max_length=20, description="COA-XXXX-XXXX.")],
    session: SessionDep,
    _principal: Reader,
) -> schemas.MoveRecipients:
    """Every recipient sent (or possibly sent) data from the move, with notices already sent."""
    document = ledger.move_recipients(session=session, reference=reference)
    return schemas.MoveRecipients.model_validate(document)


@router.get(
    "/v1/agreements/{agreement_id}/processing-record",
    response_model=schemas.ProcessingRecord,
    summary="Record of processing under an agreement (Art. 30)",
    responses=errors.responses_for(
        401, 403, 404, s404="No agreement has this id (`agreement_not_found`)."
    ),
)
def get_processing_record(
    agreement_id: Annotated[str, fastapi.Path(max_length=64)],
    session: SessionDep,
    settings: SettingsDep,
    _principal: Reader,
) -> schemas.ProcessingRecord:
    """Generated from the registry and the ledger: always what the hub does and did."""
    document = ledger.processing_record(
        session=session, agreement_id=agreement_id, periods=retention.periods_from(settings)
    )
    return schemas.ProcessingRecord.model_validate(document)


@router.post(
    "/v1/people/{subject_id}/erasure",
    response_model=schemas.Erasure,
    summary="Erase a person (Art. 17)",
    responses=errors.responses_for(
        401, 403, 404, 422, s404="No person has this id (`person_not_found`)."
    ),
)
def post_erasure(
    *,
    subject_id: SubjectId,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    principal: Dpo,
    body: schemas.ErasureCreate | None = None,
) -> schemas.Erasure:
    """Remove the person's data everywhere, tell earlier recipients, keep redacted ledger lines.

    Run it once the request has been assessed (Art. 17(3) exemptions are a human decision).
    Repeating it changes nothing and answers ``already_erased``.
    """
    report = erasure.erase_subject(
        session=session,
        subject_id=subject_id,
        authorised_by=_actor(principal),
        now=clock.now(),
        settings=settings,
        case_ref=body.case_ref if body else None,
    )
    return schemas.Erasure.model_validate(report.as_json())


@router.post(
    "/v1/retention/run",
    response_model=schemas.RetentionRun,
    summary="Run the retention job now",
    responses=errors.responses_for(401, 403),
)
def post_retention_run(
    session: SessionDep, settings: SettingsDep, clock: ClockDep, principal: Admin
) -> schemas.RetentionRun:
    """Purge every item past its retention period and return the counts."""
    report = retention.run(
        session=session,
        now=clock.now(),
        periods=retention.periods_from(settings),
        actor=_actor(principal),
    )
    return schemas.RetentionRun.model_validate(report.as_json())
