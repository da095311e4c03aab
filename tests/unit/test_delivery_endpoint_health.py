"""Endpoint health (§6.6): the circuit breaker, throttling and the sustained-failure clock."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from notify import endpoint_health as eh
from notify import response

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
S = dt.timedelta(seconds=1)
SERVER_ERROR = response.classify_status(500, {}, T0)
TIMEOUT = response.classify_error("timeout")
THROTTLED = response.classify_status(429, {}, T0)


def _fail(health: eh.Health, at: dt.datetime, verdict: response.Verdict = SERVER_ERROR,
          delivery_id: str = "d1") -> eh.Recorded:  # fmt: skip
    return eh.record_failure(health, at, delivery_id=delivery_id, verdict=verdict)


def test_five_consecutive_timeouts_open_the_circuit() -> None:
    health = eh.Health()
    for n in range(4):
        health = _fail(health, T0 + n * S, TIMEOUT).health
        assert health.circuit_state == "closed"
    health = _fail(health, T0 + 4 * S, TIMEOUT).health
    assert health.circuit_state == "open"
    assert health.circuit_until == T0 + 4 * S + eh.COOLDOWN_FIRST


def test_ten_attempts_half_failed_in_a_minute_open_the_circuit() -> None:
    health = eh.Health()
    for n in range(10):
        at = T0 + n * S
        health = (_fail(health, at) if n % 2 else eh.record_success(health, at)).health
    assert health.circuit_state == "open"


def test_an_open_circuit_refuses_then_lets_one_probe_through() -> None:
    opened = eh.Health(circuit_state="open", circuit_until=T0 + 60 * S)
    early = eh.admit(opened, T0 + 30 * S)
    assert (early.allowed, early.wait_until) == (False, T0 + 60 * S)
    probe = eh.admit(opened, T0 + 61 * S)
    assert probe.allowed
    assert probe.health.circuit_state == "half_open"
    second = eh.admit(probe.health, T0 + 62 * S)
    assert not second.allowed


def test_a_failed_probe_doubles_the_cooldown_up_to_thirty_minutes() -> None:
    health = eh.Health(circuit_state="half_open", circuit_until=T0, cooldown=eh.COOLDOWN_FIRST)
    cooldowns = []
    for n in range(8):
        health = _fail(health, T0 + n * eh.COOLDOWN_MAX).health
        cooldowns.append(health.cooldown)
        health = eh.admit(health, health.circuit_until or T0).health
    assert cooldowns[:3] == [120 * S, 240 * S, 480 * S]
    assert max(cooldowns) == eh.COOLDOWN_MAX


def test_a_success_closes_the_circuit_and_stops_the_failure_clock() -> None:
    health = eh.Health(circuit_state="half_open", first_failure_at=T0, cooldown=8 * 60 * S)
    closed = eh.record_success(health, T0 + S).health
    assert (closed.circuit_state, closed.first_failure_at, closed.cooldown) == (
        "closed", None, eh.COOLDOWN_FIRST,
    )  # fmt: skip


def test_throttling_halves_in_flight_for_ten_minutes() -> None:
    health = _fail(eh.Health(), T0, THROTTLED).health
    assert eh.max_in_flight(health, 4, T0 + S) == 2
    health = _fail(health, T0 + S, THROTTLED).health
    assert eh.max_in_flight(health, 4, T0 + 2 * S) == 1
    assert eh.max_in_flight(health, 1, T0 + 2 * S) == 1
    assert eh.max_in_flight(health, 4, T0 + S + eh.THROTTLE_FOR) == 4


def test_sustained_failure_notifies_at_a_day_and_disables_after_five() -> None:
    health = _fail(eh.Health(), T0, delivery_id="a").health
    assert health.first_failure_at is None  # one delivery failing is not yet a pattern
    health = _fail(health, T0 + S, delivery_id="b").health
    assert health.first_failure_at == T0 + S
    day = _fail(health, T0 + S + eh.FAILING_NOTICE_AFTER, delivery_id="a")
    assert day.notices == ("endpoint.failing",)
    again = _fail(day.health, T0 + 2 * S + eh.FAILING_NOTICE_AFTER, delivery_id="b")
    assert again.notices == ()
    end = _fail(again.health, T0 + S + eh.DISABLE_AFTER, delivery_id="a")
    assert end.disable
    assert end.notices == ("endpoint.disabled",)


def test_the_same_delivery_failing_again_does_not_start_the_clock() -> None:
    health = eh.Health()
    for n in range(20):
        health = _fail(health, T0 + n * dt.timedelta(hours=1), delivery_id="same").health
    assert health.first_failure_at is None


@settings(max_examples=100)
@given(
    outcomes=st.lists(st.sampled_from(["ok", "500", "timeout", "429"]), max_size=60),
    gaps=st.lists(st.integers(0, 4000), min_size=60, max_size=60),
)
def test_the_breaker_never_admits_while_open_and_a_success_always_closes(
    outcomes: list[str], gaps: list[int]
) -> None:
    verdicts = {"500": SERVER_ERROR, "timeout": TIMEOUT, "429": THROTTLED}
    health, at = eh.Health(), T0
    for outcome, gap in zip(outcomes, gaps, strict=False):
        at += dt.timedelta(seconds=gap)
        admission = eh.admit(health, at)
        if health.circuit_state != "closed" and health.circuit_until and at < health.circuit_until:
            assert not admission.allowed
            continue
        assert admission.allowed
        health = admission.health
        if outcome == "ok":
            health = eh.record_success(health, at).health
            assert health.circuit_state == "closed"
        else:
            health = _fail(health, at, verdicts[outcome], delivery_id=str(gap)).health
        assert health.cooldown <= eh.COOLDOWN_MAX
