"""Database fixtures shared by every tier: each integration test runs on both engines.

* ``db_url``: a fresh, fully migrated database per test, parametrised ``sqlite`` and
  ``postgresql``. The schema is migrated once per session into a template (a template
  database on PostgreSQL, a file on SQLite); each test gets a copy, so tests are isolated and
  cheap. The template is rebuilt every session, so a new migration needs nothing else.
* ``engine``, ``session_factory``, ``session``: built on ``db_url``; the test may commit.

PostgreSQL comes from ``ADDRESSHUB_TEST_PG_URL`` (``scripts/test.sh`` or ``scripts/pg.sh``
set it). Without it the PostgreSQL half of the suite fails; it never skips.

Unit tests (``tests/unit``) never touch a database: asking for a database fixture there is a
collection error, and creating an engine there raises.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import sqlalchemy as sa
from sqlalchemy import orm

import migrations
from core import db

# Tests never assert wall-clock times: hypothesis's per-example deadline would make a property
# test fail on a busy machine without anything being wrong.
hypothesis.settings.register_profile("addresshub", deadline=None)
hypothesis.settings.load_profile("addresshub")

PG_URL_ENV = "ADDRESSHUB_TEST_PG_URL"
ENGINES = ("sqlite", "postgresql")
DATABASE_FIXTURES = frozenset({"db_url", "engine", "session_factory", "session"})
UNIT_DIR = Path(__file__).parent / "unit"


# -- the unit tier stays pure ---------------------------------------------------------------


def _is_unit_test(item: pytest.Item) -> bool:
    return UNIT_DIR in Path(str(item.path)).parents


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    offenders = [
        item.nodeid
        for item in items
        if _is_unit_test(item) and DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    ]
    if offenders:
        raise pytest.UsageError(
            "unit tests must not use database fixtures (move them to tests/integration): "
            + ", ".join(offenders)
        )


@pytest.fixture(autouse=True)
def _no_engines_in_unit_tests(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not _is_unit_test(request.node):
        return

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("unit tests must not create database engines")

    monkeypatch.setattr(db, "create_engine", refuse)
    monkeypatch.setattr(sa, "create_engine", refuse)


# -- session templates ----------------------------------------------------------------------


def _pg_admin_url() -> sa.URL:
    raw = os.environ.get(PG_URL_ENV)
    if not raw:
        pytest.fail(
            f"{PG_URL_ENV} is not set: run the suite with scripts/test.sh, or start PostGIS with "
            f'eval "$(scripts/pg.sh start DIR)"',
            pytrace=False,
        )
    return db.normalise_url(raw)


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[sa.Engine]:
    engine = sa.create_engine(
        _pg_admin_url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    yield engine
    engine.dispose()


def _create_database(admin: sa.Engine, name: str, template: str | None = None) -> None:
    quoted = admin.dialect.identifier_preparer.quote(name)
    clause = f" TEMPLATE {admin.dialect.identifier_preparer.quote(template)}" if template else ""
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {quoted}{clause}")


def _drop_database(admin: sa.Engine, name: str) -> None:
    quoted = admin.dialect.identifier_preparer.quote(name)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


@pytest.fixture(scope="session")
def _pg_template(_pg_admin: sa.Engine) -> Iterator[str]:
    name = f"addresshub_template_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _create_database(_pg_admin, name)
    try:
        migrations.upgrade(_pg_admin.url.set(database=name).render_as_string(hide_password=False))
        yield name
    finally:
        _drop_database(_pg_admin, name)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrations.upgrade(f"sqlite:///{path}")
    # Every connection is closed by now, so SQLite has checkpointed and removed the WAL.
    assert not path.with_name(path.name + "-wal").exists()
    return path


# -- per-test databases ---------------------------------------------------------------------


@pytest.fixture
def _pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    admin: sa.Engine = request.getfixturevalue("_pg_admin")
    template: str = request.getfixturevalue("_pg_template")
    name = f"addresshub_test_{uuid.uuid4().hex[:12]}"
    _create_database(admin, name, template)
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    _drop_database(admin, name)


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh migrated database for this test alone, on each engine in turn."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("_pg_database")
        return url
    template: Path = request.getfixturevalue("_sqlite_template")
    target = tmp_path / "addresshub.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    built = db.create_engine(db_url)
    yield built
    built.dispose()


@pytest.fixture
def session_factory(engine: sa.Engine) -> db.SessionFactory:
    return db.session_factory(engine)


@pytest.fixture
def session(session_factory: db.SessionFactory) -> Iterator[orm.Session]:
    with session_factory() as opened:
        yield opened
