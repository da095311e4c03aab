"""The stored lookup documents always equal the live facts, on both engines.

After random full, change-only and tile supplies and after ``save_records``, every BLPU has a
stored document (``address_document``) and no other UPRN has one, and reading a UPRN through
its document gives exactly what the live facts statement gives (so ``get_address`` gives the
same document as before). The supplies are the loaders' generated chains, with more changes
on top that reach a document only through other records: LPIs, delivery points, cross
references, classifications and organisations moved to another UPRN or removed, street
descriptors renamed, and BLPUs given another parent.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import orm

from core import db
from core.settings import Settings
from gazetteer import address_documents, domain, facts_query, repository, service, tables
from gazetteer.search_tables import AddressDocument
from loaders import model
from tests import supplies, supply_mutations
from tests.integration import supply_db

DAY0 = dt.date(2023, 1, 2)
DB_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _day(i: int) -> dt.date:
    return DAY0 + dt.timedelta(days=7 * i)


def assert_documents_current(engine: sa.Engine) -> None:
    """Every BLPU and only they have a document, and it reads as the live facts do."""
    with engine.connect() as conn:
        blpus = set(conn.scalars(sa.select(tables.Blpu.uprn)))
        assert set(conn.scalars(sa.select(AddressDocument.uprn))) == blpus
        for uprn in sorted(blpus):
            stored = facts_query.read(conn, uprn)
            assert stored is not None
            assert stored == facts_query.read_live(conn, uprn)


def _clear(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for name in (*supply_db.RECORD_TABLES, "gazetteer_change", "load_run", "address_document"):
            conn.execute(sa.text(f"DELETE FROM {name}"))


# --- supplies ---------------------------------------------------------------------------------


def _write(
    directory: Path, changes: list[model.Change], *, flavour: str, day: dt.date, file_type: str
) -> list[Path]:
    head = supplies.header(process_date=day, file_type=file_type)
    return supplies.write(directory / f"{day}-{file_type}", flavour=flavour, head=head,
                          changes=changes)  # fmt: skip


def _fmt(flavour: str) -> str:
    return "dtf" if flavour == "dtf" else "abp"


@pytest.mark.parametrize("flavour", ["abp2", "dtf"])
@DB_SETTINGS
@given(data=st.data())
def test_full_and_change_only_supplies_keep_every_document_current(
    engine: sa.Engine, session_factory: db.SessionFactory, flavour: str, data: st.DataObject
) -> None:
    _load_chain(engine, session_factory, flavour, data)


@DB_SETTINGS
@given(data=st.data())
def test_supplies_keep_every_document_current_through_the_bulk_refresh(
    engine: sa.Engine,
    session_factory: db.SessionFactory,
    monkeypatch: pytest.MonkeyPatch,
    data: st.DataObject,
) -> None:
    """The loads' refresh with the per-table aggregates for any number of UPRNs."""
    monkeypatch.setitem(address_documents.BULK_FROM, engine.dialect.name, 0)
    monkeypatch.setattr(address_documents, "BULK_SHARE", 10**9)
    _load_chain(engine, session_factory, "abp2", data)


def _load_chain(
    engine: sa.Engine, session_factory: db.SessionFactory, flavour: str, data: st.DataObject
) -> None:
    states = data.draw(supply_mutations.mutated_chains(flavour, length=2))
    _clear(engine)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        steps = [("F", supplies.full_changes(states[0]))]
        steps += [("C", supplies.diff(old, new)) for old, new in itertools.pairwise(states)]
        for i, (file_type, changes) in enumerate(steps):
            paths = _write(root, changes, flavour=flavour, day=_day(i), file_type=file_type)
            supply_db.load(session_factory, paths, report=root / f"{i}.csv", fmt=_fmt(flavour))
            assert_documents_current(engine)


def _tile_files(directory: Path, state: supplies.State, *, day: dt.date, tile: str) -> list[Path]:
    """A tile COU as OS names it: every record an insert, the tile in place of the volume."""
    (path,) = _write(directory / tile, supplies.full_changes(state), flavour="abp2", day=day,
                     file_type="C")  # fmt: skip
    named = path.with_name(path.name.replace("_001.", f"_{tile}."))
    return [Path(shutil.move(path, named))]


@DB_SETTINGS
@given(data=st.data())
def test_tile_supplies_keep_every_document_current(
    engine: sa.Engine, session_factory: db.SessionFactory, data: st.DataObject
) -> None:
    old, new = data.draw(supply_mutations.mutated_chains("abp2", length=1))
    other = supplies.sample_state("abp2", blpus_count=2, first_uprn=500_000_000_001)
    _clear(engine)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        first = _tile_files(root, other, day=_day(0), tile="SU1234")
        first += _tile_files(root, old, day=_day(0), tile="TQ3080")
        supply_db.load(session_factory, first, report=root / "first.csv")
        assert_documents_current(engine)
        paths = _tile_files(root / "next", new, day=_day(1), tile="TQ3080")
        supply_db.load(session_factory, paths, report=root / "next.csv")
        assert_documents_current(engine)


# --- save_records ------------------------------------------------------------------------------


@DB_SETTINGS
@given(data=st.data())
def test_saved_records_keep_every_document_current(
    engine: sa.Engine, session_factory: db.SessionFactory, data: st.DataObject
) -> None:
    states = data.draw(supply_mutations.mutated_chains("abp2", length=2))
    _clear(engine)
    for state in states:  # each state's records saved over the last (nothing is deleted)
        with db.unit_of_work(session_factory) as session:
            repository.save_records(session, list(state.all()))
        assert_documents_current(engine)


# --- reading ------------------------------------------------------------------------------------


@pytest.fixture
def saved(session: orm.Session) -> list[int]:
    state = supplies.sample_state("abp2", blpus_count=3, first_uprn=10_001)
    repository.save_records(session, list(state.all()))
    session.commit()
    return [10_001, 10_002, 10_003]


@pytest.mark.parametrize("language", [domain.LANGUAGE_ENGLISH, domain.LANGUAGE_WELSH])
def test_the_lookup_gives_the_document_the_live_facts_give(
    session: orm.Session, saved: list[int], language: str
) -> None:
    settings = Settings()
    connection = session.connection()
    for uprn in saved:
        live = facts_query.read_live(connection, uprn)
        assert live is not None
        expected = service.build_document(
            live, administrative_area=settings.label_administrative_area, language=language
        )
        got = service.get_address(session=session, uprn=uprn, settings=settings, language=language)
        assert got == expected


def test_a_uprn_without_a_document_is_read_live(session: orm.Session, saved: list[int]) -> None:
    connection = session.connection()
    stored = {uprn: facts_query.read(connection, uprn) for uprn in saved}
    session.execute(sa.delete(AddressDocument).where(AddressDocument.uprn == saved[0]))
    assert facts_query.read(connection, saved[0]) == stored[saved[0]] is not None
    # A stale document is what a writer that skipped the refresh would leave: the refresh
    # (here of every UPRN) puts it right.
    session.execute(sa.update(tables.Lpi).where(tables.Lpi.uprn == saved[1]).values(pao_text="X"))
    assert facts_query.read(connection, saved[1]) == stored[saved[1]]
    address_documents.refresh(session)
    assert facts_query.read(connection, saved[1]) == facts_query.read_live(connection, saved[1])
    assert facts_query.read(connection, saved[1]) != stored[saved[1]]


def test_a_uprn_without_a_blpu_is_not_found_even_with_a_document(
    session: orm.Session, saved: list[int]
) -> None:
    session.execute(sa.delete(tables.Blpu).where(tables.Blpu.uprn == saved[0]))
    connection = session.connection()
    assert session.scalar(sa.select(sa.func.count()).select_from(AddressDocument)) == 3
    assert facts_query.read(connection, saved[0]) is None
    assert facts_query.read_live(connection, saved[0]) is None


# --- the bulk path -----------------------------------------------------------------------------


@DB_SETTINGS
@given(data=st.data())
def test_the_bulk_path_writes_the_text_the_per_uprn_path_writes(
    engine: sa.Engine, session_factory: db.SessionFactory, data: st.DataObject
) -> None:
    """Byte for byte: order inside each array, null or empty arrays, numbers and dates."""
    states = data.draw(supply_mutations.mutated_chains("abp2", length=2))
    _clear(engine)
    for state in states:
        with db.unit_of_work(session_factory) as session:
            repository.save_records(session, list(state.all()))
    with db.unit_of_work(session_factory) as session:
        uprns = sorted(session.scalars(sa.select(tables.Blpu.uprn)))
        chosen = [*uprns[::2], 999_999_999_999]  # some UPRNs, and one without a BLPU
        per_uprn = address_documents.rows(session, chosen, bulk=False)
        assert [uprn for uprn, _facts in per_uprn] == uprns[::2]
        assert address_documents.rows(session, chosen, bulk=True) == per_uprn
        assert address_documents.rows(session, chosen, bulk=True, narrow=False) == per_uprn
        everything = address_documents.rows(session, uprns, bulk=False)
        address_documents.refresh(session)  # every UPRN: the bulk path
        stored = session.execute(sa.select(AddressDocument.uprn, AddressDocument.facts))
        assert sorted((uprn, facts) for uprn, facts in stored) == everything
    assert_documents_current(engine)
