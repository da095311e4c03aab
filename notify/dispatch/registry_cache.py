"""The registry between batches, read again only when a registry table changed.

The recheck before every attempt needs the whole registry (partners, services, subscriptions,
endpoints, agreements, rules, restrictions, purposes). Building it is most of a batch's Python
time, and it changes rarely. :class:`CachedRegistry` wraps a :data:`RegistrySource` and keeps
the last registry behind a mark read in one statement. On PostgreSQL the mark is the
registry's version (:data:`notify.delivery_sql.REGISTRY_VERSION`): a row that a trigger
on every registry table moves before each registry row is written, so any insert, update or
delete of a registry row changes the mark, whether or not it went through the registry service
(``registry_change`` alone would miss direct updates, such as an endpoint the worker itself
disables), and a rolled-back write never leaves behind a mark that later means other rows.

The mark is read before the registry, each in its own snapshot, so a registry kept
under a mark is never older than the state the mark saw: at worst it is read
once more. On SQLite the mark is a count of
the connection's own changes to registry rows (temporary triggers:
:func:`notify.sql.sqlite_change_counter`), SQLite's ``data_version`` (which moves when another
connection commits any change) and a token kept on the driver connection and renewed by every
rollback (:data:`notify.sql.SQLITE_CHANGE_MARK`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import db, ids
from notify import delivery_sql, domain, sql

RegistrySource = Callable[[orm.Session], domain.Registry]


class CachedRegistry:
    """A :data:`RegistrySource` that reads the registry again only after it changed."""

    def __init__(self, load: RegistrySource) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._kept: tuple[tuple[object, ...], domain.Registry] | None = None
        self.loads = 0

    def __call__(
        self, session: orm.Session, *, mark: tuple[object, ...] | None = None
    ) -> domain.Registry:
        """The registry; ``mark``: the registry's mark, when the caller read it already (in this
        transaction, before asking: :data:`notify.sql.REGISTRY_VERSION_JSON`)."""
        mark = _mark(session) if mark is None else mark
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


_INFO_KEY: Final = "registry_cache_mark"


def _mark(session: orm.Session) -> tuple[object, ...]:
    if not db.is_sqlite(session):
        return tuple(session.execute(delivery_sql.REGISTRY_VERSION).one())
    connection = session.connection()
    engine = connection.engine
    for name in ("rollback", "rollback_savepoint"):
        if not sa.event.contains(engine, name, _forget):
            sa.event.listen(engine, name, _forget)
    info = connection.connection.info
    if _INFO_KEY not in info:
        for statement in _COUNTER:
            session.execute(statement)
        info[_INFO_KEY] = ids.new_id()
    return (info[_INFO_KEY], *session.execute(sql.SQLITE_CHANGE_MARK).one())


_COUNTER: Final = sql.sqlite_change_counter(delivery_sql.REGISTRY_TABLES)


def _forget(connection: sa.Connection, *args: object) -> None:
    """After a rollback (which may also have undone the counter's creation) the connection's
    next mark has a new token and the counter is made again if need be: a registry read in
    the rolled-back transaction is not kept."""
    connection.connection.info.pop(_INFO_KEY, None)
