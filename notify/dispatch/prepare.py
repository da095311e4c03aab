"""Sweep expired leases; claim due lanes and prepare their heads' attempts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import orm

from notify import (
    delivery_body,
    delivery_gate,
    endpoint_health,
    endpoint_repository,
    lifecycle,
    recheck,
)
from notify import delivery_repository as repo
from notify import delivery_tables as dt_tables
from notify.dispatch import common
from notify.tables import outbox, registry

# -- 1. sweep -------------------------------------------------------------------------------


def sweep(session: orm.Session, *, cfg: common.Config, now: dt.datetime) -> int:
    """Return expired leases to the queue, closing their lost attempts; returns the count."""
    keys = repo.release_expired_leases(session, now=now)
    if not keys:
        return 0
    lanes = repo.lanes(session, keys)
    for key, head in repo.heads(session, keys).items():
        attempt = repo.open_attempt(session, head.id)
        if attempt is None:
            continue
        _close_lost(session, attempt, head, now)
        step = lifecycle.lost_attempt(
            attempt_no=head.schedule_index,
            now=now,
            rng=cfg.rng,
            schedule=common.schedule(session, head, now),
            time_scale=cfg.time_scale,
        )
        common.settle(common.Ctx(session, cfg, now), head, lanes[key], step)
    return len(keys)


def _close_lost(
    session: orm.Session,
    attempt: dt_tables.DeliveryAttempt,
    head: outbox.Delivery,
    now: dt.datetime,
) -> None:
    attempt.phase = "finished"
    attempt.finished_at = now
    attempt.error_kind = "reset"
    attempt.possibly_received = True
    head.last_error_kind = "reset"


# -- 2. claim and prepare -------------------------------------------------------------------


def claim_and_prepare(
    session: orm.Session,
    *,
    cfg: common.Config,
    gate: delivery_gate.Gate,
    now: dt.datetime,
    k: int,
) -> common.Claimed:
    """Lease up to ``k`` due lanes and prepare an attempt for each head that may go now."""
    keys = repo.claim_lanes(
        session, worker=cfg.worker_id, now=now, lease_until=now + cfg.lease, k=k
    )
    if not keys:
        return common.Claimed(lanes=0, sends=[])
    lanes = repo.lanes(session, keys)
    heads = repo.heads(session, keys)
    for key in set(keys) - set(heads):
        repo.release_lane(lanes[key], state="idle", next_attempt_at=None, head_id=None)
    due = [h for h in heads.values() if _due(h, lanes[h.ordering_key], now)]
    repo.preload_ledger(session, (h.id for h in due))
    verdicts = gate.check(session, due, now)
    sends = _attempts(common.Ctx(session, cfg, now), due, lanes, verdicts)
    return common.Claimed(lanes=len(keys), sends=sends)


def _due(head: outbox.Delivery, lane: outbox.DeliveryLane, now: dt.datetime) -> bool:
    """A dead head blocks its lane; a future one waits; everything else goes to the gate."""
    if head.state == "dead":
        repo.release_lane(lane, state="blocked", next_attempt_at=None, head_id=head.id)
        return False
    wait = max((t for t in (head.not_before, head.next_attempt_at) if t is not None), default=now)
    if wait > now:
        repo.release_lane(lane, state="ready", next_attempt_at=wait, head_id=head.id)
        return False
    return True


def _attempts(
    ctx: common.Ctx,
    due: Sequence[outbox.Delivery],
    lanes: Mapping[str, outbox.DeliveryLane],
    verdicts: Mapping[str, recheck.Recheck],
) -> list[common.Send]:
    session, now = ctx.session, ctx.now
    endpoint_ids = {h.endpoint_id for h in due if h.endpoint_id}
    endpoints = endpoint_repository.endpoints(session, endpoint_ids)
    states = endpoint_repository.endpoint_states(session, endpoint_ids, now=now)
    secrets = endpoint_repository.active_secrets(session, endpoint_ids, now)
    memo: dict[str, dt.datetime | None] = {}
    sends: list[common.Send] = []
    for head in sorted(due, key=lambda h: (h.endpoint_id or "", h.seq)):
        lane, verdict = lanes[head.ordering_key], verdicts[head.id]
        endpoint = endpoints.get(head.endpoint_id or "")
        stop = _stop_reason(verdict, endpoint, secrets, head)
        if stop is not None:
            cancel = verdict.action == "cancel" or stop == "BODY_PURGED"
            _stop(ctx, head, lane, cancel=cancel, reason=stop)
            continue
        assert endpoint is not None
        state = states[endpoint.id]
        wait = _admission(ctx, endpoint.id, state, memo)
        if wait is not None:
            repo.release_lane(lane, state="ready", next_attempt_at=wait, head_id=head.id)
            continue
        start = _start(ctx, head, endpoint, secrets[endpoint.id], verdict)
        sends.append(_limited(start, state, now))
    return sends


def _stop_reason(
    verdict: recheck.Recheck,
    endpoint: registry.Endpoint | None,
    secrets: Mapping[str, list[dt_tables.EndpointSecret]],
    head: outbox.Delivery,
) -> str | None:
    if verdict.action != "proceed":
        return verdict.reason or verdict.action.upper()
    if endpoint is None or endpoint.status == "disabled":
        return "ENDPOINT_DISABLED"
    if endpoint.status != "active":
        return "ENDPOINT_" + endpoint.status.upper()
    if not secrets.get(endpoint.id):
        return "NO_SIGNING_SECRET"
    if head.body is None:
        return "BODY_PURGED"
    return None


def _stop(
    ctx: common.Ctx, head: outbox.Delivery, lane: outbox.DeliveryLane, *, cancel: bool, reason: str
) -> None:
    """Cancel (terminal, the lane moves on) or hold (no attempt counted)."""
    make = lifecycle.cancelled if cancel else lifecycle.held
    common.settle(ctx, head, lane, make(reason, possibly_received=head.possibly_received))


def _limited(send: common.Send, state: dt_tables.EndpointState, now: dt.datetime) -> common.Send:
    """The endpoint's limits now: in flight (halved while throttled) and requests per second."""
    in_flight = endpoint_health.max_in_flight(
        endpoint_repository.health_of(state), state.max_in_flight, now
    )
    return dataclasses.replace(
        send, max_in_flight=in_flight, rate_limit_per_s=state.rate_limit_per_s
    )


def _admission(
    ctx: common.Ctx,
    endpoint_id: str,
    state: dt_tables.EndpointState,
    memo: dict[str, dt.datetime | None],
) -> dt.datetime | None:
    """None if an attempt may start; else when the endpoint's circuit lets one through.

    While half-open only one probe goes through: the batch's other heads for that endpoint
    wait until the probe's window ends.
    """
    if endpoint_id in memo:
        return memo[endpoint_id]
    health = endpoint_repository.health_of(state)
    admission = endpoint_health.admit(health, ctx.now, time_scale=ctx.cfg.time_scale)
    if not admission.allowed:
        memo[endpoint_id] = admission.wait_until
        return admission.wait_until
    if admission.health == health:
        memo[endpoint_id] = None
        return None
    memo[endpoint_id] = admission.health.circuit_until
    got = endpoint_repository.probe(
        ctx.session, endpoint_id=endpoint_id, seen=health, admitted=admission.health, now=ctx.now
    )
    return None if got else admission.health.circuit_until


def _start(
    ctx: common.Ctx,
    head: outbox.Delivery,
    endpoint: registry.Endpoint,
    secrets: list[dt_tables.EndpointSecret],
    verdict: recheck.Recheck,
) -> common.Send:
    session, cfg, now = ctx.session, ctx.cfg, ctx.now
    assert head.body is not None
    if tuple(verdict.fields) != tuple(head.fields_planned):
        head.body = delivery_body.narrow(head.body, verdict.fields)
    head.fields_sent = list(verdict.fields)
    attempt = repo.start_attempt(
        session,
        delivery=head,
        worker=cfg.worker_id,
        now=now,
        kids=[s.id for s in secrets],
        recheck={"action": verdict.action, "reason": verdict.reason, "fields": verdict.fields},
    )
    repo.record_disclosure(
        session,
        delivery=head,
        outcome=None,
        close_reason=None,
        now=now,
        actor=cfg.worker_id,
        versions=_versions(verdict),
    )
    return common.Send(
        ordering_key=head.ordering_key,
        prepared_at=now,
        delivery_id=head.id,
        attempt_id=attempt.id,
        endpoint_id=endpoint.id,
        url=endpoint.url,
        body=head.body,
        secrets=tuple(s.secret for s in secrets),
        timeout_s=float(endpoint.timeout_s),
    )


def _versions(verdict: recheck.Recheck) -> dict[str, Any]:
    """The rule and agreement versions in force at send, and the groups sent (§2.5)."""
    found = {
        "rule_version": verdict.rule_version,
        "dsa_id": verdict.dsa_id,
        "dsa_version": verdict.dsa_version,
    }
    return {k: v for k, v in found.items() if v is not None} | {"fields": list(verdict.fields)}
