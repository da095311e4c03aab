"""What a match result means for a move's address (pure): a confident match is used, anything
less on the new side waits for the custodian, and the old side falls back to text."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.schemas import moves as move_schemas
from gazetteer import addressparse, matching
from notify import address_input
from tests import strategies as s

QUERY = addressparse.parse("7 mill lane")
TYPED = "Q7Q MARKER ROAD"  # never a gazetteer label below


@st.composite
def match_results(draw: st.DrawFn) -> matching.MatchResult:
    status = draw(st.sampled_from(["matched", "review", "unmatched"]))
    uprns = draw(st.lists(s.uprns, max_size=8, unique=True))
    candidates = tuple(
        matching.ScoredCandidate(
            candidate=matching.CandidateAddress(uprn=u, source="lpi", label=f"{i} MILL LANE"),
            score=draw(st.floats(min_value=0, max_value=1)),
            evidence=(),
            match_reason="partial",
            blockers=(),
        )
        for i, u in enumerate(uprns)
    )
    chosen = uprns[0] if status == "matched" and uprns else None
    return matching.MatchResult(
        query=QUERY,
        status=status,
        uprn=chosen,
        score=draw(st.floats(min_value=0, max_value=1)),
        margin=draw(st.floats(min_value=0, max_value=1)),
        match_reason="exact label" if chosen else None,
        candidates=candidates,
    )


@settings(max_examples=150)
@given(
    result=match_results(),
    side=st.sampled_from(["new", "old"]),
    not_listed=st.booleans(),
)
def test_only_a_confident_match_gives_a_uprn(
    result: matching.MatchResult, side: address_input.Side, not_listed: bool
) -> None:
    typed = address_input.AddressInput(text=TYPED, not_listed=not_listed)
    resolved = address_input.decide(typed, result, side=side)
    confident = result.status == "matched" and result.uprn is not None and not not_listed
    assert (resolved.uprn is not None) == confident
    assert resolved.uprn in (None, result.uprn)
    assert resolved.pending == (side == "new" and not confident)  # never routed on a guess
    assert (resolved.text == TYPED) == (not confident)  # the old side may stay text
    if resolved.pending:
        assert resolved.interim == ("not_listed" if not_listed else "no_confident_match")
    evidence = resolved.evidence
    assert (evidence["status"], evidence["candidate_count"]) == (
        result.status,
        len(result.candidates),
    )
    assert len(evidence["candidates"]) <= address_input.CANDIDATES_KEPT
    assert TYPED not in json.dumps(evidence)  # the typed text is kept apart from the evidence


def test_lines_and_postcode_make_one_text() -> None:
    typed = address_input.AddressInput(
        text=" ", lines=("Flat 2", " 7 Mill Lane "), postcode="NT1 1AA"
    )
    assert typed.as_text() == "Flat 2, 7 Mill Lane, NT1 1AA"


def test_the_custodian_choice_keeps_the_matcher_evidence() -> None:
    earlier = {"status": "review", "candidates": [{"uprn": 5}], "chosen_by": None}
    chosen = address_input.custodian_evidence(earlier, uprn=7, actor="key-1")
    assert chosen["candidates"] == [{"uprn": 5}]
    assert (chosen["status"], chosen["uprn"], chosen["chosen_by"]) == ("matched", 7, "custodian")
    assert earlier["status"] == "review"  # not changed in place


BASE = {
    "person": {"given_name": "Ada", "family_name": "Lovelace"},
    "move_date": "2025-03-14",
}


@pytest.mark.parametrize(
    "addresses",
    [
        {},
        {"new_uprn": 10091234567, "new_address": {"text": "2 Mill Lane"}},
        {"new_address": {"text": "  "}},
        {"new_address": {"text": "2 Mill Lane", "latitude": 50.7}},
        {"new_uprn": 10091234567, "old_uprn": 1, "old_address": {"text": "1 Mill Lane"}},
    ],
)
def test_each_address_is_a_uprn_or_text_not_both(addresses: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"address|latitude|give"):
        move_schemas.MoveCreate.model_validate(BASE | addresses)


def test_a_typed_new_address_is_enough() -> None:
    body = move_schemas.MoveCreate.model_validate(
        BASE | {"new_address": {"lines": ["2 Mill Lane"], "postcode": "NT1 1AA"}}
    )
    assert body.new_uprn is None and body.new_address is not None
