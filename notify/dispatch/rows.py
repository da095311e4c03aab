"""The rows of the worker's batch steps, read and written many per statement (Core).

A claim starts up to a batch of attempts and a finish records as many results; each step
reads what it needs in one joined query and writes each table's rows with one statement
(``executemany`` on SQLite; on PostgreSQL a JSON document per table, and the tables of a
step together in one statement), instead of one ORM object per row. The rules are those of
:mod:`notify.delivery_repository` (a ledger outcome never moves back down; every change of
outcome leaves a history row); repositories flush, the caller commits.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql

from core import db, ids
from notify import delivery_repository as repo
from notify import delivery_sql, row_batch
from notify import delivery_tables as dt_tables
from notify.tables import outbox


class _Attempted(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def attempt_count(self) -> int: ...


def attempt_row(
    delivery: _Attempted,
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
    query = _sent_query(db.is_sqlite(session))
    wanted = sorted(set(attempt_ids))
    return {row.attempt_id: row for row in session.execute(query, {"ids": wanted})}


@functools.cache
def _sent_query(sqlite: bool) -> sa.Select[Any]:
    """Built once per engine kind."""
    a, d, lane, line = _ATTEMPT, _DELIVERY, _LANE, _LINE
    columns = (
        a.c.id.label("attempt_id"), a.c.phase, d.c.id.label("delivery_id"), d.c.seq,
        d.c.schedule_index,
        d.c.possibly_received, d.c.partner_id, d.c.endpoint_id, lane.c.lease_owner,
        line.c.id.label("line_id"), line.c.outcome, line.c.disclosed_at, line.c.close_reason,
        line.c.closed_at,
    )  # fmt: skip
    return (
        sa.select(*columns)
        .select_from(
            a.join(d, d.c.id == a.c.delivery_id)
            .join(lane, lane.c.ordering_key == d.c.ordering_key)
            .outerjoin(line, line.c.delivery_id == d.c.id)
        )
        .where(delivery_sql.among(a.c.id, "ids", sqlite=sqlite))
    )


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
    """Write a claim's started attempts, one statement per table (``_id``: the delivery); on
    PostgreSQL the three tables in one statement, a narrowed body after it."""
    _execute_all(session, ((_STARTED_ATTEMPTS, attempts), (_DELIVERIES, deliveries),
                           (_LINE_VERSIONS, lines)))  # fmt: skip
    _execute(session, _DELIVERIES, narrowed)


def write_finished(
    session: orm.Session,
    *,
    attempts: list[dict[str, Any]],
    deliveries: list[dict[str, Any]],
    lanes: list[dict[str, Any]],
    lines: list[dict[str, Any]],
    history: list[dict[str, Any]],
) -> None:
    """Write a finish step's rows (``_id``/``_key``: the row): one statement per table on
    SQLite, one for all five on PostgreSQL."""
    _execute_all(session, ((_FINISHED_ATTEMPTS, attempts), (_FINISHED_DELIVERIES, deliveries),
                           (_LANES, lanes), (_LINES, lines), (_HISTORY_ROWS, history)))  # fmt: skip


# -- many rows per statement: ``executemany`` on SQLite, one JSON document on PostgreSQL ---
#
# On PostgreSQL the writes of one step go in one statement, each a data-modifying CTE with
# its own document (``WITH w0 AS (UPDATE …), w1 AS (INSERT …) SELECT 1``): one round trip
# instead of one per table. The sub-statements share one snapshot and never see each
# other's rows, so each touches other rows than the rest (no row is written twice) and
# reads only the row it writes.

#: A row's value by key: a bound parameter (executemany) or a column of the JSON recordset.
Value = Callable[[str], sa.ColumnElement[Any]]


@dataclass(frozen=True, kw_only=True, slots=True)
class _Write:
    """``INSERT`` (no ``where``) or ``UPDATE table SET <each plain key> … WHERE where`` of
    many rows; keys starting ``_`` are read only by ``where`` and ``computed`` (more columns
    to set)."""

    table: sa.Table
    where: Callable[[Value], sa.ColumnElement[bool]] | None = None
    computed: Callable[[Value], dict[str, sa.ColumnElement[Any]]] | None = None


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


_STARTED_ATTEMPTS = _Write(table=_ATTEMPT)
_DELIVERIES = _Write(table=_DELIVERY, where=lambda v: _DELIVERY.c.id == v("_id"))
_LINE_VERSIONS = _Write(
    table=_LINE,
    where=lambda v: _LINE.c.delivery_id == v("_id"),
    computed=lambda v: {name: _keep(v, _LINE.c[name])
                     for name in ("rule_version", "dsa_id", "dsa_version")},
)  # fmt: skip
_FINISHED_ATTEMPTS = _Write(
    table=_ATTEMPT,
    where=lambda v: sa.and_(_ATTEMPT.c.id == v("_id"), _ATTEMPT.c.phase == "started"),
)
_FINISHED_DELIVERIES = _Write(
    table=_DELIVERY,
    where=lambda v: _DELIVERY.c.id == v("_id"),
    computed=lambda v: {"close_reason": _keep(v, _DELIVERY.c.close_reason)},
)
_LANES = _Write(
    table=_LANE,
    where=lambda v: sa.and_(_LANE.c.ordering_key == v("_key"), _LANE.c.lease_owner == v("_owner")),
    computed=lambda v: {"state": _unless_last(v, "idle", "_state"),
                     "next_attempt_at": _unless_last(v, None, "_next_attempt_at")},
)  # fmt: skip
_LINES = _Write(table=_LINE, where=lambda v: _LINE.c.id == v("_id"))
_HISTORY_ROWS = _Write(table=_HISTORY)

#: Statements built once per write, engine and set of keys (building one costs more than
#: running it on a small batch).
_BUILT: dict[tuple[int, bool, tuple[str, ...]], sa.Executable] = {}


def _execute(session: orm.Session, write: _Write, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    sqlite = db.is_sqlite(session)
    names = tuple(rows[0])
    key = (id(write), sqlite, names)
    statement = _BUILT.get(key)
    if statement is None:
        statement = _BUILT[key] = _build(write, names, sqlite=sqlite)
    if sqlite:
        session.execute(statement, rows)
        return
    assert all(len(row) == len(names) for row in rows), "rows of one statement share keys"
    session.execute(statement, {"rows": row_batch.json_document(rows)})


def _execute_all(
    session: orm.Session, writes: Iterable[tuple[_Write, list[dict[str, Any]]]]
) -> None:
    """Run several writes, on different tables: in one statement on PostgreSQL."""
    present = [(write, rows) for write, rows in writes if rows]
    if db.is_sqlite(session) or len(present) < 2:
        for write, rows in present:
            _execute(session, write, rows)
        return
    shapes = tuple((id(write), tuple(rows[0])) for write, rows in present)
    statement = _COMBINED.get(shapes)
    if statement is None:
        statement = _COMBINED[shapes] = _combine([(w, tuple(r[0])) for w, r in present])
    params = {}
    for n, (_write, rows) in enumerate(present):
        assert all(len(row) == len(rows[0]) for row in rows), "rows of one write share keys"
        params[f"rows_{n}"] = row_batch.json_document(rows)
    session.execute(statement, params)


_COMBINED: dict[tuple[tuple[int, tuple[str, ...]], ...], sa.Executable] = {}


def _combine(shapes: list[tuple[_Write, tuple[str, ...]]]) -> sa.Executable:
    """PostgreSQL: every write a CTE reading its own document ``rows_<n>``."""
    ctes = [
        cast(Any, _build(write, names, sqlite=False, document=f"rows_{n}")).cte(f"w{n}")
        for n, (write, names) in enumerate(shapes)
    ]
    return sa.select(sa.literal(1)).add_cte(*ctes)


def _build(
    write: _Write, names: tuple[str, ...], *, sqlite: bool, document: str = "rows"
) -> sa.Executable:
    """The statement of ``write`` for rows with ``names``: executemany on SQLite (plain keys
    set implicitly), a JSON recordset on PostgreSQL."""
    table = write.table
    source = _bound(table) if sqlite else _recordset(table, names, document)
    if write.where is None:
        if sqlite:
            return sa.insert(table)
        return sa.insert(table).from_select(names, sa.select(*(source(n) for n in names)))
    computed = write.computed(source) if write.computed else {}
    plain = {} if sqlite else {n: source(n) for n in names if not n.startswith("_")}
    statement = sa.update(table).where(write.where(source))
    return statement.values(plain | computed) if plain or computed else statement


def _column_type(table: sa.Table, key: str) -> sa.types.TypeEngine[Any]:
    """The type of the column a key stands for (``_<column>``: a column too)."""
    name = key.removeprefix("_")
    return table.c[name].type if name in table.c else sa.String()


def _bound(table: sa.Table) -> Value:
    return lambda key: sa.bindparam(key, type_=_column_type(table, key))


def _recordset(table: sa.Table, names: tuple[str, ...], document: str) -> Value:
    """PostgreSQL: the rows as one JSON document (bound as ``document``), read back as a table in
    the statement (``json_to_recordset(…) AS v(<key> <column type>, …)``)."""
    rows = sa.cast(sa.bindparam(document, type_=sa.Text()), postgresql.JSON)
    columns = [sa.column(name, _column_type(table, name)) for name in names]
    source = sa.func.json_to_recordset(rows).table_valued(*columns)
    derived = source.render_derived(name="v", with_types=True)
    return lambda key: derived.c[key]
