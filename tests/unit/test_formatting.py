"""Address labels (gazetteer-standards §6): the worked examples as goldens, and §8's invariants."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer import domain, formatting
from tests import strategies

RANGE_PATTERN = re.compile(r"^(\d{1,4}[A-Z]{0,2}(-\d{1,4}[A-Z]{0,2})?)?$")
_RANGE_PARTS = re.compile(r"(\d+)([A-Z]*)(?:-(\d+)([A-Z]*))?")


def _aon(prefix: str, value: str | None) -> dict[str, Any]:
    """LPI keyword arguments for a range written as in the tables (``1A``, ``12-16``)."""
    if value is None:
        return {}
    match = _RANGE_PARTS.fullmatch(value)
    assert match, value
    start, start_suffix, end, end_suffix = match.groups()
    return {
        f"{prefix}_start_number": int(start),
        f"{prefix}_start_suffix": start_suffix or None,
        f"{prefix}_end_number": int(end) if end else None,
        f"{prefix}_end_suffix": end_suffix or None,
    }


def make_lpi(
    *,
    sao_text: str | None = None,
    sao: str | None = None,
    pao_text: str | None = None,
    pao: str | None = None,
    language: str = "ENG",
    **fields: Any,
) -> domain.Lpi:
    values: dict[str, Any] = {
        "uprn": 100023336956,
        "lpi_key": "1110L000000001",
        "language": language,
        "logical_status": "1",
        "usrn": 8400001,
        "sao_text": sao_text,
        "pao_text": pao_text,
        **_aon("sao", sao),
        **_aon("pao", pao),
    }
    return domain.Lpi(**(values | fields))


def make_street(description: str = "MAIN STREET", **fields: Any) -> domain.StreetDescriptor:
    return domain.StreetDescriptor(usrn=8400001, description=description, **fields)


# --- §6.1 ranges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "start_suffix", "end", "end_suffix", "expected"),
    [
        (1, None, None, None, "1"),
        (1, "A", None, None, "1A"),
        (1, None, 5, None, "1-5"),
        (1, "A", 5, "C", "1A-5C"),
        (58, None, 64, None, "58-64"),
        (7, "", 9, "", "7-9"),
        (None, None, 5, "A", ""),  # an end without a start: the validator reports it
        (0, "A", 5, None, ""),  # zero is absent
        (None, None, None, None, ""),
    ],
)
def test_aon_range_examples(
    start: int | None,
    start_suffix: str | None,
    end: int | None,
    end_suffix: str | None,
    expected: str,
) -> None:
    assert formatting.aon_range(start, start_suffix, end, end_suffix) == expected


@settings(max_examples=200)
@given(strategies.aon_ranges())
def test_aon_range_matches_pattern_and_round_trips(
    aon: tuple[int | None, str | None, int | None, str | None],
) -> None:
    start, start_suffix, end, end_suffix = aon
    rendered = formatting.aon_range(start, start_suffix, end, end_suffix)
    assert RANGE_PATTERN.match(rendered)
    assert (rendered == "") == (start is None)
    assert ("-" in rendered) == (end is not None)
    if start is not None:
        match = _RANGE_PARTS.fullmatch(rendered)
        assert match
        parsed = (int(match[1]), match[2], int(match[3]) if match[3] else None, match[4] or "")
        assert parsed == (start, start_suffix or "", end, end_suffix or "")


@given(
    st.none() | st.just(0),
    st.none() | strategies.aon_suffixes,
    st.none() | strategies.aon_numbers,
    st.none() | strategies.aon_suffixes,
)
def test_aon_range_is_empty_without_a_start(
    start: int | None, start_suffix: str | None, end: int | None, end_suffix: str | None
) -> None:
    assert formatting.aon_range(start, start_suffix, end, end_suffix) == ""


# --- §6.3 geographic multi-line goldens ----------------------------------------------------------

NEWTOWN = {"town_name": "NEWTOWN"}
GEOGRAPHIC_GOLDENS: list[tuple[dict[str, Any], dict[str, Any], str | None, str | None, str]] = [
    # (LPI fields, street fields, organisation, postcode, lines joined with " / ")
    ({"sao_text": "THE ANNEXE", "pao_text": "ROSE COURT"}, {}, None, None,
     "THE ANNEXE / ROSE COURT / MAIN STREET"),
    ({"sao_text": "THE ANNEXE", "pao": "11A"}, {}, None, None, "THE ANNEXE / 11A MAIN STREET"),
    ({"sao": "1A", "pao_text": "ROSE COURT"}, {}, None, None, "1A ROSE COURT / MAIN STREET"),
    ({"sao_text": "WARDEN'S FLAT", "sao": "1A", "pao_text": "ROSE COURT", "pao": "11A"}, {}, None,
     None, "WARDEN'S FLAT / 1A ROSE COURT / 11A MAIN STREET"),
    ({"sao_text": "THE ANNEXE", "sao": "1A", "pao_text": "ROSE COURT", "pao": "11A"}, {},
     "COTTAGE INDUSTRY LTD", None,
     "COTTAGE INDUSTRY LTD / THE ANNEXE / 1A ROSE COURT / 11A MAIN STREET"),
    ({"sao": "1-3", "pao": "11A"}, {}, None, None, "1-3, 11A MAIN STREET"),
    ({"sao": "10", "pao_text": "RIVER LOFTS", "pao": "12-16"},
     {"description": "MILL LANE", **NEWTOWN}, None, "NT1 1AA",
     "10 RIVER LOFTS / 12-16 MILL LANE / NEWTOWN / NT1 1AA"),
    ({"sao_text": "GARDEN FLAT", "pao": "7"}, {"description": "PARK ROAD", **NEWTOWN}, None,
     "NT2 3BB", "GARDEN FLAT / 7 PARK ROAD / NEWTOWN / NT2 3BB"),
    ({"pao_text": "MILL HOUSE"},
     {"description": "STATION ROAD", "locality": "UPPER TOWN", **NEWTOWN}, None, "NT3 4CC",
     "MILL HOUSE / STATION ROAD / UPPER TOWN / NEWTOWN / NT3 4CC"),
    ({"sao_text": "ENTRANCE 2", "pao_text": "ASH MEWS"},
     {"description": "COLLEGE ROAD", **NEWTOWN}, "NEWTOWN COLLEGE", "NT4 5DD",
     "NEWTOWN COLLEGE / ENTRANCE 2 / ASH MEWS / COLLEGE ROAD / NEWTOWN / NT4 5DD"),
    ({"sao_text": "CORNER BAKERY", "sao": "25-29", "pao_text": "COVERED MARKET"},
     {"description": "MARKET PLACE", **NEWTOWN}, None, None,
     "CORNER BAKERY / 25-29 COVERED MARKET / MARKET PLACE / NEWTOWN"),
    ({"sao_text": "STAFF QUARTERS", "pao_text": "THE GRAND", "pao": "53"},
     {"description": "MARKET PLACE", **NEWTOWN}, None, None,
     "STAFF QUARTERS / THE GRAND / 53 MARKET PLACE / NEWTOWN"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("lpi", "street", "organisation", "postcode", "expected"), GEOGRAPHIC_GOLDENS
)
def test_geographic_lines_golden(
    lpi: dict[str, Any],
    street: dict[str, Any],
    organisation: str | None,
    postcode: str | None,
    expected: str,
) -> None:
    keywords: dict[str, Any] = {
        "lpi": make_lpi(**lpi),
        "descriptor": make_street(**street),
        "organisation": organisation,
        "postcode": postcode,
    }
    lines = formatting.geographic_lines(**keywords)
    assert lines == expected.split(" / ")
    assert formatting.geographic_single_line(**keywords) == ", ".join(lines)


# --- §6.4 geographic single-line goldens ---------------------------------------------------------

ALL_FIELDS: dict[str, Any] = {
    "lpi": make_lpi(sao_text="THE ANNEXE", sao="1A", pao_text="THE OLD MILL", pao="7-9"),
    "descriptor": make_street(
        locality="HOOK", town_name="WARSASH", administrative_area="SOUTHAMPTON"
    ),
    "organisation": "JW SIMPSON LTD",
    "postcode": "SO99 9ZZ",
    "administrative_area": True,
}
CROW_LANE: dict[str, Any] = {
    "lpi": make_lpi(pao="34"),
    "descriptor": make_street("CROW LANE", town_name="RAMSBOTTOM", administrative_area="BURY"),
    "postcode": "BL0 9BR",
    "administrative_area": True,
}
WELL_STREET: dict[str, Any] = {
    "lpi": make_lpi(pao="26"),
    "descriptor": make_street("WELL STREET", **NEWTOWN),
    "postcode": "NT1 6QL",
}
CHERRY_GARDENS: dict[str, Any] = {
    "lpi": make_lpi(pao="8A"),
    "descriptor": make_street("CHERRY GARDENS", **NEWTOWN),
    "postcode": "NT2 5DJ",
}
HIGH_STREET: dict[str, Any] = {"lpi": make_lpi(pao="1-5"), "descriptor": make_street("HIGH STREET")}
COTTAGE: dict[str, Any] = {
    "lpi": make_lpi(sao_text="THE ANNEXE", sao="1A", pao_text="ROSE COURT", pao="11A"),
    "descriptor": make_street(),
    "organisation": "COTTAGE INDUSTRY LTD",
}


@pytest.mark.parametrize(
    ("keywords", "style", "expected"),
    [
        (COTTAGE, "project", "COTTAGE INDUSTRY LTD, THE ANNEXE, 1A ROSE COURT, 11A MAIN STREET"),
        (WELL_STREET, "project", "26 WELL STREET, NEWTOWN, NT1 6QL"),
        (CHERRY_GARDENS, "project", "8A CHERRY GARDENS, NEWTOWN, NT2 5DJ"),
        (CROW_LANE, "project", "34 CROW LANE, RAMSBOTTOM, BURY, BL0 9BR"),
        (
            ALL_FIELDS,
            "project",
            "JW SIMPSON LTD, THE ANNEXE, 1A THE OLD MILL, 7-9 MAIN STREET, HOOK, WARSASH, "
            "SOUTHAMPTON, SO99 9ZZ",
        ),
        (
            ALL_FIELDS,
            "gsg_commas",
            "JW SIMPSON LTD, THE ANNEXE, 1A, THE OLD MILL, 7-9, MAIN STREET, HOOK, WARSASH, "
            "SOUTHAMPTON, SO99 9ZZ",
        ),
        (CROW_LANE, "gsg_commas", "34, CROW LANE, RAMSBOTTOM, BURY, BL0 9BR"),
        (CHERRY_GARDENS, "os_sql", "8A, CHERRY GARDENS, NEWTOWN, NT2 5DJ"),
        (WELL_STREET, "os_sql", "26 WELL STREET, NEWTOWN, NT1 6QL"),
        (HIGH_STREET, "os_sql", "1-5 HIGH STREET"),
        # Derived from the os_sql rules: ", " after text and after a suffixed range, never the
        # administrative area even when asked for.
        (CROW_LANE, "os_sql", "34 CROW LANE, RAMSBOTTOM, BL0 9BR"),
        (
            ALL_FIELDS,
            "os_sql",
            "JW SIMPSON LTD, THE ANNEXE, 1A, THE OLD MILL, 7-9 MAIN STREET, HOOK, WARSASH, "
            "SO99 9ZZ",
        ),
    ],
)
def test_geographic_single_line_golden(
    keywords: dict[str, Any], style: formatting.Style, expected: str
) -> None:
    assert formatting.geographic_single_line(**keywords, style=style) == expected


def test_os_sql_joins_the_descriptor_on_usrn_and_language() -> None:
    welsh = make_lpi(pao="26", language="CYM")
    english_street = make_street("WELL STREET", **NEWTOWN)
    assert formatting.geographic_single_line(lpi=welsh, descriptor=english_street) == (
        "26 WELL STREET, NEWTOWN"
    )
    assert formatting.geographic_single_line(
        lpi=welsh, descriptor=english_street, postcode="NT1 6QL", style="os_sql"
    ) == ("26 NT1 6QL")


@pytest.mark.parametrize(
    ("area", "enabled", "expected"),
    [
        ("BURY", False, ["34 CROW LANE", "RAMSBOTTOM"]),
        ("BURY", True, ["34 CROW LANE", "RAMSBOTTOM", "BURY"]),
        ("ramsbottom", True, ["34 CROW LANE", "RAMSBOTTOM"]),  # equal to the town, any case
        (" RAMSBOTTOM ", True, ["34 CROW LANE", "RAMSBOTTOM"]),
        (None, True, ["34 CROW LANE", "RAMSBOTTOM"]),
    ],
)
def test_administrative_area_only_when_enabled_and_not_the_town(
    area: str | None, enabled: bool, expected: list[str]
) -> None:
    street = make_street("CROW LANE", town_name="RAMSBOTTOM", administrative_area=area)
    lines = formatting.geographic_lines(
        lpi=make_lpi(pao="34"), descriptor=street, administrative_area=enabled
    )
    assert lines == expected


def test_spaces_collapse_inside_a_line_and_stored_values_stay() -> None:
    lpi = make_lpi(sao_text="  GARDEN   FLAT ", pao="7")
    street = make_street(" PARK\tROAD ", town_name="NEW  TOWN")
    lines = formatting.geographic_lines(lpi=lpi, descriptor=street, postcode=" NT2  3BB")
    assert lines == ["GARDEN FLAT", "7 PARK ROAD", "NEW TOWN", "NT2 3BB"]
    assert lpi.sao_text == "  GARDEN   FLAT "


def test_without_a_descriptor_the_pao_range_still_has_its_line() -> None:
    assert formatting.geographic_lines(lpi=make_lpi(sao="2", pao="11A"), descriptor=None) == [
        "2, 11A"
    ]


# --- §8 geographic invariants --------------------------------------------------------------------


def _is_clean(line: str) -> bool:
    return line == line.strip() and "  " not in line and line != ""


@st.composite
def geographic_inputs(draw: st.DrawFn) -> dict[str, Any]:
    language = draw(st.sampled_from([domain.LANGUAGE_ENGLISH, domain.LANGUAGE_WELSH]))
    lpi = draw(strategies.lpis(language=language))
    return {
        "lpi": lpi,
        "descriptor": draw(st.none() | strategies.street_descriptors(usrn=lpi.usrn)),
        "organisation": draw(strategies.optional_texts),
        "postcode": draw(st.none() | strategies.postcodes()),
        "administrative_area": draw(st.booleans()),
    }


@settings(max_examples=200)
@given(geographic_inputs())
def test_geographic_label_invariants(keywords: dict[str, Any]) -> None:
    lpi: domain.Lpi = keywords["lpi"]
    lines = formatting.geographic_lines(**keywords)
    assert formatting.geographic_single_line(**keywords) == ", ".join(lines)
    assert all(_is_clean(line) for line in lines)
    at = 0
    if keywords["organisation"]:
        assert lines[0] == keywords["organisation"]
        at = 1
    if lpi.sao_text:
        assert lines[at] == lpi.sao_text  # alone on its line
        at += 1
    sao_range = formatting.aon_range(
        lpi.sao_start_number, lpi.sao_start_suffix, lpi.sao_end_number, lpi.sao_end_suffix
    )
    pao_range = formatting.aon_range(
        lpi.pao_start_number, lpi.pao_start_suffix, lpi.pao_end_number, lpi.pao_end_suffix
    )
    if lpi.pao_text:  # the PAO line: SAO range then PAO text; the PAO range leads the next line
        assert lines[at] == " ".join(part for part in (sao_range, lpi.pao_text) if part)
        if pao_range:
            assert lines[at + 1].startswith(pao_range)
    else:  # the PAO range leads its line, after any SAO range
        numbers = ", ".join(part for part in (sao_range, pao_range) if part)
        assert lines[at].startswith(numbers)
        assert numbers


@settings(max_examples=100)
@given(geographic_inputs(), st.sampled_from(["project", "gsg_commas", "os_sql"]))
def test_single_lines_put_text_before_range_and_have_clean_spacing(
    keywords: dict[str, Any], style: formatting.Style
) -> None:
    lpi: domain.Lpi = keywords["lpi"]
    line = formatting.geographic_single_line(**keywords, style=style)
    assert _is_clean(line)
    assert ", , " not in line
    sao_range = formatting.aon_range(lpi.sao_start_number, lpi.sao_start_suffix, None, None)
    if lpi.sao_text and sao_range:
        assert line.index(lpi.sao_text) < line.index(sao_range, line.index(lpi.sao_text))


@settings(max_examples=100)
@given(geographic_inputs(), st.lists(st.sampled_from([" ", "  ", "\t"]), min_size=3))
def test_padding_in_stored_values_never_reaches_a_line(
    keywords: dict[str, Any], pads: list[str]
) -> None:
    lpi: domain.Lpi = keywords["lpi"]
    pad = "".join(pads)
    padded = dataclasses.replace(
        lpi,
        sao_text=lpi.sao_text and f"{pad}{lpi.sao_text.replace(' ', pad)}",
        pao_text=lpi.pao_text and f"{lpi.pao_text.replace(' ', pad)}{pad}",
    )
    organisation = keywords["organisation"] and f"{pad}{keywords['organisation']}{pad}"
    padded_keywords = keywords | {"lpi": padded, "organisation": organisation}
    assert formatting.geographic_lines(**padded_keywords) == formatting.geographic_lines(**keywords)


# --- §6.2 / §6.6 choosing the LPI and descriptor -------------------------------------------------


def test_choose_lpi_prefers_the_approved_lpi_in_the_language() -> None:
    english = make_lpi(pao="1", lpi_key="1110L000000001")
    welsh = make_lpi(pao="1", language="CYM", lpi_key="1110L000000002")
    alternative_welsh = make_lpi(
        pao="1", language="CYM", logical_status="3", lpi_key="1110L000000003"
    )
    historical = make_lpi(pao="1", logical_status="8", lpi_key="1110L000000000")
    assert formatting.choose_lpi([historical, english, welsh], "CYM") == welsh
    assert formatting.choose_lpi([historical, english, welsh], "cym") == welsh
    assert formatting.choose_lpi([welsh, english, historical]) == english
    assert formatting.choose_lpi([english, alternative_welsh], "CYM") == english
    assert formatting.choose_lpi([alternative_welsh, historical], "CYM") is None
    assert formatting.choose_lpi([welsh], "ENG") is None
    assert formatting.choose_lpi([]) is None


def test_choose_lpi_among_several_approved_prefers_open_then_lowest_key() -> None:
    ended = make_lpi(pao="1", lpi_key="1110L000000001", end_date=dt.date(2020, 1, 1))
    later = make_lpi(pao="1", lpi_key="1110L000000009")
    first = make_lpi(pao="1", lpi_key="1110L000000005")
    assert formatting.choose_lpi([ended, later, first]) == first


def test_choose_descriptor_matches_usrn_and_language_with_english_fallback() -> None:
    english = make_street(language="ENG")
    welsh = make_street("Y STRYD FAWR", language="CYM")
    other_street = domain.StreetDescriptor(usrn=1, description="ELSEWHERE", language="CYM")
    ended_welsh = dataclasses.replace(welsh, end_date=dt.date(2020, 1, 1))
    choose = formatting.choose_descriptor
    assert choose([english, welsh, other_street], usrn=8400001, language="CYM") == welsh
    assert choose([ended_welsh, english, welsh], usrn=8400001, language="CYM") == welsh
    assert choose([english, other_street], usrn=8400001, language="CYM") == english
    assert choose([welsh, english], usrn=8400001, language="ENG") == english
    assert choose([welsh, other_street], usrn=8400001, language="ENG") is None
    assert choose([english], usrn=2, language="ENG") is None


# --- §6.5 delivery point goldens -----------------------------------------------------------------

PAF_GOLDENS: list[tuple[dict[str, Any], str]] = [
    ({"department_name": "CUSTOMER SERVICE DEPARTMENT", "organisation_name": "JW SIMPSON LTD.",
      "sub_building_name": "UNIT 3", "building_name": "THE OLD FORGE",
      "dependent_thoroughfare": "RICHMOND TERRACE", "thoroughfare": "MAIN STREET",
      "double_dependent_locality": "HOOK", "dependent_locality": "WARSASH",
      "post_town": "SOUTHAMPTON", "postcode": "SO99 9ZZ"},
     "CUSTOMER SERVICE DEPARTMENT / JW SIMPSON LTD. / UNIT 3 / THE OLD FORGE / RICHMOND TERRACE"
     " / MAIN STREET / HOOK / WARSASH / SOUTHAMPTON / SO99 9ZZ"),
    ({"organisation_name": "JWS CONSULTING", "po_box_number": "5422",
      "thoroughfare": "HIGH STREET", "post_town": "SPRINGFIELD", "postcode": "SP77 0SF"},
     "JWS CONSULTING / PO BOX 5422 / HIGH STREET / SPRINGFIELD / SP77 0SF"),
    ({"building_number": 78, "thoroughfare": "RIVERSIDE ROAD", "post_town": "NEWTOWN",
      "postcode": "NT2 4RL"},
     "78 RIVERSIDE ROAD / NEWTOWN / NT2 4RL"),
    ({"sub_building_name": "FLAT 1", "building_number": 94, "thoroughfare": "HIGH STREET",
      "post_town": "NEWTOWN", "postcode": "NT4 6PH"},
     "FLAT 1 / 94 HIGH STREET / NEWTOWN / NT4 6PH"),
    ({"building_name": "98A", "thoroughfare": "FORE STREET", "dependent_locality": "EASTON",
      "post_town": "NEWTOWN", "postcode": "NT1 2RS"},
     "98A FORE STREET / EASTON / NEWTOWN / NT1 2RS"),
    ({"sub_building_name": "10", "building_name": "RIVER LOFTS  12-16",
      "thoroughfare": "MILL LANE", "post_town": "NEWTOWN", "postcode": "NT1 1AA"},
     "10 RIVER LOFTS 12-16 / MILL LANE / NEWTOWN / NT1 1AA"),
    ({"sub_building_name": "3 BLOCK A", "building_name": "RIVER POINT",
      "thoroughfare": "BRUNEL CLOSE", "post_town": "NEWTOWN", "postcode": "NT4 4FD"},
     "3 BLOCK A / RIVER POINT / BRUNEL CLOSE / NEWTOWN / NT4 4FD"),
    ({"sub_building_name": "ENTRANCE 2 ASH MEWS", "building_name": "NEWTOWN COLLEGE",
      "thoroughfare": "COLLEGE ROAD", "post_town": "NEWTOWN", "postcode": "NT4 5DD"},
     "ENTRANCE 2 ASH MEWS / NEWTOWN COLLEGE / COLLEGE ROAD / NEWTOWN / NT4 5DD"),
    ({"organisation_name": "THE PARK SURGERY", "sub_building_name": "210",
      "building_name": "PARK MEDICAL CENTRE", "thoroughfare": "ST. MARY'S ROAD",
      "dependent_locality": "ST. MARY", "post_town": "NEWTOWN", "postcode": "NT7 7LA"},
     "THE PARK SURGERY / 210 PARK MEDICAL CENTRE / ST. MARY'S ROAD / ST. MARY / NEWTOWN"
     " / NT7 7LA"),
]  # fmt: skip


def make_dpa(**fields: Any) -> domain.DeliveryPoint:
    return domain.DeliveryPoint(udprn=23750012, uprn=100023336956, **fields)


@pytest.mark.parametrize(("fields", "expected"), PAF_GOLDENS)
def test_postal_lines_golden(fields: dict[str, Any], expected: str) -> None:
    dpa = make_dpa(**fields)
    assert formatting.postal_lines(dpa) == expected.split(" / ")
    assert formatting.postal_single_line(dpa) == expected.replace(" / ", ", ")


@pytest.mark.parametrize(
    ("fields", "style", "expected"),
    [
        (PAF_GOLDENS[4][0], "project", "98A FORE STREET, EASTON, NEWTOWN, NT1 2RS"),
        (PAF_GOLDENS[4][0], "os_sql", "98A, FORE STREET, EASTON, NEWTOWN, NT1 2RS"),
        (PAF_GOLDENS[2][0], "os_sql", "78 RIVERSIDE ROAD, NEWTOWN, NT2 4RL"),
        (PAF_GOLDENS[2][0], "gsg_commas", "78, RIVERSIDE ROAD, NEWTOWN, NT2 4RL"),
        (
            PAF_GOLDENS[1][0],
            "os_sql",
            "JWS CONSULTING, PO BOX 5422, HIGH STREET, SPRINGFIELD, SP77 0SF",
        ),
        (
            PAF_GOLDENS[0][0],
            "gsg_commas",
            "CUSTOMER SERVICE DEPARTMENT, JW SIMPSON LTD., UNIT 3, THE OLD FORGE, "
            "RICHMOND TERRACE, MAIN STREET, HOOK, WARSASH, SOUTHAMPTON, SO99 9ZZ",
        ),
    ],
)
def test_postal_single_line_styles(
    fields: dict[str, Any], style: formatting.Style, expected: str
) -> None:
    assert formatting.postal_single_line(make_dpa(**fields), style=style) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # BUILDING_NUMBER 0 is absent, so a number-like building name becomes N.
        ({"building_number": 0, "building_name": "98A", "thoroughfare": "FORE STREET"},
         ["98A FORE STREET"]),
        # With a real number, a number-like name stays a name.
        ({"building_number": 5, "building_name": "1A", "thoroughfare": "FORE STREET"},
         ["1A", "5 FORE STREET"]),
        # N leads the dependent thoroughfare, the first of the two.
        ({"building_number": 5, "dependent_thoroughfare": "RICHMOND TERRACE",
          "thoroughfare": "MAIN STREET"}, ["5 RICHMOND TERRACE", "MAIN STREET"]),
        # No thoroughfare: N leads the first locality line.
        ({"building_number": 5, "double_dependent_locality": "HOOK",
          "dependent_locality": "WARSASH", "post_town": "SOUTHAMPTON"},
         ["5 HOOK", "WARSASH", "SOUTHAMPTON"]),
        # Neither: N has its own line.
        ({"building_number": 5, "post_town": "SOUTHAMPTON", "postcode": "SO99 9ZZ"},
         ["5", "SOUTHAMPTON", "SO99 9ZZ"]),
        # A number-like sub-building with no building name joins N, or becomes it.
        ({"sub_building_name": "2", "building_number": 94, "thoroughfare": "HIGH STREET"},
         ["2, 94 HIGH STREET"]),
        ({"sub_building_name": "2A", "thoroughfare": "HIGH STREET"}, ["2A HIGH STREET"]),
        ({"sub_building_name": "FLAT 2", "building_name": "3-5", "thoroughfare": "HIGH STREET"},
         ["FLAT 2", "3-5 HIGH STREET"]),
        # PO box number 0 and blanks are absent.
        ({"po_box_number": "0", "organisation_name": " ", "post_town": "SPRINGFIELD"},
         ["SPRINGFIELD"]),
        ({"po_box_number": " 17 ", "post_town": "SPRINGFIELD"}, ["PO BOX 17", "SPRINGFIELD"]),
        # A number on its own line keeps the single-line order: number, then PO box.
        ({"building_number": 5, "po_box_number": "17", "post_town": "SPRINGFIELD"},
         ["5", "PO BOX 17", "SPRINGFIELD"]),
    ],
)  # fmt: skip
def test_postal_premise_and_number_rules(fields: dict[str, Any], expected: list[str]) -> None:
    assert formatting.postal_lines(make_dpa(**fields)) == expected


def test_department_order_is_a_parameter() -> None:
    dpa = make_dpa(department_name="SALES", organisation_name="ACME LTD", post_town="NEWTOWN")
    assert formatting.postal_lines(dpa) == ["SALES", "ACME LTD", "NEWTOWN"]
    assert formatting.postal_lines(dpa, department_first=False) == ["ACME LTD", "SALES", "NEWTOWN"]
    assert formatting.postal_single_line(dpa, department_first=False) == "ACME LTD, SALES, NEWTOWN"


def test_welsh_falls_back_field_by_field() -> None:
    dpa = make_dpa(
        building_number=3,
        thoroughfare="HIGH STREET",
        welsh_thoroughfare="STRYD FAWR",
        dependent_locality="CANTON",
        post_town="CARDIFF",
        welsh_post_town="CAERDYDD",
        postcode="CF11 9AA",
    )
    assert formatting.postal_lines(dpa, welsh=True) == [
        "3 STRYD FAWR",
        "CANTON",
        "CAERDYDD",
        "CF11 9AA",
    ]
    assert formatting.postal_lines(dpa) == ["3 HIGH STREET", "CANTON", "CARDIFF", "CF11 9AA"]
    assert (
        formatting.postal_single_line(dpa, welsh=True) == "3 STRYD FAWR, CANTON, CAERDYDD, CF11 9AA"
    )


# --- §8 delivery point invariants ----------------------------------------------------------------

WELSH_PAIRS = {
    "dependent_thoroughfare": "welsh_dependent_thoroughfare",
    "thoroughfare": "welsh_thoroughfare",
    "double_dependent_locality": "welsh_double_dependent_locality",
    "dependent_locality": "welsh_dependent_locality",
    "post_town": "welsh_post_town",
}


@settings(max_examples=150)
@given(strategies.delivery_points(), strategies.aon_numbers)
def test_building_number_shares_a_line_with_the_first_thoroughfare_or_locality(
    any_dpa: domain.DeliveryPoint, building_number: int
) -> None:
    for dpa in (any_dpa, dataclasses.replace(any_dpa, building_number=building_number)):
        lines = formatting.postal_lines(dpa)
        assert formatting.postal_single_line(dpa) == ", ".join(lines)
        assert all(_is_clean(line) for line in lines)
    first = next(
        (
            value
            for value in (
                dpa.dependent_thoroughfare,
                dpa.thoroughfare,
                dpa.double_dependent_locality,
                dpa.dependent_locality,
            )
            if value
        ),
        None,
    )
    number = str(dpa.building_number)
    if first is None:
        assert any(line == number or line.endswith(f", {number}") for line in lines)
    else:
        assert any(
            line == f"{number} {first}" or line.endswith(f", {number} {first}") for line in lines
        )


@st.composite
def tagged_delivery_points(draw: st.DrawFn) -> domain.DeliveryPoint:
    """Every element has a distinct value, so its place in the label can be found."""

    def maybe(value: Any) -> Any:
        return draw(st.sampled_from([None, value]))

    return make_dpa(
        department_name=maybe("DEPT"),
        organisation_name=maybe("ORG"),
        sub_building_name=draw(st.sampled_from([None, "SUB", "2", "3A"])),
        building_name=draw(st.sampled_from([None, "NAME", "98A", "4-6"])),
        building_number=draw(st.sampled_from([None, 0, 78])),
        po_box_number=maybe("5422"),
        dependent_thoroughfare=maybe("DEPTHF"),
        thoroughfare=maybe("THF"),
        double_dependent_locality=maybe("DDL"),
        dependent_locality=maybe("DL"),
        post_town=maybe("TOWN"),
        postcode=maybe("NT1 1AA"),
    )


_FIXED_ORDER = ["DEPT", "ORG", "SUB", "NAME", "PO BOX 5422", "DEPTHF", "THF", "DDL", "DL", "TOWN"]


@settings(max_examples=150)
@given(tagged_delivery_points())
def test_postal_lines_keep_the_fixed_order(dpa: domain.DeliveryPoint) -> None:
    single = formatting.postal_single_line(dpa)
    found = [re.search(rf"(?<![\w-]){re.escape(tag)}(?![\w-])", single) for tag in _FIXED_ORDER]
    positions = [match.start() for match in found if match]
    assert positions == sorted(positions)
    expected = [
        tag
        for tag, value in zip(
            _FIXED_ORDER,
            [dpa.department_name, dpa.organisation_name, dpa.sub_building_name,
             dpa.building_name, dpa.po_box_number, dpa.dependent_thoroughfare, dpa.thoroughfare,
             dpa.double_dependent_locality, dpa.dependent_locality, dpa.post_town],
            strict=True,
        )
        if value == tag or (value and tag == f"PO BOX {value}")
    ]  # fmt: skip
    assert [tag for tag, match in zip(_FIXED_ORDER, found, strict=True) if match] == expected
    if dpa.postcode:
        assert single.endswith(dpa.postcode)


@settings(max_examples=100)
@given(strategies.delivery_points(), st.sampled_from(["project", "gsg_commas", "os_sql"]))
def test_welsh_render_differs_only_in_the_five_welsh_fields(
    dpa: domain.DeliveryPoint, style: formatting.Style
) -> None:
    no_welsh: dict[str, Any] = dict.fromkeys(WELSH_PAIRS.values())
    coalesced = dataclasses.replace(
        dpa,
        **{
            english: getattr(dpa, welsh) or getattr(dpa, english)
            for english, welsh in WELSH_PAIRS.items()
        },
        **no_welsh,
    )
    without_welsh = dataclasses.replace(dpa, **no_welsh)
    assert formatting.postal_lines(dpa, welsh=True) == formatting.postal_lines(coalesced)
    assert formatting.postal_lines(dpa) == formatting.postal_lines(without_welsh)
    assert formatting.postal_single_line(dpa, welsh=True, style=style) == (
        formatting.postal_single_line(coalesced, style=style)
    )
    assert formatting.postal_lines(without_welsh, welsh=True) == formatting.postal_lines(dpa)


# --- §6.7 five lines plus postcode ---------------------------------------------------------------


def test_five_line_keeps_a_lone_sao_range_on_its_own_line() -> None:
    address = formatting.five_line(
        lpi=make_lpi(sao="1-3", pao="11A"),
        descriptor=make_street(**NEWTOWN),
        postcode="NT1 1AA",
        post_town="NEWTOWN",
    )
    assert address == formatting.FiveLineAddress(
        lines=("1-3", "11A MAIN STREET", "NEWTOWN"), postcode="NT1 1AA"
    )


def test_five_line_merges_locality_and_town_only_beyond_five() -> None:
    lpi = make_lpi(sao_text="FLAT 2", sao="2", pao_text="ROSE COURT", pao="11A")
    street = make_street(locality="UPPER TOWN", town_name="NEWTOWN")
    six = formatting.five_line(lpi=lpi, descriptor=street, postcode="NT1 1AA", post_town="BIGCITY")
    assert six.lines == (
        "FLAT 2",
        "2 ROSE COURT",
        "11A MAIN STREET",
        "UPPER TOWN, NEWTOWN",
        "BIGCITY",
    )
    five = formatting.five_line(
        lpi=dataclasses.replace(lpi, sao_text=None), descriptor=street, post_town="BIGCITY"
    )
    assert five.lines == ("2 ROSE COURT", "11A MAIN STREET", "UPPER TOWN", "NEWTOWN", "BIGCITY")
    assert five.postcode is None


@pytest.mark.parametrize(
    ("street", "post_town", "lpi_post_town", "postcode", "expected"),
    [
        # The town is dropped when it equals the post town (in any case).
        (NEWTOWN, "Newtown", None, "NT1 1AA", ("7 MAIN STREET", "Newtown")),
        # The post town falls back to the LPI's own (DTF), then to the town name.
        (NEWTOWN, None, "BIGCITY", "NT1 1AA", ("7 MAIN STREET", "NEWTOWN", "BIGCITY")),
        (NEWTOWN, None, None, None, ("7 MAIN STREET", "NEWTOWN")),
        # With an administrative area, the post town needs the postcode to win the last line;
        # the town then stays, as no post town is shown.
        (NEWTOWN | {"administrative_area": "NEWSHIRE"}, "NEWTOWN", None, None,
         ("7 MAIN STREET", "NEWTOWN", "NEWSHIRE")),
        (NEWTOWN | {"administrative_area": "NEWSHIRE"}, "NEWTOWN", None, "NT1 1AA",
         ("7 MAIN STREET", "NEWTOWN")),
        (NEWTOWN | {"administrative_area": "NEWSHIRE"}, "BIGCITY", None, None,
         ("7 MAIN STREET", "NEWTOWN", "NEWSHIRE")),
    ],
)  # fmt: skip
def test_five_line_town_post_town_and_area(
    street: dict[str, Any],
    post_town: str | None,
    lpi_post_town: str | None,
    postcode: str | None,
    expected: tuple[str, ...],
) -> None:
    address = formatting.five_line(
        lpi=make_lpi(pao="7", post_town=lpi_post_town),
        descriptor=make_street(**street),
        postcode=postcode,
        post_town=post_town,
    )
    assert address.lines == expected
    assert address.postcode == postcode


def test_five_line_address_refuses_six_lines() -> None:
    with pytest.raises(ValueError):
        formatting.FiveLineAddress(lines=("A", "B", "C", "D", "E", "F"))


@settings(max_examples=150)
@given(
    strategies.lpis(),
    st.none() | strategies.street_descriptors(),
    st.none() | strategies.postcodes(),
    st.none() | strategies.address_texts,
)
def test_five_line_invariants(
    lpi: domain.Lpi,
    descriptor: domain.StreetDescriptor | None,
    postcode: str | None,
    post_town: str | None,
) -> None:
    address = formatting.five_line(
        lpi=lpi, descriptor=descriptor, postcode=postcode, post_town=post_town
    )
    assert len(address.lines) <= formatting.FIVE_LINE_MAX
    assert all(_is_clean(line) for line in address.lines)
    assert address.postcode == postcode
    if postcode:  # generated texts have no digits, so only the renderer could put it there
        assert not any(postcode in line for line in address.lines)


@settings(max_examples=100)
@given(
    strategies.lpis(),
    strategies.street_descriptors(),
    st.none() | strategies.postcodes(),
    st.sampled_from(["TOWN9", "town9", None]),
)
def test_five_line_drops_the_town_when_it_is_the_post_town(
    lpi: domain.Lpi,
    descriptor: domain.StreetDescriptor,
    postcode: str | None,
    post_town: str | None,
) -> None:
    """TOWN9 has a digit, so no generated text can contain it."""
    street = dataclasses.replace(descriptor, town_name="TOWN9")
    address = formatting.five_line(
        lpi=lpi, descriptor=street, postcode=postcode, post_town=post_town
    )
    shown = [line for line in address.lines if "TOWN9" in line.upper()]
    if street.administrative_area and not postcode:  # the area takes the last line
        assert address.lines[-1] == street.administrative_area
        assert len(shown) == 1
        assert shown[0].endswith("TOWN9")  # kept, as no post town is shown
    else:
        assert shown == [post_town or "TOWN9"]
        assert address.lines[-1] == shown[0]
