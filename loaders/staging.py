"""Bulk writes into the temporary staging tables of the current transaction.

``COPY ... FROM STDIN`` on PostgreSQL (psycopg 3 ``cursor.copy``, rows written directly) and
batched ``executemany`` on SQLite. Rows are plain tuples in the stage's column order; no ORM
object is built per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from loaders import sql

Row = Sequence[Any]


def engine_of(session: orm.Session) -> str:
    return sql.POSTGRESQL if session.get_bind().dialect.name == "postgresql" else sql.SQLITE


def create(session: orm.Session, stage: sql.Stage) -> None:
    connection = session.connection()
    connection.exec_driver_sql(stage.drop())
    connection.exec_driver_sql(stage.create(engine_of(session)))


def drop(session: orm.Session, stage: sql.Stage) -> None:
    session.connection().exec_driver_sql(stage.drop())


def write(session: orm.Session, stage: sql.Stage, rows: Sequence[Row]) -> None:
    """Write one batch of rows (tuples in ``stage.columns`` order)."""
    if not rows:
        return
    if engine_of(session) == sql.POSTGRESQL:
        _copy(session, stage, rows)
    else:
        _executemany(session, stage, rows)


def _copy(session: orm.Session, stage: sql.Stage, rows: Iterable[Row]) -> None:
    driver: Any = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(stage.copy()) as copy:
        for row in rows:
            copy.write_row(row)


def _executemany(session: orm.Session, stage: sql.Stage, rows: Sequence[Row]) -> None:
    driver: Any = session.connection().connection.driver_connection
    cursor = driver.cursor()
    try:
        cursor.executemany(stage.insert(), [tuple(map(_sqlite_value, r)) for r in rows])
    finally:
        cursor.close()


def _sqlite_value(value: object) -> object:
    """Dates are stored as ISO text on SQLite, as SQLAlchemy's ``Date`` type stores them."""
    return value.isoformat() if isinstance(value, dt.date) else value


def execute(session: orm.Session, statement: str, **params: Any) -> int:
    """Run one named statement; the number of rows it changed."""
    result = session.execute(sa.text(statement), params)
    return int(getattr(result, "rowcount", 0) or 0)


def rows(session: orm.Session, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in session.execute(sa.text(statement), params)]
