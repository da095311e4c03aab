"""The stored documents of many UPRNs in one statement: one grouped aggregate per table.

:func:`gazetteer.facts_query.stored_facts` builds a UPRN's document with a correlated subquery
per array, which is what a lookup or a small refresh wants; for a full supply it is one
index probe per UPRN and table. :func:`documents` gives the same text for a set of BLPUs
(every one when ``chosen`` is ``None``) from one aggregate per table grouped by UPRN, joined
to the BLPUs: ``json_agg(... ORDER BY ...) GROUP BY uprn`` on PostgreSQL, and on SQLite
``json_group_array`` as a window over each UPRN's rows in the same order (a window, unlike
``GROUP BY``, defines the order it aggregates in), one row per UPRN. A UPRN without rows in
a table has ``null`` there on PostgreSQL and ``[]`` on SQLite, as the correlated aggregates
give (a test compares the two paths' text on both engines).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from gazetteer import facts_query, tables

Chosen = list[int] | sa.Select[Any] | None


def documents(dialect: str, chosen: Chosen, *, narrow: bool = True) -> sa.Select[Any]:
    """``(uprn, facts)`` of the chosen BLPUs, ``facts`` as ``stored_facts`` gives it. With
    ``narrow`` each table's rows are chosen before they are aggregated, else every UPRN's are
    aggregated and joined to the chosen BLPUs (cheaper when they are most of them)."""
    blpu = tables.Blpu.__table__
    assert isinstance(blpu, sa.Table)
    parts = _parts(dialect, chosen if narrow else None)
    joined: sa.FromClause = blpu
    for part in parts:
        joined = joined.outerjoin(part, part.c.uprn == blpu.c.uprn)
    statement = sa.select(blpu.c.uprn, _facts(dialect, [part.c.array for part in parts]))
    statement = statement.select_from(joined)
    return statement if chosen is None else statement.where(blpu.c.uprn.in_(chosen))


def _facts(dialect: str, arrays: Sequence[Any]) -> sa.ColumnElement[str]:
    if dialect == "sqlite":
        empty = sa.func.json_array()
        values = (sa.func.json(sa.func.coalesce(array, empty)) for array in arrays)
        return sa.func.json_array(*values, type_=sa.Text)
    return sa.cast(sa.func.json_build_array(*arrays), sa.Text)


def _parts(dialect: str, chosen: Chosen) -> list[sa.Subquery]:
    lpi, dp = facts_query.LPI, facts_query.DELIVERY_POINT
    xref = facts_query.CROSS_REFERENCE
    parts = [_grouped(dialect, lpi.columns, lpi.table, where=None, chosen=chosen)]
    parts.append(_descriptors(dialect, chosen))
    for model, key, value in facts_query.OPEN_CHOICES:
        table = model.__table__
        assert isinstance(table, sa.Table)
        columns = [table.c[key], table.c.id, table.c[value]]
        parts.append(_grouped(dialect, columns, table, where=_open(table), chosen=chosen))
    parts.append(
        _grouped(dialect, xref.columns, xref.table, where=_open(xref.table), chosen=chosen)
    )
    parts.append(_grouped(dialect, dp.columns, dp.table, where=None, chosen=chosen))
    return parts


def _open(table: sa.Table) -> sa.ColumnElement[bool]:
    return table.c.end_date.is_(None)


def _descriptors(dialect: str, chosen: Chosen) -> sa.Subquery:
    """Each UPRN's descriptors: those of the streets its LPIs are on (each once)."""
    lpi, descriptor = facts_query.LPI.table, facts_query.DESCRIPTOR.table
    pairs = sa.select(lpi.c.uprn, lpi.c.usrn).distinct()
    if chosen is not None:
        pairs = pairs.where(lpi.c.uprn.in_(chosen))
    streets = pairs.subquery("streets")
    source = descriptor.join(streets, streets.c.usrn == descriptor.c.usrn)
    columns = facts_query.DESCRIPTOR.columns
    joined = (source, streets.c.uprn)
    return _grouped(dialect, columns, descriptor, where=None, chosen=None, joined=joined)


def _grouped(
    dialect: str,
    columns: Sequence[sa.ColumnElement[Any]],
    table: sa.Table,
    *,
    where: sa.ColumnElement[bool] | None,
    chosen: Chosen,
    joined: tuple[sa.FromClause, sa.ColumnElement[Any]] | None = None,
) -> sa.Subquery:
    """``(uprn, array)``: the rows of ``table`` (``joined``: that source and its UPRN column)
    per UPRN as one JSON array in the table's order."""
    source, uprn = joined if joined is not None else (table, table.c.uprn)
    keys = facts_query.ORDER[table.name](table)
    conditions = [c for c in (where, None if chosen is None else uprn.in_(chosen)) if c is not None]
    if dialect == "sqlite":
        return _windowed(columns, uprn, keys, source, conditions)
    array = postgresql.aggregate_order_by(sa.func.json_build_array(*columns), *keys)
    statement = sa.select(uprn.label("uprn"), sa.func.json_agg(array).label("array"))
    return statement.select_from(source).where(*conditions).group_by(uprn).subquery()


def _windowed(
    columns: Sequence[sa.ColumnElement[Any]],
    uprn: sa.ColumnElement[Any],
    keys: Sequence[sa.ColumnElement[Any]],
    source: sa.FromClause,
    conditions: Sequence[sa.ColumnElement[bool]],
) -> sa.Subquery:
    array = sa.func.json_group_array(sa.func.json_array(*columns)).over(
        partition_by=uprn, order_by=list(keys), rows=(None, None)
    )
    first = sa.func.row_number().over(partition_by=uprn, order_by=list(keys))
    rows = sa.select(uprn.label("uprn"), array.label("array"), first.label("n"))
    inner = rows.select_from(source).where(*conditions).subquery()
    return sa.select(inner.c.uprn, inner.c.array).where(inner.c.n == 1).subquery()
