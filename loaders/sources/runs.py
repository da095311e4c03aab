"""Load runs for the source loaders: the unchanged check and the ``load_run`` row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import tables
from loaders.sources import report

APPLIED: Final = "applied"


@dataclass(frozen=True, kw_only=True, slots=True)
class RunSpec:
    """What a load is: its format, product, the target it replaces, and file type."""

    format: str
    product: str
    target: str
    file_type: str | None = "F"


def last_applied(session: orm.Session, spec: RunSpec) -> tables.LoadRun | None:
    """The latest applied run of the same format and target, if any."""
    statement = (
        sa.select(tables.LoadRun)
        .where(
            tables.LoadRun.format == spec.format,
            tables.LoadRun.area == spec.target,
            tables.LoadRun.status == APPLIED,
        )
        .order_by(tables.LoadRun.started_at.desc(), tables.LoadRun.id.desc())
        .limit(1)
    )
    return session.scalars(statement).first()


def same_files(run: tables.LoadRun | None, files: Sequence[report.SourceFile]) -> bool:
    """True when ``run`` applied exactly these files (by SHA-256, in any order)."""
    if run is None:
        return False
    applied = sorted(str(f.get("sha256")) for f in run.files if isinstance(f, dict))
    return applied == sorted(f.sha256 for f in files)


def record(
    session: orm.Session,
    *,
    spec: RunSpec,
    load: report.LoadReport,
    started_at: dt.datetime,
    finished_at: dt.datetime,
    warnings: Sequence[dict[str, object]] = (),
    requested_by: str | None = None,
) -> None:
    """Add the ``load_run`` row for ``load`` and flush."""
    session.add(
        tables.LoadRun(
            id=load.run_id,
            format=spec.format,
            schema_version=load.schema_version,
            file_type=spec.file_type,
            product=spec.product,
            area=spec.target,
            volumes=len(load.files),
            files=[f.as_json() for f in load.files],
            status=APPLIED,
            counts={name: c.as_json() for name, c in load.records.items()},
            warnings=list(warnings),
            unchanged=load.unchanged,
            report_file=load.report_file,
            started_at=started_at,
            finished_at=finished_at,
            requested_by=requested_by,
        )
    )
    session.flush()
