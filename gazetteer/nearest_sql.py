"""The nearest-addresses statements of :mod:`gazetteer.spatial`, per engine: PostGIS's KNN scan
keeping each point that has a list row passing the filters (one index probe a point, which
also labels it), and SpatiaLite's R*Tree frame joined to the list rows. Built once per filter
set and engine, prepared by the driver on PostgreSQL."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from core.tables import BNG_SRID
from gazetteer import facts_query, tables
from gazetteer import search_repository as repo
from gazetteer.search_tables import AddressSearch

MAX_RESULTS = 1000
# Nearest looks at no more than this many nearest points for ones that pass the filters.
SCAN_LIMIT = MAX_RESULTS * 5
# What find.summaries_of reads of a list row, besides the UPRN.
LABEL_COLUMNS = ("source", "source_key", "label", "label_status", "postcode", "classification")
# A UPRN's label comes from its LPI row, else its delivery point's, else a listed address's
# (find.summaries_of's order of sources).
_SOURCES = ("lpi", "dpa", "listed")

# The points within :frame metres: the R*Tree box narrows, the distance decides.
SQLITE_NEAR = sa.text(
    "SELECT uprn, X(geom) AS x, Y(geom) AS y,"
    " ST_Distance(geom, MakePoint(:x, :y, 27700)) AS distance FROM blpu WHERE ROWID IN ("
    " SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'blpu' AND f_geometry_column = 'geom'"
    " AND search_frame = BuildMbr(:minx, :miny, :maxx, :maxy, 27700))"
    " AND ST_Distance(geom, MakePoint(:x, :y, 27700)) <= :frame"
).columns(
    sa.column("uprn", sa.BigInteger),
    sa.column("x", sa.Float),
    sa.column("y", sa.Float),
    sa.column("distance", sa.Float),
)


# Placeholder values for the nearest statements' parameters (each call binds its own).
_NEAR_VALUES = {"x": 0.0, "y": 0.0, "radius": 0.0, "limit": 1, "scan": 1, "frame": 0.0}
_FRAME_VALUES = {"minx": 0.0, "miny": 0.0, "maxx": 0.0, "maxy": 0.0}


@lru_cache(maxsize=256)
def statement(
    dialect: sa.Dialect, filters: repo.Filters, radius: bool, limit: int = 0
) -> facts_query.DriverStatement:
    """The statement for ``dialect``; on PostgreSQL without a radius with ``limit`` written
    into it (see :func:`_pg_nearest_statement`), else bound per call."""
    if dialect.name == "sqlite":
        statement = _sqlite_nearest_statement(filters)
        return facts_query.driver_statement(statement.params(_NEAR_VALUES | _FRAME_VALUES), dialect)
    statement = _pg_nearest_statement(filters, radius, 0 if radius else limit)
    return facts_query.driver_statement(statement.params(_NEAR_VALUES), dialect)


def _passing(uprn: sa.ColumnElement[int], filters: repo.Filters) -> sa.Exists:
    """Whether one of the UPRN's list rows passes ``filters``."""
    search = AddressSearch.__table__
    return repo.apply_filters(sa.select(search.c.id).where(search.c.uprn == uprn), filters).exists()


def _pg_nearest_statement(filters: repo.Filters, radius: bool, limit: int) -> sa.Select[Any]:
    """The nearest points (of the nearest ``SCAN_LIMIT``) that have a list row passing the
    filters, ``limit`` of them and any tied with the last, each with its preferred such row
    (:func:`_preferred`: one index probe per point, which both keeps the point and labels it).
    The distance is the scan's ``<->``: in PostGIS 3 ``geometry <-> geometry`` runs the C
    function ``ST_Distance`` runs (``pg_proc.prosrc`` of ``geometry_distance_centroid``), so
    it is the same value, without computing it again per point (0.204 -> 0.172 ms a 100 m
    radius at 1M).

    Without a radius both counts are written into the SQL (integers, so nothing typed reaches
    it): as parameters PostgreSQL prices the generic plan too high and plans every call afresh
    (~0.4 ms, more than the scan), written in it reuses one plan for every point. With a
    radius the opposite holds (checked in ``pg_prepared_statements``), so there they are
    parameters (``limit`` 0 here).
    """
    b = tables.Blpu
    point = sa.func.ST_SetSRID(
        sa.func.ST_MakePoint(sa.bindparam("x", type_=sa.Float), sa.bindparam("y", type_=sa.Float)),
        BNG_SRID,
    )
    knn = b.geom.op("<->", return_type=sa.Float)(point)
    scanned = sa.select(b.uprn, b.geom, knn.label("knn")).where(b.geom.is_not(None))
    if radius:
        radius_value = sa.bindparam("radius", type_=sa.Float)
        scanned = scanned.where(sa.func.ST_DWithin(b.geom, point, radius_value))
    scan = scanned.order_by(knn).limit(_count("scan", SCAN_LIMIT, limit)).subquery("scan")
    best = _preferred(scan.c.uprn, filters).lateral("best")
    near = (
        sa.select(
            sa.func.ST_X(scan.c.geom).label("x"),
            sa.func.ST_Y(scan.c.geom).label("y"),
            scan.c.knn.label("distance"),  # PostGIS 3's <-> is ST_Distance's C function
            scan.c.uprn,
            *(best.c[name] for name in LABEL_COLUMNS),
        )
        .select_from(scan.join(best, sa.true()))
        .order_by(scan.c.knn)
        .fetch(_count("limit", limit, limit), with_ties=True)
        .subquery("near")
    )
    return sa.select(*near.c).order_by(near.c.distance, near.c.uprn)


def _preferred(uprn: sa.ColumnElement[int], filters: repo.Filters) -> sa.Select[Any]:
    """The UPRN's list row that passes ``filters`` and that ``find.summaries_of`` would label
    it with: by source (LPI, delivery point, listed, any other), approved (status 1 or none)
    first, then source key in code point order (``COLLATE "C"``, as Python compares), then
    id. ``tests/integration/test_nearest_oracle.py`` holds the two to the same labels."""
    search = AddressSearch.__table__
    source, status = search.c.source, search.c.label_status
    ranks = {name: _int(rank) for rank, name in enumerate(_SOURCES)}
    by_source = sa.case(ranks, value=source, else_=_int(len(_SOURCES)))
    approved = sa.case((sa.or_(status.is_(None), status == "1"), _int(0)), else_=_int(1))
    rows = sa.select(*(search.c[name] for name in LABEL_COLUMNS)).where(search.c.uprn == uprn)
    order = [by_source, approved, search.c.source_key.collate("C"), search.c.id]
    return repo.apply_filters(rows, filters).order_by(*order).limit(_int(1))


def _int(value: int) -> sa.ColumnElement[int]:
    """An integer written into the SQL (a constant of the statement, not a parameter)."""
    return sa.literal_column(str(int(value)), sa.Integer)


def _count(name: str, value: int, written: int) -> sa.ColumnElement[int]:
    """A row count: written into the SQL when ``written`` (an ``int`` is all it can be), else
    the parameter ``name``."""
    if not written:
        return sa.bindparam(name, type_=sa.Integer)
    return sa.literal_column(str(int(value)), sa.Integer)


def _sqlite_nearest_statement(filters: repo.Filters) -> sa.Select[Any]:
    """The points within the frame that pass the filters, ``:limit`` of them by distance and
    UPRN, joined to their list rows."""
    framed = SQLITE_NEAR.subquery("framed")
    near = (
        sa.select(framed)
        .where(_passing(framed.c.uprn, filters))
        .order_by(framed.c.distance, framed.c.uprn)
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )
    return _labelled(near.subquery("near"), filters)


def _labelled(near: sa.Subquery, filters: repo.Filters) -> sa.Select[Any]:
    """The near points (x, y, distance, uprn) joined to their list rows that pass the
    filters, by distance then UPRN."""
    search = AddressSearch.__table__
    columns = [search.c[name] for name in LABEL_COLUMNS]
    listed = repo.apply_filters(sa.select(search.c.uprn, *columns), filters).subquery("listed")
    joined = near.join(listed, listed.c.uprn == near.c.uprn)
    label_columns = [listed.c[column.name] for column in columns]
    statement = sa.select(near.c.x, near.c.y, near.c.distance, near.c.uprn, *label_columns)
    return statement.select_from(joined).order_by(near.c.distance, near.c.uprn)
