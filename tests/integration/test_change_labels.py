"""The change log's labels after a load, read from the rebuilt search rows, are the labels
built from the records (``labels.capture``) for every touched UPRN, on both engines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from sqlalchemy import orm

from core import db
from gazetteer import domain, repository, search_index
from loaders import changesql, history, labels, sql, staging
from tests import strategies

_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_TOUCHED = sa.select(sa.column("uprn", sa.BigInteger)).select_from(sa.table("touched_uprn"))


def _labels_both_ways(session: orm.Session) -> tuple[list[Any], list[Any]]:
    connection = session.connection()
    connection.exec_driver_sql(changesql.DROP_TOUCHED)
    connection.exec_driver_sql(changesql.CREATE_TOUCHED[staging.engine_of(session)])
    connection.exec_driver_sql("INSERT INTO touched_uprn (uprn) SELECT uprn FROM blpu")
    labels.capture(session, sql.LABELS_BEFORE)
    search_index.rebuild_selected(session, _TOUCHED)
    labels.capture_after(session)
    built = staging.rows(session, "SELECT uprn, status, label FROM stage_label_before")
    read = staging.rows(session, "SELECT uprn, status, label FROM stage_label_after")
    return sorted(built), sorted(read)


@_SETTINGS
@given(records=strategies.search_gazetteers())
def test_labels_read_from_the_search_rows_are_the_labels_built_from_the_records(
    session_factory: db.SessionFactory, records: list[Any]
) -> None:
    with session_factory() as session:
        repository.save_records(session, records)
        session.flush()
        built, read = _labels_both_ways(session)
        assert read == built
        assert len(read) == len({r.uprn for r in records if isinstance(r, domain.Blpu)})
        session.rollback()


# With the SAO and PAO texts, past the 500 characters of a search row and of a change row.
LONG_LABEL_RECORDS: list[repository.Record] = [
    domain.StreetDescriptor(usrn=7, description=("LONG " * 50).strip(), town_name="NEWTOWN"),
    domain.Blpu(uprn=1, logical_status="1", postcode_locator="NT1 1AB"),
    domain.Lpi(
        uprn=1,
        lpi_key="L1",
        language="ENG",
        logical_status="1",
        usrn=7,
        pao_start_number=3,
        sao_text="FLAT " * 40,
        pao_text="HOUSE " * 40,
    ),
]


def test_a_label_longer_than_the_search_row_keeps_its_whole_text(
    session_factory: db.SessionFactory,
) -> None:
    records: list[repository.Record] = [
        *LONG_LABEL_RECORDS,
        domain.Blpu(uprn=2, logical_status="8"),
        domain.Lpi(
            uprn=2, lpi_key="L2", language="CYM", logical_status="8", usrn=7, pao_text="TY GWYN"
        ),
    ]
    with session_factory() as session:
        repository.save_records(session, records)
        session.flush()
        built, read = _labels_both_ways(session)
        assert read == built
        assert len(read[0][2]) > 500 and read[0][2].endswith(" LONG LONG, NEWTOWN, NT1 1AB")
        assert read[1][2].startswith("TY GWYN, ")  # no approved LPI: built from the records
        session.rollback()


def test_of_several_approved_english_lpis_the_open_one_then_the_lowest_key_labels(
    session_factory: db.SessionFactory,
) -> None:
    def lpi(uprn: int, key: str, number: int, **extra: Any) -> domain.Lpi:
        return domain.Lpi(uprn=uprn, lpi_key=key, language="ENG", logical_status="1", usrn=7,
                          pao_start_number=number, **extra)  # fmt: skip

    ended = {"end_date": dt.date(2020, 1, 1)}
    records: list[repository.Record] = [
        domain.StreetDescriptor(usrn=7, description="HIGH STREET", town_name="NEWTOWN"),
        domain.Blpu(uprn=3, logical_status="1"),
        lpi(3, "L3a", 1, **ended),
        lpi(3, "L3b", 2),
        domain.Blpu(uprn=4, logical_status="1"),
        lpi(4, "L4b", 4),
        lpi(4, "L4a", 5),
        lpi(4, "L4Z", 6),  # "Z" sorts before "a" in code-point order
    ]
    with session_factory() as session:
        repository.save_records(session, records)
        session.flush()
        built, read = _labels_both_ways(session)
        assert read == built
        assert [label for _uprn, _status, label in read] == [
            "2 HIGH STREET, NEWTOWN",
            "6 HIGH STREET, NEWTOWN",
        ]
        session.rollback()


def test_a_change_row_keeps_the_first_500_characters_of_a_longer_label(
    session_factory: db.SessionFactory,
) -> None:
    with session_factory() as session:
        connection = session.connection()
        connection.exec_driver_sql(changesql.DROP_TOUCHED)
        connection.exec_driver_sql(changesql.CREATE_TOUCHED[staging.engine_of(session)])
        history.capture_before(session)  # nothing yet: every label is new
        repository.save_records(session, LONG_LABEL_RECORDS)
        session.flush()
        connection.exec_driver_sql("INSERT INTO touched_uprn (uprn) VALUES (1)")
        history.after(session, run_id="run-1", now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        kind, label = session.execute(sa.text("SELECT kind, new_label FROM gazetteer_change")).one()
        assert kind == "created" and len(label) == 500
        assert label.startswith("FLAT FLAT") and "HOUSE HOUSE" in label
        session.rollback()
