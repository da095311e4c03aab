"""What an operator watches, read from the database: queues, endpoints, notices and loads.

Every process (API servers, workers, the loaders) writes to the same database, so the
database is where the whole deployment's state is read, whichever server answers the scrape.
Each reading is one aggregate statement; none reads a person's data. The delivery and lane
counts scan their tables (no index serves a count by state), which a scrape every 30 to 60
seconds affords; the age of the longest-waiting lane reads the lanes' ``next_attempt_at``
index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import tables as gaz
from notify import codes, endpoint_mtls, gazetteer_events
from notify import delivery_tables as dt_tables
from notify.tables import outbox as o
from notify.tables import registry as reg

APPLIED = "applied"  # loaders.repository.APPLIED: a load run that changed the gazetteer
LANE_STATES = ("idle", "ready", "leased", "held", "blocked")
CIRCUIT_STATES = ("closed", "open", "half_open")


@dataclass(frozen=True, kw_only=True, slots=True)
class Readings:
    """One reading of the deployment; every mapping names each of its states, zeros too."""

    deliveries: Mapping[str, int]
    lanes: Mapping[str, int]
    oldest_due_seconds: float
    endpoints: Mapping[str, int]
    circuits: Mapping[str, int]
    ops_notices_unsent: int
    gazetteer_changes_unpublished: int
    load_runs: Mapping[str, int]
    last_load_applied_at: dt.datetime | None
    client_certificates_expire: Mapping[str, dt.datetime]  # endpoint id -> leaf's not-after


def read(session: orm.Session, now: dt.datetime) -> Readings:
    """Read everything once, in the caller's transaction."""
    return Readings(
        deliveries=_by(session, o.Delivery.state, o.DELIVERY_STATES),
        lanes=_by(session, o.DeliveryLane.state, LANE_STATES),
        oldest_due_seconds=_oldest_due(session, now),
        endpoints=_by(session, reg.Endpoint.status, get_args(codes.EndpointStatus)),
        circuits=_by(session, dt_tables.EndpointState.circuit_state, CIRCUIT_STATES),
        ops_notices_unsent=_count(session, dt_tables.OpsNotice.sent_at.is_(None)),
        gazetteer_changes_unpublished=gazetteer_events.pending_count(session),
        load_runs=_by(session, gaz.LoadRun.status, (APPLIED, "refused")),
        last_load_applied_at=_last_applied(session),
        client_certificates_expire=_certificate_expiries(session),
    )


def _by(session: orm.Session, column: Any, known: tuple[str, ...]) -> dict[str, int]:
    """Rows per value of ``column``; each of ``known`` present, zero when no row has it."""
    counted = session.execute(sa.select(column, sa.func.count()).group_by(column)).all()
    found = {str(value): int(count) for value, count in counted}
    return {state: 0 for state in known} | found


def _count(session: orm.Session, condition: sa.ColumnElement[bool]) -> int:
    """Rows meeting ``condition`` (the table is the one it names)."""
    return int(session.scalar(sa.select(sa.func.count()).where(condition)) or 0)


def _oldest_due(session: orm.Session, now: dt.datetime) -> float:
    """Seconds the longest-waiting ready lane has been due; 0 when none is."""
    lane = o.DeliveryLane
    earliest = session.scalar(
        sa.select(sa.func.min(lane.next_attempt_at)).where(
            lane.state == "ready", lane.next_attempt_at <= now
        )
    )
    if earliest is None:
        return 0.0
    return max(0.0, (now - earliest).total_seconds())


def _last_applied(session: orm.Session) -> dt.datetime | None:
    run = gaz.LoadRun
    return session.scalar(sa.select(sa.func.max(run.finished_at)).where(run.status == APPLIED))


def _certificate_expiries(session: orm.Session) -> dict[str, dt.datetime]:
    """When each endpoint's client certificate (mutual TLS) expires, to alert before it does."""
    e = reg.Endpoint
    held = session.execute(
        sa.select(e.id, e.mtls_certificate).where(e.mtls_certificate.is_not(None))
    )
    return {endpoint_id: endpoint_mtls.not_after(pem) for endpoint_id, pem in held if pem}
