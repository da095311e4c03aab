"""The supply-wide PRO_ORDER check is skipped only where its answer is known: the fast path
accepted a supply of one part (file), whose PRO_ORDER it checked to increase row by row.
Split or multi-volume supplies, and every supply on the precise path, still run it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import sqlalchemy as sa

from core import db
from loaders import apply, service
from loaders.writers import supply as writer
from tests import supplies
from tests.integration import supply_db

DAY0 = dt.date(2021, 1, 4)


@pytest.mark.parametrize(
    ("options", "parts"),
    [
        (writer.WriteOptions(), 1),
        (writer.WriteOptions(split=True), 2),
        (writer.WriteOptions(volume_size=7), 2),
    ],
)
def test_the_pro_order_check_runs_unless_one_part_took_the_fast_path(
    engine: sa.Engine,
    session_factory: db.SessionFactory,
    tmp_path: Path,
    options: writer.WriteOptions,
    parts: int,
) -> None:
    state = supplies.sample_state("abp2", 4)
    head = supplies.header(process_date=DAY0)
    paths = supplies.write(tmp_path / "s", flavour="abp2", head=head,
                           changes=supplies.full_changes(state), options=options)  # fmt: skip
    calls: list[Any] = []
    real = apply.check_pro_orders

    def spy(*args: Any, **kwargs: Any) -> None:
        calls.append(args)
        real(*args, **kwargs)

    with mock.patch.object(apply, "check_pro_orders", spy):
        supply_db.load(session_factory, paths, report=tmp_path / "r.csv",
                       validate=service.STRUCTURAL)  # fmt: skip
    skipped = engine.dialect.name == "postgresql" and parts == 1
    assert len(calls) == (0 if skipped else 1)
    assert supply_db.dates_as_text(supply_db.snapshot(engine)) == supply_db.dates_as_text(
        supply_db.expected_rows(state)
    )
