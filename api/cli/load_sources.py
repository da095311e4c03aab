"""``addresshub load codepoint|open-uprn|csv|areas``: the open and council sources.

Importing this module registers its commands on :data:`api.cli.load.load_app`.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from api.cli import common
from api.cli.load import load_app

if TYPE_CHECKING:  # imported when a load runs: every other command starts without them
    from loaders.sources import pipeline, report

# loaders.sources.pipeline.DEFAULT_REPORT_DIR and loaders.readers.areas.AREA_TYPES (held equal
# by a test), here so that the options are built without importing the loaders.
DEFAULT_REPORT_DIR: Final = Path("var/reports")
AREA_TYPES: Final = ("ward", "parish", "district", "county", "police", "health", "custom")

ReportDirOption = Annotated[
    Path,
    typer.Option("--report-dir", help="Where the findings CSV of a load is written."),
]
RequestedByOption = Annotated[
    str | None, typer.Option("--requested-by", help="Who asked for the load (kept on the run).")
]


@load_app.command("codepoint")
def load_codepoint(
    paths: Annotated[list[Path], typer.Argument(help="Code-Point Open area CSVs or zips.")],
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
    report_dir: ReportDirOption = DEFAULT_REPORT_DIR,
    requested_by: RequestedByOption = None,
) -> None:
    """Load Code-Point Open (no header row); replaces the postcode areas the files carry."""
    from loaders.sources import service

    with _job(database_url, report_dir, requested_by, as_json) as job:
        load = service.load_codepoint(job=job, paths=paths)
    _emit(load, "postcode", as_json)


@load_app.command("open-uprn")
def load_open_uprn(
    path: Annotated[Path, typer.Argument(help="An OS Open UPRN CSV (or its zip).")],
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
    report_dir: ReportDirOption = DEFAULT_REPORT_DIR,
    requested_by: RequestedByOption = None,
) -> None:
    """Load an OS Open UPRN release: a full snapshot, diffed by UPRN."""
    from loaders.sources import service

    with _job(database_url, report_dir, requested_by, as_json) as job:
        load = service.load_open_uprn(job=job, path=path)
    _emit(load, "open_uprn", as_json)


@load_app.command("csv")
def load_csv(
    path: Annotated[Path, typer.Argument(help="A CSV with a header row.")],
    *,
    uprn_column: Annotated[str, typer.Option(help="Header of the UPRN column.")],
    address_column: Annotated[str, typer.Option(help="Header of the address column.")],
    postcode_column: Annotated[
        str | None, typer.Option(help="Header of a postcode column.")
    ] = None,
    x_column: Annotated[str | None, typer.Option(help="Easting column (EPSG:27700).")] = None,
    y_column: Annotated[str | None, typer.Option(help="Northing column (EPSG:27700).")] = None,
    lat_column: Annotated[str | None, typer.Option(help="Latitude column (WGS84).")] = None,
    lon_column: Annotated[str | None, typer.Option(help="Longitude column (WGS84).")] = None,
    list_name: Annotated[str | None, typer.Option(help="List name (default: file stem).")] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
    report_dir: ReportDirOption = DEFAULT_REPORT_DIR,
    requested_by: RequestedByOption = None,
) -> None:
    """Load a council address list (electoral, council tax, CRM); replaces the list whole."""
    from loaders.readers import listed
    from loaders.sources import service

    columns = listed.ListedColumns(
        uprn=uprn_column,
        address=address_column,
        postcode=postcode_column,
        x=x_column,
        y=y_column,
        latitude=lat_column,
        longitude=lon_column,
    )
    with _job(database_url, report_dir, requested_by, as_json) as job:
        load = service.load_listed(job=job, path=path, columns=columns, list_name=list_name)
    _emit(load, "listed_address", as_json)


@load_app.command("areas")
def load_areas(
    path: Annotated[Path, typer.Argument(help="A GeoJSON FeatureCollection of polygons.")],
    *,
    area_type: Annotated[str, typer.Option("--type", help=f"One of {', '.join(AREA_TYPES)}.")],
    code_property: Annotated[str, typer.Option(help="Feature property holding the code.")],
    name_property: Annotated[str, typer.Option(help="Feature property holding the name.")],
    version: Annotated[str | None, typer.Option(help="A version label for this set.")] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
    report_dir: ReportDirOption = DEFAULT_REPORT_DIR,
    requested_by: RequestedByOption = None,
) -> None:
    """Load boundary polygons (any declared CRS, stored in EPSG:27700), upserted by code."""
    from loaders.sources import service

    with _job(database_url, report_dir, requested_by, as_json) as job:
        load = service.load_areas(
            job=job,
            path=path,
            area_type=area_type,
            code_property=code_property,
            name_property=name_property,
            version=version,
        )
    _emit(load, "area", as_json)


@contextlib.contextmanager
def _job(
    database_url: str | None, report_dir: Path, requested_by: str | None, as_json: bool
) -> Iterator[pipeline.Job]:
    from loaders.sources import errors, pipeline

    settings = common.settings_for(database_url)
    try:
        with _status(quiet=as_json), common.session_scope(settings) as session:
            yield pipeline.Job(session=session, report_dir=report_dir, requested_by=requested_by)
    except errors.SourceRefused as exc:
        if as_json:
            common.emit("", {"refused": True, "code": exc.code, **exc.details}, as_json=True)
        raise


@contextlib.contextmanager
def _status(*, quiet: bool) -> Iterator[None]:
    """A spinner on a terminal's stderr while the load runs; nothing otherwise."""
    if quiet or not sys.stderr.isatty():
        yield
        return
    from rich import console as rich_console

    with rich_console.Console(stderr=True).status("Loading..."):
        yield


def _emit(load: report.LoadReport, record_type: str, as_json: bool) -> None:
    common.emit(_summary(load, record_type), load.as_json(), as_json)


def _summary(load: report.LoadReport, record_type: str) -> str:
    if load.unchanged:
        return f"Unchanged: these files were already applied (run {load.run_id})."
    counts = load.records[record_type]
    lines = [
        f"Loaded {record_type} (run {load.run_id}): {counts.inserted} inserted, "
        f"{counts.updated} updated, {counts.deleted} deleted.",
    ]
    if load.warnings:
        lines.append(f"{load.warnings} warnings; see {load.report_file}.")
    if load.attribution:
        lines.append(load.attribution)
    return "\n".join(lines)
