"""The §6.5 retry schedule: jittered, monotone, bounded, eight attempts over about 27 hours."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notify import backoff
from tests import delivery_strategies as ds

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


class Constant:
    """A jitter source that always draws the same fraction of the [a, b] interval."""

    def __init__(self, fraction: float) -> None:
        self.fraction = fraction

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.fraction


@settings(max_examples=200)
@given(attempt=ds.failed_attempts, retry_after=ds.retry_afters, seed=ds.seeds)
def test_every_delay_lies_inside_the_jitter_band_and_honours_retry_after(
    attempt: int, retry_after: dt.timedelta | None, seed: int
) -> None:
    due = backoff.next_attempt(attempt, NOW, retry_after, random.Random(seed))
    nominal = backoff.nominal_delay(attempt)
    if nominal is None:
        assert due is None
        return
    assert due is not None
    wait = due - NOW
    floor = max(nominal * 0.8, backoff.MIN_DELAY)
    if retry_after is not None:
        floor = max(floor, min(retry_after, backoff.RETRY_AFTER_CAP))
    assert floor <= wait
    assert wait <= max(nominal * 1.2, min(retry_after or dt.timedelta(0), 24 * HOUR))


@settings(max_examples=100)
@given(fraction=st.floats(0, 1), retry_after=ds.retry_afters)
def test_delays_never_shrink_from_one_attempt_to_the_next(
    fraction: float, retry_after: dt.timedelta | None
) -> None:
    rng = Constant(fraction)
    waits = [
        backoff.delay(n, retry_after=retry_after, rng=rng) for n in range(1, backoff.MAX_ATTEMPTS)
    ]
    assert all(w is not None for w in waits)
    assert waits == sorted(w for w in waits if w is not None)


@settings(max_examples=100)
@given(
    attempt=st.integers(1, 7),
    low=ds.retry_afters,
    extra=st.timedeltas(dt.timedelta(0), dt.timedelta(hours=30)),
    fraction=st.floats(0, 1),
)
def test_a_longer_retry_after_never_brings_the_next_attempt_forward(
    attempt: int, low: dt.timedelta | None, extra: dt.timedelta, fraction: float
) -> None:
    high = (low or dt.timedelta(0)) + extra
    first = backoff.delay(attempt, retry_after=low, rng=Constant(fraction))
    second = backoff.delay(attempt, retry_after=high, rng=Constant(fraction))
    assert first is not None and second is not None
    assert first <= second


@settings(max_examples=100)
@given(seed=ds.seeds)
def test_eight_attempts_span_about_twenty_seven_hours_then_dead(seed: int) -> None:
    rng = random.Random(seed)
    at, attempts = NOW, 1
    while (due := backoff.next_attempt(attempts, at, None, rng)) is not None:
        at, attempts = due, attempts + 1
    assert attempts == backoff.MAX_ATTEMPTS == 8
    nominal_total = dt.timedelta(hours=27, minutes=35, seconds=5)
    assert nominal_total * 0.8 <= at - NOW <= nominal_total * 1.2


@settings(max_examples=50)
@given(attempt=st.integers(1, 7), scale=st.floats(1e-4, 1), seed=ds.seeds)
def test_time_scale_compresses_the_whole_schedule(attempt: int, scale: float, seed: int) -> None:
    full = backoff.delay(attempt, retry_after=None, rng=random.Random(seed))
    short = backoff.delay(attempt, retry_after=None, rng=random.Random(seed), time_scale=scale)
    assert full is not None and short is not None
    assert abs(short - full * scale) <= dt.timedelta(microseconds=2)


def test_the_nominal_schedule_is_svix_published_one() -> None:
    minutes = [backoff.nominal_delay(n) for n in range(1, 9)]
    assert minutes == [
        dt.timedelta(seconds=5),
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=30),
        2 * HOUR,
        5 * HOUR,
        10 * HOUR,
        10 * HOUR,
        None,
    ]


def test_retry_after_is_capped_at_a_day_and_a_custom_schedule_is_used() -> None:
    wait = backoff.delay(1, retry_after=dt.timedelta(days=3), rng=Constant(0.5))
    assert wait == 24 * HOUR
    custom = (dt.timedelta(seconds=1), dt.timedelta(seconds=2))
    assert backoff.max_attempts(custom) == 3
    assert backoff.delay(3, retry_after=None, rng=Constant(0.5), schedule=custom) is None


@pytest.mark.parametrize("scale", [0.0, -1.0, 1.5])
def test_time_scale_outside_its_range_is_refused(scale: float) -> None:
    with pytest.raises(ValueError, match="time_scale"):
        backoff.delay(1, retry_after=None, rng=Constant(0.5), time_scale=scale)
    with pytest.raises(ValueError, match="from 1"):
        backoff.nominal_delay(0)
