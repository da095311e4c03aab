"""PostgreSQL: the registry's version moves with every written registry row, and a version
once read never comes back with other registry rows (rollbacks and savepoints included)."""

from __future__ import annotations

import datetime as dt
import importlib
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from notify import delivery_sql
from notify.tables import moves, registry
from tests.support import outbox_world

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
MIGRATION = importlib.import_module("migrations.versions.0021_registry_version")


def _version(session: orm.Session) -> int:
    return int(session.execute(delivery_sql.REGISTRY_VERSION).scalar_one())


def _set_rule(session: orm.Session, status: str, rule_id: str = "rule-p0") -> None:
    rule = registry.SharingRule
    session.execute(sa.update(rule).where(rule.id == rule_id).values(status=status))


def _world(session_factory: db.SessionFactory) -> None:
    with db.unit_of_work(session_factory) as session:
        outbox_world.build(session, ["https://p0.example/hook"], now=dt.datetime.now(dt.UTC))


def test_every_registry_table_has_the_trigger(session: orm.Session) -> None:
    assert set(MIGRATION.TABLES) == set(delivery_sql.REGISTRY_TABLES)
    found = session.execute(
        sa.text(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname LIKE 'registry_version_%'"
        )
    ).all()
    names = ("registry_version_lock", "registry_version_move", "registry_version_truncate")
    assert set(found) == {(t, n) for t in delivery_sql.REGISTRY_TABLES for n in names}


def test_each_written_row_moves_the_version_and_other_writes_do_not(
    session_factory: db.SessionFactory,
) -> None:
    _world(session_factory)
    with db.unit_of_work(session_factory) as session:
        seen = [_version(session)]
        _set_rule(session, "retired")
        seen.append(_version(session))
        _set_rule(session, "active", rule_id="no-such-rule")  # writes no row
        session.add(moves.Subject(id="s-x", move_block=False, created_at=dt.datetime.now(dt.UTC)))
        session.flush()
        assert _version(session) == seen[-1]
        session.execute(sa.delete(registry.Subscription).where(sa.true()))
        seen.append(_version(session))
    with db.unit_of_work(session_factory) as session:
        assert _version(session) == seen[-1]  # committed as the writer left it
    assert len(set(seen)) == len(seen)


def test_a_rolled_back_version_never_comes_back(session_factory: db.SessionFactory) -> None:
    _world(session_factory)
    with session_factory() as session:
        before = _version(session)
        _set_rule(session, "retired")
        rolled_back = _version(session)
        session.rollback()
        assert _version(session) == before  # the rows are back, and so is the version
        savepoint = session.begin_nested()
        _set_rule(session, "retired")
        in_savepoint = _version(session)
        savepoint.rollback()
        assert _version(session) == before
        _set_rule(session, "retired")
        after = _version(session)
        session.commit()
    assert len({before, rolled_back, in_savepoint, after}) == 4


def test_two_registry_writers_queue_instead_of_deadlocking(
    session_factory: db.SessionFactory,
) -> None:
    """The second writer waits at the version row before it locks its registry row, so the
    first can still write that row: without the statement lock they would deadlock."""
    with db.unit_of_work(session_factory) as session:
        urls = ["https://p0.example/hook", "https://p1.example/hook"]
        outbox_world.build(session, urls, now=dt.datetime.now(dt.UTC))
    first = session_factory()
    _set_rule(first, "retired", rule_id="rule-p0")
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with db.unit_of_work(session_factory) as session:
                _set_rule(session, "retired", rule_id="rule-p1")
        except BaseException as error:  # reported by the test's thread
            errors.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    _wait_for_a_lock_wait(first)
    _set_rule(first, "active", rule_id="rule-p1")  # the row the second writer wants
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert not thread.is_alive() and errors == []
    with db.unit_of_work(session_factory) as session:
        statuses = session.execute(sa.select(registry.SharingRule.id, registry.SharingRule.status))
        assert dict(statuses.all())["rule-p1"] == "retired"  # the second wrote last


def _wait_for_a_lock_wait(session: orm.Session) -> None:
    ask = sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    for _ in range(300):
        session.execute(sa.text("SELECT pg_stat_clear_snapshot()"))  # kept per transaction
        if session.execute(ask).scalar_one() > 0:
            return
        time.sleep(0.02)
    raise AssertionError("the second writer never waited")
