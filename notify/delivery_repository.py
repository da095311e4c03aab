"""Queries behind delivery: lanes and leases, attempts, endpoint health and secrets, the ledger.

Repositories flush; the caller (a worker step, an operator command) commits. Hand-written SQL
comes from :mod:`notify.delivery_sql`; the rest is SQLAlchemy 2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import db, ids
from notify import delivery_sql, lifecycle
from notify import delivery_tables as dt_tables
from notify.tables import outbox

OUTCOME_RANK: Final = {"planned": 0, "not_disclosed": 1, "possibly_disclosed": 2, "disclosed": 3}
_LEDGER: Final = "addresshub.delivery.ledger"
_NOT_TERMINAL: Final = ("scheduled", "pending", "in_flight", "retry_wait", "held", "dead")


# -- lanes ----------------------------------------------------------------------------------


def claim_lanes(
    session: orm.Session, *, worker: str, now: dt.datetime, lease_until: dt.datetime, k: int
) -> list[str]:
    """Lease up to ``k`` due lanes for ``worker`` (SKIP LOCKED on PostgreSQL)."""
    sql = delivery_sql.CLAIM_LANES_SQLITE if db.is_sqlite(session) else (
        delivery_sql.CLAIM_LANES_POSTGRESQL
    )  # fmt: skip
    params = {"worker": worker, "now": now, "lease_until": lease_until, "k": k}
    return list(session.execute(sql, params).scalars())


def release_expired_leases(session: orm.Session, *, now: dt.datetime) -> list[str]:
    return list(session.execute(delivery_sql.RELEASE_EXPIRED_LEASES, {"now": now}).scalars())


def wake_idle_lanes(session: orm.Session, *, now: dt.datetime) -> int:
    result = session.execute(delivery_sql.WAKE_IDLE_LANES, {"now": now})
    return int(getattr(result, "rowcount", 0) or 0)


def wake_lanes(session: orm.Session, *, ordering_keys: Iterable[str], now: dt.datetime) -> None:
    """Make these lanes due now unless leased (after enqueue, replay or re-enabling)."""
    keys = sorted(set(ordering_keys))
    if not keys:
        return
    session.execute(
        sa.update(outbox.DeliveryLane)
        .where(
            outbox.DeliveryLane.ordering_key.in_(keys),
            outbox.DeliveryLane.state.in_(("idle", "ready", "held", "blocked")),
        )
        .values(state="ready", next_attempt_at=now)
    )
    announce(session)


def lanes(session: orm.Session, keys: Iterable[str]) -> dict[str, outbox.DeliveryLane]:
    query = sa.select(outbox.DeliveryLane).where(outbox.DeliveryLane.ordering_key.in_(list(keys)))
    return {lane.ordering_key: lane for lane in session.scalars(query)}


#: A ledger line's versions and fields: rule version, agreement id and version, fields.
LineVersions = tuple[int, str | None, int | None, list[str]]


def _lowest(keys: list[str]) -> sa.Subquery:
    return (
        sa.select(outbox.Delivery.ordering_key, sa.func.min(outbox.Delivery.seq).label("seq"))
        .where(outbox.Delivery.ordering_key.in_(keys), outbox.Delivery.state.in_(_NOT_TERMINAL))
        .group_by(outbox.Delivery.ordering_key)
        .subquery()
    )


def heads(session: orm.Session, keys: Iterable[str]) -> dict[str, outbox.Delivery]:
    """The head of each lane: its lowest non-terminal delivery."""
    wanted = list(keys)
    if not wanted:
        return {}
    lowest = _lowest(wanted)
    query = sa.select(outbox.Delivery).join(
        lowest,
        sa.and_(
            outbox.Delivery.ordering_key == lowest.c.ordering_key,
            outbox.Delivery.seq == lowest.c.seq,
        ),
    )
    return {d.ordering_key: d for d in session.scalars(query)}


def release_lane(
    lane: outbox.DeliveryLane,
    *,
    state: str,
    next_attempt_at: dt.datetime | None,
    head_id: str | None,
) -> None:
    lane.state = state
    lane.next_attempt_at = next_attempt_at
    lane.head_delivery_id = head_id
    lane.lease_owner = None
    lane.lease_until = None


def announce(session: orm.Session) -> None:
    """Wake workers listening on PostgreSQL (delivered at commit); SQLite workers poll."""
    if not db.is_sqlite(session):
        session.execute(delivery_sql.ANNOUNCE)


# -- deliveries and attempts ----------------------------------------------------------------


def deliveries(session: orm.Session, ids_: Iterable[str]) -> dict[str, outbox.Delivery]:
    query = sa.select(outbox.Delivery).where(outbox.Delivery.id.in_(list(ids_)))
    return {d.id: d for d in session.scalars(query)}


def attempts_by_id(
    session: orm.Session, attempt_ids: Iterable[str]
) -> dict[str, dt_tables.DeliveryAttempt]:
    query = sa.select(dt_tables.DeliveryAttempt).where(
        dt_tables.DeliveryAttempt.id.in_(sorted(set(attempt_ids)))
    )
    return {a.id: a for a in session.scalars(query)}


def open_attempt(session: orm.Session, delivery_id: str) -> dt_tables.DeliveryAttempt | None:
    query = sa.select(dt_tables.DeliveryAttempt).where(
        dt_tables.DeliveryAttempt.delivery_id == delivery_id,
        dt_tables.DeliveryAttempt.phase == "started",
    )
    return session.scalars(query).first()


def attempts(session: orm.Session, delivery_id: str) -> list[dt_tables.DeliveryAttempt]:
    query = (
        sa.select(dt_tables.DeliveryAttempt)
        .where(dt_tables.DeliveryAttempt.delivery_id == delivery_id)
        .order_by(dt_tables.DeliveryAttempt.attempt_no)
    )
    return list(session.scalars(query))


def start_attempt(
    session: orm.Session,
    *,
    delivery: outbox.Delivery,
    worker: str,
    now: dt.datetime,
    kids: list[str],
    recheck: Mapping[str, Any],
) -> dt_tables.DeliveryAttempt:
    """The ``started`` row; the caller commits it before any byte is sent."""
    delivery.attempt_count += 1
    delivery.schedule_index += 1
    delivery.state = "in_flight"
    delivery.updated_at = now
    attempt = dt_tables.DeliveryAttempt(
        id=ids.new_id(),
        delivery_id=delivery.id,
        attempt_no=delivery.attempt_count,
        phase="started",
        started_at=now,
        possibly_received=False,
        signature_kids=kids,
        recheck=dict(recheck),
        worker_id=worker,
    )
    session.add(attempt)
    return attempt


def apply_step(delivery: outbox.Delivery, step: lifecycle.Step, now: dt.datetime) -> None:
    """Carry a lifecycle step out on the delivery row (bodies of closed ones are purged)."""
    delivery.state = step.state
    delivery.next_attempt_at = step.next_attempt_at
    delivery.possibly_received = delivery.possibly_received or step.possibly_received
    delivery.hold_reason = step.hold_reason
    if step.close_reason is not None:
        delivery.close_reason = step.close_reason
    if step.state in ("cancelled", "expired"):
        delivery.body = None
        delivery.body_purged_at = now
        delivery.body_purge_reason = "cancelled"
    delivery.updated_at = now


# -- the ledger -----------------------------------------------------------------------------


def preload_ledger(session: orm.Session, delivery_ids: Iterable[str]) -> None:
    """Read the ledger lines of a batch in one query (:func:`record_disclosure` uses them)."""
    wanted = sorted(set(delivery_ids))
    if not wanted:
        return
    query = sa.select(outbox.Disclosure).where(outbox.Disclosure.delivery_id.in_(wanted))
    cached = session.info.setdefault(_LEDGER, {})
    cached.update({line.delivery_id: line for line in session.scalars(query)})


def record_disclosure(
    session: orm.Session,
    *,
    delivery: outbox.Delivery,
    outcome: str | None,
    close_reason: str | None,
    now: dt.datetime,
    actor: str,
    versions: Mapping[str, Any] | None = None,
) -> None:
    """Move the delivery's ledger line on; an outcome never moves back down."""
    cached: dict[str, outbox.Disclosure] = session.info.setdefault(_LEDGER, {})
    line = (
        cached.get(delivery.id)
        or session.scalars(
            sa.select(outbox.Disclosure).where(outbox.Disclosure.delivery_id == delivery.id)
        ).first()
    )
    if line is None:
        return
    for name, value in (versions or {}).items():
        setattr(line, name, value)
    if outcome is not None and OUTCOME_RANK[outcome] > OUTCOME_RANK[line.outcome]:
        record_history(session, line, outcome=outcome, now=now, actor=actor)
        line.outcome = outcome
        if outcome == "disclosed":
            line.disclosed_at = now
    if close_reason is not None:
        line.close_reason = close_reason
        line.closed_at = now if close_reason != "reopened" else None


def record_history(
    session: orm.Session,
    line: outbox.Disclosure,
    *,
    outcome: str,
    now: dt.datetime,
    actor: str,
    detail: str | None = None,
) -> None:
    """One history row of a ledger line: from its current outcome to ``outcome``."""
    session.add(
        outbox.DisclosureHistory(
            id=ids.new_id(),
            disclosure_id=line.id,
            at=now,
            from_outcome=line.outcome,
            to_outcome=outcome,
            actor=actor,
            detail=detail,
        )
    )


# -- notices and the dispatcher lock --------------------------------------------------------


def add_notice(
    session: orm.Session,
    *,
    kind: str,
    partner_id: str | None,
    now: dt.datetime,
    endpoint_id: str | None = None,
    delivery_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    session.add(
        dt_tables.OpsNotice(
            id=ids.new_id(),
            kind=kind,
            partner_id=partner_id,
            endpoint_id=endpoint_id,
            delivery_id=delivery_id,
            detail=dict(detail or {}),
            created_at=now,
            sent_at=None,
        )
    )


def take_dispatcher_lock(
    session: orm.Session, *, owner: str, now: dt.datetime, until: dt.datetime
) -> bool:
    """Take or renew the single-writer lock; False while another live worker holds it."""
    params = {"name": delivery_sql.DISPATCHER_LOCK, "owner": owner, "now": now, "until": until}
    session.execute(delivery_sql.TAKE_DISPATCHER_LOCK, params)
    holder = session.get(dt_tables.DispatcherLock, delivery_sql.DISPATCHER_LOCK)
    if holder is not None:
        session.refresh(holder)
    return holder is not None and holder.owner == owner


def release_dispatcher_lock(session: orm.Session, *, owner: str) -> None:
    session.execute(
        delivery_sql.RELEASE_DISPATCHER_LOCK,
        {"name": delivery_sql.DISPATCHER_LOCK, "owner": owner},
    )


def fetchable_without_endpoint() -> sa.ColumnElement[bool]:
    """A delivery a channel with no endpoint (pull feed, file drop) may take: sendable, or held
    only because it has no endpoint (what a worker makes of it)."""
    return sa.or_(
        outbox.Delivery.state.in_(sorted(lifecycle.SENDABLE)),
        sa.and_(
            outbox.Delivery.state == "held",
            outbox.Delivery.endpoint_id.is_(None),
            outbox.Delivery.hold_reason == "ENDPOINT_DISABLED",
        ),
    )
