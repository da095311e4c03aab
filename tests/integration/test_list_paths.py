"""Postcode and street lists and nearest read through prepared statements on the DB-API
connection; they give what the SQLAlchemy statements with dictionary rows gave, on both
engines, for any search rows and filters."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import orm

from gazetteer import domain, find, repository
from gazetteer import search_repository as repo
from gazetteer.search_tables import AddressSearch

POSTCODES = ("NT1 1AA", "NT1 1AB")
_small = st.none() | st.integers(min_value=1, max_value=3)
_text = st.none() | st.sampled_from(["A", "ROSE COTTAGE", "FLAT 1"])
_suffix = st.none() | st.sampled_from(["A", "B", "a"])
search_rows = st.fixed_dictionaries(
    {
        "uprn": st.integers(min_value=1, max_value=12),
        "source": st.sampled_from(["lpi", "dpa", "listed"]),
        "source_key": st.sampled_from(["K1", "K2", "k10", "2"]),
        "language": st.sampled_from(["ENG", "CYM"]),
        "label": st.sampled_from(["1 HIGH STREET", "FLAT 1, 2 HIGH STREET", "ROSE COTTAGE"]),
        "postcode": st.none() | st.sampled_from(POSTCODES),
        "usrn": st.sampled_from([7, 8]),
        "street_key": st.none() | st.sampled_from(["HIGH STREET", "PARK ROAD"]),
        "pao_number": _small,
        "pao_suffix": _suffix,
        "pao_text": _text,
        "sao_number": _small,
        "sao_suffix": _suffix,
        "sao_text": _text,
        "classification": st.none() | st.sampled_from(["RD04", "RD06", "CR01", "R_%"]),
        "blpu_status": st.none() | st.sampled_from(["1", "6", "8"]),
        "label_status": st.none() | st.sampled_from(["1", "3", "6", "8"]),
        "custodian": st.none() | st.sampled_from([1110, 1115]),
        "historical": st.booleans(),
    }
)
filter_sets = st.builds(
    repo.Filters,
    classification=st.none() | st.sampled_from(["RD*", "RD06", "CR", "R_%*"]),
    logical_status=st.none() | st.sampled_from(["1", "8"]),
    include_historical=st.booleans(),
    custodian=st.none() | st.sampled_from([1110, 1115]),
    language=st.none() | st.sampled_from(["eng", "CYM"]),
    datasets=st.lists(st.sampled_from(["lpi", "dpa", "listed"]), min_size=1, unique=True).map(
        tuple
    ),
)

# --- the earlier path: SQLAlchemy statements, dictionary rows --------------------------------

_PREFERENCE = {"lpi": 0, "dpa": 1, "listed": 2}


def _old_rows(session: orm.Session, where: Any, filters: repo.Filters) -> list[dict[str, Any]]:
    table = AddressSearch.__table__
    statement = sa.select(*(table.c[c] for c in repo.LIST_COLUMNS)).where(where)
    statement = repo.apply_filters(statement, filters)
    return [dict(row) for row in session.connection().execute(statement).mappings()]


def _old_list(rows: list[dict[str, Any]]) -> list[find.AddressSummary]:
    def preference(row: dict[str, Any]) -> tuple[int, int, str]:
        approved = 0 if row["label_status"] in {"1", None} else 1
        return (_PREFERENCE.get(row["source"], 9), approved, row["source_key"])

    def natural(row: dict[str, Any]) -> tuple[Any, ...]:
        return (
            row["street_key"] or "",
            row["pao_number"] if row["pao_number"] is not None else 1 << 40,
            row["pao_suffix"] or "",
            row["pao_text"] or "",
            row["sao_number"] if row["sao_number"] is not None else -1,
            row["sao_suffix"] or "",
            row["sao_text"] or "",
            row["uprn"],
        )

    best: dict[int, dict[str, Any]] = {}
    for row in rows:
        held = best.get(row["uprn"])
        if held is None or preference(row) < preference(held):
            best[row["uprn"]] = row
    return [
        find.AddressSummary(
            uprn=row["uprn"],
            label=row["label"],
            source=row["source"],
            postcode=row["postcode"],
            classification=row["classification"],
        )
        for row in sorted(best.values(), key=natural)
    ]


def _replace_rows(session: orm.Session, rows: list[dict[str, Any]]) -> None:
    session.execute(sa.delete(AddressSearch))
    if not repository.descriptors_of(session, [7, 8]):
        repository.save_records(
            session,
            [
                domain.StreetDescriptor(usrn=usrn, description=name, town_name="NEWTOWN")
                for usrn, name in ((7, "HIGH STREET"), (8, "PARK ROAD"))
            ],
        )
    session.add_all(
        AddressSearch(**row, search_text=row["label"], label_key=row["label"]) for row in rows
    )
    session.flush()


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(search_rows, max_size=25), filters=filter_sets)
def test_postcode_and_street_lists_equal_the_earlier_path(
    session: orm.Session, rows: list[dict[str, Any]], filters: repo.Filters
) -> None:
    _replace_rows(session, rows)
    table = AddressSearch.__table__
    for postcode in POSTCODES:
        expected = _old_list(_old_rows(session, table.c.postcode == postcode, filters))
        found = find.addresses_at_postcode(session=session, postcode=postcode, filters=filters)
        assert found == expected
    for usrn in (7, 8):
        expected = _old_list(_old_rows(session, table.c.usrn == usrn, filters))
        found_street = find.street(session=session, usrn=usrn, filters=filters)
        assert list(found_street.addresses) == expected
    uprns = list(range(1, 13))
    old = _old_rows(session, table.c.uprn.in_(uprns), filters)
    by_uprn = {s.uprn: s for s in _old_list(old)}
    assert {s.uprn: s for s in find.summaries_for(session, uprns, filters)} == by_uprn


def test_a_postcode_list_sees_rows_written_in_the_same_transaction(session: orm.Session) -> None:
    row = {
        "uprn": 5, "source": "lpi", "source_key": "K1", "language": "ENG", "label": "5 HIGH ST",
        "postcode": "NT1 1AA", "usrn": 7, "street_key": "HIGH STREET", "pao_number": 5,
    }  # fmt: skip
    assert find.addresses_at_postcode(session=session, postcode="NT1 1AA") == []
    _replace_rows(session, [row])
    found = find.addresses_at_postcode(session=session, postcode="nt11aa")
    assert [(a.uprn, a.label, a.source) for a in found] == [(5, "5 HIGH ST", "lpi")]
