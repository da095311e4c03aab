"""Everything stored about one UPRN in one prepared statement on the raw DB-API connection.

The live facts statement selects the BLPU row with its LPIs, street descriptors, open
organisations and classifications, open cross references, delivery points and children as JSON
arrays of positional arrays (correlated subqueries on indexed keys:
``json_agg(json_build_array(...))`` on PostgreSQL, ``json_group_array(json_array(...))`` on
SQLite). All but the children are also stored per UPRN, as one JSON text in
``address_document`` (:mod:`gazetteer.address_documents` writes it with :func:`stored_facts`),
so a lookup (:func:`read`) reads the BLPU row and its document by primary key and only the
children from the parent index; a UPRN without a document is read live (:func:`read_live`).
Statements are compiled once per dialect and run on the DB-API connection itself (psycopg
prepares them on the server), so a lookup costs one round trip and no SQLAlchemy statement
execution. The rows are ordered and chosen here exactly as the single-record readers in
:mod:`gazetteer.repository` do (a test compares the two on both engines and counts one
statement).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.compiler import SQLCompiler

from core import db
from core.errors import StorageError
from gazetteer import domain, row_records, search_tables, tables

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True, slots=True)
class AddressFacts:
    """The stored facts about one UPRN, as domain records."""

    blpu: domain.Blpu
    lpis: tuple[domain.Lpi, ...]
    descriptors: tuple[domain.StreetDescriptor, ...]
    organisation: str | None
    classification_code: str | None
    cross_references: tuple[domain.CrossReference, ...]
    delivery_points: tuple[domain.DeliveryPoint, ...]
    children: tuple[int, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class _Shape:
    """How one record type is read: its table, the fields selected and which are dates."""

    record_type: type[Any]
    table: sa.Table
    names: tuple[str, ...]
    dates: frozenset[str]
    record: row_records.Builder[Any]
    """The record of a row of ``names`` (dates as dates or ISO text)."""

    @property
    def columns(self) -> list[sa.Column[Any]]:
        return [self.table.c[name] for name in self.names]


def _shape(record_type: type[Any], model: type[Any]) -> _Shape:
    table = model.__table__
    assert isinstance(table, sa.Table)
    names = tuple(f.name for f in dataclasses.fields(record_type) if f.name in table.c)
    dates = frozenset(name for name in names if isinstance(table.c[name].type, sa.Date))
    record = row_records.builder(record_type, names, dates)
    return _Shape(record_type=record_type, table=table, names=names, dates=dates, record=record)


BLPU: Final = _shape(domain.Blpu, tables.Blpu)
LPI: Final = _shape(domain.Lpi, tables.Lpi)
DESCRIPTOR: Final = _shape(domain.StreetDescriptor, tables.StreetDescriptor)
CROSS_REFERENCE: Final = _shape(domain.CrossReference, tables.CrossReference)
DELIVERY_POINT: Final = _shape(domain.DeliveryPoint, tables.DeliveryPoint)
_JSON_COLUMNS: Final = (
    "lpis",
    "descriptors",
    "organisations",
    "classifications",
    "cross_references",
    "delivery_points",
    "children",
)


def read(connection: sa.Connection, uprn: int) -> AddressFacts | None:
    """Everything stored about ``uprn``, or ``None`` when there is no such BLPU.

    The BLPU row, its stored document (``address_document``) and its children, by primary key
    and the parent index; a UPRN without a stored document is read from the live tables."""
    rows = fetch_all(connection, stored_driver_statement(connection), {"uprn": uprn},
                     what="the address")  # fmt: skip
    return from_stored_rows(connection, uprn, rows)


def stored_driver_statement(connection: sa.Connection) -> DriverStatement:
    """The statement :func:`read` runs (``:uprn``), compiled once per engine, for a caller that
    sends it itself (in a pipeline with other statements) and hands the rows to
    :func:`from_stored_rows`."""
    return _compiled(connection, _STORED)


def from_stored_rows(
    connection: sa.Connection, uprn: int, rows: Sequence[Any]
) -> AddressFacts | None:
    """:func:`read`'s result from the rows of its statement (a UPRN without a stored document
    is read from the live tables)."""
    if not rows:
        return None
    row = rows[0]
    stored = row[_WIDTH]
    if stored is None:
        return read_live(connection, uprn)
    arrays = [*(json.loads(stored) if isinstance(stored, str) else stored), _json(row[-1])]
    return _facts(BLPU.record(row[:_WIDTH]), _arrays(arrays))


def read_live(connection: sa.Connection, uprn: int) -> AddressFacts | None:
    """:func:`read` from the gazetteer tables alone (what the stored document must equal)."""
    rows = fetch_all(connection, _compiled(connection, _FACTS), {"uprn": uprn}, what="the address")
    if not rows:
        return None
    row = rows[0]
    return _facts(BLPU.record(row[:_WIDTH]), _arrays([_json(value) for value in row[_WIDTH:]]))


def _arrays(values: Sequence[Any]) -> dict[str, Any]:
    return dict(zip(_JSON_COLUMNS, (value or () for value in values), strict=True))


def _compiled(connection: sa.Connection, cache: dict[str, DriverStatement]) -> DriverStatement:
    dialect = connection.dialect
    statement = cache.get(dialect.name)
    if statement is None:
        build = facts_statement if cache is _FACTS else stored_statement
        statement = cache[dialect.name] = driver_statement(build(dialect.name), dialect)
    return statement


# -- statements on the DB-API connection -----------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class DriverStatement:
    """A statement compiled once for one dialect, to run on the DB-API connection itself:
    its SQL, the order of its parameters when the driver takes them by position, and the
    values bound when it was built (filters), which each call may add to."""

    sql: str
    order: tuple[str, ...] | None
    bound: dict[str, Any]
    prepare: bool

    def parameters(self, values: dict[str, Any]) -> Any:
        merged = self.bound | values
        return merged if self.order is None else tuple(merged[name] for name in self.order)


def driver_statement(statement: sa.ClauseElement, dialect: sa.Dialect) -> DriverStatement:
    """``statement`` compiled for ``dialect``; every bind parameter needs a value (a
    placeholder for those given per call), since IN lists are rendered in place."""
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    expanded = compiled.construct_expanded_state()
    order = tuple(expanded.positiontup or ()) if compiled.positional else None
    return DriverStatement(
        sql=expanded.statement,
        order=order,
        bound=dict(expanded.parameters),
        prepare=dialect.name == "postgresql",
    )


def fetch_all(
    connection: sa.Connection, statement: DriverStatement, values: dict[str, Any], *, what: str
) -> list[Any]:
    """The rows (plain tuples) of ``statement`` run with ``values`` on the session's DB-API
    connection, in its transaction; psycopg prepares it on the server."""
    options = {"prepare": True} if statement.prepare else {}
    try:
        cursor = _cursor(connection.connection)
        rows: list[Any] = cursor.execute(
            statement.sql, statement.parameters(values), **options
        ).fetchall()
    except connection.dialect.loaded_dbapi.Error as exc:
        raise StorageError(f"the database could not read {what}") from db.driver_error(
            connection, exc
        )
    return rows


def _cursor(pooled: Any) -> Any:
    """The DB-API connection's cursor for these statements, made once per connection (a
    cursor a call cost about 6 us of the lookup's Python): kept in the pool's ``info`` for the
    connection, which SQLAlchemy clears when it replaces the connection."""
    raw = pooled.driver_connection
    cursor = pooled.info.get(CURSOR_KEY)
    if cursor is None or cursor.connection is not raw:
        cursor = pooled.info[CURSOR_KEY] = raw.cursor()
    return cursor


CURSOR_KEY: Final = "gazetteer.facts_query.cursor"
"""Where a pooled connection's ``info`` keeps the cursor of :func:`fetch_all`."""


def _json(value: Any) -> Any:
    """psycopg decodes ``json`` itself; SQLite hands back the text."""
    return json.loads(value) if isinstance(value, str) else value


def _facts(blpu: domain.Blpu, arrays: dict[str, Any]) -> AddressFacts:
    return AddressFacts(
        blpu=blpu,
        lpis=_sorted(LPI, arrays["lpis"], lambda r: r.lpi_key),
        descriptors=_sorted(DESCRIPTOR, arrays["descriptors"], lambda r: (r.usrn, r.language)),
        organisation=_first_open(arrays["organisations"]),
        classification_code=_first_open(arrays["classifications"]),
        cross_references=_sorted(
            CROSS_REFERENCE, arrays["cross_references"], lambda r: (r.source, r.xref_key)
        ),
        delivery_points=_sorted(
            DELIVERY_POINT, arrays["delivery_points"], lambda r: (r.end_date is not None, r.udprn)
        ),
        children=tuple(sorted(arrays["children"])),
    )


def _sorted(shape: _Shape, items: Sequence[Sequence[Any]], key: Callable[[Any], Any]) -> Any:
    if len(items) < 2:
        return tuple(map(shape.record, items))
    return tuple(sorted(map(shape.record, items), key=key))


def _first_open(items: Sequence[Sequence[Any]]) -> str | None:
    """The lowest key's value, rows without a key (DTF) last, then by id (as the readers do)."""
    if not items:
        return None
    _key, _id, value = min(items, key=lambda r: (r[0] is None, r[0] or "", r[1]))
    chosen: str | None = value
    return chosen


# -- the statement --------------------------------------------------------------------------


_FACTS: dict[str, DriverStatement] = {}
_STORED: dict[str, DriverStatement] = {}
_WIDTH: Final = len(BLPU.names)


def _array(dialect: str, columns: Sequence[sa.ColumnElement[Any]]) -> Any:
    """A JSON array of positional rows (no keys to build or to parse)."""
    if dialect == "sqlite":
        return sa.func.json_group_array(sa.func.json_array(*columns))
    return sa.func.json_agg(sa.func.json_build_array(*columns))


def ordered(dialect: str, rows: sa.Select[Any], order: Sequence[Any]) -> sa.Select[Any]:
    """The JSON array of the rows ``rows`` selects, in ``order`` (each array has a defined
    order, so the stored text is the same whichever plan or statement wrote it). PostgreSQL
    sorts in the aggregate; SQLite (no ``ORDER BY`` in an aggregate before 3.44) aggregates a
    sorted subquery, which it does not flatten into an aggregate and reads in order."""
    columns = list(rows.selected_columns)
    if dialect == "sqlite":
        labelled = [c.label(f"c{i}") for i, c in enumerate(columns)]
        sorted_rows = rows.with_only_columns(*labelled).order_by(*order)
        inner = sorted_rows.correlate(tables.Blpu).subquery()  # a FROM does not correlate itself
        return sa.select(_array(dialect, list(inner.c)))
    array = sa.func.json_build_array(*columns)
    return rows.with_only_columns(sa.func.json_agg(postgresql.aggregate_order_by(array, *order)))


def _of(dialect: str, shape: _Shape, where: sa.ColumnElement[bool]) -> Any:
    rows = sa.select(*shape.columns).select_from(shape.table).where(where)
    return ordered(dialect, rows, ORDER[shape.table.name](shape.table)).scalar_subquery()


def _open_choices(dialect: str, model: type[Any], key: str, value: str) -> Any:
    table = model.__table__
    where = sa.and_(table.c.uprn == tables.Blpu.uprn, table.c.end_date.is_(None))
    rows = sa.select(table.c[key], table.c.id, table.c[value]).where(where)
    return ordered(dialect, rows, [table.c.id]).scalar_subquery()


ORDER: Final[dict[str, Callable[[sa.Table], list[sa.ColumnElement[Any]]]]] = {
    "lpi": lambda t: [t.c.lpi_key],
    "street_descriptor": lambda t: [t.c.usrn, t.c.language],
    "cross_reference": lambda t: [t.c.xref_key],
    "delivery_point": lambda t: [t.c.udprn],
    "organisation": lambda t: [t.c.id],
    "classification": lambda t: [t.c.id],
}
"""Each stored array's order: the table's primary key."""
OPEN_CHOICES: Final = (
    (tables.Organisation, "org_key", "organisation"),
    (tables.Classification, "class_key", "classification_code"),
)
"""The open organisations and classifications: their key, id and value, by id."""


def _children(dialect: str) -> Any:
    child = orm.aliased(tables.Blpu)
    aggregate = (
        sa.func.json_group_array(child.uprn)
        if dialect == "sqlite"
        else sa.func.json_agg(child.uprn)
    )
    return sa.select(aggregate).where(child.parent_uprn == tables.Blpu.uprn).scalar_subquery()


def _stored_subqueries(dialect: str) -> list[Any]:
    """What ``address_document.facts`` holds, per BLPU row: every array but the children."""
    b, lpi = tables.Blpu, tables.Lpi
    usrns = sa.select(lpi.usrn).where(lpi.uprn == b.uprn).correlate(tables.Blpu)
    d, x, dp = tables.StreetDescriptor, tables.CrossReference, tables.DeliveryPoint
    return [
        _of(dialect, LPI, lpi.uprn == b.uprn),
        _of(dialect, DESCRIPTOR, d.usrn.in_(usrns)),
        *(_open_choices(dialect, *choice) for choice in OPEN_CHOICES),
        _of(dialect, CROSS_REFERENCE, sa.and_(x.uprn == b.uprn, x.end_date.is_(None))),
        _of(dialect, DELIVERY_POINT, dp.uprn == b.uprn),
    ]


def stored_facts(dialect: str) -> sa.ColumnElement[str]:
    """The ``address_document.facts`` text of the BLPU row selected (``tables.Blpu``): one JSON
    array of the stored arrays, each as the live statement selects it."""
    subqueries = _stored_subqueries(dialect)
    if dialect == "sqlite":
        return sa.func.json_array(*(sa.func.json(sub) for sub in subqueries), type_=sa.Text)
    return sa.cast(sa.func.json_build_array(*subqueries), sa.Text)


def _by_uprn() -> sa.ColumnElement[bool]:
    return tables.Blpu.uprn == sa.bindparam("uprn", 0, type_=sa.BigInteger)


def facts_statement(dialect: str) -> sa.Select[Any]:
    subqueries = [*_stored_subqueries(dialect), _children(dialect)]
    labelled = [sub.label(name) for name, sub in zip(_JSON_COLUMNS, subqueries, strict=True)]
    return sa.select(*BLPU.columns, *labelled).where(_by_uprn())


def stored_statement(dialect: str) -> sa.Select[Any]:
    """The BLPU row, its stored document (``NULL`` when it has none) and its children."""
    document = search_tables.AddressDocument
    joined = sa.outerjoin(tables.Blpu, document, document.uprn == tables.Blpu.uprn)
    children = _children(dialect).label("children")
    return sa.select(*BLPU.columns, document.facts, children).select_from(joined).where(_by_uprn())
