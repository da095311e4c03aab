"""The set-based search-index rebuild writes exactly the rows and tokens of the plain one.

The plain rebuild (:mod:`tests.integration.search_index_oracle`, the ORM implementation it
replaced) is the oracle: for generated gazetteers with abbreviations, Welsh and English LPIs
and descriptors, SAO/PAO ranges, delivery points, organisation names, ended records and council
list addresses, the whole rebuild, a rebuild of some UPRNs and the bulk path (an empty index,
secondary indexes built afresh) leave the index as the oracle leaves it.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import orm
from sqlalchemy.engine.interfaces import ReflectedIndex

from core import db
from gazetteer import repository, search_index
from gazetteer import tables as t
from gazetteer.search_tables import AddressSearch, AddressSearchToken
from tests import strategies
from tests.integration import search_index_oracle, supply_db

_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _seed(session: orm.Session, records: list[Any], listed: list[Any]) -> None:
    repository.save_records(session, records)
    session.add_all(
        t.ListedAddress(list_name="electoral", uprn=uprn, address=address, postcode=postcode)
        for uprn, address, postcode in listed
    )
    session.flush()


@_SETTINGS
@given(
    records=strategies.search_gazetteers(),
    listed=strategies.search_listed(),
    some=st.sets(st.sampled_from((99, 100, 101, 102, 555)), max_size=3),
)
def test_the_rebuild_writes_the_rows_and_tokens_of_the_plain_rebuild(
    session_factory: db.SessionFactory, records: list[Any], listed: list[Any], some: set[int]
) -> None:
    with session_factory() as session:
        _seed(session, records, listed)
        written = search_index_oracle.rebuild(session)
        expected = supply_db.search_rows(session)
        assert len(expected) == written
        assert search_index.rebuild(session) == written
        assert supply_db.search_rows(session) == expected
        points = supply_db.expected_points(session)
        assert supply_db.address_points(session) == points
        chosen = search_index.rebuild(session, some)
        assert chosen == search_index_oracle.rebuild(session, some)
        assert supply_db.search_rows(session) == expected
        selected = sa.select(t.Blpu.uprn).where(t.Blpu.uprn.in_(some))
        in_blpus = search_index.rebuild_selected(session, selected)
        assert in_blpus == search_index_oracle.rebuild(session, set(session.scalars(selected)))
        assert supply_db.search_rows(session) == expected
        search_index.rebuild(session, some)
        assert supply_db.address_points(session) == points
        session.rollback()


@_SETTINGS
@given(records=strategies.search_gazetteers(), listed=strategies.search_listed())
def test_the_bulk_path_into_an_empty_index_writes_the_same_rows_and_keeps_its_indexes(
    session_factory: db.SessionFactory,
    monkeypatch: pytest.MonkeyPatch,
    records: list[Any],
    listed: list[Any],
) -> None:
    monkeypatch.setattr(search_index, "BULK_MIN", 1)
    with session_factory() as session:
        indexes = {name: _indexes(session, name) for name in _INDEXED}
        keys = {name: _primary_key(session, name) for name in _INDEXED}
        _seed(session, records, listed)
        search_index_oracle.rebuild(session)
        expected = supply_db.search_rows(session)
        uprns = {getattr(r, "uprn", 0) for r in records} | {u for u, _a, _p in listed if u}
        assert search_index.rebuild(session, uprns) == len(expected)  # every UPRN: replaced
        assert supply_db.search_rows(session) == expected
        session.execute(sa.delete(AddressSearchToken))
        session.execute(sa.delete(AddressSearch))
        assert search_index.rebuild(session, uprns) == len(expected)  # into an empty index
        assert supply_db.search_rows(session) == expected
        assert supply_db.address_points(session) == supply_db.expected_points(session)
        assert {name: _indexes(session, name) for name in _INDEXED} == indexes
        assert {name: _primary_key(session, name) for name in _INDEXED} == keys
        session.rollback()


_INDEXED = ("address_search", "address_search_token", "address_point")


def _indexes(session: orm.Session, table: str) -> list[ReflectedIndex]:
    found = sa.inspect(session.connection()).get_indexes(table)
    return sorted(found, key=lambda index: str(index["name"]))


def _primary_key(session: orm.Session, table: str) -> dict[str, Any]:
    """The bulk path drops the tokens' primary key and makes it again."""
    return dict(sa.inspect(session.connection()).get_pk_constraint(table))
