"""``addresshub export csv|geojson|bs7666-xml|dtf``: the gazetteer written out to a file.

``csv`` is the flat, AddressBase-Plus-like view (one row per UPRN, columns documented in
:mod:`loaders.exporters.flat`); ``geojson`` the same rows as RFC 7946 points; ``bs7666-xml``
govtalk BS7666 v2.0 address structures. ``--since DATE`` keeps the addresses whose BLPU or
LPI changed on or after that date. ``dtf`` writes an LLPG DTF 7.3 supply through the DTF
layout: full, or with ``--since`` a change-only supply (:mod:`loaders.exporters.dtf`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from api.cli import common

export_app = typer.Typer(
    help="Export the gazetteer (CSV, GeoJSON, BS7666 XML, LLPG DTF).",
    no_args_is_help=True,
)

OutputOption = Annotated[Path, typer.Option("--output", "-o", help="The file to write.")]
SinceOption = Annotated[
    dt.datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help="Only addresses changed on or after this date."),
]


@export_app.command("csv")
def export_csv(
    output: OutputOption,
    since: SinceOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """One row per UPRN with labels, both coordinate systems, classification and status."""
    _export("csv", output, since, database_url, as_json)


@export_app.command("geojson")
def export_geojson(
    output: OutputOption,
    since: SinceOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """A FeatureCollection of WGS84 points (RFC 7946) with the CSV's columns as properties."""
    _export("geojson", output, since, database_url, as_json)


@export_app.command("bs7666-xml")
def export_bs7666_xml(
    output: OutputOption,
    since: SinceOption = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """govtalk BS7666 v2.0 address structures, one per UPRN."""
    _export("bs7666-xml", output, since, database_url, as_json)


@export_app.command("dtf")
def export_dtf(
    *,
    output: OutputOption,
    since: SinceOption = None,
    custodian_code: Annotated[
        int | None, typer.Option(help="Header LOCAL_CUSTODIAN_CODE (default: the BLPUs' lowest).")
    ] = None,
    custodian_name: Annotated[
        str | None, typer.Option(help="Header CUSTODIAN_NAME (default: ADDRESSHUB).")
    ] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """An LLPG DTF 7.3 supply: full, or change-only (rows changed since --since)."""
    # Imported by the commands: every other command starts without the loaders.
    from core.clock import SystemClock
    from loaders.exporters import dtf

    settings = common.settings_for(database_url)
    with common.session_scope(settings, writes=False) as session:
        result = dtf.export(
            session=session,
            output=output,
            today=SystemClock().now().date(),
            since=since.date() if since else None,
            custodian_code=custodian_code,
            custodian_name=custodian_name,
        )
    kind = "full" if result.file_type == "F" else "change-only"
    document = {
        "format": "dtf",
        "output": result.output,
        "records": result.records,
        "file_type": result.file_type,
        "since": since.date().isoformat() if since else None,
    }
    common.emit(
        f"Wrote a {kind} DTF 7.3 supply of {result.records} records to {result.output}.",
        document,
        as_json,
    )


def _export(
    export_format: str,
    output: Path,
    since: dt.datetime | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    from loaders.exporters import service

    settings = common.settings_for(database_url)
    with common.session_scope(settings, writes=False) as session:
        report = service.export(
            session=session,
            export_format=export_format,
            output=output,
            since=since.date() if since else None,
            administrative_area=settings.label_administrative_area,
        )
    warnings = f" ({report.warnings} warnings)" if report.warnings else ""
    human = f"Wrote {report.addresses} addresses to {report.output}{warnings}."
    common.emit(human, report.as_json(), as_json)
