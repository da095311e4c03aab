"""Loads: ``POST /v1/loads``, ``GET /v1/loads``, ``GET /v1/loads/{id}`` (custodian and admin).

A load is posted as a form: the ``format`` and the options its command would take, with the
files either uploaded (``files``) or named as server-side paths (``paths``) under the
directory ``ADDRESSHUB_LOAD_DIRECTORY`` allows. The load runs within the request and answers
201 with its report; a refused source answers 422 listing each finding under ``errors``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import fastapi

from api import errors
from api.deps import Principal, Role, SessionDep, SettingsDep, require_roles
from api.schemas import loads as schemas
from core.errors import SupplyRefused
from core.settings import Settings
from loaders import changes
from loaders.sources import errors as source_errors
from loaders.sources import pipeline, requests

router = fastapi.APIRouter(prefix="/v1/loads", tags=["loads"])
Custodian = Annotated[Principal, require_roles(Role.CUSTODIAN, Role.ADMIN)]
Text = Annotated[str | None, fastapi.Form()]


@router.post(
    "",
    status_code=201,
    response_model=schemas.LoadReport,
    summary="Load a supply or source",
    responses=errors.responses_for(
        401,
        403,
        422,
        s403="Not a custodian key, or a path outside the load directory.",
        s422="Bad options, or the source was refused (each finding under `errors`).",
    ),
)
def post_load(
    *,
    request: fastapi.Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: Custodian,
    load_format: Annotated[
        str, fastapi.Form(alias="format", description=", ".join(requests.FORMATS))
    ],
    files: Annotated[list[fastapi.UploadFile] | None, fastapi.File()] = None,
    paths: Annotated[list[str] | None, fastapi.Form()] = None,
    uprn_column: Text = None,
    address_column: Text = None,
    postcode_column: Text = None,
    x_column: Text = None,
    y_column: Text = None,
    lat_column: Text = None,
    lon_column: Text = None,
    list_name: Text = None,
    area_type: Text = None,
    code_property: Text = None,
    name_property: Text = None,
    version: Text = None,
    strict: Annotated[bool, fastapi.Form()] = False,
    replace_all: Annotated[
        bool,
        fastapi.Form(
            description="abp and dtf: let a full supply delete the records of custodians it "
            "does not carry, as `addresshub load abp --replace-all`.",
        ),
    ] = False,
    tile: Annotated[
        str | None,
        fastapi.Form(
            max_length=12,
            description="abp only: the 5 km tile of a tile change-only supply, as "
            "`addresshub load abp --tile` (default: from the file names).",
        ),
    ] = None,
) -> Any:
    """Run one load now and return its report (the shape of ``addresshub load ... --json``)."""
    load = requests.LoadRequest(
        format=load_format,
        uprn_column=uprn_column,
        address_column=address_column,
        postcode_column=postcode_column,
        x_column=x_column,
        y_column=y_column,
        lat_column=lat_column,
        lon_column=lon_column,
        list_name=list_name,
        area_type=area_type,
        code_property=code_property,
        name_property=name_property,
        version=version,
        strict=strict,
        requested_by=f"api:{principal.key_id}",
        tile=tile,
        replace_all=replace_all,
    )
    if load.format in requests.SUPPLY_FORMATS:
        session.commit()  # supply loads run their own transactions; release this one's locks
    with _sources(files or [], paths or [], settings) as found:
        try:
            return requests.run(
                session=session,
                session_factory=request.app.state.session_factory,
                request=load,
                paths=found,
                report_dir=pipeline.DEFAULT_REPORT_DIR,
            )
        except SupplyRefused as exc:
            session.rollback()
            return _refused(exc, request.url.path)


@router.get("", response_model=list[schemas.LoadRun], summary="Recent load runs")
def list_loads(
    session: SessionDep,
    _principal: Custodian,
    limit: Annotated[int, fastapi.Query(ge=1, le=500)] = 50,
    offset: Annotated[int, fastapi.Query(ge=0)] = 0,
) -> list[schemas.LoadRun]:
    """The newest load runs first."""
    runs = changes.list_runs(session=session, limit=limit, offset=offset)
    return [schemas.LoadRun.model_validate(run) for run in runs]


@router.get(
    "/{run_id}",
    response_model=schemas.LoadRun,
    summary="One load run and its report",
    responses=errors.responses_for(401, 403, 404, s404="No such run (`load_run_not_found`)."),
)
def get_load(run_id: str, session: SessionDep, _principal: Custodian) -> schemas.LoadRun:
    return schemas.LoadRun.model_validate(changes.get_run(session=session, run_id=run_id))


@contextmanager
def _sources(
    uploads: list[fastapi.UploadFile], named: list[str], settings: Settings
) -> Iterator[list[Path]]:
    """The uploads saved under their own names in a private directory, then the named paths."""
    with tempfile.TemporaryDirectory(prefix="addresshub-load-") as directory:
        saved: list[Path] = []
        for number, upload in enumerate(uploads):
            name = Path(upload.filename or f"upload-{number}").name or f"upload-{number}"
            target = Path(directory) / f"{number:03d}" / name
            target.parent.mkdir()
            with target.open("wb") as out:
                shutil.copyfileobj(upload.file, out)
            saved.append(target)
        saved += [requests.allowed_path(raw, directory=settings.load_directory) for raw in named]
        if not saved:
            raise source_errors.InvalidSourceOptions("upload files or name server-side paths")
        yield saved


def _refused(exc: SupplyRefused, instance: str) -> fastapi.Response:
    found = exc.details.get("findings") or []
    items = [
        errors.ProblemItem(
            location=[str(f.get("file") or ""), int(f.get("line") or 0), str(f.get("field") or "")],
            message=str(f.get("message") or ""),
            type=str(f.get("code") or ""),
        )
        for f in found
        if isinstance(f, dict)
    ]
    body = errors.problem(
        code=exc.code,
        title=exc.title,
        status=exc.http_status,
        detail=exc.message,
        instance=instance,
        items=items,
    )
    return errors.response(body)
