"""One address lookup is one statement, and it reads what the single-record readers read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from gazetteer import address_documents, domain, facts_query, repository, tables
from tests import strategies
from tests.integration import test_address_lookup as seed

DATES: strategies.OpenRecordDates = {
    "start_date": dt.date(2010, 1, 1),
    "entry_date": dt.date(2010, 1, 1),
}
CLOSED: strategies.RecordDates = {
    "end_date": dt.date(2021, 1, 1),
    "start_date": dt.date(2009, 1, 1),
}

EXTRA: list[repository.Record] = [
    # Organisations: a DTF one (no key, below) loses to any keyed open one; the lowest key wins.
    domain.Organisation(
        uprn=seed.PARENT, org_key="1110O000000003", organisation="LATER KEY LTD", **DATES
    ),
    domain.Classification(
        uprn=seed.OLD_FLAT, class_key="1110C000000009", classification_code="CL01", **CLOSED
    ),
    # Two delivery points on the flat: a closed one with a lower UDPRN goes after the open one.
    domain.DeliveryPoint(
        udprn=23747770, uprn=seed.FLAT, thoroughfare="MILL LANE", post_town="NEWTOWN",
        postcode="NT1 1AA", building_number=9, **CLOSED,
    ),
    domain.CrossReference(
        uprn=seed.FLAT, xref_key="1110X000000000", cross_reference="AA1", source="7666MT", **DATES
    ),
]  # fmt: skip


def _keyless_dtf_rows() -> list[tables.Organisation | tables.Classification]:
    """DTF organisation and class rows, stored under a surrogate key (the key column NULL)."""
    return [
        tables.Organisation(uprn=seed.PARENT, org_key=None, organisation="DTF NAME LTD", **DATES),
        # A DTF classification only: chosen because nothing keyed is open.
        tables.Classification(
            uprn=seed.OLD_FLAT, class_key=None, classification_code="RD04", **DATES
        ),
    ]


@pytest.fixture
def seeded(session: orm.Session) -> orm.Session:
    records = [*seed.DTF_RECORDS, *seed.FLAT_RECORDS, *seed.PARENT_RECORDS, *seed.STREET, *EXTRA]
    repository.save_records(session, records)
    session.add_all(_keyless_dtf_rows())
    session.flush()  # written past save_records, so their stored documents are refreshed here
    address_documents.refresh(session, [seed.PARENT, seed.OLD_FLAT])
    session.commit()
    return session


def _by_single_readers(session: orm.Session, uprn: int) -> repository.AddressFacts | None:
    blpu = repository.get_blpu(session, uprn)
    if blpu is None:
        return None
    lpis = repository.lpis_of(session, uprn)
    return repository.AddressFacts(
        blpu=blpu,
        lpis=tuple(lpis),
        descriptors=tuple(repository.descriptors_of(session, (lpi.usrn for lpi in lpis))),
        organisation=repository.open_organisation(session, uprn),
        classification_code=repository.open_classification_code(session, uprn),
        cross_references=tuple(repository.open_cross_references(session, uprn)),
        delivery_points=tuple(repository.delivery_points_of(session, uprn)),
        children=tuple(repository.children_of(session, uprn)),
    )


@pytest.fixture
def statements(seeded: orm.Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement the DB-API connection runs (the lookup bypasses SQLAlchemy's events)."""
    seen: list[str] = []
    raw = seeded.connection().connection.driver_connection
    if db.is_sqlite(seeded):
        assert raw is not None
        raw.set_trace_callback(seen.append)
        yield seen
        raw.set_trace_callback(None)
        return
    execute = psycopg.Cursor.execute

    def counted(cursor: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(query))
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    yield seen


@pytest.mark.parametrize(
    "uprn", [seed.PARENT, seed.FLAT, seed.OLD_FLAT, seed.OFFICE, 999_999_999_999]
)
def test_the_lookup_reads_what_the_single_record_readers_read(
    seeded: orm.Session, uprn: int
) -> None:
    assert repository.address_facts(seeded, uprn) == _by_single_readers(seeded, uprn)


def test_the_choices_follow_keys_dates_and_status(seeded: orm.Session) -> None:
    parent = repository.address_facts(seeded, seed.PARENT)
    flat = repository.address_facts(seeded, seed.FLAT)
    old_flat = repository.address_facts(seeded, seed.OLD_FLAT)
    assert parent is not None and flat is not None and old_flat is not None
    assert parent.organisation == "RIVER LOFTS MANAGEMENT LTD"
    assert parent.children == (seed.FLAT, seed.OLD_FLAT)
    assert old_flat.classification_code == "RD04"
    assert [d.udprn for d in flat.delivery_points] == [23747771, 23747770]
    assert [x.source for x in flat.cross_references] == ["7666MT", "7666VC"]  # by source
    assert {d.language for d in flat.descriptors} == {"ENG", "CYM"}
    assert all(isinstance(lpi.start_date, dt.date) for lpi in flat.lpis)


def test_a_lookup_is_one_statement(seeded: orm.Session, statements: list[str]) -> None:
    seeded.execute(sa.text("SELECT 1"))
    assert statements, "the counter sees the connection's statements"
    statements.clear()
    for uprn in (seed.FLAT, seed.PARENT, 999_999_999_999):
        repository.address_facts(seeded, uprn)
    assert len(statements) == 3
    assert all(statement.startswith("SELECT blpu.uprn") for statement in statements)


def test_lookups_share_their_connections_cursor_and_a_new_connection_gets_its_own(
    seeded: orm.Session,
) -> None:
    before = repository.address_facts(seeded, seed.FLAT)
    pooled = seeded.connection().connection
    cursor = pooled.info[facts_query.CURSOR_KEY]
    assert repository.address_facts(seeded, seed.PARENT) is not None
    assert pooled.info[facts_query.CURSOR_KEY] is cursor
    assert cursor.connection is pooled.driver_connection
    seeded.connection().invalidate()  # as after a lost connection
    seeded.rollback()
    assert repository.address_facts(seeded, seed.FLAT) == before
    renewed = seeded.connection().connection
    assert renewed.info[facts_query.CURSOR_KEY] is not cursor
    assert renewed.info[facts_query.CURSOR_KEY].connection is renewed.driver_connection
