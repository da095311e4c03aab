"""Exports of a seeded gazetteer: flat CSV (golden), GeoJSON and BS7666 XML, on both engines."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import orm

from core import db
from gazetteer import domain, repository
from loaders.exporters import service

BS = "{http://www.govtalk.gov.uk/people/bs7666}"
HIGH_STREET = 14200001


def _seed(session: orm.Session) -> None:
    repository.save_records(
        session,
        [
            domain.StreetDescriptor(
                usrn=HIGH_STREET,
                description="HIGH STREET",
                town_name="EXETER",
                administrative_area="DEVON",
            ),
            domain.Blpu(
                uprn=100040214130,
                logical_status="1",
                blpu_state="2",
                x_coordinate=291960.0,
                y_coordinate=92581.0,
                latitude=50.7227766,
                longitude=-3.5319511,
                rpc="1",
                local_custodian_code=1110,
                country="E",
                blpu_class="RD04",
                organisation="ACME & SONS LTD",
                last_update_date=dt.date(2024, 1, 10),
            ),
            domain.Lpi(
                uprn=100040214130,
                lpi_key="1110L000000001",
                language="ENG",
                logical_status="1",
                usrn=HIGH_STREET,
                sao_text="FLAT 2",
                pao_start_number=1,
                pao_start_suffix="A",
                postal_address="Y",
                postcode="EX1 1AE",
                post_town="EXETER",
                last_update_date=dt.date(2024, 1, 10),
            ),
            domain.Blpu(
                uprn=100040214131,
                logical_status="8",
                local_custodian_code=1110,
                end_date=dt.date(2020, 5, 1),
                last_update_date=dt.date(2020, 5, 1),
            ),
            domain.Lpi(
                uprn=100040214131,
                lpi_key="1110L000000002",
                language="ENG",
                logical_status="8",
                usrn=HIGH_STREET,
                pao_start_number=3,
                pao_start_suffix="DD",
                pao_text="THE OLD MILL",
                end_date=dt.date(2020, 5, 1),
                last_update_date=dt.date(2020, 5, 1),
            ),
        ],
    )
    session.commit()


@pytest.fixture
def seeded(session: orm.Session) -> orm.Session:
    _seed(session)
    return session


GOLDEN_CSV = (
    "UPRN,PARENT_UPRN,LOGICAL_STATUS,STATUS,BLPU_STATE,CLASSIFICATION_CODE,CLASSIFICATION,"
    "X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE,RPC,LOCAL_CUSTODIAN_CODE,COUNTRY,LPI_KEY,"
    "LANGUAGE,ORGANISATION,SAO_START_NUMBER,SAO_START_SUFFIX,SAO_END_NUMBER,SAO_END_SUFFIX,"
    "SAO_TEXT,PAO_START_NUMBER,PAO_START_SUFFIX,PAO_END_NUMBER,PAO_END_SUFFIX,PAO_TEXT,USRN,"
    "STREET_DESCRIPTION,LOCALITY,TOWN_NAME,ADMINISTRATIVE_AREA,POST_TOWN,POSTCODE,UDPRN,"
    "SINGLE_LINE_ADDRESS,POSTAL_SINGLE_LINE_ADDRESS,LAST_UPDATE_DATE\r\n"
    "100040214130,,1,approved,2,RD04,Terraced,291960.0,92581.0,50.7227766,-3.5319511,1,1110,E,"
    "1110L000000001,ENG,ACME & SONS LTD,,,,,FLAT 2,1,A,,,,14200001,HIGH STREET,,EXETER,DEVON,"
    'EXETER,EX1 1AE,,"ACME & SONS LTD, FLAT 2, 1A HIGH STREET, EXETER, EX1 1AE",,2024-01-10\r\n'
    "100040214131,,8,historical,,,,,,,,,1110,,1110L000000002,ENG,,,,,,,3,DD,,,THE OLD MILL,"
    '14200001,HIGH STREET,,EXETER,DEVON,EXETER,,,"THE OLD MILL, 3DD HIGH STREET, EXETER",,'
    "2020-05-01\r\n"
)


def test_csv_export_is_the_golden_flat_view(seeded: orm.Session, tmp_path: Path) -> None:
    output = tmp_path / "out" / "addresses.csv"
    report = service.export(session=seeded, export_format="csv", output=output)
    assert report.addresses == 2
    assert output.read_bytes().decode("utf-8") == GOLDEN_CSV
    assert not list(output.parent.glob(".*partial"))


def test_since_keeps_only_addresses_changed_on_or_after_the_date(
    seeded: orm.Session, tmp_path: Path
) -> None:
    output = tmp_path / "recent.csv"
    since = dt.date(2024, 1, 10)
    report = service.export(session=seeded, export_format="csv", output=output, since=since)
    assert report.addresses == 1
    assert output.read_text(encoding="utf-8").splitlines()[1].startswith("100040214130,")


def test_geojson_export_is_rfc7946_points_with_the_flat_properties(
    seeded: orm.Session, tmp_path: Path
) -> None:
    output = tmp_path / "addresses.geojson"
    service.export(session=seeded, export_format="geojson", output=output)
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document
    first, second = document["features"]
    assert first["id"] == 100040214130
    assert first["geometry"] == {"type": "Point", "coordinates": [-3.5319511, 50.7227766]}
    assert first["properties"]["single_line_address"] == (
        "ACME & SONS LTD, FLAT 2, 1A HIGH STREET, EXETER, EX1 1AE"
    )
    assert first["properties"]["x_coordinate"] == 291960.0
    assert second["geometry"] is None
    assert second["properties"]["status"] == "historical"


def test_bs7666_xml_is_well_formed_in_the_govtalk_namespace(
    seeded: orm.Session, tmp_path: Path
) -> None:
    output = tmp_path / "addresses.xml"
    report = service.export(session=seeded, export_format="bs7666-xml", output=output)
    root = ET.parse(output).getroot()
    addresses = root.findall(f"{BS}BS7666Address")
    assert len(addresses) == report.addresses == 2
    first = addresses[0]
    assert [child.tag.removeprefix(BS) for child in first] == [
        "SAON",
        "PAON",
        "StreetDescription",
        "UniqueStreetReferenceNumber",
        "Town",
        "AdministrativeArea",
        "PostTown",
        "PostCode",
        "UniquePropertyReferenceNumber",
    ]
    assert first.findtext(f"{BS}SAON/{BS}Description") == "FLAT 2"
    assert first.findtext(f"{BS}PAON/{BS}StartRange/{BS}Number") == "1"
    assert first.findtext(f"{BS}PAON/{BS}StartRange/{BS}Suffix") == "A"
    assert first.findtext(f"{BS}PostCode") == "EX1 1AE"
    assert first.findtext(f"{BS}UniquePropertyReferenceNumber") == "100040214130"
    welsh = addresses[1]
    assert welsh.find(f"{BS}PAON/{BS}StartRange/{BS}Suffix") is None
    assert welsh.findtext(f"{BS}PAON/{BS}StartRange/{BS}Number") == "3"
    assert report.warnings == 1


def test_an_unknown_format_is_refused(session_factory: db.SessionFactory, tmp_path: Path) -> None:
    with session_factory() as session, pytest.raises(service.UnknownExportFormat):
        service.export(session=session, export_format="kml", output=tmp_path / "x.kml")
    assert not (tmp_path / "x.kml").exists()
