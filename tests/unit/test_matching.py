"""Candidate scoring and the matched / review / unmatched decision."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer import addressparse, matching
from gazetteer.addresstokens import AonParts

THRESHOLDS = matching.Thresholds()


def _aon(number: int | None = None, suffix: str | None = None, text: str | None = None) -> AonParts:
    return matching.aon_from_fields(
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
    return matching.make_candidate(
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
