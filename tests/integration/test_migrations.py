"""The migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from geoalchemy2 import Geometry, alembic_helpers  # noqa: F401 - SQLite reflects spatial indexes

import migrations
from core import db

GEOMETRY_COLUMNS = {
    ("address_point", "geom"): "POINT",
    ("area", "geom"): "MULTIPOLYGON",
    ("blpu", "geom"): "POINT",
    ("listed_address", "geom"): "POINT",
    ("open_uprn", "geom"): "POINT",
    ("postcode", "geom"): "POINT",
}


def _differences(url: str) -> list[Any]:
    engine = db.create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    # Skips only the spatial extensions' own tables: SpatiaLite's metadata
                    # (geometry_columns, spatial_ref_sys, ...), the R*Tree virtual tables
                    # behind each spatial index (idx_<table>_<column> and its _node, _parent
                    # and _rowid shadows) and PostGIS's spatial_ref_sys.
                    "include_name": migrations.include_name,
                    "compare_type": True,
                    "compare_server_default": True,
                },
            )
            return list(compare_metadata(context, migrations.load_metadata()))
    finally:
        engine.dispose()


def _table_names(url: str) -> set[str]:
    engine = db.create_engine(url)
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    return {name for name in names if migrations.include_name(name, "table", {})}


# SpatiaLite's geometry_columns: geometry_type is a code (1 POINT, 6 MULTIPOLYGON) and
# spatial_index_enabled is 1 for an R*Tree. PostGIS's geometry_columns view names the type; its
# index is a GiST index on the column.
SPATIALITE_CATALOGUE = """
SELECT f_table_name, f_geometry_column,
       CASE geometry_type WHEN 1 THEN 'POINT' WHEN 6 THEN 'MULTIPOLYGON' END,
       srid, spatial_index_enabled = 1
FROM geometry_columns
"""
POSTGIS_CATALOGUE = """
SELECT g.f_table_name, g.f_geometry_column, g.type, g.srid,
       EXISTS (SELECT 1 FROM pg_indexes i
               WHERE i.tablename = g.f_table_name
                 AND i.indexdef LIKE '%USING gist (' || g.f_geometry_column || ')%')
FROM geometry_columns g
WHERE g.f_table_schema = current_schema()
"""


def _registered_geometry(url: str) -> dict[tuple[str, str], tuple[str, int, bool]]:
    engine = db.create_engine(url)
    query = SPATIALITE_CATALOGUE if db.is_sqlite(engine) else POSTGIS_CATALOGUE
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(query)).all()
    finally:
        engine.dispose()
    return {(row[0], row[1]): (row[2], row[3], bool(row[4])) for row in rows}


def test_upgrade_head_matches_the_models(db_url: str) -> None:
    assert _differences(db_url) == []


def test_the_database_is_at_the_head_revision(db_url: str) -> None:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(migrations.config()).get_current_head()
    assert migrations.current_revision(db_url) == head


def test_geometry_columns_are_real_spatial_columns(db_url: str) -> None:
    engine = db.create_engine(db_url)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            for (table, column), kind in GEOMETRY_COLUMNS.items():
                indexes = {index["name"] for index in inspector.get_indexes(table)}
                assert f"idx_{table}_{column}" in indexes
                # Reflecting the Table (not just its columns) runs GeoAlchemy2's reflection.
                reflected = sa.Table(table, sa.MetaData(), autoload_with=conn).c[column].type
                assert isinstance(reflected, Geometry)
                assert (reflected.geometry_type, reflected.srid) == (kind, 27700)
    finally:
        engine.dispose()


def test_each_geometry_is_registered_with_a_spatial_index(db_url: str) -> None:
    expected = {key: (kind, 27700, True) for key, kind in GEOMETRY_COLUMNS.items()}
    assert _registered_geometry(db_url) == expected


def test_downgrade_to_base_then_upgrade_again(db_url: str) -> None:
    migrations.downgrade(db_url, "base")
    assert _table_names(db_url) == {"alembic_version"}
    assert migrations.current_revision(db_url) is None
    assert _registered_geometry(db_url) == {}
    migrations.upgrade(db_url)
    assert _differences(db_url) == []
    assert "blpu" in _table_names(db_url)
