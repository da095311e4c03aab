"""A delivery's next state after a recheck or an attempt (§3.7, §6.4, §6.5, §6.7), V13."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notify import backoff, lifecycle, response
from tests import delivery_strategies as ds

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
VERDICTS = [
    response.classify_status(204, {}, NOW),
    response.classify_status(500, {}, NOW),
    response.classify_status(429, {"retry-after": "120"}, NOW),
    response.classify_status(410, {}, NOW),
    response.classify_error("timeout"),
    response.classify_error("connect"),
    response.classify_error("ssrf_block"),
]


def _after(
    attempt: int, verdict: response.Verdict, seed: int = 1, before: bool = False
) -> lifecycle.Step:
    return lifecycle.after_attempt(
        attempt_no=attempt,
        verdict=verdict,
        now=NOW,
        rng=random.Random(seed),
        possibly_received_before=before,
    )


def test_a_2xx_delivers_discloses_and_advances_the_lane() -> None:
    step = _after(3, VERDICTS[0])
    assert (step.state, step.lane, step.ledger, step.close_reason) == (
        "delivered", "advance", "disclosed", "delivered",
    )  # fmt: skip


def test_a_410_holds_the_delivery_and_disables_the_endpoint() -> None:
    step = _after(1, VERDICTS[3])
    assert (step.state, step.lane, step.disable_endpoint) == ("held", "held", "gone_410")
    assert step.hold_reason == "ENDPOINT_DISABLED"


def test_the_eighth_failure_is_dead_and_blocks_the_lane() -> None:
    assert _after(7, VERDICTS[1]).state == "retry_wait"
    step = _after(8, VERDICTS[1])
    assert (step.state, step.lane, step.close_reason, step.ledger) == (
        "dead", "blocked", "dead", "possibly_disclosed",
    )  # fmt: skip
    never_reached = _after(8, VERDICTS[5])
    assert never_reached.ledger == "not_disclosed"


@settings(max_examples=200)
@given(
    attempt=st.integers(1, 8),
    verdict=st.sampled_from(VERDICTS),
    seed=ds.seeds,
    before=st.booleans(),
)
def test_retries_follow_the_schedule_and_respect_retry_after(
    attempt: int, verdict: response.Verdict, seed: int, before: bool
) -> None:
    step = _after(attempt, verdict, seed, before)
    assert step.possibly_received == (before or verdict.possibly_received)
    if step.state != "retry_wait":
        return
    assert step.next_attempt_at is not None
    nominal = backoff.nominal_delay(attempt)
    assert nominal is not None
    wait = step.next_attempt_at - NOW
    assert wait >= max(nominal * 0.8, verdict.retry_after or dt.timedelta(0))
    assert wait <= max(nominal * 1.2, verdict.retry_after or dt.timedelta(0))


@pytest.mark.parametrize(
    ("reason", "state", "close"),
    [("RULE_INACTIVE", "cancelled", "cancelled:RULE_INACTIVE"), ("EXPIRED", "expired", "expired")],
)
def test_a_cancel_is_terminal_and_keeps_a_possible_disclosure(
    reason: str, state: str, close: str
) -> None:
    step = lifecycle.cancelled(reason, possibly_received=False)
    assert (step.state, step.lane, step.close_reason, step.ledger) == (
        state, "advance", close, "not_disclosed",
    )  # fmt: skip
    assert lifecycle.cancelled(reason, possibly_received=True).ledger == "possibly_disclosed"


def test_a_hold_uses_no_attempt_and_a_lost_attempt_counts_as_possibly_received() -> None:
    held = lifecycle.held("DSA_SUSPENDED", possibly_received=False)
    assert (held.state, held.lane, held.next_attempt_at) == ("held", "held", None)
    lost = lifecycle.lost_attempt(attempt_no=1, now=NOW, rng=random.Random(0))
    assert lost.state == "retry_wait"
    assert lost.possibly_received
