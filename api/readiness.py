"""Readiness: the database answers and its schema is at the newest migration."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations
from core.errors import StorageError


class DatabaseUnavailable(StorageError):
    code = "database_unavailable"
    title = "Database unavailable"


class SchemaNotCurrent(StorageError):
    code = "schema_not_current"
    title = "Database schema not current"


@functools.cache
def head_revisions() -> frozenset[str]:
    """The newest migration(s) this code knows."""
    script = ScriptDirectory.from_config(migrations.config())
    return frozenset(script.get_heads())


def check(engine: sa.Engine) -> tuple[str, ...]:
    """The database's current revision(s), or an error naming what is not ready."""
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    except sa.exc.SQLAlchemyError as exc:
        raise DatabaseUnavailable("the database is not reachable") from exc
    if frozenset(current) != head_revisions():
        shown = ", ".join(current) or "none"
        raise SchemaNotCurrent(f"the database schema is at {shown}; run 'addresshub db upgrade'")
    return tuple(current)
