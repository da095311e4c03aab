"""PostgreSQL drops every connection (a restart, or an administrator ending the backends): the
pool finds out without pinging every checkout, and address lookups carry on by themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain, service
from core import clock as clocks
from core import db
from core.errors import StorageError
from core.settings import Settings
from gazetteer import repository
from gazetteer import service as gazetteer
from tests.integration import test_address_lookup as seed

POOLED = 3
END_BACKENDS = sa.text(
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


@pytest.fixture
def url(_pg_database: str) -> str:
    engine = db.create_engine(_pg_database)
    with db.unit_of_work(db.session_factory(engine)) as session:
        repository.save_records(session, [*seed.FLAT_RECORDS, *seed.PARENT_RECORDS, *seed.STREET])
    engine.dispose()
    return _pg_database


def _end_every_backend(url: str) -> int:
    killer = sa.create_engine(db.normalise_url(url), poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        ended = int(conn.execute(END_BACKENDS).scalar_one())
    killer.dispose()
    return ended


def _fill_pool(factory: db.SessionFactory) -> None:
    """``POOLED`` connections checked in to the pool, each having run a lookup."""
    sessions = [factory() for _ in range(POOLED)]
    for session in sessions:
        _lookup(session)
    for session in sessions:
        session.close()


def _lookup(session: orm.Session) -> str:
    document = gazetteer.get_address(session=session, uprn=seed.FLAT, settings=Settings())
    return document.labels.single_line


def _lookup_new(factory: db.SessionFactory) -> str:
    with factory() as session:
        return _lookup(session)


@pytest.fixture
def factory(url: str) -> Iterator[db.SessionFactory]:
    engine = db.create_engine(url)
    yield db.session_factory(engine)
    engine.dispose()


def test_a_lost_connection_fails_one_lookup_and_the_pool_drops_the_others(
    url: str, factory: db.SessionFactory
) -> None:
    expected = _lookup_new(factory)
    _fill_pool(factory)
    assert _end_every_backend(url) >= POOLED
    with pytest.raises(StorageError) as failed:
        _lookup_new(factory)
    assert db.connection_lost(failed.value)
    # The other pooled connections were dead too: the pool dropped them all.
    assert [_lookup_new(factory) for _ in range(POOLED + 1)] == [expected] * (POOLED + 1)


def test_a_read_retried_on_a_lost_connection_succeeds_at_once(
    url: str, factory: db.SessionFactory
) -> None:
    expected = _lookup_new(factory)
    _fill_pool(factory)
    _end_every_backend(url)
    assert db.retry_lost_connection(lambda: _lookup_new(factory)) == expected
    _fill_pool(factory)
    _end_every_backend(url)

    def select_one() -> int:
        with factory() as session:
            return int(session.execute(sa.text("SELECT 1")).scalar_one())

    assert db.retry_lost_connection(select_one) == 1  # SQLAlchemy's own statements too
    with pytest.raises(ZeroDivisionError):  # any other error is not retried
        db.retry_lost_connection(lambda: 1 // 0)


def test_an_idle_pooled_connection_is_pinged_before_use(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    engine = db.create_engine(url)
    factory = db.session_factory(engine)
    expected = _lookup_new(factory)
    _fill_pool(factory)
    _end_every_backend(url)
    # No error at all: the checkout's ping found the connection lost and made a fresh one.
    assert [_lookup_new(factory) for _ in range(POOLED + 1)] == [expected] * (POOLED + 1)
    engine.dispose()


def test_the_uprn_route_answers_across_lost_connections(url: str) -> None:
    settings = Settings(database_url=url)
    engine = db.create_engine(url)
    with db.unit_of_work(db.session_factory(engine)) as session:
        issued = service.create_key(
            session=session, settings=settings, clock=clocks.SystemClock(),
            role=domain.Role.CITIZEN, submission_ref="MOVE-1",
        )  # fmt: skip
    engine.dispose()
    with TestClient(api_app.create_app(settings), raise_server_exceptions=False) as client:
        client.headers["X-API-Key"] = issued.plaintext
        first = client.get(f"/v1/addresses/{seed.FLAT}")
        assert first.status_code == 200
        _end_every_backend(url)
        again = [client.get(f"/v1/addresses/{seed.FLAT}") for _ in range(3)]
    assert [r.status_code for r in again] == [200, 200, 200]
    assert all(r.content == first.content for r in again)
