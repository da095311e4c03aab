"""The delivery worker's hand-written SQL, named, in one place (sharing-and-delivery §6.2).

Everything else in delivery is SQLAlchemy ``select()``/``update()``. Times are bound from the
worker's clock (typed, so SQLite stores them as the tables do), never from ``now()``.
"""

from __future__ import annotations

from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from core.tables import UtcDateTime

CHANNEL: Final = "addresshub_delivery"
DISPATCHER_LOCK: Final = "dispatcher"

_TIMES = ("now", "lease_until", "until")


def among(column: sa.ColumnElement[Any], name: str, *, sqlite: bool) -> sa.ColumnElement[bool]:
    """``column`` is one of the list bound as ``name``: on PostgreSQL ``= ANY(<array>)``, one
    parameter whatever the list's length (an expanding ``IN`` renders a parameter per item
    at every execution: ~0.3 ms of Python for a batch of 50); ``IN (…)`` on SQLite."""
    if sqlite:
        return column.in_(sa.bindparam(name, expanding=True))
    return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))


def _typed(sql: str) -> sa.TextClause:
    clause = sa.text(sql)
    params = [sa.bindparam(name, type_=UtcDateTime()) for name in _TIMES if f":{name}" in sql]
    return clause.bindparams(*params)


#: Claim up to ``:k`` due lanes for ``:worker`` (PostgreSQL: many workers share the queue).
CLAIM_LANES_POSTGRESQL: Final = _typed(
    """
    WITH c AS (
      SELECT ordering_key FROM delivery_lane
      WHERE state IN ('ready', 'held') AND next_attempt_at <= :now AND endpoint_id IS NOT NULL
      ORDER BY next_attempt_at
      LIMIT :k
      FOR UPDATE SKIP LOCKED)
    UPDATE delivery_lane AS l
       SET state = 'leased', lease_owner = :worker, lease_until = :lease_until
      FROM c
     WHERE l.ordering_key = c.ordering_key
    RETURNING l.ordering_key
    """
)

#: The same on SQLite, where the dispatcher lock makes this worker the only writer.
CLAIM_LANES_SQLITE: Final = _typed(
    """
    UPDATE delivery_lane
       SET state = 'leased', lease_owner = :worker, lease_until = :lease_until
     WHERE ordering_key IN (
       SELECT ordering_key FROM delivery_lane
       WHERE state IN ('ready', 'held') AND next_attempt_at <= :now AND endpoint_id IS NOT NULL
       ORDER BY next_attempt_at
       LIMIT :k)
    RETURNING ordering_key
    """
)

#: Leases whose worker vanished go back to the queue (the caller closes lost attempts).
RELEASE_EXPIRED_LEASES: Final = _typed(
    """
    UPDATE delivery_lane
       SET state = 'ready', lease_owner = NULL, lease_until = NULL, next_attempt_at = :now
     WHERE state = 'leased' AND lease_until < :now
    RETURNING ordering_key
    """
)

#: Safety net: idle lanes that hold a sendable webhook delivery become ready (a lane whose
#: deliveries all go by pull feed or file drop stays idle: the worker does not claim it).
WAKE_IDLE_LANES: Final = _typed(
    """
    UPDATE delivery_lane
       SET state = 'ready', next_attempt_at = :now
     WHERE state = 'idle'
       AND endpoint_id IS NOT NULL
       AND EXISTS (
         SELECT 1 FROM delivery d JOIN subscription s ON s.id = d.subscription_id
          WHERE d.ordering_key = delivery_lane.ordering_key
            AND d.state IN ('scheduled', 'pending', 'retry_wait', 'in_flight')
            AND s.channel = 'webhook')
    """
)

#: Take or renew SQLite's single-writer lock; the caller reads back who holds it.
TAKE_DISPATCHER_LOCK: Final = _typed(
    """
    INSERT INTO dispatcher_lock (name, owner, until) VALUES (:name, :owner, :until)
    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
     WHERE dispatcher_lock.owner = excluded.owner OR dispatcher_lock.until < :now
    """
)

RELEASE_DISPATCHER_LOCK: Final = sa.text(
    "DELETE FROM dispatcher_lock WHERE name = :name AND owner = :owner"
)

#: Wake sleeping workers (PostgreSQL; SQLite workers poll).
ANNOUNCE: Final = sa.text(f"SELECT pg_notify('{CHANNEL}', '')")
LISTEN: Final = f"LISTEN {CHANNEL}"

#: The registry tables whose rows :func:`notify.registry_repository.load` reads.
REGISTRY_TABLES: Final = (
    "partner", "partner_service", "partner_coverage", "purpose", "source_restriction",
    "data_sharing_agreement", "dsa_party", "sharing_rule", "endpoint", "subscription",
)  # fmt: skip

#: PostgreSQL: the registry's version (``registry_version``), set anew by a trigger before each
#: row of those tables is written: any change to a registry row, committed or the reader's
#: own, changes it (migration ``0021_registry_version``).
REGISTRY_VERSION: Final = sa.text("SELECT version FROM registry_version")
