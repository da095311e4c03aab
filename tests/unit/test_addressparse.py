"""The UK address parser: canonical words, SAO/PAO roles, ranges, suffixes and postcodes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer import addressparse
from tests import matching_strategies as ms


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10 High St", "10 HIGH STREET"),
        ("St Mary's Rd", "SAINT MARYS ROAD"),
        ("10 St. Mary's Rd, St Albans", "10 SAINT MARYS ROAD SAINT ALBANS"),
        (
            "Rose Cottage, 3 Acacia Ave, Newtown ex11ae",
            "ROSE COTTAGE 3 ACACIA AVENUE NEWTOWN EX1 1AE",
        ),
        ("Flt 2, 10a Church Cl", "FLAT 2 10A CHURCH CLOSE"),
        ("gff 7 park rd", "GROUND FLOOR FLAT 7 PARK ROAD"),
        ("1st floor flat, 9 mill ln", "FIRST FLOOR FLAT 9 MILL LANE"),
        ("3 - 5 Market Pl", "3-5 MARKET PLACE"),
        ("No. 10 Downing St London SW1A 2AA", "10 DOWNING STREET LONDON SW1A 2AA"),
        ("10 A High St", "10A HIGH STREET"),
        ("Stoke-on-Trent", "STOKE ON TRENT"),
    ],
)
def test_normalise_text_gives_canonical_words(raw: str, expected: str) -> None:
    assert addressparse.normalise_text(raw) == expected


def test_flat_then_number_then_street() -> None:
    parsed = addressparse.parse("flat 2, 10a high st, newtown ex11ae")
    assert (parsed.sao_number, parsed.sao_kind, parsed.sao_from_keyword) == (2, "FLAT", True)
    assert (parsed.pao_number, parsed.pao_suffix) == (10, "A")
    assert parsed.street == "HIGH STREET"
    assert parsed.rest == ("NEWTOWN",)
    assert (parsed.postcode, parsed.postcode_outward, parsed.postcode_sector) == (
        "EX1 1AE",
        "EX1",
        "EX1 1",
    )


def test_flat_without_comma_and_flat_written_last() -> None:
    for raw in ("FLAT 2 10 HIGH ST", "10 high st flat 2", "Apartment 2, 10 High Street"):
        parsed = addressparse.parse(raw)
        assert (parsed.sao_number, parsed.pao_number, parsed.street) == (2, 10, "HIGH STREET")


def test_slash_forms_read_number_then_flat_and_are_flagged() -> None:
    parsed = addressparse.parse("10/2 High Street, Edinburgh")
    assert (parsed.pao_number, parsed.sao_number, parsed.slash_form) == (10, 2, True)
    other = addressparse.parse("2/10 high st")
    assert (other.pao_number, other.sao_number, other.slash_form) == (2, 10, True)


def test_glasgow_flat_position_stays_sao_text_beside_a_number() -> None:
    parsed = addressparse.parse("2/1, 10 HIGH ST")
    assert (parsed.sao_text, parsed.pao_number, parsed.slash_form) == ("2/1", 10, False)


def test_two_bare_numbers_are_sao_then_pao() -> None:
    parsed = addressparse.parse("2, 10 High Street")
    assert (parsed.sao_number, parsed.pao_number, parsed.sao_from_keyword) == (2, 10, False)


def test_ranges_and_suffixes() -> None:
    parsed = addressparse.parse("3A - 5B Church Rd Newtown")
    assert (parsed.pao_number, parsed.pao_suffix) == (3, "A")
    assert (parsed.pao_end_number, parsed.pao_end_suffix) == (5, "B")
    assert parsed.street == "CHURCH ROAD"


def test_building_names_versus_numbers() -> None:
    named = addressparse.parse("Rose Cottage, High Street, Newtown, NT1 1AA")
    assert (named.pao_number, named.pao_text, named.street) == (None, "ROSE COTTAGE", "HIGH STREET")
    run_on = addressparse.parse("Rose Cottage High Street Newtown")
    assert (run_on.pao_text, run_on.street, run_on.rest) == (
        "ROSE COTTAGE",
        "HIGH STREET",
        ("NEWTOWN",),
    )
    numbered = addressparse.parse("1A ROSE COURT, 11A MAIN STREET, NEWTOWN")
    assert (numbered.sao_number, numbered.sao_suffix) == (1, "A")
    assert (numbered.pao_text, numbered.pao_number, numbered.street) == (
        "ROSE COURT",
        11,
        "MAIN STREET",
    )
    sao_only = addressparse.parse("1A ROSE COURT, MAIN STREET, NEWTOWN")
    assert (sao_only.sao_number, sao_only.pao_number, sao_only.pao_text) == (1, None, "ROSE COURT")


def test_a_building_word_before_a_street_type_starts_the_street() -> None:
    street = addressparse.parse("Church Road Fairham")
    assert (street.pao_text, street.street, street.rest) == (None, "CHURCH ROAD", ("FAIRHAM",))
    named = addressparse.parse("The Old Mill Church Lane Ashford")
    assert (named.pao_text, named.street, named.rest) == (
        "THE OLD MILL",
        "CHURCH LANE",
        ("ASHFORD",),
    )


def test_floor_phrases_are_sao_text() -> None:
    parsed = addressparse.parse("GROUND FLOOR FLAT, 7 PARK ROAD")
    assert (parsed.sao_text, parsed.sao_kind, parsed.pao_number) == ("GROUND FLOOR", "FLAT", 7)
    annexe = addressparse.parse("The Annexe, 11A Main Street")
    assert (annexe.sao_text, annexe.pao_number, annexe.pao_text) == ("THE ANNEXE", 11, None)


def test_unit_is_a_different_kind_from_flat() -> None:
    assert addressparse.parse("Unit 3, 4 Brunel Close").sao_kind == "UNIT"
    assert addressparse.parse("Apartment 3, 4 Brunel Close").sao_kind == "FLAT"


@pytest.mark.parametrize(
    ("raw", "full", "outward", "sector"),
    [
        ("10 High St EX1 1AE", "EX1 1AE", "EX1", "EX1 1"),
        ("10 High St ex11ae", "EX1 1AE", "EX1", "EX1 1"),
        ("10 High St EX1 OAE", "EX1 0AE", "EX1", "EX1 0"),
        ("10 High St, SW1A2AA, London", "SW1A 2AA", "SW1A", "SW1A 2"),
        ("10 High St EX1", None, "EX1", None),
        ("10 High St EX1 1", None, "EX1", "EX1 1"),
        ("10 High St", None, None, None),
    ],
)
def test_postcode_extraction(
    raw: str, full: str | None, outward: str | None, sector: str | None
) -> None:
    parsed = addressparse.parse(raw)
    assert (parsed.postcode, parsed.postcode_outward, parsed.postcode_sector) == (
        full,
        outward,
        sector,
    )
    assert parsed.pao_number == 10 or raw == "10 High St, SW1A2AA, London"


def test_parse_aon_text_reads_numbers_kinds_and_text() -> None:
    flat = addressparse.parse_aon_text("FLAT 2")
    assert (flat.number, flat.kind, flat.text) == (2, "FLAT", None)
    assert addressparse.parse_aon_text("98A").range_text() == "98A"
    floor = addressparse.parse_aon_text("GROUND FLOOR FLAT")
    assert (floor.text, floor.kind, floor.number) == ("GROUND FLOOR", "FLAT", None)
    assert addressparse.parse_aon_text("ROSE COURT").text == "ROSE COURT"


@settings(max_examples=200)
@given(ms.labelled_addresses())
def test_formatting_then_parsing_recovers_numbers_suffixes_and_postcode(
    address: ms.LabelledAddress,
) -> None:
    parsed = addressparse.parse(address.label)
    assert parsed.postcode == address.postcode
    assert parsed.pao.range_text() == address.pao_range
    assert parsed.sao.range_text() == address.sao_range
    assert parsed.street == address.street


@settings(max_examples=200)
@given(st.text(max_size=60))
def test_parse_never_fails_and_normalises_idempotently(raw: str) -> None:
    parsed = addressparse.parse(raw)
    assert addressparse.normalise_text(parsed.normalised) == parsed.normalised


# --- council address lists ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "sao", "pao", "street"),
    [
        ("FLAT 2, 10 HIGH ST", "2", "10", "HIGH STREET"),
        ("FLAT B, 10 HIGH ST", "B", "10", "HIGH STREET"),
        ("FLAT 2 10 HIGH ST", "2", "10", "HIGH STREET"),
        ("FLAT 2A, 10 HIGH ST", "2A", "10", "HIGH STREET"),
        ("FLAT 2 A, 10 HIGH ST", "2A", "10", "HIGH STREET"),
        ("2 10 HIGH ST", "2", "10", "HIGH STREET"),
        ("APARTMENT 3, 10 HIGH ST", "3", "10", "HIGH STREET"),
        ("APT 3 10 HIGH ST", "3", "10", "HIGH STREET"),
        ("UNIT 5, 10 HIGH ST", "5", "10", "HIGH STREET"),
        ("ROOM 4, 10 HIGH ST", "4", "10", "HIGH STREET"),
        ("RM 4 10 HIGH ST", "4", "10", "HIGH STREET"),
        ("GROUND FLOOR FLAT, 10 HIGH ST", "GROUND FLOOR", "10", "HIGH STREET"),
        ("GFF 10 HIGH ST", "GROUND FLOOR", "10", "HIGH STREET"),
        ("1ST FLR, 10 HIGH ST", "FIRST FLOOR", "10", "HIGH STREET"),
        ("FIRST FLOOR FLAT 10 HIGH ST", "FIRST FLOOR", "10", "HIGH STREET"),
        ("BASEMENT FLAT, 10 HIGH ST", "BASEMENT", "10", "HIGH STREET"),
        ("TOP FLAT, 10 HIGH ST", "TOP", "10", "HIGH STREET"),
        ("12A HIGH ST", "", "12A", "HIGH STREET"),
        ("12 A HIGH ST", "", "12A", "HIGH STREET"),
        ("12a high st", "", "12A", "HIGH STREET"),
        ("12-14 HIGH ST", "", "12-14", "HIGH STREET"),
        ("12 - 14 HIGH ST", "", "12-14", "HIGH STREET"),
        ("NO. 12 HIGH ST", "", "12", "HIGH STREET"),
        ("NO12 HIGH ST", "", "12", "HIGH STREET"),
        ("12,HIGH ST,NEWTOWN", "", "12", "HIGH STREET"),
        ("  12\tHIGH  ST. ,", "", "12", "HIGH STREET"),
        ("C/O MRS J SMITH, 12 HIGH ST", "", "12", "HIGH STREET"),
        ("c/o housing officer 12 high st", "", "12", "HIGH STREET"),
        ("FAO MR A PATEL, FLAT 2, 12 HIGH ST", "2", "12", "HIGH STREET"),
        ("C/O MR SMITH FLAT 2 12 HIGH ST", "2", "12", "HIGH STREET"),
        ("ACME LTD, UNIT 5, 12 HIGH ST", "5", "12", "HIGH STREET"),
        ("C/O MS K JONES THE OLD RECTORY, HIGH ST", "", "", "HIGH STREET"),
        ("ANNEX, 10 HIGH ST", "ANNEXE", "10", "HIGH STREET"),
        ("THE ANNEX 10 HIGH ST", "THE ANNEXE", "10", "HIGH STREET"),
        ("FLAT 1ST FLOOR, 10 HIGH ST", "FIRST FLOOR", "10", "HIGH STREET"),
        ("FLAT GROUND FLOOR 10 HIGH ST", "GROUND FLOOR", "10", "HIGH STREET"),
    ],
)
def test_council_list_flats_numbers_and_lines(raw: str, sao: str, pao: str, street: str) -> None:
    parsed = addressparse.parse(raw)
    sao_read = parsed.sao.range_text() or parsed.sao.text or ""
    assert (sao_read, parsed.pao.range_text(), parsed.street) == (sao, pao, street)
    assert not {"C", "O", "CAREOF", "SMITH", "PATEL", "OFFICER", "JONES"} & set(parsed.words)


def test_a_care_of_name_without_commas_takes_at_most_four_words() -> None:
    parsed = addressparse.parse("C/O MS K JONES THE OLD RECTORY MANOR CL NEWTOWN")
    assert (parsed.pao_text, parsed.street) == ("OLD RECTORY", "MANOR CLOSE")


def test_flat_kinds_from_council_lists() -> None:
    assert addressparse.parse("UNIT 5, 12 HIGH ST").sao_kind == "UNIT"
    assert addressparse.parse("ROOM 4, 12 HIGH ST").sao_kind == "ROOM"
    assert addressparse.parse("APT 3, 12 HIGH ST").sao_kind == "FLAT"
    slash = addressparse.parse("2/10 HIGH ST")
    assert (slash.pao_number, slash.sao_number, slash.slash_form) == (2, 10, True)


def test_a_welsh_article_after_a_number_is_not_a_suffix() -> None:
    assert addressparse.normalise_text("5 Y Garth, Y Drenewydd") == "5 Y GARTH Y DRENEWYDD"
    assert addressparse.parse("5 Y GARTH").pao.range_text() == "5"


def test_postcode_anywhere_in_any_case() -> None:
    for raw in ("nt55aa, 3 crown lane, newtown", "3 CROWN LANE, NT5 5AA, NEWTOWN, DEVON"):
        parsed = addressparse.parse(raw)
        assert (parsed.postcode, parsed.pao_number, parsed.street) == ("NT5 5AA", 3, "CROWN LANE")
        assert "NEWTOWN" in parsed.rest


@settings(max_examples=200)
@given(ms.council_lines())
def test_council_list_forms_parse_as_the_clean_label(line: ms.CouncilLine) -> None:
    clean = addressparse.parse(line.clean)
    noisy = addressparse.parse(line.noisy)
    assert noisy.postcode == clean.postcode
    assert noisy.pao.range_text() == clean.pao.range_text()
    assert noisy.sao.range_text() == clean.sao.range_text()
    assert noisy.street == clean.street
    assert set(clean.words) <= set(noisy.words) | {"STREET"}
