"""Applying boundary polygons: upserted by (type, code, version); areas not in the file stay."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import orm

from loaders.readers import areas
from loaders.sources import pipeline, report, sql, staging

Row = tuple[Any, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Options:
    area_type: str
    code_property: str
    name_property: str
    version: str = ""


def apply(
    session: orm.Session, path: Path, options: Options, run_id: str, sink: report.FindingSink
) -> report.Counts:
    stage = sql.AREA_STAGE
    staging.create(session, stage)
    written = staging.write(session, stage, _rows(path, options, sink))
    staging.prepare(session, stage, key="code")
    pipeline.report_duplicates(
        session, sql.AREA_DUPLICATES, sink, record_type="area", key_field=options.code_property
    )
    if written == 0:
        sink.add(pipeline.empty_finding(path.name, "area"))
    pipeline.refuse_if_errors(sink, what=f"the {options.area_type} boundaries")
    engine = staging.engine_of(session)
    params = {"type": options.area_type, "version": options.version, "run": run_id}
    updated = staging.execute(session, sql.update_areas(engine), **params)
    inserted = staging.execute(session, sql.insert_areas(engine), **params)
    staging.drop(session, stage)
    return report.Counts(inserted=inserted, updated=updated)


def _rows(path: Path, options: Options, sink: report.FindingSink) -> Iterator[Row]:
    with path.open("rb") as stream:
        found = areas.read(
            stream,
            file=path.name,
            code_property=options.code_property,
            name_property=options.name_property,
        )
        for line, item in enumerate(found, start=1):
            if isinstance(item, areas.AreaRecord):
                yield (item.code, item.name, item.geometry_wkb, path.name, line)
            else:
                sink.add(item)
