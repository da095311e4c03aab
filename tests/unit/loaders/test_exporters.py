"""The pure exporters: the flat row, the GeoJSON feature and the BS7666 XML element."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer import domain
from gazetteer.repository import AddressFacts
from loaders.exporters import bs7666, flat, writers
from tests import strategies

BS = "{http://www.govtalk.gov.uk/people/bs7666}"
AON_ELEMENTS = {"StartRange", "EndRange", "Description"}
ADDRESS_ORDER = (
    "SAON",
    "PAON",
    "StreetDescription",
    "UniqueStreetReferenceNumber",
    "Locality",
    "Town",
    "AdministrativeArea",
    "PostTown",
    "PostCode",
    "UniquePropertyReferenceNumber",
)


def _facts(lpi: domain.Lpi, descriptor: domain.StreetDescriptor | None = None) -> AddressFacts:
    return AddressFacts(
        blpu=domain.Blpu(
            uprn=lpi.uprn, logical_status="1", x_coordinate=291960.0, y_coordinate=92581.0
        ),
        lpis=(lpi,),
        descriptors=(descriptor,) if descriptor else (),
        organisation=None,
        classification_code=None,
        cross_references=(),
        delivery_points=(),
        children=(),
    )


@st.composite
def labelled(draw: st.DrawFn) -> AddressFacts:
    lpi = draw(strategies.lpis())
    descriptor = draw(strategies.street_descriptors(usrn=lpi.usrn))
    return _facts(lpi, descriptor)


def _element(facts: AddressFacts) -> tuple[ET.Element, list[str]]:
    lines, problems = bs7666.address_element(facts)
    xml = f'<r xmlns:bs7666="{bs7666.NAMESPACE}">{"".join(lines)}</r>'
    (element,) = ET.fromstring(xml)
    return element, problems


@settings(max_examples=50, deadline=None)
@given(labelled())
def test_every_address_element_follows_the_schema_order_and_limits(facts: AddressFacts) -> None:
    element, problems = _element(facts)
    assert element.tag == f"{BS}BS7666Address"
    tags = [child.tag.removeprefix(BS) for child in element]
    assert tags == [t for t in ADDRESS_ORDER if t in tags]
    assert "PAON" in tags and tags[-1] == "UniquePropertyReferenceNumber"
    for aon in element.findall(f"{BS}SAON") + element.findall(f"{BS}PAON"):
        assert {c.tag.removeprefix(BS) for c in aon} <= AON_ELEMENTS
        for number in aon.iter(f"{BS}Number"):
            assert 1 <= int(number.text or "0") <= 9999
        for suffix in aon.iter(f"{BS}Suffix"):
            assert len(suffix.text or "") == 1
    two_letter = [
        s
        for s in (facts.lpis[0].pao_start_suffix, facts.lpis[0].sao_start_suffix)
        if s and len(s) > 1
    ]
    assert len(problems) >= len(two_letter)


@settings(max_examples=50, deadline=None)
@given(labelled())
def test_the_flat_row_has_every_column_and_the_project_single_line(facts: AddressFacts) -> None:
    row = flat.flat_row(facts)
    assert tuple(row) == flat.COLUMNS
    assert row["UPRN"] == facts.blpu.uprn
    assert row["SINGLE_LINE_ADDRESS"]
    assert row["LATITUDE"] is not None  # computed from the BNG point when not stored
    out = io.StringIO()
    assert writers.write_csv([row], out) == 1
    parsed = list(csv.reader(io.StringIO(out.getvalue())))
    assert parsed[0] == list(flat.COLUMNS)
    assert parsed[1][flat.COLUMNS.index("SINGLE_LINE_ADDRESS")] == row["SINGLE_LINE_ADDRESS"]


def test_text_is_escaped_and_over_long_text_is_cut_with_a_warning() -> None:
    lpi = domain.Lpi(
        uprn=1,
        lpi_key="1110L000000001",
        language="ENG",
        logical_status="1",
        usrn=2,
        pao_text="SMITH & SONS <WORKS>",
        pao_start_number=10_000,
    )
    descriptor = domain.StreetDescriptor(usrn=2, description="X" * 120)
    element, problems = _element(_facts(lpi, descriptor))
    assert element.findtext(f"{BS}PAON/{BS}Description") == "SMITH & SONS <WORKS>"
    assert element.find(f"{BS}PAON/{BS}StartRange") is None
    assert len(element.findtext(f"{BS}StreetDescription") or "") == 100
    assert len(problems) == 2


def test_a_feature_without_coordinates_has_null_geometry() -> None:
    row = dict.fromkeys(flat.COLUMNS)
    row["UPRN"] = 5
    feature = writers.feature(row)
    assert feature["geometry"] is None
    assert feature["properties"]["uprn"] == 5
    out = io.StringIO()
    writers.write_geojson([row, row], out, attribution="Contains OS data")
    assert '"attribution":"Contains OS data"' in out.getvalue()
    assert out.getvalue().count('"type":"Feature"') == 2
