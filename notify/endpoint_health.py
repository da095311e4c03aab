"""Endpoint health (sharing-and-delivery §6.6), pure: circuit breaker, throttling, auto-disable.

* **Circuit breaker**: opens when a 60 s window holds at least 10 attempts with at least half
  failed, or after 5 consecutive timeouts or connection errors. It stays open 60 s, doubling on
  every failed probe up to 30 min, then lets one probe through (half-open); a success closes
  it. While it is open, lanes wait until it may probe again and no attempt is counted.
* **Throttling**: 429, 502 or 504 halve the endpoint's in-flight limit (at least 1) for 10 min.
* **Sustained failure**: the failure clock starts once two distinct deliveries have failed
  within 24 h with no 2xx in between; a notice goes out at 24 h of failing, and after 120 h
  without a 2xx the endpoint is disabled.

Durations of the breaker, throttle and failure clock are multiplied by ``time_scale`` (tests).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal

from notify import response

CircuitState = Literal["closed", "open", "half_open"]
Notice = Literal["endpoint.failing", "endpoint.disabled"]

WINDOW: Final = dt.timedelta(seconds=60)
WINDOW_MIN_ATTEMPTS: Final = 10
WINDOW_FAILURE_RATIO: Final = 0.5
CONSECUTIVE_LIMIT: Final = 5
COOLDOWN_FIRST: Final = dt.timedelta(seconds=60)
COOLDOWN_MAX: Final = dt.timedelta(minutes=30)
PROBE_WINDOW: Final = dt.timedelta(seconds=60)
THROTTLE_FOR: Final = dt.timedelta(minutes=10)
FAILURE_PAIR_WITHIN: Final = dt.timedelta(hours=24)
FAILING_NOTICE_AFTER: Final = dt.timedelta(hours=24)
DISABLE_AFTER: Final = dt.timedelta(hours=120)


@dataclass(frozen=True, kw_only=True, slots=True)
class Health:
    """One endpoint's health, as stored beside it."""

    circuit_state: CircuitState = "closed"
    circuit_until: dt.datetime | None = None
    cooldown: dt.timedelta = COOLDOWN_FIRST
    window_started_at: dt.datetime | None = None
    window_attempts: int = 0
    window_failures: int = 0
    consecutive_failures: int = 0
    throttle_level: int = 0
    throttled_until: dt.datetime | None = None
    first_failure_at: dt.datetime | None = None
    last_failure_at: dt.datetime | None = None
    last_failed_delivery_id: str | None = None
    last_success_at: dt.datetime | None = None
    failing_notified: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Admission:
    allowed: bool
    health: Health
    wait_until: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Recorded:
    health: Health
    notices: tuple[Notice, ...] = ()
    disable: bool = False


def admit(health: Health, now: dt.datetime, *, time_scale: float = 1.0) -> Admission:
    """May an attempt start now? Open circuits let one probe through after their cooldown."""
    if health.circuit_state == "closed":
        return Admission(allowed=True, health=health)
    until = health.circuit_until
    if until is not None and now < until:
        return Admission(allowed=False, health=health, wait_until=until)
    probing = dataclasses.replace(
        health, circuit_state="half_open", circuit_until=now + PROBE_WINDOW * time_scale
    )
    return Admission(allowed=True, health=probing)


def max_in_flight(health: Health, configured: int, now: dt.datetime) -> int:
    """The in-flight limit now: halved per throttle level while throttled, never below 1."""
    if health.throttled_until is None or now >= health.throttled_until:
        return max(configured, 1)
    return max(configured >> health.throttle_level, 1)


def record_success(health: Health, now: dt.datetime) -> Recorded:
    """A 2xx: the circuit closes, the failure clock stops."""
    window = _windowed(health, now, failed=False)
    return Recorded(
        health=dataclasses.replace(
            window,
            circuit_state="closed",
            circuit_until=None,
            cooldown=COOLDOWN_FIRST,
            consecutive_failures=0,
            first_failure_at=None,
            last_failure_at=None,
            last_failed_delivery_id=None,
            last_success_at=now,
            failing_notified=False,
        )
    )


def record_failure(
    health: Health,
    now: dt.datetime,
    *,
    delivery_id: str,
    verdict: response.Verdict,
    time_scale: float = 1.0,
) -> Recorded:
    """A failed attempt: window, breaker, throttle and the sustained-failure clock move on."""
    state = _windowed(health, now, failed=True)
    consecutive = state.consecutive_failures + 1 if verdict.connectivity_failure else 0
    state = dataclasses.replace(state, consecutive_failures=consecutive)
    state = _breaker(state, now, time_scale)
    if verdict.throttle:
        state = dataclasses.replace(
            state,
            throttle_level=min(state.throttle_level + 1, 16),
            throttled_until=now + THROTTLE_FOR * time_scale,
        )
    return _failure_clock(state, now, delivery_id, time_scale)


def _windowed(health: Health, now: dt.datetime, *, failed: bool) -> Health:
    start = health.window_started_at
    if start is None or now - start >= WINDOW or now < start:
        return dataclasses.replace(
            health, window_started_at=now, window_attempts=1, window_failures=int(failed)
        )
    return dataclasses.replace(
        health,
        window_attempts=health.window_attempts + 1,
        window_failures=health.window_failures + int(failed),
    )


def _breaker(state: Health, now: dt.datetime, time_scale: float) -> Health:
    if state.circuit_state == "half_open":
        cooldown = min(state.cooldown * 2, COOLDOWN_MAX)
        return _open(state, now, cooldown, time_scale)
    tripped = state.consecutive_failures >= CONSECUTIVE_LIMIT or (
        state.window_attempts >= WINDOW_MIN_ATTEMPTS
        and state.window_failures >= state.window_attempts * WINDOW_FAILURE_RATIO
    )
    if state.circuit_state == "closed" and tripped:
        return _open(state, now, COOLDOWN_FIRST, time_scale)
    return state


def _open(state: Health, now: dt.datetime, cooldown: dt.timedelta, time_scale: float) -> Health:
    return dataclasses.replace(
        state,
        circuit_state="open",
        circuit_until=now + cooldown * time_scale,
        cooldown=cooldown,
        window_started_at=None,
        window_attempts=0,
        window_failures=0,
        consecutive_failures=0,
    )


def _failure_clock(state: Health, now: dt.datetime, delivery_id: str, scale: float) -> Recorded:
    first = state.first_failure_at
    if first is None and _second_distinct_failure(state, now, delivery_id, scale):
        first = now
    state = dataclasses.replace(
        state, first_failure_at=first, last_failure_at=now, last_failed_delivery_id=delivery_id
    )
    if first is None:
        return Recorded(health=state)
    if now - first >= DISABLE_AFTER * scale:
        return Recorded(health=state, notices=("endpoint.disabled",), disable=True)
    if now - first >= FAILING_NOTICE_AFTER * scale and not state.failing_notified:
        notified = dataclasses.replace(state, failing_notified=True)
        return Recorded(health=notified, notices=("endpoint.failing",))
    return Recorded(health=state)


def _second_distinct_failure(
    state: Health, now: dt.datetime, delivery_id: str, scale: float
) -> bool:
    last = state.last_failure_at
    return (
        last is not None
        and state.last_failed_delivery_id not in (None, delivery_id)
        and now - last <= FAILURE_PAIR_WITHIN * scale
    )
