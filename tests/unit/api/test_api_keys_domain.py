"""API keys as pure values: format, keyed hash, bindings."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.keys import domain
from api.keys.errors import InvalidKeyBinding

PEPPER = b"test-pepper"
HEX = "0123456789abcdef"

prefixes = st.text(alphabet=HEX, min_size=12, max_size=12)
secrets = st.text(alphabet=HEX, min_size=64, max_size=64)


@settings(max_examples=100)
@given(prefixes, secrets)
def test_format_and_parse_round_trip(prefix: str, secret: str) -> None:
    parts = domain.KeyParts(prefix=prefix, secret=secret)
    text = domain.format_key(parts)
    assert text.startswith("ah_")
    assert domain.parse_key(text) == parts


def test_new_keys_are_well_formed_and_distinct() -> None:
    keys = {domain.format_key(domain.new_key_parts()) for _ in range(50)}
    assert len(keys) == 50
    assert all(domain.parse_key(key) is not None for key in keys)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ah_",
        "ah_abc_def",
        "xx_" + "a" * 12 + "_" + "b" * 64,
        "ah_" + "a" * 12 + "_" + "b" * 63,
        "ah_" + "A" * 12 + "_" + "b" * 64,
        "ah_" + "a" * 12 + "_" + "b" * 64 + "\n",
    ],
)
def test_malformed_keys_do_not_parse(text: str) -> None:
    assert domain.parse_key(text) is None


@settings(max_examples=100)
@given(prefixes, secrets, st.data())
def test_only_the_exact_key_matches_its_hash(prefix: str, secret: str, data: st.DataObject) -> None:
    key = domain.format_key(domain.KeyParts(prefix=prefix, secret=secret))
    stored = domain.hash_key(key, pepper=PEPPER)
    assert domain.key_matches(key, stored, pepper=PEPPER)
    position = data.draw(st.integers(min_value=3, max_value=len(key) - 1))
    replacement = data.draw(st.sampled_from(HEX).filter(lambda c: c != key[position]))
    if key[position] == "_":
        return
    altered = key[:position] + replacement + key[position + 1 :]
    assert not domain.key_matches(altered, stored, pepper=PEPPER)


def test_the_hash_depends_on_the_pepper_and_hides_the_key() -> None:
    key = domain.format_key(domain.new_key_parts())
    stored = domain.hash_key(key, pepper=PEPPER)
    assert len(stored) == 64
    assert key not in stored and key.split("_")[2] not in stored
    assert stored != domain.hash_key(key, pepper=b"another-pepper")
    assert not domain.key_matches(key, stored, pepper=b"another-pepper")


@pytest.mark.parametrize(
    ("role", "partner", "submission", "ok"),
    [
        (domain.Role.PARTNER, "partner-1", None, True),
        (domain.Role.PARTNER, None, None, False),
        (domain.Role.PARTNER, "", None, False),
        (domain.Role.PARTNER, "partner-1", "sub-1", False),
        (domain.Role.CITIZEN, None, "sub-1", True),
        (domain.Role.CITIZEN, None, None, False),
        (domain.Role.CITIZEN, "partner-1", "sub-1", False),
        (domain.Role.ADMIN, None, None, True),
        (domain.Role.ADMIN, "partner-1", None, False),
        (domain.Role.CUSTODIAN, None, "sub-1", False),
        (domain.Role.AGENT, None, None, True),
        (domain.Role.DPO, None, None, True),
    ],
)
def test_bindings(role: domain.Role, partner: str | None, submission: str | None, ok: bool) -> None:
    if ok:
        domain.check_binding(role=role, partner_id=partner, submission_ref=submission)
    else:
        with pytest.raises(InvalidKeyBinding):
            domain.check_binding(role=role, partner_id=partner, submission_ref=submission)


def test_use_is_recorded_at_most_once_a_minute() -> None:
    now = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    assert domain.should_record_use(last_used_at=None, now=now)
    assert not domain.should_record_use(last_used_at=now - dt.timedelta(seconds=59), now=now)
    assert domain.should_record_use(last_used_at=now - dt.timedelta(seconds=60), now=now)


def test_a_key_names_its_principal() -> None:
    created = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    key = domain.ApiKey(
        id="k1",
        prefix="abcdef012345",
        role=domain.Role.PARTNER,
        partner_id="p1",
        submission_ref=None,
        label=None,
        created_at=created,
        last_used_at=None,
        revoked_at=None,
    )
    assert key.is_active
    assert key.principal() == domain.Principal(
        role=domain.Role.PARTNER, key_id="k1", partner_id="p1", submission_id=None
    )
