"""Applying a council address list: the list of the same name is replaced whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import orm

from gazetteer import search_index
from loaders.readers import listed, sources
from loaders.sources import grid, pipeline, report, sql, staging

Row = tuple[Any, ...]


def apply(
    session: orm.Session,
    path: Path,
    *,
    columns: listed.ListedColumns,
    list_name: str,
    run_id: str,
    sink: report.FindingSink,
) -> report.Counts:
    stage = sql.LISTED_STAGE
    staging.create(session, stage)
    staging.write(session, stage, _rows(path, columns, sink))
    pipeline.refuse_if_errors(sink, what=f"the address list {list_name!r}")
    engine = staging.engine_of(session)
    touched = [int(uprn) for (uprn,) in staging.rows(session, sql.LIST_UPRNS, list_name=list_name)]
    deleted = staging.execute(session, sql.DELETE_LIST, list_name=list_name)
    inserted = staging.execute(session, sql.insert_list(engine), list_name=list_name, run=run_id)
    staging.drop(session, stage)
    search_index.rebuild(session, touched)  # so lookup, search and matching find the list
    return report.Counts(inserted=inserted, deleted=deleted)


def _rows(path: Path, columns: listed.ListedColumns, sink: report.FindingSink) -> Iterator[Row]:
    for member in sources.members(path):
        with sources.open_member(member) as stream:
            records = listed.read(stream, file=member.label, columns=columns)
            for chunk in pipeline.chunks(pipeline.records_of(records, sink)):
                yield from _with_both_systems(chunk, member.label)


def _with_both_systems(chunk: list[listed.ListedRecord], label: str) -> Iterator[Row]:
    """Each row with BNG and WGS84 coordinates, whichever of them the list gave."""
    lonlat = grid.to_wgs84([(r.x_coordinate, r.y_coordinate) for r in chunk])
    xy = grid.to_bng([(r.longitude, r.latitude) for r in chunk])
    for r, computed_lonlat, computed_xy in zip(chunk, lonlat, xy, strict=True):
        given_xy = r.x_coordinate is not None
        x, y = (r.x_coordinate, r.y_coordinate) if given_xy else computed_xy
        lon, lat = computed_lonlat if given_xy else (r.longitude, r.latitude)
        yield (r.uprn, r.address, r.postcode, x, y, lat, lon, label, r.line)
