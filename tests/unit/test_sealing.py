"""Sealed secrets: what goes in comes out under the same key, and under no other."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from core import sealing

KEY = sealing.derive_key("a-deployment-secret")
OTHER = sealing.derive_key("another-deployment-secret")


@given(st.text(max_size=600))
def test_a_sealed_value_opens_to_its_plaintext_and_shows_none_of_it(plaintext: str) -> None:
    sealed = sealing.seal(plaintext, KEY)
    assert sealed.startswith(sealing.PREFIX) and sealed.isascii()
    assert sealing.unseal(sealed, KEY) == plaintext
    if len(plaintext) >= 8:
        assert plaintext not in sealed


def test_each_seal_is_fresh() -> None:
    assert sealing.seal("whsec_same", KEY) != sealing.seal("whsec_same", KEY)


def test_another_key_or_a_changed_byte_is_refused_not_misread() -> None:
    sealed = sealing.seal("whsec_c2VjcmV0", KEY)
    with pytest.raises(sealing.SealedValueUnreadable, match="ADDRESSHUB_SECRET_KEY"):
        sealing.unseal(sealed, OTHER)
    body = sealed[len(sealing.PREFIX) :]
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    with pytest.raises(sealing.SealedValueUnreadable):
        sealing.unseal(sealing.PREFIX + flipped, KEY)
    with pytest.raises(sealing.SealedValueUnreadable):
        sealing.unseal(sealing.PREFIX + "!!not base64", KEY)


def test_a_value_stored_before_sealing_reads_as_it_is() -> None:
    assert sealing.unseal("whsec_c2VjcmV0", KEY) == "whsec_c2VjcmV0"


def test_the_key_follows_the_deployment_secret() -> None:
    assert len(KEY) == 32
    assert sealing.derive_key("a-deployment-secret") == KEY != OTHER


def test_a_column_value_that_looks_sealed_is_sealed_all_the_same() -> None:
    column = sealing.Sealed(200)
    dialect = sqlite.dialect()
    stored = column.process_bind_param("sealed:v1:partner-chosen", dialect)
    assert stored is not None and stored != "sealed:v1:partner-chosen"
    assert column.process_result_value(stored, dialect) == "sealed:v1:partner-chosen"
