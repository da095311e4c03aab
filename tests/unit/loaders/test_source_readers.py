"""The Code-Point, Open UPRN and council-list readers: typed rows and precise findings."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer import postcode as postcodes
from loaders.readers import codepoint, listed, open_uprn, sources

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "codepoint-open-ex"
EX_CSV = SHARED / "ex.csv"


def _stream(text: str, *, bom: bool = False) -> io.BytesIO:
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def _split(items: list[object]) -> tuple[list[object], list[sources.Finding]]:
    findings = [i for i in items if isinstance(i, sources.Finding)]
    return [i for i in items if not isinstance(i, sources.Finding)], findings


# --- Code-Point Open ---------------------------------------------------------------------------


def test_the_real_exeter_file_parses_fully_inside_england_and_wales() -> None:
    with EX_CSV.open("rb") as stream:
        records, findings = _split(list(codepoint.read(stream, file="ex.csv")))
    assert findings == []
    assert len(records) == 21_704
    codes = [r.postcode for r in records if isinstance(r, codepoint.PostcodeRecord)]
    assert len(set(codes)) == 21_704
    assert all(postcodes.POSTCODE_PATTERN.match(c) for c in codes)
    for record in records:
        assert isinstance(record, codepoint.PostcodeRecord)
        assert record.easting is not None and record.northing is not None
        assert 80_000 <= record.easting <= 656_100
        assert 5_000 <= record.northing <= 657_700
    qualities = {r.positional_quality for r in records if isinstance(r, codepoint.PostcodeRecord)}
    assert qualities == {10, 30, 50}


def test_fixed_width_forms_normalise_and_zero_points_mean_no_coordinates() -> None:
    text = (
        '"EX100AA",10,300000,90000,"E92000001","E19000002","E18000010","","E07000041","E05003502"\r\n'
        '"B1  1AA",90,0,0,"E92000001","E19000001","E18000001","","E08000025","E05001234"\r\n'
        '"EX1 1AE",10,0,0,"E92000001","","","","",""'
    )
    records, findings = _split(list(codepoint.read(_stream(text), file="ex.csv")))
    assert findings == []
    first, second, third = records
    assert isinstance(first, codepoint.PostcodeRecord)
    assert (first.postcode, first.easting, first.northing) == ("EX10 0AA", 300000, 90000)
    assert first.admin_county_code is None
    assert isinstance(second, codepoint.PostcodeRecord)
    assert (second.postcode, second.easting, second.northing) == ("B1 1AA", None, None)
    assert isinstance(third, codepoint.PostcodeRecord)
    assert third.easting is None and third.nhs_ha_code is None


def test_bad_code_point_rows_name_line_field_and_rule() -> None:
    text = (
        '"EX1 1AE",10,291960,92581,"E92000001","","","E10000008","E07000041","E05003502"\r\n'
        '"EX1 1AF",10,291960\r\n'
        '"NOT A PC",10,1,2,"","","","","",""\r\n'
        '"EX1 1AJ",10,29x960,92581,"","","","","",""\r\n'
    )
    _, findings = _split(list(codepoint.read(_stream(text), file="ex.csv")))
    assert [(f.line, f.code, f.field) for f in findings] == [
        (2, "FILE-FIELD-COUNT", None),
        (3, "CP-POSTCODE", "PC"),
        (4, "FILE-NUMBER", "EA"),
    ]
    assert all(f.file == "ex.csv" and f.is_error for f in findings)
    assert findings[2].key == "EX1 1AJ"


def test_zip_members_are_read_in_order_and_documents_skipped(tmp_path: Path) -> None:
    archive = tmp_path / "codepo_gb.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Data/CSV/tq.csv", "x")
        zf.writestr("Data/CSV/ex.csv", "y")
        zf.writestr("Doc/Code-Point_Open_Column_Headers.csv", "PC,PQ")
    found = [m for m in sources.members(archive) if codepoint.is_area_file(m.name or "")]
    assert [m.name for m in found] == ["Data/CSV/ex.csv", "Data/CSV/tq.csv"]
    with sources.open_member(found[0]) as stream:
        assert stream.read() == b"y"


# --- OS Open UPRN ------------------------------------------------------------------------------


def test_open_uprn_reads_through_the_bom() -> None:
    text = (
        "UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE\r\n"
        "100040214130,291960.00,92581.00,50.7236,-3.5275\r\n"
    )
    records, findings = _split(list(open_uprn.read(_stream(text, bom=True), file="o.csv")))
    assert findings == []
    assert records == [
        open_uprn.OpenUprnRecord(
            line=2,
            uprn=100040214130,
            x_coordinate=291960.0,
            y_coordinate=92581.0,
            latitude=50.7236,
            longitude=-3.5275,
        )
    ]


def test_open_uprn_refuses_a_foreign_header_and_names_bad_fields() -> None:
    _, header = _split(list(open_uprn.read(_stream("UPRN,X,Y\n1,2,3\n"), file="o.csv")))
    assert [(f.line, f.code) for f in header] == [(1, "FILE-HEADER")]
    text = "UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE\n0,1,2,3,4\n5,1,two,3,4\n6,1\n"
    _, findings = _split(list(open_uprn.read(_stream(text), file="o.csv")))
    assert [(f.line, f.code, f.field) for f in findings] == [
        (2, "FILE-UPRN", "UPRN"),
        (3, "FILE-NUMBER", "Y_COORDINATE"),
        (4, "FILE-FIELD-COUNT", None),
    ]


# --- council lists -----------------------------------------------------------------------------

LIST_COLUMNS = listed.ListedColumns(
    uprn="Property UPRN", address="Address", postcode="Post Code", x="Easting", y="Northing"
)


def test_a_council_list_is_read_by_header_names_case_insensitively() -> None:
    text = (
        "property uprn,ADDRESS,post code,easting,northing,other\n"
        '100040214130,"1  High Street, Exeter",ex11ae,291960,92581,x\n'
        "200001,Flat 2 The Mews,,,,\n"
    )
    records, findings = _split(
        list(listed.read(_stream(text, bom=True), file="ctax.csv", columns=LIST_COLUMNS))
    )
    assert findings == []
    first, second = records
    assert isinstance(first, listed.ListedRecord) and isinstance(second, listed.ListedRecord)
    assert (first.uprn, first.address, first.postcode) == (
        100040214130,
        "1 High Street, Exeter",
        "EX1 1AE",
    )
    assert (first.x_coordinate, first.y_coordinate, first.latitude) == (291960.0, 92581.0, None)
    assert (second.line, second.postcode, second.x_coordinate) == (3, None, None)


def test_council_list_findings_name_file_line_column_and_rule() -> None:
    text = (
        "Property UPRN,Address,Post Code,Easting,Northing\n"
        "abc,1 High Street,EX1 1AE,1,1\n"
        "1,,EX1 1AE,1,1\n"
        "2,2 High Street,EX1 1CI,1,1\n"
        "3,3 High Street,EX1 1AE,east,1\n"
        "4,4 High Street,EX1 1AE,1,\n"
        "5,5 High Street,EX1 1AE,1,2000000\n"
    )
    _, findings = _split(list(listed.read(_stream(text), file="ctax.csv", columns=LIST_COLUMNS)))
    assert [(f.file, f.line, f.field, f.code) for f in findings] == [
        ("ctax.csv", 2, "Property UPRN", "LIST-UPRN"),
        ("ctax.csv", 3, "Address", "LIST-ADDRESS"),
        ("ctax.csv", 4, "Post Code", "LIST-POSTCODE"),
        ("ctax.csv", 5, "Easting", "LIST-COORDINATE"),
        ("ctax.csv", 6, "Easting", "LIST-COORDINATE"),
        ("ctax.csv", 7, "Northing", "LIST-COORDINATE"),
    ]


def test_missing_columns_refuse_the_list_naming_what_is_there() -> None:
    columns = listed.ListedColumns(uprn="UPRN", address="Addr", latitude="lat", longitude="lon")
    _, findings = _split(
        list(listed.read(_stream("UPRN,Address\n1,x\n"), file="l.csv", columns=columns))
    )
    assert [(f.line, f.field, f.code) for f in findings] == [
        (1, "Addr", "LIST-COLUMN-MISSING"),
        (1, "lat", "LIST-COLUMN-MISSING"),
        (1, "lon", "LIST-COLUMN-MISSING"),
    ]
    assert "'UPRN'" in findings[0].message


def test_column_choices_are_checked_before_reading() -> None:
    both = listed.ListedColumns(uprn="u", address="a", x="x", y="y", latitude="la", longitude="lo")
    assert both.problems() == ["give X/Y columns or latitude/longitude columns, not both"]
    half = listed.ListedColumns(uprn="u", address="a", x="x")
    assert half.problems() == ["give both --x-column and --y-column, or neither"]


def test_latitude_longitude_lists_keep_degrees() -> None:
    columns = listed.ListedColumns(uprn="u", address="a", latitude="lat", longitude="lon")
    text = "u,a,lat,lon\n7,Somewhere,50.72,-3.53\n"
    records, _ = _split(list(listed.read(_stream(text), file="l.csv", columns=columns)))
    (record,) = records
    assert isinstance(record, listed.ListedRecord)
    assert (record.latitude, record.longitude, record.x_coordinate) == (50.72, -3.53, None)


@settings(max_examples=100)
@given(st.lists(st.integers(min_value=1, max_value=999_999_999_999), min_size=1, max_size=20))
def test_every_valid_uprn_survives_the_list_reader(uprns: list[int]) -> None:
    columns = listed.ListedColumns(uprn="UPRN", address="ADDRESS")
    text = "UPRN,ADDRESS\n" + "".join(f"{u:012d},Address {u}\n" for u in uprns)
    records, findings = _split(list(listed.read(_stream(text), file="l.csv", columns=columns)))
    assert findings == []
    assert [r.uprn for r in records if isinstance(r, listed.ListedRecord)] == uprns


@pytest.mark.parametrize("raw", ["1e400", "nan", "inf"])
def test_non_finite_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        sources.parse_float(raw)


def test_text_that_is_not_utf8_is_a_finding_with_its_line() -> None:
    columns = listed.ListedColumns(uprn="u", address="a")
    stream = io.BytesIO(b"u,a\n1,Caf\xe9 Row\n")
    _, findings = _split(list(listed.read(stream, file="l.csv", columns=columns)))
    assert [(f.code, f.line) for f in findings] == [("FILE-ENCODING", 2)]
