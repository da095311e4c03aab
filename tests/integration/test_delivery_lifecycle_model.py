"""A stateful model of the outbox lifecycle on both engines (V3, V12, V13).

Hypothesis drives the worker's real steps (:mod:`notify.dispatch`) on a real database with a
fake clock and no network: events are enqueued, lanes claimed, sends answered 2xx, 5xx, 429
with ``Retry-After``, 410 or lost to a crash, leases swept, endpoints re-enabled and dead letters
resent, in any order. After every step:

* V3: a lane never has two sends in flight, each send is its lane's lowest open ``seq``, and
  first deliveries per lane come in strictly increasing ``seq``;
* V12: every delivery is terminal, dead, held or queued on a lane that will be claimed again,
  and a lane is leased exactly while its send is in flight (a crashed worker's lease is swept);
* V13: no schedule run makes more than eight attempts.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from core import db, ids
from notify import delivery_gate, delivery_service, registry_repository
from notify import delivery_tables as dt_tables
from notify.dispatch import common, finish, prepare
from notify.tables import outbox
from notify.transports import webhook
from tests.support import outbox_world

PARTNERS = ("P0", "P1")
SUBJECTS = ("s0", "s1", "s2")
LEASE = dt.timedelta(seconds=60)
T0 = dt.datetime.now(dt.UTC).replace(microsecond=0)
ANSWERS = {
    "ok": webhook.WebhookResult(status=204),
    "error": webhook.WebhookResult(status=500),
    "throttled": webhook.WebhookResult(status=429, headers={"retry-after": "600"}),
    "gone": webhook.WebhookResult(status=410),
    "timeout": webhook.WebhookResult(error_kind="timeout"),
}
TERMINAL = ("delivered", "cancelled", "expired", "abandoned")


class Outbox(RuleBasedStateMachine):
    factory: db.SessionFactory
    world: outbox_world.World

    def __init__(self) -> None:
        super().__init__()
        self._reset()
        self.now = T0
        self.cfg = common.Config(worker_id="model", lease=LEASE, rng=random.Random(0))
        self.gate = delivery_gate.RegistryGate(registry_repository.load)
        self.in_flight: list[common.Send] = []
        self.zombies: list[common.Send] = []  # sends whose lease expired before they finished
        self.first_delivered: dict[str, list[int]] = {}
        self.seen: set[str] = set()
        self.prefix = ids.new_token(4)  # people of this run only: their lanes are new
        self.keys: set[str] = set()

    def _reset(self) -> None:
        """Earlier runs' lanes go quiet (ledger lines are never deleted), endpoints recover."""
        with db.unit_of_work(self.factory) as session:
            session.execute(sa.update(outbox.DeliveryLane).values(state="idle"))
            session.execute(
                sa.update(outbox.Delivery)
                .where(outbox.Delivery.state.not_in(TERMINAL))
                .values(state="abandoned")
            )
            session.execute(sa.update(dt_tables.EndpointState).values(
                circuit_state="closed", circuit_until=None, consecutive_failures=0,
                window_started_at=None, window_attempts=0, window_failures=0,
                first_failure_at=None, last_failure_at=None, last_failed_delivery_id=None,
            ))  # fmt: skip
            for endpoint_id in self.world.endpoints.values():
                delivery_service.reenable_endpoint(
                    session=session, endpoint_id=endpoint_id, actor="model", now=T0
                )

    # -- rules ----------------------------------------------------------------------------

    @rule(partner=st.sampled_from(PARTNERS), subject=st.sampled_from(SUBJECTS))
    def enqueue(self, partner: str, subject: str) -> None:
        with db.unit_of_work(self.factory) as session:
            row = self.world.enqueue(
                session, partner=partner, subject_id=f"{self.prefix}-{subject}", now=self.now
            )
            self.keys.add(row.ordering_key)

    @rule(k=st.integers(1, 6))
    def claim(self, k: int) -> None:
        with db.unit_of_work(self.factory) as session:
            claimed = prepare.claim_and_prepare(
                session, cfg=self.cfg, gate=self.gate, now=self.now, k=k
            )
        lanes = [s.ordering_key for s in self.in_flight]
        for send in claimed.sends:
            assert send.ordering_key not in lanes, "two sends in flight on one lane"
            lanes.append(send.ordering_key)
            self._assert_is_head(send)
        self.in_flight.extend(claimed.sends)

    @precondition(lambda self: bool(self.in_flight))
    @rule(data=st.data(), answer=st.sampled_from(sorted(ANSWERS)))
    def answer(self, data: st.DataObject, answer: str) -> None:
        send = self.in_flight.pop(data.draw(st.integers(0, len(self.in_flight) - 1)))
        self.now += dt.timedelta(milliseconds=50)
        result = common.Result(send=send, result=ANSWERS[answer], finished_at=self.now)
        with db.unit_of_work(self.factory) as session:
            finish.finish(session, results=[result], cfg=self.cfg)
        if answer == "ok" and send.delivery_id not in self.seen:
            self.seen.add(send.delivery_id)
            self.first_delivered.setdefault(send.ordering_key, []).append(self._seq(send))

    @precondition(lambda self: bool(self.in_flight))
    @rule()
    def crash(self) -> None:
        """The worker dies: its sends are never answered; the lease expires and is swept."""
        self.now += LEASE + dt.timedelta(seconds=1)
        self.sweep()
        self.zombies.clear()

    @rule()
    def sweep(self) -> None:
        with db.unit_of_work(self.factory) as session:
            prepare.sweep(session, cfg=self.cfg, now=self.now)
        expired = [s for s in self.in_flight if s.prepared_at + LEASE < self.now]
        self.zombies += expired
        self.in_flight = [s for s in self.in_flight if s not in expired]

    @precondition(lambda self: bool(self.zombies))
    @rule(answer=st.sampled_from(sorted(ANSWERS)))
    def a_late_answer_changes_nothing(self, answer: str) -> None:
        """A worker that outlived its lease reports back: its lane is someone else's now."""
        send = self.zombies.pop()
        before = self._states()
        result = common.Result(send=send, result=ANSWERS[answer], finished_at=self.now)
        with db.unit_of_work(self.factory) as session:
            finish.finish(session, results=[result], cfg=self.cfg)
        assert self._states() == before

    @rule(seconds=st.sampled_from((1, 30, 600, 3600, 6 * 3600, 11 * 3600)))
    def advance(self, seconds: int) -> None:
        self.now += dt.timedelta(seconds=seconds)

    @rule(partner=st.sampled_from(PARTNERS))
    def reenable(self, partner: str) -> None:
        with db.unit_of_work(self.factory) as session:
            delivery_service.reenable_endpoint(
                session=session, endpoint_id=self.world.endpoints[partner], actor="model",
                now=self.now,
            )  # fmt: skip

    @rule(data=st.data())
    def resend_a_dead_letter(self, data: st.DataObject) -> None:
        dead = sorted(i for i, state in self._states().items() if state == "dead")
        if dead:
            with db.unit_of_work(self.factory) as session:
                delivery_service.resend(session=session, delivery_id=data.draw(
                    st.sampled_from(dead)), actor="model", reason=None, now=self.now)  # fmt: skip

    # -- invariants -----------------------------------------------------------------------

    @invariant()
    def first_deliveries_come_in_order(self) -> None:
        for key, seqs in self.first_delivered.items():
            assert seqs == sorted(set(seqs)), key

    @invariant()
    def nothing_is_lost(self) -> None:
        with db.unit_of_work(self.factory) as session:
            rows = session.execute(
                sa.select(outbox.Delivery.state, outbox.DeliveryLane.state)
                .join(outbox.DeliveryLane,
                      outbox.DeliveryLane.ordering_key == outbox.Delivery.ordering_key)
                .where(outbox.Delivery.ordering_key.in_(self.keys))
            ).all()  # fmt: skip
        for delivery_state, lane_state in rows:
            if delivery_state in TERMINAL:
                continue
            assert lane_state in ("ready", "leased", "held", "blocked"), (
                delivery_state,
                lane_state,
            )

    @invariant()
    def only_lanes_with_a_send_in_flight_are_leased(self) -> None:
        """V12: a lease lives exactly as long as its send; a crashed one is swept back."""
        with db.unit_of_work(self.factory) as session:
            leased = set(
                session.scalars(
                    sa.select(outbox.DeliveryLane.ordering_key).where(
                        outbox.DeliveryLane.ordering_key.in_(self.keys),
                        outbox.DeliveryLane.state == "leased",
                    )
                )
            )
        assert leased == {s.ordering_key for s in self.in_flight}

    @invariant()
    def at_most_eight_attempts_per_schedule_run(self) -> None:
        with db.unit_of_work(self.factory) as session:
            worst = session.scalar(
                sa.select(sa.func.max(outbox.Delivery.schedule_index)).where(
                    outbox.Delivery.ordering_key.in_(self.keys)
                )
            )
        assert (worst or 0) <= 8

    # -- helpers --------------------------------------------------------------------------

    def _states(self) -> dict[str, str]:
        with db.unit_of_work(self.factory) as session:
            query = sa.select(outbox.Delivery.id, outbox.Delivery.state).where(
                outbox.Delivery.ordering_key.in_(self.keys)
            )
            return dict(session.execute(query).all())

    def _seq(self, send: common.Send) -> int:
        with db.unit_of_work(self.factory) as session:
            row = session.get(outbox.Delivery, send.delivery_id)
            assert row is not None
            return row.seq

    def _assert_is_head(self, send: common.Send) -> None:
        with db.unit_of_work(self.factory) as session:
            lowest = session.scalar(
                sa.select(sa.func.min(outbox.Delivery.seq)).where(
                    outbox.Delivery.ordering_key == send.ordering_key,
                    outbox.Delivery.state.not_in(
                        ("delivered", "cancelled", "expired", "abandoned")
                    ),
                )
            )
        assert self._seq(send) == lowest


@pytest.mark.slow
def test_the_outbox_lifecycle_keeps_its_invariants(session_factory: db.SessionFactory) -> None:
    with db.unit_of_work(session_factory) as session:
        world = outbox_world.build(session, [f"https://p{n}.example/hook" for n in range(2)],
                                   now=T0)  # fmt: skip
    machine: Any = Outbox
    machine.factory, machine.world = session_factory, world
    run_state_machine_as_test(
        Outbox,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
