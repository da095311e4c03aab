"""Queries behind delivery: lanes and leases, attempts, endpoint health and secrets, the ledger.

Repositories flush; the caller (a worker step, an operator command) commits. Hand-written SQL
comes from :mod:`notify.delivery_sql`; the rest is SQLAlchemy 2.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from core import db, ids
from notify import delivery_sql, endpoint_health, lifecycle
from notify import delivery_tables as dt_tables
from notify.tables import outbox, registry

DEFAULT_RATE_LIMIT_PER_S: Final = 10.0
DEFAULT_MAX_IN_FLIGHT: Final = 4
_OUTCOME_RANK: Final = {"planned": 0, "not_disclosed": 1, "possibly_disclosed": 2, "disclosed": 3}
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


def heads(session: orm.Session, keys: Iterable[str]) -> dict[str, outbox.Delivery]:
    """The head of each lane: its lowest non-terminal delivery."""
    wanted = list(keys)
    if not wanted:
        return {}
    lowest = (
        sa.select(outbox.Delivery.ordering_key, sa.func.min(outbox.Delivery.seq).label("seq"))
        .where(outbox.Delivery.ordering_key.in_(wanted), outbox.Delivery.state.in_(_NOT_TERMINAL))
        .group_by(outbox.Delivery.ordering_key)
        .subquery()
    )
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
    """The ``started`` row, flushed so it commits before any byte is sent."""
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
    session.flush()
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
    line = session.scalars(
        sa.select(outbox.Disclosure).where(outbox.Disclosure.delivery_id == delivery.id)
    ).first()
    if line is None:
        return
    for name, value in (versions or {}).items():
        setattr(line, name, value)
    if outcome is not None and _OUTCOME_RANK[outcome] > _OUTCOME_RANK[line.outcome]:
        _history(session, line, outcome, now, actor)
        line.outcome = outcome
        if outcome == "disclosed":
            line.disclosed_at = now
    if close_reason is not None:
        line.close_reason = close_reason
        line.closed_at = now if close_reason != "reopened" else None


def _history(
    session: orm.Session, line: outbox.Disclosure, outcome: str, now: dt.datetime, actor: str
) -> None:
    session.add(
        outbox.DisclosureHistory(
            id=ids.new_id(),
            disclosure_id=line.id,
            at=now,
            from_outcome=line.outcome,
            to_outcome=outcome,
            actor=actor,
            detail=None,
        )
    )


# -- endpoints ------------------------------------------------------------------------------


def endpoints(session: orm.Session, ids_: Iterable[str]) -> dict[str, registry.Endpoint]:
    query = sa.select(registry.Endpoint).where(registry.Endpoint.id.in_(sorted(set(ids_))))
    return {e.id: e for e in session.scalars(query)}


def endpoint_states(
    session: orm.Session, ids_: Iterable[str], *, now: dt.datetime, lock: bool = False
) -> dict[str, dt_tables.EndpointState]:
    """Each endpoint's limits and health, created with defaults when first needed."""
    wanted = sorted(set(ids_))
    query = sa.select(dt_tables.EndpointState).where(
        dt_tables.EndpointState.endpoint_id.in_(wanted)
    )
    if lock:
        query = query.with_for_update()
    found = {s.endpoint_id: s for s in session.scalars(query)}
    for endpoint_id in wanted:
        if endpoint_id not in found:
            found[endpoint_id] = _new_state(session, endpoint_id, now, lock=lock)
    return found


def _new_state(
    session: orm.Session, endpoint_id: str, now: dt.datetime, *, lock: bool
) -> dt_tables.EndpointState:
    values = dict(
        endpoint_id=endpoint_id,
        rate_limit_per_s=DEFAULT_RATE_LIMIT_PER_S,
        max_in_flight=DEFAULT_MAX_IN_FLIGHT,
        retry_schedule_s=None,
        updated_at=now,
        **_health_columns(endpoint_health.Health()),
    )
    table = dt_tables.EndpointState
    if db.is_sqlite(session):
        session.execute(sqlite.insert(table).values(values).on_conflict_do_nothing())
    else:
        session.execute(postgresql.insert(table).values(values).on_conflict_do_nothing())
    query = sa.select(dt_tables.EndpointState).where(
        dt_tables.EndpointState.endpoint_id == endpoint_id
    )
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one()


def health_of(state: dt_tables.EndpointState) -> endpoint_health.Health:
    columns = {f.name for f in dataclasses.fields(endpoint_health.Health)} - {"cooldown"}
    values = {name: getattr(state, name) for name in columns}
    return endpoint_health.Health(cooldown=dt.timedelta(seconds=state.cooldown_s), **values)


def save_health(
    state: dt_tables.EndpointState, health: endpoint_health.Health, now: dt.datetime
) -> None:
    for name, value in _health_columns(health).items():
        setattr(state, name, value)
    state.updated_at = now


def _health_columns(health: endpoint_health.Health) -> dict[str, Any]:
    values = {f.name: getattr(health, f.name) for f in dataclasses.fields(health)}
    values["cooldown_s"] = values.pop("cooldown").total_seconds()
    return values


def disable_endpoint(
    session: orm.Session, *, endpoint: registry.Endpoint, reason: str, now: dt.datetime
) -> bool:
    """Disable an endpoint (410, SSRF block, sustained failure); False if it already was."""
    if endpoint.status == "disabled":
        return False
    endpoint.status = "disabled"
    endpoint.disabled_reason = reason
    endpoint.updated_at = now
    add_notice(
        session,
        kind="endpoint.disabled",
        partner_id=endpoint.partner_id,
        endpoint_id=endpoint.id,
        detail={"reason": reason},
        now=now,
    )
    return True


def active_secrets(
    session: orm.Session, endpoint_ids: Iterable[str], now: dt.datetime
) -> dict[str, list[dt_tables.EndpointSecret]]:
    """Outbound v1 secrets valid now per endpoint, the current one first."""
    query = sa.select(dt_tables.EndpointSecret).where(
        dt_tables.EndpointSecret.endpoint_id.in_(sorted(set(endpoint_ids))),
        dt_tables.EndpointSecret.direction == "outbound",
        dt_tables.EndpointSecret.scheme == "v1",
        dt_tables.EndpointSecret.state.in_(("current", "previous")),
    )
    found: dict[str, list[dt_tables.EndpointSecret]] = {}
    for secret in session.scalars(query):
        if secret.state == "previous" and (secret.expires_at is None or secret.expires_at <= now):
            continue
        found.setdefault(secret.endpoint_id, []).append(secret)
    for secrets in found.values():
        secrets.sort(key=lambda s: (s.state != "current", s.created_at))
    return found


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


def probe(
    session: orm.Session,
    *,
    endpoint_id: str,
    seen: endpoint_health.Health,
    admitted: endpoint_health.Health,
    now: dt.datetime,
) -> bool:
    """Compare-and-set an open circuit to half-open: True if this worker got the probe."""
    state = dt_tables.EndpointState
    result = session.execute(
        sa.update(state)
        .where(
            state.endpoint_id == endpoint_id,
            state.circuit_state == seen.circuit_state,
            sa.or_(state.circuit_until.is_(None), state.circuit_until <= now),
        )
        .values(circuit_state=admitted.circuit_state, circuit_until=admitted.circuit_until)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def release_dispatcher_lock(session: orm.Session, *, owner: str) -> None:
    session.execute(
        delivery_sql.RELEASE_DISPATCHER_LOCK,
        {"name": delivery_sql.DISPATCHER_LOCK, "owner": owner},
    )
