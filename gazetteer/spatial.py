"""Spatial finding: nearest addresses, addresses in a box or polygon, areas containing a UPRN.

Points are BLPU geometries in EPSG:27700. Input and output may be in 27700 (eastings and
northings, metres) or 4326 (WGS84 longitude and latitude, degrees); pyproj converts at this
edge, so the SQL always works in 27700. PostgreSQL uses PostGIS (KNN ``<->``, ``ST_DWithin``,
``ST_Within``, ``ST_Contains``); SpatiaLite narrows with its R*Tree ``SpatialIndex`` first.
Nearest is one statement on both engines: the nearest points left-joined to their list rows
(on SpatiaLite, the points within a frame that doubles until it holds enough).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from pyproj import Transformer
from shapely import geometry, ops
from sqlalchemy import orm

from core import db
from core.errors import InvalidInput, NotFound
from core.tables import BNG_SRID, WGS84_SRID
from gazetteer import facts_query, find, nearest_sql, row_records
from gazetteer import search_repository as repo
from gazetteer.errors import AddressNotFound

SRIDS = (BNG_SRID, WGS84_SRID)
MAX_RESULTS = nearest_sql.MAX_RESULTS
# The first SpatiaLite frame: every point in it has its distance computed, so it starts small
# (60 m: at 100k addresses, 12 m apart on streets, nearest-10 took 0.75 ms from 250 m and
# 0.20 ms from 60 m) and doubles; a sparse area costs a few more cheap frames.
_SQLITE_FIRST_RADIUS = 60.0
_SQLITE_MAX_RADIUS = 64_000.0
# --- named SQL ---------------------------------------------------------------------------
PG_WITHIN = sa.text(
    "SELECT uprn, ST_X(geom) AS x, ST_Y(geom) AS y FROM blpu "
    "WHERE ST_Within(geom, ST_GeomFromText(:wkt, 27700)) ORDER BY uprn LIMIT :limit"
)
PG_AREAS = sa.text(
    "SELECT a.type, a.code, a.name FROM area a JOIN blpu b ON ST_Contains(a.geom, b.geom) "
    "WHERE b.uprn = :uprn ORDER BY a.type, a.code"
)
SQLITE_WITHIN = sa.text(
    "SELECT uprn, X(geom) AS x, Y(geom) AS y FROM blpu WHERE ROWID IN ("
    " SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'blpu' AND f_geometry_column = 'geom'"
    " AND search_frame = BuildMbr(:minx, :miny, :maxx, :maxy, 27700))"
    " AND ST_Within(geom, GeomFromText(:wkt, 27700)) ORDER BY uprn LIMIT :limit"
)
SQLITE_AREAS = sa.text(
    "SELECT a.type, a.code, a.name FROM area a, blpu b WHERE b.uprn = :uprn"
    " AND ST_Contains(a.geom, b.geom) AND a.ROWID IN ("
    "  SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'area'"
    "  AND f_geometry_column = 'geom' AND search_frame = b.geom)"
    " ORDER BY a.type, a.code"
)
BLPU_EXISTS = sa.text("SELECT 1 FROM blpu WHERE uprn = :uprn")
AREA_EXISTS = sa.text("SELECT 1 FROM area WHERE type = :type AND code = :code")
PG_IN_AREA = sa.text(
    "SELECT DISTINCT b.uprn, ST_X(b.geom) AS x, ST_Y(b.geom) AS y FROM blpu b"
    " JOIN area a ON ST_Contains(a.geom, b.geom)"
    " WHERE a.type = :type AND a.code = :code ORDER BY b.uprn LIMIT :limit"
)
SQLITE_IN_AREA = sa.text(
    "SELECT DISTINCT b.uprn, X(b.geom) AS x, Y(b.geom) AS y FROM area a, blpu b"
    " WHERE a.type = :type AND a.code = :code AND ST_Contains(a.geom, b.geom)"
    " AND b.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'blpu'"
    "  AND f_geometry_column = 'geom' AND search_frame = a.geom)"
    " ORDER BY b.uprn LIMIT :limit"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class PlacedAddress:
    address: find.AddressSummary
    x: float
    y: float
    srid: int
    distance: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Area:
    type: str
    code: str
    name: str


def reproject(placed: PlacedAddress, srid: int) -> PlacedAddress:
    """The same address with its point in ``srid`` (from 27700)."""
    x, y = from_bng(placed.x, placed.y, srid)
    return PlacedAddress(address=placed.address, x=x, y=y, srid=srid, distance=placed.distance)


def check_srid(srid: int) -> int:
    if srid not in SRIDS:
        raise InvalidInput(f"srs must be 27700 or 4326, not {srid}")
    return srid


@lru_cache(maxsize=4)
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def to_bng(x: float, y: float, srid: int) -> tuple[float, float]:
    """A point in 27700 from ``srid`` (4326 takes longitude as x and latitude as y)."""
    if check_srid(srid) == BNG_SRID:
        return x, y
    east, north = _transformer(WGS84_SRID, BNG_SRID).transform(x, y)
    return float(east), float(north)


def from_bng(x: float, y: float, srid: int) -> tuple[float, float]:
    if check_srid(srid) == BNG_SRID:
        return x, y
    lon, lat = _transformer(BNG_SRID, WGS84_SRID).transform(x, y)
    return round(float(lon), 7), round(float(lat), 7)


def nearest(
    *,
    session: orm.Session,
    x: float,
    y: float,
    srid: int,
    limit: int = 10,
    radius: float | None = None,
    filters: repo.Filters = find.MATCH_FILTERS,
) -> list[PlacedAddress]:
    """The ``limit`` addresses nearest the point, within ``radius`` metres when given, that
    pass ``filters``, by distance then UPRN.

    One statement: the points nearest first, each kept only when one of its list rows passes
    the filters, until ``limit`` are kept; PostGIS looks at no more than the nearest
    ``SCAN_LIMIT`` points, SpatiaLite within a frame that doubles up to 64 km.
    """
    east, north = to_bng(x, y, srid)
    wanted = min(limit, MAX_RESULTS)
    if db.is_sqlite(session):
        placed = _sqlite_nearest(
            session, x=east, y=north, limit=wanted, radius=radius, filters=filters
        )
    else:
        placed = _pg_nearest(session, x=east, y=north, limit=wanted, radius=radius, filters=filters)
    return placed if srid == BNG_SRID else [reproject(p, srid) for p in placed]


def _pg_nearest(
    session: orm.Session,
    *,
    x: float,
    y: float,
    limit: int,
    radius: float | None,
    filters: repo.Filters,
) -> list[PlacedAddress]:
    connection = session.connection()
    statement = nearest_sql.statement(connection.dialect, filters, radius is not None, limit)
    values = {
        "x": x,
        "y": y,
        "radius": radius or 0.0,
        "limit": limit,
        "scan": nearest_sql.SCAN_LIMIT,
    }
    rows = facts_query.fetch_all(connection, statement, values, what="nearest")
    return _points(rows[:limit])


# The setters of the two records a nearest row of one point becomes (see _points).
_SUMMARY_FIELDS = ("uprn", "label", "source", "postcode", "classification", "score", "highlights")
_SET_UPRN, _SET_LABEL, _SET_SOURCE, _SET_POSTCODE, _SET_CLASS, _SET_SCORE, _SET_SPANS = (
    row_records.slot_setters(find.AddressSummary, _SUMMARY_FIELDS)
)
_SET_ADDRESS, _SET_X, _SET_Y, _SET_SRID, _SET_DISTANCE = row_records.slot_setters(
    PlacedAddress, ("address", "x", "y", "srid", "distance")
)
_NEW = object.__new__


def _points(rows: Sequence[Sequence[Any]]) -> list[PlacedAddress]:
    """Nearest rows of one point each (UPRN, its label, source, postcode, classification, x,
    y, distance: PostGIS's, and SpatiaLite's from ``address_point``) as placed addresses,
    built through their slots (what their constructors do, at half the cost: a 100 m radius
    builds ~30 a call)."""
    placed: list[PlacedAddress] = []
    for uprn, label, source, postcode, classification, x, y, distance in rows:
        summary = _NEW(find.AddressSummary)
        _SET_UPRN(summary, uprn)
        _SET_LABEL(summary, label)
        _SET_SOURCE(summary, source)
        _SET_POSTCODE(summary, postcode)
        _SET_CLASS(summary, classification)
        _SET_SCORE(summary, None)
        _SET_SPANS(summary, ())
        point = _NEW(PlacedAddress)
        _SET_ADDRESS(point, summary)
        _SET_X(point, x)
        _SET_Y(point, y)
        _SET_SRID(point, BNG_SRID)
        _SET_DISTANCE(point, round(distance, 2))
        placed.append(point)
    return placed


def _counted(rows: Sequence[Sequence[Any]]) -> tuple[int, list[PlacedAddress]]:
    """:func:`_collected` for rows of one point each."""
    return len(rows), _points(rows)


def _collected(rows: Sequence[Sequence[Any]]) -> tuple[int, list[PlacedAddress]]:
    """How many points SpatiaLite's rows hold, and their addresses, in the rows' order. A row
    is (x, y, distance) then a list row's first seven values (:func:`find.summaries_of`)."""
    points: dict[int, Sequence[Any]] = {}
    for row in rows:
        points.setdefault(row[3], row)
    summaries = {summary.uprn: summary for summary in find.summaries_of(row[3:] for row in rows)}
    return len(points), [
        PlacedAddress(
            address=summaries[uprn], x=row[0], y=row[1], srid=BNG_SRID, distance=round(row[2], 2)
        )
        for uprn, row in points.items()
    ]


def _sqlite_nearest(
    session: orm.Session,
    *,
    x: float,
    y: float,
    limit: int,
    radius: float | None,
    filters: repo.Filters,
) -> list[PlacedAddress]:
    """The nearest points within a frame that pass the filters, with their labels, in one
    statement; the frame doubles until it holds ``limit`` of them (or is the radius asked
    for): a point outside the frame is further than every point inside."""
    frame = min(radius or _SQLITE_FIRST_RADIUS, _SQLITE_MAX_RADIUS)
    connection = session.connection()
    statement = nearest_sql.statement(connection.dialect, filters, False)
    collect = _counted if nearest_sql.reads_points(filters) else _collected
    while True:
        box = {"minx": x - frame, "miny": y - frame, "maxx": x + frame, "maxy": y + frame}
        values = box | {"x": x, "y": y, "frame": frame, "limit": limit}
        rows = facts_query.fetch_all(connection, statement, values, what="nearest")
        found, placed = collect(rows)
        if radius is not None or found >= limit or frame >= _SQLITE_MAX_RADIUS:
            return placed
        frame *= 2


def within_bbox(
    *,
    session: orm.Session,
    bbox: Sequence[float],
    srid: int,
    limit: int = 100,
    filters: repo.Filters = find.MATCH_FILTERS,
) -> list[PlacedAddress]:
    """Addresses inside ``bbox`` = (min x, min y, max x, max y) in ``srid``."""
    if len(bbox) != 4 or bbox[0] >= bbox[2] or bbox[1] >= bbox[3]:
        raise InvalidInput("bbox must be min x, min y, max x, max y with min < max")
    box = geometry.box(*bbox)
    return within_polygon(session=session, polygon=box, srid=srid, limit=limit, filters=filters)


def within_polygon(
    *,
    session: orm.Session,
    polygon: Any,
    srid: int,
    limit: int = 100,
    filters: repo.Filters = find.MATCH_FILTERS,
) -> list[PlacedAddress]:
    """Addresses inside a shapely polygon given in ``srid``."""
    shape = geometry.shape(polygon) if isinstance(polygon, dict) else polygon
    if shape.geom_type not in {"Polygon", "MultiPolygon"} or not shape.is_valid:
        raise InvalidInput("the area must be a valid GeoJSON Polygon or MultiPolygon")
    if check_srid(srid) != BNG_SRID:
        shape = ops.transform(_transformer(WGS84_SRID, BNG_SRID).transform, shape)
    minx, miny, maxx, maxy = shape.bounds
    params = {"wkt": shape.wkt, "limit": min(limit, MAX_RESULTS) * 3}
    if db.is_sqlite(session):
        params |= {"minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy}
        rows = session.execute(SQLITE_WITHIN, params)
    else:
        rows = session.execute(PG_WITHIN, params)
    points = [(uprn, x, y, None) for uprn, x, y in rows]
    return _placed(session, points, srid, filters, limit)


def _placed(
    session: orm.Session,
    points: Sequence[tuple[Any, ...]],
    srid: int,
    filters: repo.Filters,
    limit: int,
) -> list[PlacedAddress]:
    labels = {s.uprn: s for s in find.summaries_for(session, [p[0] for p in points], filters)}
    out: list[PlacedAddress] = []
    for uprn, x, y, distance in points:
        if uprn in labels and len(out) < limit:
            px, py = from_bng(x, y, srid)
            metres = round(distance, 2) if distance is not None else None
            out.append(PlacedAddress(address=labels[uprn], x=px, y=py, srid=srid, distance=metres))
    return out


def areas_of(*, session: orm.Session, uprn: int) -> list[Area]:
    """Every loaded boundary containing the BLPU's point."""
    if session.execute(BLPU_EXISTS, {"uprn": uprn}).first() is None:
        raise AddressNotFound(f"no address has UPRN {uprn}", details={"uprn": uprn})
    statement = SQLITE_AREAS if db.is_sqlite(session) else PG_AREAS
    return [Area(type=t, code=c, name=n) for t, c, n in session.execute(statement, {"uprn": uprn})]


def addresses_in_area(
    *,
    session: orm.Session,
    area_type: str,
    code: str,
    srid: int = BNG_SRID,
    limit: int = MAX_RESULTS,
    filters: repo.Filters = find.MATCH_FILTERS,
) -> list[PlacedAddress]:
    """The addresses inside a loaded boundary, by UPRN."""
    params = {"type": area_type, "code": code}
    if session.execute(AREA_EXISTS, params).first() is None:
        raise NotFound(f"no {area_type} area has code {code}", details=params)
    statement = SQLITE_IN_AREA if db.is_sqlite(session) else PG_IN_AREA
    rows = session.execute(statement, params | {"limit": min(limit, MAX_RESULTS) * 3})
    points = [(uprn, x, y, None) for uprn, x, y in rows]
    return _placed(session, points, srid, filters, limit)
