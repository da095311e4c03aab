"""Sweep expired leases; claim due lanes and prepare their heads' attempts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

import sqlalchemy as sa
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
from notify.dispatch import common, heads, rows
from notify.tables import outbox, registry

#: The channels this worker sends; None: a delivery whose subscription is gone (sent as before).
WEBHOOK: Final = frozenset({"webhook", None})

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
    due: list[heads.Head] = []
    versions: dict[str, repo.LineVersions] = {}
    for item in heads.lane_heads(session, keys):
        head = item.head
        if head is None or item.channel not in WEBHOOK:
            _park(session, item.ordering_key, head)
        elif _due(session, head, now):
            due.append(head)
            if item.line is not None:
                versions[head.id] = item.line
    verdicts = gate.check(session, due, now)
    sends = _attempts(common.Ctx(session, cfg, now), due, verdicts, versions)
    return common.Claimed(lanes=len(keys), sends=sends)


def _release(
    session: orm.Session,
    key: str,
    *,
    state: str,
    next_attempt_at: dt.datetime | None,
    head_id: str | None,
) -> None:
    """Release a claimed lane that sends nothing now (loaded as an ORM object: rare)."""
    lane = session.get(outbox.DeliveryLane, key)
    assert lane is not None, "a claimed lane exists"
    repo.release_lane(lane, state=state, next_attempt_at=next_attempt_at, head_id=head_id)


def _park(session: orm.Session, key: str, head: heads.Head | None) -> None:
    """An empty lane, or one whose head goes by pull feed or file drop, rests idle.

    Its head stays as it is, for the feed or the file drop to deliver; the housekeeping
    sweep wakes an idle lane only when a webhook delivery in it is sendable.
    """
    head_id = head.id if head is not None else None
    _release(session, key, state="idle", next_attempt_at=None, head_id=head_id)


def _due(session: orm.Session, head: heads.Head, now: dt.datetime) -> bool:
    """A dead head blocks its lane; a future one waits; everything else goes to the gate."""
    key = head.ordering_key
    if head.state == "dead":
        _release(session, key, state="blocked", next_attempt_at=None, head_id=head.id)
        return False
    wait = max((t for t in (head.not_before, head.next_attempt_at) if t is not None), default=now)
    if wait > now:
        _release(session, key, state="ready", next_attempt_at=wait, head_id=head.id)
        return False
    return True


def _attempts(
    ctx: common.Ctx,
    due: Sequence[heads.Head],
    verdicts: Mapping[str, recheck.Recheck],
    versions: Mapping[str, repo.LineVersions],
) -> list[common.Send]:
    session, now = ctx.session, ctx.now
    endpoint_ids = {h.endpoint_id for h in due if h.endpoint_id}
    endpoints, states = _endpoints_with_states(session, endpoint_ids, now)
    secrets = endpoint_repository.active_secrets(session, endpoint_ids, now)
    plan = [
        (
            head,
            _stop_reason(verdicts[head.id], endpoints.get(head.endpoint_id or ""), secrets, head),
        )
        for head in sorted(due, key=lambda h: (h.endpoint_id or "", h.seq))
    ]
    repo.preload_ledger(session, (head.id for head, stop in plan if stop is not None))
    memo: dict[str, dt.datetime | None] = {}
    limits: dict[str, tuple[int, float]] = {}
    started = _Started(ctx, versions)
    for head, stop in plan:
        verdict = verdicts[head.id]
        if stop is not None:
            cancel = verdict.action == "cancel" or stop == "BODY_PURGED"
            _stop(ctx, head, cancel=cancel, reason=stop)
            continue
        endpoint = endpoints[head.endpoint_id or ""]
        state = states[endpoint.id]
        wait = _admission(ctx, endpoint.id, state, memo)
        if wait is not None:
            _release(session, head.ordering_key, state="ready", next_attempt_at=wait,
                     head_id=head.id)  # fmt: skip
            continue
        limit = _limits(state, now, limits)
        started.sends.append(started.add(head, endpoint, secrets[endpoint.id], verdict, limit))
    started.flush()
    return started.sends


def _endpoints_with_states(
    session: orm.Session, endpoint_ids: set[str], now: dt.datetime
) -> tuple[dict[str, registry.Endpoint], dict[str, dt_tables.EndpointState]]:
    """The endpoints and their limits and health in one query; a missing state is created
    with defaults (:func:`notify.endpoint_repository.endpoint_states`)."""
    state = dt_tables.EndpointState
    query = (
        sa.select(registry.Endpoint, state)
        .outerjoin(state, state.endpoint_id == registry.Endpoint.id)
        .where(registry.Endpoint.id.in_(sorted(endpoint_ids)))
    )
    endpoints: dict[str, registry.Endpoint] = {}
    states: dict[str, dt_tables.EndpointState] = {}
    for endpoint, found in session.execute(query):
        endpoints[endpoint.id] = endpoint
        if found is not None:
            states[endpoint.id] = found
    missing = endpoint_ids - states.keys()
    if missing:
        states |= endpoint_repository.endpoint_states(session, missing, now=now)
    return endpoints, states


def _stop_reason(
    verdict: recheck.Recheck,
    endpoint: registry.Endpoint | None,
    secrets: Mapping[str, list[dt_tables.EndpointSecret]],
    head: heads.Head,
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


def _stop(ctx: common.Ctx, head: heads.Head, *, cancel: bool, reason: str) -> None:
    """Cancel (terminal, the lane moves on) or hold (no attempt counted); the head and its
    lane are settled as ORM objects (rare)."""
    delivery = ctx.session.get(outbox.Delivery, head.id)
    lane = ctx.session.get(outbox.DeliveryLane, head.ordering_key)
    assert delivery is not None and lane is not None, "a claimed head and its lane exist"
    make = lifecycle.cancelled if cancel else lifecycle.held
    common.settle(ctx, delivery, lane, make(reason, possibly_received=head.possibly_received))


def _limits(
    state: dt_tables.EndpointState, now: dt.datetime, memo: dict[str, tuple[int, float]]
) -> tuple[int, float]:
    """The endpoint's limits now: in flight (halved while throttled) and requests per second
    (worked out once per endpoint and claim)."""
    limits = memo.get(state.endpoint_id)
    if limits is None:
        health = endpoint_repository.health_of(state)
        in_flight = endpoint_health.max_in_flight(health, state.max_in_flight, now)
        limits = memo[state.endpoint_id] = (in_flight, state.rate_limit_per_s)
    return limits


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


class _Started:
    """The attempts a claim starts: their rows gathered, written one statement per table."""

    def __init__(self, ctx: common.Ctx, versions: Mapping[str, repo.LineVersions]) -> None:
        self._ctx = ctx
        self._versions = versions  # the ledger lines as read: unchanged ones are not written
        self.sends: list[common.Send] = []
        self._attempts: list[dict[str, Any]] = []
        self._deliveries: list[dict[str, Any]] = []
        self._narrowed: list[dict[str, Any]] = []
        self._lines: list[dict[str, Any]] = []

    def add(
        self,
        head: heads.Head,
        endpoint: registry.Endpoint,
        secrets: list[dt_tables.EndpointSecret],
        verdict: recheck.Recheck,
        limits: tuple[int, float],
    ) -> common.Send:
        """The ``started`` attempt, the delivery in flight, the versions on its ledger line;
        the send under the endpoint's ``limits`` (in flight, per second)."""
        cfg, now = self._ctx.cfg, self._ctx.now
        assert head.body is not None
        body, fields = head.body, list(verdict.fields)
        if tuple(verdict.fields) != tuple(head.fields_planned):
            body = delivery_body.narrow(head.body, verdict.fields)
            self._narrowed.append({"_id": head.id, "body": body})
        attempt = rows.attempt_row(
            head, worker=cfg.worker_id, now=now, kids=[s.id for s in secrets],
            recheck={"action": verdict.action, "reason": verdict.reason, "fields": fields},
        )  # fmt: skip
        self._attempts.append(attempt)
        self._deliveries.append({"_id": head.id, "attempt_count": attempt["attempt_no"],
                                 "schedule_index": head.schedule_index + 1, "state": "in_flight",
                                 "updated_at": now, "fields_sent": fields})  # fmt: skip
        if _line_moves(self._versions.get(head.id), verdict, fields):
            self._lines.append({"_id": head.id, "_rule_version": verdict.rule_version,
                                "_dsa_id": verdict.dsa_id, "_dsa_version": verdict.dsa_version,
                                "fields": fields})  # fmt: skip
        return common.Send(
            ordering_key=head.ordering_key,
            prepared_at=now,
            delivery_id=head.id,
            attempt_id=attempt["id"],
            endpoint_id=endpoint.id,
            url=endpoint.url,
            body=body,
            secrets=tuple(s.secret for s in secrets),
            timeout_s=float(endpoint.timeout_s),
            max_in_flight=limits[0],
            rate_limit_per_s=limits[1],
            bearer_token=endpoint.bearer_token,
            oauth=endpoint.oauth_client,
            tls=endpoint.client_tls,
        )

    def flush(self) -> None:
        rows.write_started(self._ctx.session, attempts=self._attempts,
                           deliveries=self._deliveries, narrowed=self._narrowed,
                           lines=self._lines)  # fmt: skip


def _line_moves(
    line: repo.LineVersions | None, verdict: recheck.Recheck, fields: list[str]
) -> bool:
    """Whether writing the verdict's versions and fields changes the ledger line (a version
    the verdict leaves None keeps the line's); no line: nothing to write."""
    if line is None:
        return False
    wanted = (verdict.rule_version, verdict.dsa_id, verdict.dsa_version)
    kept = tuple(new if new is not None else old for new, old in zip(wanted, line[:3], strict=True))
    return kept != line[:3] or fields != list(line[3])
