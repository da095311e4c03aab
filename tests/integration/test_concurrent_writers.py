"""A unit of work that reads and then writes while another connection commits a write (as the
worker does every few seconds) must wait its turn, not fail with "database is locked"."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from core import db

_PROBE = sa.table("writer_probe", sa.column("who", sa.Text))


def _other_writer(factory: db.SessionFactory, errors: list[BaseException]) -> None:
    try:
        with db.unit_of_work(factory, immediate=True) as session:
            session.execute(sa.insert(_PROBE).values(who="worker"))
    except BaseException as exc:  # reported to the test's thread
        errors.append(exc)


def _make_probe(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE writer_probe (who TEXT NOT NULL)"))


def test_a_read_then_write_survives_a_commit_in_between(
    engine: sa.Engine, session_factory: db.SessionFactory
) -> None:
    _make_probe(engine)
    errors: list[BaseException] = []
    other = threading.Thread(target=_other_writer, args=(session_factory, errors))
    with db.unit_of_work(session_factory, immediate=True) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(_PROBE)) == 0
        other.start()
        other.join(timeout=1.0)  # commits now if nothing holds it back
        session.execute(sa.insert(_PROBE).values(who="request"))
    other.join(timeout=30)
    assert not other.is_alive()
    assert errors == []
    with session_factory() as session:
        assert sorted(session.scalars(sa.select(_PROBE.c.who))) == ["request", "worker"]


def test_a_plain_read_does_not_hold_back_a_writer(
    engine: sa.Engine, session_factory: db.SessionFactory
) -> None:
    _make_probe(engine)
    errors: list[BaseException] = []
    other = threading.Thread(target=_other_writer, args=(session_factory, errors))
    with db.unit_of_work(session_factory) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(_PROBE)) == 0
        other.start()
        other.join(timeout=30)
        assert not other.is_alive()  # the long read let the writer through
    assert errors == []
