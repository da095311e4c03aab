"""The ABP classification code list and its prefix fallback (gazetteer-standards §2.9)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gazetteer import classification


def test_the_whole_scheme_ships_with_the_package() -> None:
    entries = classification.entries()
    assert len(entries) == 563
    by_length = [sum(len(code) == n for code in entries) for n in (1, 2, 4, 6)]
    assert by_length == [9, 62, 227, 265]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("R", "Residential"),
        ("RD04", "Terraced"),
        ("rd04", "Terraced"),
        ("RD06", "Self Contained Flat (Includes Maisonette / Apartment)"),
        ("CO01EM", "Embassy /, High Commission / Consulate"),
        ("PS", "Street Record"),
        ("RD05", "Dwelling"),  # not in the scheme: falls back to its secondary code
        ("CO01ZZ", "Office / Work Studio"),  # unknown quaternary: its tertiary parent
        ("Q", None),
        ("", None),
        (None, None),
    ],
)
def test_descriptions_fall_back_to_the_longest_listed_prefix(
    code: str | None, expected: str | None
) -> None:
    assert classification.description(code) == expected


def test_an_entry_names_each_level() -> None:
    entry = classification.lookup("RI02RC")
    assert entry is not None
    assert (entry.primary, entry.secondary, entry.tertiary, entry.quaternary) == (
        "Residential",
        "Residential Institution",
        "Communal Residence",
        "Religious Community",
    )


@given(st.sampled_from(sorted(classification.entries())), st.text("ABCXYZ0123", max_size=4))
def test_any_extension_of_a_listed_code_describes_as_a_listed_prefix(code: str, tail: str) -> None:
    entry = classification.lookup(code + tail)
    assert entry is not None
    assert (code + tail).startswith(entry.code)
    assert len(entry.code) >= len(code)
