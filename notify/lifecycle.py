"""What happens to a delivery and its lane after a recheck or an attempt (§3.7, §6.4–§6.9), pure.

A lane (one ordering key: person × partner) sends its head only; the next delivery starts
when the head is terminal. So after each step the lane either *advances* (the head is
delivered or cancelled: the next one, if any, becomes the head), is *ready* again later (a
retry), is *held* (a hold reason, or the endpoint disabled: nothing is counted), or is
*blocked* (the head is dead: nothing overtakes it until it is replayed or abandoned).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from notify import backoff, response

DeliveryState = Literal[
    "scheduled", "pending", "in_flight", "retry_wait", "held", "dead", "delivered", "cancelled",
    "expired", "abandoned",
]  # fmt: skip
LaneMove = Literal["advance", "ready", "held", "blocked"]
LedgerOutcome = Literal["planned", "disclosed", "possibly_disclosed", "not_disclosed"]

TERMINAL: Final = frozenset({"delivered", "cancelled", "expired", "abandoned"})
#: States a worker may pick up as a lane head (dead and held wait for an operator or a cause).
SENDABLE: Final = frozenset({"scheduled", "pending", "retry_wait", "in_flight"})


@dataclass(frozen=True, kw_only=True, slots=True)
class Step:
    state: DeliveryState
    lane: LaneMove
    next_attempt_at: dt.datetime | None = None
    close_reason: str | None = None
    hold_reason: str | None = None
    ledger: LedgerOutcome | None = None
    possibly_received: bool = False
    disable_endpoint: response.DisableReason | None = None


def cancelled(reason: str, *, possibly_received: bool) -> Step:
    """The recheck refused: terminal, the lane moves on (§3.7)."""
    outcome: LedgerOutcome = "possibly_disclosed" if possibly_received else "not_disclosed"
    state: DeliveryState = "expired" if reason == "EXPIRED" else "cancelled"
    close = "expired" if state == "expired" else f"cancelled:{reason}"
    return Step(
        state=state,
        lane="advance",
        close_reason=close,
        ledger=outcome,
        possibly_received=possibly_received,
    )


def held(reason: str, *, possibly_received: bool) -> Step:
    """The recheck said wait (DSA suspended, endpoint disabled…): no attempt is used."""
    return Step(state="held", lane="held", hold_reason=reason, possibly_received=possibly_received)


def after_attempt(
    *,
    attempt_no: int,
    verdict: response.Verdict,
    now: dt.datetime,
    rng: backoff.Random,
    possibly_received_before: bool,
    schedule: Sequence[dt.timedelta] = backoff.SCHEDULE,
    time_scale: float = 1.0,
) -> Step:
    """The step after attempt number ``attempt_no`` (1-based) got ``verdict``."""
    possibly = possibly_received_before or verdict.possibly_received
    if verdict.delivered:
        return Step(state="delivered", lane="advance", close_reason="delivered",
                    ledger="disclosed", possibly_received=possibly)  # fmt: skip
    if verdict.outcome == "disable":
        return Step(
            state="held",
            lane="held",
            hold_reason="ENDPOINT_DISABLED",
            possibly_received=possibly,
            ledger="possibly_disclosed" if possibly else None,
            disable_endpoint=verdict.disable_reason,
        )
    due = backoff.next_attempt(
        attempt_no, now, verdict.retry_after, rng, schedule=schedule, time_scale=time_scale
    )
    if due is None:
        return dead(possibly_received=possibly)
    return Step(
        state="retry_wait",
        lane="ready",
        next_attempt_at=due,
        possibly_received=possibly,
        ledger="possibly_disclosed" if possibly else None,
    )


def dead(*, possibly_received: bool) -> Step:
    """Every attempt failed: the lane is blocked until the delivery is replayed (§6.7)."""
    return Step(
        state="dead",
        lane="blocked",
        close_reason="dead",
        ledger="possibly_disclosed" if possibly_received else "not_disclosed",
        possibly_received=possibly_received,
    )


def lost_attempt(*, attempt_no: int, now: dt.datetime, rng: backoff.Random,
                 schedule: Sequence[dt.timedelta] = backoff.SCHEDULE,
                 time_scale: float = 1.0) -> Step:  # fmt: skip
    """A started attempt whose worker vanished (lease expired): a failure, possibly received."""
    return after_attempt(
        attempt_no=attempt_no,
        verdict=response.classify_error("reset"),
        now=now,
        rng=rng,
        possibly_received_before=True,
        schedule=schedule,
        time_scale=time_scale,
    )
