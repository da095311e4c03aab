"""Alembic environment: one transaction per run, on PostgreSQL/PostGIS or SQLite/SpatiaLite.

``migrations.upgrade(url)`` passes an open connection in ``config.attributes["connection"]``;
the whole run then commits or rolls back with that connection's transaction. Without one
(the ``alembic`` command with ``sqlalchemy.url`` set), an engine is built from the URL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from geoalchemy2 import alembic_helpers

import migrations
from core import db

target_metadata = migrations.load_metadata()


def run_migrations(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=migrations.include_name,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    if context.is_offline_mode():
        raise SystemExit("addresshub migrations run online only (both engines need a connection)")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = db.create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.begin() as new_connection:
            run_migrations(new_connection)
    finally:
        engine.dispose()


main()
