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


@given(millis=st.integers(0, 2**50), rands=st.lists(st.integers(0, 2**80 - 1), max_size=5))
def test_ids_minted_together_are_those_minted_one_by_one(millis: int, rands: list[int]) -> None:
    digits = "".join(f"{r:020x}" for r in rands)
    assert ids.uuid7_texts(millis, digits) == [ids.uuid7_text(millis, r) for r in rands]


def test_new_ids_are_distinct_version_7_uuids_of_now() -> None:
    before = uuid.UUID(ids.new_id()).int >> 80
    minted = ids.new_ids(100)
    after = uuid.UUID(ids.new_id()).int >> 80
    assert len(set(minted)) == 100
    for text in minted:
        value = uuid.UUID(text)
        assert str(value) == text and value.version == 7 and value.variant == uuid.RFC_4122
        assert before <= value.int >> 80 <= after
