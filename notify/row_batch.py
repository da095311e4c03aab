"""New rows of several tables written together, in as few round trips as the engine allows.

On PostgreSQL a batch is one statement: a data-modifying ``WITH`` query per table, each
reading its rows from one ``jsonb`` parameter (``jsonb_populate_recordset`` over the table's
own row type), and optionally ``pg_notify`` to wake listening workers when the transaction
commits. Foreign keys are checked at the end of the statement, so the tables may come in
any order. On SQLite, where a statement costs no round trip, each table is one
``executemany``.

Values every row of a table shares may be given once (``Batch.add(..., shared=...)``): on
PostgreSQL they are sent in a second parameter of one row and joined to every row, so the
rows' JSON carries only what differs; on SQLite each row gets them back.

Rows are dicts keyed by column key, as :func:`sqlalchemy.insert` takes them; a column left
out is ``NULL`` (none of these tables has a default). Values are encoded as the column's type
binds them: times as ISO 8601 with their offset, bytes as ``bytea`` hex, JSON columns as
themselves (a JSON column may not be ``None`` here: SQLAlchemy writes a JSON ``null`` where
the recordset gives SQL ``NULL``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa
from psycopg import sql as psql
from sqlalchemy import orm

from core.tables import UtcDateTime
from notify import delivery_sql

#: One table's rows from its ``jsonb`` parameter; table, columns and names quoted as identifiers.
INSERT_FROM_JSON: Final = (
    "{} AS (INSERT INTO {} ({}) SELECT {} FROM jsonb_populate_recordset(NULL::{}, {}::jsonb))"
)


#: The same with the values every row shares from a second parameter (a one-row recordset).
INSERT_FROM_JSON_SHARED: Final = (
    "{} AS (INSERT INTO {} ({}) SELECT {} FROM jsonb_populate_recordset(NULL::{}, {}::jsonb) r,"
    " jsonb_populate_recordset(NULL::{}, {}::jsonb) s)"
)


@dataclass(slots=True)
class Batch:
    """Rows to insert, by model, and whether listening delivery workers are to be woken;
    ``shared``: per model, values every one of its rows has (sent once on PostgreSQL)."""

    rows: dict[type[Any], list[dict[str, Any]]] = field(default_factory=dict)
    announce: bool = False
    shared: dict[type[Any], dict[str, Any]] = field(default_factory=dict)

    def add(
        self, model: type[Any], *rows: dict[str, Any], shared: dict[str, Any] | None = None
    ) -> None:
        """Add ``rows``, each with ``shared``'s values too (a row's own value of a key wins).
        ``shared`` is kept apart only for a model's first rows; a later :meth:`add` of the same
        model gives every row its own copy of the values again."""
        kept = self.rows.setdefault(model, [])
        if model in self.shared:
            common = self.shared.pop(model)
            kept[:] = [{**common, **row} for row in kept]
        if shared and (kept or not rows):
            rows = tuple({**shared, **row} for row in rows)
        elif shared:
            self.shared[model] = dict(shared)
        kept.extend(rows)

    def full_rows(self, model: type[Any]) -> list[dict[str, Any]]:
        """The model's rows, each with the shared values."""
        common = self.shared.get(model)
        rows = self.rows.get(model, [])
        return [{**common, **row} for row in rows] if common else list(rows)


def write(session: orm.Session, batch: Batch) -> None:
    """Insert the batch in the session's transaction (pending ORM changes flushed first)."""
    session.flush()
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        for model, rows in batch.rows.items():
            if rows:
                connection.execute(sa.insert(model.__table__), batch.full_rows(model))
        return
    tables = [
        (model.__table__, rows, batch.shared.get(model, {}))
        for model, rows in batch.rows.items()
        if rows
    ]
    if not tables and not batch.announce:
        return
    statement, parameters = _statement(connection, tables, announce=batch.announce)
    connection.exec_driver_sql(statement, parameters)


_STATEMENTS: dict[tuple[Any, ...], str] = {}


_Table = tuple[sa.Table, list[dict[str, Any]], dict[str, Any]]
_Shape = tuple[sa.Table, list[sa.Column[Any]], list[sa.Column[Any]]]


def _statement(
    connection: sa.Connection, tables: list[_Table], *, announce: bool
) -> tuple[str, dict[str, str]]:
    shapes = [_shape(table, rows[0], shared) for table, rows, shared in tables]
    key = (announce, *((t.name, *(c.name for c in cs), "|", *(c.name for c in ss))
                       for t, cs, ss in shapes))  # fmt: skip
    text = _STATEMENTS.get(key)
    if text is None:
        text = _STATEMENTS[key] = _compose(shapes, announce).as_string(
            connection.connection.driver_connection
        )
    parameters = {}
    for i, ((_, columns, common), (_, rows, shared)) in enumerate(zip(shapes, tables, strict=True)):
        parameters[f"t{i}"] = _json(connection.dialect, columns, rows)
        if common:
            parameters[f"s{i}"] = _json(connection.dialect, common, [shared])
    return text, parameters


def _shape(table: sa.Table, first: dict[str, Any], shared: dict[str, Any]) -> _Shape:
    """The table, the columns of its rows and those of its shared values (a row's own wins)."""
    own = [c for c in table.columns if c.key in first]
    return table, own, [c for c in table.columns if c.key in shared and c.key not in first]


def _compose(shapes: list[_Shape], announce: bool) -> psql.Composed:
    parts = []
    for i, (table, columns, common) in enumerate(shapes):
        names = psql.SQL(", ").join(psql.Identifier(c.name) for c in [*columns, *common])
        name, rows = psql.Identifier(table.name), psql.Placeholder(f"t{i}")
        if not common:
            sql = psql.SQL(INSERT_FROM_JSON)
            parts.append(sql.format(psql.Identifier(f"t{i}"), name, names, names, name, rows))
            continue
        picked = psql.SQL(", ").join(
            [psql.Identifier("r", c.name) for c in columns]
            + [psql.Identifier("s", c.name) for c in common]
        )
        sql = psql.SQL(INSERT_FROM_JSON_SHARED)
        shared = psql.Placeholder(f"s{i}")
        parts.append(
            sql.format(psql.Identifier(f"t{i}"), name, names, picked, name, rows, name, shared)
        )
    tail = psql.SQL(delivery_sql.ANNOUNCE.text if announce else "SELECT 1")
    return psql.SQL("WITH {} {}").format(psql.SQL(", ").join(parts), tail)


def _json(dialect: sa.Dialect, columns: list[sa.Column[Any]], rows: list[dict[str, Any]]) -> str:
    json_keys, converted = _encoding(dialect, tuple(columns))
    for key in json_keys:
        if any(r[key] is None for r in rows):
            raise ValueError(f"{key}: a JSON column in a batch is never None")
    if converted is not None:
        rows = [_renamed(row, columns, converted) for row in rows]
    datetimes: dict[dt.datetime, str] = {}  # most rows share a few times (now, the move's)
    return json.dumps(rows, default=lambda v: _plain(v, datetimes), separators=(",", ":"))


@functools.cache
def _encoding(
    dialect: sa.Dialect, columns: tuple[sa.Column[Any], ...]
) -> tuple[list[str], list[tuple[str, Any]] | None]:
    """The keys of the JSON columns, and the bind processors to run first (``None`` when no
    value needs one and every key is its column's name)."""
    json_keys = [c.key for c in columns if isinstance(c.type.dialect_impl(dialect), sa.JSON)]
    converted = [(c.key, bind) for c in columns if (bind := _bind(c, dialect)) is not None]
    plain = not converted and all(c.key == c.name for c in columns)
    return json_keys, None if plain else converted


def _bind(column: sa.Column[Any], dialect: sa.Dialect) -> Any:
    """The column's bind processor, where it changes more than :func:`_plain` does."""
    impl = column.type.dialect_impl(dialect)
    if isinstance(impl, sa.JSON | sa.LargeBinary | sa.Boolean) or isinstance(
        column.type, UtcDateTime
    ):
        return None
    return impl.bind_processor(dialect)


def _renamed(
    row: dict[str, Any], columns: list[sa.Column[Any]], converted: list[tuple[str, Any]]
) -> dict[str, Any]:
    values = dict(row)
    for key, bind in converted:
        values[key] = bind(values[key])
    return {c.name: values[c.key] for c in columns}


def _plain(value: Any, datetimes: dict[dt.datetime, str]) -> Any:
    """A value JSON has no type for, as PostgreSQL reads it back into the column's type."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        text = datetimes.get(value)
        if text is None:
            text = datetimes[value] = value.isoformat()
        return text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    raise TypeError(f"{type(value).__name__} is not written in a batch")
