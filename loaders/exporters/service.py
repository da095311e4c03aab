"""Use case: export the gazetteer as CSV, GeoJSON or BS7666 XML, streamed to a file.

The file is written beside its final name and moved into place when complete, so a failed
export never leaves half a file where a partner expects a whole one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TextIO

from sqlalchemy import orm

from core.errors import InvalidInput
from loaders.exporters import bs7666, facts, flat, writers

FORMATS: Final = ("csv", "geojson", "bs7666-xml")


class UnknownExportFormat(InvalidInput):
    code = "unknown_export_format"
    title = "Unknown export format"


@dataclass(frozen=True, kw_only=True, slots=True)
class ExportReport:
    format: str
    output: str
    addresses: int
    warnings: int = 0
    since: dt.date | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "output": self.output,
            "addresses": self.addresses,
            "warnings": self.warnings,
            "since": self.since.isoformat() if self.since else None,
        }


def export(
    *,
    session: orm.Session,
    export_format: str,
    output: Path,
    since: dt.date | None = None,
    administrative_area: bool = False,
) -> ExportReport:
    """Write every address (or those changed on or after ``since``) to ``output``."""
    if export_format not in FORMATS:
        raise UnknownExportFormat(
            f"export format {export_format!r} is not one of {', '.join(FORMATS)}"
        )
    found = facts.iter_facts(session, since=since)
    with _replacing(output) as stream:
        if export_format == "bs7666-xml":
            result = bs7666.write(found, stream)
            addresses, warnings = result.addresses, result.warnings
        else:
            rows = (flat.flat_row(f, administrative_area=administrative_area) for f in found)
            write = writers.write_csv if export_format == "csv" else writers.write_geojson
            addresses, warnings = write(rows, stream), 0
    return ExportReport(
        format=export_format,
        output=str(output),
        addresses=addresses,
        warnings=warnings,
        since=since,
    )


@contextlib.contextmanager
def _replacing(output: Path) -> Iterator[TextIO]:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    newline = "" if output.suffix.lower() == ".csv" else "\n"
    try:
        with partial.open("w", encoding="utf-8", newline=newline) as stream:
            yield stream
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
