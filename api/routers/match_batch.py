"""Batch matching: up to 30,000 rows matched in the background, then fetched with the job.

The job is stored in the request's transaction; matching starts once the response is sent
(a background task of the serving process) and commits its progress every 500 rows.
"""

from __future__ import annotations

import fastapi

from api import errors
from api.deps import ClockDep, PrincipalDep, SessionDep, SettingsDep
from api.schemas import match_reviews as schemas
from gazetteer import batch

router = fastapi.APIRouter(prefix="/v1/addresses/match/batch", tags=["addresses"])


@router.post(
    "",
    status_code=202,
    response_model=schemas.BatchJob,
    summary="Match up to 30,000 rows in the background; poll the job for results",
    responses=errors.responses_for(401, 422),
)
def start_batch(
    body: schemas.BatchRequest,
    *,
    request: fastapi.Request,
    tasks: fastapi.BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    _principal: PrincipalDep,
) -> schemas.BatchJob:
    job = batch.create_job(
        session=session, rows=body.rows, address_column=body.address_column, clock=clock
    )
    tasks.add_task(
        batch.run_job,
        factory=request.app.state.session_factory,
        job_id=job.id,
        settings=settings,
        clock=clock,
    )
    return schemas.BatchJob.from_job(job)


@router.get(
    "/{job_id}",
    response_model=schemas.BatchJob,
    summary="A batch job: status, progress and, when done, the results",
    responses=errors.responses_for(401, 404),
)
def get_batch(job_id: str, session: SessionDep, _principal: PrincipalDep) -> schemas.BatchJob:
    return schemas.BatchJob.from_job(batch.get_job(session=session, job_id=job_id))
