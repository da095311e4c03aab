"""One entry point for every load format, for callers that hold a request (the HTTP API).

``run`` dispatches to the source loaders here (in the caller's session) or to the supply
loader (:func:`loaders.service.load`, which owns one transaction per supply) and returns the
report in issue 3's shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sqlalchemy import orm

from core import db
from loaders import service as supplies
from loaders.readers import listed
from loaders.sources import errors, pipeline, report, service

SOURCE_FORMATS: Final = ("codepoint", "open-uprn", "csv", "areas")
SUPPLY_FORMATS: Final = ("abp", "dtf")
FORMATS: Final = SOURCE_FORMATS + SUPPLY_FORMATS


@dataclass(frozen=True, kw_only=True, slots=True)
class LoadRequest:
    """A load as asked for: the format and the options its command line would take."""

    format: str
    uprn_column: str | None = None
    address_column: str | None = None
    postcode_column: str | None = None
    x_column: str | None = None
    y_column: str | None = None
    lat_column: str | None = None
    lon_column: str | None = None
    list_name: str | None = None
    area_type: str | None = None
    code_property: str | None = None
    name_property: str | None = None
    version: str | None = None
    strict: bool = False
    requested_by: str | None = None
    tile: str | None = None  # abp only: a 5 km tile COU's tile, as ``load abp --tile``
    replace_all: bool = False  # abp and dtf: as ``load abp|dtf --replace-all``


def allowed_path(raw: str, *, directory: Path | None) -> Path:
    """``raw`` resolved, if it lies under ``directory``; LoadPathNotAllowed otherwise."""
    if directory is None:
        raise errors.LoadPathNotAllowed(
            "server-side paths are not enabled: upload the file, or set ADDRESSHUB_LOAD_DIRECTORY"
        )
    root, path = directory.resolve(), (directory / raw).resolve()
    if not path.is_relative_to(root):
        raise errors.LoadPathNotAllowed(f"{raw!r} is outside the load directory")
    if not path.exists():
        raise errors.SourceUnreadable(f"{raw!r} does not exist in the load directory")
    return path


def run(
    *,
    session: orm.Session,
    session_factory: db.SessionFactory,
    request: LoadRequest,
    paths: Sequence[Path],
    report_dir: Path,
) -> dict[str, Any]:
    """Load ``paths`` as ``request`` says; the report as JSON."""
    if request.tile is not None and request.format != "abp":
        raise errors.InvalidSourceOptions("a tile is given only with an abp supply")
    if request.format in SUPPLY_FORMATS:
        return _supply(session_factory, request, paths, report_dir)
    if request.format not in SOURCE_FORMATS:
        raise errors.UnknownLoadFormat(
            f"load format {request.format!r} is not one of {', '.join(FORMATS)}"
        )
    job = pipeline.Job(session=session, report_dir=report_dir, requested_by=request.requested_by)
    return _source(job, request, paths).as_json()


def _supply(
    session_factory: db.SessionFactory,
    request: LoadRequest,
    paths: Sequence[Path],
    report_dir: Path,
) -> dict[str, Any]:
    outcome = supplies.load(
        session_factory=session_factory,
        fmt=request.format,
        paths=paths,
        report_path=report_dir / f"{request.format}-{pipeline.new_run_id()}.csv",
        options=supplies.LoadOptions(
            strict=request.strict,
            requested_by=request.requested_by,
            tile=request.tile,
            replace_all=request.replace_all,
        ),
    )
    return outcome.as_json()


def _source(job: pipeline.Job, request: LoadRequest, paths: Sequence[Path]) -> report.LoadReport:
    if request.format == "codepoint":
        return service.load_codepoint(job=job, paths=paths)
    if len(paths) != 1:
        raise errors.InvalidSourceOptions(f"this format takes one file, not {len(paths)}")
    path = paths[0]
    if request.format == "open-uprn":
        return service.load_open_uprn(job=job, path=path)
    if request.format == "csv":
        return service.load_listed(
            job=job, path=path, columns=_columns(request), list_name=request.list_name
        )
    return service.load_areas(
        job=job,
        path=path,
        area_type=_required(request.area_type, "area_type"),
        code_property=_required(request.code_property, "code_property"),
        name_property=_required(request.name_property, "name_property"),
        version=request.version,
    )


def _required(value: str | None, name: str) -> str:
    if not value:
        raise errors.InvalidSourceOptions(f"{name} is required for this format")
    return value


def _columns(request: LoadRequest) -> listed.ListedColumns:
    return listed.ListedColumns(
        uprn=_required(request.uprn_column, "uprn_column"),
        address=_required(request.address_column, "address_column"),
        postcode=request.postcode_column,
        x=request.x_column,
        y=request.y_column,
        latitude=request.lat_column,
        longitude=request.lon_column,
    )
