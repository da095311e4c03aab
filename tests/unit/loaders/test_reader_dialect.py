"""The line-level tolerance of the readers (gazetteer-standards §5.1, §4.1 row 1): line endings,
blank filler rows, the DTF fallback encodings and a DTF header with more fields."""

from __future__ import annotations

import datetime as dt
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from loaders import layouts
from loaders.readers import csvdialect, supply

LEGACY = csvdialect.LEGACY_ENCODINGS
WELSH = "ŴŶŵŷâêîôûÂÊÎÔÛ"
ADDRESS_TEXT = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789,'-", max_size=30)


@settings(max_examples=200)
@given(st.lists(st.binary(max_size=12) | st.sampled_from([b"\r", b"\n", b"\r\n"]), max_size=12))
def test_splitting_at_a_lone_cr_keeps_every_byte_and_leaves_no_lone_cr_inside(
    parts: list[bytes],
) -> None:
    raw = b"".join(parts).split(b"\n")[0] + b"\n"
    pieces = csvdialect.split_lone_cr(raw)
    assert b"".join(pieces) == raw
    for piece in pieces:
        body = piece.removesuffix(b"\r\n").removesuffix(b"\n").removesuffix(b"\r")
        assert b"\r" not in body


def test_a_file_with_lone_cr_endings_reads_line_by_line() -> None:
    stream = csvdialect.CsvStream(io.BytesIO(b'10,"A"\r11,"B\rC"\r99,1'))
    assert list(stream.rows()) == [(1, ["10", "A"]), (3, ["11", "B\rC"]), (4, ["99", "1"])]


def test_filler_rows_are_blank_and_data_rows_are_not() -> None:
    assert csvdialect.is_blank([""])
    assert csvdialect.is_blank(["", "", "  "])
    assert csvdialect.is_blank(["\x1a"])
    assert csvdialect.is_blank([" \t "])
    assert not csvdialect.is_blank(["99", "", ""])
    assert not csvdialect.is_blank(["", "", "x"])


@settings(max_examples=100)
@given(ADDRESS_TEXT, st.text(alphabet=WELSH, min_size=1, max_size=5), ADDRESS_TEXT)
def test_a_welsh_line_in_iso_8859_14_reads_back(before: str, welsh: str, after: str) -> None:
    text = before + welsh + after
    raw = text.encode("iso-8859-14")
    if any(ch in welsh for ch in "ŴŶŵŷ"):
        assert csvdialect.legacy_encoding(raw, LEGACY) == "iso-8859-14"
    assert raw.decode(csvdialect.legacy_encoding(raw, LEGACY)) == text


@settings(max_examples=100)
@given(ADDRESS_TEXT, st.text(alphabet="’‘“”–é½£", min_size=1, max_size=5), ADDRESS_TEXT)
def test_a_windows_1252_line_reads_back(before: str, special: str, after: str) -> None:
    text = before + special + after
    raw = text.encode("cp1252")
    assert raw.decode(csvdialect.legacy_encoding(raw, LEGACY)) == text


def test_a_named_fallback_is_used_as_it_is() -> None:
    assert csvdialect.legacy_encoding(b"\xf0", "cp1252") == "cp1252"


def test_a_dtf_header_with_more_fields_still_names_the_supply() -> None:
    fields = ["10", "COUNCIL", "1110", "2024-01-08", "1", "2024-01-08", "120000", "7.3", "F", ""]
    header = supply.parse_header(fields, layouts.get("dtf", "7.3"))
    assert header is not None
    assert (header.process_date, header.file_type) == (dt.date(2024, 1, 8), "F")
    # ABP allows no extra field: the row is left to the reader, which refuses it.
    abp_fields = [*fields[:7], "2.1", "F", ""]
    assert supply.parse_header(abp_fields, layouts.get("abp", "2")) is None


def test_files_beside_a_supply_are_told_apart_from_supply_files() -> None:
    def source(data: bytes) -> csvdialect.Source:
        return csvdialect.Source(name="x", base_name="x", directory="", path="",
                                 opener=lambda: _opened(data), contained=True)  # fmt: skip

    assert csvdialect.looks_like_supply(source(b"\xef\xbb\xbf10,GeoPlace,9999\r\n"))
    assert csvdialect.sniff(source(b"\r\n\r\nRECORD_IDENTIFIER,CHANGE_TYPE\n21,I\n")) == "supply"
    assert csvdialect.sniff(source(b"RECORD_IDENTIFIER,CHANGE_TYPE\r\n\r\n")) == "names only"
    assert csvdialect.looks_like_supply(source("21,I,1\r\n".encode("utf-16")))
    assert csvdialect.looks_like_supply(source(b""))
    assert not csvdialect.looks_like_supply(source(b"Supply notes.\r\n10,x\r\n"))
    assert not csvdialect.looks_like_supply(source(b"%PDF-1.4\n"))
    assert not csvdialect.looks_like_supply(source(b"\x00\x05\x16\x07\x00\x02Mac OS X"))


def _opened(data: bytes) -> io.BufferedReader:
    return io.BufferedReader(io.BytesIO(data))


def test_a_dtf_header_version_may_name_the_format() -> None:
    """The DTF header's version field format is unverified (§9 point 6): "7.3", "7.3.1.2" and
    "DTF 7.3" are 7.3; other versions are not."""
    layout = layouts.get("dtf", "7.3")
    for version in ("7.3", "7.3.1.2", "DTF 7.3", "dtf7.3"):
        assert layout.accepts_version(version), version
    for version in ("8.1", "7.30", "DTF 8.1.2.10", "2.1"):
        assert not layout.accepts_version(version), version
