"""Record the results of sent attempts and move deliveries, lanes and endpoints on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import orm

from notify import delivery_repository as repo
from notify import delivery_tables as dt_tables
from notify import endpoint_health, endpoint_repository, lifecycle, response
from notify.dispatch import common
from notify.tables import outbox, registry
from notify.transports import webhook

# -- 4. finish ------------------------------------------------------------------------------


def finish(session: orm.Session, *, results: Sequence[common.Result], cfg: common.Config) -> None:
    """Record every result of a batch of sends and move each delivery and lane on."""
    if not results:
        return
    now = max(r.finished_at for r in results)
    endpoint_ids = {r.send.endpoint_id for r in results}
    states = endpoint_repository.endpoint_states(session, endpoint_ids, now=now, lock=True)
    endpoints = endpoint_repository.endpoints(session, endpoint_ids)
    lanes = repo.lanes(session, {r.send.ordering_key for r in results})
    found = repo.deliveries(session, {r.send.delivery_id for r in results})
    attempts = repo.attempts_by_id(session, (r.send.attempt_id for r in results))
    repo.preload_ledger(session, found)
    for item in results:
        attempt = attempts.get(item.send.attempt_id)
        if attempt is None or attempt.phase != "started":
            continue  # closed as lost by a sweep: another worker owns the lane now
        lane, head = lanes[item.send.ordering_key], found[item.send.delivery_id]
        ctx = common.Ctx(session, cfg, item.finished_at)
        if item.result is None:
            _withheld(ctx, attempt, head, lane)
            continue
        verdict = _verdict(item.result, item.finished_at)
        _record_attempt(attempt, item.result, item.finished_at, verdict)
        if lane.lease_owner != cfg.worker_id:
            continue
        step = lifecycle.after_attempt(
            attempt_no=head.schedule_index,
            verdict=verdict,
            now=item.finished_at,
            rng=cfg.rng,
            possibly_received_before=head.possibly_received,
            schedule=common.schedule_from(states[item.send.endpoint_id]),
            time_scale=cfg.time_scale,
        )
        head.last_http_status = verdict.http_status
        head.last_error_kind = verdict.error_kind
        common.settle(ctx, head, lane, step)
        _health(ctx, endpoints[item.send.endpoint_id], states[item.send.endpoint_id], head, verdict)


def _withheld(
    ctx: common.Ctx,
    attempt: dt_tables.DeliveryAttempt,
    head: outbox.Delivery,
    lane: outbox.DeliveryLane,
) -> None:
    """A send the worker held back (its endpoint went away meanwhile): no attempt happened."""
    ctx.session.delete(attempt)
    head.attempt_count -= 1
    head.schedule_index -= 1
    if lane.lease_owner == ctx.cfg.worker_id:
        step = lifecycle.held("ENDPOINT_DISABLED", possibly_received=head.possibly_received)
        common.settle(ctx, head, lane, step)


def _verdict(got: webhook.WebhookResult, at: dt.datetime) -> response.Verdict:
    if got.status is not None:
        return response.classify_status(got.status, got.headers, at)
    return response.classify_error(got.error_kind or "reset")


def _record_attempt(
    attempt: dt_tables.DeliveryAttempt,
    got: webhook.WebhookResult,
    at: dt.datetime,
    verdict: response.Verdict,
) -> None:
    attempt.phase = "finished"
    attempt.finished_at = at
    attempt.http_status = got.status
    attempt.error_kind = verdict.error_kind
    attempt.latency_ms = round(got.latency_s * 1000)
    attempt.response_excerpt = None if verdict.delivered else got.excerpt
    attempt.possibly_received = verdict.possibly_received or verdict.delivered
    if verdict.retry_after is not None:
        attempt.retry_after_s = verdict.retry_after.total_seconds()


def _health(
    ctx: common.Ctx,
    endpoint: registry.Endpoint,
    state: dt_tables.EndpointState,
    head: outbox.Delivery,
    verdict: response.Verdict,
) -> None:
    session, cfg, now = ctx.session, ctx.cfg, ctx.now
    health = endpoint_repository.health_of(state)
    if verdict.delivered:
        recorded = endpoint_health.record_success(health, now)
    else:
        recorded = endpoint_health.record_failure(
            health, now, delivery_id=head.id, verdict=verdict, time_scale=cfg.time_scale
        )
    endpoint_repository.save_health(state, recorded.health, now)
    if "endpoint.failing" in recorded.notices:
        repo.add_notice(session, kind="endpoint.failing", partner_id=endpoint.partner_id,
                        endpoint_id=endpoint.id, now=now)  # fmt: skip
    reason = verdict.disable_reason or ("sustained_failure" if recorded.disable else None)
    if reason is not None:
        endpoint_repository.disable_endpoint(session, endpoint=endpoint, reason=reason, now=now)
