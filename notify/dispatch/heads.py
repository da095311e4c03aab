"""The heads of claimed lanes, read as plain rows (Core) in one query.

A claim reads each lane's head (its lowest non-terminal delivery), the channel of the head's
subscription and the versions on its ledger line. Loading them as ORM objects was the
largest Python cost of a claim; the claim only reads them (its writes are Core statements,
:mod:`.rows`), so they come as frozen :class:`Head` records. The rare head that is stopped
(cancelled or held) is loaded as an ORM object where it is settled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from notify import delivery_repository as repo
from notify import delivery_sql, lifecycle
from notify.tables import outbox, registry


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Head:
    """The columns of a lane's head that a claim reads (a ``delivery`` row)."""

    id: str
    ordering_key: str
    seq: int
    state: str
    endpoint_id: str | None
    partner_service_id: str
    rule_id: str
    rule_version_planned: int
    consent_record_id: str | None
    event_type: str
    role: str
    source_channel: str
    not_before: dt.datetime
    next_attempt_at: dt.datetime | None
    expires_at: dt.datetime
    attempt_count: int
    schedule_index: int
    fields_planned: list[str]
    body: bytes | None
    possibly_received: bool


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class LaneHead:
    """A claimed lane, its head (None: the lane is empty), the channel of the head's
    subscription and the versions on the head's ledger line (None: it has none)."""

    ordering_key: str
    head: Head | None
    channel: str | None
    line: repo.LineVersions | None


_HEAD_COLUMNS = tuple(f.name for f in dataclasses.fields(Head))
_LANE = cast(sa.Table, outbox.DeliveryLane.__table__)
_DELIVERY = cast(sa.Table, outbox.Delivery.__table__)
_SUBSCRIPTION = cast(sa.Table, registry.Subscription.__table__)
_LINE = cast(sa.Table, outbox.Disclosure.__table__)
_NOT_TERMINAL = ("scheduled", "pending", "in_flight", "retry_wait", "held", "dead")
_TERMINAL = tuple(sorted(lifecycle.TERMINAL))


def lane_heads(session: orm.Session, keys: Iterable[str]) -> list[LaneHead]:
    """Each lane of ``keys`` with its head, in one query."""
    wanted = sorted(set(keys))
    if not wanted:
        return []
    query = _query() if db.is_sqlite(session) else _query_postgresql()
    return [_lane_head(row) for row in session.execute(query, {"keys": wanted})]


def _lane_head(row: sa.Row[Any]) -> LaneHead:
    values = row._mapping
    head = None
    if values["id"] is not None:
        head = Head(**{name: values[name] for name in _HEAD_COLUMNS})
    line = None
    if values["rule_version"] is not None:
        line = (values["rule_version"], values["dsa_id"], values["dsa_version"], values["fields"])
    return LaneHead(
        ordering_key=values["lane_key"], head=head, channel=values["channel"], line=line
    )


@functools.cache
def _query_postgresql() -> sa.Select[Any]:
    """PostgreSQL: each lane's head found by walking the lane's deliveries in ``seq`` order
    (``LATERAL … ORDER BY seq LIMIT 1`` on the index of ``(ordering_key, seq)``) to the first
    that is not terminal, so a claim reads about one delivery per lane whatever the backlog.
    The grouped form (:func:`_query`) read every delivery waiting in any lane on PostgreSQL,
    through the index on ``state`` that the table then had, once per claim. "Not terminal" is
    written ``state NOT IN (<terminal states>)`` (the same rows: ``state`` is not null and
    checked to be one of the states), which no index on ``state`` could serve either, so the
    planner walks the lane's index even without statistics. Built once."""
    d, lane, line = _DELIVERY, _LANE, _LINE
    head = (
        sa.select(*(d.c[name] for name in _HEAD_COLUMNS), d.c.subscription_id)
        .where(d.c.ordering_key == lane.c.ordering_key, d.c.state.not_in(_TERMINAL))
        .order_by(d.c.seq)
        .limit(1)
        .lateral("head")
    )
    columns = _columns(head)
    joined = (
        lane.outerjoin(head, sa.true())
        .outerjoin(_SUBSCRIPTION, _SUBSCRIPTION.c.id == head.c.subscription_id)
        .outerjoin(line, line.c.delivery_id == head.c.id)
    )
    keys = delivery_sql.among(lane.c.ordering_key, "keys", sqlite=False)
    return sa.select(*columns).select_from(joined).where(keys)


@functools.cache
def _query() -> sa.Select[Any]:
    """SQLite (which has no ``LATERAL``): the lowest non-terminal ``seq`` per lane, grouped.
    Built once (building it costs more than running it on a batch)."""
    keys: sa.BindParameter[str] = sa.bindparam("keys", expanding=True)
    d, lane, line = _DELIVERY, _LANE, _LINE
    lowest = (
        sa.select(d.c.ordering_key, sa.func.min(d.c.seq).label("seq"))
        .where(d.c.ordering_key.in_(keys), d.c.state.in_(_NOT_TERMINAL))
        .group_by(d.c.ordering_key)
        .subquery()
    )
    columns = _columns(d)
    joined = (
        lane.outerjoin(lowest, lowest.c.ordering_key == lane.c.ordering_key)
        .outerjoin(d, sa.and_(d.c.ordering_key == lowest.c.ordering_key, d.c.seq == lowest.c.seq))
        .outerjoin(_SUBSCRIPTION, _SUBSCRIPTION.c.id == d.c.subscription_id)
        .outerjoin(line, line.c.delivery_id == d.c.id)
    )
    return sa.select(*columns).select_from(joined).where(lane.c.ordering_key.in_(keys))


def _columns(head: sa.FromClause) -> tuple[sa.ColumnElement[Any], ...]:
    """What a head row holds: its lane, the head delivery's columns (from ``head``), its
    subscription's channel and its ledger line's rule, agreement and fields."""
    line = _LINE
    return (
        _LANE.c.ordering_key.label("lane_key"),
        *(head.c[name] for name in _HEAD_COLUMNS),
        _SUBSCRIPTION.c.channel,
        line.c.rule_version, line.c.dsa_id, line.c.dsa_version, line.c.fields,
    )  # fmt: skip
