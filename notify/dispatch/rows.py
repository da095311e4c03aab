"""The rows of the worker's batch steps, read and written many per statement (Core).

A claim starts up to a batch of attempts and a finish records as many results; each step
reads what it needs in one joined query and writes each table with one ``executemany``
statement, instead of one ORM object per row. The rules are those of
:mod:`notify.delivery_repository` (a ledger outcome never moves back down; every change of
outcome leaves a history row); repositories flush, the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
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
    writes = (
        (sa.insert(_ATTEMPT), attempts),
        (sa.update(_DELIVERY).where(_DELIVERY.c.id == sa.bindparam("_id")), deliveries),
        (sa.update(_DELIVERY).where(_DELIVERY.c.id == sa.bindparam("_id")), narrowed),
        (sa.update(_LINE).where(_LINE.c.delivery_id == sa.bindparam("_id"))
         .values(rule_version=_keep(_LINE.c.rule_version), dsa_id=_keep(_LINE.c.dsa_id),
                 dsa_version=_keep(_LINE.c.dsa_version)), lines),
    )  # fmt: skip
    for statement, rows in writes:
        if rows:
            session.execute(statement, rows)


def _unless_last(last: str | None, bound: str) -> sa.ColumnElement[Any]:
    """``last`` when the lane's newest delivery is the one that left (``_last_seq``: its
    seq, bound only when it left the lane), else the value bound as ``bound``.

    Read from the lane row being updated, so a delivery enqueued meanwhile (its ``last_seq``
    taken under the row's lock) keeps the lane ready; an empty lane rests idle at once.
    """
    column = _LANE.c.state if last is not None else _LANE.c.next_attempt_at
    return sa.case(
        (_LANE.c.last_seq == sa.bindparam("_last_seq"), sa.literal(last, column.type)),
        else_=sa.bindparam(bound, type_=column.type),
    )


def _keep(column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """The value bound as ``_<column>``, or the column's own when that is None."""
    return sa.func.coalesce(sa.bindparam(f"_{column.name}", type_=column.type), column)


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
    writes = (
        (sa.update(_ATTEMPT).where(_ATTEMPT.c.id == sa.bindparam("_id"),
                                   _ATTEMPT.c.phase == "started"), attempts),
        (sa.update(_DELIVERY).where(_DELIVERY.c.id == sa.bindparam("_id"))
         .values(close_reason=_keep(_DELIVERY.c.close_reason)), deliveries),
        (sa.update(_LANE).where(_LANE.c.ordering_key == sa.bindparam("_key"),
                                _LANE.c.lease_owner == sa.bindparam("_owner"))
         .values(state=_unless_last("idle", "_state"), next_attempt_at=_unless_last(None, "_due")),
         lanes),
        (sa.update(_LINE).where(_LINE.c.id == sa.bindparam("_id")), lines),
        (sa.insert(_HISTORY), history),
    )  # fmt: skip
    for statement, rows in writes:
        if rows:
            session.execute(statement, rows)
