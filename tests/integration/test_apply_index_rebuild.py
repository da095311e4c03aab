"""A large insert into an empty live table drops its secondary indexes and builds them after
(PostgreSQL): the same rows, the same indexes, the same change log and search rows as the
row-by-row path, and an index in use again before the load's later queries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock

import sqlalchemy as sa

from core import db
from loaders import apply, service
from tests import supplies
from tests.integration import supply_db

DAY0 = dt.date(2021, 1, 4)
INDEXES = (
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
    "ORDER BY 1, 2"
)


def _indexes(engine: sa.Engine) -> list[tuple[Any, ...]]:
    if engine.dialect.name != "postgresql":
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT tbl_name, name, sql FROM sqlite_master "
                                        "WHERE type = 'index' ORDER BY 1, 2")  # fmt: skip
            return [tuple(r) for r in rows]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(INDEXES)]


def _search_rows(engine: sa.Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT uprn, source, source_key, label, search_text "
                                    "FROM address_search ORDER BY 1, 2, 3")  # fmt: skip
        return [tuple(r) for r in rows]


def _clear(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for name in (*supply_db.RECORD_TABLES, "gazetteer_change", "load_run"):
            conn.execute(sa.text(f"DELETE FROM {name}"))


def test_rebuilding_the_indexes_gives_the_same_gazetteer(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = supplies.sample_state("abp2", 6)
    head = supplies.header(process_date=DAY0)
    paths = supplies.write(tmp_path / "s", flavour="abp2", head=head,
                           changes=supplies.full_changes(state))  # fmt: skip
    indexes = _indexes(engine)
    dropped: list[str] = []
    real = apply._drop_indexes_of_empty

    def spy(*args: Any, **kwargs: Any) -> list[str]:
        made = real(*args, **kwargs)
        dropped.extend(made)
        return made

    with (
        mock.patch.object(apply, "REBUILD_FROM", 1),
        mock.patch.object(apply, "_drop_indexes_of_empty", spy),
    ):
        rebuilt = supply_db.load(session_factory, paths, report=tmp_path / "a.csv",
                                 validate=service.STRUCTURAL).as_json()  # fmt: skip
    rebuilt_tables, rebuilt_search = supply_db.snapshot(engine), _search_rows(engine)
    assert _indexes(engine) == indexes
    _clear(engine)
    with mock.patch.object(apply, "REBUILD_FROM", 10**9):
        kept = supply_db.load(session_factory, paths, report=tmp_path / "b.csv",
                              validate=service.STRUCTURAL).as_json()  # fmt: skip
    assert supply_db.snapshot(engine) == rebuilt_tables
    assert _search_rows(engine) == rebuilt_search
    assert {k: v for k, v in rebuilt.items() if k not in {"run_id", "report_file"}} == {
        k: v for k, v in kept.items() if k not in {"run_id", "report_file"}
    }
    # PostgreSQL took the rebuild (the BLPU's GiST among the indexes); SQLite never does.
    postgresql = engine.dialect.name == "postgresql"
    assert any("USING gist (geom)" in d for d in dropped) == postgresql
    assert bool(dropped) == postgresql


def test_a_table_with_rows_keeps_its_indexes(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = supplies.sample_state("abp2", 3)
    head = supplies.header(process_date=DAY0)
    first = supplies.write(tmp_path / "f", flavour="abp2", head=head,
                           changes=supplies.full_changes(state))  # fmt: skip
    supply_db.load(session_factory, first, report=tmp_path / "f.csv", validate=service.STRUCTURAL)
    again = supplies.header(process_date=DAY0 + dt.timedelta(days=7))
    second = supplies.write(tmp_path / "g", flavour="abp2", head=again,
                            changes=supplies.full_changes(state))  # fmt: skip
    made: list[list[str]] = []
    real = apply._drop_indexes_of_empty

    def spy(*args: Any, **kwargs: Any) -> list[str]:
        made.append(real(*args, **kwargs))
        return made[-1]

    with (
        mock.patch.object(apply, "REBUILD_FROM", 1),
        mock.patch.object(apply, "_drop_indexes_of_empty", spy),
    ):
        supply_db.load(session_factory, second, report=tmp_path / "g.csv",
                       validate=service.STRUCTURAL)  # fmt: skip
    assert made == ([[]] if engine.dialect.name == "postgresql" else [])
