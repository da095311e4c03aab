"""New rows of several tables written together, in as few round trips as the engine allows.

On PostgreSQL a batch is one statement: a data-modifying ``WITH`` query per table, each
reading its rows from one ``jsonb`` parameter (``jsonb_populate_recordset`` over the table's
own row type), and optionally ``pg_notify`` to wake listening workers when the transaction
commits. Foreign keys are checked at the end of the statement, so the tables may come in
any order. On SQLite, where a statement costs no round trip, each table is one
``executemany``. Several batches may be sent in one pipeline (:func:`pipelined`): on
PostgreSQL each is sent as it is given and the results are awaited once, so the server inserts
one batch while the caller composes the next.

Values every row of a table shares may be given once (``Batch.add(..., shared=...)``): on
PostgreSQL they are sent in a second parameter of one row, read once into the base row the
table's rows are read over, so the rows' JSON carries only what differs; on SQLite each row
gets them back. On PostgreSQL the
values a key has alike in every row of a table of :data:`SHARED_FROM` rows or more (a scalar,
or one and the same list or dict) are sent that way too (the ten deliveries of a move share
their event, times and state). A column the statement can compute from a row's other columns
(:meth:`Batch.derive`) is not sent on PostgreSQL.

Rows are dicts keyed by column key, as :func:`sqlalchemy.insert` takes them; a column left
out is ``NULL`` (none of these tables has a default). Values are encoded as the column's type
binds them: times as ISO 8601 with their offset, bytes as ``bytea`` input text (UTF-8 in the
escape format, else hex), JSON columns as themselves (a JSON column may not be ``None`` here:
SQLAlchemy writes a JSON ``null`` where the recordset gives SQL ``NULL``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import operator
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
import sqlalchemy as sa
from psycopg import sql as psql
from sqlalchemy import orm

from core import db
from core.tables import UtcDateTime
from notify import delivery_sql

#: One table's rows from its ``jsonb`` parameter over a base row (the table quoted as an
#: identifier, then the base), every column in the table's order: a key a row lacks takes the
#: base's value. The rows are ``p``.
ROWS_FROM_JSON: Final = (
    "{} AS (INSERT INTO {} SELECT {}.* FROM jsonb_populate_recordset({}, {}::jsonb) p"
)
#: The base with the values every row shares, from a second parameter (a one-element array of
#: the shared columns only), read once for all the rows (the table quoted as an identifier).
WITH_SHARED: Final = "jsonb_populate_record(NULL::{}, {}::jsonb -> 0)"
#: Without shared values the base is all ``NULL``, as a column left out of an insert is (none
#: of these tables has a default).
WITHOUT_SHARED: Final = "NULL::{}"
#: Columns computed from the row ``p`` (pairs of a column's name and its SQL expression, as
#: :meth:`Batch.derive` names them) replace the rows' values: the rows are then ``d``.
WITH_DERIVED: Final = ", LATERAL jsonb_populate_record(p, jsonb_build_object({})) d"


@dataclass(slots=True)
class Batch:
    """Rows to insert, by model, and whether listening delivery workers are to be woken;
    ``shared``: per model, values every one of its rows has (sent once on PostgreSQL)."""

    rows: dict[type[Any], list[dict[str, Any]]] = field(default_factory=dict)
    announce: bool = False
    shared: dict[type[Any], dict[str, Any]] = field(default_factory=dict)
    derived: dict[type[Any], dict[str, str]] = field(default_factory=dict)

    def derive(self, model: type[Any], column: str, expression: str) -> None:
        """On PostgreSQL, compute ``column`` of the model's rows in the statement from the
        row's other columns (``expression``: named SQL reading the row as ``p``, which must
        give the value the rows hold) instead of sending it; on SQLite the rows' values are
        written."""
        self.derived.setdefault(model, {})[column] = expression

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
    with pipelined(session) as send:
        send(batch)


@contextlib.contextmanager
def pipelined(session: orm.Session) -> Iterator[Callable[[Batch], None]]:
    """A function that inserts a batch in the session's transaction (pending ORM changes flushed
    first), every batch written by the end of the block. On PostgreSQL each batch is sent as it
    is given and the block waits once, at its end, for all of them, in one pipeline of the
    driver: the server inserts a batch while the caller composes the next. The block must not
    use the session (a failed batch is reported at its end, and fails the transaction)."""
    session.flush()
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        yield functools.partial(_execute_each, connection)
        return
    driver: Any = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, driver.pipeline():  # closed once its results are in
            yield functools.partial(_send, connection, cursor)
    except connection.dialect.loaded_dbapi.Error as exc:
        raise db.driver_error(connection, exc) from exc


def _execute_each(connection: sa.Connection, batch: Batch) -> None:
    for model, rows in batch.rows.items():
        if rows:
            connection.execute(sa.insert(model.__table__), batch.full_rows(model))


def _send(connection: sa.Connection, cursor: Any, batch: Batch) -> None:
    tables = [
        (
            *_split(model.__table__, rows, batch.shared.get(model, {}), batch.derived.get(model)),
            batch.derived.get(model, {}),
        )
        for model, rows in batch.rows.items()
        if rows
    ]
    if tables or batch.announce:
        cursor.execute(*_statement(connection, tables, announce=batch.announce))


_STATEMENTS: dict[tuple[Any, ...], str] = {}
#: From this many rows of a table, the values every row has alike are sent once (shared).
SHARED_FROM: Final = 5
#: ... and when at least one key in this many is alike.
SHARED_PART: Final = 4
_SCALARS: Final = frozenset({str, int, bool, type(None), dt.date, dt.datetime})


def _split(
    table: sa.Table,
    rows: list[dict[str, Any]],
    shared: dict[str, Any],
    derived: Collection[str] | None = None,
) -> tuple[sa.Table, list[dict[str, Any]], dict[str, Any]]:
    """The table, its rows and its shared values, with the values of a key every one of at
    least :data:`SHARED_FROM` rows has alike (a scalar of the same type, a time with the same
    offset, or one and the same object) moved from the rows to the shared values, if a
    :data:`SHARED_PART` th of the keys or more are; the ``derived`` columns left out."""
    alike = _alike_keys(rows) if len(rows) >= SHARED_FROM else []
    if len(alike) * SHARED_PART < len(rows[0]):  # too few to pay for rebuilding the rows
        alike = []
    if not alike and not derived:
        return table, rows, shared
    dropped = set(alike).union(derived or ())
    common = {k: v for k, v in shared.items() if k not in dropped}
    common.update((key, rows[0][key]) for key in alike)
    own = [key for key in rows[0] if key not in dropped]
    return table, [{key: row[key] for key in own} for row in rows], common


def _alike_keys(rows: list[dict[str, Any]]) -> list[str]:
    last = rows[-1]  # most keys that differ at all differ here: a cheap first look
    return [
        key
        for key, value in rows[0].items()
        if (last[key] is value or (last[key] == value and type(value) in _SCALARS))
        and _alike(value, key, rows)
    ]


def _alike(value: Any, key: str, rows: list[dict[str, Any]]) -> bool:
    """Whether every row's value of ``key`` is ``value``'s like: equal, of the same type and
    (a time) offset, or (a list or dict) the same object. Loops run in C: this is asked of
    every key of a move's 90 refused decisions."""
    values = list(map(operator.itemgetter(key), rows))
    kind = type(value)
    if kind not in _SCALARS:  # a list or a dict: the same object in every row
        return all(map(operator.is_, values, itertools.repeat(value)))
    if values.count(value) != len(values) or set(map(type, values)) != {kind}:
        return False
    return kind is not dt.datetime or {v.utcoffset() for v in values} == {value.utcoffset()}


_Table = tuple[sa.Table, list[dict[str, Any]], dict[str, Any], dict[str, str]]
_Shape = tuple[sa.Table, list[sa.Column[Any]], list[sa.Column[Any]]]


def _statement(
    connection: sa.Connection, tables: list[_Table], *, announce: bool
) -> tuple[str, dict[str, str]]:
    shapes = [_shape(table, rows[0], shared) for table, rows, shared, _ in tables]
    derived = [tuple(d.items()) for *_, d in tables]
    key = (
        announce,
        *((t.name, bool(ss), d) for (t, _, ss), d in zip(shapes, derived, strict=True)),
    )
    text = _STATEMENTS.get(key)
    if text is None:
        text = _STATEMENTS[key] = _compose(shapes, derived, announce).as_string(
            connection.connection.driver_connection
        )
    parameters = {}
    for i, ((_, columns, common), (_, rows, shared, _)) in enumerate(
        zip(shapes, tables, strict=True)
    ):
        parameters[f"t{i}"] = _json(connection.dialect, columns, rows)
        if common:
            only = {c.key: shared[c.key] for c in common}  # a row's own value wins
            parameters[f"s{i}"] = _json(connection.dialect, common, [only])
    return text, parameters


def _shape(table: sa.Table, first: dict[str, Any], shared: dict[str, Any]) -> _Shape:
    """The table, the columns of its rows and those of its shared values (a row's own wins)."""
    return _columns(table, frozenset(first), frozenset(shared))


@functools.cache
def _columns(table: sa.Table, first: frozenset[str], shared: frozenset[str]) -> _Shape:
    own = [c for c in table.columns if c.key in first]
    return table, own, [c for c in table.columns if c.key in shared and c.key not in first]


def _compose(
    shapes: list[_Shape], derived: list[tuple[tuple[str, str], ...]], announce: bool
) -> psql.Composed:
    parts = []
    for i, ((table, _, common), computed) in enumerate(zip(shapes, derived, strict=True)):
        name, rows = psql.Identifier(table.name), psql.Placeholder(f"t{i}")
        base = (
            psql.SQL(WITH_SHARED).format(name, psql.Placeholder(f"s{i}"))
            if common
            else psql.SQL(WITHOUT_SHARED).format(name)
        )
        source = psql.SQL(ROWS_FROM_JSON).format(
            psql.Identifier(f"t{i}"), name, psql.Identifier("d" if computed else "p"), base, rows
        )
        if computed:
            pairs = psql.SQL(", ").join(
                psql.SQL("{}, {}").format(psql.Literal(column), psql.SQL(expression))
                for column, expression in computed
            )
            source += psql.SQL(WITH_DERIVED).format(pairs)
        parts.append(source + psql.SQL(")"))
    tail = psql.SQL(delivery_sql.ANNOUNCE.text if announce else "SELECT 1")
    return psql.SQL("WITH {} {}").format(psql.SQL(", ").join(parts), tail)


def _json(dialect: sa.Dialect, columns: list[sa.Column[Any]], rows: list[dict[str, Any]]) -> str:
    json_keys, converted = _encoding(dialect, tuple(columns))
    for key in json_keys:
        if any(r[key] is None for r in rows):
            raise ValueError(f"{key}: a JSON column in a batch is never None")
    if converted is not None:
        rows = [_renamed(row, columns, converted) for row in rows]
    return json_document(rows)


def json_document(rows: list[dict[str, Any]]) -> str:
    """Rows as one JSON document PostgreSQL reads back into typed columns: aware timestamps
    in ISO 8601, each distinct one formatted once (most rows share a few: a step's ``now``),
    naive ones refused; dates, and bytes as ``bytea`` input text (:func:`_plain`)."""
    datetimes: dict[dt.datetime, str] = {}
    options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS  # times by _plain
    return orjson.dumps(rows, default=lambda v: _plain(v, datetimes), option=options).decode()


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
            raise ValueError("naive datetimes are not stored (timestamps must be aware)")
        text = datetimes.get(value)
        if text is None:
            text = datetimes[value] = value.isoformat()
        return text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return _bytea(bytes(value))
    raise TypeError(f"{type(value).__name__} is not written in a batch")


def _bytea(value: bytes) -> str:
    """``bytea`` input text: UTF-8 without NUL in the escape format (the text itself, each
    backslash doubled: about half the size of hex for a JSON body), anything else as hex."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return "\\x" + value.hex()
    if "\x00" in text:
        return "\\x" + value.hex()
    return text.replace("\\", "\\\\")
