"""Load runs of the supply loaders: what was applied before, and the ``load_run`` rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import tables
from loaders.sources import report

APPLIED: Final = "applied"
REFUSED: Final = "refused"
PRODUCTS: Final = {"abp": "AddressBase Premium", "dtf": "LLPG DTF 7.3"}


def _applied(fmt: str, area: str) -> sa.Select[Any]:
    return sa.select(tables.LoadRun).where(
        tables.LoadRun.format == fmt,
        tables.LoadRun.area == area,
        tables.LoadRun.status == APPLIED,
    )


def applied_with_files(
    session: orm.Session, *, fmt: str, area: str, files: Sequence[report.SourceFile]
) -> tables.LoadRun | None:
    """An applied run of exactly these files (by SHA-256, in any order), if any."""
    wanted = sorted(f.sha256 for f in files)
    statement = _applied(fmt, area).order_by(tables.LoadRun.started_at.desc())
    for run in session.scalars(statement):
        assert isinstance(run, tables.LoadRun)
        shas = sorted(str(f.get("sha256")) for f in run.files if isinstance(f, dict))
        if shas == wanted:
            return run
    return None


def latest_process_date(session: orm.Session, *, fmt: str, area: str) -> dt.date | None:
    """The PROCESS_DATE of the newest applied supply of the same product and area."""
    statement = sa.select(sa.func.max(tables.LoadRun.process_date)).where(
        tables.LoadRun.format == fmt,
        tables.LoadRun.area == area,
        tables.LoadRun.status == APPLIED,
        tables.LoadRun.unchanged.is_(False),
    )
    return session.scalar(statement)


def record_run(
    session: orm.Session,
    *,
    load: report.LoadReport,
    status: str,
    file_type: str | None,
    area: str,
    process_date: dt.date | None,
    volumes: int,
    header: dict[str, Any],
    started_at: dt.datetime,
    finished_at: dt.datetime,
    requested_by: str | None,
) -> None:
    """Add the ``load_run`` row for ``load`` and flush."""
    session.add(
        tables.LoadRun(
            id=load.run_id,
            format=load.format,
            schema_version=load.schema_version,
            file_type=file_type if file_type in ("F", "C") else None,
            product=PRODUCTS[load.format],
            area=area,
            process_date=process_date,
            volumes=volumes,
            files=[f.as_json() | {"header": header} for f in load.files],
            status=status,
            counts={name: c.as_json() for name, c in load.records.items()},
            warnings=[],
            unchanged=load.unchanged,
            report_file=load.report_file,
            started_at=started_at,
            finished_at=finished_at,
            requested_by=requested_by,
        )
    )
    session.flush()
