"""The worker's database steps on both engines, without the network: the registry kept
between batches, lanes left to the pull feed and the file drop, and lanes emptied at once."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from notify import delivery_gate, registry_repository
from notify import delivery_repository as repo
from notify.dispatch import common, finish, prepare, registry_cache
from notify.tables import outbox, registry
from notify.transports import webhook
from tests.support import outbox_world

URLS = ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _world(session_factory: db.SessionFactory) -> outbox_world.World:
    with db.unit_of_work(session_factory) as session:
        return outbox_world.build(session, URLS, now=_now())


def _claim(
    session_factory: db.SessionFactory, source: registry_cache.CachedRegistry | None = None
) -> common.Claimed:
    gate = delivery_gate.RegistryGate(source or registry_repository.load)
    with db.unit_of_work(session_factory) as session:
        cfg = common.Config(worker_id="w1")
        return prepare.claim_and_prepare(session, cfg=cfg, gate=gate, now=_now(), k=50)


def _answer(session_factory: db.SessionFactory, claimed: common.Claimed) -> None:
    """Every send answered 204 now."""
    now = _now()
    results = [
        common.Result(send=s, result=webhook.WebhookResult(status=204), finished_at=now)
        for s in claimed.sends
    ]
    with db.unit_of_work(session_factory) as session:
        finish.finish(session, results=results, cfg=common.Config(worker_id="w1"))


def _lanes(session_factory: db.SessionFactory) -> dict[str, outbox.DeliveryLane]:
    with db.unit_of_work(session_factory) as session:
        return {lane.ordering_key: lane for lane in session.scalars(sa.select(outbox.DeliveryLane))}


def test_the_registry_is_read_again_only_after_a_registry_row_changed(
    session_factory: db.SessionFactory,
) -> None:
    _world(session_factory)
    cached = registry_cache.CachedRegistry(registry_repository.load)
    with db.unit_of_work(session_factory) as session:
        first = cached(session)
        again = cached(session)
    assert cached.loads == 1 and again is first
    with db.unit_of_work(session_factory) as session:
        session.execute(  # not through the registry service: no registry_change row
            sa.update(registry.SharingRule)
            .where(registry.SharingRule.id == "rule-p0")
            .values(status="retired")
        )
    with db.unit_of_work(session_factory) as session:
        current = cached(session)
    assert cached.loads == 2
    assert {r.status for r in current.rules if r.id == "rule-p0"} == {"retired"}


def test_a_rule_retired_between_batches_cancels_with_the_kept_registry(
    session_factory: db.SessionFactory,
) -> None:
    world = _world(session_factory)
    cached = registry_cache.CachedRegistry(registry_repository.load)
    with db.unit_of_work(session_factory) as session:
        world.enqueue(session, partner="P0", subject_id="s1", now=_now())
    assert len(_claim(session_factory, cached).sends) == 1  # the registry is now kept
    with db.unit_of_work(session_factory) as session:
        session.execute(
            sa.update(registry.SharingRule)
            .where(registry.SharingRule.id == "rule-p0")
            .values(status="retired")
        )
        later = world.enqueue(session, partner="P0", subject_id="s2", now=_now())
    assert _claim(session_factory, cached).sends == []
    with db.unit_of_work(session_factory) as session:
        row = session.get(outbox.Delivery, later.id)
        assert row is not None
        assert (row.state, row.close_reason) == ("cancelled", "cancelled:RULE_INACTIVE")


@pytest.mark.parametrize("channel", ["pull", "file_drop"])
def test_a_lane_whose_head_goes_by_feed_or_file_is_left_to_it(
    session_factory: db.SessionFactory, channel: str
) -> None:
    world = _world(session_factory)
    with db.unit_of_work(session_factory) as session:
        session.execute(
            sa.update(registry.Subscription)
            .where(registry.Subscription.id == world.subscriptions["P1"])
            .values(channel=channel)  # the endpoint stays: only the channel says feed/file
        )
        sent = world.enqueue(session, partner="P0", subject_id="s1", now=_now())
        kept = world.enqueue(session, partner="P1", subject_id="s1", now=_now())
    claimed = _claim(session_factory)
    assert [s.delivery_id for s in claimed.sends] == [sent.id]
    with db.unit_of_work(session_factory) as session:
        row = session.get(outbox.Delivery, kept.id)
        assert row is not None
        assert (row.state, row.attempt_count, row.hold_reason) == ("pending", 0, None)
        lane = session.get(outbox.DeliveryLane, kept.ordering_key)
        assert lane is not None
        assert (lane.state, lane.head_delivery_id) == ("idle", kept.id)
        repo.wake_idle_lanes(session, now=_now())  # the sweep leaves it idle too
    assert _lanes(session_factory)[kept.ordering_key].state == "idle"
    _answer(session_factory, claimed)
    assert _claim(session_factory).lanes == 0


def test_a_lane_rests_idle_once_its_last_delivery_is_delivered(
    session_factory: db.SessionFactory,
) -> None:
    world = _world(session_factory)
    with db.unit_of_work(session_factory) as session:
        first = world.enqueue(session, partner="P0", subject_id="s1", now=_now())
        world.enqueue(session, partner="P0", subject_id="s1", now=_now())
        only = world.enqueue(session, partner="P1", subject_id="s2", now=_now())
    _answer(session_factory, _claim(session_factory))
    lanes = _lanes(session_factory)
    assert (lanes[first.ordering_key].state, lanes[first.ordering_key].lease_owner) == (
        "ready",
        None,
    )
    assert (lanes[only.ordering_key].state, lanes[only.ordering_key].next_attempt_at) == (
        "idle",
        None,
    )
    claimed = _claim(session_factory)
    assert claimed.lanes == 1 and len(claimed.sends) == 1
    _answer(session_factory, claimed)
    assert {lane.state for lane in _lanes(session_factory).values()} == {"idle"}
    with db.unit_of_work(session_factory) as session:
        states = session.scalars(sa.select(outbox.Delivery.state)).all()
        assert sorted(states) == ["delivered"] * 3
        outcomes = session.scalars(sa.select(outbox.Disclosure.outcome)).all()
        assert sorted(outcomes) == ["disclosed"] * 3
        history = session.scalars(sa.select(outbox.DisclosureHistory.to_outcome)).all()
        assert sorted(history) == ["disclosed"] * 3


@pytest.mark.parametrize("stale", [False, True])
def test_a_claim_writes_the_versions_on_the_ledger_line_only_when_they_change(
    session_factory: db.SessionFactory, stale: bool
) -> None:
    world = _world(session_factory)
    with db.unit_of_work(session_factory) as session:
        head = world.enqueue(session, partner="P0", subject_id="s1", now=_now())
        if stale:  # as planned under an older agreement, with a field the rule does not permit
            session.execute(
                sa.update(outbox.Disclosure)
                .where(outbox.Disclosure.delivery_id == head.id)
                .values(dsa_id="DSA-OLD", dsa_version=7, fields=["PERSON_NAME"])
            )
    with db.unit_of_work(session_factory) as session:
        before = session.scalars(sa.select(outbox.Disclosure).filter_by(delivery_id=head.id)).one()
        xmin_before = _row_version(session, before.id)
    assert len(_claim(session_factory).sends) == 1
    with db.unit_of_work(session_factory) as session:
        line = session.scalars(sa.select(outbox.Disclosure).filter_by(delivery_id=head.id)).one()
        assert (line.rule_version, line.dsa_id, line.dsa_version, line.fields) == (
            1, "DSA-T", 1, list(outbox_world.FIELDS)
        )  # fmt: skip
        assert (_row_version(session, line.id) != xmin_before) is stale or xmin_before is None


def _row_version(session: orm.Session, line_id: str) -> object:
    """PostgreSQL: the transaction that last wrote the line (None on SQLite)."""
    if db.is_sqlite(session):
        return None
    query = sa.text("SELECT xmin::text FROM disclosure WHERE id = :id")
    return session.execute(query, {"id": line_id}).scalar_one()
