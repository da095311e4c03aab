"""``formatting.text.clean`` (split and join) against the regular expression it replaced."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer.formatting import text

REFERENCE = re.compile(r"\s+")
SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def _reference(value: str | None) -> str:
    return REFERENCE.sub(" ", value).strip() if value else ""


def test_str_split_and_the_pattern_agree_on_every_whitespace_character() -> None:
    single = re.compile(r"\s")
    differ = [
        c for c in range(sys.maxunicode + 1) if bool(single.fullmatch(chr(c))) != chr(c).isspace()
    ]
    assert differ == []
    assert len(SPACES) > 20  # the Unicode spaces, not only ASCII ones


@settings(max_examples=200)
@given(st.none() | st.text(alphabet=st.sampled_from([*SPACES, "A", "b", "1", "-", ",", "'"])))
def test_clean_equals_the_regular_expression(value: str | None) -> None:
    assert text.clean(value) == _reference(value)


@settings(max_examples=100)
@given(st.text())
def test_clean_equals_the_regular_expression_on_any_text(value: str) -> None:
    assert text.clean(value) == _reference(value)
