"""Load runs, load reports and the gazetteer change history as the API shows them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class Counts(_Schema):
    inserted: int = Field(ge=0)
    updated: int = Field(ge=0)
    deleted: int = Field(ge=0)
    rejected: int = Field(ge=0)


class SourceFile(_Schema):
    path: str = Field(description="The file as the server read it.")
    sha256: str = Field(description="SHA-256 of the file's bytes, hex.")
    bytes: int = Field(ge=0)


class LoadReport(_Schema):
    """A load's report, the same document ``addresshub load ... --json`` prints."""

    model_config = ConfigDict(frozen=True, extra="allow")

    run_id: str
    format: str = Field(description="codepoint, open_uprn, csv, areas, abp or dtf.")
    schema_version: str | None = None
    files: list[dict[str, Any]] = Field(description="Each file: path, sha256, bytes (and more).")
    records: dict[str, Counts] = Field(
        description="Per record type (postcode, open_uprn, listed_address, area, blpu, ...)."
    )
    warnings: int = Field(ge=0)
    unchanged: bool = Field(description="True when these exact files were already applied.")
    report_file: str | None = Field(description="The CSV of every finding, when there were any.")


class LoadRun(_Schema):
    id: str
    format: str
    status: str = Field(description="applied or refused.")
    product: str | None
    target: str | None = Field(description="What the load replaces: file names, list, area type.")
    file_type: str | None = Field(description="F (full) or C (change-only), when known.")
    process_date: dt.date | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    requested_by: str | None
    report: LoadReport


class Change(_Schema):
    """An address created, changed (its label, classification or point differs), retired or
    deleted by a load."""

    id: int
    uprn: int
    kind: str = Field(description="created, changed, retired or deleted.")
    occurred_at: dt.datetime
    old_label: str | None
    new_label: str | None
    successor_uprn: int | None
    load_run_id: str | None
    changed_attributes: list[str] = Field(
        description="For `changed`: which of `lpi_text`, `classification` and `geometry` changed."
    )
    old_classification: str | None = Field(description="For `changed`: the class before.")
    new_classification: str | None = Field(description="For `changed`: the class after.")
    old_point: tuple[float, float] | None = Field(
        description="For `changed`: easting and northing (EPSG:27700) before."
    )
    new_point: tuple[float, float] | None = Field(
        description="For `changed`: easting and northing (EPSG:27700) after."
    )


class History(_Schema):
    uprn: int
    changes: list[Change]
