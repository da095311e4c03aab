"""Bulk writes into a staging table: ``COPY`` on PostgreSQL, batched ``executemany`` on SQLite."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from loaders.sources import sql

BATCH: Final = 5_000


def engine_of(session: orm.Session) -> str:
    name = session.get_bind().dialect.name
    return sql.POSTGRESQL if name == sql.POSTGRESQL else sql.SQLITE


def create(session: orm.Session, stage: sql.Stage) -> None:
    """A fresh, empty staging table on the session's connection."""
    engine = engine_of(session)
    connection = session.connection()
    connection.exec_driver_sql(stage.drop(engine))
    connection.exec_driver_sql(stage.create(engine))


def prepare(session: orm.Session, stage: sql.Stage, *, key: str) -> None:
    """Index the staged key and refresh the planner's statistics, before the diff."""
    connection = session.connection()
    connection.exec_driver_sql(stage.index(key))
    if analyze := stage.analyze(engine_of(session)):
        connection.exec_driver_sql(analyze)


def drop(session: orm.Session, stage: sql.Stage) -> None:
    session.connection().exec_driver_sql(stage.drop(engine_of(session)))


def write(session: orm.Session, stage: sql.Stage, rows: Iterable[Sequence[Any]]) -> int:
    """Write ``rows`` (tuples in ``stage.columns`` order) and return how many."""
    if engine_of(session) == sql.POSTGRESQL:
        return _copy(session, stage, rows)
    return _insert_batches(session, stage, rows)


def _copy(session: orm.Session, stage: sql.Stage, rows: Iterable[Sequence[Any]]) -> int:
    driver = session.connection().connection.driver_connection
    count = 0
    with driver.cursor() as cursor, cursor.copy(stage.copy()) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _insert_batches(session: orm.Session, stage: sql.Stage, rows: Iterable[Sequence[Any]]) -> int:
    connection = session.connection()
    statement = stage.insert()
    count = 0
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, BATCH)):
        connection.exec_driver_sql(statement, [tuple(r) for r in batch])
        count += len(batch)
    return count


def execute(session: orm.Session, statement: str, **params: Any) -> int:
    """Run one named statement; the number of rows it changed."""
    result = session.execute(sa.text(statement), params)
    return int(getattr(result, "rowcount", 0) or 0)


def rows(session: orm.Session, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in session.execute(sa.text(statement), params)]
