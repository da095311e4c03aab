"""A unit of work that reads and then writes while another connection commits a write (as the
worker does every few seconds) must wait its turn, not fail with "database is locked"."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import orm

from api.cli import common
from core import db
from loaders.writers.supply import WriteOptions
from tests import supplies
from tests.integration import supply_db

_PROBE = sa.table("writer_probe", sa.column("who", sa.Text))


class _Writer(threading.Thread):
    """Another connection inserting one row in an immediate unit of work."""

    def __init__(self, factory: db.SessionFactory) -> None:
        super().__init__()
        self.factory, self.errors = factory, list[BaseException]()

    def run(self) -> None:
        try:
            with db.unit_of_work(self.factory, immediate=True) as session:
                session.execute(sa.insert(_PROBE).values(who="worker"))
        except BaseException as exc:  # reported to the test's thread
            self.errors.append(exc)


def _empty_probe(engine: sa.Engine, session: orm.Session) -> bool:
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE writer_probe (who TEXT NOT NULL)"))
    return session.scalar(sa.select(sa.func.count()).select_from(_PROBE)) == 0


def test_a_read_then_write_survives_a_commit_in_between(
    engine: sa.Engine, session_factory: db.SessionFactory
) -> None:
    other = _Writer(session_factory)
    with db.unit_of_work(session_factory, immediate=True) as session:
        assert _empty_probe(engine, session)
        other.start()
        other.join(timeout=1.0)  # commits now if nothing holds it back
        session.execute(sa.insert(_PROBE).values(who="request"))
    other.join(timeout=30)
    assert not other.is_alive() and other.errors == []
    with session_factory() as session:
        assert sorted(session.scalars(sa.select(_PROBE.c.who))) == ["request", "worker"]


def test_a_plain_read_does_not_hold_back_a_writer(
    engine: sa.Engine, session_factory: db.SessionFactory
) -> None:
    other = _Writer(session_factory)
    with db.unit_of_work(session_factory) as session:
        assert _empty_probe(engine, session)
        other.start()
        other.join(timeout=30)
        assert not other.is_alive()  # the long read let the writer through
    assert other.errors == []


def test_a_command_line_unit_that_writes_waits_its_turn(
    db_url: str, engine: sa.Engine, session_factory: db.SessionFactory
) -> None:
    other = _Writer(session_factory)
    with common.session_scope(common.settings_for(db_url)) as session:
        assert _empty_probe(engine, session)
        other.start()
        other.join(timeout=1.0)
        session.execute(sa.insert(_PROBE).values(who="command"))
    other.join(timeout=30)
    assert not other.is_alive() and other.errors == []
    with session_factory() as session:
        assert sorted(session.scalars(sa.select(_PROBE.c.who))) == ["command", "worker"]


def test_a_read_only_command_holds_nobody_back(
    db_url: str, engine: sa.Engine, session_factory: db.SessionFactory
) -> None:
    other = _Writer(session_factory)
    with common.session_scope(common.settings_for(db_url), writes=False) as session:
        assert _empty_probe(engine, session)
        other.start()
        other.join(timeout=30)
        assert not other.is_alive()
    assert other.errors == []


class _Holder(threading.Thread):
    """Another connection holding the write lock for a while, then committing a row."""

    def __init__(self, factory: db.SessionFactory) -> None:
        super().__init__()
        self.factory, self.holding = factory, threading.Event()
        self.errors = list[BaseException]()

    def run(self) -> None:
        try:
            with db.unit_of_work(self.factory, immediate=True) as session:
                session.execute(sa.insert(_PROBE).values(who="worker"))
                self.holding.set()
                time.sleep(1.0)
        except BaseException as exc:  # reported to the test's thread
            self.errors.append(exc)


def test_a_supply_load_waits_for_a_writer_that_holds_the_lock(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE writer_probe (who TEXT NOT NULL)"))
    state = supplies.sample_state("abp2", 3)
    head = supplies.header(process_date=dt.date(2021, 1, 4), file_type="F")
    changes = supplies.full_changes(state)
    paths = supplies.write(
        tmp_path / "supply", flavour="abp2", head=head, changes=changes, options=WriteOptions()
    )
    other = _Holder(session_factory)
    other.start()
    assert other.holding.wait(timeout=30)
    outcome = supply_db.load(session_factory, paths, report=tmp_path / "report.csv")
    other.join(timeout=30)
    assert other.errors == [] and outcome.as_json()["records"]["blpu"]["inserted"] == 3
    with session_factory() as session:
        assert session.scalars(sa.select(_PROBE.c.who)).all() == ["worker"]
