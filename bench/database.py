"""A fresh, migrated database for one benchmark run, dropped at its end."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

import migrations
from core import db


@contextlib.contextmanager
def fresh_database(url: str | None, kind: str) -> Iterator[str]:
    """A new, migrated database named for ``kind`` and this process: on the PostgreSQL server
    of ``url`` (the database ``url`` names is left alone), or a SQLite file without one."""
    if url is None:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = f"sqlite:///{Path(tmp) / f'{kind}.db'}"
            migrations.upgrade(fresh)
            yield fresh
        return
    server = sa.make_url(db.normalise_url(url))
    name = f"bench_{kind}_{os.getpid()}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')  # a name made here, not input
    fresh = server.set(database=name).render_as_string(hide_password=False)
    try:
        migrations.upgrade(fresh)
        yield fresh
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
