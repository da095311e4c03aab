"""The registry between batches, read again only when a registry table changed.

The recheck before every attempt needs the whole registry (partners, services, subscriptions,
endpoints, agreements, rules, restrictions, purposes). Building it is most of a batch's Python
time, and it changes rarely. :class:`CachedRegistry` wraps a :data:`RegistrySource` and keeps
the last registry behind a fingerprint read in one statement
(:data:`notify.delivery_sql.REGISTRY_FINGERPRINT`: per registry table, its row count and the
sum of its rows' ``xmin``). Any committed insert, update or delete of a registry row changes
the fingerprint, whether or not it went through the registry service (``registry_change``
alone would miss direct updates, such as an endpoint the worker itself disables).

The fingerprint is read before the registry, each in its own snapshot, so a registry kept
under a fingerprint is never older than the state the fingerprint saw: at worst it is read
once more. SQLite has no ``xmin``; there the registry is read every time (one worker).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import orm

from core import db
from notify import delivery_sql, domain

RegistrySource = Callable[[orm.Session], domain.Registry]


class CachedRegistry:
    """A :data:`RegistrySource` that reads the registry again only after it changed."""

    def __init__(self, load: RegistrySource) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._kept: tuple[tuple[object, ...], domain.Registry] | None = None
        self.loads = 0

    def __call__(self, session: orm.Session) -> domain.Registry:
        if db.is_sqlite(session):
            return self._read(session)
        mark = tuple(session.execute(delivery_sql.REGISTRY_FINGERPRINT).one())
        with self._lock:
            kept = self._kept
        if kept is not None and kept[0] == mark:
            return kept[1]
        current = self._read(session)
        with self._lock:
            self._kept = (mark, current)
        return current

    def _read(self, session: orm.Session) -> domain.Registry:
        self.loads += 1
        return self._load(session)
