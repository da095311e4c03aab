"""The rows of the worker's batch steps, read and written many per statement (Core).

A claim starts up to a batch of attempts and a finish records as many results; each step
reads what it needs in one joined query and writes each table with one ``executemany``
statement, instead of one ORM object per row. The rules are those of
:mod:`notify.delivery_repository` (a ledger outcome never moves back down; every change of
outcome leaves a history row); repositories flush, the caller commits.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql

from core import db, ids
from notify import delivery_repository as repo
from notify import delivery_tables as dt_tables
from notify.tables import outbox


def attempt_row(
    delivery: outbox.Delivery,
    *,
    worker: str,
    now: dt.datetime,
    kids: list[str],
    recheck: Mapping[str, Any],
) -> dict[str, Any]:
    """The ``started`` attempt row (as :func:`notify.delivery_repository.start_attempt`)."""
    return {"id": ids.new_id(), "delivery_id": delivery.id,
            "attempt_no": delivery.attempt_count + 1, "phase": "started", "started_at": now,
            "possibly_received": False, "signature_kids": kids, "recheck": dict(recheck),
            "worker_id": worker}  # fmt: skip


_ATTEMPT = cast(sa.Table, dt_tables.DeliveryAttempt.__table__)
_DELIVERY = cast(sa.Table, outbox.Delivery.__table__)
_LANE = cast(sa.Table, outbox.DeliveryLane.__table__)
_LINE = cast(sa.Table, outbox.Disclosure.__table__)
_HISTORY = cast(sa.Table, outbox.DisclosureHistory.__table__)


def sent_rows(session: orm.Session, attempt_ids: Iterable[str]) -> dict[str, Any]:
    """Per attempt id: its phase, its delivery, the lane's lease owner and the ledger line."""
    a, d, lane, line = _ATTEMPT, _DELIVERY, _LANE, _LINE
    columns = (
        a.c.id.label("attempt_id"), a.c.phase, d.c.id.label("delivery_id"), d.c.seq,
        d.c.schedule_index,
        d.c.possibly_received, d.c.partner_id, d.c.endpoint_id, lane.c.lease_owner,
        line.c.id.label("line_id"), line.c.outcome, line.c.disclosed_at, line.c.close_reason,
        line.c.closed_at,
    )  # fmt: skip
    query = (
        sa.select(*columns)
        .select_from(
            a.join(d, d.c.id == a.c.delivery_id)
            .join(lane, lane.c.ordering_key == d.c.ordering_key)
            .outerjoin(line, line.c.delivery_id == d.c.id)
        )
        .where(a.c.id.in_(sorted(set(attempt_ids))))
    )
    return {row.attempt_id: row for row in session.execute(query)}


def moved_line(
    line: sa.Row[Any], *, outcome: str | None, close_reason: str | None, now: dt.datetime
) -> tuple[dict[str, Any], str | None]:
    """A ledger line's new columns after a step, and the outcome it left (None: unchanged)."""
    values = {
        "_id": line.line_id,
        "outcome": line.outcome,
        "disclosed_at": line.disclosed_at,
        "close_reason": line.close_reason,
        "closed_at": line.closed_at,
    }
    left = None
    if outcome is not None and repo.OUTCOME_RANK[outcome] > repo.OUTCOME_RANK[line.outcome]:
        left, values["outcome"] = line.outcome, outcome
        if outcome == "disclosed":
            values["disclosed_at"] = now
    if close_reason is not None:
        values["close_reason"] = close_reason
        values["closed_at"] = now if close_reason != "reopened" else None
    return values, left


def history_row(
    line_id: str, *, left: str, outcome: str, now: dt.datetime, actor: str
) -> dict[str, Any]:
    return {"id": ids.new_id(), "disclosure_id": line_id, "at": now, "from_outcome": left,
            "to_outcome": outcome, "actor": actor, "detail": None}  # fmt: skip


def write_started(
    session: orm.Session,
    *,
    attempts: list[dict[str, Any]],
    deliveries: list[dict[str, Any]],
    narrowed: list[dict[str, Any]],
    lines: list[dict[str, Any]],
) -> None:
    """Write a claim's started attempts, one statement per table (``_id``: the delivery)."""
    _insert(session, _ATTEMPT, attempts)
    by_id = _by("_id", _DELIVERY.c.id)
    _update(session, _DELIVERY, deliveries, by_id)
    _update(session, _DELIVERY, narrowed, by_id)
    _update(session, _LINE, lines, _by("_id", _LINE.c.delivery_id),
            lambda v: {"rule_version": _keep(v, _LINE.c.rule_version),
                       "dsa_id": _keep(v, _LINE.c.dsa_id),
                       "dsa_version": _keep(v, _LINE.c.dsa_version)})  # fmt: skip


def write_finished(
    session: orm.Session,
    *,
    attempts: list[dict[str, Any]],
    deliveries: list[dict[str, Any]],
    lanes: list[dict[str, Any]],
    lines: list[dict[str, Any]],
    history: list[dict[str, Any]],
) -> None:
    """Write a finish step's rows, one statement per table (``_id``/``_key``: the row)."""
    _update(
        session,
        _ATTEMPT,
        attempts,
        lambda v: sa.and_(_ATTEMPT.c.id == v("_id"), _ATTEMPT.c.phase == "started"),
    )
    _update(
        session,
        _DELIVERY,
        deliveries,
        _by("_id", _DELIVERY.c.id),
        lambda v: {"close_reason": _keep(v, _DELIVERY.c.close_reason)},
    )
    _update(
        session,
        _LANE,
        lanes,
        lambda v: sa.and_(_LANE.c.ordering_key == v("_key"), _LANE.c.lease_owner == v("_owner")),
        lambda v: {
            "state": _unless_last(v, "idle", "_state"),
            "next_attempt_at": _unless_last(v, None, "_next_attempt_at"),
        },
    )
    _update(session, _LINE, lines, _by("_id", _LINE.c.id))
    _insert(session, _HISTORY, history)  # fmt: skip


# -- many rows per statement: ``executemany`` on SQLite, ``unnest`` of arrays on PostgreSQL ---

#: A row's value by key: a bound parameter (executemany) or a column of the unnested arrays.
Value = Callable[[str], sa.ColumnElement[Any]]
_Where = Callable[[Value], sa.ColumnElement[bool]]
_Extra = Callable[[Value], dict[str, sa.ColumnElement[Any]]]


def _by(key: str, column: sa.Column[Any]) -> _Where:
    return lambda v: column == v(key)


def _keep(v: Value, column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """The row's ``_<column>``, or the column's own value when that is None."""
    return sa.func.coalesce(v(f"_{column.name}"), column)


def _unless_last(v: Value, last: str | None, key: str) -> sa.ColumnElement[Any]:
    """``last`` when the lane's newest delivery is the one that left (``_last_seq``: its
    seq, given only when it left the lane), else the row's ``key``.

    Read from the lane row being updated, so a delivery enqueued meanwhile (its ``last_seq``
    taken under the row's lock) keeps the lane ready; an empty lane rests idle at once.
    """
    column = _LANE.c.state if last is not None else _LANE.c.next_attempt_at
    return sa.case((_LANE.c.last_seq == v("_last_seq"), sa.literal(last, column.type)),
                   else_=v(key))  # fmt: skip


def _update(
    session: orm.Session,
    table: sa.Table,
    rows: list[dict[str, Any]],
    where: _Where,
    extra: _Extra | None = None,
) -> None:
    """``UPDATE table SET <each plain key> … WHERE where``, for every row in one statement
    (keys starting ``_`` are only read by ``where`` and ``extra``)."""
    if not rows:
        return
    if db.is_sqlite(session):
        bound = _bound(table)
        statement = sa.update(table).where(where(bound))
        session.execute(statement.values(extra(bound)) if extra else statement, rows)
        return
    source, params = _unnested(session, table, rows)
    plain = {name: source(name) for name in rows[0] if not name.startswith("_")}
    values = plain | (extra(source) if extra else {})
    session.execute(sa.update(table).where(where(source)).values(values), params)


def _insert(session: orm.Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if db.is_sqlite(session):
        session.execute(sa.insert(table), rows)
        return
    source, params = _unnested(session, table, rows)
    names = list(rows[0])
    query = sa.select(*(source(name) for name in names))
    session.execute(sa.insert(table).from_select(names, query), params)


def _column_type(table: sa.Table, key: str) -> sa.types.TypeEngine[Any]:
    """The type of the column a key stands for (``_<column>``: a column too)."""
    name = key.removeprefix("_")
    return table.c[name].type if name in table.c else sa.String()


def _bound(table: sa.Table) -> Value:
    return lambda key: sa.bindparam(key, type_=_column_type(table, key))


def _is_json(kind: sa.types.TypeEngine[Any]) -> bool:
    return isinstance(kind, sa.JSON)


def _unnested(
    session: orm.Session, table: sa.Table, rows: list[dict[str, Any]]
) -> tuple[Value, dict[str, list[Any]]]:
    """PostgreSQL: one array per key (bound as ``many<key>``), unnested to rows in the statement
    (``unnest(…) AS v``)."""
    names = list(rows[0])
    assert all(len(row) == len(names) for row in rows), "rows of one statement share keys"
    kinds = {name: _column_type(table, name) for name in names}
    dumps = session.get_bind().dialect._json_serializer or json.dumps
    params: dict[str, list[Any]] = {}
    for name in names:
        column = [row[name] for row in rows]
        if _is_json(kinds[name]):
            column = [None if value is None else dumps(value) for value in column]
        params[f"many{name}"] = column
    arrays = [sa.bindparam(f"many{name}", type_=postgresql.ARRAY(_array_type(kinds[name])))
              for name in names]  # fmt: skip
    unnest = sa.func.unnest(*arrays).table_valued(*names).render_derived(name="v")
    return lambda key: _typed(unnest.c[key], kinds[key]), params


def _array_type(kind: sa.types.TypeEngine[Any]) -> sa.types.TypeEngine[Any]:
    return sa.Text() if _is_json(kind) else kind


def _typed(column: sa.ColumnElement[Any], kind: sa.types.TypeEngine[Any]) -> sa.ColumnElement[Any]:
    if _is_json(kind):
        return sa.cast(column, postgresql.JSONB)
    return sa.type_coerce(column, kind)
