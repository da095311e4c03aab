"""A label's canonical text assembled from its lines equals the text computed whole."""

from __future__ import annotations

from hypothesis import given, settings

from gazetteer import addressparse, labeltext, search_facts
from gazetteer.matchevidence import label_key
from tests import strategies


@settings(max_examples=150)
@given(lines=strategies.label_lines())
def test_the_text_from_the_lines_is_the_text_of_the_whole_label(lines: list[str]) -> None:
    assert labeltext.of_lines(lines) == labeltext.plain(", ".join(lines))


@settings(max_examples=100)
@given(lines=strategies.label_lines())
def test_the_text_is_the_first_half_of_the_parse(lines: list[str]) -> None:
    label = ", ".join(lines)
    parsed = addressparse.parse(label)
    text = labeltext.of_lines(lines)
    assert text.parsed.normalised == parsed.normalised
    assert label_key(text.parsed) == label_key(parsed)
    assert text.tokens == search_facts.tokens_of(parsed.normalised)


def test_a_lone_letter_at_a_line_edge_takes_the_whole_label() -> None:
    """``10, A, HIGH ST``: the letter joins the number across the commas (10A)."""
    lines = ["10", "A", "HIGH ST", "EX1 1AB"]
    text = labeltext.of_lines(lines)
    assert text.parsed.normalised == "10A HIGH STREET EX1 1AB"
    assert "10A" in text.tokens and "10" in text.tokens


def test_a_postcode_line_is_moved_to_the_end_and_read_once() -> None:
    text = labeltext.of_lines(["FLAT 2", "ST MARY'S RD", "ST IVES", "ex1 1ab"])
    assert text.parsed.normalised == "FLAT 2 SAINT MARYS ROAD SAINT IVES EX1 1AB"
    assert text.parsed.postcode == "EX1 1AB"
    assert text.tokens >= {"FLAT", "2", "SAINT", "MARYS", "ROAD", "IVES", "EX1", "1AB"}


def test_a_number_led_line_is_the_number_and_its_street_unless_they_join() -> None:
    for lines, normalised in (
        (["12 ST MARY'S RD", "EX1 1AB"], "12 SAINT MARYS ROAD EX1 1AB"),
        (["12 A HIGH ST", "EX1 1AB"], "12A HIGH STREET EX1 1AB"),
        (["12 -14 HIGH ST", "EX1 1AB"], "12-14 HIGH STREET EX1 1AB"),
        (["1ST FLOOR", "2 HIGH ST", "EX1 1AB"], "FIRST FLOOR 2 HIGH STREET EX1 1AB"),
    ):
        text = labeltext.of_lines(lines)
        assert text == labeltext.plain(", ".join(lines))
        assert text.parsed.normalised == normalised
