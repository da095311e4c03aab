"""The nearest-addresses statements of :mod:`gazetteer.spatial`, per engine: PostGIS's KNN scan
keeping each point that has a list row passing the filters (one index probe a point, which
also labels it), and SpatiaLite's R*Tree frame joined to the list rows. Built once per filter
set and engine, prepared by the driver on PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from core.tables import BNG_SRID
from gazetteer import facts_query, tables
from gazetteer import search_repository as repo
from gazetteer.search_tables import AddressPoint, AddressSearch

MAX_RESULTS = 1000
# Nearest looks at no more than this many nearest points for ones that pass the filters.
SCAN_LIMIT = MAX_RESULTS * 5
# What find.summaries_of reads of a list row, besides the UPRN (SpatiaLite's rows).
LABEL_COLUMNS = ("source", "source_key", "label", "label_status", "postcode", "classification")
# What a PostGIS row holds of its point's preferred list row (the statement chooses it), in
# the order ``spatial`` builds its summary from.
PG_LABEL_COLUMNS = ("label", "source", "postcode", "classification")
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

# The points of ``address_point`` within :frame metres (the default filters' nearest on
# SpatiaLite), ``:limit`` of them by distance and UPRN, in the columns of PostGIS's rows.
SQLITE_POINTS = sa.text(
    "SELECT uprn, label, source, postcode, classification, X(geom) AS x, Y(geom) AS y,"
    " ST_Distance(geom, MakePoint(:x, :y, 27700)) AS distance FROM address_point"
    " WHERE ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'address_point'"
    " AND f_geometry_column = 'geom'"
    " AND search_frame = BuildMbr(:minx, :miny, :maxx, :maxy, 27700))"
    " AND distance <= :frame ORDER BY distance, uprn LIMIT :limit"
)

# The filters address_point is kept for (gazetteer.address_points): the defaults.
_POINT_FILTERS = repo.Filters()

# Placeholder values for the nearest statements' parameters (each call binds its own).
_NEAR_VALUES = {"x": 0.0, "y": 0.0, "radius": 0.0, "limit": 1, "scan": 1, "frame": 0.0}
_FRAME_VALUES = {"minx": 0.0, "miny": 0.0, "maxx": 0.0, "maxy": 0.0}


@lru_cache(maxsize=256)
def statement(
    dialect: sa.Dialect, filters: repo.Filters, radius: bool, limit: int = 0
) -> facts_query.DriverStatement:
    """The statement for ``dialect``. With the default filters it reads ``address_point``
    alone (a row a point: UPRN, ``PG_LABEL_COLUMNS``, x, y, distance); otherwise the points
    and their list rows. On PostgreSQL ``limit`` is written into it where that keeps one
    plan (see :func:`_pg_nearest_statement`), else it is bound per call."""
    if dialect.name == "sqlite":
        points = reads_points(filters)
        statement = SQLITE_POINTS if points else _sqlite_nearest_statement(filters)
        return facts_query.driver_statement(statement.params(_NEAR_VALUES | _FRAME_VALUES), dialect)
    if reads_points(filters):
        statement = _pg_points_statement(radius, limit)
    else:
        statement = _pg_nearest_statement(filters, radius, 0 if radius else limit)
    return facts_query.driver_statement(statement.params(_NEAR_VALUES), dialect)


def reads_points(filters: repo.Filters) -> bool:
    """Whether nearest with ``filters`` reads ``address_point`` (the filters it is kept for),
    whose rows hold one point each, rather than the points and their list rows."""
    return filters == _POINT_FILTERS


def _pg_points_statement(radius: bool, limit: int) -> sa.Select[Any]:
    """The default filters' nearest (or within the radius) from ``address_point`` alone (see
    :class:`~gazetteer.search_tables.AddressPoint`): its GiST index's KNN scan, ``limit`` rows
    and any tied with the last, in the columns and order of :func:`_pg_nearest_statement`.
    ``limit`` is written into the SQL (an ``int``): PostgreSQL then keeps one generic plan
    for every point, with or without the radius (as a parameter it planned each call)."""
    points = AddressPoint.__table__
    point = _point()
    knn = points.c.geom.op("<->", return_type=sa.Float)(point)
    rows = sa.select(*points.c, knn.label("knn"))
    if radius:
        rows = rows.where(sa.func.ST_DWithin(points.c.geom, point, _radius()))
    near = rows.order_by(knn).fetch(_count("limit", limit, limit), with_ties=True).subquery("near")
    return sa.select(
        near.c.uprn,
        *(near.c[name] for name in PG_LABEL_COLUMNS),
        sa.func.ST_X(near.c.geom).label("x"),
        sa.func.ST_Y(near.c.geom).label("y"),
        near.c.knn.label("distance"),
    ).order_by(near.c.knn, near.c.uprn)


def _point() -> sa.ColumnElement[Any]:
    """The query's point, ``:x`` and ``:y`` in EPSG:27700."""
    x, y = sa.bindparam("x", type_=sa.Float), sa.bindparam("y", type_=sa.Float)
    return sa.func.ST_SetSRID(sa.func.ST_MakePoint(x, y), BNG_SRID)


def _radius() -> sa.BindParameter[float]:
    return sa.bindparam("radius", type_=sa.Float)


def _passing(uprn: sa.ColumnElement[int], filters: repo.Filters) -> sa.Exists:
    """Whether one of the UPRN's list rows passes ``filters``."""
    search = AddressSearch.__table__
    return repo.apply_filters(sa.select(search.c.id).where(search.c.uprn == uprn), filters).exists()


def _pg_nearest_statement(filters: repo.Filters, radius: bool, limit: int) -> sa.Select[Any]:
    """The nearest points (of the nearest ``SCAN_LIMIT``) that have a list row passing the
    filters, ``limit`` of them and any tied with the last, each with its preferred such row
    (:func:`preferred`: one index probe per point, which both keeps the point and labels it):
    UPRN, ``PG_LABEL_COLUMNS``, x, y and distance.
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
    point = _point()
    knn = b.geom.op("<->", return_type=sa.Float)(point)
    scanned = sa.select(b.uprn, b.geom, knn.label("knn")).where(b.geom.is_not(None))
    if radius:
        scanned = scanned.where(sa.func.ST_DWithin(b.geom, point, _radius()))
    scan = scanned.order_by(knn).limit(_count("scan", SCAN_LIMIT, limit)).subquery("scan")
    best = preferred(scan.c.uprn, filters).lateral("best")
    near = (
        sa.select(
            scan.c.uprn,
            *(best.c[name] for name in PG_LABEL_COLUMNS),
            sa.func.ST_X(scan.c.geom).label("x"),
            sa.func.ST_Y(scan.c.geom).label("y"),
            scan.c.knn.label("distance"),  # PostGIS 3's <-> is ST_Distance's C function
        )
        .select_from(scan.join(best, sa.true()))
        .order_by(scan.c.knn)
        .fetch(_count("limit", limit, limit), with_ties=True)
        .subquery("near")
    )
    return sa.select(*near.c).order_by(near.c.distance, near.c.uprn)


def preferred(
    uprn: sa.ColumnElement[int],
    filters: repo.Filters,
    columns: Sequence[str] = PG_LABEL_COLUMNS,
    *,
    sqlite: bool = False,
) -> sa.Select[Any]:
    """The UPRN's list row that passes ``filters`` and that ``find.summaries_of`` would label
    it with (its ``columns``): by source (LPI, delivery point, listed, any other), approved
    (status 1 or none) first, then source key in code point order (``COLLATE "C"`` on
    PostgreSQL, SQLite's own ``BINARY``: both as Python compares), then id.
    ``tests/integration/test_nearest_oracle.py`` holds the two to the same labels."""
    search = AddressSearch.__table__
    source, status = search.c.source, search.c.label_status
    ranks = {name: _int(rank) for rank, name in enumerate(_SOURCES)}
    by_source = sa.case(ranks, value=source, else_=_int(len(_SOURCES)))
    approved = sa.case((sa.or_(status.is_(None), status == "1"), _int(0)), else_=_int(1))
    key = search.c.source_key if sqlite else search.c.source_key.collate("C")
    rows = sa.select(*(search.c[name] for name in columns)).where(search.c.uprn == uprn)
    order = [by_source, approved, key, search.c.id]
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
