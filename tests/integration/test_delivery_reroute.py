"""Rerouting a dead or held delivery to its service's pull feed or file drop (§6.7), on both
engines: it keeps its id, its place in the person's lane and its ledger line (whose channel
changes), the feed serves and commits it like any other item, the action is audited, and every
target that cannot take it is refused with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from notify import codes, delivery_errors, delivery_service, feed
from notify import delivery_tables as dt_tables
from notify.tables import outbox, registry
from tests.support import outbox_world

NOW = dt.datetime.now(dt.UTC)


world = outbox_world.two_partners_fixture(NOW)


def _subscription(
    session: orm.Session, service: str, channel: str, *, status: str = "active"
) -> registry.Subscription:
    row = registry.Subscription(
        id=ids.new_id(), partner_service_id=service, channel=channel, endpoint_id=None,
        event_types=[codes.SUBMITTED], status=status, created_at=NOW,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def _dead(session: orm.Session, world: outbox_world.World, subject: str) -> outbox.Delivery:
    delivery = world.enqueue(session, partner="P0", subject_id=subject, now=NOW)
    delivery.state, delivery.close_reason, delivery.next_attempt_at = "dead", "dead", None
    lane = session.get(outbox.DeliveryLane, delivery.ordering_key)
    assert lane is not None
    lane.state, lane.head_delivery_id, lane.next_attempt_at = "blocked", delivery.id, None
    session.flush()
    return delivery


def _line(session: orm.Session, delivery_id: str) -> outbox.Disclosure:
    query = sa.select(outbox.Disclosure).where(outbox.Disclosure.delivery_id == delivery_id)
    return session.scalars(query).one()


def _reroute(session: orm.Session, delivery_id: str, to: str | None) -> registry.Subscription:
    return delivery_service.reroute(
        session=session, delivery_id=delivery_id, subscription_id=to, actor="ops",
        reason="webhook down for a week", now=NOW,
    )  # fmt: skip


def test_a_dead_delivery_goes_to_the_pull_feed_with_its_id_and_is_served_there(
    session: orm.Session, world: outbox_world.World
) -> None:
    pull = _subscription(session, "P0/COUNCIL_TAX", "pull")
    dead = _dead(session, world, "s1")
    behind = world.enqueue(session, partner="P0", subject_id="s1", now=NOW)
    session.commit()
    assert _reroute(session, dead.id, None).id == pull.id  # the service's only fallback
    session.commit()
    session.expire_all()
    moved = session.get(outbox.Delivery, dead.id)
    assert moved is not None
    assert (moved.subscription_id, moved.endpoint_id, moved.state) == (pull.id, None, "pending")
    assert (moved.seq, moved.ordering_key) == (dead.seq, behind.ordering_key)
    line = _line(session, dead.id)
    assert (line.channel, line.close_reason) == ("pull", "reopened")  # as a resend leaves it
    (action,) = session.scalars(sa.select(dt_tables.DeliveryAction)).all()
    assert (action.delivery_id, action.action, action.actor) == (dead.id, "reroute", "ops")
    lane = session.get(outbox.DeliveryLane, dead.ordering_key)
    assert lane is not None and lane.state == "ready"  # the worker parks it for the feed
    page = feed.fetch(session=session, partner_id="P0", after=None, limit=10, now=NOW)
    assert [(i.webhook_id, i.tombstone) for i in page.items] == [(f"msg_{dead.id}", False)]
    assert page.next_cursor is not None
    assert feed.commit(session=session, partner_id="P0", cursor=page.next_cursor, now=NOW) == 1
    session.commit()
    session.expire_all()
    done = session.get(outbox.Delivery, dead.id)
    assert done is not None and done.state == "delivered"
    assert _line(session, dead.id).outcome == "disclosed"


def test_a_held_delivery_can_go_to_a_named_file_drop(
    session: orm.Session, world: outbox_world.World
) -> None:
    _subscription(session, "P0/COUNCIL_TAX", "pull")
    drop = _subscription(session, "P0/COUNCIL_TAX", "file_drop")
    held = world.enqueue(session, partner="P0", subject_id="s2", now=NOW)
    held.state, held.hold_reason = "held", "ENDPOINT_DISABLED"
    session.commit()
    with pytest.raises(delivery_errors.RerouteRefused, match="name the subscription"):
        _reroute(session, held.id, None)  # two fallbacks: the operator chooses
    assert _reroute(session, held.id, drop.id).channel == "file_drop"
    session.commit()
    session.expire_all()
    moved = session.get(outbox.Delivery, held.id)
    assert moved is not None
    assert (moved.subscription_id, moved.state, moved.hold_reason) == (drop.id, "pending", None)


def _twin(session: orm.Session, delivery: outbox.Delivery, subscription_id: str) -> None:
    """The same event already delivered on ``subscription_id`` (its own delivery)."""
    columns = {c.key: getattr(delivery, c.key) for c in sa.inspect(outbox.Delivery).columns}
    twin = outbox.Delivery(**columns | {"id": ids.new_id(), "seq": delivery.seq + 100,
                                        "subscription_id": subscription_id})  # fmt: skip
    session.add(twin)
    session.flush()


def test_every_target_that_cannot_take_it_is_refused_and_nothing_changes(
    session: orm.Session, world: outbox_world.World
) -> None:
    dead = _dead(session, world, "s3")
    webhook = world.subscriptions["P0"]
    other_service = _subscription(session, "P1/COUNCIL_TAX", "pull")
    paused = _subscription(session, "P0/COUNCIL_TAX", "pull", status="paused")
    taken = _subscription(session, "P0/COUNCIL_TAX", "file_drop")
    _twin(session, dead, taken.id)
    delivered = world.enqueue(session, partner="P0", subject_id="s4", now=NOW)
    delivered.state = "delivered"
    session.commit()
    refusals = [
        (dead.id, webhook, "is a webhook subscription"),
        (dead.id, other_service.id, "another partner service"),
        (dead.id, paused.id, "does not take"),
        (dead.id, taken.id, "already has this event"),
        (dead.id, None, "for change_of_address.submitted: none"),
        (delivered.id, None, "only a dead or held delivery"),
    ]
    for delivery_id, target, words in refusals:
        with pytest.raises(delivery_errors.RerouteRefused, match=words):
            _reroute(session, delivery_id, target)
        session.rollback()
    with pytest.raises(delivery_errors.SubscriptionNotFound):
        _reroute(session, dead.id, "no-such-subscription")
    with pytest.raises(delivery_errors.DeliveryNotFound):
        _reroute(session, "no-such-delivery", None)
    session.rollback()
    kept = session.get(outbox.Delivery, dead.id)
    assert kept is not None and (kept.state, kept.subscription_id) == ("dead", webhook)
    assert session.scalars(sa.select(dt_tables.DeliveryAction)).all() == []
