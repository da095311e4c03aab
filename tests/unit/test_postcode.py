"""Postcodes (gazetteer-standards §7): normalisation, the govtalk pattern and the parts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer import errors, postcode
from tests import strategies

CODE_POINT_EX = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "codepoint-open-ex" / "ex.csv"
)


def _code_point_postcodes() -> list[str]:
    with CODE_POINT_EX.open(newline="", encoding="utf-8") as handle:
        return [row[0] for row in csv.reader(handle)]


def test_every_code_point_ex_postcode_normalises_to_a_pattern_match() -> None:
    """Real Code-Point Open data (read only): fixed-width forms such as EX100AA and EX1 1AE."""
    raw = _code_point_postcodes()
    assert len(raw) > 20_000
    normalised = [postcode.normalise(value) for value in raw]
    failures = [
        value
        for value, normal in zip(raw, normalised, strict=True)
        if normal is None or not postcode.matches(normal)
    ]
    assert failures == []
    assert "EX10 0AA" in normalised
    assert all(
        postcode.parse(value) == normal for value, normal in zip(raw, normalised, strict=True)
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("EX100AA", "EX10 0AA"),
        ("EX1 1AE", "EX1 1AE"),
        (" ex1  1ae ", "EX1 1AE"),
        ("sw1a\t1aa", "SW1A 1AA"),
        ("GIR0AA", "GIR 0AA"),
        ("M11AE", "M1 1AE"),
        ("EX1", None),  # too short
        ("EX11", None),
        ("EX11A", "EX 11A"),  # the length rule alone: the pattern then refuses it
        ("EX100AAA", None),  # too long
        ("", None),
    ],
)
def test_normalise(raw: str, expected: str | None) -> None:
    assert postcode.normalise(raw) == expected


@pytest.mark.parametrize(
    "value",
    ["EX1 1AE", "EX10 0AA", "SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "GIR 0AA"],
)
def test_valid_shapes_match(value: str) -> None:
    assert postcode.matches(value)
    assert postcode.is_valid(value)


@pytest.mark.parametrize(
    "value",
    [
        "EX1 1AC",  # C is never an inward letter
        "EX1 1IA",
        "EX1 1AK",
        "EX1 1MA",
        "EX1 1AO",
        "EX1 1VA",
        "1X1 1AA",  # the area is letters
        "EXX1 1AA",  # at most two area letters
        "EX1 AAA",  # the inward code starts with a digit
        "EX1 1AE\n",  # a whole match: `$` alone would allow the newline
        "EX 11A",
    ],
)
def test_invalid_shapes_do_not_match(value: str) -> None:
    assert not postcode.matches(value)


def test_parse_refuses_with_a_stable_code() -> None:
    with pytest.raises(errors.InvalidPostcode) as raised:
        postcode.parse("EX1 1AC")
    assert raised.value.code == "invalid_postcode"


def test_parts() -> None:
    parts = postcode.parts("ex100aa")
    assert parts == postcode.PostcodeParts(
        outward="EX10", inward="0AA", sector="EX10 0", district="EX10", area="EX"
    )
    assert postcode.parts("SW1A 1AA").area == "SW"


@settings(max_examples=200)
@given(st.text(max_size=12) | strategies.postcodes().map(str.lower))
def test_normalise_is_idempotent(raw: str) -> None:
    normal = postcode.normalise(raw)
    if normal is not None:
        assert postcode.normalise(normal) == normal
        assert postcode.is_valid(normal) == postcode.is_valid(raw)


@settings(max_examples=200)
@given(strategies.postcodes(), st.sampled_from(["", " ", "  "]))
def test_generated_postcodes_match_in_any_spacing(value: str, gap: str) -> None:
    assert postcode.matches(value)
    squashed = value.replace(" ", gap).lower()
    assert postcode.parse(squashed) == value


@st.composite
def inward_letters_with_an_excluded_one(draw: st.DrawFn) -> str:
    excluded = draw(st.sampled_from(strategies.POSTCODE_EXCLUDED_LETTERS))
    other = draw(st.sampled_from(strategies.LETTERS))
    return draw(st.sampled_from([excluded + other, other + excluded]))


@settings(max_examples=200)
@given(strategies.postcode_outwards(), st.integers(0, 9), inward_letters_with_an_excluded_one())
def test_inward_letters_c_i_k_m_o_v_never_match(outward: str, digit: int, letters: str) -> None:
    value = f"{outward} {digit}{letters}"
    assert not postcode.matches(value)
    assert not postcode.is_valid(value)
    with pytest.raises(errors.InvalidPostcode):
        postcode.parse(value)
