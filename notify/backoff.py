"""The retry schedule (sharing-and-delivery §6.5), pure.

Svix's published schedule: after attempt *n* fails, the next one is due after the nominal
delay of the table below times a jitter drawn from U(0.8, 1.2), at least one second, and never
before a ``Retry-After`` the receiver asked for (capped at 24 hours). After the eighth attempt
the delivery is dead. Holds and open-circuit skips are not attempts and never come here.

``time_scale`` compresses the whole schedule (tests and the demo run a 27-hour schedule in
seconds); production uses 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final, Protocol

_S = dt.timedelta(seconds=1)
#: Delay before attempt 2, 3, …, 8 (attempt 1 goes at release).
SCHEDULE: Final[tuple[dt.timedelta, ...]] = (
    5 * _S,
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
)
MAX_ATTEMPTS: Final = len(SCHEDULE) + 1
JITTER_LOW: Final = 0.8
JITTER_HIGH: Final = 1.2
MIN_DELAY: Final = _S
RETRY_AFTER_CAP: Final = dt.timedelta(hours=24)


class Random(Protocol):
    """The part of :class:`random.Random` the schedule uses (a seeded one in tests)."""

    def uniform(self, a: float, b: float) -> float: ...


def max_attempts(schedule: Sequence[dt.timedelta] = SCHEDULE) -> int:
    return len(schedule) + 1


def nominal_delay(attempt: int, schedule: Sequence[dt.timedelta] = SCHEDULE) -> dt.timedelta | None:
    """The nominal wait after attempt ``attempt`` (1-based) failed; None once exhausted."""
    if attempt < 1:
        raise ValueError("attempts are numbered from 1")
    return schedule[attempt - 1] if attempt <= len(schedule) else None


def delay(
    attempt: int,
    *,
    retry_after: dt.timedelta | None,
    rng: Random,
    schedule: Sequence[dt.timedelta] = SCHEDULE,
    time_scale: float = 1.0,
) -> dt.timedelta | None:
    """The actual wait after attempt ``attempt`` failed, or None: the delivery is dead."""
    nominal = nominal_delay(attempt, schedule)
    if nominal is None:
        return None
    jittered = max(nominal * rng.uniform(JITTER_LOW, JITTER_HIGH), MIN_DELAY)
    if retry_after is not None:
        jittered = max(jittered, min(max(retry_after, dt.timedelta(0)), RETRY_AFTER_CAP))
    return jittered * _checked_scale(time_scale)


def next_attempt(
    attempt: int,
    now: dt.datetime,
    retry_after: dt.timedelta | None,
    rng: Random,
    *,
    schedule: Sequence[dt.timedelta] = SCHEDULE,
    time_scale: float = 1.0,
) -> dt.datetime | None:
    """When attempt ``attempt + 1`` is due after attempt ``attempt`` failed at ``now``.

    None means the schedule is exhausted: the delivery becomes a dead letter (§6.7).
    """
    wait = delay(
        attempt, retry_after=retry_after, rng=rng, schedule=schedule, time_scale=time_scale
    )
    return None if wait is None else now + wait


def _checked_scale(time_scale: float) -> float:
    if not 0 < time_scale <= 1:
        raise ValueError("time_scale lies in (0, 1]")
    return time_scale
