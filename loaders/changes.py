"""Reading what loads did: load runs and the gazetteer change log (for the API and console)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import tables
from gazetteer.errors import AddressNotFound
from loaders.sources.errors import LoadRunNotFound


@dataclass(frozen=True, kw_only=True, slots=True)
class ChangeEntry:
    """One row of ``gazetteer_change``: an address created, changed, retired or deleted."""

    id: int
    uprn: int
    kind: str
    occurred_at: dt.datetime
    old_label: str | None = None
    new_label: str | None = None
    successor_uprn: int | None = None
    load_run_id: str | None = None
    changed_attributes: tuple[str, ...] = ()
    old_classification: str | None = None
    new_classification: str | None = None
    old_point: tuple[float, float] | None = None
    new_point: tuple[float, float] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class LoadRunView:
    """A load run as the API shows it; ``report`` is the stored report in issue 3's shape."""

    id: str
    format: str
    status: str
    product: str | None
    target: str | None
    file_type: str | None
    process_date: dt.date | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    requested_by: str | None
    report: dict[str, Any]


def address_history(*, session: orm.Session, uprn: int) -> list[ChangeEntry]:
    """The UPRN's changes, oldest first; AddressNotFound when it has neither BLPU nor changes."""
    c = tables.GazetteerChange
    rows = session.scalars(sa.select(c).where(c.uprn == uprn).order_by(c.occurred_at, c.id)).all()
    if not rows and session.get(tables.Blpu, uprn) is None:
        raise AddressNotFound(f"no address has UPRN {uprn}", details={"uprn": uprn})
    return [_entry(row) for row in rows]


def _entry(row: tables.GazetteerChange) -> ChangeEntry:
    return ChangeEntry(
        id=row.id,
        uprn=row.uprn,
        kind=row.kind,
        occurred_at=row.occurred_at,
        old_label=row.old_label,
        new_label=row.new_label,
        successor_uprn=row.successor_uprn,
        load_run_id=row.load_run_id,
        changed_attributes=row.attributes_changed(),
        old_classification=row.old_classification,
        new_classification=row.new_classification,
        old_point=_point(row.old_x, row.old_y),
        new_point=_point(row.new_x, row.new_y),
    )


def _point(x: float | None, y: float | None) -> tuple[float, float] | None:
    return None if x is None or y is None else (x, y)


def list_runs(*, session: orm.Session, limit: int = 50, offset: int = 0) -> list[LoadRunView]:
    """The newest load runs first."""
    r = tables.LoadRun
    statement = sa.select(r).order_by(r.started_at.desc(), r.id.desc()).limit(limit).offset(offset)
    return [_view(run) for run in session.scalars(statement)]


def get_run(*, session: orm.Session, run_id: str) -> LoadRunView:
    run = session.get(tables.LoadRun, run_id)
    if run is None:
        raise LoadRunNotFound(f"no load run has id {run_id}", details={"run_id": run_id})
    return _view(run)


def _view(run: tables.LoadRun) -> LoadRunView:
    return LoadRunView(
        id=run.id,
        format=run.format,
        status=run.status,
        product=run.product,
        target=run.area,
        file_type=run.file_type,
        process_date=run.process_date,
        started_at=run.started_at,
        finished_at=run.finished_at,
        requested_by=run.requested_by,
        report={
            "run_id": run.id,
            "format": run.format,
            "schema_version": run.schema_version,
            "files": list(run.files),
            "records": dict(run.counts),
            "warnings": len(run.warnings),
            "unchanged": run.unchanged,
            "report_file": run.report_file,
        },
    )
