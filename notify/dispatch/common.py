"""What the dispatch steps share: configuration, prepared sends, results, settling a step."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import orm

from notify import backoff, endpoint_repository, events, lifecycle, signing
from notify import delivery_repository as repo
from notify import delivery_tables as dt_tables
from notify.tables import outbox
from notify.transports import mtls, oauth, webhook

HOLD_RECHECK: Final = dt.timedelta(minutes=5)


@dataclass(frozen=True, kw_only=True, slots=True)
class Config:
    worker_id: str
    lease: dt.timedelta = dt.timedelta(seconds=60)
    time_scale: float = 1.0
    rng: random.Random = field(default_factory=random.Random)

    @property
    def hold_recheck(self) -> dt.timedelta:
        return HOLD_RECHECK * self.time_scale


@dataclass(frozen=True, kw_only=True, slots=True)
class Send:
    """An attempt whose ``started`` row is committed: sign it and send it."""

    ordering_key: str
    delivery_id: str
    attempt_id: str
    endpoint_id: str
    url: str
    body: bytes
    secrets: tuple[str, ...]
    timeout_s: float
    prepared_at: dt.datetime
    max_in_flight: int = endpoint_repository.DEFAULT_MAX_IN_FLIGHT
    rate_limit_per_s: float = endpoint_repository.DEFAULT_RATE_LIMIT_PER_S
    bearer_token: str | None = None
    oauth: oauth.OAuthClient | None = None
    tls: mtls.ClientTLS | None = None

    def request(self, at: dt.datetime) -> webhook.WebhookRequest:
        msg_id = signing.message_id(self.delivery_id)
        signed = signing.headers(msg_id=msg_id, body=self.body, at=at, secrets_=self.secrets)
        headers = webhook.event_headers(signed, content_type=events.CONTENT_TYPE,
                                        bearer_token=self.bearer_token)  # fmt: skip
        return webhook.WebhookRequest(
            url=self.url, body=self.body, headers=headers, timeout_s=self.timeout_s,
            oauth=self.oauth, tls=self.tls,
        )  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class Claimed:
    """How many lanes a claim leased, and the attempts ready to send among their heads."""

    lanes: int
    sends: list[Send]


@dataclass(frozen=True, kw_only=True, slots=True)
class Result:
    """What became of a send; ``result`` is None when it was withheld (never sent)."""

    send: Send
    result: webhook.WebhookResult | None
    finished_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Ctx:
    """One transaction's session, the worker's configuration and the step's time."""

    session: orm.Session
    cfg: Config
    now: dt.datetime


# -- shared ---------------------------------------------------------------------------------


def settle(
    ctx: Ctx, head: outbox.Delivery, lane: outbox.DeliveryLane, step: lifecycle.Step
) -> None:
    """Carry a step out on the delivery, its ledger line and its lane."""
    session, cfg, now = ctx.session, ctx.cfg, ctx.now
    repo.apply_step(head, step, now)
    repo.record_disclosure(
        session,
        delivery=head,
        outcome=step.ledger,
        close_reason=step.close_reason,
        now=now,
        actor=cfg.worker_id,
    )
    if step.state == "dead":
        repo.add_notice(session, kind="delivery.exhausted", partner_id=head.partner_id,
                        endpoint_id=head.endpoint_id, delivery_id=head.id, now=now)  # fmt: skip
    state, at, head_id = lane_move(step, head.id, cfg=cfg, now=now)
    repo.release_lane(lane, state=state, next_attempt_at=at, head_id=head_id)


def lane_move(
    step: lifecycle.Step, head_id: str, *, cfg: Config, now: dt.datetime
) -> tuple[str, dt.datetime | None, str | None]:
    """Where a step leaves the lane: its state, when it is due and the head it waits on."""
    if step.lane == "advance":
        return "ready", now, None
    if step.lane == "ready":
        return "ready", step.next_attempt_at, head_id
    if step.lane == "held":
        return "held", now + cfg.hold_recheck, head_id
    return "blocked", None, head_id


def schedule(
    session: orm.Session, head: outbox.Delivery, now: dt.datetime
) -> tuple[dt.timedelta, ...]:
    if head.endpoint_id is None:
        return tuple(backoff.SCHEDULE)
    states = endpoint_repository.endpoint_states(session, [head.endpoint_id], now=now)
    return schedule_from(states[head.endpoint_id])


def schedule_from(state: dt_tables.EndpointState) -> tuple[dt.timedelta, ...]:
    if not state.retry_schedule_s:
        return tuple(backoff.SCHEDULE)
    return tuple(dt.timedelta(seconds=s) for s in state.retry_schedule_s)
