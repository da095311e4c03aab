"""A server's engine keeps open as many connections as it serves requests at once: those it
opens beyond its pool are closed on their return, and opening one costs a PostgreSQL server
process or a load of SpatiaLite."""

from __future__ import annotations

import sqlalchemy as sa

from api.app import create_app
from core import db
from core.settings import Settings


class _Seen:
    """The DB-API connections met, kept alive so that no two share an ``id``."""

    def __init__(self) -> None:
        self.kept: list[object] = []

    def held(self, engine: sa.Engine, count: int) -> set[int]:
        """The DB-API connections behind ``count`` connections held at once."""
        connections = [engine.connect() for _ in range(count)]
        try:
            drivers = [c.connection.driver_connection for c in connections]
            self.kept.extend(drivers)
            return {id(d) for d in drivers}
        finally:
            for connection in connections:
                connection.close()


def test_the_api_keeps_the_connections_its_setting_asks_for(db_url: str) -> None:
    app = create_app(Settings(database_url=db_url, database_pool_size=3))
    engine: sa.Engine = app.state.engine
    try:
        seen = _Seen()
        first, again = seen.held(engine, 6), seen.held(engine, 6)
        assert len(first) == len(again) == 6 and len(first & again) == 3
    finally:
        engine.dispose()


def test_connections_beyond_the_pool_are_closed_on_their_return(db_url: str) -> None:
    engine = db.create_engine(db_url, pool_size=2)
    try:
        seen = _Seen()
        first, again = seen.held(engine, 4), seen.held(engine, 4)
        assert len(first) == len(again) == 4 and len(first & again) == 2
    finally:
        engine.dispose()


def test_the_default_pool_holds_ten(db_url: str) -> None:
    engine = db.create_engine(db_url)
    try:
        seen = _Seen()
        first = seen.held(engine, db.POOL_SIZE)
        assert seen.held(engine, db.POOL_SIZE) == first
    finally:
        engine.dispose()
