"""A realistic synthetic gazetteer for the finding benchmark, built set-based in PostgreSQL.

Address ``i`` (0-based) is house number ``i % 40 + 1`` on street ``s = i // 40``; street ``s``
lies in town ``s % T`` (``T`` about one town per 5,000 addresses, 10 to 1,400 towns), and each
street has three postcodes of up to 15 addresses, unique across the country. Towns sit on a
grid over Great Britain, streets on a 300 m by 120 m grid inside their town, houses 12 m apart
on both sides of the street. Every address has a BLPU (point, latitude and longitude from
``ST_Transform``), an approved English LPI on a street with a descriptor, a classification
code on the BLPU, and every other one a delivery point. The search index rows and tokens are
written by the same SQL in the shape :func:`gazetteer.search_index.rebuild` gives them (the
benchmark checks a sample against it).

:func:`build_postgis` writes N addresses into a migrated PostgreSQL database in one
transaction; :func:`copy_to_sqlite` copies such a database into a migrated SpatiaLite one, so
both engines answer the same spatial queries over the same points.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import address_documents, address_points, addressparse

PER_STREET: Final = 40
PER_POSTCODE: Final = 15
UPRN_BASE: Final = 100_000_000
USRN_BASE: Final = 20_000_000
UDPRN_BASE: Final = 50_000_000
_AREA_LETTERS: Final = "ABCDEFGHKLMNOPRSTUWY"
_INWARD_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"
_TOWN_STEMS: Final = [
    "ASH",
    "BRAD",
    "CALDER",
    "DUN",
    "ELM",
    "FAIR",
    "GLEN",
    "HOLM",
    "KIN",
    "LANG",
    "MAR",
    "NOR",
    "OAK",
    "PEN",
    "RAVEN",
    "STAN",
    "THORN",
    "WEST",
    "WOOD",
    "YAR",
]
_TOWN_ENDS: Final = [
    "FORD",
    "TON",
    "BURY",
    "HAM",
    "LEY",
    "WICK",
    "FIELD",
    "BRIDGE",
    "CASTER",
    "MOUTH",
]
_TOWN_PREFIXES: Final = ("", "UPPER ", "LOWER ", "GREAT ", "LITTLE ", "OLD ", "NEW ")
_STREET_STEMS: Final = [
    "HIGH",
    "CHURCH",
    "STATION",
    "MILL",
    "PARK",
    "VICTORIA",
    "ALBERT",
    "QUEENS",
    "KINGS",
    "MANOR",
    "GRANGE",
    "MEADOW",
    "ORCHARD",
    "WILLOW",
    "BIRCH",
    "CEDAR",
    "ROWAN",
    "HAZEL",
    "BEECH",
    "CHESTNUT",
    "LIME",
    "POPLAR",
    "ALDER",
    "HOLLY",
    "IVY",
    "LAUREL",
    "MAPLE",
    "OAKLEY",
    "ASHBY",
    "BROOK",
    "SPRING",
    "WELL",
    "BRIDGE",
    "CASTLE",
    "ABBEY",
    "PRIORY",
    "CHAPEL",
    "SCHOOL",
    "MARKET",
    "NEWLAND",
    "FERN",
    "HEATH",
    "MOOR",
    "DALE",
    "VALE",
    "RIDGE",
    "HILLSIDE",
    "LAKESIDE",
    "RIVERSIDE",
    "FOREST",
    "GREEN",
    "FIELD",
    "WARREN",
    "MARSH",
    "CROFT",
    "YORK",
    "CLARENCE",
    "WINDSOR",
]
_STREET_TYPES: Final = [
    "ROAD",
    "STREET",
    "LANE",
    "AVENUE",
    "CLOSE",
    "DRIVE",
    "WAY",
    "GARDENS",
    "CRESCENT",
    "PLACE",
    "GROVE",
    "TERRACE",
]


def _canonical(names: Iterator[str]) -> list[str]:
    """Names the address normaliser leaves as they are (so SQL can write canonical text)."""
    return [name for name in names if addressparse.parse(f"1 {name}").normalised == f"1 {name}"]


def town_names() -> list[str]:
    stems = (f"{p}{s}{e}" for p in _TOWN_PREFIXES for s in _TOWN_STEMS for e in _TOWN_ENDS)
    return _canonical(stems)


def street_names() -> list[str]:
    names = (f"{s} {t}" for s, t in itertools.product(_STREET_STEMS, _STREET_TYPES))
    return _canonical(names)


def town_count(addresses: int) -> int:
    return max(10, min(len(town_names()), addresses // 5000))


# --- named SQL (PostgreSQL) ---------------------------------------------------------------
# One CTE gives every address's street, town, number, postcode and point; each INSERT reads it.
_ADDRESS = """
WITH p AS (SELECT CAST(:n AS bigint) AS n, CAST(:towns AS int) AS t_count,
                  CAST(:town_names AS text[]) AS towns, CAST(:street_names AS text[]) AS streets,
                  CAST(:area AS text) AS area, CAST(:inward AS text) AS inward),
a AS (
  SELECT i, i / 40 AS s, CAST((i / 40) % p.t_count AS int) AS t,
         CAST((i / 40) / p.t_count AS int) AS k,
         CAST(i % 40 + 1 AS int) AS num, p.towns, p.streets, p.area, p.inward
  FROM p, generate_series(0, p.n - 1) AS i
),
b AS (
  SELECT a.*, towns[t + 1] AS town, streets[k % cardinality(streets) + 1] AS street,
         substr(area, t % 20 + 1, 1) || substr(area, (t / 20) % 20 + 1, 1) || (t / 400 + 1)
           || ' ' || ((k * 3 + (num - 1) / 15) % 10)
           || substr(inward, ((k * 3 + (num - 1) / 15) / 10) % 20 + 1, 1)
           || substr(inward, ((k * 3 + (num - 1) / 15) / 200) % 20 + 1, 1) AS postcode,
         100000 + (t % 40) * 12000 + (k % 12) * 300 + ((num - 1) / 2) * 12 + 0.5 AS x,
         50000 + (t / 40) * 20000 + (k / 12) * 120 + (num % 2) * 25 + 0.5 AS y
  FROM a
)
"""
INSERT_STREETS = sa.text(
    "WITH p AS (SELECT CAST(:towns AS int) AS t_count, CAST(:town_names AS text[]) AS towns,"
    " CAST(:street_names AS text[]) AS streets)"
    " , s AS (SELECT s, CAST(s % t_count AS int) AS t, CAST(s / t_count AS int) AS k,"
    " towns, streets FROM p,"
    " generate_series(0, CAST(:streets_n AS bigint) - 1) AS s)"
    " , ins AS (INSERT INTO street (usrn, record_type, state, start_date)"
    "  SELECT :usrn_base + s, '1', '2', DATE '2001-01-01' FROM s)"
    " INSERT INTO street_descriptor (usrn, language, description, town_name,"
    " administrative_area, start_date)"
    " SELECT :usrn_base + s, 'ENG', streets[k % cardinality(streets) + 1], towns[t + 1],"
    " 'BENCHSHIRE', DATE '2001-01-01' FROM s"
)
INSERT_BLPUS = sa.text(
    _ADDRESS + "INSERT INTO blpu (uprn, logical_status, blpu_state, x_coordinate, y_coordinate,"
    " latitude, longitude, geom, rpc, local_custodian_code, country, postcode_locator,"
    " blpu_class, addressbase_postal, start_date)"
    " SELECT :uprn_base + i, '1', '2', x, y,"
    " ST_Y(ST_Transform(ST_SetSRID(ST_MakePoint(x, y), 27700), 4326)),"
    " ST_X(ST_Transform(ST_SetSRID(ST_MakePoint(x, y), 27700), 4326)),"
    " ST_SetSRID(ST_MakePoint(x, y), 27700), '1', 1000 + t % 300, 'E', postcode,"
    " CASE WHEN i % 25 = 0 THEN 'CR07' ELSE 'RD04' END, 'D', DATE '2001-01-01' FROM b"
)
INSERT_LPIS = sa.text(
    _ADDRESS + "INSERT INTO lpi (lpi_key, uprn, usrn, language, logical_status,"
    " pao_start_number, official_flag, postal_address, start_date)"
    " SELECT (:uprn_base + i) || 'L', :uprn_base + i, :usrn_base + s, 'ENG', '1', num, 'Y',"
    " 'Y', DATE '2001-01-01' FROM b"
)
INSERT_DELIVERY_POINTS = sa.text(
    _ADDRESS + "INSERT INTO delivery_point (udprn, uprn, building_number, thoroughfare,"
    " post_town, postcode, postcode_type, start_date)"
    " SELECT :udprn_base + i, :uprn_base + i, num, street, town, postcode, 'S',"
    " DATE '2001-01-01' FROM b WHERE i % 2 = 0"
)
# One row per LPI and one per delivery point, as the index rebuild writes them.
INSERT_SEARCH_ROWS = sa.text(
    _ADDRESS + "INSERT INTO address_search (id, uprn, source, source_key, language, label,"
    " search_text, label_key, postcode, postcode_sector, usrn, street_key, pao_number, town,"
    " post_town, classification, blpu_status, label_status, custodian, historical)"
    " SELECT CASE WHEN src = 'lpi' THEN i + 1 ELSE :n + i / 2 + 1 END, :uprn_base + i, src,"
    " CASE WHEN src = 'lpi' THEN (:uprn_base + i) || 'L' ELSE CAST(:udprn_base + i AS text) END,"
    " 'ENG', num || ' ' || street || ', ' || town || ', ' || postcode,"
    " num || ' ' || street || ' ' || town || ' ' || postcode,"
    " num || ' ' || street || ' ' || town, postcode, left(postcode, length(postcode) - 2),"
    " CASE WHEN src = 'lpi' THEN :usrn_base + s END, street, num, town,"
    " CASE WHEN src = 'lpi' AND i % 2 = 0 THEN town END,"
    " CASE WHEN i % 25 = 0 THEN 'CR07' ELSE 'RD04' END, '1',"
    " CASE WHEN src = 'lpi' THEN '1' END, 1000 + t % 300, false"
    " FROM b, (VALUES ('lpi'), ('dpa')) AS v (src) WHERE src = 'lpi' OR i % 2 = 0"
)
# tokens_of: every word of the canonical text, and the bare number of the inward code.
INSERT_TOKENS = sa.text(
    "INSERT INTO address_search_token (token, search_id)"
    " SELECT DISTINCT w, id FROM address_search,"
    " unnest(string_to_array(search_text, ' ') || substr(postcode, length(postcode) - 2, 1)) w"
)
SEARCH_INDEXES = sa.text(
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN"
    " ('address_search', 'address_search_token') AND indexname NOT LIKE 'pk_%'"
)
POSTCODE_INDEX: Final = "ix_address_search_postcode_cover"
ANALYZE = (
    "blpu",
    "lpi",
    "street",
    "street_descriptor",
    "delivery_point",
    "address_search",
    "address_search_token",
)


def _parameters(addresses: int) -> dict[str, Any]:
    return {
        "n": addresses,
        "towns": town_count(addresses),
        "town_names": town_names(),
        "street_names": street_names(),
        "area": _AREA_LETTERS,
        "inward": _INWARD_LETTERS,
        "uprn_base": UPRN_BASE,
        "usrn_base": USRN_BASE,
        "udprn_base": UDPRN_BASE,
        "streets_n": -(-addresses // PER_STREET),
    }


def build_postgis(engine: sa.Engine, addresses: int, *, postcode_only: bool = False) -> None:
    """Write ``addresses`` addresses and their search index into a migrated PostGIS database.

    ``postcode_only`` writes only what a postcode list reads: the search rows (no tokens, no
    gazetteer records) with their primary key and postcode index, so the list can be measured
    at 10M addresses without the full build.
    """
    params = _parameters(addresses)
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        indexes = list(conn.execute(SEARCH_INDEXES))
        for name, _definition in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')  # names read from the catalogue
        if not postcode_only:
            for statement in (INSERT_STREETS, INSERT_BLPUS, INSERT_LPIS, INSERT_DELIVERY_POINTS):
                conn.execute(statement, params)
        conn.execute(INSERT_SEARCH_ROWS, params)
        if not postcode_only:
            conn.execute(INSERT_TOKENS)
        for name, definition in indexes:
            if not postcode_only or name == POSTCODE_INDEX:
                conn.exec_driver_sql(definition)
    analysed = ("address_search",) if postcode_only else ANALYZE
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE " + ", ".join(analysed))
    if not postcode_only:
        write_documents(engine)
        write_points(engine)


def write_points(engine: sa.Engine) -> None:
    """Every UPRN's point with its preferred label, as a rebuild of the search rows writes
    them (:mod:`gazetteer.address_points`)."""
    name = engine.dialect.name
    with engine.begin() as conn:
        for statement in address_points.REFRESH[name, False]:
            conn.exec_driver_sql(statement)
    if name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE address_point")


def write_documents(engine: sa.Engine) -> None:
    """Every UPRN's stored lookup document, as the loaders write them (set-based SQL; after
    the tables are analysed, as the loaders do, or the planner may scan them per BLPU)."""
    with engine.begin() as conn, orm.Session(bind=conn) as session:
        address_documents.refresh(session)
        session.flush()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE address_document")


# --- PostGIS to SpatiaLite ----------------------------------------------------------------
_COPIED: Final = (
    "street",
    "street_descriptor",
    "lpi",
    "delivery_point",
    "address_search",
    "address_search_token",
)
_CHUNK: Final = 20_000


def copy_to_sqlite(source: sa.Engine, target: sa.Engine) -> None:
    """Copy the benchmark gazetteer from PostGIS into a migrated SpatiaLite database."""
    with source.connect() as read, target.begin() as write:
        for name in _COPIED:
            _copy_table(read, write, name)
        _copy_blpus(read, write)
    write_points(target)
    with target.begin() as write:
        write.exec_driver_sql("ANALYZE")


def _copy_table(read: sa.Connection, write: sa.Connection, name: str) -> None:
    table = sa.Table(name, sa.MetaData(), autoload_with=write)
    result = read.execution_options(stream_results=True).execute(sa.select(table))
    while rows := [row._asdict() for row in result.fetchmany(_CHUNK)]:
        write.execute(table.insert(), rows)


def _copy_blpus(read: sa.Connection, write: sa.Connection) -> None:
    table = sa.Table("blpu", sa.MetaData(), autoload_with=write)
    columns = [c.name for c in table.columns if c.name != "geom"]
    insert = sa.text(
        f"INSERT INTO blpu ({', '.join(columns)}, geom) VALUES "  # column names, not input
        f"({', '.join(':' + c for c in columns)}, MakePoint(:x_coordinate, :y_coordinate, 27700))"
    )
    select = sa.text(f"SELECT {', '.join(columns)} FROM blpu")
    result = read.execution_options(stream_results=True).execute(select)
    while rows := [row._asdict() for row in result.fetchmany(_CHUNK)]:
        write.execute(insert, rows)
