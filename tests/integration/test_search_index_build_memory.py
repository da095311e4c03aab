"""A bulk search-index rebuild raises ``maintenance_work_mem`` for its index builds, in its own
transaction only, and never lowers a larger setting (PostgreSQL; SQLite has no such builds).
The cyclic garbage collector, off while the rows are built, is on again after."""

from __future__ import annotations

import gc

import pytest
import sqlalchemy as sa

from core import db
from gazetteer import repository, search_index
from tests.support import acceptance


def _memory(session: sa.orm.Session) -> str:
    return str(session.execute(sa.text("SHOW maintenance_work_mem")).scalar_one())


@pytest.mark.parametrize(("before", "during"), [("64MB", "256MB"), ("1GB", "1GB")])
def test_the_bulk_build_has_at_least_256_mb_in_its_transaction_only(
    session_factory: db.SessionFactory, monkeypatch: pytest.MonkeyPatch, before: str, during: str
) -> None:
    monkeypatch.setattr(search_index, "BULK_MIN", 1)
    with session_factory() as session:
        postgresql = session.get_bind().dialect.name == "postgresql"
        if postgresql:
            session.execute(sa.text(f"SET maintenance_work_mem = '{before}'"))
            session.commit()
        repository.save_records(session, acceptance.sample_records())
        assert search_index.rebuild(session) >= 1
        assert gc.isenabled()  # the collector is off only while the rows are built
        if not postgresql:
            return  # no index builds to give memory to
        assert _memory(session) == during
        session.commit()
        assert _memory(session) == before
