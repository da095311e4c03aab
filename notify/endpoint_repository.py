"""Endpoint limits, health and signing secrets, as the delivery worker reads and writes them.

Repositories flush; the caller commits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from core import db
from notify import delivery_repository, endpoint_health
from notify import delivery_tables as dt_tables
from notify.tables import registry

DEFAULT_RATE_LIMIT_PER_S: Final = 10.0
DEFAULT_MAX_IN_FLIGHT: Final = 4


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
    delivery_repository.add_notice(
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
