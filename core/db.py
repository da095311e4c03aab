"""Database engines and sessions for both supported engines.

* PostgreSQL 15 + PostGIS 3 through psycopg 3 (``postgresql+psycopg://``), the production engine.
* SQLite + SpatiaLite (``sqlite:///path``), the embedded default. The stdlib ``sqlite3`` here is
  built without extension loading, so the DB-API module is ``sqlean`` (a drop-in sqlite3 that
  loads Debian's ``mod_spatialite``).

Repositories flush; the caller (a request, a CLI command, a worker iteration) owns the
transaction through :func:`unit_of_work`.

A restarted PostgreSQL leaves the pool holding dead connections. They are found without a
round trip on every checkout (what ``pool_pre_ping`` costs): a connection idle in the pool for
``IDLE_PING_SECONDS`` or more is pinged when checked out (a failed ping drops every pooled
connection, and a fresh one is made), and a busy pool relies on SQLAlchemy's handling of a
disconnect error (the connection and every pooled one older than it are dropped, so only the
statements in flight fail). Statements run on the DB-API connection itself report their errors
through :func:`driver_error`, which does the same. Read-only work may use
:func:`retry_lost_connection` to run once more on a fresh connection.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final, TypeVar

import sqlalchemy as sa
from sqlalchemy import event, orm
from sqlalchemy.engine import URL, Engine, make_url

from core.errors import ConfigurationError, StorageError

SessionFactory = orm.sessionmaker[orm.Session]
T = TypeVar("T")
IDLE_PING_SECONDS = 5.0


def normalise_url(url: str | URL) -> URL:
    """Accept ``postgresql://`` and ``postgres://`` as psycopg 3 URLs."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"postgresql", "sqlite"}:
        raise ConfigurationError(f"unsupported database engine {parsed.get_backend_name()!r}")
    return parsed


#: Connections an engine keeps open between uses. More are opened while busy (up to as many
#: again), but those are closed on their return: a server answering more requests at once than
#: its pool holds would open a connection for each (on PostgreSQL a new server process, on
#: SQLite a new load of SpatiaLite).
POOL_SIZE: Final = 10


def create_engine(
    url: str | URL,
    *,
    spatialite_library: str = "mod_spatialite",
    echo: bool = False,
    pool_size: int = POOL_SIZE,
) -> Engine:
    """An engine for ``url`` with the spatial extension ready on every connection."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, spatialite_library, echo, pool_size)
    engine = sa.create_engine(parsed, echo=echo, pool_size=pool_size, max_overflow=pool_size)
    _ping_idle_connections(engine, IDLE_PING_SECONDS)
    return engine


def _ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only when it has been idle ``idle_seconds``."""

    def checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.InvalidatePoolError("a pooled connection was lost") from exc

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def driver_error(connection: sa.Connection, exc: Exception) -> sa.exc.StatementError:
    """A DB-API error raised past SQLAlchemy, handled as SQLAlchemy handles its own: a lost
    connection is dropped with the pool's others, and the error returned says so."""
    dialect = connection.dialect
    driver_exc: Any = exc
    lost = dialect.is_disconnect(driver_exc, connection.connection.driver_connection, None)
    if lost:
        connection.invalidate(exc)
        connection.engine.dispose()
    return sa.exc.DBAPIError.instance(
        None, None, exc, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
    )


def connection_lost(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an error it was raised from) is a lost database connection."""
    while exc is not None:
        if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
            return True
        exc = exc.__cause__
    return False


def retry_lost_connection(read: Callable[[], T]) -> T:
    """``read`` (read-only work), run once more when its connection turned out to be lost
    (the database restarted): the pool has dropped the lost connections by then."""
    try:
        return read()
    except Exception as exc:
        if not connection_lost(exc):
            raise
    return read()


def _sqlite_engine(url: URL, spatialite_library: str, echo: bool, pool_size: int) -> Engine:
    import sqlean

    # A database in memory is one connection per thread (SQLAlchemy's pool for it has no size).
    in_memory = url.database in (None, "", ":memory:")
    sizes = {} if in_memory else {"pool_size": pool_size, "max_overflow": pool_size}
    engine = sa.create_engine(url, module=sqlean, echo=echo, **sizes)
    event.listen(engine, "connect", _sqlite_connect_hook(spatialite_library))
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect_hook(library: str) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's implicit transactions are switched off; "begin" below issues BEGIN itself,
        # so SAVEPOINT and transactional DDL behave.
        dbapi_conn.isolation_level = None
        dbapi_conn.enable_load_extension(True)
        try:
            dbapi_conn.load_extension(library)
        except Exception as exc:
            raise StorageError(
                f"cannot load SpatiaLite ({library}); install libsqlite3-mod-spatialite"
            ) from exc
        finally:
            dbapi_conn.enable_load_extension(False)
        cursor = dbapi_conn.cursor()
        for pragma in (
            "foreign_keys=ON",
            "journal_mode=WAL",
            "busy_timeout=30000",
            "synchronous=NORMAL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return on_connect


#: Execution option: begin this SQLite transaction with the write lock (BEGIN IMMEDIATE).
SQLITE_IMMEDIATE: Final = "addresshub_sqlite_immediate"


def _sqlite_begin(conn: sa.Connection) -> None:
    immediate = conn.get_execution_options().get(SQLITE_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(bind: Engine | sa.Connection | orm.Session) -> bool:
    engine = bind.get_bind() if isinstance(bind, orm.Session) else bind
    return engine.dialect.name == "sqlite"


def session_factory(engine: Engine) -> SessionFactory:
    return orm.sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def unit_of_work(factory: SessionFactory, *, immediate: bool = False) -> Iterator[orm.Session]:
    """One transaction: commit on success, roll back on any error.

    ``immediate``: on SQLite, hold the write lock from the start. A deferred transaction that
    reads and then writes fails at once with "database is locked" (the busy timeout does not
    apply) when another connection committed in between, as the worker does every few seconds;
    an immediate one waits its turn instead. Units that write from another thread than the
    worker's (requests that change something, the worker's own steps) ask for it; a unit
    that only reads, or that another unit in the same thread may wait on, must not."""
    session = factory()
    if immediate and is_sqlite(session):
        # The transaction still begins at the unit's first statement, not here.
        session.bind = session.get_bind().execution_options(**{SQLITE_IMMEDIATE: True})
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def ping(engine: Engine) -> None:
    """Raise :class:`StorageError` unless the database answers."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        raise StorageError("the database is not reachable") from exc
