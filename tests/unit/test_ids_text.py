"""Ids are written as the standard library writes the same UUID."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from core import ids


@given(millis=st.integers(0, 2**50), rand=st.integers(0, 2**80 - 1))
def test_uuid7_text_is_the_standard_text_of_the_same_uuid(millis: int, rand: int) -> None:
    value = (millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62 | rand & ((1 << 62) - 1)
    expected = uuid.UUID(int=value)
    assert ids.uuid7_text(millis, rand) == str(expected)
    assert expected.version == 7 and expected.variant == uuid.RFC_4122
