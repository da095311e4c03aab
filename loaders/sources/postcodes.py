"""Applying Code-Point Open: stage every area file, then replace the postcode areas loaded."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import orm

from loaders.readers import codepoint, sources
from loaders.sources import grid, pipeline, report, sql, staging

Row = tuple[Any, ...]


def names(paths: Sequence[Path]) -> str:
    """The load's target: its file names, lower case, sorted."""
    return ",".join(sorted(p.name.lower() for p in paths))[:120]


def apply(
    session: orm.Session, paths: Sequence[Path], run_id: str, sink: report.FindingSink
) -> report.Counts:
    stage = sql.POSTCODE.stage
    staging.create(session, stage)
    written = staging.write(session, stage, _postcode_rows(paths, sink))
    staging.prepare(session, stage, key="postcode")
    pipeline.report_duplicates(
        session, sql.POSTCODE.duplicates(), sink, record_type="postcode", key_field="PC"
    )
    if written == 0:
        sink.add(pipeline.empty_finding(names(paths), "postcode"))
    pipeline.refuse_if_errors(sink, what="the Code-Point Open load")
    engine = staging.engine_of(session)
    deleted = 0
    for (area,) in staging.rows(session, sql.POSTCODE_AREAS):
        deleted += staging.execute(
            session, sql.DELETE_POSTCODES_MISSING_IN_AREA, area=area, length=len(area)
        )
    updated = staging.execute(session, sql.POSTCODE.update_changed(engine), run=run_id)
    inserted = staging.execute(session, sql.POSTCODE.insert_new(engine), run=run_id)
    staging.drop(session, stage)
    return report.Counts(inserted=inserted, updated=updated, deleted=deleted)


def _postcode_rows(paths: Sequence[Path], sink: report.FindingSink) -> Iterator[Row]:
    for path in paths:
        found = [
            m for m in sources.members(path) if m.name is None or codepoint.is_area_file(m.name)
        ]
        for member in found:
            with sources.open_member(member) as stream:
                records = pipeline.records_of(codepoint.read(stream, file=member.label), sink)
                yield from _with_wgs84(records, member.label)


def _with_wgs84(records: Iterator[codepoint.PostcodeRecord], label: str) -> Iterator[Row]:
    for chunk in pipeline.chunks(records):
        lonlat = grid.to_wgs84([(r.easting, r.northing) for r in chunk])
        for r, (lon, lat) in zip(chunk, lonlat, strict=True):
            yield (
                r.postcode,
                r.positional_quality,
                r.easting,
                r.northing,
                lat,
                lon,
                r.country_code,
                r.nhs_regional_ha_code,
                r.nhs_ha_code,
                r.admin_county_code,
                r.admin_district_code,
                r.admin_ward_code,
                _area(r.postcode),
                label,
                r.line,
            )


def _area(postcode: str) -> str:
    letters = ""
    for char in postcode:
        if not char.isalpha():
            break
        letters += char
    return letters
