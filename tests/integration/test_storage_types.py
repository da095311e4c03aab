"""Column types behave the same on both engines: timestamps, JSON and wide identifiers."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import tables

BST = dt.timezone(dt.timedelta(hours=1))


def _load_run(started_at: dt.datetime) -> tables.LoadRun:
    return tables.LoadRun(
        id="0190f3e2-0000-7000-8000-000000000001",
        format="abp",
        status="applied",
        file_type="C",
        counts={"blpu": {"inserted": 2}},
        files=["AddressBasePremium_COU_2024-01-05_001.csv"],
        started_at=started_at,
    )


def test_timestamps_come_back_aware_and_in_utc(session: orm.Session) -> None:
    session.add(_load_run(dt.datetime(2024, 6, 1, 10, 30, tzinfo=BST)))
    session.commit()
    session.expunge_all()
    run = session.get_one(tables.LoadRun, "0190f3e2-0000-7000-8000-000000000001")
    assert run.started_at == dt.datetime(2024, 6, 1, 9, 30, tzinfo=dt.UTC)
    assert run.started_at.utcoffset() == dt.timedelta(0)
    assert run.counts == {"blpu": {"inserted": 2}}
    assert run.files == ["AddressBasePremium_COU_2024-01-05_001.csv"]
    assert run.unchanged is False


def test_naive_timestamps_are_refused(session: orm.Session) -> None:
    session.add(_load_run(dt.datetime(2024, 6, 1, 10, 30)))
    with pytest.raises(sa.exc.StatementError, match="timezone-aware"):
        session.flush()


def test_twelve_digit_uprns_and_unknown_file_types(session: orm.Session) -> None:
    session.add(tables.Blpu(uprn=999_999_999_999, logical_status="1"))
    session.flush()
    assert session.scalar(sa.select(tables.Blpu.uprn)) == 999_999_999_999
    run = _load_run(dt.datetime(2024, 6, 1, tzinfo=dt.UTC))
    run.file_type = "X"
    session.add(run)
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
