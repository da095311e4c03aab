"""Record the results of sent attempts and move deliveries, lanes and endpoints on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from notify import delivery_repository as repo
from notify import delivery_tables as dt_tables
from notify import endpoint_health, endpoint_repository, lifecycle, response
from notify.dispatch import common, rows
from notify.tables import outbox, registry
from notify.transports import webhook

# -- 4. finish ------------------------------------------------------------------------------


def finish(session: orm.Session, *, results: Sequence[common.Result], cfg: common.Config) -> None:
    """Record every result of a batch of sends and move each delivery and lane on.

    Sends that were made are written with one statement per table (:class:`_Writes`); the
    rare withheld send (its endpoint went away meanwhile) goes through the ORM.
    """
    if not results:
        return
    now = max(r.finished_at for r in results)
    endpoint_ids = {r.send.endpoint_id for r in results}
    states = endpoint_repository.endpoint_states(session, endpoint_ids, now=now, lock=True)
    sent = rows.sent_rows(session, (r.send.attempt_id for r in results))
    writes = _Writes()
    health = _Health(states)
    for item in results:
        row = sent.get(item.send.attempt_id)
        if row is None or row.phase != "started":
            continue  # closed as lost by a sweep: another worker owns the lane now
        if item.result is None:
            _withheld_orm(session, cfg, item)
            continue
        verdict = _verdict(item.result, item.finished_at)
        writes.attempt(item, verdict)
        if row.lease_owner != cfg.worker_id:
            continue
        step = lifecycle.after_attempt(
            attempt_no=row.schedule_index,
            verdict=verdict,
            now=item.finished_at,
            rng=cfg.rng,
            possibly_received_before=row.possibly_received,
            schedule=common.schedule_from(states[item.send.endpoint_id]),
            time_scale=cfg.time_scale,
        )
        writes.step(item, row, step, verdict, cfg)
        ctx = common.Ctx(session, cfg, item.finished_at)
        _notice(session, row, step, item.finished_at)
        _health(ctx, health, item.send.endpoint_id, row.delivery_id, verdict)
    writes.flush(session)
    health.save()


def _notice(session: orm.Session, row: sa.Row[Any], step: lifecycle.Step, at: dt.datetime) -> None:
    """Operational notices (§6.7): a delivery gone dead, or a resent dead one delivered (its
    ledger line still says ``reopened``: nothing has closed it since the resend)."""
    if step.state == "dead":
        kind = "delivery.exhausted"
    elif step.state == "delivered" and row.close_reason == "reopened":
        kind = "delivery.recovered"
    else:
        return
    repo.add_notice(session, kind=kind, partner_id=row.partner_id, endpoint_id=row.endpoint_id,
                    delivery_id=row.delivery_id, now=at)  # fmt: skip


class _Writes:
    """The rows a finish step writes, gathered per table."""

    def __init__(self) -> None:
        self.attempts: list[dict[str, Any]] = []
        self.deliveries: list[dict[str, Any]] = []
        self.lanes: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []

    def attempt(self, item: common.Result, verdict: response.Verdict) -> None:
        got = item.result
        assert got is not None
        self.attempts.append(
            {
                "_id": item.send.attempt_id,
                "phase": "finished",
                "finished_at": item.finished_at,
                "http_status": got.status,
                "error_kind": verdict.error_kind,
                "latency_ms": round(got.latency_s * 1000),
                "response_excerpt": None if verdict.delivered else got.excerpt,
                "possibly_received": verdict.possibly_received or verdict.delivered,
                "retry_after_s": verdict.retry_after.total_seconds()
                if verdict.retry_after is not None
                else None,
            }
        )

    def step(
        self,
        item: common.Result,
        row: sa.Row[Any],
        step: lifecycle.Step,
        verdict: response.Verdict,
        cfg: common.Config,
    ) -> None:
        """The delivery, its lane and its ledger line after ``step`` (as ``settle`` does)."""
        at = item.finished_at
        self.deliveries.append(
            {
                "_id": row.delivery_id,
                "state": step.state,
                "next_attempt_at": step.next_attempt_at,
                "possibly_received": row.possibly_received or step.possibly_received,
                "hold_reason": step.hold_reason,
                "_close_reason": step.close_reason,  # None keeps the delivery's close reason
                "last_http_status": verdict.http_status,
                "last_error_kind": verdict.error_kind,
                "updated_at": at,
            }
        )
        state, due, head_id = common.lane_move(step, row.delivery_id, cfg=cfg, now=at)
        last_seq = row.seq if step.lane == "advance" else -1  # an empty lane rests idle
        self.lanes.append({"_key": item.send.ordering_key, "_owner": cfg.worker_id,
                           "_last_seq": last_seq, "_state": state, "_next_attempt_at": due,
                           "head_delivery_id": head_id, "lease_owner": None,
                           "lease_until": None})  # fmt: skip
        if row.line_id is None:
            return
        line, left = rows.moved_line(row, outcome=step.ledger, close_reason=step.close_reason,
                                     now=at)  # fmt: skip
        self.lines.append(line)
        if left is not None:
            self.history.append(rows.history_row(row.line_id, left=left, outcome=line["outcome"],
                                                 now=at, actor=cfg.worker_id))  # fmt: skip

    def flush(self, session: orm.Session) -> None:
        rows.write_finished(session, attempts=self.attempts, deliveries=self.deliveries,
                            lanes=self.lanes, lines=self.lines, history=self.history)  # fmt: skip


def _withheld_orm(session: orm.Session, cfg: common.Config, item: common.Result) -> None:
    attempt = session.get(dt_tables.DeliveryAttempt, item.send.attempt_id)
    head = session.get(outbox.Delivery, item.send.delivery_id)
    lane = session.get(outbox.DeliveryLane, item.send.ordering_key)
    if attempt is None or head is None or lane is None:
        return
    _withheld(common.Ctx(session, cfg, item.finished_at), attempt, head, lane)


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


class _Health:
    """The health of a finish step's endpoints, moved on answer by answer in order and
    written once per endpoint at the end (as writing it after every answer would)."""

    def __init__(self, states: dict[str, dt_tables.EndpointState]) -> None:
        self._states = states
        self._moved: dict[str, tuple[endpoint_health.Health, dt.datetime]] = {}

    def get(self, endpoint_id: str) -> endpoint_health.Health:
        moved = self._moved.get(endpoint_id)
        if moved is not None:
            return moved[0]
        return endpoint_repository.health_of(self._states[endpoint_id])

    def set(self, endpoint_id: str, health: endpoint_health.Health, now: dt.datetime) -> None:
        self._moved[endpoint_id] = (health, now)

    def save(self) -> None:
        for endpoint_id, (health, now) in self._moved.items():
            endpoint_repository.save_health(self._states[endpoint_id], health, now)


def _health(
    ctx: common.Ctx,
    healths: _Health,
    endpoint_id: str,
    delivery_id: str,
    verdict: response.Verdict,
) -> None:
    """Record the answer on the endpoint's health; the endpoint row is read only to act."""
    session, cfg, now = ctx.session, ctx.cfg, ctx.now
    health = healths.get(endpoint_id)
    if verdict.delivered:
        recorded = endpoint_health.record_success(health, now)
    else:
        recorded = endpoint_health.record_failure(
            health, now, delivery_id=delivery_id, verdict=verdict, time_scale=cfg.time_scale
        )
    healths.set(endpoint_id, recorded.health, now)
    reason = verdict.disable_reason or ("sustained_failure" if recorded.disable else None)
    if "endpoint.failing" not in recorded.notices and reason is None:
        return
    endpoint = session.get(registry.Endpoint, endpoint_id)
    if endpoint is None:
        return
    if "endpoint.failing" in recorded.notices:
        repo.add_notice(session, kind="endpoint.failing", partner_id=endpoint.partner_id,
                        endpoint_id=endpoint.id, now=now)  # fmt: skip
    if reason is not None:
        endpoint_repository.disable_endpoint(session, endpoint=endpoint, reason=reason, now=now)
