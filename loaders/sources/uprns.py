"""Applying OS Open UPRN: a full snapshot of Great Britain, diffed by UPRN."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import orm

from loaders.readers import open_uprn, sources
from loaders.sources import pipeline, report, sql, staging

Row = tuple[Any, ...]


def apply(session: orm.Session, path: Path, run_id: str, sink: report.FindingSink) -> report.Counts:
    stage = sql.OPEN_UPRN.stage
    staging.create(session, stage)
    written = staging.write(session, stage, _rows(path, sink))
    staging.prepare(session, stage, key="uprn")
    pipeline.report_duplicates(
        session, sql.OPEN_UPRN.duplicates(), sink, record_type="open_uprn", key_field="UPRN"
    )
    if written == 0:
        sink.add(pipeline.empty_finding(path.name, "open_uprn"))
    pipeline.refuse_if_errors(sink, what="the OS Open UPRN load")
    engine = staging.engine_of(session)
    deleted = staging.execute(session, sql.OPEN_UPRN.delete_missing())
    updated = staging.execute(session, sql.OPEN_UPRN.update_changed(engine), run=run_id)
    inserted = staging.execute(session, sql.OPEN_UPRN.insert_new(engine), run=run_id)
    staging.drop(session, stage)
    return report.Counts(inserted=inserted, updated=updated, deleted=deleted)


def _rows(path: Path, sink: report.FindingSink) -> Iterator[Row]:
    for member in sources.members(path):
        with sources.open_member(member) as stream:
            for r in pipeline.records_of(open_uprn.read(stream, file=member.label), sink):
                yield (
                    r.uprn,
                    r.x_coordinate,
                    r.y_coordinate,
                    r.latitude,
                    r.longitude,
                    member.label,
                    r.line,
                )
