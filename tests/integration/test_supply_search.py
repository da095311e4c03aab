"""A loaded supply is searchable at once: the load refreshes the search rows of what it touched."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from core import db
from gazetteer import domain
from gazetteer.search_tables import AddressSearch
from loaders import model
from tests import supplies
from tests.integration import supply_db

DAY0 = dt.date(2021, 1, 4)


def _indexed_uprns(engine: sa.Engine) -> set[int]:
    with engine.connect() as conn:
        return set(conn.scalars(sa.select(AddressSearch.uprn).distinct()))


def _lpi_uprns(state: supplies.State) -> set[int]:
    uprns: set[int] = set()
    for record in state.of("lpi").values():
        assert isinstance(record, domain.Lpi)
        uprns.add(record.uprn)
    return uprns


def _write(
    tmp_path: Path, name: str, day: dt.date, file_type: str, changes: list[model.Change]
) -> list[Path]:
    head = supplies.header(process_date=day, file_type=file_type)
    return supplies.write(tmp_path / name, flavour="abp2", head=head, changes=changes)


def test_full_and_change_only_supplies_keep_the_search_index_in_step(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = supplies.sample_state("abp2", 4)
    full = _write(tmp_path, "full", DAY0, "F", supplies.full_changes(state))
    supply_db.load(session_factory, full, report=tmp_path / "full.csv")
    assert _indexed_uprns(engine) == _lpi_uprns(state) != set()

    gone = min(_lpi_uprns(state))
    later = supplies.state_of(
        r for r in state.all() if getattr(r, "uprn", None) != gone or model.entity_of(r) == "street"
    )
    cou = _write(tmp_path, "cou", DAY0 + dt.timedelta(days=7), "C", supplies.diff(state, later))
    supply_db.load(session_factory, cou, report=tmp_path / "cou.csv")
    assert _indexed_uprns(engine) == _lpi_uprns(later)
    assert gone not in _indexed_uprns(engine)
