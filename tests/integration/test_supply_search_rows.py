"""After every supply the search rows equal a full rebuild's, whatever record the supply touched.

A search row (``address_search`` and its tokens) is built from an LPI or a delivery point with
its street descriptor and the facts of its BLPU: the BLPU itself, its first classification, the
post town of its delivery points and its organisation name. A change-only supply that stages
only one of those records, or moves a record to another UPRN, must still leave the rows a full
rebuild writes: on the fast path (``--validate structural`` on PostgreSQL) and the precise one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import db
from gazetteer import search_index
from gazetteer.search_tables import AddressSearchToken
from gazetteer.tables import GazetteerChange
from loaders import bulk, model
from loaders.service import STRUCTURAL
from tests import supplies, supply_mutations
from tests.integration import supply_db

DAY0 = dt.date(2024, 1, 1)
DB_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PATHS = ("fast", "precise")


@contextmanager
def _precise_only() -> Iterator[None]:
    with mock.patch.object(bulk, "eligible", return_value=False):
        yield


def _path(path: str) -> AbstractContextManager[None]:
    return _precise_only() if path == "precise" else nullcontext()


def assert_rows_rebuilt(factory: db.SessionFactory) -> None:
    """The search rows and points as the loads left them are those a full rebuild writes."""
    with factory() as session:
        loaded = supply_db.search_rows(session), supply_db.address_points(session)
        search_index.rebuild(session)
        rebuilt = supply_db.search_rows(session), supply_db.address_points(session)
        expected_points = supply_db.expected_points(session)
        session.rollback()
    assert loaded == rebuilt
    assert loaded[1] == expected_points


class _Loader:
    def __init__(self, factory: db.SessionFactory, root: Path, path: str) -> None:
        self.factory, self.root, self.path, self.day = factory, root, path, 0

    def supply(self, file_type: str, changes: list[model.Change], flavour: str = "abp2") -> None:
        day = DAY0 + dt.timedelta(days=7 * self.day)
        name = f"{self.day}-{file_type}"
        head = supplies.header(process_date=day, file_type=file_type)
        paths = supplies.write(self.root / name, flavour=flavour, head=head, changes=changes)
        fmt = "dtf" if flavour == "dtf" else "abp"
        with _path(self.path):
            supply_db.load(self.factory, paths, report=self.root / f"{name}.csv", fmt=fmt,
                           validate=STRUCTURAL)  # fmt: skip
        self.day += 1

    def step(self, old: supplies.State, new: supplies.State) -> supplies.State:
        self.supply("C", supplies.diff(old, new))
        assert_rows_rebuilt(self.factory)
        return new


def _replaced(state: supplies.State, entity: str, key: tuple[object, ...], **values: Any) -> Any:
    records = {e: dict(v) for e, v in state.records.items()}
    if values:
        records[entity][key] = dataclasses.replace(records[entity][key], **values)
    else:
        del records[entity][key]
    return supplies.state_of(r for v in records.values() for r in v.values())


def _one_key(state: supplies.State, entity: str, uprn: int) -> tuple[object, ...]:
    (key,) = [k for k, r in state.of(entity).items() if getattr(r, "uprn", None) == uprn]
    return key


@pytest.mark.parametrize("path", PATHS)
def test_a_supply_of_only_a_delivery_point_refreshes_its_search_rows(
    session_factory: db.SessionFactory, path: str
) -> None:
    state = supplies.sample_state("abp2", 3)
    key = _one_key(state, "delivery_point", 10_002)
    without = _replaced(state, "delivery_point", key)
    with tempfile.TemporaryDirectory() as tmp:
        load = _Loader(session_factory, Path(tmp), path)
        load.supply("F", supplies.full_changes(without))
        assert_rows_rebuilt(session_factory)
        inserted = load.step(without, state)
        # A post town before every other: the BLPU's facts (and so its LPI's row) change too.
        updated = _replaced(inserted, "delivery_point", key, post_town="ABERDEEN",
                            thoroughfare="LOW STREET")  # fmt: skip
        updated = load.step(inserted, updated)
        load.step(updated, without)


def _changes(factory: db.SessionFactory) -> set[tuple[int, str]]:
    """The change log's rows, but those of the addresses the full supply created."""
    with factory() as session:
        kinds = sa.select(GazetteerChange.uprn, GazetteerChange.kind)
        rows = session.execute(kinds.where(GazetteerChange.kind != "created"))
        return {(uprn, kind) for uprn, kind in rows}


@pytest.mark.parametrize("path", PATHS)
def test_a_supply_moving_an_lpi_refreshes_the_old_uprns_search_rows(
    session_factory: db.SessionFactory, path: str
) -> None:
    state = supplies.sample_state("abp2", 3)
    lpi = _one_key(state, "lpi", 10_001)
    dpa = _one_key(state, "delivery_point", 10_003)
    with tempfile.TemporaryDirectory() as tmp:
        load = _Loader(session_factory, Path(tmp), path)
        load.supply("F", supplies.full_changes(state))
        moved = load.step(state, _replaced(state, "lpi", lpi, uprn=10_002))
        # The old UPRN lost its address: the change log says so too.
        assert _changes(session_factory) == {(10_001, "changed"), (10_002, "changed")}
        load.step(moved, _replaced(moved, "delivery_point", dpa, uprn=10_001))


@pytest.mark.parametrize("path", PATHS)
def test_a_supply_of_only_a_classification_refreshes_its_search_rows(
    session_factory: db.SessionFactory, path: str
) -> None:
    state = supplies.sample_state("abp2", 3)
    classification = _one_key(state, "classification", 10_001)
    with tempfile.TemporaryDirectory() as tmp:
        load = _Loader(session_factory, Path(tmp), path)
        load.supply("F", supplies.full_changes(state))
        recoded = load.step(state, _replaced(state, "classification", classification,
                                             classification_code="CA01"))  # fmt: skip
        load.step(recoded, _replaced(recoded, "classification", classification, uprn=10_003))


# --- random chains ------------------------------------------------------------------------------


def _clear(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        tables = (*supply_db.RECORD_TABLES, "gazetteer_change", "load_run", "address_point")
        for name in (*tables, "address_search"):
            if name == "address_search":
                conn.execute(sa.delete(AddressSearchToken))
            conn.execute(sa.text(f"DELETE FROM {name}"))


@pytest.mark.parametrize("flavour", ["abp2", "dtf"])
@DB_SETTINGS
@given(data=st.data())
def test_change_only_supplies_leave_the_search_rows_of_a_full_rebuild(
    engine: sa.Engine, session_factory: db.SessionFactory, flavour: str, data: st.DataObject
) -> None:
    """Random chains with records moved to another UPRN or removed, streets renamed and BLPUs
    given another parent, on either path: the rows after each supply are a full rebuild's."""
    states = data.draw(supply_mutations.mutated_chains(flavour, length=2))
    path = data.draw(st.sampled_from(PATHS))
    _clear(engine)
    with tempfile.TemporaryDirectory() as tmp:
        load = _Loader(session_factory, Path(tmp), path)
        load.supply("F", supplies.full_changes(states[0]), flavour)
        assert_rows_rebuilt(session_factory)
        for old, new in itertools.pairwise(states):
            load.supply("C", supplies.diff(old, new), flavour)
            assert_rows_rebuilt(session_factory)
