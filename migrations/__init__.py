"""Alembic migrations for both engines, runnable from any working directory.

``upgrade(url)`` is how the command line and the tests build a database. The script
directory is this package, so it works from a checkout or an installed package alike. Every
package's ``tables.py`` that exists is imported, so a later package's migrations need no
change here.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from core import db
from core.errors import StorageError

SCRIPT_LOCATION = Path(__file__).resolve().parent

# Every module whose tables live in ``core.tables.Base.metadata``; missing ones are skipped.
TABLE_MODULES = (
    "gazetteer.tables",
    "gazetteer.search_tables",
    "api.tables",
    "notify.tables",
    "notify.delivery_tables",
    "notify.privacy_tables",
    "notify.partner_tables",
    "notify.delivery_extras_tables",
    "loaders.tables",
)

# SpatiaLite's own metadata tables (InitSpatialMetaData, SpatiaLite 4 and 5). They belong to
# the extension, not to our schema, so autogenerate and the drift test leave them alone.
SPATIALITE_TABLES = frozenset(
    {
        "ElementaryGeometries",
        "KNN",
        "KNN2",
        "SpatialIndex",
        "data_licenses",
        "geometry_columns",
        "geometry_columns_auth",
        "geometry_columns_field_infos",
        "geometry_columns_statistics",
        "geometry_columns_time",
        "spatial_ref_sys",
        "spatial_ref_sys_aux",
        "spatialite_history",
        "sql_statements_log",
        "sqlite_sequence",
        "views_geometry_columns",
        "views_geometry_columns_auth",
        "views_geometry_columns_field_infos",
        "views_geometry_columns_statistics",
        "virts_geometry_columns",
        "virts_geometry_columns_auth",
        "virts_geometry_columns_field_infos",
        "virts_geometry_columns_statistics",
    }
)
# PostGIS keeps its SRID catalogue in a table of the public schema.
POSTGIS_TABLES = frozenset({"spatial_ref_sys"})
# A SpatiaLite spatial index on ``t.geom`` is the R*Tree virtual table ``idx_t_geom`` plus its
# shadow tables ``_node``, ``_parent`` and ``_rowid``.
SPATIAL_INDEX_SUFFIXES = ("", "_node", "_parent", "_rowid")


def load_metadata() -> sa.MetaData:
    """The metadata of every tables module present, all on ``core.tables.Base``."""
    from core.tables import Base

    for name in TABLE_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    return Base.metadata


def spatial_index_tables(metadata: sa.MetaData) -> frozenset[str]:
    """The names of SpatiaLite's R*Tree tables behind each indexed geometry column."""
    from geoalchemy2 import Geometry

    names: set[str] = set()
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, Geometry) and column.type.spatial_index:
                base = f"idx_{table.name}_{column.name}"
                names.update(base + suffix for suffix in SPATIAL_INDEX_SUFFIXES)
    return frozenset(names)


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Autogenerate and compare filter: skip the spatial extensions' own tables."""
    if type_ != "table" or name is None:
        return True
    ignored = SPATIALITE_TABLES | POSTGIS_TABLES | spatial_index_tables(load_metadata())
    return name not in ignored


def config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration for this package, optionally bound to an open connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION).replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision``, in one transaction."""
    _run(url, lambda cfg: command.upgrade(cfg, revision))


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"`` empties it)."""
    _run(url, lambda cfg: command.downgrade(cfg, revision))


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at, or ``None`` before the first migration."""
    from alembic.runtime.migration import MigrationContext

    engine = db.create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def _run(url: str, action: Callable[[Config], None]) -> None:
    engine = db.create_engine(url)
    try:
        with engine.connect() as connection:
            _sqlite_foreign_keys(connection, on=False)
            with connection.begin():
                action(config(connection))
                _check_foreign_keys(connection)
            _sqlite_foreign_keys(connection, on=True)
    finally:
        engine.dispose()


def _sqlite_foreign_keys(connection: sa.Connection, *, on: bool) -> None:
    """SQLite: a migration that rebuilds a table (batch mode: copy, drop, rename) would fail
    to drop one that other rows refer to, so foreign keys are off while it runs (they can only
    be switched outside a transaction) and checked before it commits."""
    driver = connection.connection.driver_connection
    if db.is_sqlite(connection) and driver is not None:
        driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(connection: sa.Connection) -> None:
    if not db.is_sqlite(connection):
        return
    if broken := connection.exec_driver_sql("PRAGMA foreign_key_check").all():
        raise StorageError(f"the migration would leave {len(broken)} broken reference(s)")
