"""Saving BS7666 records and looking one address up, on both engines."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from sqlalchemy import orm

from core.settings import Settings
from gazetteer import domain, repository, service, tables
from gazetteer.errors import AddressNotFound
from tests import strategies

MILL_LANE = 14200001
PARENT, FLAT, OLD_FLAT, OFFICE = 100000000001, 100000000002, 100000000003, 10001234567
DATES: strategies.OpenRecordDates = {
    "start_date": dt.date(2020, 1, 1),
    "last_update_date": dt.date(2020, 1, 1),
    "entry_date": dt.date(2020, 1, 1),
}
# (292000, 92500) in EPSG:27700 is central Exeter: the expected WGS84 point, both engines.
EXETER_LATITUDE, EXETER_LONGITUDE = 50.7220559, -3.5313609
DEGREE_TOLERANCE = 1e-5

STREET_NAMES = [
    domain.StreetDescriptor(
        usrn=MILL_LANE, description="MILL LANE", town_name="NEWTOWN",
        administrative_area="NEWSHIRE", language="ENG",
    ),
    domain.StreetDescriptor(
        usrn=MILL_LANE, description="HEOL Y FELIN", town_name="Y DREFNEWYDD",
        administrative_area="SIR NEWYDD", language="CYM",
    ),
]  # fmt: skip
STREET: list[repository.Record] = [
    domain.Street(usrn=MILL_LANE, record_type="1", state="2", **DATES),
    *STREET_NAMES,
]


def _lpi(uprn: int, key: str, language: str = "ENG", **extra: Any) -> domain.Lpi:
    fields: dict[str, Any] = {
        "pao_text": "RIVER LOFTS",
        "pao_start_number": 12,
        "pao_end_number": 16,
        "logical_status": "1",
    }
    merged: dict[str, Any] = {**fields, **DATES, **extra}
    return domain.Lpi(uprn=uprn, lpi_key=key, language=language, usrn=MILL_LANE, **merged)


def _blpu(uprn: int, **extra: Any) -> domain.Blpu:
    fields: dict[str, Any] = {
        "logical_status": "1",
        "x_coordinate": 292000.0,
        "y_coordinate": 92500.0,
        "postcode_locator": "NT1 1AA",
        "rpc": "1",
        "local_custodian_code": 1110,
        "country": "E",
        "blpu_state": "2",
    }
    merged: dict[str, Any] = {**fields, **DATES, **extra}
    return domain.Blpu(uprn=uprn, **merged)


PARENT_RECORDS: list[repository.Record] = [
    _blpu(PARENT, latitude=50.5, longitude=-3.5, multi_occ_count=2),
    _lpi(PARENT, "1110L000000001"),
    domain.Organisation(
        uprn=PARENT, org_key="1110O000000002", organisation="RIVER LOFTS MANAGEMENT LTD", **DATES
    ),
    domain.Organisation(  # closed, and with a lower key: must not be chosen
        uprn=PARENT, org_key="1110O000000001", organisation="OLD MANAGERS LTD",
        end_date=dt.date(2021, 1, 1), **DATES,
    ),
    domain.Classification(
        uprn=PARENT, class_key="1110C000000001", classification_code="PP", **DATES
    ),
]  # fmt: skip

FLAT_RECORDS: list[repository.Record] = [
    _blpu(FLAT, parent_uprn=PARENT),
    _lpi(FLAT, "1110L000000002", sao_start_number=10),
    _lpi(FLAT, "1110L000000003", language="CYM", sao_start_number=10),
    _lpi(
        FLAT, "1110L000000004", sao_start_number=10, pao_text="THE MALTINGS",
        logical_status="8", end_date=dt.date(2019, 12, 31),
    ),
    domain.Classification(
        uprn=FLAT, class_key="1110C000000002", classification_code="RD06", **DATES
    ),
    domain.CrossReference(
        uprn=FLAT, xref_key="1110X000000001", cross_reference="CT00012345", source="7666VC",
        **DATES,
    ),
    domain.CrossReference(
        uprn=FLAT, xref_key="1110X000000002", cross_reference="CT00099999", source="7666VC",
        end_date=dt.date(2021, 5, 1), **DATES,
    ),
    domain.DeliveryPoint(
        udprn=23747771, uprn=FLAT, sub_building_name="10", building_name="RIVER LOFTS  12-16",
        thoroughfare="MILL LANE", welsh_thoroughfare="HEOL Y FELIN", post_town="NEWTOWN",
        welsh_post_town="Y DREFNEWYDD", postcode="NT1 1AA", postcode_type="S",
        delivery_point_suffix="1A", **DATES,
    ),
    _blpu(OLD_FLAT, parent_uprn=PARENT, logical_status="8", end_date=dt.date(2019, 12, 31)),
]  # fmt: skip

# An LLPG DTF 7.3 BLPU: class and organisation on the BLPU, postcode and post town on the LPI.
DTF_RECORDS: list[repository.Record] = [
    _blpu(OFFICE, postcode_locator=None, blpu_class="CO01", organisation="NEWTOWN COUNCIL"),
    _lpi(
        OFFICE, "1110L000000005", pao_text="CIVIC CENTRE", pao_start_number=None,
        pao_end_number=None, postal_address="Y", postcode="NT1 2BB", post_town="NEWTOWN",
    ),
]  # fmt: skip


@pytest.fixture
def seeded(session: orm.Session) -> orm.Session:
    records = [*DTF_RECORDS, *FLAT_RECORDS, *PARENT_RECORDS, *STREET]  # any order will do
    repository.save_records(session, records, load_run_id="0190f3e2-0000-7000-8000-0000000000aa")
    session.commit()
    return session


def test_a_flat_with_its_parent_welsh_lpi_and_delivery_point(seeded: orm.Session) -> None:
    address = service.get_address(session=seeded, uprn=FLAT, settings=Settings())

    assert address.labels.lines == ("10 RIVER LOFTS", "12-16 MILL LANE", "NEWTOWN", "NT1 1AA")
    assert address.labels.single_line == "10 RIVER LOFTS, 12-16 MILL LANE, NEWTOWN, NT1 1AA"
    assert address.labels.postal_lines == (
        "10 RIVER LOFTS 12-16",
        "MILL LANE",
        "NEWTOWN",
        "NT1 1AA",
    )
    assert address.labels.postal_single_line == "10 RIVER LOFTS 12-16, MILL LANE, NEWTOWN, NT1 1AA"
    assert (address.status.code, address.status.name) == ("1", "approved")
    assert address.state is not None and address.state.name == "in use"
    assert (address.parent_uprn, address.children) == (PARENT, ())
    assert address.postcode == "NT1 1AA"
    assert address.classification is not None
    assert address.classification.code == "RD06"
    assert address.classification.description == (
        "Self Contained Flat (Includes Maisonette / Apartment)"
    )
    assert address.organisation is None
    assert address.street is not None
    assert (address.street.usrn, address.street.description, address.street.town) == (
        MILL_LANE, "MILL LANE", "NEWTOWN",
    )  # fmt: skip
    assert [(x.source, x.cross_reference) for x in address.cross_references] == [
        ("7666VC", "CT00012345")
    ]
    assert address.delivery_point is not None
    assert (address.delivery_point.udprn, address.delivery_point.delivery_point_suffix) == (
        23747771, "1A",
    )  # fmt: skip


def test_every_lpi_is_listed_with_its_own_label(seeded: orm.Session) -> None:
    address = service.get_address(session=seeded, uprn=FLAT, settings=Settings())
    summaries = {lpi.lpi_key: lpi for lpi in address.lpis}
    assert summaries.keys() == {"1110L000000002", "1110L000000003", "1110L000000004"}
    welsh = summaries["1110L000000003"]
    assert (welsh.language, welsh.status.name) == ("CYM", "approved")
    assert welsh.single_line == "10 RIVER LOFTS, 12-16 HEOL Y FELIN, Y DREFNEWYDD, NT1 1AA"
    historical = summaries["1110L000000004"]
    assert (historical.status.name, historical.is_closed) == ("historical", True)
    assert historical.single_line == "10 THE MALTINGS, 12-16 MILL LANE, NEWTOWN, NT1 1AA"


def test_welsh_labels_use_the_welsh_lpi_street_and_paf_fields(seeded: orm.Session) -> None:
    address = service.get_address(session=seeded, uprn=FLAT, settings=Settings(), language="CYM")
    assert address.labels.single_line == (
        "10 RIVER LOFTS, 12-16 HEOL Y FELIN, Y DREFNEWYDD, NT1 1AA"
    )
    assert address.labels.postal_lines == (
        "10 RIVER LOFTS 12-16", "HEOL Y FELIN", "Y DREFNEWYDD", "NT1 1AA",
    )  # fmt: skip
    assert address.street is not None and address.street.language == "CYM"


def test_coordinates_are_transformed_by_the_database(seeded: orm.Session) -> None:
    coordinates = service.get_address(session=seeded, uprn=FLAT, settings=Settings()).coordinates
    assert (coordinates.x, coordinates.y) == (292000.0, 92500.0)
    assert coordinates.latitude == pytest.approx(EXETER_LATITUDE, abs=DEGREE_TOLERANCE)
    assert coordinates.longitude == pytest.approx(EXETER_LONGITUDE, abs=DEGREE_TOLERANCE)


def test_supplied_latitude_and_longitude_are_kept(seeded: orm.Session) -> None:
    coordinates = service.get_address(session=seeded, uprn=PARENT, settings=Settings()).coordinates
    assert (coordinates.latitude, coordinates.longitude) == (50.5, -3.5)


def test_the_geometry_is_a_bng_point_at_the_eastings_and_northings(seeded: orm.Session) -> None:
    b = tables.Blpu
    x, y, srid = seeded.execute(
        sa.select(sa.func.ST_X(b.geom), sa.func.ST_Y(b.geom), sa.func.ST_SRID(b.geom)).where(
            b.uprn == FLAT
        )
    ).one()
    assert (x, y, srid) == (292000.0, 92500.0, 27700)


def test_the_parent_lists_children_organisation_and_administrative_area(
    seeded: orm.Session,
) -> None:
    address = service.get_address(
        session=seeded, uprn=PARENT, settings=Settings(label_administrative_area=True)
    )
    assert address.children == (FLAT, OLD_FLAT)
    assert address.organisation == "RIVER LOFTS MANAGEMENT LTD"
    assert address.labels.single_line == (
        "RIVER LOFTS MANAGEMENT LTD, RIVER LOFTS, 12-16 MILL LANE, NEWTOWN, NEWSHIRE, NT1 1AA"
    )
    assert address.classification is not None
    assert address.classification.description == "Property Shell"
    assert address.delivery_point is None and address.labels.postal_lines == ()


def test_a_dtf_blpu_keeps_class_and_organisation_and_the_lpi_postcode(
    seeded: orm.Session,
) -> None:
    address = service.get_address(session=seeded, uprn=OFFICE, settings=Settings())
    assert (
        address.labels.single_line == "NEWTOWN COUNCIL, CIVIC CENTRE, MILL LANE, NEWTOWN, NT1 2BB"
    )
    assert address.postcode == "NT1 2BB"
    assert address.classification is not None
    assert (address.classification.code, address.classification.description) == (
        "CO01", "Office / Work Studio",
    )  # fmt: skip


def test_a_retired_address_is_still_named(seeded: orm.Session) -> None:
    old_name = _lpi(
        OLD_FLAT, "1110L000000009", logical_status="8", sao_text="FLAT A",
        end_date=dt.date(2019, 12, 31),
    )  # fmt: skip
    repository.save_records(seeded, [old_name])
    address = service.get_address(session=seeded, uprn=OLD_FLAT, settings=Settings())
    assert address.status.name == "historical"
    assert address.labels.single_line == "FLAT A, RIVER LOFTS, 12-16 MILL LANE, NEWTOWN, NT1 1AA"


def test_saving_again_replaces_by_key_and_records_the_load_run(seeded: orm.Session) -> None:
    retired = _blpu(FLAT, parent_uprn=PARENT, logical_status="8", end_date=dt.date(2024, 3, 1))
    flat_lpi = FLAT_RECORDS[1]
    assert isinstance(flat_lpi, domain.Lpi)
    renamed = dataclasses.replace(flat_lpi, pao_text="THE OLD MILL")
    no_org = _blpu(OFFICE, postcode_locator=None, blpu_class="CO01")
    repository.save_records(seeded, [retired, renamed, no_org], load_run_id="run-2")
    seeded.commit()

    rows = seeded.execute(sa.select(tables.Blpu.logical_status, tables.Blpu.load_run_id).where(
        tables.Blpu.uprn == FLAT)).all()  # fmt: skip
    assert [tuple(row) for row in rows] == [("8", "run-2")]
    address = service.get_address(session=seeded, uprn=FLAT, settings=Settings())
    assert address.labels.lines[:2] == ("10 THE OLD MILL", "12-16 MILL LANE")
    assert (
        service.get_address(session=seeded, uprn=OFFICE, settings=Settings()).organisation is None
    )
    dtf_classes = seeded.scalar(
        sa.select(sa.func.count()).where(tables.Classification.uprn == OFFICE)
    )
    assert dtf_classes == 1


def test_the_last_of_repeated_keys_wins(session: orm.Session) -> None:
    first, second = _blpu(FLAT, rpc="1"), _blpu(FLAT, rpc="2")
    repository.save_records(session, [first, second])
    assert session.scalar(sa.select(tables.Blpu.rpc).where(tables.Blpu.uprn == FLAT)) == "2"


def test_an_unknown_uprn_is_not_found(session: orm.Session) -> None:
    with pytest.raises(AddressNotFound) as raised:
        service.get_address(session=session, uprn=999, settings=Settings())
    assert raised.value.details == {"uprn": 999}


def test_records_read_back_as_saved(seeded: orm.Session) -> None:
    facts = repository.address_facts(seeded, FLAT)
    assert facts is not None
    assert list(facts.lpis) == [r for r in FLAT_RECORDS if isinstance(r, domain.Lpi)]
    assert list(facts.delivery_points) == [FLAT_RECORDS[-2]]
    assert list(facts.descriptors) == sorted(STREET_NAMES, key=lambda d: d.language)
    flat_blpu = FLAT_RECORDS[0]
    assert isinstance(flat_blpu, domain.Blpu)
    assert facts.blpu == dataclasses.replace(
        flat_blpu, latitude=facts.blpu.latitude, longitude=facts.blpu.longitude
    )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(point=st.sampled_from(["E", "W", "S"]).flatmap(strategies.gb_points))
def test_latitude_and_longitude_agree_with_proj(
    session: orm.Session, point: tuple[float, float]
) -> None:
    x, y = point
    repository.save_records(session, [_blpu(FLAT, x_coordinate=x, y_coordinate=y)])
    latitude, longitude = session.execute(
        sa.select(tables.Blpu.latitude, tables.Blpu.longitude).where(tables.Blpu.uprn == FLAT)
    ).one()
    expected_longitude, expected_latitude = Transformer.from_crs(
        27700, 4326, always_xy=True
    ).transform(x, y)
    assert latitude == pytest.approx(expected_latitude, abs=DEGREE_TOLERANCE)
    assert longitude == pytest.approx(expected_longitude, abs=DEGREE_TOLERANCE)
    session.rollback()
