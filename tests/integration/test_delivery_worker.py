"""The delivery worker against real receivers, on both engines (in-process worker)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from core.tables import Base
from notify import delivery_gate, delivery_service, registry_repository, signing, ssrf, worker
from notify import delivery_tables as dt_tables
from notify.dispatch import registry_cache
from notify.tables import outbox, registry
from notify.transports import webhook
from tests.support import outbox_world, receivers

SCALE = 0.0002  # the 27.6-hour retry schedule in about 20 seconds


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def sink() -> Iterator[receivers.Receiver]:
    with receivers.Receiver([]) as receiver:
        yield receiver


def _world(session_factory: db.SessionFactory, urls: list[str]) -> outbox_world.World:
    with db.unit_of_work(session_factory) as session:
        return outbox_world.build(session, urls, now=_now())


LOCAL = ssrf.TargetPolicy.for_deployment(allow_private_targets=True)


def _worker(engine: sa.Engine, policy: ssrf.TargetPolicy = LOCAL, **options: Any) -> worker.Worker:
    settings: dict[str, Any] = {
        "lease": dt.timedelta(seconds=5),
        "poll_s": 0.05,
        "time_scale": SCALE,
    } | options
    return worker.Worker(
        engine=engine,
        gate=delivery_gate.RegistryGate(registry_cache.CachedRegistry(registry_repository.load)),
        sender=webhook.AiohttpSender(policy=policy),
        options=worker.Options(**settings),
    )


def _run_until(
    engine: sa.Engine,
    done: Callable[[], bool],
    timeout_s: float = 60.0,
    policy: ssrf.TargetPolicy = LOCAL,
    **options: object,
) -> worker.Tally:
    async def main() -> worker.Tally:
        running = _worker(engine, policy, **options)
        task = asyncio.create_task(running.run())
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not done() and asyncio.get_running_loop().time() < deadline and not task.done():
            await asyncio.sleep(0.05)
        running.stop()
        return await task

    return asyncio.run(main())


def _deliveries(session: orm.Session) -> list[outbox.Delivery]:
    return list(session.scalars(sa.select(outbox.Delivery).order_by(outbox.Delivery.seq)))


def test_every_event_is_delivered_signed_once_and_in_order(
    engine: sa.Engine, session_factory: db.SessionFactory, sink: receivers.Receiver
) -> None:
    world = _world(session_factory, [sink.url, sink.url + "?b"])
    sink.rotate(list(world.secrets.values()))
    with db.unit_of_work(session_factory) as session:
        for _round in range(3):
            for subject in ("s1", "s2"):
                for partner in ("P0", "P1"):
                    world.enqueue(session, partner=partner, subject_id=subject, now=_now())
    tally = _run_until(engine, lambda: len(sink.unique_ids()) == 12, once=True)
    assert tally.delivered == 12
    assert sink.rejected == 0
    assert len(sink.accepted()) == 12
    lanes = sink.first_seen_sequences()
    assert len(lanes) == 4
    assert all(seqs == sorted(seqs) and len(seqs) == 3 for seqs in lanes.values())
    with db.unit_of_work(session_factory) as session:
        rows = _deliveries(session)
        assert {d.state for d in rows} == {"delivered"}
        lines = session.scalars(sa.select(outbox.Disclosure)).all()
        assert {line.outcome for line in lines} == {"disclosed"}
        attempts = session.scalars(sa.select(dt_tables.DeliveryAttempt)).all()
        assert len(attempts) == 12
        assert all(a.phase == "finished" and a.http_status == 204 for a in attempts)


def test_an_endpoints_bearer_token_goes_with_each_delivery(
    engine: sa.Engine, session_factory: db.SessionFactory, sink: receivers.Receiver
) -> None:
    world = _world(session_factory, [sink.url, sink.url + "?b"])
    sink.rotate(list(world.secrets.values()))
    _set(session_factory, registry.Endpoint, world.endpoints["P0"], bearer_token="gw-token-0123")
    with db.unit_of_work(session_factory) as session:
        sent = {p: world.enqueue(session, partner=p, subject_id="s1", now=_now()).id
                for p in ("P0", "P1")}  # fmt: skip
    _run_until(engine, lambda: len(sink.unique_ids()) == 2, once=True)
    got = {r.webhook_id: r.authorization for r in sink.accepted()}
    assert got == {f"msg_{sent['P0']}": "Bearer gw-token-0123", f"msg_{sent['P1']}": None}


def test_while_a_secret_rotates_each_delivery_verifies_under_either_secret(
    engine: sa.Engine, session_factory: db.SessionFactory, sink: receivers.Receiver
) -> None:
    """During the overlap every request carries one ``v1,`` entry per active secret (the new
    one first): a partner still on the old secret and one already on the new both verify."""
    world = _world(session_factory, [sink.url])
    old = world.secrets["P0"]
    with db.unit_of_work(session_factory) as session:
        new = delivery_service.rotate_secret(
            session=session, endpoint_id=world.endpoints["P0"], actor="test", now=_now()
        )
        first = world.enqueue(session, partner="P0", subject_id="s1", now=_now()).id
    sink.rotate([old])
    _run_until(engine, lambda: len(sink.accepted()) == 1)
    sink.rotate([new])
    with db.unit_of_work(session_factory) as session:
        second = world.enqueue(session, partner="P0", subject_id="s2", now=_now()).id
    _run_until(engine, lambda: len(sink.accepted()) == 2)
    assert sink.rejected == 0
    assert [r.webhook_id for r in sink.accepted()] == [f"msg_{first}", f"msg_{second}"]
    for received in sink.accepted():
        assert len(received.signatures) == 2
        assert all(s.startswith("v1,") for s in received.signatures)
        expected = signing.headers(
            msg_id=received.webhook_id,
            body=received.body,
            at=dt.datetime.fromtimestamp(int(received.timestamp), dt.UTC),
            secrets_=[new],
        )
        assert received.signatures[0] == expected["webhook-signature"]


def _set(session_factory: db.SessionFactory, table: type[Base], key: str, **values: object) -> None:
    with db.unit_of_work(session_factory) as session:
        row = session.get(table, key)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)


def _attempts(session: orm.Session, delivery_id: str) -> list[dt_tables.DeliveryAttempt]:
    return list(
        session.scalars(
            sa.select(dt_tables.DeliveryAttempt)
            .where(dt_tables.DeliveryAttempt.delivery_id == delivery_id)
            .order_by(dt_tables.DeliveryAttempt.attempt_no)
        )
    )


def test_a_failing_receiver_gets_everything_once_it_recovers(
    engine: sa.Engine, session_factory: db.SessionFactory, sink: receivers.Receiver
) -> None:
    world = _world(session_factory, [sink.url])
    sink.rotate([world.secrets["P0"]])
    _set(session_factory, registry.Endpoint, world.endpoints["P0"], timeout_s=1)
    sink.script(
        receivers.status(500, body="boom"),
        receivers.hang(3),
        receivers.close(),
        receivers.status(429, retry_after="1"),
        receivers.status(503),
    )
    with db.unit_of_work(session_factory) as session:
        ids = [world.enqueue(session, partner="P0", subject_id="s1", now=_now()).id for _ in "abc"]
    _run_until(engine, lambda: len(sink.unique_ids()) == 3)
    assert sink.first_seen_sequences() == {
        next(iter(sink.first_seen_sequences())): [f"{n:020d}" for n in (1, 2, 3)]
    }
    assert [r.webhook_id for r in sink.requests()][:6] == ["msg_" + ids[0]] * 6
    with db.unit_of_work(session_factory) as session:
        first = _attempts(session, ids[0])
        kinds = [(a.http_status, a.error_kind) for a in first]
        assert kinds == [
            (500, "http_5xx"),
            (None, "timeout"),
            (None, "reset"),
            (429, "http_4xx"),
            (503, "http_5xx"),
            (204, None),
        ]
        assert first[0].response_excerpt == "boom"
        assert first[3].retry_after_s == 1.0
        assert all(a.phase == "finished" for a in first)
        assert {d.state for d in _deliveries(session)} == {"delivered"}
        line = session.scalars(
            sa.select(outbox.Disclosure).where(outbox.Disclosure.delivery_id == ids[0])
        ).one()
        assert line.outcome == "disclosed"


def test_gone_disables_the_endpoint_and_nothing_more_goes_to_it(
    engine: sa.Engine, session_factory: db.SessionFactory
) -> None:
    with receivers.receivers([], []) as (gone, fine):
        world = _world(session_factory, [gone.url, fine.url])
        gone.rotate([world.secrets["P0"]])
        fine.rotate([world.secrets["P1"]])
        gone.answer(receivers.status(410))
        _set(session_factory, dt_tables.EndpointState, world.endpoints["P0"], max_in_flight=1)
        with db.unit_of_work(session_factory) as session:
            for subject in ("s1", "s2", "s3"):
                for partner in ("P0", "P1"):
                    world.enqueue(session, partner=partner, subject_id=subject, now=_now())
        _run_until(engine, lambda: False, timeout_s=3)
        assert len(gone.requests()) == 1
        assert len(fine.unique_ids()) == 3
        with db.unit_of_work(session_factory) as session:
            endpoint = session.get(registry.Endpoint, world.endpoints["P0"])
            assert endpoint is not None
            assert (endpoint.status, endpoint.disabled_reason) == ("disabled", "gone_410")
            held = session.scalars(
                sa.select(outbox.Delivery).where(outbox.Delivery.partner_id == "P0")
            ).all()
            assert {d.state for d in held} == {"held"}
            assert {d.hold_reason for d in held} == {"ENDPOINT_DISABLED"}
            kinds = session.scalars(sa.select(dt_tables.OpsNotice.kind)).all()
            assert "endpoint.disabled" in kinds
        gone.answer(receivers.ok())
        with db.unit_of_work(session_factory) as session:
            delivery_service.reenable_endpoint(
                session=session, endpoint_id=world.endpoints["P0"], actor="ops", now=_now()
            )
        _run_until(engine, lambda: len(gone.unique_ids()) == 3)
        assert len(gone.unique_ids()) == 3


def test_a_target_whose_name_resolves_to_a_private_address_is_refused_at_send_time(
    engine: sa.Engine,
    session_factory: db.SessionFactory,
    sink: receivers.Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The endpoint's name passed registration; at send time its DNS answer is 127.0.0.1.
    The attempt is recorded as refused (nothing reached the receiver), the endpoint is
    disabled and its delivery held: no crash, no retry towards the private address."""

    async def resolve(host: str, port: int, *, timeout_s: float = 2.0) -> list[str]:
        return ["127.0.0.1"] if host == "internal.example" else []

    monkeypatch.setattr(ssrf, "resolve", resolve)
    url = f"https://internal.example:{sink.port}{sink.path}"
    strict = ssrf.TargetPolicy(ports=frozenset({sink.port}))
    assert ssrf.check_url(url, strict).host == "internal.example"
    world = _world(session_factory, [url])
    with db.unit_of_work(session_factory) as session:
        delivery_id = world.enqueue(session, partner="P0", subject_id="s1", now=_now()).id

    def disabled() -> bool:
        with db.unit_of_work(session_factory) as session:
            endpoint = session.get(registry.Endpoint, world.endpoints["P0"])
            return endpoint is not None and endpoint.status == "disabled"

    _run_until(engine, disabled, timeout_s=30, policy=strict)
    assert sink.requests() == []
    with db.unit_of_work(session_factory) as session:
        (attempt,) = _attempts(session, delivery_id)
        assert (attempt.phase, attempt.http_status, attempt.error_kind) == (
            "finished", None, "ssrf_block"
        )  # fmt: skip
        assert not attempt.possibly_received
        endpoint = session.get(registry.Endpoint, world.endpoints["P0"])
        assert endpoint is not None and endpoint.disabled_reason == "validation_failed"
        assert [d.state for d in _deliveries(session)] == ["held"]


def test_a_delivery_no_longer_permitted_is_cancelled_and_never_sent(
    engine: sa.Engine, session_factory: db.SessionFactory, sink: receivers.Receiver
) -> None:
    world = _world(session_factory, [sink.url])
    sink.rotate([world.secrets["P0"]])
    with db.unit_of_work(session_factory) as session:
        for subject in ("s1", "s1", "s2"):
            world.enqueue(session, partner="P0", subject_id=subject, now=_now())
        session.execute(
            sa.update(registry.SharingRule)
            .where(registry.SharingRule.id == "rule-p0")
            .values(status="retired")
        )
    _run_until(engine, lambda: False, timeout_s=2, once=True)
    assert sink.requests() == []
    with db.unit_of_work(session_factory) as session:
        rows = _deliveries(session)
        assert {(d.state, d.close_reason) for d in rows} == {
            ("cancelled", "cancelled:RULE_INACTIVE")
        }
        assert all(d.body is None and d.body_purge_reason == "cancelled" for d in rows)
        lines = session.scalars(sa.select(outbox.Disclosure)).all()
        assert {line.outcome for line in lines} == {"not_disclosed"}
        assert session.scalars(sa.select(dt_tables.DeliveryAttempt)).all() == []


def test_a_dead_letter_blocks_its_lane_until_it_is_resent(
    engine: sa.Engine, session_factory: db.SessionFactory, sink: receivers.Receiver
) -> None:
    world = _world(session_factory, [sink.url])
    sink.rotate([world.secrets["P0"]])
    sink.answer(receivers.status(500))
    with db.unit_of_work(session_factory) as session:
        state = session.get(dt_tables.EndpointState, world.endpoints["P0"])
        assert state is not None
        state.retry_schedule_s = [1.0, 1.0]
        first, second = (
            world.enqueue(session, partner="P0", subject_id="s1", now=_now()).id for _ in "ab"
        )

    def dead() -> bool:
        with db.unit_of_work(session_factory) as session:
            row = session.get(outbox.Delivery, first)
            return row is not None and row.state == "dead"

    _run_until(engine, dead)
    assert {r.webhook_id for r in sink.requests()} == {"msg_" + first}
    assert len(sink.requests()) == 3
    with db.unit_of_work(session_factory) as session:
        lane = session.scalars(sa.select(outbox.DeliveryLane)).one()
        assert (lane.state, lane.head_delivery_id) == ("blocked", first)
        line = session.scalars(
            sa.select(outbox.Disclosure).where(outbox.Disclosure.delivery_id == first)
        ).one()
        assert (line.outcome, line.close_reason) == ("possibly_disclosed", "dead")
        notices = session.scalars(sa.select(dt_tables.OpsNotice.kind)).all()
        assert "delivery.exhausted" in notices
    sink.answer(receivers.ok())
    with db.unit_of_work(session_factory) as session:
        delivery_service.resend(
            session=session, delivery_id=first, actor="ops", reason="fixed", now=_now()
        )
    _run_until(engine, lambda: len(sink.unique_ids()) == 2)
    accepted = [r.webhook_id for r in sink.accepted()]
    assert accepted == ["msg_" + first, "msg_" + second]
    with db.unit_of_work(session_factory) as session:
        assert [a.action for a in session.scalars(sa.select(dt_tables.DeliveryAction))] == [
            "resend"
        ]
        recorded = session.scalars(
            sa.select(dt_tables.OpsNotice).order_by(dt_tables.OpsNotice.created_at)
        ).all()
        recovered = [(n.kind, n.delivery_id) for n in recorded if n.kind.startswith("delivery.")]
        # the resent delivery's success is announced once; the second was never dead
        assert recovered == [("delivery.exhausted", first), ("delivery.recovered", first)]


def test_odd_answers_are_recorded_safely_and_the_worker_carries_on(
    engine: sa.Engine, session_factory: db.SessionFactory, sink: receivers.Receiver
) -> None:
    """A binary body (NUL, bytes that are not UTF-8) and a Retry-After that is not a number
    are recorded as ordinary failed attempts; the next attempt goes as usual."""
    world = _world(session_factory, [sink.url])
    sink.rotate([world.secrets["P0"]])
    binary = b"\x00\xff\xfe\x1b[31mPK\x03\x04" + bytes(range(256)) * 8
    sink.script(
        receivers.status(500, raw=binary),
        receivers.status(503, retry_after="\u00b2"),
    )
    with db.unit_of_work(session_factory) as session:
        delivery_id = world.enqueue(session, partner="P0", subject_id="s1", now=_now()).id
    _run_until(engine, lambda: len(sink.accepted()) == 1)
    with db.unit_of_work(session_factory) as session:
        first, second, third = _attempts(session, delivery_id)
        assert [a.http_status for a in (first, second, third)] == [500, 503, 204]
        excerpt = first.response_excerpt or ""
        assert excerpt.startswith("\ufffd\ufffd\ufffd\ufffd[31mPK\ufffd\ufffd")
        assert "\x00" not in excerpt
        assert len(excerpt.encode("utf-8")) <= webhook.EXCERPT_BYTES
        assert second.retry_after_s is None


def test_retry_after_defers_the_next_attempt(
    engine: sa.Engine, session_factory: db.SessionFactory, sink: receivers.Receiver
) -> None:
    world = _world(session_factory, [sink.url])
    sink.rotate([world.secrets["P0"]])
    sink.script(receivers.status(429, retry_after="3600"))
    with db.unit_of_work(session_factory) as session:
        delivery_id = world.enqueue(session, partner="P0", subject_id="s1", now=_now()).id
    _run_until(engine, lambda: len(sink.accepted()) == 1)
    with db.unit_of_work(session_factory) as session:
        refused, accepted = _attempts(session, delivery_id)
        assert refused.finished_at is not None
        assert accepted.started_at - refused.finished_at >= dt.timedelta(seconds=3600 * SCALE)


def test_a_new_delivery_wakes_a_sleeping_worker(
    engine: sa.Engine, session_factory: db.SessionFactory, sink: receivers.Receiver
) -> None:
    """PostgreSQL wakes the worker with NOTIFY (its poll is set far away); SQLite polls."""
    world = _world(session_factory, [sink.url])
    sink.rotate([world.secrets["P0"]])
    poll_s = 60.0 if engine.dialect.name == "postgresql" else 0.25

    async def main() -> worker.Tally:
        running = _worker(engine, poll_s=poll_s)
        task = asyncio.create_task(running.run())
        await asyncio.sleep(1.0)  # the worker has found nothing and sleeps
        with db.unit_of_work(session_factory, immediate=True) as session:
            world.enqueue(session, partner="P0", subject_id="s1", now=_now())
        for _ in range(200):
            if sink.accepted():
                break
            await asyncio.sleep(0.05)
        running.stop()
        return await task

    tally = asyncio.run(main())
    assert tally.delivered == 1
