"""The per-process cache of verified API keys: kept for its seconds, then read again."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from api.keys import cache, domain

START = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
AGENT = domain.Principal(role=domain.Role.AGENT, key_id="k1")
ADMIN = domain.Principal(role=domain.Role.ADMIN, key_id="k2")


def test_a_verified_key_is_kept_until_its_seconds_have_passed() -> None:
    known = cache.PrincipalCache(seconds=5)
    known.put("ah_a_1", AGENT, now=START)
    assert known.get("ah_a_1", now=START + dt.timedelta(seconds=4.999)) == AGENT
    assert known.get("ah_a_1", now=START + dt.timedelta(seconds=5)) is None
    assert known.get("ah_a_1", now=START) is None  # an expired entry is gone for good


def test_keys_are_told_apart_and_only_the_presented_key_matches() -> None:
    known = cache.PrincipalCache(seconds=5)
    known.put("ah_a_1", AGENT, now=START)
    known.put("ah_b_2", ADMIN, now=START)
    assert known.get("ah_b_2", now=START) == ADMIN
    assert known.get("ah_a_2", now=START) is None
    assert known.get("ah_a_1 ", now=START) is None


def test_zero_seconds_keeps_nothing() -> None:
    known = cache.PrincipalCache(seconds=0)
    known.put("ah_a_1", AGENT, now=START)
    assert not known.enabled
    assert known.get("ah_a_1", now=START) is None


def test_a_clock_set_back_does_not_extend_an_entry() -> None:
    known = cache.PrincipalCache(seconds=5)
    known.put("ah_a_1", AGENT, now=START)
    assert known.get("ah_a_1", now=START - dt.timedelta(hours=1)) is None


def test_a_full_cache_starts_again_rather_than_growing() -> None:
    known = cache.PrincipalCache(seconds=5, max_entries=2)
    for n in range(3):
        known.put(f"ah_{n}", AGENT, now=START)
    assert [known.get(f"ah_{n}", now=START) for n in range(3)] == [None, None, AGENT]


@settings(max_examples=100)
@given(
    seconds=st.floats(min_value=0.001, max_value=300),
    elapsed=st.floats(min_value=0, max_value=600),
)
def test_an_entry_lives_exactly_its_seconds(seconds: float, elapsed: float) -> None:
    known = cache.PrincipalCache(seconds=seconds)
    known.put("ah_a_1", AGENT, now=START)
    later = START + dt.timedelta(seconds=elapsed)
    alive = later < START + dt.timedelta(seconds=seconds)
    assert (known.get("ah_a_1", now=later) == AGENT) is alive
