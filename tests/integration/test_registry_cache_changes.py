"""The kept registry follows every change on both engines: one committed by another
connection, and one read inside a transaction that is then rolled back."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from notify import registry_repository
from notify.dispatch import registry_cache
from notify.tables import moves, registry
from tests.support import outbox_world


def _world(session_factory: db.SessionFactory) -> None:
    with db.unit_of_work(session_factory) as session:
        outbox_world.build(session, ["https://p0.example/hook"], now=dt.datetime.now(dt.UTC))


def _retire(session: orm.Session) -> None:
    session.execute(
        sa.update(registry.SharingRule)
        .where(registry.SharingRule.id == "rule-p0")
        .values(status="retired")
    )


def _status(found: object) -> set[str]:
    return {r.status for r in found.rules if r.id == "rule-p0"}  # type: ignore[attr-defined]


def test_a_change_committed_on_another_connection_is_read(
    session_factory: db.SessionFactory,
) -> None:
    _world(session_factory)
    cached = registry_cache.CachedRegistry(registry_repository.load)
    with db.unit_of_work(session_factory) as reader:
        assert _status(cached(reader)) == {"active"}
        with db.unit_of_work(session_factory) as writer:  # a second connection
            _retire(writer)
    with db.unit_of_work(session_factory) as reader:
        assert _status(cached(reader)) == {"retired"}
        assert _status(cached(reader)) == {"retired"} and cached.loads == 2


def test_a_registry_read_in_a_rolled_back_change_is_not_kept(
    session_factory: db.SessionFactory,
) -> None:
    _world(session_factory)
    cached = registry_cache.CachedRegistry(registry_repository.load)
    with session_factory() as session:
        assert _status(cached(session)) == {"active"}
        _retire(session)
        assert _status(cached(session)) == {"retired"}  # this transaction's own change
        session.rollback()
        assert _status(cached(session)) == {"active"}
        session.commit()
    assert cached.loads == 3


def test_a_change_to_other_tables_keeps_the_registry(session_factory: db.SessionFactory) -> None:
    _world(session_factory)
    cached = registry_cache.CachedRegistry(registry_repository.load)
    with db.unit_of_work(session_factory) as session:
        first = cached(session)
        session.execute(sa.update(registry.SharingRule).where(sa.false()).values(status="x"))
        session.add(
            moves.Subject(id="s-other", move_block=False, created_at=dt.datetime.now(dt.UTC))
        )
    with db.unit_of_work(session_factory) as session:
        assert cached(session) is first and cached.loads == 1
