"""Candidate scoring and the matched / review / unmatched decision."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gazetteer import addressparse, matchcandidate, matching
from gazetteer.addresstokens import AonParts
from tests import matching_strategies as ms

THRESHOLDS = matching.Thresholds()


def _aon(number: int | None = None, suffix: str | None = None, text: str | None = None) -> AonParts:
    return matchcandidate.aon_from_fields(
        start=number, start_suffix=suffix, end=None, end_suffix=None, text=text
    )


def _candidate(
    uprn: int,
    *,
    pao: AonParts,
    sao: AonParts | None = None,
    street: str = "HIGH STREET",
    town: str = "NEWTOWN",
    postcode: str = "NT1 1AA",
) -> matching.CandidateAddress:
    parts = [sao and (sao.text if not sao.has_number else sao.range_text())]
    parts += [pao.text, f"{pao.range_text()} {street}".strip(), town, postcode]
    label = ", ".join(p for p in parts if p)
    return matchcandidate.make_candidate(
        uprn=uprn, source="lpi", label=label, sao=sao or AonParts(), pao=pao,
        street=street, town=town, postcode=postcode,
    )  # fmt: skip


STREET = [
    _candidate(1, pao=_aon(10)),
    _candidate(2, pao=_aon(10, "A")),
    _candidate(3, pao=_aon(12), sao=_aon(text="FLAT 1"), postcode="NT1 1AB"),
    _candidate(4, pao=_aon(12), sao=_aon(text="FLAT 2"), postcode="NT1 1AB"),
    _candidate(5, pao=_aon(12), postcode="NT1 1AB"),
    _candidate(6, pao=_aon(text="ROSE COTTAGE")),
    _candidate(7, pao=_aon(10), town="OLDTOWN", postcode="OT1 1AA"),
    _candidate(8, pao=_aon(14), street="HILL ROAD", postcode="NT2 2AA"),
    _candidate(9, pao=_aon(7), sao=_aon(text="GROUND FLOOR FLAT"), street="PARK ROAD"),
    _candidate(10, pao=_aon(7), street="PARK ROAD"),
    _candidate(11, pao=_aon(10), sao=_aon(2), street="ST. MARY'S ROAD", postcode="NT4 4AA"),
]


def _match(text: str) -> matching.MatchResult:
    return matching.match(addressparse.parse(text), STREET, thresholds=THRESHOLDS)


def test_typed_address_with_abbreviation_and_postcode_is_matched() -> None:
    result = _match("10 high st nt11aa")
    assert (result.status, result.uprn) == ("matched", 1)
    assert result.match_reason in {"postcode+number", "exact label"}
    assert result.margin >= THRESHOLDS.min_margin


def test_evidence_names_every_component_with_its_status() -> None:
    top = _match("flat 1, 12 high st, newtown nt1 1ab").candidates[0]
    evidence = {e.component: e.status for e in top.evidence}
    assert top.candidate.uprn == 3
    assert evidence == {
        "sao": "matched", "pao": "matched", "street": "matched",
        "town": "matched", "postcode": "matched",
    }  # fmt: skip


def test_suffix_conflict_is_never_matched() -> None:
    result = _match("10B high st newtown nt1 1aa")
    assert result.status != "matched"
    top = result.candidates[0]
    assert "pao conflicting" in top.blockers


def test_unknown_flat_number_goes_to_review_not_to_the_building() -> None:
    result = _match("flat 3, 12 high st, newtown nt1 1ab")
    assert result.status == "review"
    assert result.uprn is None


def test_building_alone_matches_the_building_not_a_flat() -> None:
    assert _match("12 High Street Newtown NT1 1AB").uprn == 5


def test_missing_flat_in_query_is_not_matched_to_a_flat() -> None:
    only_flats = [c for c in STREET if c.uprn in {3, 4}]
    result = matching.match(
        addressparse.parse("12 high st nt1 1ab"), only_flats, thresholds=THRESHOLDS
    )
    assert result.status == "review"


def test_same_street_and_number_in_two_towns_without_a_place_is_review() -> None:
    result = _match("10 High Street")
    assert result.status == "review"
    assert {c.candidate.uprn for c in result.candidates[:2]} == {1, 7}


def test_town_settles_which_high_street() -> None:
    assert _match("10 High Street, Oldtown").uprn == 7


def test_typo_in_street_is_matched_only_with_the_postcode() -> None:
    assert _match("10 hihg street newtown nt1 1aa").status == "matched"
    assert _match("10 hihg street newtown").status == "review"


def _decide(text: str, street_towns: int | None) -> matching.MatchResult:
    parsed = addressparse.parse(text)
    return matching.match(parsed, STREET, thresholds=THRESHOLDS, street_towns=street_towns)


def test_address_without_a_place_is_matched_only_on_a_street_one_town_has() -> None:
    assert (_decide("7 Park Road", 1).status, _decide("7 Park Road", 1).uprn) == ("matched", 10)
    assert _decide("7 Park Road", 2).status == "review"  # another town has a PARK ROAD
    assert _decide("7 Park Road", None).status == "review"  # not known
    assert _decide("7 Park Road, Kent", 1).status == "review"  # a county names a place
    assert _decide("Flat 3, 7 Park Road", 1).status == "review"  # no such flat
    # Both towns' 10 HIGH STREET are candidates: nothing tells them apart.
    assert _decide("10 High Street", 1).status == "review"


def test_typo_in_street_is_matched_with_the_town_when_no_street_is_spelt_so() -> None:
    assert _decide("10 hihg street newtown", 0).uprn == 1
    assert _decide("10 hihg street newtown", 1).status == "review"  # HIHG STREET exists
    assert _decide("10 hihg street", 0).status == "review"  # typo and no place
    assert _decide("10 hihg street oldtown nt1 1aa", 0).status != "matched"


def test_a_county_after_the_town_is_not_held_against_the_address() -> None:
    with_county = _match("10 Hihg Street, Newtown, Kent, NT1 1AA")
    plain = _match("10 Hihg Street, Newtown, NT1 1AA")
    assert (with_county.status, with_county.uprn) == ("matched", 1)
    assert with_county.score == plain.score
    assert _match("10 Hihg Street, Newtown, Elsewhere, NT1 1AA").score < plain.score


def test_unknown_building_name_is_not_matched_to_another_name() -> None:
    result = _match("Ivy Cottage, High Street, Newtown NT1 1AA")
    assert result.status != "matched"


def test_floor_flat_and_the_house_are_told_apart() -> None:
    assert _match("gff 7 park rd newtown nt1 1aa").uprn == 9
    assert _match("7 park road newtown nt1 1aa").uprn == 10


def test_slash_form_reads_edinburgh_style() -> None:
    assert _match("10/2 St Marys Rd Newtown NT4 4AA").uprn == 11


def test_conflicting_postcode_is_never_matched() -> None:
    result = _match("10 High Street Newtown NT9 9ZZ")
    assert result.status != "matched"


def test_no_candidates_is_unmatched() -> None:
    result = matching.match(addressparse.parse("1 Nowhere Lane"), [], thresholds=THRESHOLDS)
    assert (result.status, result.uprn, result.candidates) == ("unmatched", None, ())


# --- properties ---------------------------------------------------------------------------

_NAMES = ("ACACIA", "BEECH", "CEDAR", "HOLLY", "MAPLE", "WILLOW")
_TYPES = ("ROAD", "STREET", "AVENUE", "CLOSE")


@st.composite
def _gazetteers(draw: st.DrawFn) -> list[matching.CandidateAddress]:
    size = draw(st.integers(min_value=1, max_value=12))
    rows = draw(
        st.lists(
            st.tuples(
                st.none() | st.integers(min_value=1, max_value=6),
                st.integers(min_value=1, max_value=40),
                st.none() | st.sampled_from("AB"),
                st.sampled_from(_NAMES),
                st.sampled_from(_TYPES),
                st.sampled_from(("NEWTOWN", "OLDBURY")),
                st.sampled_from(("NT1 1AA", "NT1 2BB", "OB3 3DD")),
            ),
            min_size=size,
            max_size=size,
            unique_by=lambda row: row[:6],
        )
    )
    return [
        _candidate(
            uprn,
            sao=_aon(text=f"FLAT {flat}") if flat else None,
            pao=_aon(number, suffix),
            street=f"{name} {kind}",
            town=town,
            postcode=postcode,
        )
        for uprn, (flat, number, suffix, name, kind, town, postcode) in enumerate(rows, start=1)
    ]


@settings(max_examples=100, deadline=None)
@given(_gazetteers(), st.data())
def test_exact_label_always_ranks_its_candidate_first(
    candidates: list[matching.CandidateAddress], data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(candidates))
    result = matching.match(addressparse.parse(target.label), candidates, thresholds=THRESHOLDS)
    assert result.candidates[0].candidate.uprn == target.uprn
    assert 0.0 <= result.score <= 1.0
    assert all(0.0 <= c.score <= 1.0 for c in result.candidates)


@settings(max_examples=100, deadline=None)
@given(_gazetteers(), st.data())
def test_conflicting_pao_number_never_yields_matched(
    candidates: list[matching.CandidateAddress], data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(candidates))
    taken = {c.pao.number for c in candidates}
    other = data.draw(st.integers(min_value=1, max_value=60).filter(lambda n: n not in taken))
    query = target.label.replace(f"{target.pao.range_text()} ", f"{other} ", 1)
    result = matching.match(addressparse.parse(query), candidates, thresholds=THRESHOLDS)
    assert result.status != "matched"
    assert result.uprn is None


@settings(max_examples=100, deadline=None)
@given(_gazetteers(), st.text(max_size=40))
def test_scores_stay_in_unit_interval_for_any_text(
    candidates: list[matching.CandidateAddress], text: str
) -> None:
    result = matching.match(addressparse.parse(text), candidates, thresholds=THRESHOLDS)
    assert all(0.0 <= c.score <= 1.0 for c in result.candidates)
    assert result.status in {"matched", "review", "unmatched"}
    assert (result.uprn is not None) == (result.status == "matched")


# --- council address lists ----------------------------------------------------------------

COUNCIL = [
    _candidate(21, pao=_aon(3), street="CROWN AND ANCHOR LANE", postcode="NT5 5AA"),
    _candidate(22, pao=_aon(5), sao=_aon(text="TOP FLOOR FLAT"), postcode="NT5 5AB"),
    _candidate(23, pao=_aon(5), sao=_aon(text="GROUND FLOOR FLAT"), postcode="NT5 5AB"),
    _candidate(24, pao=_aon(9), sao=_aon(text="FLAT 1"), postcode="NT5 5AD"),
    _candidate(25, pao=_aon(9), sao=_aon(text="FLAT 2"), postcode="NT5 5AD"),
    _candidate(26, pao=_aon(12, text="ROSE COTTAGE"), street="MANOR CLOSE", postcode="NT5 5AE"),
    _candidate(27, pao=_aon(text="THE BARN"), street="MANOR CLOSE", postcode="NT5 5AE"),
    _candidate(28, pao=_aon(44, text="THE BARN"), street="MANOR CLOSE", postcode="NT5 5AE"),
    _candidate(29, pao=_aon(text="MANOR HOUSE"), street="MANOR CLOSE", postcode="NT5 5AE"),
    _candidate(30, pao=_aon(2), street="MANOR CLOSE", postcode="NT5 5AE"),
    _candidate(31, pao=matchcandidate.aon_from_fields(
        start=20, start_suffix=None, end=22, end_suffix=None, text=None), street="MILL ROW"),
    _candidate(32, pao=_aon(20), sao=_aon(2), street="MILL ROW"),
    _candidate(33, pao=_aon(7), street="MILL ROW", town="OLDTOWN", postcode="OT1 1AA"),
]  # fmt: skip


def _council(text: str) -> matching.MatchResult:
    return matching.match(addressparse.parse(text), COUNCIL, thresholds=THRESHOLDS)


@pytest.mark.parametrize(
    "text",
    [
        "3 CROWN AND ANCHOR LANE, NEWTOWN, EAST DEVON, DEVON, NT5 5AA",
        "3 CROWN & ANCHOR LANE, HEAVITREE, NEWTOWN, SOUTH HAMS, NT5 5AA",
        "C/O MRS J SMITH, 3 CROWN AND ANCHOR LN, NEWTOWN, NT5 5AA",
        "3,CROWN AND ANCHOR LANE,NEWTOWN,NORTH DEVON,nt55aa.",
        "NT5 5AA, 3 CROWN AND ANCHOR LANE, NEWTOWN",
        "3 CROWN AND ANCHOR LANE, NEWTOWN, EAST DEVON",  # administrative words, town agrees
    ],
)
def test_council_list_lines_with_administrative_noise_are_matched(text: str) -> None:
    result = _council(text)
    assert (result.status, result.uprn) == ("matched", 21)


@pytest.mark.parametrize(
    "text",
    [
        "3 CROWN AND ANCHOR LANE, NEWTOWN, SOUTH HAMS",  # a district line after the town
        "3 CROWN AND ANCHOR LANE, NEWTOWN, SOUTH HAMS, DEVON",
        "3 CROWN AND ANCHOR LANE, NEWTOWN, EAST RIDING OF YORKSHIRE",
    ],
)
def test_a_district_named_after_the_town_is_not_held_against_the_address(text: str) -> None:
    result = _council(text)
    assert (result.status, result.uprn) == ("matched", 21), result.blockers
    assert result.score == 0.99  # nothing held against it (one word left over: 0.92)
    # Nothing is left over, so an old postcode of the street's only district is outweighed.
    old = _district(f"{text}, NT5 9ZZ", 1)
    assert (old.status, old.uprn) == ("matched", 21), old.blockers


@pytest.mark.parametrize(
    "text",
    [
        # Before the town such words may be localities; two are held against the address.
        "3 CROWN AND ANCHOR LANE, SOUTH HAMS, WEST DART, NEWTOWN",
        "3 CROWN AND ANCHOR LANE, NEWTOWN, HAMS, DART",  # no administrative word before them
        "3 CROWN AND ANCHOR LANE, SOUTH HAMS",  # no town
        "4 CROWN AND ANCHOR LANE, NEWTOWN, SOUTH HAMS",  # no such house
        "3 CROWN AND ANCHOR LANE, NEWTOWN, SOUTH B",  # a lone letter may be a flat
    ],
)
def test_a_district_line_confirms_nothing_by_itself(text: str) -> None:
    assert _council(text).uprn is None


def test_noise_words_are_forgiven_only_where_the_place_is_confirmed() -> None:
    # Without the postcode, a stray locality is still held against the address.
    stray = _council("3 CROWN AND ANCHOR LANE, HEAVITREE, WHIPTON, NEWTOWN")
    assert stray.status == "review"
    # Words that may name a flat or a building are never forgiven.
    for text in (
        "3 CROWN AND ANCHOR LANE, NEWTOWN, ANNEXE, NT5 5AA",
        "3 CROWN AND ANCHOR LANE, NEWTOWN, IVY COURT, NT5 5AA",
    ):
        assert _council(text).status == "review", text


def test_a_wrong_house_number_stays_unmatched_whatever_the_noise() -> None:
    result = _council("4 CROWN AND ANCHOR LANE, NEWTOWN, EAST DEVON, DEVON, NT5 5AA")
    assert result.status != "matched"


def test_an_old_postcode_is_outweighed_by_street_number_and_town() -> None:
    assert _council("3 CROWN AND ANCHOR LANE, NEWTOWN, NT5 5ZZ").uprn == 21
    # Without the town nothing but a sector confirms the place.
    assert _council("3 CROWN AND ANCHOR LANE, NT5 5ZZ").status == "review"
    # Another sector of the district may be another street of that name in the town.
    assert _council("3 CROWN AND ANCHOR LANE, NEWTOWN, NT5 9ZZ").status == "review"
    # A postcode from another district still conflicts.
    assert _council("3 CROWN AND ANCHOR LANE, NEWTOWN, OT1 1AA").status != "matched"


def _district(text: str, places: int | None) -> matching.MatchResult:
    parsed = addressparse.parse(text)
    return matching.match(parsed, COUNCIL, thresholds=THRESHOLDS, district_places=places)


@pytest.mark.parametrize(
    "text",
    [
        "3 CROWN AND ANCHOR LANE, NEWTOWN, NT5 9ZZ",  # another sector, with the town
        "3 CROWN AND ANCHOR LANE, NT5 9ZZ",  # another sector, no town
        "3 CROWN AND ANCHOR LANE, NT5 5ZZ",  # the same sector, no town
        "3 CROWN AND ANCHOR LANE, NEWTOWN, EAST DEVON, DEVON, NT5 9ZZ",  # admin lines
    ],
)
def test_an_old_postcode_of_the_only_such_street_in_its_district_is_outweighed(text: str) -> None:
    result = _district(text, 1)
    assert (result.status, result.uprn) == ("matched", 21), result.blockers
    # Not known, or another place in the district has a street of that name: a person decides.
    assert _district(text, None).status == "review"
    assert _district(text, 2).status == "review"


def test_the_district_names_the_place_only_when_nothing_else_is_left_over() -> None:
    result = _district("3 CROWN AND ANCHOR LANE, NT5 9ZZ", 1)
    assert result.match_reason == "street+number+district"
    assert _district("3 CROWN AND ANCHOR LANE, NEWTOWN, NT5 9ZZ", 1).match_reason == (
        "street+number+town"
    )
    # A word left over may be the town of a same-named street the gazetteer lacks.
    assert _district("3 CROWN AND ANCHOR LANE, WHIPTON, NT5 9ZZ", 1).status == "review"
    assert _district("3 CROWN AND ANCHOR LANE, OLDTOWN, NT5 9ZZ", 1).status == "review"


@pytest.mark.parametrize(
    "text",
    [
        "4 CROWN AND ANCHOR LANE, NEWTOWN, NT5 9ZZ",  # no such house
        "FLAT 1, 3 CROWN AND ANCHOR LANE, NT5 9ZZ",  # no such flat
        "3A CROWN AND ANCHOR LANE, NT5 9ZZ",  # no such suffix
        "3 CROWN AND ANCHOR LANE, OT1 9ZZ",  # another district
        "3 CROWN AND ANCHR LANE, NT5 9ZZ",  # the street only partly agrees
        "3 CROWN AND ANCHOR LANE, NT1 1AA",  # another district, whose postcode holds a 3
    ],
)
def test_an_old_postcode_never_carries_a_doubtful_address(text: str) -> None:
    assert _district(text, 1).uprn is None


@pytest.mark.parametrize(
    ("text", "uprn"),
    [
        ("ROSE COTTAGE, MANOR CLOSE, NT5 9ZZ", 26),  # a name for its number
        ("THE BARN, MANOR CLOSE, NEWTOWN, NT5 9ZZ", 27),  # a house with no number
        ("MANOR HOUSE, MANOR CLOSE, NT5 9ZZ", 29),
    ],
)
def test_an_old_postcode_beside_a_house_name_is_outweighed(text: str, uprn: int) -> None:
    result = _district(text, 1)
    assert (result.status, result.uprn) == ("matched", uprn), result.blockers
    assert result.match_reason in {"name+district", "name+town"}
    assert _district(text, 2).status == "review"


@pytest.mark.parametrize(
    "text",
    [
        "IVY COTTAGE, MANOR CLOSE, NEWTOWN, NT5 9ZZ",  # no such house
        "ROSE, MANOR CLOSE, NEWTOWN, NT5 9ZZ",  # the name only partly agrees
        "THE BARN, MANOR CLOSE, NT5 5AA",  # the postcode holds a house of that name
    ],
)
def test_an_old_postcode_beside_a_doubtful_name_is_never_matched(text: str) -> None:
    candidates = [*COUNCIL, _candidate(35, pao=_aon(text="THE BARN"), postcode="NT5 5AA")]
    parsed = addressparse.parse(text)
    result = matching.match(parsed, candidates, thresholds=THRESHOLDS, district_places=1)
    assert result.uprn is None


def test_a_postcode_holding_the_typed_number_is_not_taken_for_an_old_one() -> None:
    candidates = [*COUNCIL, _candidate(34, pao=_aon(3), street="MILL ROW", postcode="NT5 9ZZ")]
    parsed = addressparse.parse("3 CROWN AND ANCHOR LANE, NT5 9ZZ")
    held = matching.match(parsed, candidates, thresholds=THRESHOLDS, district_places=1)
    assert held.status == "review"
    other = [*COUNCIL, _candidate(34, pao=_aon(8), street="MILL ROW", postcode="NT5 9ZZ")]
    free = matching.match(parsed, other, thresholds=THRESHOLDS, district_places=1)
    assert (free.status, free.uprn) == ("matched", 21)


@pytest.mark.parametrize(
    ("text", "uprn"),
    [
        ("TOP FLAT, 5 HIGH ST, NEWTOWN, NT5 5AB", 22),
        ("TFF 5 HIGH ST NEWTOWN NT5 5AB", 22),
        ("GFF, 5 HIGH STREET, NEWTOWN, NT5 5AB", 23),
        ("GROUND FLR FLAT 5 HIGH ST NEWTOWN", 23),
    ],
)
def test_floor_flats_written_with_or_without_floor(text: str, uprn: int) -> None:
    assert (_council(text).status, _council(text).uprn) == ("matched", uprn)


def test_an_annexe_is_matched_however_the_list_spells_it() -> None:
    house = _candidate(51, pao=_aon(14), street="MILL ROW")
    annexe = _candidate(52, pao=_aon(14), sao=_aon(text="THE ANNEXE"), street="MILL ROW")
    for text in ("ANNEX, 14 MILL ROW, NEWTOWN", "THE ANNEX 14 MILL ROW NT1 1AA"):
        result = matching.match(addressparse.parse(text), [house, annexe], thresholds=THRESHOLDS)
        assert (result.status, result.uprn) == ("matched", 52), text
    # A house without an annexe is not the annexe.
    alone = matching.match(addressparse.parse("ANNEX, 14 MILL ROW"), [house], thresholds=THRESHOLDS)
    assert alone.uprn is None


@pytest.mark.parametrize(
    "text",
    [
        "FIRST FLOOR FLAT, 5 HIGH ST, NEWTOWN, NT5 5AB",  # not a flat the building has
        "BASEMENT FLAT, 5 HIGH ST, NEWTOWN, NT5 5AB",
        "FLAT 3, 9 HIGH ST, NEWTOWN, NT5 5AD",
        "FLAT B, 9 HIGH ST, NEWTOWN, NT5 5AD",
        "FLAT 2 A, 9 HIGH ST, NEWTOWN, NT5 5AD",
        "FLAT 2A, 9 HIGH ST, NEWTOWN, NT5 5AD",
        "3 CROWN AND ANCHOR LANE, B, NEWTOWN, NT5 5AA",  # a lone letter: flat B?
        "FLAT 1, 3 CROWN AND ANCHOR LANE, NEWTOWN, NT5 5AA",  # a flat in a house
    ],
)
def test_a_flat_the_gazetteer_does_not_hold_is_never_matched(text: str) -> None:
    result = _council(text)
    assert result.status != "matched"
    assert result.uprn is None


def test_a_house_name_without_its_number_is_matched_by_the_name() -> None:
    assert _council("ROSE COTTAGE, MANOR CLOSE, NEWTOWN, NT5 5AE").uprn == 26
    assert _council("ROSE COTTAGE MANOR CLOSE NEWTOWN").uprn == 26
    assert _council("ROSE COTTAGE, 12 MANOR CLOSE, NT5 5AE").uprn == 26
    # A house of that name with no number is what the name alone means ...
    assert _council("THE BARN, MANOR CLOSE, NEWTOWN, NT5 5AE").uprn == 27
    assert _council("THE BARN, 44 MANOR CLOSE, NEWTOWN, NT5 5AE").uprn == 28
    # ... and a name that resembles the street is still the house.
    assert _council("MANOR HOUSE, MANOR CLOSE, NEWTOWN, NT5 5AE").uprn == 29
    assert _council("IVY COTTAGE, MANOR CLOSE, NEWTOWN, NT5 5AE").status != "matched"


@pytest.mark.parametrize(
    ("text", "uprn"),
    [
        ("20-22 MILL ROW, NEWTOWN, NT1 1AA", 31),
        ("20 - 22 MILL ROW, NEWTOWN, NT1 1AA", 31),
        ("20/22 MILL ROW, NEWTOWN, NT1 1AA", 31),
        ("2/20 MILL ROW, NEWTOWN, NT1 1AA", 32),
        ("20/2 MILL ROW, NEWTOWN, NT1 1AA", 32),
        ("FLAT 2 20 MILL ROW NEWTOWN NT1 1AA", 32),
        ("NO. 7 MILL ROW, OLDTOWN", 33),
        ("NO7 MILL ROW, OLDTOWN", 33),
    ],
)
def test_ranges_slashes_and_number_words(text: str, uprn: int) -> None:
    assert (_council(text).status, _council(text).uprn) == ("matched", uprn)


def test_a_range_never_matches_one_of_its_numbers_automatically() -> None:
    assert _council("21 MILL ROW, NEWTOWN, NT1 1AA").status == "review"
    assert _council("20/21 MILL ROW, NEWTOWN, NT1 1AA").status != "matched"


@st.composite
def _council_noise(draw: st.DrawFn, label: str) -> str:
    """``label`` as a council list holds it: a C/O line, district and county lines, upper case."""
    *body, postcode = label.split(", ")
    admin = draw(st.lists(st.sampled_from(ms.ADMIN_LINES), max_size=2))
    lines = [*body, *admin, postcode]
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from(ms.CARE_OF_LINES)))
    return draw(st.sampled_from(ms.SEPARATORS)).join(lines).upper()


@settings(max_examples=100, deadline=None)
@given(_gazetteers(), st.data())
def test_council_noise_keeps_the_address_first_and_a_wrong_number_unmatched(
    candidates: list[matching.CandidateAddress], data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(candidates))
    noisy = data.draw(_council_noise(target.label))
    result = matching.match(addressparse.parse(noisy), candidates, thresholds=THRESHOLDS)
    assert result.candidates[0].candidate.uprn == target.uprn
    assert result.uprn in {None, target.uprn}
    taken = {c.pao.number for c in candidates}
    other = data.draw(st.integers(min_value=1, max_value=60).filter(lambda n: n not in taken))
    wrong = noisy.replace(f"{target.pao.range_text()} ", f"{other} ", 1)
    assert matching.match(addressparse.parse(wrong), candidates, thresholds=THRESHOLDS).uprn is None


FARMS = [
    _candidate(41, pao=_aon(text="HILL FARM"), street="MOOR LANE", postcode="NT5 9AR"),
    _candidate(42, pao=_aon(text="LOWER HILL FARM"), street="MOOR LANE", postcode="NT5 9AR"),
    _candidate(43, pao=_aon(text="MOOR FARM"), street="MOOR LANE", postcode="NT5 9AR"),
    _candidate(44, pao=_aon(2), street="MOOR LANE", postcode="NT5 9AR"),
    _candidate(45, pao=_aon(text="MOOR FARM"), street="MOOR LANE", town="OLDTOWN",
               postcode="OT1 9AR"),
]  # fmt: skip


def _farm(text: str, candidates: list[matching.CandidateAddress] = FARMS) -> matching.MatchResult:
    return matching.match(addressparse.parse(text), candidates, thresholds=THRESHOLDS)


@pytest.mark.parametrize(
    ("text", "uprn"),
    [
        ("MOOR FARM, NEWTOWN, NT5 9AR", 43),  # the name shares a word with its street
        ("MOOR FARM, NEWTOWN, EAST DEVON, NT5 9AR", 43),
        ("HILL FARM, NEWTOWN, NT5 9AR", 41),
        ("LOWER HILL FARM, NT5 9AR", 42),
        ("MOOR FARM, MOOR LANE, NEWTOWN", 43),
    ],
)
def test_a_house_named_at_its_postcode_needs_no_street(text: str, uprn: int) -> None:
    result = _farm(text)
    assert (result.status, result.uprn) == ("matched", uprn), result.blockers


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("MOOR FARM, NEWTOWN", FARMS),  # no postcode: two towns have a MOOR FARM
        ("MOOR FARM, NEWTOWN, NT5 9AB", FARMS),  # not its postcode
        ("ANNEXE, MOOR FARM, NEWTOWN, NT5 9AR", FARMS),  # a part the gazetteer lacks
        ("HIGHER MOOR FARM, NEWTOWN, NT5 9AR", FARMS),  # a word of the name left over
        ("LOWER HILL FARM, NEWTOWN, NT5 9AR", [FARMS[0], FARMS[2]]),  # only HILL FARM held
        ("HILL FARM, NEWTOWN, NT5 9AR", FARMS[1:]),  # only LOWER HILL FARM held
        ("3 MOOR LANE, NEWTOWN, NT5 9AR", FARMS),  # a number the lane lacks
    ],
)
def test_a_name_without_its_street_never_carries_a_doubtful_address(
    text: str, held: list[matching.CandidateAddress]
) -> None:
    assert _farm(text, held).uprn is None


def _district_places(candidates: list[matching.CandidateAddress], street: str, outward: str) -> int:
    """What the index tells the matcher: places with a street of that name in the district."""
    towns = {
        c.town
        for c in candidates
        if c.street == street and c.postcode and c.postcode.split()[0] == outward
    }
    return min(2, len(towns))


@settings(max_examples=100, deadline=None)
@given(_gazetteers(), st.data())
def test_an_old_postcode_never_matches_another_address(
    candidates: list[matching.CandidateAddress], data: st.DataObject
) -> None:
    """The target's label with a postcode of another sector of its district (one no candidate
    has), with or without its town: matched to the target or to nobody, and with a house
    number no candidate has, to nobody."""
    target = data.draw(st.sampled_from(candidates))
    assert target.postcode is not None and target.street is not None
    *body, town, postcode = target.label.split(", ")
    outward = postcode.split()[0]
    lines = [*body, town] if data.draw(st.booleans()) else body
    text = ", ".join([*lines, f"{outward} 9ZZ"])
    places = _district_places(candidates, target.street, outward)
    result = matching.match(
        addressparse.parse(text), candidates, thresholds=THRESHOLDS, district_places=places
    )
    assert result.uprn in {None, target.uprn}
    taken = {c.pao.number for c in candidates}
    other = data.draw(st.integers(min_value=1, max_value=60).filter(lambda n: n not in taken))
    wrong = text.replace(f"{target.pao.range_text()} ", f"{other} ", 1)
    parsed = addressparse.parse(wrong)
    assert (
        matching.match(parsed, candidates, thresholds=THRESHOLDS, district_places=places).uprn
        is None
    )


@settings(max_examples=100, deadline=None)
@given(_gazetteers(), st.data())
def test_an_old_postcode_never_matches_an_address_the_gazetteer_lacks(
    candidates: list[matching.CandidateAddress], data: st.DataObject
) -> None:
    """An address held back from a street whose town still has other houses on it, typed
    without its town and with an old postcode: another place's street of that name in the
    district may have its number, but nothing may be matched."""
    target = data.draw(st.sampled_from(candidates))
    held = [c for c in candidates if c.uprn != target.uprn]
    assert target.postcode is not None and target.street is not None
    *body, _, postcode = target.label.split(", ")
    outward = postcode.split()[0]
    neighbours = [
        c
        for c in held
        if (c.street, c.town) == (target.street, target.town)
        and (c.postcode or "").startswith(f"{outward} ")
    ]
    assume(neighbours)
    places = _district_places(held, target.street, outward)
    text = ", ".join([*body, f"{outward} 9ZZ"])
    result = matching.match(
        addressparse.parse(text), held, thresholds=THRESHOLDS, district_places=places
    )
    assert result.uprn is None, (text, result.candidates[0].candidate.label)
